"""A person's data: everything held about them (``export_person``), and its erasure.

Consent per channel (opt-in, when, and how it was given) lives on the contact itself
(``email_opt_in``/``phone_opt_in`` and their ``_consent_at``/``_consent_source``); the lists
filter on it (``ListQuery(extra={"email_opt_in": True})``).

``erase_person`` removes a person's personal data everywhere, in one write transaction:

* the contact row and its emails and phones (and those of any duplicate merged into it);
* their interactions and appointments are kept for the business's figures but anonymised:
  subject or title replaced, body, notes and location removed, the link to the person cut;
* their opportunities are kept, unlinked, with the person's names taken out of their texts;
* the history of all those records keeps who did what and when, but not the old values;
* in every other text of the database (notes of other contacts, audit entries, import file
  names, ...) the person's full name, email addresses, phone numbers and the words of their
  name that no other contact's name uses are replaced by ``[erased]``;
* the search index forgets them (its documents are rebuilt, its segments merged), and with
  SQLite's ``secure_delete`` the freed pages are overwritten rather than left on disk.

An audit entry with action ``erase`` records that an erasure happened, by whom and when, and
how many records it touched, without any of the erased data.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from smallcrm.store import crud
from smallcrm.store.db import Database, Tx, to_datetime
from smallcrm.store.errors import NotFoundError
from smallcrm.store.listing import ESCAPE, literal
from smallcrm.store.scrub import ERASED, scrub_everywhere, text_columns
from smallcrm.store.vdir.state import forget_record_tx

__all__ = ["ERASED", "ErasureReport", "erase_person", "export_person", "text_columns"]

ANONYMOUS_INTERACTION = "Interaction with an erased contact"
ANONYMOUS_APPOINTMENT = "Appointment with an erased contact"
LINKED = ("interaction", "appointment", "opportunity", "service_case")
MIN_WORD = 3  # shorter name words ("Li", "Bo") are too common to scrub everywhere


@dataclass(frozen=True)
class ErasureReport:
    """What ``erase_person`` did, in counts (it keeps none of the erased data)."""

    contact_id: int
    contacts: int
    interactions: int
    appointments: int
    opportunities: int
    history_entries: int
    texts: int

    def summary(self) -> str:
        """One line for the shell and the TUI."""
        return (
            f"contact {self.contact_id} erased: {self.contacts} contact record(s) removed, "
            f"{self.interactions} interactions and {self.appointments} appointments anonymised, "
            f"{self.opportunities} opportunities unlinked, {self.history_entries} history "
            f"entries cleared, {self.texts} other texts cleaned"
        )


# --- export ------------------------------------------------------------------------------------


def export_person(db: Database, contact_id: int) -> dict[str, Any]:
    """Everything held about a person, as JSON-ready data (dates in ISO 8601).

    The contact (also if it is in the trash) with its emails, phones and consent; contacts
    merged into it; its account's name; every interaction, opportunity and appointment linked
    to it (trashed ones too); the history of all these records; and the imports that brought
    or changed it.
    """
    with db.read() as tx:
        people = _people(tx, contact_id)
        contacts = [_contact(tx, pid) for pid in people]
        linked = {
            table: _rows(
                tx, f"SELECT * FROM {table} WHERE contact_id IN ({_marks(people)})", people
            )
            for table in LINKED
        }
        history = _history(tx, people, linked)
        imports = _rows(
            tx,
            "SELECT b.id AS batch_id, b.source, b.started_at, b.actor, i.action "
            "FROM import_batch_item i JOIN import_batch b ON b.id = i.batch_id "
            f"WHERE i.kind = 'contact' AND i.record_id IN ({_marks(people)}) ORDER BY b.id",
            people,
        )
        audiences = _rows(
            tx,
            "SELECT k.code AS campaign, k.name, m.status, m.added_at, m.changed_at "
            "FROM campaign_member m JOIN campaign k ON k.id = m.campaign_id "
            f"WHERE m.contact_id IN ({_marks(people)}) ORDER BY m.id",
            people,
        )
    return _plain(
        {
            "format": "smallcrm-person",
            "version": 1,
            "exported_at": crud.now_utc(),
            "contact": contacts[0],
            "merged_contacts": contacts[1:],
            "interactions": linked["interaction"],
            "opportunities": linked["opportunity"],
            "appointments": linked["appointment"],
            "cases": linked["service_case"],
            "campaigns": audiences,
            "history": history,
            "imports": imports,
        }
    )


def _people(tx: Tx, contact_id: int) -> list[int]:
    """The contact and every contact merged into it (and into those), first the contact."""
    if tx.one("SELECT id FROM contact WHERE id = :id", id=contact_id) is None:
        raise NotFoundError("contact", contact_id)
    found = [contact_id]
    for person in found:
        for row in tx.all(
            "SELECT changes FROM audit_entry WHERE kind = 'contact' AND record_id = :id "
            "AND action = 'merge'",
            id=person,
        ):
            merged = json.loads(row["changes"]).get("merged_from", [None, None])[1]
            exists = merged and tx.one("SELECT 1 FROM contact WHERE id = :id", id=merged)
            if exists and merged not in found:
                found.append(merged)
    return found


def _marks(ids: list[int]) -> str:
    return ", ".join(f":p{n}" for n in range(len(ids)))


def _rows(tx: Tx, sql: str, ids: list[int]) -> list[dict[str, Any]]:
    return [dict(row) for row in tx.all(sql, **{f"p{n}": i for n, i in enumerate(ids)})]


def _contact(tx: Tx, contact_id: int) -> dict[str, Any]:
    row = dict(tx.row("SELECT * FROM contact WHERE id = :id", id=contact_id))
    methods = tx.all(
        "SELECT kind, label, value FROM contact_method WHERE contact_id = :id "
        "ORDER BY kind, position",
        id=contact_id,
    )
    row["emails"] = [
        {"label": m["label"], "value": m["value"]} for m in methods if m["kind"] == "email"
    ]
    row["phones"] = [
        {"label": m["label"], "value": m["value"]} for m in methods if m["kind"] == "phone"
    ]
    if row.get("account_id"):
        row["account"] = tx.scalar("SELECT name FROM account WHERE id = :id", id=row["account_id"])
    return row


def _history(
    tx: Tx, people: list[int], linked: dict[str, list[dict[str, Any]]]
) -> list[dict[str, Any]]:
    wanted = [("contact", pid) for pid in people]
    wanted += [(table, row["id"]) for table, rows in linked.items() for row in rows]
    entries: list[dict[str, Any]] = []
    for kind, record_id in wanted:
        for row in tx.all(
            "SELECT * FROM audit_entry WHERE kind = :k AND record_id = :r ORDER BY id",
            k=kind,
            r=record_id,
        ):
            entry = dict(row)
            entry["changes"] = json.loads(entry["changes"] or "{}")
            entries.append(entry)
    return sorted(entries, key=lambda e: e["id"])


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


# --- erasure -----------------------------------------------------------------------------------


def erase_person(db: Database, contact_id: int, *, actor: str | None = None) -> ErasureReport:
    """Remove a person's personal data everywhere (see the module doc); one transaction.

    The caller asks for confirmation first: this cannot be undone. Backups made before still
    hold the person: ``privacy_backups.erase_everywhere`` erases them there too.
    """
    actor = actor or crud.current_user()
    with db.write() as tx, secure_delete(tx):
        return _erase(tx, contact_id, actor)


@contextmanager
def secure_delete(tx: Tx) -> Iterator[None]:
    """SQLite overwrites the pages it frees while the body runs, rather than leaving the
    deleted data on disk (nothing to do on PostgreSQL)."""
    secure = tx.scalar("PRAGMA secure_delete") if tx.dialect == "sqlite" else None
    if secure is not None:
        tx.execute("PRAGMA secure_delete = ON")
    try:
        yield
    finally:
        if secure is not None:
            tx.execute(f"PRAGMA secure_delete = {int(secure)}")


@dataclass(frozen=True)
class Traces:
    """What identifies a person in a copy of the database (a backup): their contact ids with
    when each was created (an id alone may have been reused), names, emails and phones, and
    the terms the erasure scrubs. Held in memory only, while their backups are dealt with."""

    created: dict[int, datetime]
    names: tuple[tuple[str, str], ...]
    methods: tuple[str, ...]
    words: frozenset[str]
    phrases: frozenset[str]


def traces(db: Database, contact_id: int) -> Traces:
    """The person's ``Traces``, read from the database before they are erased from it."""
    with db.read() as tx:
        people = _people(tx, contact_id)
        words, phrases = _identifiers(tx, people)
        rows = [tx.row("SELECT * FROM contact WHERE id = :id", id=pid) for pid in people]
        methods = tx.all(
            f"SELECT value FROM contact_method WHERE contact_id IN ({_marks(people)})",
            **{f"p{n}": i for n, i in enumerate(people)},
        )
    return Traces(
        created={row["id"]: to_datetime(row["created_at"]) for row in rows},
        names=tuple((row["first_name"], row["last_name"]) for row in rows),
        methods=tuple(sorted({m["value"] for m in methods})),
        words=frozenset(words),
        phrases=frozenset(phrases),
    )


