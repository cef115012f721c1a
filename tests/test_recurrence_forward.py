"""A daily or weekly series read far from its start begins from a later start of the same
series (so that a day's brief does not walk years of every series): the occurrences from the
window on are exactly those the whole series gives, in any zone, across DST changes, with BYDAY,
INTERVAL, UNTIL and BYSETPOS, timed and all-day."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from itertools import islice
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr
from hypothesis import given, settings
from hypothesis import strategies as st

from smallcrm.store import clock, recurrence

ZONES = ("Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu", "UTC")
DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
SHOWN = 25


@st.composite
def rules(draw: st.DrawFn) -> str:
    """A daily or weekly rule without COUNT, with what such rules take."""
    parts = [f"FREQ={draw(st.sampled_from(('DAILY', 'WEEKLY')))}"]
    parts.append(f"INTERVAL={draw(st.integers(1, 4))}")
    if draw(st.booleans()):
        picked = draw(st.lists(st.sampled_from(DAYS), min_size=1, max_size=4, unique=True))
        parts.append("BYDAY=" + ",".join(picked))
        if draw(st.booleans()):
            parts.append(f"BYSETPOS={draw(st.sampled_from(('1', '-1')))}")
    if draw(st.booleans()):
        parts.append(f"WKST={draw(st.sampled_from(('MO', 'SU')))}")
    if draw(st.booleans()):
        until = draw(st.datetimes(datetime(2024, 1, 1), datetime(2030, 1, 1)))
        parts.append(f"UNTIL={until:%Y%m%dT%H%M%S}Z")
    return ";".join(parts)


def _whole(rule: str, first: datetime, after: datetime) -> list[datetime]:
    return list(islice(rrulestr(rule, dtstart=first).xafter(after, inc=True), SHOWN))


@settings(max_examples=300, deadline=None)
@given(
    rule=rules(),
    zone=st.sampled_from(ZONES),
    day=st.dates(date(2018, 1, 1), date(2026, 12, 31)),
    wall=st.times(time(0), time(23, 59)).map(lambda t: t.replace(second=0, microsecond=0)),
    later=st.integers(0, 3000),
    hours=st.integers(0, 23),
)
def test_a_timed_series_gives_the_same_occurrences_from_any_later_window(
    rule: str, zone: str, day: date, wall: time, later: int, hours: int
) -> None:
    tz = ZoneInfo(zone)
    first = clock.local_datetime(datetime.combine(day, wall), tz)
    after = (first + timedelta(days=later, hours=hours)).astimezone(tz)
    assert list(islice(recurrence._series(rule, first, [], after), SHOWN)) == _whole(
        rule, first, after
    )


@settings(max_examples=150, deadline=None)
@given(rule=rules(), day=st.dates(date(2018, 1, 1), date(2026, 12, 31)), later=st.integers(0, 3000))
def test_an_all_day_series_gives_the_same_days_from_any_later_window(
    rule: str, day: date, later: int
) -> None:
    rule = rule.split(";UNTIL=")[0]  # a floating series takes a floating UNTIL, tested elsewhere
    first = datetime.combine(day, time(0))
    after = first + timedelta(days=later)
    assert list(islice(recurrence._series(rule, first, [], after), SHOWN)) == _whole(
        rule, first, after
    )


def test_a_series_with_a_count_or_a_month_is_read_from_its_start() -> None:
    first = datetime(2020, 1, 31, 9, tzinfo=ZoneInfo("Europe/Berlin"))
    after = datetime(2026, 6, 1, tzinfo=UTC).astimezone(first.tzinfo)
    for rule in ("FREQ=DAILY;COUNT=5000", "FREQ=MONTHLY", "FREQ=YEARLY;BYMONTH=2"):
        assert recurrence._forward(rule, first, after) == first, rule
    moved = recurrence._forward("FREQ=WEEKLY;INTERVAL=2", first, after)
    assert moved.weekday() == first.weekday() and moved.time() == first.time()
    assert (moved.date() - first.date()).days % 14 == 0 and moved < after
