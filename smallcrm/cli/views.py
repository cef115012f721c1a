"""How each record looks in the shell: a JSON object with stable keys, a table row, one line.

JSON keys never change meaning: ids are numbers, dates ``YYYY-MM-DD``, times ISO 8601 with the
local UTC offset, amounts strings with two decimals (exact, unlike floats). People-facing text
always shows absolute dates (``Fri 2026-11-27 14:00``), as the date grammar echoes them, and
money, dates and phone numbers as ``smallcrm.store.formats`` writes them for every face.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from smallcrm.cli.appointment_time import span, when_json
from smallcrm.cli.campaign_views import campaign_json, campaign_line
from smallcrm.cli.case_views import CASE_COLUMNS, case_json, case_line, case_row  # noqa: F401
from smallcrm.cli.hit_views import HIT_COLUMNS, hit_json, hit_row, shell_kind  # noqa: F401
from smallcrm.cli.output import Column
from smallcrm.cli.view_basics import iso, who
from smallcrm.cli.view_basics import tracking_json as _tracking
from smallcrm.store import clock
from smallcrm.store import records as r
from smallcrm.store.formats import money, phone, when


def _address(a: r.Address) -> dict[str, Any]:
    return {
        "street": a.street,
        "postal_code": a.postal_code,
        "city": a.city,
        "country": a.country,
    }


def _consent(c: r.Consent) -> dict[str, Any]:
    return {"opt_in": c.opt_in, "at": iso(c.at), "source": c.source}


# --- JSON ----------------------------------------------------------------------------------------


def contact_json(c: r.Contact) -> dict[str, Any]:
    """A contact for scripts."""
    return {
        "id": c.id,
        "name": c.name,
        "first_name": c.first_name,
        "last_name": c.last_name,
        "title": c.title,
        "account_id": c.account_id,
        "account": c.account_name,
        "emails": [{"label": m.label, "value": m.value} for m in c.emails],
        "phones": [{"label": m.label, "value": m.value} for m in c.phones],
        "address": _address(c.address),
        "birthday": iso(c.birthday),
        "source": c.source,
        "owner": c.owner,
        "tags": list(c.tags),
        "notes": c.notes,
        "email_consent": _consent(c.email_consent),
        "phone_consent": _consent(c.phone_consent),
        "external_id": c.external_id,
        **_tracking(c.tracking),
        # Marketing's keys come only with a value: scripts reading the keys above see them
        # as they always were.
        **_given(lifecycle_stage=c.lifecycle_stage, source_campaign_id=c.source_campaign_id),
    }


def _given(**values: Any) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


def account_json(a: r.Account) -> dict[str, Any]:
    """An account for scripts."""
    return {
        "id": a.id,
        "name": a.name,
        "industry": a.industry,
        "website": a.website,
        "phone": a.phone,
        "address": _address(a.address),
        "owner": a.owner,
        "tags": list(a.tags),
        "notes": a.notes,
        "external_id": a.external_id,
        **_tracking(a.tracking),
    }


def opportunity_json(o: r.Opportunity) -> dict[str, Any]:
    """A deal (opportunity) for scripts."""
    return {
        "id": o.id,
        "name": o.name,
        "account_id": o.account_id,
        "account": o.account_name,
        "contact_id": o.contact_id,
        "contact": o.contact_name,
        "stage": o.stage,
        "amount": f"{o.amount:.2f}",
        "currency": o.currency,
        "probability": o.probability,
        "weighted_amount": f"{o.weighted_amount:.2f}",
        "expected_close": iso(o.expected_close),
        "next_step": o.next_step,
        "lost_reason": o.lost_reason,
        "closed_on": iso(o.closed_on),
        "owner": o.owner,
        "last_activity_at": iso(o.last_activity_at),
        **_tracking(o.tracking),
        **_given(campaign_id=o.campaign_id),
    }


def interaction_json(i: r.Interaction) -> dict[str, Any]:
    """A timeline entry for scripts."""
    return {
        "id": i.id,
        "kind": i.kind,
        "direction": i.direction,
        "subject": i.subject,
        "body": i.body,
        "happened_at": iso(i.happened_at),
        "duration_minutes": i.duration_minutes,
        "contact_id": i.contact_id,
        "contact": i.contact_name,
        "account_id": i.account_id,
        "account": i.account_name,
        "deal_id": i.opportunity_id,
        "case_id": i.case_id,
        "follow_up_on": iso(i.follow_up_on),
        "follow_up_done": i.follow_up_done,
        **_tracking(i.tracking),
    }


def appointment_json(a: r.Appointment) -> dict[str, Any]:
    """An appointment for scripts."""
    return {
        "id": a.id,
        "title": a.title,
        "starts_at": when_json(a.starts_at, a.all_day),
        "ends_at": when_json(a.ends_at, a.all_day),
        "all_day": a.all_day,
        "time_zone": a.time_zone,
        "location": a.location,
        "notes": a.notes,
        "contact_id": a.contact_id,
        "contact": a.contact_name,
        "account_id": a.account_id,
        "account": a.account_name,
        "deal_id": a.opportunity_id,
        "rrule": a.rrule,
        "reminder_minutes": a.reminder_minutes,
        "owner": a.owner,
        **_tracking(a.tracking),
    }


def occurrence_json(o: r.Occurrence) -> dict[str, Any]:
    """One occurrence of an appointment (recurring ones have several) for scripts."""
    return {
        "starts_at": when_json(o.starts_at, o.appointment.all_day),
        "ends_at": when_json(o.ends_at, o.appointment.all_day),
        "overlaps": o.overlaps,
        "appointment": appointment_json(o.appointment),
    }


# Each kind's record as JSON for scripts (``show --json``, ``edit --json``, ``list --json``).
JSON_OF: dict[str, Callable[[Any], dict[str, Any]]] = {
    "contact": contact_json,
    "account": account_json,
    "opportunity": opportunity_json,
    "interaction": interaction_json,
    "appointment": appointment_json,
    "service_case": case_json,
    "campaign": campaign_json,
}


# --- table rows ----------------------------------------------------------------------------------

CONTACT_COLUMNS = (
    Column("ID", 8, "right"),
    Column("Name", 30),
    Column("Title", 20),
    Column("Account", 28),
    Column("Email", 34),
    Column("Phone", 18),
    Column("Tags", 20),
)
ACCOUNT_COLUMNS = (
    Column("ID", 8, "right"),
    Column("Name", 32),
    Column("Industry", 20),
    Column("City", 16),
    Column("Phone", 18),
    Column("Website", 28),
    Column("Tags", 20),
)
OPPORTUNITY_COLUMNS = (
    Column("ID", 8, "right"),
    Column("Name", 30),
    Column("Account", 26),
    Column("Stage", 12),
    Column("Amount", 18, "right"),
    Column("Prob", 4, "right"),
    Column("Close", 14),
    Column("Owner", 12),
)
INTERACTION_COLUMNS = (
    Column("ID", 8, "right"),
    Column("When", 20),
    Column("Kind", 7),
    Column("With", 28),
    Column("Subject", 50),
    Column("Follow-up", 16),
)
APPOINTMENT_COLUMNS = (
    Column("ID", 8, "right"),
    Column("Starts", 20),
    Column("Ends", 20),
    Column("Title", 32),
    Column("With", 26),
    Column("Where", 24),
)


def _first(methods: Sequence[r.ContactMethod]) -> str | None:
    return methods[0].value if methods else None


def contact_row(c: r.Contact, pretty: bool) -> list[Any]:
    """A contact as a table row."""
    return [
        c.id,
        c.name,
        c.title,
        c.account_name,
        _first(c.emails),
        phone(_first(c.phones), pretty),
        " ".join(c.tags),
    ]


def account_row(a: r.Account, pretty: bool) -> list[Any]:
    """An account as a table row."""
    return [a.id, a.name, a.industry, a.address.city, phone(a.phone, pretty), a.website,
            " ".join(a.tags)]  # fmt: skip


def opportunity_row(o: r.Opportunity, pretty: bool) -> list[Any]:
    """A deal as a table row."""
    return [
        o.id,
        o.name,
        o.account_name,
        o.stage,
        money(o.amount, o.currency),
        f"{o.probability}%",
        when(o.expected_close),
        o.owner,
    ]


def follow_up_text(i: r.Interaction) -> str:
    """``Fri 2026-11-27`` or ``done`` for an interaction's follow-up; empty without one."""
    if i.follow_up_on is None:
        return ""
    return f"{when(i.follow_up_on)} done" if i.follow_up_done else when(i.follow_up_on)


