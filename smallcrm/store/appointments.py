"""Appointments: the calendar, with recurring entries expanded by ``dateutil.rrule``."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import partial
from typing import Any

from smallcrm.store import (
    appointment_sql,
    clock,
    crud,
    listing,
    positions,
    records,
    recurrence,
    rows,
)
from smallcrm.store import validate as v
from smallcrm.store.db import Database, Tx, to_datetime
from smallcrm.store.errors import ValidationError
from smallcrm.store.kinds import Services
from smallcrm.store.listing import ListQuery, common_filters, iter_pages, order_by, window

SORTS = {"start": "p.starts_at", "title": "p.title_key", "location": "p.location_key"}
_SELECT = appointment_sql.SELECT
_SOURCE = positions.Source("appointment", "p", _SELECT, SORTS, "start")
MAX_OCCURRENCES = recurrence.MAX_OCCURRENCES


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
    if recurrence.too_frequent(text):
        raise ValidationError(field, f"{rule!r} {recurrence.TOO_FREQUENT}")
    return text.upper()


def _when(field: str, value: Any) -> datetime | date | None:
    """A start or end: an aware date and time, or (for all-day entries) a day; within the
    dates the store keeps."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return v.day(field, value)
    return v.moment(field, value)


def _end(start: datetime | date, duration: timedelta) -> datetime | date | None:
    """The end ``duration`` after ``start``, within the dates the store keeps."""
    try:
        end = start + duration
    except OverflowError:
        raise ValidationError(
            "ends_at", f"ends after {v.LAST_DAY.isoformat()}, the last day of the calendar"
        ) from None
    return _when("ends_at", end)


