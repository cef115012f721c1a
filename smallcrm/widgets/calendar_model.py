"""Pure calendar arithmetic for the calendar screen: periods, grids and day buckets.

No Textual here, so the rules (which days a month grid shows, which hour a slot is, how
occurrences fall into days) are unit-tested without an app.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from smallcrm.store import clock, recurrence
from smallcrm.store.records import Occurrence

AGENDA_DAYS = 14
FIRST_HOUR = 0
LAST_HOUR = 23
WORKDAY_START = 8


def week_start(day: date) -> date:
    """The Monday of the week that holds ``day``."""
    return day - timedelta(days=day.weekday())


def week_days(day: date) -> list[date]:
    """Monday to Sunday of the week that holds ``day``."""
    first = week_start(day)
    return [first + timedelta(days=i) for i in range(7)]


def month_weeks(day: date) -> list[list[date]]:
    """The six Monday-first weeks a month grid shows for the month of ``day``."""
    first = week_start(day.replace(day=1))
    return [[first + timedelta(days=7 * w + d) for d in range(7)] for w in range(6)]


def shift_month(day: date, months: int) -> date:
    """The same day ``months`` months away, clamped to the end of shorter months."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Period:
    """The dates a view shows: from ``first`` up to and excluding ``end``."""

    first: date
    end: date

    @property
    def days(self) -> list[date]:
        """Every day of the period in order."""
        return [self.first + timedelta(days=i) for i in range((self.end - self.first).days)]


def period(view: str, cursor: date) -> Period:
    """What a view shows around the cursor day."""
    if view == "week":
        first = week_start(cursor)
        return Period(first, first + timedelta(days=7))
    if view == "month":
        weeks = month_weeks(cursor)
        return Period(weeks[0][0], weeks[-1][-1] + timedelta(days=1))
    return Period(cursor, cursor + timedelta(days=AGENDA_DAYS))


def step(view: str, cursor: date, direction: int) -> date:
    """The cursor moved one period (a week, a month, an agenda page) forward or back."""
    if view == "month":
        return shift_month(cursor, direction)
    if view == "agenda":
        return cursor + timedelta(days=AGENDA_DAYS * direction)
    return cursor + timedelta(weeks=direction)


def local_day(moment: datetime) -> date:
    """The calendar day a moment falls on, in the local zone."""
    return clock.local(moment).date()


def by_day(found: list[Occurrence]) -> dict[date, list[Occurrence]]:
    """Occurrences bucketed by local start day; an all-day or multi-day one on each of its days."""
    buckets: dict[date, list[Occurrence]] = defaultdict(list)
    for occurrence in found:
        for day in days_covered(occurrence):
            buckets[day].append(occurrence)
    for items in buckets.values():
        items.sort(key=lambda o: (not o.appointment.all_day, o.starts_at, o.appointment.id))
    return dict(buckets)


def days_covered(occurrence: Occurrence) -> list[date]:
    """Each local day an occurrence touches (an end at midnight does not touch the next day).

    An all-day occurrence covers the days written in it (the store gives the business's
    midnights of its days), never days shifted by a zone.
    """
    day = recurrence.day_of if occurrence.appointment.all_day else local_day
    first = day(occurrence.starts_at)
    if occurrence.ends_at is None or occurrence.ends_at <= occurrence.starts_at:
        return [first]
    last = day(occurrence.ends_at - timedelta(microseconds=1))
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def by_slot(found: list[Occurrence]) -> dict[tuple[date, int], list[Occurrence]]:
    """Timed occurrences bucketed by (local day, start hour); all-day ones are left out."""
    buckets: dict[tuple[date, int], list[Occurrence]] = defaultdict(list)
    for occurrence in found:
        if occurrence.appointment.all_day:
            continue
        start = clock.local(occurrence.starts_at)
        buckets[(start.date(), start.hour)].append(occurrence)
    return dict(buckets)


def slot_start(day: date, hour: int) -> datetime:
    """The aware local start of an hour slot (what a new appointment there is prefilled with)."""
    return clock.at(day, time(hour))


def wall_time(moment: datetime) -> str:
    """``09:30`` in the local zone."""
    return clock.local(moment).strftime("%H:%M")


def span_text(occurrence: Occurrence) -> str:
    """``09:30-10:00``, ``09:30`` or ``all day``."""
    if occurrence.appointment.all_day:
        return "all day"
    start = wall_time(occurrence.starts_at)
    return f"{start}-{wall_time(occurrence.ends_at)}" if occurrence.ends_at else start


def continuing(found: list[Occurrence], limit_hours: int = 24 * 8) -> set[tuple[date, int]]:
    """(local day, hour) slots a timed occurrence still runs through after its start hour.

    ``limit_hours`` caps a long entry, since a week grid never shows more than a week.
    """
    busy: set[tuple[date, int]] = set()
    for occurrence in found:
        if occurrence.appointment.all_day or occurrence.ends_at is None:
            continue
        slot = clock.local(occurrence.starts_at).replace(minute=0, second=0, microsecond=0)
        end = clock.local(occurrence.ends_at)
        for _ in range(limit_hours):
            slot += timedelta(hours=1)
            if slot >= end:
                break
            busy.add((slot.date(), slot.hour))
    return busy
