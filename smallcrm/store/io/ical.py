"""iCalendar (RFC 5545) in and out: appointments, recurrences, time zones and invitations.

Parsing and writing use the ``icalendar`` library (imported only here), which resolves
``TZID``s through the system's zone database or the file's own VTIMEZONE definitions.

Reading: each VEVENT is one appointment. All-day events (``VALUE=DATE``) start at local
midnight; timed ones keep their instant (floating times are read as local time). RRULE and
EXDATE are kept (an UNTIL given as a date is turned into the UTC instant the store's rules need);
an overridden occurrence (an event with RECURRENCE-ID) becomes its own appointment and an
exception of its series. A VALARM before the start becomes the reminder; an ATTENDEE whose email
belongs to a contact links the appointment to that contact. An event whose start, end, duration
or recurrence cannot be read is a problem of that event; a file that is cut short (no
END:VCALENDAR) or is no calendar at all is refused as a whole.

Writing: timed appointments are written in the local time zone (with its VTIMEZONE), so a weekly
9:00 meeting stays at 9:00 across daylight-saving changes in every calendar program, as it does
in smallcrm; all-day ones as dates. ``invitation`` writes one appointment with METHOD:REQUEST,
the organiser and the linked contact as attendee.
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any, TextIO

from smallcrm.store import appointments, clock
from smallcrm.store.errors import ValidationError
from smallcrm.store.records import Appointment

from .common import Problem
from .convert import Fields, add
from .ical_uid import smallcrm_uid
from .parsed import ParsedFile, SourceRecord
from .values import local_midnight

PRODID = "-//smallcrm//smallcrm//EN"
# Properties without which an event would be imported wrong; others are skipped with a warning.
CRITICAL = frozenset({"DTSTART", "DTEND", "DURATION", "RRULE", "EXDATE", "RECURRENCE-ID"})
_LINE_START = re.compile(r"^(BEGIN|END):(VCALENDAR|VEVENT)\s*$", re.IGNORECASE | re.MULTILINE)


def local_zone() -> tzinfo:
    """The machine's time zone as a zoneinfo zone (``TZ``, else /etc/localtime), else UTC."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    candidates = [os.environ.get("TZ", "").lstrip(":")]
    try:
        target = os.path.realpath("/etc/localtime")
        if "zoneinfo/" in target:
            candidates.append(target.split("zoneinfo/", 1)[1])
    except OSError:
        pass
    timezone_file = Path("/etc/timezone")
    if timezone_file.is_file():
        candidates.append(timezone_file.read_text(errors="replace").strip())
    for name in candidates:
        if name == "UTC" or (name and "/" in name):
            try:
                return ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return UTC


# --- reading -----------------------------------------------------------------------------------


def read_calendar(text: str) -> ParsedFile:
    """Every VEVENT of an iCalendar file as an appointment record."""
    _check_complete(text)
    starts = [m.start() for m in _LINE_START.finditer(text) if m[1].upper() == "BEGIN"]
    event_lines = [
        text.count("\n", 0, pos) + 1
        for pos in starts
        if text[pos : pos + 12].upper().startswith("BEGIN:VEVENT")
    ]
    # The library warns about guesses it makes (a vendor-prefixed TZID, ...): they become
    # warnings of the import rather than noise on the terminal.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        calendars = _parse(text)
        events = [e for cal in calendars for e in cal.walk("VEVENT")]
        overrides = _overrides(events)
        records = [
            _record(
                event,
                index + 1,
                event_lines[index] if index < len(event_lines) else None,
                overrides,
            )
            for index, event in enumerate(events)
        ]
    notes = [
        Problem("file", f"{n} {name} not imported (only events are)")
        for name, n in _other_components(calendars)
    ]
    notes += [Problem("file", str(w.message)) for w in caught]
    return ParsedFile("ics", "appointment", records, {"events": len(records)}, notes)


def _check_complete(text: str) -> None:
    depth = {"VCALENDAR": 0, "VEVENT": 0}
    for match in _LINE_START.finditer(text):
        depth[match[2].upper()] += 1 if match[1].upper() == "BEGIN" else -1
    if depth["VCALENDAR"] > 0 or depth["VEVENT"] > 0:
        raise ValidationError(
            "file", "ends before END:VCALENDAR or END:VEVENT: the file is cut short"
        )
    if depth["VCALENDAR"] < 0 or depth["VEVENT"] < 0:
        raise ValidationError("file", "has an END:VCALENDAR or END:VEVENT without its BEGIN")