def clean(values: Mapping[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """Validate appointment input; ``duration`` (timedelta) may stand for ``ends_at``.

    Starts, ends and skipped or extra dates take the stored shape of ``recurrence`` once it is
    known whether the entry is all-day (for a change that does not say, ``settle`` finishes it
    against the stored record). A new appointment's zone is the business's unless given.
    """
    data = dict(values)
    out: dict[str, Any] = {}
    if "title" in data or not partial:
        out["title"] = v.text("title", data.pop("title", None), required=True, max_length=300)
    if "all_day" in data:
        out["all_day"] = bool(data.pop("all_day"))
    elif not partial:
        out["all_day"] = False
    if "starts_at" in data or not partial:
        start = _when("starts_at", data.pop("starts_at", None))
        if start is None:
            raise ValidationError("starts_at", "is required: when does it start?")
        out["starts_at"] = start
    duration = data.pop("duration", None)
    if "ends_at" in data:
        out["ends_at"] = _when("ends_at", data.pop("ends_at"))
    elif duration is not None:
        if "starts_at" not in out:
            raise ValidationError("duration", "needs the start time too")
        if not isinstance(duration, timedelta) or duration <= timedelta(0):
            raise ValidationError("duration", "must be a positive length of time like 1h")
        out["ends_at"] = _end(out["starts_at"], duration)
    if "time_zone" in data:
        out["time_zone"] = recurrence.check_zone("time_zone", data.pop("time_zone"))
    elif not partial:
        out["time_zone"] = clock.zone_name()
    for key, limit in (("location", 300), ("owner", 120), ("uid", 300)):
        if key in data:
            out[key] = v.text(key, data.pop(key), max_length=limit)
    if "notes" in data:
        out["notes"] = v.long_text("notes", data.pop("notes"))
    if "reminder_minutes" in data:
        out["reminder_minutes"] = v.whole_number(
            "reminder_minutes", data.pop("reminder_minutes"), low=0, high=60 * 24 * 30
        )
    for key in ("contact_id", "account_id", "opportunity_id", "rrule", "exdates", "rdates"):
        if key in data:
            out[key] = data.pop(key)
    if data:
        raise ValidationError(next(iter(data)), "is not an appointment field")
    if "all_day" in out:
        settle(out, out["all_day"])
    return out


def settle(data: dict[str, Any], all_day: bool) -> None:
    """Give starts, ends and skipped or extra dates their stored shape (see ``recurrence``):
    instants for timed entries, 00:00 UTC of the day for all-day ones. Idempotent."""
    for key in ("starts_at", "ends_at"):
        value = data.get(key)
        if value is None:
            continue
        if all_day:
            data[key] = recurrence.day_start(recurrence.day_of(value))
        elif not isinstance(value, datetime):
            raise ValidationError(key, "must be a date and time with a time zone")
    start, end = data.get("starts_at"), data.get("ends_at")
    if start is not None and end is not None:
        if end < start:
            raise ValidationError("ends_at", "is before the start")
        if all_day and end == start:
            data["ends_at"] = None  # ends on the day it starts: a one-day entry
    for key in ("exdates", "rdates"):
        if key in data:
            data[key] = recurrence.moments_text(key, data[key], all_day)


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
    if current is not None:
        _against(data, current)
    _check_rule(data, current)


def _against(data: dict[str, Any], current: Any) -> None:
    """Finish a change against the stored record: its all-day flag, or the switch to or from
    all-day (the start, end and dates it keeps take the other shape: the business's day of
    an instant, the business's midnight of a day)."""
    was_all_day = bool(current["all_day"])
    all_day = data.get("all_day", was_all_day)
    if all_day != was_all_day:
        for key in ("starts_at", "ends_at", "exdates", "rdates"):
            if key not in data:
                data[key] = _switched(key, current[key], all_day)
    settle(data, all_day)


def _switched(key: str, stored: Any, all_day: bool) -> Any:
    if key in ("exdates", "rdates"):
        moments = recurrence.parse_moments(stored)
        return [clock.local(m) if isinstance(m, datetime) else m for m in moments]
    value = to_datetime(stored)
    if value is None:
        return None
    if not all_day:
        return recurrence.local_midnight(recurrence.day_of(value))
    local = clock.local(value)
    if key == "ends_at" and local.time() != time(0):
        return local.date() + timedelta(days=1)  # the day it ends on is one of its days
    return local.date()


def _check_rule(data: dict[str, Any], current: Any | None) -> None:
    """The recurrence rule, checked, with its UNTIL in the shape the entry needs."""
    rule = data["rrule"] if "rrule" in data else current and current["rrule"]
    if not rule or not {"rrule", "all_day", "time_zone"} & data.keys():
        if "rrule" in data:
            data["rrule"] = None
        return
    stored = current if current is not None else {}
    all_day = bool(data["all_day"] if "all_day" in data else stored["all_day"])
    tz = recurrence.zone(data.get("time_zone") or stored["time_zone"])
    start = data.get("starts_at") or rows.appointment_start(current)
    data["rrule"] = check_rrule(
        "rrule",
        recurrence.normal_rule(str(rule), all_day, tz),
        recurrence.rule_start(start, all_day, tz),
    )


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
    """One page of appointments (as stored, recurrences not expanded) with the total.

    The page's ids are chosen first (``ids_first``), and a page past the middle is read from
    the end: a deep page costs an index walk, not two joins per skipped appointment.
    """
    query = query or ListQuery()
    window(query)  # refuses a bad offset or limit before anything is read
    with db.read() as tx:
        where = _where(query)
        stamp = None
        if len(where.parts) == 1:  # only "not in the trash": the count the triggers keep
            total, stamp = positions.counted(tx, "appointment")
        else:
            total = tx.scalar(f"SELECT count(*) FROM appointment p {where.sql}", **where.params)
        fallback = partial(listing.page_rows, tx, query, total, _page)
        found = positions.read_page(db, tx, _SOURCE, query, (total, stamp), fallback)
    items = [rows.appointment(row) for row in found]
    return records.Page(items, total, query.offset, query.limit or len(items))


def _where(query: ListQuery) -> listing.Where:
    where = common_filters(query, "p", "starts_at")
    if query.contact_id is not None:
        where.add("p.contact_id = :contact_id", contact_id=query.contact_id)
    if query.opportunity_id is not None:
        where.add("p.opportunity_id = :opportunity_id", opportunity_id=query.opportunity_id)
    return where


def _page(tx: Tx, query: ListQuery) -> list[Any]:
    """The rows of one page of appointments (``query`` as read, perhaps from the end)."""
    where = _where(query)
    order = order_by(query, SORTS, "start", "p")
    return tx.all(
        listing.ids_first(_SELECT, "appointment", "p", "", where, order),
        **where.params,
        **window(query)[1],
    )


def iter_appointments(
    db: Database, query: ListQuery | None = None
) -> Iterator[records.Appointment]:
    """Every matching appointment, a page at a time."""
    return iter_pages(lambda q: list_appointments(db, q), query or ListQuery(limit=None))


def expand(
    appointment: records.Appointment, start: datetime, end: datetime
) -> list[tuple[datetime, datetime | None]]:
    """The (start, end) of each occurrence of an appointment that overlaps [start, end), in
    the business's zone; series repeat on the appointment's own zone's clock (``recurrence``)."""
    return recurrence.expand(appointment, start, end)


def occurrences(
    db: Database,
    start: datetime,
    end: datetime,
    *,
    contact_id: int | None = None,
    account_id: int | None = None,
    user: str | None = None,
) -> list[records.Occurrence]:
    """Every occurrence between start and end, recurring ones expanded, overlaps flagged;
    only ``user``'s when given (an appointment is its owner's, else its creator's)."""
    # All-day entries are stored at 00:00 UTC of their days, up to 14 hours from the business's
    # midnight: the query reaches a day further each way and ``expand`` decides exactly. Extra
    # dates (RDATE) may come before the start, so such series are always expanded.
    params: dict[str, Any] = {"start": _moved(start, -1), "end": _moved(end, 1)}
    params["reach"] = _moved(params["start"], -appointment_sql.LONG.days)
    where = ["p.deleted_at IS NULL"]
    for key, value in (("contact_id", contact_id), ("account_id", account_id)):
        if value is not None:
            where.append(f"p.{key} = :{key}")
            params[key] = value
    if user is not None:  # before expanding: a day's brief need not expand everyone's series
        where.append("coalesce(p.owner, p.created_by) = :user")
        params["user"] = user
    linked = contact_id is not None or account_id is not None
    with db.read() as tx:
        sql = appointment_sql.overlapping(tx, where, linked=linked)
        found = [rows.appointment(r) for r in tx.all(sql, **params)]
    spans = [(when, until, appt) for appt in found for when, until in expand(appt, start, end)]
    spans.sort(key=lambda item: (item[0], item[2].id))
    return appointment_sql.flag_overlaps(spans)


def _moved(moment: datetime, days: int) -> datetime:
    try:
        return moment + timedelta(days=days)
    except OverflowError:
        return moment


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
