"""How a case looks in the shell: JSON for scripts, a table row, one line."""

from __future__ import annotations

from typing import Any

from smallcrm.cli.output import Column
from smallcrm.cli.view_basics import iso, tracking_json, who
from smallcrm.store import records as r
from smallcrm.store.case_lists import age_text
from smallcrm.store.formats import when

CASE_COLUMNS = (
    Column("#", 6, "right"),
    Column("P", 6),
    Column("Status", 9),
    Column("Subject", 36),
    Column("Contact", 26),
    Column("Age", 5, "right"),
    Column("SLA", 12),
    Column("Owner", 12),
)


def status_text(c: r.Case) -> str:
    """``open``, ``waiting``, ``closed (duplicate)``."""
    return f"{c.status} ({c.close_reason})" if c.close_reason else c.status


def case_json(c: r.Case) -> dict[str, Any]:
    """A case for scripts."""
    return {
        "id": c.id,
        "number": c.id,
        "subject": c.subject,
        "description": c.description,
        "status": c.status,
        "close_reason": c.close_reason,
        "priority": c.priority,
        "type": c.case_type,
        "channel": c.channel,
        "owner": c.owner,
        "contact_id": c.contact_id,
        "contact": c.contact_name,
        "account_id": c.account_id,
        "account": c.account_name,
        "first_response_at": iso(c.first_response_at),
        "resolved_at": iso(c.resolved_at),
        "due_at": iso(c.due_at),
        "sla": {
            "target": c.sla.target,
            "state": c.sla.state,
            "minutes": c.sla.amount_minutes,
            "at_risk": c.sla.at_risk,
            "text": c.sla.text,
        },
        **tracking_json(c.tracking),
    }


def case_row(c: r.Case, pretty: bool) -> list[Any]:
    """A case as a table row."""
    return [
        c.id,
        c.priority,
        status_text(c),
        c.subject,
        who(c.contact_name, c.account_name),
        age_text(c),
        c.sla.text,
        c.owner,
    ]


def case_line(c: r.Case) -> str:
    """``case 12 (high, open) with Jana Novak (Acme GmbH): Sensor offline; 0h35 left``."""
    people = who(c.contact_name, c.account_name)
    head = f"case {c.id} ({c.priority}, {status_text(c)})"
    head += (f" with {people}" if people else "") + f": {c.subject}"
    parts = [head, f"{c.sla.target} {c.sla.text}"]
    if c.owner:
        parts.append(f"owner {c.owner}")
    if c.first_response_at:
        parts.append(f"first response {when(c.first_response_at)}")
    return "; ".join(parts)
