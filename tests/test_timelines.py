"""A contact's and an account's timeline: interactions and the cases they opened, newest
first, cut to the limit; a deal's timeline stays interactions only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from smallcrm.store import accounts, cases, clock, contacts, interactions, timelines
from smallcrm.store.db import Database

NOW = datetime(2026, 11, 25, 10, 30, tzinfo=UTC)


def test_cases_are_in_the_timeline_where_they_were_opened(db: Database) -> None:
    acme = accounts.create_account(db, name="Acme GmbH")
    jana = contacts.create_contact(db, name="Jana Novak", account_id=acme.id)
    old = interactions.log_interaction(
        db, kind="call", subject="Intro", contact_id=jana.id, happened_at=NOW - timedelta(days=3)
    )
    clock.pin(NOW - timedelta(days=1))
    case = cases.create_case(db, subject="Sensor offline", contact_id=jana.id)
    clock.pin(NOW)
    reply = interactions.log_interaction(
        db, kind="email", subject="Fixed", contact_id=jana.id, case_id=case.id, happened_at=NOW
    )
    shown = [(e.kind, e.record_id) for e in timelines.timeline(db, contact_id=jana.id)]
    assert shown == [("interaction", reply.id), ("service_case", case.id), ("interaction", old.id)]
    by_account = [(e.kind, e.record_id) for e in timelines.timeline(db, account_id=acme.id)]
    assert ("service_case", case.id) in by_account
    assert len(timelines.timeline(db, contact_id=jana.id, limit=2)) == 2
