"""When an appointment happens: its own time zone, all-day days, and recurring series.

The rules, as RFC 5545 has them and as every calendar program reads them:

- A timed appointment is an instant (stored in UTC) plus the IANA zone it was made in
  (``time_zone``). A series repeats on that zone's wall clock: a weekly 9:00 meeting in New York
  stays at 9:00 New York time across both daylight-saving changes, whatever the machine's or the
  business's zone, and is shown in the business's zone. A wall time that a spring change skips
  moves on by the gap; one that an autumn change repeats is the first of the two.
- An all-day appointment is a calendar day, not an instant: it is stored as 00:00 UTC of that day
  (and its end as 00:00 UTC of the day after its last), a convention that never depends on a zone,
  and it lists on that day in every zone. A date and time given for an all-day appointment
  stands for the day written in it (its own wall clock): "2006-01-02 00:00 -05:00" is
  2006-01-02, as it was typed.
- Skipped occurrences (EXDATE) are instants, or days: a day skips whatever occurrence the series
  has on that day of its own zone. Extra occurrences (RDATE) are instants, or days for all-day
  series. ``UNTIL`` is stored as RFC 5545 wants it: a UTC instant for a timed series (a date or a
  floating time is read on the appointment's own clock, so the last occurrence is kept), a date
  for an all-day one.

Expansion uses ``dateutil.rrule`` rather than ``recurring-ical-events``: the store holds rows, not
iCalendar components, and building a component per appointment would put icalendar (62 ms) and
another package on the path of ``smallcrm today``; dateutil (15 ms) is already a dependency and,
given a DTSTART on the right wall clock, computes RFC 5545 sets exactly. What it does not do (a
zone per series, day-valued EXDATEs, dates as days) is the few lines here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from typing import Any, Protocol

from smallcrm.store import clock
from smallcrm.store.errors import ValidationError

MAX_OCCURRENCES = 2000
Moment = datetime | date  # an instant (aware) or a calendar day
_UNTIL = re.compile(r"(?<![A-Z])UNTIL=([0-9]{8})(?:T([0-9]{6})(Z?))?", re.IGNORECASE)


class Timed(Protocol):
    """What expansion needs of an appointment (``records.Appointment`` has it)."""

    @property
    def starts_at(self) -> datetime: ...
    @property
    def ends_at(self) -> datetime | None: ...
    @property
    def all_day(self) -> bool: ...
    @property
    def rrule(self) -> str | None: ...
    @property
    def exdates(self) -> tuple[Moment, ...]: ...
    @property
    def rdates(self) -> tuple[Moment, ...]: ...
    @property
    def time_zone(self) -> str: ...


# --- how often -----------------------------------------------------------------------------------


# An appointment repeats at most hourly. A rule every minute or second is a slip (or a hostile
# file): each day would list 1,440 or 86,400 of it, and the agenda and calendar expand every
# occurrence.
TOO_FREQUENT = "repeats more often than hourly; an appointment repeats at most every hour"


def too_frequent(rule: str) -> bool:
    """Whether an RRULE repeats more often than hourly: FREQ=SECONDLY or MINUTELY, or several
    BYMINUTE or BYSECOND values, which put two or more occurrences in one hour
    (``FREQ=HOURLY;BYMINUTE=0,30``) unless a single BYSETPOS keeps one of them per period.
    Read from the rule's parts: walking the occurrences of a rule that never matches
    (30 February) can take seconds."""
    text = rule.strip().upper().removeprefix("RRULE:")
    parts = dict(part.partition("=")[::2] for part in text.split(";"))
    if parts.get("FREQ", "").strip() in ("SECONDLY", "MINUTELY"):
        return True

    def count(key: str) -> int:
        return len([item for item in parts.get(key, "").split(",") if item.strip()])

    return (count("BYMINUTE") > 1 or count("BYSECOND") > 1) and count("BYSETPOS") != 1


# --- zones and days ------------------------------------------------------------------------------


@lru_cache(maxsize=64)
def zone(name: str | None) -> tzinfo:
    """The zone an IANA name stands for (UTC for none or an unknown one)."""
    from zoneinfo import ZoneInfo

    try:
        return ZoneInfo(name) if name else UTC
    except (ValueError, OSError, KeyError):
        return UTC


def check_zone(field: str, value: Any) -> str:
    """An IANA time zone name such as ``Europe/Berlin`` (``UTC`` is one too)."""
    from zoneinfo import ZoneInfo

    name = value.strip() if isinstance(value, str) else ""
    if not name:
        raise ValidationError(field, "cannot be empty: give a time zone like Europe/Berlin")
    if len(name) > 64:
        raise ValidationError(field, f"{value!r} is not a time zone like Europe/Berlin")
    try:
        ZoneInfo(name)
    except (ValueError, OSError, KeyError):
        raise ValidationError(field, f"{name!r} is not a time zone like Europe/Berlin") from None
    return name


def day_of(value: Moment) -> date:
    """The calendar day a value names for an all-day appointment: the day written in it."""
    return value.date() if isinstance(value, datetime) else value


def day_start(day: date) -> datetime:
    """How an all-day appointment's day is stored: 00:00 UTC of it (no zone involved)."""
    return datetime.combine(day, time(0), tzinfo=UTC)