def erase_traces(tx: Tx, found: Traces, actor: str) -> int:
    """Apply the erasure to a copy of the database (a backup) in its write transaction: each
    of the person's contacts it holds (same id, same creation time) is erased as
    ``erase_person`` does, then their identifiers are scrubbed from every text, as the
    database knew them (a backup may predate a change of email). Returns the contacts erased.
    """
    erased: list[int] = []
    for pid, created in found.created.items():
        row = tx.one("SELECT created_at FROM contact WHERE id = :id", id=pid)
        if row is not None and pid not in erased and to_datetime(row[0]) == created:
            erased += _people(tx, pid)
            _erase(tx, pid, actor)
    words = set(found.words) - _names_of_others(tx, list(found.created), set(found.words))
    scrub_everywhere(tx, words, set(found.phrases))
    _forget_in_search_index(tx)
    return len(erased)


def _erase(tx: Tx, contact_id: int, actor: str) -> ErasureReport:
    people = _people(tx, contact_id)
    words, phrases = _identifiers(tx, people)
    linked = _linked(tx, people)
    _anonymise_linked(tx, linked, actor)
    history = _clear_history(tx, people, linked)
    tx.execute(
        f"DELETE FROM import_batch_item WHERE kind = 'contact' AND record_id IN ({_marks(people)})",
        **{f"p{n}": i for n, i in enumerate(people)},
    )
    for pid in people:
        tx.execute("DELETE FROM contact_method WHERE contact_id = :id", id=pid)
        tx.execute("DELETE FROM campaign_member WHERE contact_id = :id", id=pid)
        tx.execute("DELETE FROM contact WHERE id = :id", id=pid)
        forget_record_tx(tx, "contact", pid)  # what files synced to phones said of them
    texts = scrub_everywhere(tx, words, phrases)
    crud.audit(
        tx,
        "erase",
        "contact",
        contact_id,
        {
            "erased": [
                None,
                {
                    "contacts": len(people),
                    "interactions": len(linked["interaction"]),
                    "appointments": len(linked["appointment"]),
                    "opportunities": len(linked["opportunity"]),
                },
            ]
        },
        actor,
    )
    _forget_in_search_index(tx)
    return ErasureReport(
        contact_id,
        len(people),
        len(linked["interaction"]),
        len(linked["appointment"]),
        len(linked["opportunity"]),
        history,
        texts,
    )


