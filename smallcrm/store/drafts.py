"""Drafts: what a user has typed into a form and not yet saved, kept while typing.

A field worker's SSH connection drops in the middle of a form; the app dies with it. The form
writes its fields here a moment after each change, so the next start of the app (by the same
user: ``SMALLCRM_USER`` or the login name) offers them back. Saving or leaving the form removes
its draft. One draft per user and form (``contact:new``, ``deal:12``); a newer one replaces it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from smallcrm.store import clock
from smallcrm.store.crud import current_user
from smallcrm.store.db import Database, to_datetime

MAX_FIELDS_TEXT = 200_000  # a form's fields as JSON; more is not typing, it is a paste gone wrong


@dataclass(frozen=True)
class Draft:
    """A form's unsaved fields: which form (``kind:new`` or ``kind:id``), a title for people,
    the values by field id, and when they were kept."""

    form: str
    title: str
    fields: dict[str, Any]
    saved_at: datetime

    @property
    def kind(self) -> str:
        """The kind of record the form edits."""
        return self.form.partition(":")[0]

    @property
    def record_id(self) -> int | None:
        """The record being edited, or None for a new one."""
        tail = self.form.partition(":")[2]
        return int(tail) if tail.isdigit() else None


def form_key(kind: str, record_id: int | None) -> str:
    """The key of a form: ``contact:new`` or ``contact:12``."""
    return f"{kind}:{'new' if record_id is None else record_id}"


def keep(db: Database, form: str, title: str, fields: dict[str, Any]) -> None:
    """Keep (or replace) the current user's draft of ``form``."""
    text = json.dumps(fields, ensure_ascii=False, default=str)
    if len(text) > MAX_FIELDS_TEXT:
        return
    with db.write() as tx:
        tx.execute(
            "INSERT INTO form_draft (author, form, title, fields, saved_at) "
            "VALUES (:author, :form, :title, :fields, :at) "
            "ON CONFLICT (author, form) DO UPDATE SET title = excluded.title, "
            "fields = excluded.fields, saved_at = excluded.saved_at",
            author=current_user(),
            form=form[:80],
            title=title[:200],
            fields=text,
            at=clock.now_utc(),
        )


def discard(db: Database, form: str) -> None:
    """Forget the current user's draft of ``form`` (saved or left on purpose)."""
    with db.write() as tx:
        tx.execute(
            "DELETE FROM form_draft WHERE author = :author AND form = :form",
            author=current_user(),
            form=form,
        )


def pending(db: Database) -> list[Draft]:
    """The current user's drafts, newest first."""
    with db.read() as tx:
        rows = tx.all(
            "SELECT form, title, fields, saved_at FROM form_draft WHERE author = :author "
            "ORDER BY saved_at DESC",
            author=current_user(),
        )
    drafts = []
    for row in rows:
        try:
            fields = json.loads(row["fields"])
        except ValueError:
            continue  # not ours to show: a damaged row is skipped, not fatal
        if isinstance(fields, dict):
            drafts.append(Draft(row["form"], row["title"], fields, to_datetime(row["saved_at"])))
    return drafts
