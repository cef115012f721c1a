"""Free slots, the computation alone: properties over any busy times (hypothesis), the clock
changes of Europe/Berlin and America/New_York, and the machine's own zone making no
difference."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from machine_zones import MACHINE_ZONES, machine_zone

from smallcrm.store import business_time as bt
from smallcrm.store.setting_values import SETTINGS
from smallcrm.store.slot_rules import SlotRules, auto_interval, read_buffer, read_interval
from smallcrm.store.slots import align, free_slots

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
HOURS = "mon-fri 08:00-12:00,13:00-17:00; sat 00:00-24:00"


def _plan(zone: ZoneInfo, hours: str = HOURS) -> bt.Schedule:
    return bt.Schedule(SETTINGS["working_hours"].read(hours).days, zone)


def _rules(minutes: int = 60, interval: int = 60, notice: int = 60, buffer: int = 15) -> SlotRules:
    b = timedelta(minutes=buffer)
    return SlotRules(timedelta(minutes=minutes), interval, timedelta(minutes=notice), b, b)


def _local(zone: ZoneInfo, text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=zone)


def _walls(found: list[bt.Span], zone: ZoneInfo) -> list[str]:
    return [f"{a.astimezone(zone):%m-%d %H:%M}-{b.astimezone(zone):%H:%M}" for a, b in found]


# --- properties -------------------------------------------------------------------------------

_zones = st.sampled_from([BERLIN, NEW_YORK, ZoneInfo("Asia/Kolkata"), ZoneInfo("UTC")])
# Around both clock changes of 2026 in Europe and the US, and an ordinary week.
_days = st.sampled_from(["2026-03-06", "2026-03-26", "2026-10-22", "2026-10-30", "2026-11-25"])
_busy = st.lists(
    st.tuples(st.integers(0, 14 * 24 * 4), st.integers(1, 4 * 8)), max_size=40
)  # (start in quarter hours from the first day, length in quarter hours)


@settings(max_examples=150, deadline=None)
@given(
    zone=_zones,
    day=_days,
    busy=_busy,
    minutes=st.sampled_from([15, 30, 45, 60, 90, 120]),
    interval=st.sampled_from([60, 30, 20, 15, 10, 5]),
    notice=st.integers(0, 48 * 60),
    before=st.integers(0, 60),
    after=st.integers(0, 60),
    now_minutes=st.integers(0, 24 * 60 - 1),
)
def test_slots_keep_every_rule(
    zone: ZoneInfo,
    day: str,
    busy: list[tuple[int, int]],
    minutes: int,
    interval: int,
    notice: int,
    before: int,
    after: int,
    now_minutes: int,
) -> None:
    plan = _plan(zone)
    origin = _local(zone, f"{day}T00:00").astimezone(UTC)
    spans = [
        (origin + timedelta(minutes=15 * a), origin + timedelta(minutes=15 * (a + n)))
        for a, n in busy
    ]
    rules = SlotRules(
        timedelta(minutes=minutes),
        interval,
        timedelta(minutes=notice),
        timedelta(minutes=before),
        timedelta(minutes=after),
    )
    now = origin + timedelta(minutes=now_minutes, seconds=17)
    end = origin + timedelta(days=14)
    found = free_slots(plan, spans, rules, now, end)
    working = list(bt.working_spans(plan, now, end))
    for start, finish in found:
        assert finish - start == rules.duration
        assert start >= now + rules.notice and finish <= end
        local = start.astimezone(zone)
        assert (local.hour * 60 + local.minute) % interval == 0 and local.second == 0
        assert any(a <= start and finish <= b for a, b in working), "outside working hours"
        for a, b in spans:
            assert not (start - rules.before < b and finish + rules.after > a), "touches busy"
    assert found == sorted(set(found)), "in order, each once"


@settings(max_examples=60, deadline=None)
@given(zone=_zones, day=_days, busy=_busy)
def test_no_free_time_is_missed(zone: ZoneInfo, day: str, busy: list[tuple[int, int]]) -> None:
    """Every aligned hour in working hours that clears the busy times is offered."""
    plan = _plan(zone, "mon-sun 09:00-17:00")
    origin = _local(zone, f"{day}T00:00").astimezone(UTC)
    spans = [
        (origin + timedelta(minutes=15 * a), origin + timedelta(minutes=15 * (a + n)))
        for a, n in busy
    ]
    rules = _rules(notice=0, buffer=0)
    found = set(free_slots(plan, spans, rules, origin, origin + timedelta(days=14)))
    for a, b in bt.working_spans(plan, origin, origin + timedelta(days=14)):
        start = a
        while start + rules.duration <= b:
            clear = all(not (start < q and start + rules.duration > p) for p, q in spans)
            assert clear == ((start, start + rules.duration) in found)
            start += timedelta(hours=1)


# --- clock changes ----------------------------------------------------------------------------


def test_berlin_spring_forward_keeps_local_hours() -> None:
    """Sunday 2026-03-29 02:00 becomes 03:00; a 24-hour Saturday-like day is an hour short."""
    plan = _plan(BERLIN, "sun 00:00-24:00")
    now = _local(BERLIN, "2026-03-28T12:00")
    found = free_slots(plan, [], _rules(notice=0, buffer=0), now, now + timedelta(days=2))
    walls = [f"{a.astimezone(BERLIN):%H:%M}" for a, _ in found]
    assert walls[:3] == ["00:00", "01:00", "03:00"]  # 02:00 does not exist that night
    assert len(found) == 22


def test_berlin_fall_back_offers_the_repeated_hour_once_per_instant() -> None:
    plan = _plan(BERLIN, "sun 00:00-24:00")
    now = _local(BERLIN, "2026-10-24T12:00")
    found = free_slots(plan, [], _rules(notice=0, buffer=0), now, now + timedelta(days=2))
    assert len(found) == 24  # 23:59:59 ends the day: the last hour does not fit, 02:00 twice
    walls = [f"{a.astimezone(BERLIN):%H:%M}" for a, _ in found]
    assert walls[:4] == ["00:00", "01:00", "02:00", "02:00"]
    assert all(b - a == timedelta(hours=1) for a, b in found)


def test_working_hours_keep_their_local_times_across_the_change() -> None:
    """Friday before and Monday after Europe's change: 08:00 local both days."""
    plan = _plan(BERLIN)
    now = _local(BERLIN, "2026-10-23T00:00")
    found = free_slots(plan, [], _rules(notice=0, buffer=0), now, now + timedelta(days=4))
    walls = _walls(found, BERLIN)
    assert walls[0] == "10-23 08:00-09:00" and "10-26 08:00-09:00" in walls
    utc = {f"{a.astimezone(UTC):%m-%d %H:%M}" for a, _ in found}
    assert "10-23 06:00" in utc and "10-26 07:00" in utc