def _parse(text: str) -> list[Any]:
    from icalendar import Calendar

    try:
        calendars = Calendar.from_ical(text, multiple=True)
    # The library raises ValueError for most malformed input, but fuzzed files have made it
    # raise IndexError, KeyError and others: any failure to parse means "not a calendar".
    except Exception as exc:  # noqa: BLE001
        raise ValidationError("file", f"is not a readable iCalendar file ({exc})") from None
    if not calendars:
        raise ValidationError("file", "holds no calendar (no BEGIN:VCALENDAR ... END:VCALENDAR)")
    return list(calendars)


def _other_components(calendars: list[Any]) -> list[tuple[str, int]]:
    counts: dict[str, int] = {}
    names = {"VTODO": "to-dos", "VJOURNAL": "journal entries", "VFREEBUSY": "free/busy blocks"}
    for calendar in calendars:
        for component in calendar.walk():
            if component.name in names:
                counts[names[component.name]] = counts.get(names[component.name], 0) + 1
    return sorted(counts.items())


def _overrides(events: list[Any]) -> dict[str, list[datetime]]:
    """Occurrences replaced by their own event (RECURRENCE-ID), by series UID."""
    found: dict[str, list[datetime]] = {}
    for event in events:
        recurrence = event.get("RECURRENCE-ID")
        uid = str(event.get("UID") or "")
        if recurrence is None or not uid or _broken(event, "RECURRENCE-ID"):
            continue
        try:
            found.setdefault(uid, []).append(_moment(recurrence.dt))
        except (AttributeError, TypeError, ValueError):
            continue
    return found


def _broken(event: Any, name: str) -> str | None:
    for prop, message in getattr(event, "errors", []):
        if prop == name:
            return str(message)
    return None


def _record(
    event: Any, number: int, line: int | None, overrides: dict[str, list[datetime]]
) -> SourceRecord:
    where = f"event {number}" + (f" (line {line})" if line else "")
    try:
        fields, warnings = _event_fields(event, overrides)
    except ValidationError as exc:
        problem = Problem(where, exc.message, exc.field, line)
        return SourceRecord(number, where, line, "appointment", None, problem)
    return SourceRecord(number, where, line, "appointment", fields, None, tuple(warnings))


def _event_fields(event: Any, overrides: dict[str, list[datetime]]) -> tuple[Fields, list[str]]:
    warnings: list[str] = []
    for prop, message in getattr(event, "errors", []):
        name = prop or _line_name(str(message))
        if name in CRITICAL:
            raise ValidationError(_FIELD_NAMES[name], f"{name} cannot be read: {message}")
        warnings.append(f"{name or 'a line'} ignored: {message}")
    fields: Fields = {}
    start_prop = event.get("DTSTART")
    if start_prop is None:
        raise ValidationError("starts_at", "the event has no DTSTART")
    start_value = _dt(start_prop, "starts_at")
    all_day = isinstance(start_value, date) and not isinstance(start_value, datetime)
    start = _moment(start_value)
    add(fields, "starts_at", start)
    add(fields, "all_day", all_day)
    end = _end(event, start_value, start, all_day)
    if end is not None:
        add(fields, "ends_at", end)
    title = _text(event, "SUMMARY")
    if not title:
        title = "(no title)"
        warnings.append("the event has no SUMMARY; titled '(no title)'")
    add(fields, "title", title)
    add(fields, "location", _text(event, "LOCATION"))
    add(fields, "notes", _text(event, "DESCRIPTION"))
    uid = _text(event, "UID")
    _recurrence(event, fields, start, uid, overrides, warnings)
    if event.get("RECURRENCE-ID") is not None and uid:
        uid = f"{uid}#{_moment(_dt(event['RECURRENCE-ID'], 'recurrence')).isoformat()}"
    if uid and len(uid) <= 300:
        add(fields, "uid", uid)
    reminder = _reminder(event)
    if reminder is not None:
        add(fields, "reminder_minutes", reminder)
    for email in _attendees(event):
        add(fields, "attendee", email)
    return fields, warnings


