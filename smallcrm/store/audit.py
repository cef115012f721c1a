"""Reading the audit trail: the history of one record, one entry by its id, the entries of a
record since a point, and a cheap marker that moves whenever anything at all changed.

Every change is written to the table ``audit_entry`` by ``crud.audit`` in the transaction that
makes it (at, actor, action, kind, record_id, and the changes as JSON ``{field: [old, new]}``).
This module only reads it. ``kind`` is the table's name: ``contact``, ``account``,
``opportunity``, ``interaction``, ``appointment``, or ``import_batch`` for imports.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from smallcrm.store import clock, formats
from smallcrm.store import kinds as registry
from smallcrm.store.db import Database, to_datetime
from smallcrm.store.errors import NotFoundError
from smallcrm.store.records import AuditEntry
from smallcrm.store.validate import MAX_ID


def history(
    db: Database, kind: str, record_id: int, *, limit: int | None = None
) -> list[AuditEntry]:
    """Every audit entry of one record, oldest first (the last ``limit`` when given).

    A record that was deleted for good, or erased, keeps its entries, so this works for ids
    that no longer name a record; an id with no entries gives an empty list.
    """
    if not 0 < record_id <= MAX_ID:
        return []  # no record ever had such an id
    sql = "SELECT * FROM audit_entry WHERE kind = :kind AND record_id = :record_id"
    params: dict[str, Any] = {"kind": kind, "record_id": record_id}
    if limit is not None:
        # The newest ``limit`` entries, then put back in order.
        sql = f"SELECT * FROM ({sql} ORDER BY id DESC LIMIT :limit) AS latest"
        params["limit"] = min(limit, MAX_ID)
    with db.read() as tx:
        rows = tx.all(sql + " ORDER BY id", **params)
    return [_entry(row) for row in rows]


def latest_entry_id(db: Database, kind: str, record_id: int) -> int:
    """The id of the newest audit entry of one record (0 if it has none).

    A form notes it when it opens, so a conflict on save can list exactly the changes made
    since (:func:`entries_since`). One lookup in ``ix_audit_entry_record``.
    """
    with db.read() as tx:
        value = tx.scalar(
            "SELECT max(id) FROM audit_entry WHERE kind = :kind AND record_id = :record_id",
            kind=kind,
            record_id=record_id,
        )
    return int(value or 0)


def entries_since(
    db: Database, kind: str, record_id: int, after_id: int, *, limit: int = 50
) -> list[AuditEntry]:
    """The entries of one record newer than entry ``after_id``, oldest first (at most ``limit``,
    the newest ones)."""
    with db.read() as tx:
        rows = tx.all(
            "SELECT * FROM (SELECT * FROM audit_entry WHERE kind = :kind "
            "AND record_id = :record_id AND id > :after ORDER BY id DESC LIMIT :limit) AS recent "
            "ORDER BY id",
            kind=kind,
            record_id=record_id,
            after=after_id,
            limit=limit,
        )
    return [_entry(row) for row in rows]


ChangeMarker = tuple[int, int]
RECENT_WINDOW = 64  # entries whose late commits the marker still notices (see latest_change)


def latest_change(db: Database) -> ChangeMarker:
    """A marker that differs whenever anything was created, changed or deleted since.

    Every change writes an audit entry in its own transaction, so the newest entry's id moves
    with every commit. On PostgreSQL ids come from a sequence and two transactions can commit
    out of id order (the higher id first); the number of entries among the last
    ``RECENT_WINDOW`` ids catches such a late commit too. Both are lookups on the primary key
    in one short read transaction, on SQLite and PostgreSQL alike (no PRAGMA data_version,
    which SQLite alone has).
    """
    with db.read() as tx:
        newest = int(tx.scalar("SELECT coalesce(max(id), 0) FROM audit_entry") or 0)
        recent = int(
            tx.scalar(
                "SELECT count(*) FROM audit_entry WHERE id > :floor",
                floor=newest - RECENT_WINDOW,
            )
            or 0
        )
    return newest, recent


def get_entry(db: Database, entry_id: int) -> AuditEntry:
    """One audit entry by its id (NotFoundError if there is none)."""
    row = None
    if 0 < entry_id <= MAX_ID:
        with db.read() as tx:
            row = tx.one("SELECT * FROM audit_entry WHERE id = :id", id=entry_id)
    if row is None:
        raise NotFoundError("history entry", entry_id)
    return _entry(row)


def _entry(row: Any) -> AuditEntry:
    return AuditEntry(
        id=row["id"],
        at=to_datetime(row["at"]),
        actor=row["actor"],
        action=row["action"],
        kind=row["kind"],
        record_id=row["record_id"],
        changes=_changes(row["changes"]),
    )


def _changes(text: Any) -> dict[str, list[Any]]:
    """The stored JSON as ``{field: [old, new]}``; anything else (an erased entry) as {}."""
    try:
        value = json.loads(text or "{}")
    except (TypeError, ValueError):
        return {}
    if not isinstance(value, dict):
        return {}
    return {str(k): list(v) if isinstance(v, list) else [None, v] for k, v in value.items()}


# --- changes as people read them (the app's history screen and ``smallcrm history``) ---------


@dataclass(frozen=True)
class FieldChange:
    """One field of an audit entry, readable: ``old`` is None when there was no old value."""

    field: str
    old: str | None
    new: str


def readable_changes(
    kind: str, changes: dict[str, list[Any]], limit: int = 200
) -> list[FieldChange]:
    """An entry's ``{field: [old, new]}`` as labelled one-line texts (the field as the kinds
    registry names it), values clipped to ``limit`` characters; amounts kept in cents read as
    money (``amount: 16,000.00``). ``kind`` is the entry's kind (``import_batch`` too)."""
    readable = []
    for field, pair in changes.items():
        old, new = (list(pair) + [None, None])[:2]
        if field.endswith("_cents"):
            old, new = _cents(old), _cents(new)
        elif kind in registry.NAMES and field in registry.get(kind).seconds:
            old, new = _length(old), _length(new)
        name = _label(kind, field)
        shown_old = None if old in (None, "", []) else value_text(old, limit)
        readable.append(FieldChange(name, shown_old, value_text(new, limit)))
    return readable