def local_midnight(day: date) -> datetime:
    """The business's midnight starting ``day`` (00:00 UTC at the ends of the calendar, where
    the business's midnight is not a representable instant)."""
    try:
        return clock.at(day)
    except OverflowError:
        return day_start(day)


def moment(field: str, value: Any, all_day: bool) -> Moment:
    """A skipped or extra occurrence: a day for all-day series, else an instant or a day."""
    if isinstance(value, str):
        value = _parse_moment(field, value)
    if isinstance(value, datetime):
        if all_day:
            return value.date()
        if value.tzinfo is None:
            raise ValidationError(field, "must be a date and time with a time zone")
        try:
            return value.astimezone(UTC)
        except OverflowError:
            raise ValidationError(field, f"{value} is beyond the calendar's ends") from None
    if isinstance(value, date):
        return value
    raise ValidationError(field, f"{value!r} is not a date or a date and time")


def _parse_moment(field: str, text: str) -> Moment:
    word = text.strip()
    try:
        if len(word) == 10:
            return date.fromisoformat(word)
        parsed = datetime.fromisoformat(word)
    except ValueError:
        raise ValidationError(field, f"{word!r} is not an ISO date or date and time") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def moments_text(field: str, values: Any, all_day: bool) -> str:
    """Skipped or extra occurrences as stored: ISO instants in UTC and ISO days, in order."""
    if values is None:
        return ""
    items = values.split() if isinstance(values, str) else list(values)
    found = {moment(field, item, all_day) for item in items}
    ordered = sorted(found, key=lambda m: m if isinstance(m, datetime) else day_start(m))
    return " ".join(m.isoformat() for m in ordered)


def parse_moments(text: str | None) -> tuple[Moment, ...]:
    """The stored text back as days and aware UTC instants."""
    return tuple(_parse_moment("dates", word) for word in (text or "").split())


# --- rules ---------------------------------------------------------------------------------------


def normal_rule(rule: str, all_day: bool, tz: tzinfo) -> str:
    """The rule with its ``UNTIL`` as RFC 5545 wants it for this appointment.

    Timed series: a UTC instant; a floating time is read on the appointment's own clock and a
    date means the end of that day there, so the occurrence on the last day is kept. All-day
    series: the date.
    """
    text = rule.strip()
    if text.upper().startswith("RRULE:"):
        text = text[6:]

    def fix(match: re.Match[str]) -> str:
        day = datetime.strptime(match[1], "%Y%m%d").date()
        if all_day:
            return f"UNTIL={day:%Y%m%d}"
        if match[3]:
            return match[0].upper()
        wall = time(23, 59, 59)
        if match[2]:
            wall = datetime.strptime(match[2], "%H%M%S").time()
        try:
            last = clock.local_datetime(datetime.combine(day, wall), tz).astimezone(UTC)
        except OverflowError:  # the last day of the calendar, east of UTC
            last = datetime.max.replace(microsecond=0)
        return f"UNTIL={last:%Y%m%dT%H%M%SZ}"

    try:
        return _UNTIL.sub(fix, text)
    except ValueError:
        return text  # an impossible date: the rule check names it


def rule_start(appointment_start: Moment, all_day: bool, tz: tzinfo) -> datetime:
    """The DTSTART a rule is read against: a floating midnight for all-day series, else the
    start on the appointment's own wall clock."""
    if all_day:
        return datetime.combine(day_of(appointment_start), time(0))
    assert isinstance(appointment_start, datetime)
    return appointment_start.astimezone(tz)


# --- expansion -----------------------------------------------------------------------------------


def expand(item: Timed, start: datetime, end: datetime) -> list[tuple[datetime, datetime | None]]:
    """The (start, end) of each occurrence of ``item`` that overlaps [start, end), in the
    business's zone; all-day ones run from the business's midnight of their day."""
    found: list[tuple[datetime, datetime | None]] = []
    try:
        (_all_day if item.all_day else _timed)(item, start, end, found)
    except OverflowError:
        pass  # the series runs past the first or last day the calendar can hold
    return found


def _hit(first: datetime, last: datetime, start: datetime, end: datetime) -> bool:
    return first < end and (last > start or first >= start)