def _line_name(message: str) -> str | None:
    """The property name of a line the library could not parse (from its message)."""
    match = re.search(r"'([A-Za-z-]+)[;:=]", message)
    return match[1].upper() if match else None


_FIELD_NAMES = {
    "DTSTART": "starts_at",
    "DTEND": "ends_at",
    "DURATION": "ends_at",
    "RRULE": "rrule",
    "EXDATE": "exdates",
    "RECURRENCE-ID": "starts_at",
    "SUMMARY": "title",
}


def _dt(prop: Any, field_name: str) -> date | datetime:
    if isinstance(prop, list):
        raise ValidationError(field_name, f"is given {len(prop)} times in one event")
    try:
        value = prop.dt
    except Exception as exc:  # noqa: BLE001 - a broken property raises on access
        raise ValidationError(field_name, f"cannot be read ({exc})") from None
    if not isinstance(value, date):
        raise ValidationError(field_name, f"{value!r} is not a date or time")
    return value


def _moment(value: date | datetime) -> datetime:
    """An aware datetime: a date is local midnight, a floating time is local time."""
    if not isinstance(value, datetime):
        return local_midnight(value)
    if value.tzinfo is None:
        return clock.local(value)
    return value


def _end(event: Any, start_value: date, start: datetime, all_day: bool) -> datetime | None:
    end_prop = event.get("DTEND")
    if end_prop is not None:
        end = _moment(_dt(end_prop, "ends_at"))
    elif event.get("DURATION") is not None:
        length = event["DURATION"].dt
        if not isinstance(length, timedelta):
            raise ValidationError("ends_at", "DURATION is not a length of time")
        if all_day:
            end = local_midnight(start_value + timedelta(days=length.days))
        else:
            end = start + length
    else:
        return None
    if all_day and end <= local_midnight(start_value + timedelta(days=1)):
        return None  # a one-day event: smallcrm keeps no end for it
    if end < start:
        raise ValidationError("ends_at", "the event ends before it starts")
    return end


def _text(event: Any, name: str) -> str | None:
    value = event.get(name)
    if value is None:
        return None
    if isinstance(value, list):
        value = value[0] if value else ""
    text = str(value).strip()
    return text or None


def _recurrence(
    event: Any,
    fields: Fields,
    start: datetime,
    uid: str | None,
    overrides: dict,
    warnings: list[str],
) -> None:
    rule = event.get("RRULE")
    if isinstance(rule, list):
        rule = rule[0] if rule else None
    exdates: list[datetime] = []
    for group in _as_list(event.get("EXDATE")):
        for item in getattr(group, "dts", []):
            exdates.append(_moment(_dt(item, "exdates")))
    text = _rule_text(rule) if rule is not None else None
    if text is not None and _too_frequent(text, start):
        # Other calendars allow any rule; one file's odd event should not stop the others.
        warnings.append(f"RRULE {text} ignored: {appointments.TOO_FREQUENT}; kept as one event")
        return  # its EXDATEs went with the rule
    if text is not None:
        add(fields, "rrule", text)
        if uid and event.get("RECURRENCE-ID") is None:
            exdates += overrides.get(uid, [])
    if exdates:
        add(fields, "exdates", exdates)


def _too_frequent(text: str, start: datetime) -> bool:
    """Whether a rule repeats more often than the store allows (one it cannot read at all is
    left for the store to refuse, naming the problem)."""
    from dateutil.rrule import rrulestr

    try:
        rule = rrulestr(text, dtstart=start)
    except (ValueError, TypeError):
        return False
    return appointments.too_frequent(rule) is not None


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _rule_text(rule: Any) -> str:
    """The RRULE as text, with a date or floating UNTIL made a UTC instant."""
    from icalendar import vRecur

    parts = dict(rule)
    until = parts.get("UNTIL")
    if until:
        value = until[0]
        if not isinstance(value, datetime):
            value = local_midnight(value + timedelta(days=1)) - timedelta(seconds=1)
        elif value.tzinfo is None:
            value = clock.local(value)
        parts["UNTIL"] = [value.astimezone(UTC)]
    return vRecur(parts).to_ical().decode()