def _linked(tx: Tx, people: list[int]) -> dict[str, list[int]]:
    """The ids of the interactions, appointments and deals linked to these people."""
    return {
        table: [
            row["id"]
            for row in tx.all(
                f"SELECT id FROM {table} WHERE contact_id IN ({_marks(people)})",
                **{f"p{n}": i for n, i in enumerate(people)},
            )
        ]
        for table in LINKED
    }


def _anonymise_linked(tx: Tx, linked: dict[str, list[int]], actor: str) -> None:
    """Keep the linked records for the business's figures, without the person in them."""
    now = crud.now_utc()
    _anonymise(
        tx, "interaction", linked["interaction"], now, actor,
        subject=ANONYMOUS_INTERACTION, body=None,
    )  # fmt: skip
    _anonymise(
        tx, "appointment", linked["appointment"], now, actor,
        title=ANONYMOUS_APPOINTMENT, notes=None, location=None, uid=None,
    )  # fmt: skip
    _anonymise(tx, "opportunity", linked["opportunity"], now, actor)
    # A case stays for the response-time figures; what the customer said goes.
    _anonymise(tx, "service_case", linked["service_case"], now, actor, description=None)


def _identifiers(tx: Tx, people: list[int]) -> tuple[set[str], set[str]]:
    """(name words to scrub as whole words, phrases to scrub anywhere) for these people."""
    from smallcrm.store.validate import format_phone

    words: set[str] = set()
    phrases: set[str] = set()
    for pid in people:
        row = tx.row("SELECT * FROM contact WHERE id = :id", id=pid)
        first, last = (row["first_name"] or "").strip(), (row["last_name"] or "").strip()
        for phrase in (f"{first} {last}", f"{last}, {first}", f"{last} {first}"):
            if first and last:
                phrases.add(phrase)
        words.update(w for w in re.findall(r"\w+", f"{first} {last}") if len(w) >= MIN_WORD)
        if row["external_id"] and len(row["external_id"]) >= 6:
            phrases.add(row["external_id"])
        for method in tx.all(
            "SELECT kind, value FROM contact_method WHERE contact_id = :id", id=pid
        ):
            phrases.add(method["value"])
            if method["kind"] == "phone":
                phrases.add(format_phone(method["value"]))
                phrases.add(method["value"].lstrip("+"))
    return words - _names_of_others(tx, people, words), phrases


