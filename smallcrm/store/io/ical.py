"""Reading iCalendar (RFC 5545) and vCalendar 1.0 files: each VEVENT is one appointment.

Parsing uses the ``icalendar`` library (imported only here and in the writer), which resolves
``TZID``s through the system's zone database or the file's own VTIMEZONE definitions. When an
event happens (its day or instant, its zone, its recurrence) is read by ``ical_event`` and
``ical_recur``; writing is ``ical_write``.

An overridden occurrence (an event with RECURRENCE-ID) becomes its own appointment and an
exception of its series. A VALARM before the start becomes the reminder; an ATTENDEE whose email
belongs to a contact links the appointment to that contact. An event whose start, end, duration
or recurrence cannot be read is a problem of that event; what is read but cannot be kept is a
warning of it; a file that is cut short (no END:VCALENDAR) or is no calendar at all is refused
as a whole.
"""

from __future__ import annotations

import re
import warnings
from datetime import timedelta
from typing import Any

from smallcrm.store.errors import ValidationError

from .common import Problem
from .convert import Fields, add
from .ical_event import FileClock, read_times
from .ical_recur import RawEvent, override_key, overrides, raw_events, read_recurrence, replaced
from .ical_write import PRODID, build_calendar, event_uid, write_ics
from .parsed import ParsedFile, SourceRecord

__all__ = ["PRODID", "build_calendar", "event_uid", "read_calendar", "write_ics"]

# Properties without which an event would be imported wrong; others are skipped with a warning.
CRITICAL = frozenset({"DTSTART", "DTEND", "DURATION", "RRULE", "EXDATE", "RECURRENCE-ID"})
# vCalendar 1.0 writes these in its own way; they are read from the file's text instead.
VCAL_RAW = frozenset({"RRULE", "EXDATE", "RDATE", "EXRULE"})
_LINE_START = re.compile(r"^(BEGIN|END):(VCALENDAR|VEVENT)\s*$", re.IGNORECASE | re.MULTILINE)


def read_calendar(text: str) -> ParsedFile:
    """Every VEVENT of an iCalendar file as an appointment record."""
    _check_complete(text)
    starts = [m.start() for m in _LINE_START.finditer(text) if m[1].upper() == "BEGIN"]
    event_lines = [
        text.count("\n", 0, pos) + 1
        for pos in starts
        if text[pos : pos + 12].upper().startswith("BEGIN:VEVENT")
    ]
    raw = raw_events(text)
    # The library warns about guesses it makes (a vendor-prefixed TZID, ...): they become
    # warnings of the import rather than noise on the terminal.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        calendars = _parse(text)
        clocks = [FileClock.of(cal) for cal in calendars]
        events = [
            (e, fc) for cal, fc in zip(calendars, clocks, strict=True) for e in cal.walk("VEVENT")
        ]
        replacing = overrides([e for e, _ in events])
        records = [
            _record(
                event,
                file_clock,
                raw[index] if index < len(raw) else RawEvent(),
                index + 1,
                event_lines[index] if index < len(event_lines) else None,
                replacing,
            )
            for index, (event, file_clock) in enumerate(events)
        ]
    notes = [
        Problem("file", f"{n} {name} not imported (only events are)")
        for name, n in _other_components(calendars)
    ]
    notes += [Problem("file", note) for fc in clocks for note in fc.notes]
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


def _record(
    event: Any,
    file_clock: FileClock,
    raw: RawEvent,
    number: int,
    line: int | None,
    replacing: dict[str, list[Any]],
) -> SourceRecord:
    where = f"event {number}" + (f" (line {line})" if line else "")
    try:
        fields, warnings = _event_fields(event, file_clock, raw, replacing)
    except ValidationError as exc:
        problem = Problem(where, exc.message, exc.field, line)
        return SourceRecord(number, where, line, "appointment", None, problem)
    return SourceRecord(number, where, line, "appointment", fields, None, tuple(warnings))


def _event_fields(
    event: Any, file_clock: FileClock, raw: RawEvent, replacing: dict[str, list[Any]]
) -> tuple[Fields, list[str]]:
    warnings = _library_errors(event, file_clock)
    times = read_times(event, file_clock)
    fields: Fields = {}
    add(fields, "starts_at", times.start)
    add(fields, "all_day", times.all_day)
    add(fields, "time_zone", times.zone)
    if times.end is not None:
        add(fields, "ends_at", times.end)
    title = _text(event, "SUMMARY")
    if not title:
        title = "(no title)"
        warnings.append("the event has no SUMMARY; titled '(no title)'")
    add(fields, "title", title)
    add(fields, "location", _text(event, "LOCATION"))
    add(fields, "notes", _text(event, "DESCRIPTION"))
    uid = _text(event, "UID")
    # A series skips the occurrences that other events of the file replace.
    moved = replaced(replacing, uid, times) if uid and "RECURRENCE-ID" not in event else []
    warnings += read_recurrence(event, raw, times, file_clock.vcal, fields, moved)
    if event.get("RECURRENCE-ID") is not None and uid:
        uid += override_key(event, times)
    if uid and len(uid) <= 300:
        add(fields, "uid", uid)
    reminder = _reminder(event)
    if reminder is not None:
        add(fields, "reminder_minutes", reminder)
    for email in _attendees(event):
        add(fields, "attendee", email)
    return fields, warnings


def _library_errors(event: Any, file_clock: FileClock) -> list[str]:
    """What icalendar could not parse: a problem of the event when it is about its time."""
    warnings = []
    for prop, message in getattr(event, "errors", []):
        name = prop or _line_name(str(message))
        if file_clock.vcal and name in VCAL_RAW:
            continue  # read from the file's own text
        if name in CRITICAL:
            raise ValidationError(_FIELD_NAMES[name], f"{name} cannot be read: {message}")
        warnings.append(f"{name or 'a line'} ignored: {message}")
    return warnings


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


def _text(event: Any, name: str) -> str | None:
    value = event.get(name)
    if value is None:
        return None
    if isinstance(value, list):
        value = value[0] if value else ""
    text = str(value).strip()
    return text or None


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
    value = event.get("ATTENDEE")
    for attendee in value if isinstance(value, list) else [value] if value is not None else []:
        address = re.sub(r"^mailto:", "", str(attendee), flags=re.IGNORECASE).strip()
        if "@" in address:
            found.append(address.lower())
    return found
