"""Finding what an imported record already is in the database, and what would change.

Contacts are found by external id, then an email, then a phone number whose contact's name
agrees with the file's; accounts by external id, then name (case and spacing aside). The rules,
and why a shared email or phone under another name is a new contact rather than an update, are
in ``identity.py``. Both use lookup tables loaded once per import and kept up to date as records
are created, so duplicates within one file are found too. Appointments are found by UID (also
the one smallcrm's own export makes up), else by start and title; deals by name and account;
interactions by time, kind, subject and contact.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from smallcrm.store.db import Tx
from smallcrm.store.duplicates import website_key

from .identity import Match, full_name, names_agree, person_key, possible_duplicates

COMPARE_SKIP = frozenset(
    {
        "email_consent_at",
        "phone_consent_at",
        "email_consent_source",
        "phone_consent_source",
        "closed_on",
        "methods",
    }
)


SAME_NAME_LIMIT = 3  # contacts of one name worth naming as possible duplicates of a new one


def name_key(name: str) -> str:
    """An account name for comparing: case and spacing aside."""
    return " ".join(str(name).casefold().split())


@dataclass
class _Keys:
    """Lookup tables that remember what the current record added, to forget it on failure."""

    journal: list[tuple[dict[str, Any], str, int | None]] = field(default_factory=list)

    def put(self, table: dict[str, int], key: str, record_id: int) -> None:
        """Remember ``key`` (unless known) for ``record_id``, revertibly."""
        if key and key not in table:
            table[key] = record_id
            self.journal.append((table, key, None))

    def put_many(
        self, table: dict[str, list[int]], key: str, record_id: int, limit: int = 0
    ) -> None:
        """Add ``record_id`` to the records known by ``key`` (up to ``limit``), revertibly."""
        if not key:
            return
        ids = table.setdefault(key, [])
        if record_id not in ids and not (limit and len(ids) >= limit):
            ids.append(record_id)
            self.journal.append((table, key, record_id))

    def revert(self) -> None:
        """Forget what was put since the journal was last cleared."""
        for table, key, record_id in reversed(self.journal):
            if record_id is None:
                table.pop(key, None)
                continue
            ids = table.get(key, [])
            if record_id in ids:
                ids.remove(record_id)
            if not ids:
                table.pop(key, None)
        self.journal.clear()


@dataclass
class ContactKeys(_Keys):
    """Live contacts by external id, email, phone and name, kept up to date during the import.

    Several contacts may share an email or phone (an office line): each key lists them all,
    oldest first, so the one whose name agrees is found whichever came first.
    """

    by_external: dict[str, int] = field(default_factory=dict)
    by_email: dict[str, list[int]] = field(default_factory=dict)
    by_phone: dict[str, list[int]] = field(default_factory=dict)
    by_name: dict[str, list[int]] = field(default_factory=dict)
    names: dict[int, str] = field(default_factory=dict)

    @classmethod
    def load(cls, tx: Tx) -> ContactKeys:
        """The tables for the live contacts."""
        keys = cls()
        for row in tx.iter(
            "SELECT id, first_name, last_name FROM contact WHERE deleted_at IS NULL ORDER BY id",
            size=5000,
        ):
            name = f"{row['first_name']} {row['last_name']}".strip()
            keys.names[row["id"]] = name
            same = keys.by_name.setdefault(person_key(name), [])
            if len(same) < SAME_NAME_LIMIT:
                same.append(row["id"])
        for row in tx.iter(
            "SELECT m.kind, m.value, m.contact_id FROM contact_method m "
            "JOIN contact c ON c.id = m.contact_id WHERE c.deleted_at IS NULL "
            "ORDER BY m.contact_id",
            size=5000,
        ):
            target = keys.by_email if row["kind"] == "email" else keys.by_phone
            ids = target.setdefault(row["value"], [])
            if row["contact_id"] not in ids:
                ids.append(row["contact_id"])
        for row in tx.iter(
            "SELECT id, external_id FROM contact WHERE deleted_at IS NULL "
            "AND external_id IS NOT NULL ORDER BY id DESC",
            size=5000,
        ):
            keys.by_external[row["external_id"]] = row["id"]
        return keys

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

    def add(self, contact_id: int, cleaned: Mapping[str, Any]) -> None:
        """Know a new (or newly updated) contact by its keys."""
        if cleaned.get("external_id"):
            self.put(self.by_external, cleaned["external_id"], contact_id)
        for method in cleaned.get("methods", ()):
            table = self.by_email if method.kind == "email" else self.by_phone
            self.put_many(table, method.value, contact_id)
        if contact_id not in self.names:  # a new contact; an import never renames one
            name = full_name(cleaned)
            self.names[contact_id] = name
            self.put_many(self.by_name, person_key(name), contact_id, SAME_NAME_LIMIT)


@dataclass
class AccountKeys(_Keys):
    """Live accounts by external id and by name (case and spacing aside); by website and
    phone for the possible duplicates of a new one."""

    by_external: dict[str, int] = field(default_factory=dict)
    by_name: dict[str, int] = field(default_factory=dict)
    by_website: dict[str, list[int]] = field(default_factory=dict)
    by_phone: dict[str, list[int]] = field(default_factory=dict)

    @classmethod
    def load(cls, tx: Tx) -> AccountKeys:
        """The tables for the live accounts."""
        keys = cls()
        for row in tx.iter(
            "SELECT id, name, external_id, website, phone FROM account WHERE deleted_at IS NULL "
            "ORDER BY id DESC",
            size=5000,
        ):
            keys.by_name[name_key(row["name"])] = row["id"]
            if row["external_id"]:
                keys.by_external[row["external_id"]] = row["id"]
            if site := website_key(row["website"]):
                keys.by_website.setdefault(site, []).insert(0, row["id"])
            if row["phone"]:
                keys.by_phone.setdefault(row["phone"], []).insert(0, row["id"])
        return keys

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
        """Know a new account by its name, external id, website and phone."""
        self.put(self.by_name, name_key(cleaned.get("name") or ""), account_id)
        if cleaned.get("external_id"):
            self.put(self.by_external, cleaned["external_id"], account_id)
        if site := website_key(cleaned.get("website")):
            self.put_many(self.by_website, site, account_id)
        if cleaned.get("phone"):
            self.put_many(self.by_phone, cleaned["phone"], account_id)


Query = tuple[str, dict[str, Any]]


def _match_opportunity(cleaned: dict[str, Any], values: dict[str, Any]) -> list[Query]:
    return [
        (
            "SELECT id FROM opportunity WHERE lower(name) = lower(:name) "
            "AND coalesce(account_id, 0) = :account",
            {"name": cleaned["name"], "account": values.get("account_id") or 0},
        )
    ]


def _match_interaction(cleaned: dict[str, Any], values: dict[str, Any]) -> list[Query]:
    return [
        (
            "SELECT id FROM interaction WHERE happened_at = :at AND kind = :kind "
            "AND lower(subject) = lower(:subject) AND coalesce(contact_id, 0) = :contact",
            {
                "at": cleaned["happened_at"],
                "kind": cleaned["kind"],
                "subject": cleaned.get("subject") or "",
                "contact": values.get("contact_id") or 0,
            },
        )
    ]


def _match_appointment(cleaned: dict[str, Any], values: dict[str, Any]) -> list[Query]:
    """By UID (also the one our export made up for an appointment without), else by start
    and title."""
    uid = cleaned.get("uid")
    if not uid:
        return [
            (
                "SELECT id FROM appointment WHERE starts_at = :at AND lower(title) = lower(:title)",
                {"at": cleaned["starts_at"], "title": cleaned["title"]},
            )
        ]
    queries = [("SELECT id FROM appointment WHERE uid = :uid", {"uid": uid})]
    if own := _OWN_UID.fullmatch(uid):
        queries.append(
            ("SELECT id FROM appointment WHERE id = :id AND uid IS NULL", {"id": int(own[1])})
        )
    return queries


_OWN_UID = re.compile(r"appointment-(\d{1,18})-\d{8}T\d{6}Z@smallcrm")


MATCH: dict[str, Callable[[dict[str, Any], dict[str, Any]], list[Query]]] = {
    "opportunity": _match_opportunity,
    "interaction": _match_interaction,
    "appointment": _match_appointment,
}
# --- comparing a record with the file ----------------------------------------------------------


def differences(
    row: Any, cleaned: Mapping[str, Any], *, tags_merge: bool
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(changes, old values) for the file's non-empty values that differ from the row's."""
    changes: dict[str, Any] = {}
    before: dict[str, Any] = {}
    columns = set(row.keys())
    for key, value in cleaned.items():
        if key in COMPARE_SKIP or key not in columns or key.endswith("_opt_in"):
            continue
        if key == "tags":
            merged = _merged_tags(row["tags"], value) if tags_merge else value
            if merged != (row["tags"] or ""):
                changes[key], before[key] = merged, row["tags"]
            continue
        if key == "notes" and value and row["notes"]:
            if value not in row["notes"]:  # keep what was written here; add what the file says
                changes[key], before[key] = f"{row['notes']}\n\n{value}", row["notes"]
            continue
        if value in (None, "") or _same(row[key], value):
            continue
        changes[key], before[key] = value, row[key]
    return changes, before


def _merged_tags(old: str | None, new: str) -> str:
    words = (old or "").split()
    words += [tag for tag in new.split() if tag not in words]
    return " ".join(words)


def _same(stored: Any, value: Any) -> bool:
    if isinstance(stored, bool) or isinstance(value, bool):
        return bool(stored) == bool(value) and stored is not None
    return stored == value


def consent_changes(
    row: Any, cleaned: Mapping[str, Any], changes: dict[str, Any], before: dict[str, Any]
) -> None:
    """A consent the file states differently from the record is taken, with its date and source."""
    for channel in ("email", "phone"):
        key = f"{channel}_opt_in"
        if key not in cleaned or cleaned[key] is None:
            continue
        stored = row[key]
        if stored is not None and bool(stored) == cleaned[key]:
            continue
        for part in (key, f"{channel}_consent_at", f"{channel}_consent_source"):
            before[part] = row[part]
            if cleaned.get(part) is not None:
                changes[part] = cleaned[part]