def _label(kind: str, field: str) -> str:
    """A stored field's name as people read it in a history (``first name``)."""
    if kind in registry.NAMES:
        return registry.get(kind).label(field).lower()
    return registry.COMMON_LABELS.get(field, field.replace("_", " ")).lower()


def value_text(value: Any, limit: int = 200) -> str:
    """A stored value on one line, clipped (lists of words joined with commas)."""
    if value is None or value == "" or value == []:
        return "(empty)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        text = _moment(value)
    elif isinstance(value, list) and all(isinstance(v, str) for v in value):
        text = ", ".join(value)
    else:
        text = json.dumps(value, ensure_ascii=False)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _length(value: Any) -> Any:
    """Seconds as a length people read (``4h``, ``1h30``, ``0m``)."""
    if not isinstance(value, int) or isinstance(value, bool):
        return value
    hours, minutes = divmod(value // 60, 60)
    return (
        f"{hours}h{minutes:02d}" if hours and minutes else f"{hours}h" if hours else f"{minutes}m"
    )


_ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)$")


def _moment(text: str) -> str:
    """An instant stored as ISO text, as the business's clock shows it (``Thu 2026-12-03
    13:00``); any other text as it is."""
    if not _ISO_MOMENT.match(text):
        return text
    try:
        return formats.when(clock.local(datetime.fromisoformat(text)))
    except (ValueError, OverflowError):
        return text


def _cents(value: Any) -> Any:
    """A stored amount in cents as money (``1600000`` -> ``16,000.00``)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return formats.cents(value)
    return value
