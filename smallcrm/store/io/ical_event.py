"""When one calendar event happens: its start, end, zone and recurrence, read as RFC 5545 says.

- A DATE start makes an all-day event: its days are kept as days (no zone touches them).
- A time with a zone keeps its instant and its zone (an IANA name, see ``ical_zones``); a time
  in UTC repeats on UTC; a floating time is read in the calendar's ``X-WR-TIMEZONE`` when it
  names a zone, else in the business's zone, and repeats there.
- RRULE is kept with its UNTIL as written when that is a date or a floating time (the store reads
  it on the event's own clock), in UTC when it has a zone. EXDATE and RDATE are kept as instants,
  or as days when they are dates (a skipped day removes that day's occurrence of a timed
  series). A vCalendar 1.0 rule is converted, or the event is kept as a one-off with a warning.
- What cannot be kept is a warning of the import, never a silent loss: a second RRULE, EXRULE,
  RDATE periods of another length and RDATE times without a day, RANGE=THISANDFUTURE.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from smallcrm.store import clock, recurrence
from smallcrm.store.errors import ValidationError

from . import vcal_rules
from .ical_zones import FixedPeriods, is_zone_name, periods_zone, zone_name


@dataclass
class FileClock:
    """What a whole file says about time: its version, and the zone of its floating times."""

    vcal: bool = False
    floating: tzinfo | None = None
    floating_name: str = ""
    # What the file's zones turned out to be, said once for the file rather than per event.
    notes: dict[str, None] = field(default_factory=dict)

    @classmethod
    def of(cls, calendar: Any) -> FileClock:
        """The clock of one VCALENDAR."""
        vcal = str(calendar.get("VERSION", "")).strip() == "1.0"
        named = str(calendar.get("X-WR-TIMEZONE", "")).strip()
        if is_zone_name(named):
            return cls(vcal, recurrence.zone(named), named)
        periods = _vcal_zone(calendar) if vcal else None
        if periods is not None:
            return cls(vcal, periods, "")
        return cls(vcal, clock.zone(), clock.zone_name())


@dataclass
class EventTimes:
    """An event's start (a day, or an aware instant), end, zone and the clock of its floating
    values (EXDATE, RDATE, UNTIL without a zone)."""

    start: date | datetime
    end: date | datetime | None
    all_day: bool
    zone: str
    tz: tzinfo


def read_times(event: Any, file_clock: FileClock) -> EventTimes:
    """The start, end and zone of an event; raises ValidationError for what cannot be read."""
    start_prop = event.get("DTSTART")
    if start_prop is None:
        raise ValidationError("starts_at", "the event has no DTSTART")
    value = prop_value(start_prop, "starts_at")
    if not isinstance(value, datetime):
        times = EventTimes(value, None, True, file_clock.floating_name or "UTC", UTC)
    elif value.tzinfo is None:
        times = _floating(value, start_prop, file_clock)
    else:
        name, note = zone_name(value.tzinfo, start_prop.params.get("TZID"), value)
        if note:
            file_clock.notes[note] = None
        times = EventTimes(value, None, False, name, recurrence.zone(name))
    times.end = _end(event, times)
    if file_clock.vcal and not times.all_day:
        _vcal_all_day(times)
    return times


def _floating(value: datetime, prop: Any, file_clock: FileClock) -> EventTimes:
    tz = file_clock.floating or clock.zone()
    name = file_clock.floating_name
    if isinstance(tz, FixedPeriods):
        name = periods_zone(tz, value.replace(tzinfo=tz)) or ""
        if not name:
            note = (
                "the file's TZ and DAYLIGHT match no known zone; its times are kept, "
                "but its repeats follow UTC"
            )
            file_clock.notes[note] = None
    tzid = prop.params.get("TZID")
    if tzid:
        note = (
            f"time zone {tzid!r} is neither a known zone nor defined in the file; "
            f"its times are read as {name or clock.zone_name()} time"
        )
        file_clock.notes[note] = None
    start = clock.local_datetime(value, tz)
    return EventTimes(start, None, False, name or "UTC", tz)


def prop_value(prop: Any, field_name: str) -> date | datetime:
    """The date or date and time of a DTSTART-like property."""
    if isinstance(prop, list):
        raise ValidationError(field_name, f"is given {len(prop)} times in one event")
    try:
        value = prop.dt
    except Exception as exc:  # noqa: BLE001 - a broken property raises on access
        raise ValidationError(field_name, f"cannot be read ({exc})") from None
    if not isinstance(value, date):
        raise ValidationError(field_name, f"{value!r} is not a date or time")
    return value


def on_clock(value: date | datetime, times: EventTimes) -> date | datetime:
    """A value of the event as the store takes it: a day for all-day events and for dates,
    else an aware instant (a floating time read on the event's clock)."""
    if not isinstance(value, datetime):
        return value
    if times.all_day:
        return value.date()
    if value.tzinfo is None:
        return clock.local_datetime(value, times.tz)
    return value


def _end(event: Any, times: EventTimes) -> date | datetime | None:
    end_prop = event.get("DTEND")
    if end_prop is not None:
        end = on_clock(prop_value(end_prop, "ends_at"), times)
        if not times.all_day and not isinstance(end, datetime):
            end = clock.local_datetime(datetime.combine(end, time(0)), times.tz)
    elif event.get("DURATION") is not None:
        length = event["DURATION"].dt
        if not isinstance(length, timedelta):
            raise ValidationError("ends_at", "DURATION is not a length of time")
        end = times.start + (timedelta(days=length.days) if times.all_day else length)
    else:
        return None
    if times.all_day and end <= times.start + timedelta(days=1):
        return None  # a one-day event: smallcrm keeps no end for it
    if end < times.start:
        raise ValidationError("ends_at", "the event ends before it starts")
    return end


def _vcal_all_day(times: EventTimes) -> None:
    """vCalendar 1.0 has no dates without times: phones write an all-day entry as 00:00 to
    23:59 (or to 00:00 of a later day)."""
    start, end = times.start, times.end
    assert isinstance(start, datetime)
    local = start.astimezone(times.tz)
    if local.time() != time(0) or not isinstance(end, datetime):
        return
    last = end.astimezone(times.tz)
    if last.time() in (time(23, 59), time(23, 59, 59)) or (
        last.time() == time(0) and last.date() > local.date()
    ):
        times.all_day = True
        times.start = local.date()
        days = (last.date() - local.date()).days + (last.time() != time(0))
        times.end = local.date() + timedelta(days=days) if days > 1 else None


_OFFSET = re.compile(r"^([+-])(\d{1,2}):?(\d{2})?$")


def _offset(text: str) -> timedelta | None:
    match = _OFFSET.match(text.strip())
    if not match:
        return None
    size = timedelta(hours=int(match[2]), minutes=int(match[3] or 0))
    return -size if match[1] == "-" else size


def _vcal_zone(calendar: Any) -> FixedPeriods | None:
    """vCalendar 1.0's ``TZ:+01`` and ``DAYLIGHT:TRUE;+02;begin;end;...`` as a zone."""
    standard = _offset(str(calendar.get("TZ", "")))
    if standard is None:
        return None
    periods = []
    found = calendar.get("DAYLIGHT")
    for entry in found if isinstance(found, list) else [found] if found is not None else []:
        parts = str(entry).split(";")
        if len(parts) < 4 or parts[0].strip().upper() != "TRUE":
            continue
        offset = _offset(parts[1])
        begin, end = _vcal_instant(parts[2], standard), _vcal_instant(parts[3], standard)
        if offset is not None and begin and end:
            periods.append((begin, end, offset))
    return FixedPeriods(standard, periods)


def _vcal_instant(text: str, standard: timedelta) -> datetime | None:
    word = text.strip().upper()
    try:
        value = datetime.strptime(word.rstrip("Z"), "%Y%m%dT%H%M%S")
    except ValueError:
        return None
    return (value if word.endswith("Z") else value - standard).replace(tzinfo=UTC)


def vcal_rule(raw: str) -> tuple[str | None, str | None]:
    """(RFC 5545 rule, None) for a vCalendar 1.0 rule, or (None, why it is not kept)."""
    try:
        return vcal_rules.convert(raw), None
    except vcal_rules.NotConvertible as exc:
        return None, (
            f"the vCalendar 1.0 repeat rule {raw.strip()!r} cannot be kept ({exc}); "
            "imported as a one-off event"
        )
