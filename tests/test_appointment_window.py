"""A window's appointments are read in three parts (series, one-offs starting near it, long
one-offs from their own index) and together they are exactly the appointments that overlap
it: a trade fair that began days ago, a holiday of two weeks, a meeting of exactly two days."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smallcrm.store import appointments
from smallcrm.store.db import Database

DAY = date(2026, 11, 25)


def _ids(db: Database, day: date = DAY) -> set[int]:
    return {o.appointment.id for o in appointments.occurrences(db, *appointments.day_bounds(day))}


def test_long_one_offs_that_began_days_ago_are_in_the_day(db: Database) -> None:
    def made(title: str, start: datetime, length: timedelta, **extra: object) -> int:
        return appointments.create_appointment(
            db, title=title, starts_at=start, duration=length, **extra
        ).id

    noon = datetime(2026, 11, 25, 12, tzinfo=UTC)
    fair = made("Trade fair", noon - timedelta(days=5), timedelta(days=10))
    two = made("Two days exactly", noon - timedelta(days=2), timedelta(days=2, minutes=1))
    holiday = appointments.create_appointment(
        db, title="Holiday", starts_at=date(2026, 11, 16), ends_at=date(2026, 11, 30),
        all_day=True,
    ).id  # fmt: skip
    over = made("Over before the day", noon - timedelta(days=9), timedelta(days=8))
    today = made("Today", noon, timedelta(hours=1))
    found = _ids(db)
    assert {fair, two, holiday, today} <= found
    assert over not in found
    appointments.delete_appointment(db, fair)
    assert fair not in _ids(db)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    spans=st.lists(
        st.tuples(st.integers(-30 * 24, 30 * 24), st.integers(1, 20 * 24)), min_size=1, max_size=8
    )
)
def test_the_day_holds_exactly_the_one_offs_that_overlap_it(
    db: Database, spans: list[tuple[int, int]]
) -> None:
    start, end = appointments.day_bounds(DAY)
    made = {}
    for offset, hours in spans:
        begins = start + timedelta(hours=offset)
        appointment = appointments.create_appointment(
            db, title="Span", starts_at=begins, duration=timedelta(hours=hours)
        )
        made[appointment.id] = begins < end and begins + timedelta(hours=hours) > start
    found = _ids(db)
    assert {i for i, overlaps in made.items() if overlaps} == found & set(made)
    for appointment_id in made:
        appointments.delete_appointment(db, appointment_id)


def test_sqlite_reads_each_part_through_an_index(db: Database) -> None:
    if db.dialect != "sqlite":
        return
    from smallcrm.store import appointment_sql

    with db.read() as tx:
        sql = appointment_sql.overlapping(tx, ["p.deleted_at IS NULL"])
        plan = [
            row[-1]
            for row in tx.all(
                f"EXPLAIN QUERY PLAN {sql}",
                start=datetime(2026, 11, 25, tzinfo=UTC),
                end=datetime(2026, 11, 25, tzinfo=UTC),
                reach=datetime(2026, 11, 25, tzinfo=UTC),
            )  # fmt: skip
        ]
    assert any("ix_appointment_long_one_offs" in step for step in plan), plan
    assert any("ix_appointment_live_starts_at" in step or "ix_appointment_starts_at" in step
               for step in plan), plan  # fmt: skip
