"""The dashboard's figures in the store: each number against records made for it, the stage
history and roll-ups kept by triggers through every kind of change, and the quality counts
equal to the contact lists behind them.

The clock stands at Wednesday 2026-11-25 10:30 UTC (conftest).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from smallcrm.store import clock, contacts, figures, interactions, opportunities, rollups
from smallcrm.store.db import Database
from smallcrm.store.figures.model import Figure, Filters

TODAY = date(2026, 11, 25)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def one(db: Database, key: str, filters: Filters | None = None) -> Figure:
    return figures.compute(db, (key,), filters, TODAY)[0]


def by_label(figure: Figure) -> dict[str, tuple[object, ...]]:
    return {line.label: line.values for line in figure.lines}


def deal(db: Database, name: str, **values: object) -> int:
    return opportunities.create_opportunity(db, name=name, **values).id or 0


def test_pipeline_totals_and_weighted_by_stage(db: Database) -> None:
    deal(db, "A", stage="lead", amount="1000")
    deal(db, "B", stage="proposal", amount="2000", probability=40)
    deal(db, "C", stage="won", amount="9000")
    found = one(db, "pipeline")
    assert by_label(found)["lead"] == (1, 100000, 10000)  # 10% of 1,000.00
    assert by_label(found)["proposal"] == (1, 200000, 80000)
    assert "won" not in by_label(found)
    heads = {(h.label, h.currency): h.value for h in found.headlines}
    assert heads == {("Open", "EUR"): 300000, ("Weighted", "EUR"): 90000}


def test_pipeline_keeps_currencies_apart(db: Database) -> None:
    deal(db, "A", stage="lead", amount="1000", currency="EUR")
    deal(db, "B", stage="lead", amount="500", currency="USD")
    found = one(db, "pipeline")
    assert by_label(found)["lead EUR"][:2] == (1, 100000)
    assert by_label(found)["lead USD"][:2] == (1, 50000)
    assert {h.currency for h in found.headlines} == {"EUR", "USD"}


def test_pipeline_filters_by_owner_and_stages(db: Database) -> None:
    deal(db, "A", stage="lead", amount="1000", owner="ana")
    deal(db, "B", stage="proposal", amount="2000", owner="ben")
    mine = one(db, "pipeline", Filters(owner="ana"))
    assert by_label(mine)["lead"][0] == 1 and by_label(mine)["proposal"][0] == 0
    some = one(db, "pipeline", Filters(stages=("proposal",)))
    assert list(by_label(some)) == ["proposal"]
    line = some.lines[0]
    assert line.drill is not None and line.drill.query.stage == "proposal"


def test_forecast_by_close_month_with_overdue(db: Database) -> None:
    deal(db, "late", amount="100", expected_close=date.fromisoformat("2026-10-01"))
    deal(
        db,
        "now",
        amount="200",
        expected_close=date.fromisoformat("2026-11-30"),
        stage="negotiation",
    )
    deal(db, "next", amount="300", expected_close=date.fromisoformat("2027-01-15"))
    deal(db, "far", amount="400", expected_close=date.fromisoformat("2028-01-01"))
    lines = by_label(one(db, "forecast"))
    assert lines["overdue"] == (1, 10000, 1000)
    assert lines["2026-11"] == (1, 20000, 15000)
    assert lines["2027-01"][0] == 1 and lines["2026-12"][0] == 0
    assert list(lines)[-1] == "2027-04" and "2028-01" not in lines


def test_win_rate_and_median_cycle(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    clock.pin(at("2026-09-01T10:00:00"))
    try:
        won = deal(db, "won", amount="100")
        lost = deal(db, "lost", amount="100")
    finally:
        clock.pin(None)
    opportunities.update_opportunity(db, won, None, stage="won")
    opportunities.update_opportunity(db, lost, None, stage="lost", reason="price")
    found = one(db, "winrate")
    assert by_label(found)["2026-11"] == (1, 1, 50.0)
    heads = {h.label: h.value for h in found.headlines}
    assert heads["Win rate"] == 50.0 and heads["Median cycle"] == 85  # 1 Sep to 25 Nov


def test_stage_moves_are_recorded_and_feed_funnel_and_history(db: Database) -> None:
    clock.pin(at("2026-08-10T09:00:00"))
    try:
        lost = deal(db, "lost one")
        opportunities.move_stage(db, lost, 1)
        opportunities.move_stage(db, lost, 1)  # proposal
    finally:
        clock.pin(None)
    opportunities.update_opportunity(db, lost, None, stage="lost", reason="price")
    deal(db, "fresh")
    with db.read() as tx:
        steps = tx.all(
            "SELECT stage, left_at FROM stage_change WHERE opportunity_id = :d ORDER BY id", d=lost
        )
    assert [s["stage"] for s in steps] == ["lead", "qualified", "proposal", "lost"]
    assert [s["left_at"] is None for s in steps] == [False, False, False, True]
    funnel = by_label(one(db, "funnel"))
    assert funnel["lead"] == (2, None)
    assert funnel["proposal"] == (1, 0.0) and funnel["negotiation"] == (0, 100.0)
    history = by_label(one(db, "history"))
    assert history["2026-08"][0] == 1  # the lost one was open at the end of August
    assert history["2026-11"][0] == 1  # now only the fresh one


def test_activity_roll_up_follows_every_change(db: Database) -> None:
    person = contacts.create_contact(db, first_name="Jana", last_name="Novak").id
    other = contacts.create_contact(db, first_name="Ola", last_name="Berg").id
    first = interactions.log_interaction(
        db, kind="call", subject="a", contact_id=person, happened_at=at("2026-11-24T10:00:00")
    )
    interactions.log_interaction(
        db, kind="email", subject="b", contact_id=other, happened_at=at("2026-11-02T10:00:00")
    )
    interactions.update_interaction(db, first.id or 0, None, kind="meeting")
    second = interactions.log_interaction(
        db, kind="note", subject="c", contact_id=person, happened_at=at("2026-11-25T09:00:00")
    )
    interactions.delete_interaction(db, second.id or 0)
    with db.read() as tx:
        assert rollups.differences(tx) == {"activity_day": 0, "contact_touch": 0}
        touched = tx.scalar("SELECT last_at FROM contact_touch WHERE contact_id = :c", c=person)
    assert str(touched).startswith("2026-11-24 10:00")
    weeks = by_label(one(db, "activity"))
    assert weeks["2026-11-23"] == (1,) and weeks["2026-10-26"] == (0,)
    assert len(weeks) == 12
    people = one(db, "people")
    assert by_label(people)[people.lines[0].label][:4] == (2, 0, 1, 1)  # call, email, meeting


def test_quality_counts_equal_the_lists_behind_them(db: Database) -> None:
    contacts.create_contact(db, first_name="No", last_name="Email", phones=["+4930123456"])
    contacts.create_contact(db, first_name="A", last_name="One", emails=["same@example.com"])
    contacts.create_contact(
        db, first_name="A", last_name="Two", emails=["same@example.com"], allow_duplicate=True
    )
    found = one(db, "quality")
    counts = by_label(found)
    assert counts["no email"][0] == 1 and counts["no phone"][0] == 2
    assert counts["shared email"][0] == 2
    for line in found.lines:
        assert line.drill is not None and line.drill.kind == "contact"
        assert contacts.list_contacts(db, line.drill.query).total == line.values[0], line.label


def test_stage_steps_from_the_audit_trail() -> None:
    audit = [
        (1, "t1", "ana", '{"name": [null, "A"], "stage": [null, "lead"]}'),
        (1, "t2", "ben", '{"stage": ["lead", "proposal"]}'),
        (1, "t3", "ben", '{"amount_cents": [1, 2]}'),
    ]
    deals = [(1, "won", "t0", "ana", "t4", "cy"), (2, "lead", "t5", "dan", "t6", "dan")]
    rows = [
        (r["opportunity_id"], r["stage"], r["changed_at"], r["left_at"])
        for r in rollups.stage_steps(audit, deals)
    ]
    assert rows == [
        (1, "lead", "t1", "t2"),
        (1, "proposal", "t2", "t4"),
        (1, "won", "t4", None),  # the trail missed the last move
        (2, "lead", "t5", None),  # no trail at all
    ]
