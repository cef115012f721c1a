"""Turning database rows into the plain records of ``records.py``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from smallcrm.store import records as r
from smallcrm.store import recurrence
from smallcrm.store.db import to_date, to_datetime


def tracking(row: Any) -> r.Tracking:
    """The authorship and version columns of a row."""
    return r.Tracking(
        created_at=to_datetime(row["created_at"]),
        updated_at=to_datetime(row["updated_at"]),
        created_by=row["created_by"],
        updated_by=row["updated_by"],
        version=row["version"],
        deleted_at=to_datetime(row["deleted_at"]),
    )


def address(row: Any) -> r.Address:
    """The address columns of a row."""
    return r.Address(row["street"], row["postal_code"], row["city"], row["country"])


def tag_tuple(value: str | None) -> tuple[str, ...]:
    """Stored space-separated tags as a tuple."""
    return tuple((value or "").split())


def account(row: Any) -> r.Account:
    """An account row as a record."""
    return r.Account(
        id=row["id"],
        name=row["name"],
        industry=row["industry"],
        website=row["website"],
        phone=row["phone"],
        address=address(row),
        owner=row["owner"],
        tags=tag_tuple(row["tags"]),
        notes=row["notes"],
        tracking=tracking(row),
        external_id=row["external_id"],
    )


def contact(row: Any, methods: list[r.ContactMethod]) -> r.Contact:
    """A contact row (joined with ``account_name``) and its methods as a record."""
    return r.Contact(
        id=row["id"],
        first_name=row["first_name"],
        last_name=row["last_name"],
        title=row["title"],
        account_id=row["account_id"],
        account_name=row["account_name"],
        methods=tuple(methods),
        address=address(row),
        birthday=to_date(row["birthday"]),
        source=row["source"],
        owner=row["owner"],
        tags=tag_tuple(row["tags"]),
        notes=row["notes"],
        email_consent=_consent(row, "email"),
        phone_consent=_consent(row, "phone"),
        tracking=tracking(row),
        external_id=row["external_id"],
        lifecycle_stage=_optional(row, "lifecycle_stage"),
        source_campaign_id=_optional(row, "source_campaign_id"),
    )


def _optional(row: Any, column: str) -> Any:
    """A column some queries of the row leave out (None then)."""
    return row[column] if column in row.keys() else None


def _consent(row: Any, channel: str) -> r.Consent:
    opt_in = row[f"{channel}_opt_in"]
    return r.Consent(
        opt_in=None if opt_in is None else bool(opt_in),
        at=to_datetime(row[f"{channel}_consent_at"]),
        source=row[f"{channel}_consent_source"],
    )


def interaction(row: Any) -> r.Interaction:
    """An interaction row (joined with contact and account names) as a record."""
    return r.Interaction(
        id=row["id"],
        kind=row["kind"],
        direction=row["direction"],
        subject=row["subject"],
        body=row["body"],
        happened_at=to_datetime(row["happened_at"]),
        duration_minutes=row["duration_minutes"],
        contact_id=row["contact_id"],
        contact_name=row["contact_name"],
        account_id=row["account_id"],
        account_name=row["account_name"],
        opportunity_id=row["opportunity_id"],
        follow_up_on=to_date(row["follow_up_on"]),
        follow_up_done=bool(row["follow_up_done"]),
        tracking=tracking(row),
        case_id=row["case_id"] if "case_id" in row.keys() else None,
    )


def opportunity(row: Any) -> r.Opportunity:
    """An opportunity row (joined with names and last activity) as a record."""
    keys = row.keys()
    return r.Opportunity(
        id=row["id"],
        name=row["name"],
        account_id=row["account_id"],
        account_name=row["account_name"],
        contact_id=row["contact_id"],
        contact_name=row["contact_name"],
        stage=row["stage"],
        amount=Decimal(row["amount_cents"]) / 100,
        currency=row["currency"],
        probability=row["probability"],
        expected_close=to_date(row["expected_close"]),
        next_step=row["next_step"],
        lost_reason=row["lost_reason"],
        closed_on=to_date(row["closed_on"]),
        owner=row["owner"],
        tracking=tracking(row),
        last_activity_at=to_datetime(row["last_activity_at"])
        if "last_activity_at" in keys
        else None,
        campaign_id=_optional(row, "campaign_id"),
    )


def appointment(row: Any) -> r.Appointment:
    """An appointment row (joined with names) as a record; an all-day one's stored 00:00 UTC
    of its days becomes the business's midnight of the same days."""
    all_day = bool(row["all_day"])
    starts_at, ends_at = to_datetime(row["starts_at"]), to_datetime(row["ends_at"])
    if all_day:
        starts_at = recurrence.local_midnight(starts_at.date())
        ends_at = recurrence.local_midnight(ends_at.date()) if ends_at else None
    return r.Appointment(
        id=row["id"],
        title=row["title"],
        starts_at=starts_at,
        ends_at=ends_at,
        all_day=all_day,
        location=row["location"],
        notes=row["notes"],
        contact_id=row["contact_id"],
        contact_name=row["contact_name"],
        account_id=row["account_id"],
        account_name=row["account_name"],
        opportunity_id=row["opportunity_id"],
        rrule=row["rrule"],
        exdates=recurrence.parse_moments(row["exdates"]),
        reminder_minutes=row["reminder_minutes"],
        owner=row["owner"],
        tracking=tracking(row),
        uid=row["uid"],
        time_zone=row["time_zone"],
        rdates=recurrence.parse_moments(row["rdates"]),
    )


def appointment_start(row: Any) -> Any:
    """The start of a stored appointment row as an aware datetime."""
    return to_datetime(row["starts_at"])


def case(row: Any, sla: r.CaseStanding) -> r.Case:
    """A case row (joined with contact and account names) as a record."""
    return r.Case(
        id=row["id"],
        subject=row["subject"],
        description=row["description"],
        status=row["status"],
        close_reason=row["close_reason"],
        priority=row["priority"],
        case_type=row["case_type"],
        channel=row["channel"],
        owner=row["owner"],
        contact_id=row["contact_id"],
        contact_name=row["contact_name"],
        account_id=row["account_id"],
        account_name=row["account_name"],
        first_response_at=to_datetime(row["first_response_at"]),
        resolved_at=to_datetime(row["resolved_at"]),
        due_at=to_datetime(row["due_at"]),
        sla=sla,
        tracking=tracking(row),
    )
