"""A contact's or an account's timeline: what was logged with them and the service cases they
opened, newest first, as the shell's ``show`` and the app's record view list it.

An interaction logged on a case is in it as itself (and says which case); the case is in it
once, at the moment it was opened.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from smallcrm.store import case_lists, interactions, records
from smallcrm.store.db import Database
from smallcrm.store.listing import ListQuery


@dataclass(frozen=True)
class Entry:
    """One line of a timeline: an interaction, or a case being opened."""

    at: datetime
    interaction: records.Interaction | None = None
    case: records.Case | None = None

    @property
    def kind(self) -> str:
        """The record kind the entry opens: ``interaction`` or ``service_case``."""
        return "interaction" if self.interaction is not None else "service_case"

    @property
    def record_id(self) -> int:
        """The id of the record the entry opens."""
        record = self.interaction or self.case
        assert record is not None
        return record.id


def timeline(
    db: Database, *, contact_id: int | None = None, account_id: int | None = None, limit: int = 20
) -> list[Entry]:
    """The latest ``limit`` entries of a contact's or an account's timeline, newest first."""
    logged = interactions.timeline(db, contact_id=contact_id, account_id=account_id, limit=limit)
    query = ListQuery(
        contact_id=contact_id, account_id=account_id, limit=limit, sort="created", descending=True
    )
    opened = case_lists.list_cases(db, query).items
    entries = [Entry(i.happened_at, interaction=i) for i in logged]
    entries += [Entry(c.tracking.created_at, case=c) for c in opened]
    entries.sort(key=lambda e: (e.at, e.kind == "service_case"), reverse=True)
    return entries[:limit]
