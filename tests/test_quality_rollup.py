"""The data-quality roll-up (``contact_quality``) kept by triggers through every way a contact,
its addresses or its interactions change, on both databases, checked and rebuilt by doctor;
the quality figure read from it equal to the contact lists behind it; and the month-end
pipeline equal to a count straight from the stage history."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from smallcrm.store import (
    clock,
    contacts,
    db_values,
    figures,
    interactions,
    opportunities,
    rollups,
    rollups_quality,
)
from smallcrm.store.db import Database
from smallcrm.store.figures import history
from smallcrm.store.figures.model import Filters


def right(db: Database) -> None:
    with db.read() as tx:
        assert rollups_quality.differences(tx) == 0


def row(db: Database, contact: int) -> dict[str, object] | None:
    with db.read() as tx:
        found = tx.one(
            "SELECT emails, phones, shared, owner FROM contact_quality WHERE contact_id = :c",
            c=contact,
        )
    keys = ("emails", "phones", "shared", "owner")
    return None if found is None else {key: found[key] for key in keys}


def test_roll_up_follows_contacts_methods_and_interactions(db: Database) -> None:
    one = contacts.create_contact(db, first_name="A", last_name="One", emails=["x@example.com"])
    two = contacts.create_contact(db, first_name="B", last_name="Two", phones=["+4930123456"])
    a, b = one.id or 0, two.id or 0
    assert row(db, a) == {"emails": 1, "phones": 0, "shared": 0, "owner": None}
    right(db)
    # b takes a's address: both now share one; then b lets it go again
    contacts.update_contact(db, b, None, emails=["x@example.com"])
    assert row(db, a)["shared"] == 1 and row(db, b)["shared"] == 1  # type: ignore[index]
    right(db)
    contacts.update_contact(db, b, None, emails=[], owner="ana")
    assert row(db, a)["shared"] == 0  # type: ignore[index]
    assert row(db, b) == {"emails": 0, "phones": 1, "shared": 0, "owner": "ana"}
    right(db)
    logged = interactions.log_interaction(
        db,
        kind="call",
        subject="hello",
        contact_id=a,
        happened_at=datetime(2026, 11, 20, 9, tzinfo=UTC),
    )
    right(db)
    interactions.delete_interaction(db, logged.id or 0)
    right(db)
    contacts.delete_contact(db, a)
    assert row(db, a) is None
    right(db)
    contacts.restore_contact(db, a)
    right(db)
    with db.write() as tx:  # raw SQL too: an import, a merge or a purge writes this way
        tx.execute(
            "INSERT INTO contact_method (contact_id, kind, label, value, position) "
            "VALUES (:c, 'email', 'work', 'x@example.com', 1)",
            c=b,
        )
        tx.execute("UPDATE contact_method SET kind = 'phone' WHERE contact_id = :c", c=a)
        tx.execute("DELETE FROM interaction WHERE contact_id = :c", c=a)
        tx.execute("DELETE FROM contact WHERE id = :c", c=a)
    assert row(db, a) is None and row(db, b)["emails"] == 1  # type: ignore[index]
    right(db)
    # purging a contact removes its addresses: whoever shared one no longer does
    third = contacts.create_contact(
        db, first_name="C", last_name="Three", emails=["x@example.com"], allow_duplicate=True
    ).id
    assert row(db, b)["shared"] == 1  # type: ignore[index]
    with db.write() as tx:
        tx.execute("DELETE FROM contact WHERE id = :c", c=third)
    assert row(db, b)["shared"] == 0  # type: ignore[index]
    right(db)


def test_doctor_finds_and_repairs_the_roll_up(db: Database) -> None:
    contacts.create_contact(db, first_name="A", last_name="One", emails=["x@example.com"])
    assert rollups.finding(db).ok
    with db.write() as tx:
        tx.execute("UPDATE contact_quality SET emails = 0")
    found = rollups.finding(db)
    assert not found.ok and "contact_quality 2 rows" in found.detail
    rollups.rebuild_all(db)
    assert rollups.finding(db).ok
    right(db)


def test_quality_by_owner_equals_the_lists(db: Database) -> None:
    contacts.create_contact(db, first_name="A", last_name="One", owner="ana", emails=["s@x.org"])
    contacts.create_contact(
        db, first_name="B", last_name="Two", owner="ben", emails=["s@x.org"], allow_duplicate=True
    )
    contacts.create_contact(
        db, first_name="C", last_name="Three", owner="ana", phones=["+4930123456"]
    )
    for owner in ("ana", "ben", None):
        found = figures.compute(db, ("quality",), Filters(owner=owner), date(2026, 11, 25))[0]
        for line in found.lines:
            assert line.drill is not None
            total = contacts.list_contacts(db, line.drill.query).total
            assert total == line.values[0], (owner, line.label)


def test_month_end_pipeline_equals_the_stage_history(db: Database) -> None:
    """Each month's end counted straight from the stage rows: deals in two currencies that
    entered and left open stages at different times, one between two month ends only."""
    moves = [
        ("A", "EUR", "2026-05-20", [("proposal", "2026-07-15"), ("won", "2026-09-03")]),
        ("B", "USD", "2026-06-10", [("lost", "2026-06-20")]),
        ("C", "USD", "2026-07-02", [("negotiation", "2026-10-31")]),
        ("D", "EUR", "2026-08-10", [("won", "2026-08-20")]),  # open only between month ends
        ("E", "EUR", "2026-11-01", []),
    ]
    for name, currency, born, steps in moves:
        clock.pin(datetime.fromisoformat(born + "T09:00:00+00:00"))
        made = opportunities.create_opportunity(db, name=name, amount="100", currency=currency)
        for stage, day in steps:
            clock.pin(datetime.fromisoformat(day + "T09:00:00+00:00"))
            why = {"reason": "x"} if stage in ("won", "lost") else {}
            opportunities.update_opportunity(db, made.id or 0, None, stage=stage, **why)
    clock.pin(None)
    today = date(2026, 11, 25)
    found = figures.compute(db, ("history",), None, today)[0]
    with db.read() as tx:
        rows = tx.all(
            "SELECT o.currency, h.changed_at, h.left_at FROM stage_change h "
            "JOIN opportunity o ON o.id = h.opportunity_id "
            "JOIN stage s ON s.name = h.stage AND s.is_closed = FALSE"
        )
    expected: dict[str, tuple[int, int]] = {}
    for day in history.month_ends(today):
        moment = clock.at(day + timedelta(days=1))
        for currency in ("EUR", "USD"):
            n = sum(
                1
                for r in rows
                if r["currency"] == currency
                and db_values.to_datetime(r["changed_at"]) < moment
                and (r["left_at"] is None or db_values.to_datetime(r["left_at"]) >= moment)
            )
            expected[f"{day.isoformat()[:7]} {currency}"] = (n, n * 10000)
    assert {line.label: line.values for line in found.lines} == expected
    assert expected["2026-08 EUR"] == (1, 10000) and expected["2026-06 USD"] == (0, 0)
