"""How appointment times read in the shell: spans, all-day days, an appointment's own zone."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from smallcrm.store import clock
from smallcrm.store import records as r


def _when(value: date | datetime) -> str:
    # Imported here: the grammar module brings dateutil, which a quick-add may not need.
    from smallcrm.store.dates import describe

    return describe(clock.local(value) if isinstance(value, datetime) else value)


def when_json(value: datetime | None, all_day: bool) -> str | None:
    """An all-day entry's start or end is a date (the same in every zone), else ISO time in
    the business's zone."""
    if value is None:
        return None
    if all_day:
        return clock.local(value).date().isoformat()
    return clock.local(value).isoformat(timespec="seconds")


def span(starts: datetime, ends: datetime | None, all_day: bool = False) -> str:
    """``Fri 2026-11-27 14:00-15:00``; the end in full when it is on another day; an all-day
    entry's days (its end is the day after its last)."""
    start = clock.local(starts)
    if all_day:
        last = clock.local(ends).date() - timedelta(days=1) if ends else start.date()
        if last > start.date():
            return f"{_when(start.date())} to {_when(last)} (all day)"
        return f"{_when(start.date())} (all day)"
    if ends is None:
        return _when(start)
    end = clock.local(ends)
    if end.date() == start.date():
        return f"{_when(start)}-{end:%H:%M}"
    return f"{_when(start)} to {_when(end)}"


def own_zone(a: r.Appointment) -> str | None:
    """The zone a timed appointment repeats in, when it is not the business's own."""
    if a.all_day or a.time_zone == clock.zone_name():
        return None
    return f"{a.time_zone} (repeats on its clock; times here are {clock.zone_name()})"


def moments(values: Sequence[date | datetime]) -> str | None:
    """Skipped or extra occurrences: days, or local times."""
    return ", ".join(_when(v) for v in values) or None
