"""Business time: working time between instants and deadlines, across weekends, closed days,
the clock changes of Europe/Berlin, pauses and starts outside working hours."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from smallcrm.store import business_time as bt
from smallcrm.store.setting_values import SETTINGS

BERLIN = ZoneInfo("Europe/Berlin")


def _plan(
    hours: str = "mon-fri 08:00-12:00,13:00-17:00", closed: tuple[str, ...] = ()
) -> bt.Schedule:
    days = SETTINGS["working_hours"].read(hours).days
    return bt.Schedule(days, BERLIN, lambda day: day.isoformat() in closed)


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=BERLIN)


def _h(hours: float) -> timedelta:
    return timedelta(hours=hours)


def test_within_one_morning() -> None:
    assert bt.elapsed(_plan(), _at("2026-11-25T09:00"), _at("2026-11-25T10:30")) == _h(1.5)


def test_lunch_break_does_not_count() -> None:
    assert bt.elapsed(_plan(), _at("2026-11-25T11:00"), _at("2026-11-25T14:00")) == _h(2)


def test_across_a_weekend() -> None:
    # Friday 16:00 to Monday 09:00: one hour on Friday, one on Monday.
    assert bt.elapsed(_plan(), _at("2026-11-27T16:00"), _at("2026-11-30T09:00")) == _h(2)


def test_closed_day_counts_nothing() -> None:
    plan = _plan(closed=("2026-12-24",))
    # Wednesday 16:00 to Friday 09:00 with Thursday closed: 1h + 0 + 1h.
    assert bt.elapsed(plan, _at("2026-12-23T16:00"), _at("2026-12-25T09:00")) == _h(2)
    assert bt.deadline(plan, _at("2026-12-23T16:00"), _h(2)) == _at("2026-12-25T09:00")


def test_created_outside_working_hours_starts_at_opening() -> None:
    saturday_night = _at("2026-11-28T22:15")
    assert bt.elapsed(_plan(), saturday_night, _at("2026-11-30T08:35")) == timedelta(minutes=35)
    assert bt.deadline(_plan(), saturday_night, _h(1)) == _at("2026-11-30T09:00")
    evening = _at("2026-11-25T19:00")
    assert bt.deadline(_plan(), evening, _h(8)) == _at("2026-11-26T17:00")


def test_end_before_start_is_zero() -> None:
    assert bt.elapsed(_plan(), _at("2026-11-25T10:00"), _at("2026-11-25T09:00")) == bt.ZERO


def test_spring_forward_keeps_local_hours() -> None:
    # Berlin goes 02:00 -> 03:00 on Sunday 2026-03-29; a 24-hour business loses an hour.
    plan = _plan("daily 00:00-24:00")
    day = bt.elapsed(plan, _at("2026-03-29T00:00"), _at("2026-03-30T00:00"))
    assert day == _h(23) - timedelta(seconds=1)  # 24:00 is kept as 23:59:59
    office = _plan()
    # Friday 16:00 to Monday 09:00 across the change: still two working hours.
    assert bt.elapsed(office, _at("2026-03-27T16:00"), _at("2026-03-30T09:00")) == _h(2)
    assert bt.deadline(office, _at("2026-03-27T16:30"), _h(1)) == _at("2026-03-30T08:30")


def test_fall_back_keeps_local_hours() -> None:
    # Berlin goes 03:00 -> 02:00 on Sunday 2026-10-25; a night shift gets an extra hour.
    plan = _plan("daily 01:00-04:00")
    assert bt.elapsed(plan, _at("2026-10-25T00:00"), _at("2026-10-25T05:00")) == _h(4)
    assert bt.elapsed(plan, _at("2026-10-24T00:00"), _at("2026-10-24T05:00")) == _h(3)
    office = _plan()
    assert bt.elapsed(office, _at("2026-10-23T16:00"), _at("2026-10-26T09:00")) == _h(2)
    # The Monday after the change opens at 08:00 Berlin time, which is 07:00 UTC now.
    assert bt.deadline(office, _at("2026-10-23T17:00"), _h(1)) == datetime(
        2026, 10, 26, 8, 0, tzinfo=UTC
    )


def test_spring_forward_night_shift() -> None:
    plan = _plan("daily 01:00-04:00")
    assert bt.elapsed(plan, _at("2026-03-29T00:00"), _at("2026-03-29T05:00")) == _h(2)


def test_pauses_do_not_count() -> None:
    start, end = _at("2026-11-25T08:00"), _at("2026-11-25T17:00")
    pause = (_at("2026-11-25T09:00"), _at("2026-11-25T14:00"))
    # 1h before the pause, 3h after it (lunch was inside the pause anyway).
    assert bt.elapsed(_plan(), start, end, [pause]) == _h(4)
    overlapping = [pause, (_at("2026-11-25T13:30"), _at("2026-11-25T15:00"))]
    assert bt.elapsed(_plan(), start, end, overlapping) == _h(3)


def test_no_working_hours_has_no_deadline() -> None:
    plan = _plan("closed")
    assert bt.deadline(plan, _at("2026-11-25T08:00"), _h(1)) is None
    assert bt.elapsed(plan, _at("2026-11-25T08:00"), _at("2026-11-30T08:00")) == bt.ZERO


def test_hours_text() -> None:
    assert bt.hours_text(timedelta(minutes=35)) == "0h35"
    assert bt.hours_text(_h(2)) == "2h"
    assert bt.hours_text(timedelta(minutes=70, seconds=59)) == "1h10"
    assert bt.hours_text(bt.ZERO) == "0h00"


# --- properties ----------------------------------------------------------------------------

_moments = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 1, 31)).map(
    lambda naive: naive.replace(tzinfo=UTC)
)
_hours = st.sampled_from(
    ["mon-fri 08:00-12:00,13:00-17:00", "daily 00:00-24:00", "daily 01:00-04:00", "sat 10-13"]
)
_closed = st.lists(st.dates(date(2026, 1, 1), date(2027, 1, 31)), max_size=5).map(
    lambda days: tuple(d.isoformat() for d in days)
)


@settings(max_examples=150, deadline=None)
@given(_moments, _moments, _hours, _closed)
def test_elapsed_is_never_negative_nor_more_than_wall_time(
    a: datetime, b: datetime, hours: str, closed: tuple[str, ...]
) -> None:
    took = bt.elapsed(_plan(hours, closed), a, b)
    assert bt.ZERO <= took <= max(b - a, bt.ZERO)


@settings(max_examples=150, deadline=None)
@given(_moments, _moments, _moments, st.integers(0, 3 * 24 * 60), _hours)
def test_a_pause_never_adds_time(
    a: datetime, b: datetime, pause_start: datetime, pause_minutes: int, hours: str
) -> None:
    plan = _plan(hours)
    pause = (pause_start, pause_start + timedelta(minutes=pause_minutes))
    assert bt.elapsed(plan, a, b, [pause]) <= bt.elapsed(plan, a, b)


@settings(max_examples=150, deadline=None)
@given(_moments, st.integers(1, 60 * 80), _hours, _closed)
def test_deadline_and_elapsed_round_trip(
    start: datetime, minutes: int, hours: str, closed: tuple[str, ...]
) -> None:
    plan = _plan(hours, closed)
    amount = timedelta(minutes=minutes)
    due = bt.deadline(plan, start, amount)
    assert due is not None and due > start
    assert bt.elapsed(plan, start, due) == amount
    # Nothing earlier would do: the last working instant before it is still short.
    assert bt.elapsed(plan, start, due - timedelta(seconds=1)) < amount
