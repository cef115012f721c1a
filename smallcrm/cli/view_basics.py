"""What every record's shell views share: ISO times, authorship as JSON, who it is with."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from smallcrm.store import clock
from smallcrm.store import records as r


def iso(value: date | datetime | None) -> str | None:
    """ISO 8601 text; datetimes in the local zone with their offset, to the second."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return clock.local(value).isoformat(timespec="seconds")
    return value.isoformat()


def tracking_json(t: r.Tracking) -> dict[str, Any]:
    """Who created and last changed a record, when, and its version."""
    return {
        "created_at": iso(t.created_at),
        "created_by": t.created_by,
        "updated_at": iso(t.updated_at),
        "updated_by": t.updated_by,
        "version": t.version,
    }


def who(contact: str | None, account: str | None) -> str:
    """``Jana Novak (Acme GmbH)``, or whichever of the two is known."""
    if contact and account:
        return f"{contact} ({account})"
    return contact or account or ""