def _names_of_others(tx: Tx, people: list[int], words: set[str]) -> set[str]:
    """Name words other contacts also bear: scrubbing them would damage those contacts."""
    shared = set()
    for word in words:
        hit = tx.scalar(
            f"SELECT 1 FROM contact WHERE id NOT IN ({_marks(people)}) AND ("
            f"(' ' || lower(first_name) || ' ' || lower(last_name) || ' ') LIKE :w {ESCAPE}) "
            "LIMIT 1",
            w=f"% {literal(word.lower())} %",
            **{f"p{n}": i for n, i in enumerate(people)},
        )
        if hit:
            shared.add(word)
    return shared


def _anonymise(tx: Tx, table: str, ids: list[int], now: Any, actor: str, **values: Any) -> None:
    """Cut the link to the person, overwrite the given texts; record that it happened."""
    sets = ", ".join(f"{key} = :{key}" for key in values)
    for record_id in ids:
        tx.execute(
            f"UPDATE {table} SET contact_id = NULL{', ' + sets if sets else ''}, "
            "version = version + 1, updated_at = :now, updated_by = :actor WHERE id = :id",
            now=now,
            actor=actor,
            id=record_id,
            **values,
        )
        crud.audit(tx, "erase", table, record_id, {}, actor)
    if ids:
        tx.execute(
            f"UPDATE import_batch_item SET before = NULL WHERE kind = '{table}' "
            f"AND record_id IN ({_marks(ids)})",
            **{f"p{n}": i for n, i in enumerate(ids)},
        )


def _clear_history(tx: Tx, people: list[int], linked: dict[str, list[int]]) -> int:
    """Keep who changed the person's records and when, drop the values they changed."""
    count = 0
    targets = [("contact", people)] + [
        (table, ids) for table, ids in linked.items() if table != "opportunity"
    ]
    for kind, ids in targets:
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            count += tx.execute(
                f"UPDATE audit_entry SET changes = '{{}}' WHERE kind = :k "
                f"AND record_id IN ({_marks(chunk)}) AND changes != '{{}}'",
                k=kind,
                **{f"p{n}": i for n, i in enumerate(chunk)},
            )
    return count


def _forget_in_search_index(tx: Tx) -> None:
    """Merge the FTS segments so deleted entries are gone from the index, not just marked."""
    if tx.dialect != "sqlite":
        return
    if tx.scalar("SELECT 1 FROM sqlite_master WHERE name = 'search_fts'"):
        tx.execute("INSERT INTO search_fts(search_fts) VALUES ('optimize')")
