"""Business time: how much working time lies between two instants, and when N working minutes
after an instant are used up.

A ``Schedule`` is the business's opening hours per weekday, its closed days and its time zone.
Working hours are wall-clock times in that zone, so on the nights clocks change (Europe/Berlin
2026-03-29 and 2026-10-25) a day's hours keep their local times and their real length: hours that
span the change are an hour shorter or longer, as a person at the desk lives them. Instants
are compared as instants, never as wall-clock values.

Pauses (a case waiting on its customer) are intervals of instants that do not count, whatever
the hours. Everything here is pure: no database, no "now"; ``schedule()`` reads the settings.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache

from smallcrm.store.clock import local_datetime

Span = tuple[datetime, datetime]
ZERO = timedelta(0)
# How far a walk over working days goes before deciding the hours never add up (ten years of
# closed days, or hours with no working day at all).
MAX_DAYS = 3660


@dataclass(frozen=True)
class Schedule:
    """When the business works: per weekday (0 = Monday) the (start, end) wall-clock spans,
    which days are closed, and the zone the wall clock reads in."""

    days: tuple[tuple[tuple[time, time], ...], ...]
    zone: tzinfo
    is_closed: Callable[[date], bool] = lambda _day: False
    # Each day's spans, worked out once: a list of open cases asks for the same days many
    # times, and turning wall-clock times into instants is most of the cost.
    _spans: dict[date, list[Span]] = field(default_factory=dict, compare=False, repr=False)

    def spans_on(self, day: date) -> list[Span]:
        """The working spans of ``day`` as instants (UTC), none on a closed day."""
        found = self._spans.get(day)
        if found is None:
            found = self._spans[day] = [] if self.is_closed(day) else self._spans_of(day)
            if len(self._spans) > 20_000:  # decades of days: start again rather than grow
                self._spans.clear()
        return found

    def _spans_of(self, day: date) -> list[Span]:
        found = []
        for start, end in self.days[day.weekday()]:
            a = local_datetime(datetime.combine(day, start), self.zone).astimezone(UTC)
            b = local_datetime(datetime.combine(day, end), self.zone).astimezone(UTC)
            if b > a:
                found.append((a, b))
        return found

    @property
    def works(self) -> bool:
        """True if any weekday has working hours."""
        return any(self.days)


def schedule() -> Schedule:
    """The business's schedule from the settings (working hours, closed days, time zone);
    the same object while they stay the same, so its days are worked out once."""
    from smallcrm.store import clock, settings

    # Only these settings: checking every one (the phone region) would import phonenumbers.
    hours = settings.working_hours()
    return _schedule(hours.days, settings.closed_days(), clock.zone())


@lru_cache(maxsize=8)
def _schedule(
    days: tuple[tuple[tuple[time, time], ...], ...], closed: tuple[str, ...], zone: tzinfo
) -> Schedule:
    def is_closed(day: date) -> bool:
        return day.isoformat() in closed or f"{day:%m-%d}" in closed

    return Schedule(days, zone, is_closed)


def _day(moment: datetime, zone: tzinfo) -> date:
    return moment.astimezone(zone).date()


def working_spans(plan: Schedule, start: datetime, end: datetime) -> Iterator[Span]:
    """The working spans between ``start`` and ``end``, clipped to them, in order."""
    if end <= start:
        return
    day = _day(start, plan.zone) - timedelta(days=1)  # a span may cross midnight in UTC
    last = _day(end, plan.zone) + timedelta(days=1)
    while day <= last:
        for a, b in plan.spans_on(day):
            a, b = max(a, start), min(b, end)
            if b > a:
                yield a, b
        day += timedelta(days=1)


def merge(spans: Iterable[Span]) -> list[Span]:
    """Intervals sorted and overlapping ones joined (empty or backwards ones dropped)."""
    merged: list[Span] = []
    for a, b in sorted(s for s in spans if s[1] > s[0]):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def _without(span: Span, pauses: Sequence[Span]) -> timedelta:
    """The length of ``span`` outside the (merged, sorted) ``pauses``."""
    a, b = span
    total = b - a
    for p, q in pauses:
        if q <= a:
            continue
        if p >= b:
            break
        total -= min(b, q) - max(a, p)
    return total


def elapsed(
    plan: Schedule, start: datetime, end: datetime, pauses: Iterable[Span] = ()
) -> timedelta:
    """Working time between ``start`` and ``end`` outside ``pauses`` (zero if end <= start)."""
    held = merge(pauses)
    total = ZERO
    for span in working_spans(plan, start, end):
        total += _without(span, held)
    return total


def deadline(plan: Schedule, start: datetime, amount: timedelta) -> datetime | None:
    """The instant at which ``amount`` of working time after ``start`` is used up; ``start``
    itself for nothing or less. None if the schedule never gets there (no working hours)."""
    if amount <= ZERO:
        return start
    if not plan.works:
        return None
    left = amount
    day = _day(start, plan.zone) - timedelta(days=1)
    for _ in range(MAX_DAYS):
        for a, b in plan.spans_on(day):
            a = max(a, start)
            if b <= a:
                continue
            if b - a >= left:
                return a + left
            left -= b - a
        day += timedelta(days=1)
    return None


def hours_text(amount: timedelta) -> str:
    """A length as ``0h35``, ``2h``, ``1h10`` (whole minutes, rounded down)."""
    minutes = int(abs(amount).total_seconds() // 60)
    hours, rest = divmod(minutes, 60)
    return f"{hours}h" if rest == 0 and hours else f"{hours}h{rest:02d}"
