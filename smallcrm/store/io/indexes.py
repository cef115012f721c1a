"""The contacts and accounts an import's records may be, by their keys (``keys.py`` says where
each key is kept; ``identity.py`` the rules that decide).

Contacts are found by external id, then an email, then a phone number whose contact's name
agrees with the file's; accounts by external id, then name (case and spacing aside). Several
contacts may share an email or phone (an office line): each key lists them all, oldest first,
so the one whose name agrees is found whichever came first. Before a chunk of records is
matched, ``prefetch`` looks up every key the chunk holds; ``add`` makes a record's keys known
to the rest of the chunk and, through the database or the scratch file, to the rest of the file.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from smallcrm.store.db import Database, Tx
from smallcrm.store.duplicates import website_key

from .identity import Match, full_name, names_agree, person_key, possible_duplicates
from .keys import (
    ACCOUNT_EXTERNAL,
    ACCOUNT_NAME,
    ACCOUNT_PHONE,
    ACCOUNT_WEBSITE,
    CONTACT_EMAIL,
    CONTACT_EXTERNAL,
    CONTACT_NAME,
    CONTACT_PHONE,
    Chunk,
    Scratch,
    batches,
    database_rows,
    in_list,
    live_or,
)
from .matching import name_key

SAME_NAME_LIMIT = 3  # contacts of one name worth naming as possible duplicates of a new one


@dataclass
class ContactIndex:
    """Contacts by external id, email, phone and name, for the chunk being matched."""

    scratch: Scratch
    chunk: Chunk
    by_external: dict[str, int] = field(default_factory=dict)
    by_email: dict[str, list[int]] = field(default_factory=dict)
    by_phone: dict[str, list[int]] = field(default_factory=dict)
    by_name: dict[str, list[int]] = field(default_factory=dict)
    names: dict[int, str] = field(default_factory=dict)

    def load(self, db: Database) -> None:
        """The names of the live contacts, into the scratch file."""
        rows = database_rows(
            db, "SELECT id, first_name, last_name FROM contact WHERE deleted_at IS NULL ORDER BY id"
        )
        keys = ((person_key(f"{r['first_name']} {r['last_name']}".strip()), r["id"]) for r in rows)
        self.scratch.load(CONTACT_NAME, keys, limit=SAME_NAME_LIMIT)

    def prefetch(self, tx: Tx, cleaned: Iterable[Mapping[str, Any]], emails: set[str]) -> None:
        """Look up the keys of a chunk's ``cleaned`` contacts, and ``emails`` (contacts that
        other records name)."""
        for table in (self.by_external, self.by_email, self.by_phone, self.by_name, self.names):
            table.clear()
        phones: set[str] = set()
        externals: set[str] = set()
        names: set[str] = set()
        for values in cleaned:
            for method in values.get("methods", ()):
                (emails if method.kind == "email" else phones).add(method.value)
            if values.get("external_id"):
                externals.add(values["external_id"])
            names.add(person_key(full_name(values)))
        self._methods(tx, "email", emails, self.by_email)
        self._methods(tx, "phone", phones, self.by_phone)
        self._externals(tx, externals)
        self._extras(tx, emails, phones, externals)
        names.discard("")
        for key, ids in self.scratch.lookup(CONTACT_NAME, names).items():
            self.by_name[key] = ids[:SAME_NAME_LIMIT]

    def _methods(self, tx: Tx, kind: str, values: set[str], table: dict[str, list[int]]) -> None:
        live, hidden = live_or(tx, "c")
        for chunk in batches(values):
            marks, params = in_list(chunk)
            for row in tx.all(
                "SELECT m.value, m.contact_id, c.first_name, c.last_name FROM contact_method m "
                f"JOIN contact c ON c.id = m.contact_id WHERE m.kind = :kind "
                f"AND m.value IN {marks} AND {live} ORDER BY m.contact_id",
                kind=kind,
                **params,
                **hidden,
            ):
                ids = table.setdefault(row["value"], [])
                if row["contact_id"] not in ids:
                    ids.append(row["contact_id"])
                self.names[row["contact_id"]] = f"{row['first_name']} {row['last_name']}".strip()

    def _externals(self, tx: Tx, values: set[str]) -> None:
        live, hidden = live_or(tx)
        for chunk in batches(values):
            marks, params = in_list(chunk)
            for row in tx.all(
                f"SELECT id, external_id, first_name, last_name FROM contact "
                f"WHERE external_id IN {marks} AND {live} ORDER BY id",
                **params,
                **hidden,
            ):
                self.by_external.setdefault(row["external_id"], row["id"])
                self.names[row["id"]] = f"{row['first_name']} {row['last_name']}".strip()

    def _extras(self, tx: Tx, emails: set[str], phones: set[str], externals: set[str]) -> None:
        """What the file's updates (not applied yet) add to existing contacts."""
        for space, values, table in (
            (CONTACT_EMAIL, emails, self.by_email),
            (CONTACT_PHONE, phones, self.by_phone),
        ):
            for key, ids in self.scratch.lookup(space, values).items():
                listed = table.setdefault(key, [])
                listed += [i for i in ids if i not in listed]
        for key, ids in self.scratch.lookup(CONTACT_EXTERNAL, externals).items():
            self.by_external.setdefault(key, ids[0])
        unnamed = {i for ids in (*self.by_email.values(), *self.by_phone.values()) for i in ids}
        unnamed |= set(self.by_external.values())
        for chunk in batches(unnamed - set(self.names)):
            marks, params = in_list(chunk)
            for row in tx.all(
                f"SELECT id, first_name, last_name FROM contact WHERE id IN {marks}", **params
            ):
                self.names[row["id"]] = f"{row['first_name']} {row['last_name']}".strip()

    def first_by_email(self, address: str) -> int | None:
        """The oldest contact with this email address, or None."""
        ids = self.by_email.get(address)
        return ids[0] if ids else None

    def find(self, cleaned: Mapping[str, Any]) -> Match:
        """The contact a cleaned record is (see ``identity.py``), or the ones it may duplicate.

        By external id; else by an email, then a phone, of a contact whose name agrees. A shared
        email or phone under another name, and the same name, make possible duplicates.
        """
        external = cleaned.get("external_id")
        if external and external in self.by_external:
            return Match(self.by_external[external], f"external id {external}")
        name = full_name(cleaned)
        possible: list[tuple[int, str]] = []
        for kind, table in (("email", self.by_email), ("phone", self.by_phone)):
            for method in cleaned.get("methods", ()):
                if method.kind != kind:
                    continue
                for contact_id in table.get(method.value, ()):
                    reason = f"same {kind} {method.value}"
                    if names_agree(name, self.names.get(contact_id, "")):
                        return Match(contact_id, reason)
                    possible.append((contact_id, reason))
        key = person_key(name)
        possible += [(contact_id, "same name") for contact_id in self.by_name.get(key, ()) if key]
        return Match(None, possible=possible_duplicates(possible))

    def add(self, contact_id: int, cleaned: Mapping[str, Any], *, new: bool) -> None:
        """Know a contact by its keys: a ``new`` one (written by this import, so the database
        finds it from the next chunk on), or one an update of the file will change."""
        if cleaned.get("external_id"):
            space = 0 if new else CONTACT_EXTERNAL
            self.chunk.put(self.by_external, cleaned["external_id"], contact_id, space)
        for method in cleaned.get("methods", ()):
            table = self.by_email if method.kind == "email" else self.by_phone
            space = 0 if new else CONTACT_EMAIL if method.kind == "email" else CONTACT_PHONE
            self.chunk.put_many(table, method.value, contact_id, space=space)
        if new:  # an import never renames anyone: only a new contact brings a name
            name = full_name(cleaned)
            self.names[contact_id] = name
            self.chunk.put_many(
                self.by_name, person_key(name), contact_id, SAME_NAME_LIMIT, CONTACT_NAME
            )


