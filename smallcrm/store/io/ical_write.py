"""Writing appointments as iCalendar (RFC 5545) files and invitations.

A timed appointment is written in its own zone (``TZID`` plus the VTIMEZONE icalendar builds for
it), so a series repeats on the same wall clock in every calendar program as in smallcrm; one
in UTC is written in UTC. An all-day appointment is written as dates (``DTSTART;VALUE=DATE``,
and the day after its last as DTEND, which RFC 5545 ends exclude). Skipped days of a timed
series become the instants of that day's occurrences, which every program reads; extra
occurrences become RDATE. ``invitation`` writes one appointment with METHOD:REQUEST, the
organiser and the linked contact as attendee.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any, TextIO

from smallcrm.store import clock, recurrence
from smallcrm.store.records import Appointment

from .ical_uid import smallcrm_uid

PRODID = "-//smallcrm//smallcrm//EN"


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
    """An icalendar ``Calendar`` of the appointments, with the VTIMEZONEs they need
    (``zone``: write every timed appointment in that zone instead of its own)."""
    from icalendar import Calendar

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    count = 0
    # icalendar's VTIMEZONEs cover 1970-2037 unless told more; a few centuries at most, as a
    # definition grows with every change of the clocks it lists.
    years = [1970, 2037]
    for appointment in appointments:
        if not appointment.all_day:
            year = min(max(appointment.starts_at.year, 1800), 2199)
            years = [min(years[0], year), max(years[1], year + 1)]
        event = _event(appointment, zone or recurrence.zone(appointment.time_zone))
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
    calendar.add_missing_timezones(date(years[0], 1, 1), date(years[1] + 1, 1, 1))
    return calendar, count


def _cn(name: str | None) -> dict[str, str]:
    return {"CN": name} if name else {}


def event_uid(appointment: Appointment) -> str:
    """The appointment's UID, or a stable one made from its id and creation time."""
    return appointment.uid or smallcrm_uid(appointment.id, appointment.tracking.created_at)


@functools.cache
def _text_type() -> Any:
    from icalendar.prop import vText

    class Text(vText):
        """TEXT escaped as RFC 5545 says: icalendar's own escaping first turns a typed
        backslash and N into a line break, so a title ``\\N`` read back empty."""

        def to_ical(self) -> bytes:
            text = str(self).replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")
            return text.encode("utf-8")

    return Text


def _text(value: str) -> Any:
    """``value`` as an iCalendar TEXT that reads back as itself."""
    return _text_type()(value)


def _event(appointment: Appointment, zone: tzinfo) -> Any:
    from icalendar import Alarm, Event

    event = Event()
    event.add("uid", event_uid(appointment))
    event.add("dtstamp", appointment.tracking.updated_at.astimezone(UTC))
    event.add("created", appointment.tracking.created_at.astimezone(UTC))
    event.add("last-modified", appointment.tracking.updated_at.astimezone(UTC))
    event.add("sequence", max(appointment.tracking.version - 1, 0))
    event.add("summary", _text(appointment.title))
    if appointment.all_day:
        first = recurrence.day_of(appointment.starts_at)
        event.add("dtstart", first)
        if first < date.max:  # a one-day event needs no end (the last day has no day after)
            event.add("dtend", _all_day_end(appointment, first))
    else:
        event.add("dtstart", appointment.starts_at.astimezone(zone))
        if appointment.ends_at:
            event.add("dtend", appointment.ends_at.astimezone(zone))
    _recurrence(event, appointment, zone)
    if appointment.location:
        event.add("location", _text(appointment.location))
    if appointment.notes:
        event.add("description", _text(appointment.notes))
    if appointment.reminder_minutes is not None:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", _text(appointment.title))
        alarm.add("trigger", timedelta(minutes=-appointment.reminder_minutes))
        event.add_component(alarm)
    return event


def _recurrence(event: Any, appointment: Appointment, zone: tzinfo) -> None:
    from icalendar import vRecur

    if appointment.rrule:
        event.add("rrule", vRecur.from_ical(appointment.rrule))
    if appointment.all_day:
        skipped = [recurrence.day_of(m) for m in appointment.exdates]
        extra = [recurrence.day_of(m) for m in appointment.rdates]
    else:
        skipped = [m.astimezone(zone) for m in appointment.exdates if isinstance(m, datetime)]
        skipped = sorted({*skipped, *_skipped_days(appointment, zone)})
        extra = [_at_start_time(appointment, m, zone) for m in appointment.rdates]
    if skipped and (appointment.rrule or appointment.rdates):
        event.add("exdate", skipped)
    if extra:
        event.add("rdate", extra)


def _at_start_time(appointment: Appointment, moment: date | datetime, zone: tzinfo) -> datetime:
    """An extra occurrence of a timed series: an instant, or a day at the series' time."""
    if isinstance(moment, datetime):
        return moment.astimezone(zone)
    own = recurrence.zone(appointment.time_zone)
    wall = appointment.starts_at.astimezone(own).time()
    return clock.local_datetime(datetime.combine(moment, wall), own).astimezone(zone)


def _skipped_days(appointment: Appointment, zone: tzinfo) -> list[datetime]:
    """The instants of the occurrences a skipped day of a timed series removes (a skipped
    day is smallcrm's; other programs know skipped instants)."""
    own = recurrence.zone(appointment.time_zone)
    plain = replace(appointment, exdates=())
    found = []
    for day in sorted(m for m in appointment.exdates if not isinstance(m, datetime)):
        since = clock.local_datetime(datetime.combine(day, time(0)), own)
        for when, _ in recurrence.expand(plain, since, since + timedelta(days=1, hours=1)):
            if when.astimezone(own).date() == day:
                found.append(when.astimezone(zone))
    return found


def _all_day_end(appointment: Appointment, first: date) -> date:
    """DTEND of an all-day event: the day after its last day (RFC 5545 ends are exclusive)."""
    if appointment.ends_at is None:
        return first + timedelta(days=1)
    return max(recurrence.day_of(appointment.ends_at), first + timedelta(days=1))
