"""Appointments: the calendar, with recurring entries expanded by ``dateutil.rrule``."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from smallcrm.store import clock, crud, records, rows
from smallcrm.store import validate as v
from smallcrm.store.db import Database, Tx
from smallcrm.store.errors import ValidationError
from smallcrm.store.kinds import Services
from smallcrm.store.listing import ListQuery, common_filters, iter_pages, order_by, window

SORTS = {"start": "p.starts_at", "title": "p.title", "location": "p.location"}
_SELECT = (
    "SELECT p.*, trim(c.first_name || ' ' || c.last_name) AS contact_name, "
    "a.name AS account_name FROM appointment p "
    "LEFT JOIN contact c ON c.id = p.contact_id LEFT JOIN account a ON a.id = p.account_id"
)
MAX_OCCURRENCES = 2000


def check_rrule(field: str, rule: str | None, start: datetime) -> str | None:
    """An RFC 5545 recurrence rule (``FREQ=WEEKLY;BYDAY=MO``), checked by parsing it."""
    if not rule:
        return None
    from dateutil.rrule import rrulestr

    text = rule.strip()
    if text.upper().startswith("RRULE:"):
        text = text[6:]
    try:
        rrulestr(text, dtstart=start)
    except (ValueError, TypeError) as exc:
        raise ValidationError(
            field, f"{rule!r} is not a recurrence rule like FREQ=WEEKLY;BYDAY=MO ({exc})"
        ) from None
    return text.upper()


def _aware(field: str, value: Any) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise ValidationError(field, "must be a date and time with a time zone")
    return value


def clean(values: Mapping[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """Validate appointment input; ``duration`` (timedelta) may stand for ``ends_at``."""
    data = dict(values)
    out: dict[str, Any] = {}
    if "title" in data or not partial:
        out["title"] = v.text("title", data.pop("title", None), required=True, max_length=300)
    if "starts_at" in data or not partial:
        start = _aware("starts_at", data.pop("starts_at", None))
        if start is None:
            raise ValidationError("starts_at", "is required: when does it start?")
        out["starts_at"] = start
    duration = data.pop("duration", None)
    if "ends_at" in data:
        out["ends_at"] = _aware("ends_at", data.pop("ends_at"))
    elif duration is not None:
        if "starts_at" not in out:
            raise ValidationError("duration", "needs the start time too")
        if not isinstance(duration, timedelta) or duration <= timedelta(0):
            raise ValidationError("duration", "must be a positive length of time like 1h")
        out["ends_at"] = out["starts_at"] + duration
    if out.get("ends_at") and out.get("starts_at") and out["ends_at"] < out["starts_at"]:
        raise ValidationError("ends_at", "is before the start")
    if "all_day" in data:
        out["all_day"] = bool(data.pop("all_day"))
    elif not partial:
        out["all_day"] = False
    for key, limit in (("location", 300), ("owner", 120), ("uid", 300)):
        if key in data:
            out[key] = v.text(key, data.pop(key), max_length=limit)
    if "notes" in data:
        out["notes"] = v.long_text("notes", data.pop("notes"))
    if "reminder_minutes" in data:
        out["reminder_minutes"] = v.whole_number(
            "reminder_minutes", data.pop("reminder_minutes"), low=0, high=60 * 24 * 30
        )
    for key in ("contact_id", "account_id", "opportunity_id", "rrule", "exdates"):
        if key in data:
            out[key] = data.pop(key)
    if "exdates" in out:
        out["exdates"] = (
            " ".join(d.astimezone(UTC).isoformat() for d in (out["exdates"] or ()))
            if not isinstance(out["exdates"], str)
            else out["exdates"]
        )
    if data:
        raise ValidationError(next(iter(data)), "is not an appointment field")
    return out


def _check(tx: Tx, data: dict[str, Any], current: Any | None) -> None:
    for key, table in (
        ("contact_id", "contact"),
        ("account_id", "account"),
        ("opportunity_id", "opportunity"),
    ):
        ref = data.get(key)
        if ref is not None and not crud.is_live(tx, table, ref):
            raise ValidationError(table, f"no {table} with id {ref}")
    if data.get("contact_id") is not None and data.get("account_id") is None and current is None:
        data["account_id"] = tx.scalar(
            "SELECT account_id FROM contact WHERE id = :id", id=data["contact_id"]
        )
    if "rrule" in data:
        start = data.get("starts_at") or (current and rows.appointment_start(current))
        data["rrule"] = check_rrule("rrule", data["rrule"], start)


def _get(tx: Tx, appointment_id: int, *, trashed: bool = False) -> records.Appointment:
    crud.fetch_row(tx, "appointment", appointment_id, trashed=trashed)
    return rows.appointment(tx.one(f"{_SELECT} WHERE p.id = :id", id=appointment_id))


def create_appointment_tx(tx: Tx, values: Mapping[str, Any], actor: str) -> int:
    """Create an appointment inside an open write transaction; returns its id."""
    data = clean(values)
    _check(tx, data, None)
    return crud.insert_record(tx, "appointment", data, actor)


def create_appointment(
    db: Database, actor: str | None = None, **values: Any
) -> records.Appointment:
    """Schedule an appointment and return it."""
    with db.write() as tx:
        appointment_id = create_appointment_tx(tx, values, actor or crud.current_user())
        return _get(tx, appointment_id)


def get_appointment(db: Database, appointment_id: int) -> records.Appointment:
    """One appointment by id."""
    with db.read() as tx:
        return _get(tx, appointment_id)


def update_appointment(
    db: Database,
    appointment_id: int,
    expected_version: int | None,
    /,
    actor: str | None = None,
    **changes: Any,
) -> records.Appointment:
    """Change an appointment if nobody saved it since ``expected_version``."""
    with db.write() as tx:
        update_appointment_tx(
            tx, appointment_id, expected_version, changes, actor or crud.current_user()
        )
        return _get(tx, appointment_id)


def update_appointment_tx(
    tx: Tx,
    appointment_id: int,
    expected_version: int | None,
    changes: Mapping[str, Any],
    actor: str,
    *,
    action: str = "update",
) -> bool:
    """Change an appointment inside an open write transaction; True if anything changed."""
    data = clean(changes, partial=True)
    current = crud.fetch_row(tx, "appointment", appointment_id)
    _check(tx, data, current)
    return bool(
        crud.update_record(
            tx, "appointment", appointment_id, expected_version, data, actor, action=action
        )
    )


def delete_appointment(
    db: Database,
    appointment_id: int,
    expected_version: int | None = None,
    actor: str | None = None,
) -> None:
    """Move an appointment to the trash."""
    with db.write() as tx:
        crud.trash_record(
            tx, "appointment", appointment_id, actor or crud.current_user(), expected_version
        )


def restore_appointment(
    db: Database, appointment_id: int, actor: str | None = None
) -> records.Appointment:
    """Bring an appointment back from the trash."""
    with db.write() as tx:
        crud.restore_record(tx, "appointment", appointment_id, actor or crud.current_user())
        return _get(tx, appointment_id)


def list_appointments(
    db: Database, query: ListQuery | None = None
) -> records.Page[records.Appointment]:
    """One page of appointments (as stored, recurrences not expanded) with the total."""
    query = query or ListQuery()
    where = common_filters(query, "p", "starts_at")
    if query.contact_id is not None:
        where.add("p.contact_id = :contact_id", contact_id=query.contact_id)
    if query.opportunity_id is not None:
        where.add("p.opportunity_id = :opportunity_id", opportunity_id=query.opportunity_id)
    limit_sql, limit_params = window(query)
    with db.read() as tx:
        found = tx.all(
            f"{_SELECT} {where.sql} {order_by(query, SORTS, 'start', 'p')}" + limit_sql,
            **where.params,
            **limit_params,
        )
        total = tx.scalar(f"SELECT count(*) FROM appointment p {where.sql}", **where.params)
    items = [rows.appointment(row) for row in found]
    return records.Page(items, total, query.offset, query.limit or len(items))


def iter_appointments(
    db: Database, query: ListQuery | None = None
) -> Iterator[records.Appointment]:
    """Every matching appointment, a page at a time."""
    return iter_pages(lambda q: list_appointments(db, q), query or ListQuery(limit=None))


def expand(
    appointment: records.Appointment, start: datetime, end: datetime
) -> list[tuple[datetime, datetime | None]]:
    """The (start, end) of each occurrence of an appointment that overlaps [start, end)."""
    length = (appointment.ends_at - appointment.starts_at) if appointment.ends_at else None
    if not appointment.rrule:
        first = appointment.starts_at
        last = appointment.ends_at or first
        hit = first < end and (last > start or first >= start)
        return [(first, appointment.ends_at)] if hit else []
    from dateutil.rrule import rrulestr

    # Expand on the business's wall clock so a weekly 9:00 stays at 9:00 across DST changes.
    rule = rrulestr(appointment.rrule, dtstart=clock.local(appointment.starts_at))
    skipped = set(appointment.exdates)
    window_start = start - (length or timedelta(0))
    result = []
    for occurrence in rule.xafter(window_start, count=MAX_OCCURRENCES, inc=True):
        if occurrence >= end:
            break
        if occurrence in skipped:
            continue
        result.append((occurrence, occurrence + length if length else None))
    return result


def occurrences(
    db: Database,
    start: datetime,
    end: datetime,
    *,
    contact_id: int | None = None,
    account_id: int | None = None,
) -> list[records.Occurrence]:
    """Every occurrence between start and end, recurring ones expanded, overlaps flagged."""
    where = [
        "p.deleted_at IS NULL",
        "p.starts_at < :end",
        "(p.rrule IS NOT NULL OR coalesce(p.ends_at, p.starts_at) >= :start)",
    ]
    params: dict[str, Any] = {"start": start, "end": end}
    for key, value in (("contact_id", contact_id), ("account_id", account_id)):
        if value is not None:
            where.append(f"p.{key} = :{key}")
            params[key] = value
    with db.read() as tx:
        found = [
            rows.appointment(r) for r in tx.all(f"{_SELECT} WHERE {' AND '.join(where)}", **params)
        ]
    spans = [(when, until, appt) for appt in found for when, until in expand(appt, start, end)]
    spans.sort(key=lambda item: (item[0], item[2].id))
    return _flag_overlaps(spans)


def _flag_overlaps(
    spans: list[tuple[datetime, datetime | None, records.Appointment]],
) -> list[records.Occurrence]:
    """Timed occurrences that share any minute are flagged (all-day ones never clash)."""
    clashing: set[int] = set()
    latest_end: datetime | None = None
    latest_index = -1
    for index, (when, until, appt) in enumerate(spans):
        if appt.all_day or until is None:
            continue
        if latest_end is not None and when < latest_end:
            clashing.update({index, latest_index})
        if latest_end is None or until > latest_end:
            latest_end, latest_index = until, index
    return [
        records.Occurrence(appt, when, until, overlaps=index in clashing)
        for index, (when, until, appt) in enumerate(spans)
    ]


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """Local midnight to midnight of a calendar day, as aware datetimes."""
    return clock.day_bounds(day)


@dataclass(frozen=True)
class ScheduleCheck:
    """What to tell someone who just booked an appointment: whether it starts in the past,
    and which occurrences of other appointments it overlaps."""

    in_past: bool
    overlaps: list[records.Occurrence]


def check_schedule(db: Database, appointment: records.Appointment) -> ScheduleCheck:
    """Whether ``appointment`` starts in the past and what it overlaps (same rule for the
    shell's notes and the app's)."""
    in_past = not appointment.all_day and appointment.starts_at < clock.now()
    if appointment.ends_at is None or appointment.all_day:
        return ScheduleCheck(in_past, [])
    clashes = [
        occ
        for occ in occurrences(db, appointment.starts_at, appointment.ends_at)
        if occ.appointment.id != appointment.id and occ.overlaps
    ]
    return ScheduleCheck(in_past, clashes)


def title(record: records.Appointment) -> str:
    """The words that name a appointment in messages."""
    return record.title


SERVICES: Services[records.Appointment] = Services(
    get=get_appointment,
    update=update_appointment,
    delete=delete_appointment,
    restore=restore_appointment,
    list=list_appointments,
    iter=iter_appointments,
    title=title,
)