def _timed(
    item: Timed, start: datetime, end: datetime, found: list[tuple[datetime, datetime | None]]
) -> None:
    tz = zone(item.time_zone)
    length = item.ends_at - item.starts_at if item.ends_at else None
    span = length or timedelta(0)
    skip_at = {m for m in item.exdates if isinstance(m, datetime)}
    skip_days = {m for m in item.exdates if not isinstance(m, datetime)}
    first = item.starts_at.astimezone(tz)
    extra = [
        m.astimezone(tz)
        if isinstance(m, datetime)
        else clock.local_datetime(datetime.combine(m, first.time()), tz)
        for m in item.rdates
    ]
    # A margin of a day: comparisons on one zone's wall clock ignore which of two repeated
    # autumn hours is meant; the exact test is made on UTC below.
    after = _earlier(start, span + timedelta(days=1)).astimezone(tz)
    shown = clock.zone()  # read once: the setting behind it is looked up on every call
    for when in _series(item.rrule, first, extra, after):
        at = when.astimezone(UTC)
        if at >= end or len(found) >= MAX_OCCURRENCES:
            break
        if at in skip_at or when.date() in skip_days or not _hit(at, at + span, start, end):
            continue
        found.append((at.astimezone(shown), (at + length).astimezone(shown) if length else None))


def _all_day(
    item: Timed, start: datetime, end: datetime, found: list[tuple[datetime, datetime | None]]
) -> None:
    first_day = day_of(item.starts_at)
    days = max((day_of(item.ends_at) - first_day).days, 1) if item.ends_at else 1
    skipped = {day_of(m) for m in item.exdates}
    extra = [datetime.combine(day_of(m), time(0)) for m in item.rdates]
    after = datetime.combine(_shift(_local_day(start), -days - 1), time(0))
    last_day = _shift(_local_day(end), 1)
    for when in _series(item.rrule, datetime.combine(first_day, time(0)), extra, after):
        day = when.date()
        if day > last_day or len(found) >= MAX_OCCURRENCES:
            break
        since, until = local_midnight(day), local_midnight(_shift(day, days))
        if day in skipped or not (since < end and until > start):
            continue
        found.append((since, until if item.ends_at else None))


def _local_day(moment: datetime) -> date:
    try:
        return clock.local(moment).date()
    except OverflowError:  # the first or last day of the calendar
        return moment.date()


def _earlier(moment: datetime, by: timedelta) -> datetime:
    try:
        return moment - by
    except OverflowError:
        return moment


def _shift(day: date, days: int) -> date:
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return date.max if days > 0 else date.min


def _series(
    rule: str | None, first: datetime, extra: Iterable[datetime], after: datetime
) -> Iterator[datetime]:
    """The occurrences of DTSTART + RRULE + RDATE from ``after`` on, in order, on the series'
    own wall clock (aware for timed series, floating for all-day ones)."""
    if rule:
        from dateutil.rrule import rruleset, rrulestr

        try:
            parsed = rrulestr(rule, dtstart=_forward(rule, first, after))
        except (ValueError, TypeError):
            parsed = None  # stored before the rule check knew this shape: the first only
        if parsed is not None:
            extra = list(extra)
            if extra and not isinstance(parsed, rruleset):
                single, parsed = parsed, rruleset()  # a set merges the extra dates in
                parsed.rrule(single)
            for when in extra:
                parsed.rdate(when)  # type: ignore[union-attr]
            # A rule alone walks by itself: a set around it costs a merge per occurrence.
            yield from parsed.xafter(after, count=MAX_OCCURRENCES, inc=True)
            return
    unique = {_key(when): when for when in (first, *extra)}
    for key in sorted(unique):
        if unique[key] >= after:
            yield unique[key]


def _forward(rule: str, first: datetime, after: datetime) -> datetime:
    """A later DTSTART that gives the same occurrences from ``after`` on, so that a series
    begun years ago is not walked from its start on every read (a day's brief reads hundreds).

    Only for a daily or weekly rule without COUNT (which counts from the first occurrence):
    moving the start by whole periods (``INTERVAL`` days or weeks) keeps its weekday, its week
    and its wall-clock time, which is all such a rule takes from it. Monthly and yearly rules
    take the day of the month from the start (the 31st skips short months), so they stay."""
    text = rule.strip().upper().removeprefix("RRULE:")
    if "\n" in text or ":" in text:
        return first  # a set of rules, or one with DTSTART of its own
    words = dict(part.split("=", 1) for part in text.split(";") if "=" in part)
    days = {"DAILY": 1, "WEEKLY": 7}.get(words.get("FREQ", ""))
    interval = words.get("INTERVAL", "1")
    if days is None or "COUNT" in words or not interval.isdigit() or int(interval) < 1:
        return first
    period = days * int(interval)
    wall = first.replace(tzinfo=None)
    gap = (after.replace(tzinfo=None) - wall).days if after.tzinfo is first.tzinfo else -1
    periods = gap // period - 1  # one period short: the day's margins stay inside
    if periods <= 0:
        return first
    try:
        return (wall + timedelta(days=periods * period)).replace(tzinfo=first.tzinfo)
    except OverflowError:
        return first


def _key(when: datetime) -> datetime:
    return when.astimezone(UTC) if when.tzinfo else when