def test_new_york_changes_a_fortnight_after_europe() -> None:
    plan = _plan(NEW_YORK, "mon-fri 09:00-17:00")
    now = _local(NEW_YORK, "2026-03-06T00:00")
    found = free_slots(plan, [], _rules(notice=0, buffer=0), now, now + timedelta(days=4))
    starts = {a.astimezone(UTC).strftime("%m-%d %H:%M") for a, _ in found}
    assert "03-06 14:00" in starts  # 09:00 EST
    assert "03-09 13:00" in starts  # 09:00 EDT, after Sunday 2026-03-08


def test_recurring_busy_time_is_busy_in_its_own_zone() -> None:
    """A New York 09:00 meeting is 15:00 in Berlin, then 14:00 in the weeks between the
    two changes: the Berlin slots free up and block with it."""
    plan = _plan(BERLIN, "mon-fri 13:00-17:00")
    meeting = [
        (_local(NEW_YORK, f"{d}T09:00"), _local(NEW_YORK, f"{d}T10:00"))
        for d in ("2026-03-06", "2026-03-13", "2026-03-30")
    ]
    now = _local(BERLIN, "2026-03-01T00:00")
    found = _walls(
        free_slots(plan, meeting, _rules(notice=0, buffer=0), now, now + timedelta(days=30)),
        BERLIN,
    )
    assert "03-06 15:00-16:00" not in found and "03-06 14:00-15:00" in found
    assert "03-13 14:00-15:00" not in found and "03-13 15:00-16:00" in found
    assert "03-30 15:00-16:00" not in found


