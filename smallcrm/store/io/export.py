"""Export every kind of record as CSV or JSON, contacts and accounts as vCards (an account as
an organisation's card), appointments as iCalendar.

Records are read a page at a time (each page its own short read transaction, see
``listing.iter_pages``) and written to the stream as they come, so an export of 100,000
contacts starts at once and holds no snapshot open while a slow reader drains it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import tzinfo
from typing import Any, TextIO

from smallcrm.store import (
    accounts,
    appointments,
    campaigns,
    case_lists,
    contacts,
    crud,
    interactions,
    opportunities,
    recurrence,
)
from smallcrm.store import records as r
from smallcrm.store.db import Database
from smallcrm.store.errors import ValidationError
from smallcrm.store.listing import ListQuery

from .common import Progress, Ticker, format_name, kind_name

TRACKING_COLUMNS = ["created_at", "created_by", "updated_at", "updated_by", "version"]
COLUMNS: dict[str, list[str]] = {
    "contact": [
        "id", "first_name", "last_name", "title", "account", "emails", "phones", "street",
        "postal_code", "city", "country", "birthday", "source", "owner", "tags", "notes",
        "external_id", "email_opt_in", "email_consent_at", "email_consent_source",
        "phone_opt_in", "phone_consent_at", "phone_consent_source", *TRACKING_COLUMNS,
    ],
    "account": [
        "id", "name", "industry", "website", "phone", "street", "postal_code", "city",
        "country", "owner", "tags", "notes", "external_id", *TRACKING_COLUMNS,
    ],
    "opportunity": [
        "id", "name", "account", "contact_email", "contact", "stage", "amount", "currency",
        "probability", "expected_close", "next_step", "lost_reason", "closed_on", "owner",
        *TRACKING_COLUMNS,
    ],
    "interaction": [
        "id", "kind", "direction", "subject", "body", "happened_at", "duration_minutes",
        "contact_email", "contact", "account", "opportunity_id", "follow_up_on",
        "follow_up_done", *TRACKING_COLUMNS,
    ],
    "appointment": [
        "id", "title", "starts_at", "ends_at", "all_day", "location", "notes", "contact_email",
        "contact", "account", "opportunity_id", "rrule", "exdates", "reminder_minutes", "uid",
        "owner", "time_zone", "rdates", *TRACKING_COLUMNS,
    ],
    "service_case": [
        "id", "subject", "description", "status", "close_reason", "priority", "case_type",
        "channel", "owner", "contact_email", "contact", "account", "first_response_at",
        "resolved_at", "sla", *TRACKING_COLUMNS,
    ],
    "campaign": [
        "id", "code", "name", "channel", "status", "starts_on", "ends_on", "budget", "cost",
        "owner", "notes", *TRACKING_COLUMNS,
    ],
}  # fmt: skip
_ITERATORS: dict[str, Callable[..., Iterator[Any]]] = {
    "contact": contacts.iter_contacts,
    "account": accounts.iter_accounts,
    "opportunity": opportunities.iter_opportunities,
    "interaction": interactions.iter_interactions,
    "appointment": appointments.iter_appointments,
    "service_case": case_lists.iter_cases,
    "campaign": campaigns.iter_campaigns,
}


def export_records(
    db: Database,
    kind: str,
    file_format: str,
    out: TextIO,
    *,
    query: ListQuery | None = None,
    progress: Progress | None = None,
    vcard_version: str = "4.0",
    zone: tzinfo | None = None,
) -> int:
    """Write the live records of ``kind`` to ``out``; returns how many were written.

    ``file_format`` is csv or json for every kind, vcard for contacts and accounts, ics for
    appointments.
    ``query`` narrows the records (same filters as the lists). ``progress(done, total)`` is
    called as records are written.
    """
    kind = kind_name(kind)
    file_format = format_name(file_format)
    _check_format(kind, file_format)
    query = query or ListQuery(limit=None)
    ticker = Ticker(progress, _count(db, kind))
    found = _counted(_ITERATORS[kind](db, query), ticker)
    if file_format == "vcard":
        from .vcard import write_vcards

        count = write_vcards(out, found, vcard_version)
    elif file_format == "ics":
        from .ical_write import write_ics

        count = write_ics(out, found, zone)
    elif file_format == "csv":
        from .csvio import write_csv

        count = write_csv(out, COLUMNS[kind], flat_records(db, kind, found, for_csv=True))
    else:
        from .jsonio import write_json

        count = write_json(out, kind, flat_records(db, kind, found), crud.now_utc())
    ticker.finish()
    return count


def _check_format(kind: str, file_format: str) -> None:
    if file_format == "vcard" and kind not in ("contact", "account"):
        raise ValidationError("format", "vCard holds contacts and accounts only; use csv or json")
    if file_format == "ics" and kind != "appointment":
        raise ValidationError("format", "iCalendar holds appointments only; use csv or json")


def _count(db: Database, kind: str) -> int:
    with db.read() as tx:
        return int(tx.scalar(f"SELECT count(*) FROM {kind} WHERE deleted_at IS NULL"))


def _counted(items: Iterable[Any], ticker: Ticker) -> Iterator[Any]:
    for item in items:
        yield item
        ticker.step()


# --- records as flat dicts ---------------------------------------------------------------------


def flat_records(
    db: Database, kind: str, found: Iterable[Any], *, for_csv: bool = False
) -> Iterator[dict[str, Any]]:
    """Records as dicts of plain values: for JSON (lists kept) or CSV (lists joined)."""
    linked = ("opportunity", "interaction", "appointment", "service_case")
    emails = _EmailLookup(db) if kind in linked else None
    for record in found:
        row = _FLATTEN[kind](record)
        if emails is not None:
            row["contact_email"] = emails.get(record.contact_id)
        row.update(_tracking(record.tracking))
        if for_csv:
            row = {key: _cell(value) for key, value in row.items()}
        yield row


def _cell(value: Any) -> Any:
    if isinstance(value, list):
        if value and isinstance(value[0], dict):
            return "; ".join(f"{item['label']}:{item['value']}" for item in value)
        return ", ".join(str(v) for v in value) if value else ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _tracking(tracking: r.Tracking) -> dict[str, Any]:
    return {
        "created_at": tracking.created_at,
        "created_by": tracking.created_by,
        "updated_at": tracking.updated_at,
        "updated_by": tracking.updated_by,
        "version": tracking.version,
    }


def _methods(methods: Iterable[r.ContactMethod]) -> list[dict[str, str]]:
    return [{"label": m.label, "value": m.value} for m in methods]


def _address(address: r.Address) -> dict[str, Any]:
    return {
        "street": address.street,
        "postal_code": address.postal_code,
        "city": address.city,
        "country": address.country,
    }


def _contact(c: r.Contact) -> dict[str, Any]:
    return {
        "id": c.id,
        "first_name": c.first_name,
        "last_name": c.last_name,
        "title": c.title,
        "account": c.account_name,
        "emails": _methods(c.emails),
        "phones": _methods(c.phones),
        **_address(c.address),
        "birthday": c.birthday,
        "source": c.source,
        "owner": c.owner,
        "tags": list(c.tags),
        "notes": c.notes,
        "external_id": c.external_id,
        "email_opt_in": c.email_consent.opt_in,
        "email_consent_at": c.email_consent.at,
        "email_consent_source": c.email_consent.source,
        "phone_opt_in": c.phone_consent.opt_in,
        "phone_consent_at": c.phone_consent.at,
        "phone_consent_source": c.phone_consent.source,
    }


def _account(a: r.Account) -> dict[str, Any]:
    return {
        "id": a.id,
        "name": a.name,
        "industry": a.industry,
        "website": a.website,
        "phone": a.phone,
        **_address(a.address),
        "owner": a.owner,
        "tags": list(a.tags),
        "notes": a.notes,
        "external_id": a.external_id,
    }


def _opportunity(o: r.Opportunity) -> dict[str, Any]:
    return {
        "id": o.id,
        "name": o.name,
        "account": o.account_name,
        "contact": o.contact_name,
        "stage": o.stage,
        "amount": str(o.amount),
        "currency": o.currency,
        "probability": o.probability,
        "expected_close": o.expected_close,
        "next_step": o.next_step,
        "lost_reason": o.lost_reason,
        "closed_on": o.closed_on,
        "owner": o.owner,
    }


def _interaction(i: r.Interaction) -> dict[str, Any]:
    return {
        "id": i.id,
        "kind": i.kind,
        "direction": i.direction,
        "subject": i.subject,
        "body": i.body,
        "happened_at": i.happened_at,
        "duration_minutes": i.duration_minutes,
        "contact": i.contact_name or None,
        "account": i.account_name,
        "opportunity_id": i.opportunity_id,
        "follow_up_on": i.follow_up_on,
        "follow_up_done": i.follow_up_done,
    }


def _appointment(a: r.Appointment) -> dict[str, Any]:
    return {
        "id": a.id,
        "title": a.title,
        # An all-day entry's days are written as dates: the same days in every zone.
        "starts_at": recurrence.day_of(a.starts_at) if a.all_day else a.starts_at,
        "ends_at": recurrence.day_of(a.ends_at) if a.all_day and a.ends_at else a.ends_at,
        "all_day": a.all_day,
        "location": a.location,
        "notes": a.notes,
        "contact": a.contact_name or None,
        "account": a.account_name,
        "opportunity_id": a.opportunity_id,
        "rrule": a.rrule,
        "exdates": [d.isoformat() for d in a.exdates],
        "reminder_minutes": a.reminder_minutes,
        "uid": a.uid,
        "owner": a.owner,
        "time_zone": a.time_zone,
        "rdates": [d.isoformat() for d in a.rdates],
    }


def _case(c: r.Case) -> dict[str, Any]:
    return {
        "id": c.id,
        "subject": c.subject,
        "description": c.description,
        "status": c.status,
        "close_reason": c.close_reason,
        "priority": c.priority,
        "case_type": c.case_type,
        "channel": c.channel,
        "owner": c.owner,
        "contact": c.contact_name or None,
        "account": c.account_name,
        "first_response_at": c.first_response_at,
        "resolved_at": c.resolved_at,
        "sla": f"{c.sla.target}: {c.sla.text}",
    }


def _campaign(c: Any) -> dict[str, Any]:
    money = {key: None if value is None else f"{value:.2f}" for key, value in (
        ("budget", c.budget), ("cost", c.cost)
    )}  # fmt: skip
    return {
        "id": c.id, "code": c.code, "name": c.name, "channel": c.channel, "status": c.status,
        "starts_on": c.starts_on, "ends_on": c.ends_on, **money, "owner": c.owner,
        "notes": c.notes,
    }  # fmt: skip


_FLATTEN: dict[str, Callable[[Any], dict[str, Any]]] = {
    "contact": _contact,
    "account": _account,
    "opportunity": _opportunity,
    "interaction": _interaction,
    "appointment": _appointment,
    "service_case": _case,
    "campaign": _campaign,
}


class _EmailLookup:
    """The first email of linked contacts, fetched once per contact (for re-importable files)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.cache: dict[int, str | None] = {}

    def get(self, contact_id: int | None) -> str | None:
        if contact_id is None:
            return None
        if contact_id not in self.cache:
            with self.db.read() as tx:
                self.cache[contact_id] = tx.scalar(
                    "SELECT value FROM contact_method WHERE contact_id = :id AND kind = 'email' "
                    "ORDER BY position LIMIT 1",
                    id=contact_id,
                )
        return self.cache[contact_id]


# --- one appointment as an invitation ---------------------------------------------------------


def invitation(
    db: Database,
    appointment_id: int,
    *,
    organizer_email: str | None = None,
    organizer_name: str | None = None,
    zone: tzinfo | None = None,
) -> str:
    """An .ics invitation (METHOD:REQUEST) for one appointment, to send to its contact.

    The linked contact's first email is the attendee and ``organizer_email`` the organiser
    (both only when known: a calendar program then shows accept/decline buttons).
    """
    from smallcrm.store import validate as v

    from .ical_write import build_calendar

    appointment = appointments.get_appointment(db, appointment_id)
    attendees: dict[int, tuple[str, str]] = {}
    if appointment.contact_id is not None:
        email = _EmailLookup(db).get(appointment.contact_id)
        if email:
            attendees[appointment.id] = (email, appointment.contact_name or "")
    organizer = None
    if organizer_email:
        organizer = (v.email("organizer", organizer_email), organizer_name)
    calendar, _count_ = build_calendar(
        [appointment], zone=zone, method="REQUEST", attendees=attendees, organizer=organizer
    )
    return calendar.to_ical().decode("utf-8")