@dataclass
class AccountIndex:
    """Accounts by external id and by name (case and spacing aside); by website and phone for
    the possible duplicates of a new one. All of them live in the scratch file."""

    scratch: Scratch
    chunk: Chunk
    by_external: dict[str, int] = field(default_factory=dict)
    by_name: dict[str, int] = field(default_factory=dict)
    by_website: dict[str, list[int]] = field(default_factory=dict)
    by_phone: dict[str, list[int]] = field(default_factory=dict)

    def load(self, db: Database) -> None:
        """The live accounts' keys, into the scratch file."""
        rows = database_rows(
            db,
            "SELECT id, name, external_id, website, phone FROM account "
            "WHERE deleted_at IS NULL ORDER BY id",
        )
        self.scratch.add(key for row in rows for key in _account_keys(row["id"], row))

    def prefetch(self, tx: Tx, cleaned: Iterable[Mapping[str, Any]], companies: set[str]) -> None:
        """Look up the keys of a chunk's ``cleaned`` accounts and the ``companies`` its other
        records name; forget accounts moved to the trash since they were remembered."""
        for table in (self.by_external, self.by_name, self.by_website, self.by_phone):
            table.clear()
        names = {name_key(name) for name in companies}
        externals: set[str] = set()
        sites: set[str] = set()
        phones: set[str] = set()
        for values in cleaned:
            names.add(name_key(values.get("name") or ""))
            if values.get("external_id"):
                externals.add(values["external_id"])
            if site := website_key(values.get("website")):
                sites.add(site)
            if values.get("phone"):
                phones.add(values["phone"])
        found = [
            (self.by_name, self.scratch.lookup(ACCOUNT_NAME, names - {""})),
            (self.by_external, self.scratch.lookup(ACCOUNT_EXTERNAL, externals)),
        ]
        gone = _gone(tx, {i for _t, keys in found for ids in keys.values() for i in ids})
        for table, keys in found:
            for key, ids in keys.items():
                if alive := [i for i in ids if i not in gone]:
                    table[key] = alive[0]
        for table, space, wanted in (
            (self.by_website, ACCOUNT_WEBSITE, sites),
            (self.by_phone, ACCOUNT_PHONE, phones),
        ):
            table.update(self.scratch.lookup(space, wanted))

    def find(self, cleaned: Mapping[str, Any]) -> Match:
        """The account with this external id, else this name; or the ones it may duplicate
        (the same website or phone)."""
        external = cleaned.get("external_id")
        if external and external in self.by_external:
            return Match(self.by_external[external], f"external id {external}")
        found = self.by_name.get(name_key(cleaned.get("name") or ""))
        if found is not None:
            return Match(found, "same name")
        possible: list[tuple[int, str]] = []
        if site := website_key(cleaned.get("website")):
            possible += [(i, f"same website {site}") for i in self.by_website.get(site, ())]
        if phone := cleaned.get("phone"):
            possible += [(i, f"same phone {phone}") for i in self.by_phone.get(phone, ())]
        return Match(None, possible=possible_duplicates(possible))

    def add(self, account_id: int, cleaned: Mapping[str, Any]) -> None:
        """Know an account by its name, external id, website and phone."""
        chunk = self.chunk
        chunk.put(self.by_name, name_key(cleaned.get("name") or ""), account_id, ACCOUNT_NAME)
        if cleaned.get("external_id"):
            chunk.put(self.by_external, cleaned["external_id"], account_id, ACCOUNT_EXTERNAL)
        if site := website_key(cleaned.get("website")):
            chunk.put_many(self.by_website, site, account_id, space=ACCOUNT_WEBSITE)
        if cleaned.get("phone"):
            chunk.put_many(self.by_phone, cleaned["phone"], account_id, space=ACCOUNT_PHONE)


def _account_keys(account_id: int, row: Mapping[str, Any]) -> list[tuple[int, str, int]]:
    keys = [(ACCOUNT_NAME, name_key(row["name"]), account_id)]
    if row["external_id"]:
        keys.append((ACCOUNT_EXTERNAL, row["external_id"], account_id))
    if site := website_key(row["website"]):
        keys.append((ACCOUNT_WEBSITE, site, account_id))
    if row["phone"]:
        keys.append((ACCOUNT_PHONE, row["phone"], account_id))
    return keys


def _gone(tx: Tx, ids: set[int]) -> set[int]:
    """Which of ``ids`` name no account a record may be linked to any more."""
    live, hidden = live_or(tx)
    alive: set[int] = set()
    for chunk in batches(ids):
        marks, params = in_list(chunk)
        alive |= {
            row["id"]
            for row in tx.all(
                f"SELECT id FROM account WHERE id IN {marks} AND {live}", **params, **hidden
            )
        }
    return ids - alive
