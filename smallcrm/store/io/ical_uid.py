"""The UID an exported appointment gets when it has none (kept light: the importer needs it)."""

from __future__ import annotations

from datetime import UTC, datetime


def smallcrm_uid(appointment_id: int, created_at: datetime) -> str:
    """``appointment-12-20261125T150626Z@smallcrm``: stable for the life of the record."""
    return f"appointment-{appointment_id}-{created_at.astimezone(UTC):%Y%m%dT%H%M%SZ}@smallcrm"
