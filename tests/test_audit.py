"""The audit trail read service: one record's history and one entry by id."""

from __future__ import annotations

from datetime import timedelta

import pytest

from smallcrm.store import audit
from smallcrm.store.accounts import create_account
from smallcrm.store.contacts import (
    create_contact,
    delete_contact,
    get_contact,
    restore_contact,
    update_contact,
)
from smallcrm.store.db import Database
from smallcrm.store.errors import NotFoundError
from smallcrm.store.records import AuditEntry


def test_history_lists_a_records_changes_oldest_first(db: Database) -> None:
    jana = create_contact(db, allow_duplicate=True, name="Jana Novak", title="Buyer")
    create_account(
        db, allow_duplicate=True, name="Acme GmbH"
    )  # another record's entries are not included
    update_contact(db, jana.id, jana.tracking.version, title="Head of purchasing")
    delete_contact(db, jana.id)
    restore_contact(db, jana.id)
    entries = audit.history(db, "contact", jana.id)
    assert [e.action for e in entries] == ["create", "update", "delete", "restore"]
    assert all(isinstance(e, AuditEntry) for e in entries)
    assert entries[0].at.utcoffset() == timedelta(0)
    assert entries[0].actor == "tester"
    assert entries[0].changes["first_name"] == [None, "Jana"]
    assert entries[1].changes["title"] == ["Buyer", "Head of purchasing"]
    assert entries[0].id < entries[1].id < entries[2].id < entries[3].id


def test_history_limit_keeps_the_latest_in_order(db: Database) -> None:
    jana = create_contact(db, allow_duplicate=True, name="Jana Novak")
    for title in ("A", "B", "C"):
        version = get_contact(db, jana.id).tracking.version
        update_contact(db, jana.id, version, title=title)
    latest = audit.history(db, "contact", jana.id, limit=2)
    assert [e.changes["title"][1] for e in latest] == ["B", "C"]


def test_history_of_unknown_or_erased_records(db: Database) -> None:
    from smallcrm.store.privacy import erase_person

    assert audit.history(db, "contact", 42) == []
    assert audit.history(db, "no_such_kind", 1) == []
    jana = create_contact(db, allow_duplicate=True, name="Jana Novak", emails=["jana@acme.example"])
    erase_person(db, jana.id)
    entries = audit.history(db, "contact", jana.id)
    assert [e.action for e in entries] == ["create", "erase"]
    assert entries[0].changes == {}
    assert "Jana" not in repr(entries)


def test_get_entry(db: Database) -> None:
    jana = create_contact(db, allow_duplicate=True, name="Jana Novak")
    first = audit.history(db, "contact", jana.id)[0]
    assert audit.get_entry(db, first.id) == first
    with pytest.raises(NotFoundError):
        audit.get_entry(db, first.id + 100)


def test_changes_that_are_not_field_pairs_are_read_safely(db: Database) -> None:
    from smallcrm.store import crud

    with db.write() as tx:
        crud.audit(tx, "note", "contact", 7, {"merged_from": [None, 3]}, "tester")
        tx.execute("UPDATE audit_entry SET changes = 'not json' WHERE record_id = 7")
    assert audit.history(db, "contact", 7)[0].changes == {}


def test_a_history_reads_instants_on_the_business_clock_and_lengths_as_hours() -> None:
    changes = {
        "due_at": ["2026-12-03T13:00:00+00:00", "2026-12-04T17:00:00+00:00"],
        "response_used": [0, 5400],
        "resolve_target": [None, 57600],
        "subject": ["2026-12-03T13:00 is not a moment here", "Printer"],
    }
    shown = {c.field: (c.old, c.new) for c in audit.readable_changes("service_case", changes)}
    assert shown["due"] == ("Thu 2026-12-03 13:00", "Fri 2026-12-04 17:00")
    assert shown["time to respond"] == ("0m", "1h30")
    assert shown["resolution target"] == (None, "16h")
    assert shown["subject"][0] == "2026-12-03T13:00 is not a moment here"