def interaction_row(i: r.Interaction, pretty: bool) -> list[Any]:
    """A timeline entry as a table row."""
    return [
        i.id,
        when(i.happened_at),
        i.kind,
        who(i.contact_name, i.account_name),
        (f"[case {i.case_id}] " if i.case_id is not None else "")
        + (i.subject or (i.body or "").strip()),
        follow_up_text(i),
    ]


def appointment_row(a: r.Appointment, pretty: bool) -> list[Any]:
    """An appointment as a table row."""
    starts = when(clock.local(a.starts_at).date()) if a.all_day else when(a.starts_at)
    repeat = " (repeats)" if a.rrule else ""
    return [
        a.id,
        starts,
        "" if a.all_day else when(a.ends_at),
        a.title + repeat,
        who(a.contact_name, a.account_name),
        a.location,
    ]


# --- one line ----------------------------------------------------------------------------------


def _join(parts: Sequence[str | None]) -> str:
    return "; ".join(p for p in parts if p)


def contact_line(c: r.Contact) -> str:
    """``contact 12: Jana Novak, Buyer at Acme GmbH; jana@example.com; +49 30 1234567``."""
    role = " at ".join(p for p in (c.title, c.account_name) if p)
    head = f"contact {c.id}: {c.name}" + (f", {role}" if role else "")
    emails = ", ".join(m.value for m in c.emails)
    phones = ", ".join(phone(m.value, True) for m in c.phones)
    tags = "tags " + " ".join(c.tags) if c.tags else None
    return _join([head, emails, phones, tags])


