"""Reading the audit trail: the history of one record, and one entry by its id.

Every change is written to the table ``audit_entry`` by ``crud.audit`` in the transaction that
makes it (at, actor, action, kind, record_id, and the changes as JSON ``{field: [old, new]}``).
This module only reads it. ``kind`` is the table's name: ``contact``, ``account``,
``opportunity``, ``interaction``, ``appointment``, or ``import_batch`` for imports.
"""

from __future__ import annotations

import json
from typing import Any

from smallcrm.store.db import Database, to_datetime
from smallcrm.store.errors import NotFoundError
from smallcrm.store.records import AuditEntry


def history(
    db: Database, kind: str, record_id: int, *, limit: int | None = None
) -> list[AuditEntry]:
    """Every audit entry of one record, oldest first (the last ``limit`` when given).

    A record that was deleted for good, or erased, keeps its entries, so this works for ids
    that no longer name a record; an id with no entries gives an empty list.
    """
    sql = "SELECT * FROM audit_entry WHERE kind = :kind AND record_id = :record_id"
    params: dict[str, Any] = {"kind": kind, "record_id": record_id}
    if limit is not None:
        # The newest ``limit`` entries, then put back in order.
        sql = f"SELECT * FROM ({sql} ORDER BY id DESC LIMIT :limit) AS latest"
        params["limit"] = limit
    with db.read() as tx:
        rows = tx.all(sql + " ORDER BY id", **params)
    return [_entry(row) for row in rows]


def get_entry(db: Database, entry_id: int) -> AuditEntry:
    """One audit entry by its id (NotFoundError if there is none)."""
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
