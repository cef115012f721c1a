"""An appointment as the iCalendar file a phone gets, and a phone's file as its values.

Written by the export's writer (``io.ical_write``: the appointment's own zone with its
VTIMEZONE, all-day entries as dates, recurrences with their skipped and extra days) and read by
the import's reader (``io.ical``), so an event that goes to a phone and comes back unchanged
gives the same values. A phone's file holds one event; a file that also overrides single
occurrences of a series keeps the series and says that the overrides were not kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from smallcrm.store.errors import ValidationError
from smallcrm.store.io.convert import Context, to_draft
from smallcrm.store.io.ical import build_calendar, read_calendar
from smallcrm.store.records import Appointment

# A phone's event replaces these; what it lacks is emptied (a field removed on the phone).
CLEARED: dict[str, Any] = {
    "ends_at": None,
    "location": None,
    "notes": None,
    "rrule": None,
    "exdates": [],
    "rdates": [],
    "reminder_minutes": None,
}


@dataclass
class PhoneEvent:
    """What a phone's event says: values for ``appointments.clean`` and its UID."""

    values: dict[str, Any]
    uid: str | None
    extra: None = None  # nothing of an event is kept beside its values
    company: None = None
    warnings: list[str] = field(default_factory=list)


def event_bytes(appointment: Appointment, extra: str | None = None) -> bytes:
    """The appointment as one iCalendar file (``extra`` is unused: see ``PhoneEvent``)."""
    calendar, _count = build_calendar([appointment])
    return bytes(calendar.to_ical())


def read_event(data: bytes) -> PhoneEvent:
    """A phone's event as appointment values (ValidationError naming what cannot be read)."""
    parsed = read_calendar(data.decode("utf-8", errors="replace"))
    records = list(parsed.records)
    if not records:
        raise ValidationError("event", "the file holds no event")
    uids = {_uid(r.fields) for r in records if r.fields}
    if len(uids) > 1:  # CalDAV keeps one event (and its changed occurrences) per file
        raise ValidationError("event", f"the file holds {len(uids)} events, not one")
    record = records[0]
    if record.problem is not None:
        raise ValidationError("event", f"{record.problem.where}: {record.problem.reason}")
    assert record.fields is not None  # a record without a problem has its fields
    draft = to_draft("appointment", record.fields, Context("phone"))
    values = {**CLEARED, **draft.values}
    uid = values.pop("uid", None)
    warnings = list(record.warnings)
    if len(records) > 1:
        warnings.append(f"{len(records) - 1} changed occurrences of the series were not kept")
    return PhoneEvent(values, uid, warnings=warnings)


def _uid(fields: Any) -> str | None:
    items = fields.get("uid") or ()
    return str(items[0].value) if items else None