def account_line(a: r.Account) -> str:
    """``account 3: Acme GmbH; Manufacturing; acme.example; +49 30 1234567``."""
    tags = "tags " + " ".join(a.tags) if a.tags else None
    return _join(
        [f"account {a.id}: {a.name}", a.industry, a.website, phone(a.phone, True),
         a.address.one_line(), tags]
    )  # fmt: skip


def opportunity_line(o: r.Opportunity) -> str:
    """``deal 4: Acme renewal; Acme GmbH; proposal (50%); 12,000.00 EUR; closes Thu ...``."""
    close = f"closes {when(o.expected_close)}" if o.expected_close else None
    return _join(
        [
            f"deal {o.id}: {o.name}",
            who(o.contact_name, o.account_name),
            f"{o.stage} ({o.probability}%)",
            money(o.amount, o.currency),
            close,
        ]
    )


def appointment_line(a: r.Appointment) -> str:
    """``appointment 5: Demo; Fri 2026-11-27 14:00-15:00; with Jana Novak; at Acme office``."""
    people = who(a.contact_name, a.account_name)
    return _join(
        [
            f"appointment {a.id}: {a.title}",
            span(a.starts_at, a.ends_at, a.all_day),
            f"with {people}" if people else None,
            f"at {a.location}" if a.location else None,
            f"repeats {a.rrule}" if a.rrule else None,
        ]
    )


def interaction_line(i: r.Interaction) -> str:
    """``call 33 with Jana Novak (Acme GmbH) on Wed 2026-11-25 16:00: Discussed renewal``."""
    people = who(i.contact_name, i.account_name)
    head = f"{i.kind} {i.id}" + (f" with {people}" if people else "")
    head += f" on {when(i.happened_at)}: {i.subject or (i.body or '').strip()}"
    follow = None
    if i.follow_up_on:
        follow = ("follow-up done " if i.follow_up_done else "follow up ") + when(i.follow_up_on)
    return _join([head, follow])


# Each kind's record on one line, as the shell confirms what it added or changed.
LINE_OF: dict[str, Callable[[Any], str]] = {
    "contact": contact_line,
    "account": account_line,
    "opportunity": opportunity_line,
    "interaction": interaction_line,
    "appointment": appointment_line,
    "service_case": case_line,
    "campaign": campaign_line,
}