def _reminder(event: Any) -> int | None:
    for alarm in event.walk("VALARM"):
        trigger = alarm.get("TRIGGER")
        try:
            value = trigger.dt if trigger is not None else None
        except Exception:  # noqa: BLE001 - a broken TRIGGER is no reminder
            continue
        if isinstance(value, timedelta) and value <= timedelta(0):
            return min(int(-value.total_seconds() // 60), 60 * 24 * 30)
    return None


def _attendees(event: Any) -> list[str]:
    found = []
    for attendee in _as_list(event.get("ATTENDEE")):
        address = re.sub(r"^mailto:", "", str(attendee), flags=re.IGNORECASE).strip()
        if "@" in address:
            found.append(address.lower())
    return found


# --- writing -----------------------------------------------------------------------------------


def write_ics(out: TextIO, appointments: Iterable[Appointment], zone: tzinfo | None = None) -> int:
    """Write appointments as one iCalendar file; returns how many were written."""
    calendar, count = build_calendar(appointments, zone=zone)
    out.write(calendar.to_ical().decode("utf-8"))
    return count


def build_calendar(
    appointments: Iterable[Appointment],
    *,
    zone: tzinfo | None = None,
    method: str | None = None,
    attendees: dict[int, tuple[str, str]] | None = None,
    organizer: tuple[str, str | None] | None = None,
) -> tuple[Any, int]:
    """An icalendar ``Calendar`` of the appointments, with the VTIMEZONE they need."""
    from icalendar import Calendar

    zone = zone or local_zone()
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    count = 0
    for appointment in appointments:
        event = _event(appointment, zone)
        if organizer:
            event.add("organizer", f"mailto:{organizer[0]}", parameters=_cn(organizer[1]))
        if attendees and appointment.id in attendees:
            email, name = attendees[appointment.id]
            params = {
                "ROLE": "REQ-PARTICIPANT",
                "PARTSTAT": "NEEDS-ACTION",
                "RSVP": "TRUE",
                **_cn(name),
            }
            event.add("attendee", f"mailto:{email}", parameters=params)
        calendar.add_component(event)
        count += 1
    calendar.add_missing_timezones()
    return calendar, count


def _cn(name: str | None) -> dict[str, str]:
    return {"CN": name} if name else {}


def event_uid(appointment: Appointment) -> str:
    """The appointment's UID, or a stable one made from its id and creation time."""
    return appointment.uid or smallcrm_uid(appointment.id, appointment.tracking.created_at)


def _event(appointment: Appointment, zone: tzinfo) -> Any:
    from icalendar import Alarm, Event, vRecur

    event = Event()
    event.add("uid", event_uid(appointment))
    event.add("dtstamp", appointment.tracking.updated_at.astimezone(UTC))
    event.add("created", appointment.tracking.created_at.astimezone(UTC))
    event.add("last-modified", appointment.tracking.updated_at.astimezone(UTC))
    event.add("sequence", max(appointment.tracking.version - 1, 0))
    event.add("summary", appointment.title)
    start = appointment.starts_at.astimezone(zone)
    if appointment.all_day:
        # All-day entries are days of the local calendar (they start at local midnight).
        first = clock.local(appointment.starts_at).date()
        event.add("dtstart", first)
        event.add("dtend", _all_day_end(appointment, first))
    else:
        event.add("dtstart", start)
        if appointment.ends_at:
            event.add("dtend", appointment.ends_at.astimezone(zone))
    if appointment.rrule:
        event.add("rrule", vRecur.from_ical(appointment.rrule))
        if appointment.exdates:
            skipped = [
                clock.local(d).date() if appointment.all_day else d.astimezone(zone)
                for d in appointment.exdates
            ]
            event.add("exdate", skipped)
    if appointment.location:
        event.add("location", appointment.location)
    if appointment.notes:
        event.add("description", appointment.notes)
    if appointment.reminder_minutes is not None:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", appointment.title)
        alarm.add("trigger", timedelta(minutes=-appointment.reminder_minutes))
        event.add_component(alarm)
    return event


def _all_day_end(appointment: Appointment, first: date) -> date:
    """DTEND of an all-day event: the day after its last day (RFC 5545 ends are exclusive)."""
    if appointment.ends_at is None:
        return first + timedelta(days=1)
    end = clock.local(appointment.ends_at)
    last = end.date() if end.time() == datetime.min.time() else end.date() + timedelta(days=1)
    return max(last, first + timedelta(days=1))