@pytest.mark.parametrize("machine", MACHINE_ZONES)
def test_the_machine_zone_changes_nothing(machine: str) -> None:
    plan = _plan(BERLIN)
    now = _local(BERLIN, "2026-10-23T10:10")
    busy = [(_local(BERLIN, "2026-10-26T09:00"), _local(BERLIN, "2026-10-26T10:00"))]
    with machine_zone(machine):
        found = _walls(free_slots(plan, busy, _rules(), now, now + timedelta(days=4)), BERLIN)
    assert found[0] == "10-23 13:00-14:00"  # 11:10 after the notice; 12:00 is lunch
    assert "10-26 08:00-09:00" not in found and "10-26 10:00-11:00" not in found
    assert "10-26 11:00-12:00" in found


# --- pieces -----------------------------------------------------------------------------------


def test_align_on_the_local_clock() -> None:
    kolkata = ZoneInfo("Asia/Kolkata")  # UTC+05:30: local :00 is :30 in UTC
    moment = datetime(2026, 11, 25, 4, 31, tzinfo=UTC)  # 10:01 local
    assert align(moment, 60, kolkata).astimezone(kolkata).strftime("%H:%M") == "11:00"
    assert align(moment, 20, kolkata).astimezone(kolkata).strftime("%H:%M") == "10:20"
    exact = datetime(2026, 11, 25, 4, 30, tzinfo=UTC)
    assert align(exact, 30, kolkata) == exact


def test_settings_readers() -> None:
    assert read_buffer("15m") == (timedelta(minutes=15),) * 2
    assert read_buffer("10m,30m") == (timedelta(minutes=10), timedelta(minutes=30))
    assert read_interval("auto") is None and read_interval("30") == 30
    with pytest.raises(ValueError, match="not an interval"):
        read_interval("25")
    assert [auto_interval(timedelta(minutes=m)) for m in (120, 45, 20, 7, 3)] == [60, 30, 20, 5, 5]


def test_benchmark_runs() -> None:
    import subprocess
    import sys
    from pathlib import Path

    repo = Path(__file__).resolve().parents[1]
    done = subprocess.run(
        [sys.executable, "benchmarks/slots_bench.py", "--runs", "3"],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "all 2,000 appointments count: median" in done.stdout


@settings(max_examples=300, deadline=None)
@given(
    zone=st.sampled_from(["Europe/Berlin", "America/New_York", "Asia/Kolkata", "UTC"]),
    rule=st.sampled_from(
        [
            "FREQ=DAILY",
            "FREQ=DAILY;INTERVAL=3",
            "FREQ=WEEKLY;BYDAY=TU,TH",
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,FR",
            "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR",
            "FREQ=WEEKLY;UNTIL=20261201T000000Z",
            "FREQ=DAILY;COUNT=400",
            "FREQ=MONTHLY;BYMONTHDAY=31",
        ]
    ),
    begun=st.integers(0, 4 * 24 * 900),
    later=st.integers(0, 300),
    minutes=st.sampled_from([30, 60, 90, 60 * 24 * 9, 60 * 24 * 20]),
)
def test_a_series_begun_long_ago_expands_as_from_its_start(
    zone: str, rule: str, begun: int, later: int, minutes: int
) -> None:
    """Starting the walk at a later occurrence of the series (as every read of a window does
    for daily and weekly rules) changes none of its times, long occurrences included."""
    from unittest import mock

    from smallcrm.store import recurrence
    from smallcrm.store.slots import _Entry

    start = datetime(2024, 1, 1, tzinfo=UTC) + timedelta(minutes=15 * begun)
    entry = _Entry(start, start + timedelta(minutes=minutes), False, rule, (), (), zone)
    since = datetime(2026, 3, 1, tzinfo=UTC) + timedelta(days=later)
    until = since + timedelta(days=15)
    with mock.patch.object(recurrence, "_forward", lambda rule, first, after: first):
        whole = recurrence.expand(entry, since, until)
    assert recurrence.expand(entry, since, until) == whole
