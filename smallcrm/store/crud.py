"""What every record type shares: authorship, optimistic locking, the trash and the audit trail.

Each change and its audit entry are written in one transaction by the caller's ``db.write()``.
"""

from __future__ import annotations

import getpass
import json
import os
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from smallcrm.store import clock, kinds
from smallcrm.store.db import Tx, sync_id_sequence
from smallcrm.store.errors import ConflictError, NotFoundError

KINDS = kinds.NAMES


TRACKING = ("created_at", "updated_at", "created_by", "updated_by", "version")

# An import writes its new records hidden, in the trash under this name with its batch's id
# (``deleted_by``), and makes them visible once the whole file is in: they are in no list, count
# or search before, and nobody can restore or change them (see ``store/io/staging.py``).
HIDDEN = "\x01import "


def hidden_by(batch_id: int) -> str:
    """The ``deleted_by`` of the records an import batch has written but not yet shown."""
    return f"{HIDDEN}{batch_id}"


def _visible_to(tx: Tx, row: Any) -> bool:
    """A live record, or one hidden by the import writing in ``tx``."""
    return row["deleted_at"] is None or (
        tx.hidden_by is not None and row["deleted_by"] == tx.hidden_by
    )


def is_live(tx: Tx, table: str, record_id: int) -> bool:
    """True if the record exists and is not in the trash (for links between records)."""
    row = tx.one(f"SELECT deleted_at, deleted_by FROM {table} WHERE id = :id", id=record_id)
    return row is not None and _visible_to(tx, row)


def now_utc() -> datetime:
    """The current time, timezone-aware UTC (the one clock's)."""
    return clock.now_utc()


def current_user() -> str:
    """Who is acting: ``SMALLCRM_USER``, else the OS login (the SSH user on a shared machine)."""
    name = os.environ.get("SMALLCRM_USER", "").strip()
    if name:
        return name
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def audit(
    tx: Tx, action: str, kind: str, record_id: int, changes: Mapping[str, Any], actor: str
) -> None:
    """Record who did what to which record; ``changes`` maps field to [old, new]."""
    payload = audit_payload(changes)
    tx.execute(
        "INSERT INTO audit_entry (at, actor, action, kind, record_id, changes) "
        "VALUES (:at, :actor, :action, :kind, :record_id, :changes)",
        at=now_utc(),
        actor=actor,
        action=action,
        kind=kind,
        record_id=record_id,
        changes=payload,
    )


def audit_payload(changes: Mapping[str, Any]) -> str:
    """The JSON an audit entry stores for ``changes`` ({field: [old, new]})."""
    return json.dumps(
        {key: [_jsonable(v) for v in pair] for key, pair in changes.items()},
        ensure_ascii=False,
        sort_keys=True,
    )


def _is_id(value: int) -> bool:
    from smallcrm.store.validate import MAX_ID

    return 0 < value <= MAX_ID


def fetch_row(tx: Tx, kind: str, record_id: int, *, trashed: bool = False) -> Any:
    """One row of a record table; NotFoundError if it is missing (or in the trash)."""
    assert kind in KINDS
    # A number no database integer holds names no record (and SQLite would refuse it).
    row = (
        tx.one(f"SELECT * FROM {kind} WHERE id = :id", id=record_id) if _is_id(record_id) else None
    )
    if row is not None and trashed:
        found = row["deleted_at"] is not None and not str(row["deleted_by"]).startswith(HIDDEN)
    else:
        found = row is not None and _visible_to(tx, row)
    if not found:
        where = "in the trash" if trashed else "with that id"
        raise NotFoundError(kind, f"{record_id} {where}".strip())
    return row


def insert_record(
    tx: Tx,
    kind: str,
    values: Mapping[str, Any],
    actor: str,
    extra_audit: Mapping[str, Any] | None = None,
) -> int:
    """Insert a new record with its tracking columns and audit its creation."""
    assert kind in KINDS
    now = now_utc()
    row = dict(values)
    row.update(created_at=now, updated_at=now, created_by=actor, updated_by=actor, version=1)
    if tx.hidden_by is not None:
        row.update(deleted_at=now, deleted_by=tx.hidden_by)
    record_id = tx.insert(kind, row)
    changes = {key: [None, value] for key, value in values.items() if value not in (None, "")}
    changes.update(extra_audit or {})
    audit(tx, "create" if tx.hidden_by is None else "import", kind, record_id, changes, actor)
    return record_id


def next_id(tx: Tx, kind: str) -> int:
    """The id the next new record of ``kind`` gets (ids are only handed out under the write
    lock, so reserving a range for ``insert_records`` is safe within one write transaction)."""
    assert kind in KINDS
    return int(tx.scalar(f"SELECT coalesce(max(id), 0) FROM {kind}")) + 1


def insert_records(
    tx: Tx,
    kind: str,
    rows: Sequence[tuple[int, Mapping[str, Any], Mapping[str, Any] | None]],
    actor: str,
) -> None:
    """Insert many new records at once: what ``insert_record`` does, row for row.

    Each row is ``(id, values, extra_audit)``; the ids come from ``next_id``. Used by imports,
    where one statement per table instead of three per record makes 100,000 records fast.
    """
    assert kind in KINDS
    now = now_utc()
    tracking = {
        "created_at": now,
        "updated_at": now,
        "created_by": actor,
        "updated_by": actor,
        "version": 1,
    }
    if tx.hidden_by is not None:
        tracking.update(deleted_at=now, deleted_by=tx.hidden_by)
    action = "create" if tx.hidden_by is None else "import"
    by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    entries = []
    for record_id, values, extra in rows:
        record = {**values, **tracking, "id": record_id}
        by_columns.setdefault(tuple(record), []).append(record)
        changes = {key: [None, value] for key, value in values.items() if value not in (None, "")}
        changes.update(extra or {})
        entries.append(
            {
                "at": now,
                "actor": actor,
                "action": action,
                "kind": kind,
                "record_id": record_id,
                "changes": audit_payload(changes),
            }
        )
    for names, records in by_columns.items():  # rows that give the same columns, together
        tx.executemany(
            f"INSERT INTO {kind} ({', '.join(names)}) VALUES ({', '.join(':' + n for n in names)})",
            records,
        )
    sync_id_sequence(tx, kind)
    tx.executemany(
        "INSERT INTO audit_entry (at, actor, action, kind, record_id, changes) "
        "VALUES (:at, :actor, :action, :kind, :record_id, :changes)",
        entries,
    )


def update_record(
    tx: Tx,
    kind: str,
    record_id: int,
    expected_version: int | None,
    changes: Mapping[str, Any],
    actor: str,
    *,
    action: str = "update",
    extra_audit: Mapping[str, Any] | None = None,
) -> dict[str, list[Any]]:
    """Apply ``changes`` if nobody saved the record since ``expected_version`` was read.

    ``expected_version`` None means "whatever is there now" (for one-shot shell commands that
    read and write in this same transaction). Returns the fields that really changed.
    """
    assert kind in KINDS
    current = fetch_row(tx, kind, record_id)
    if expected_version is not None and current["version"] != expected_version:
        raise ConflictError(kind, record_id, expected_version, current["version"])
    diff = {key: [current[key], value] for key, value in changes.items() if current[key] != value}
    diff.update(extra_audit or {})
    if not diff:
        return {}
    sets = ", ".join(f"{key} = :{key}" for key in changes)
    count = tx.execute(
        f"UPDATE {kind} SET {sets}, updated_at = :_now, updated_by = :_actor, "
        f"version = version + 1 WHERE id = :_id AND version = :_version "
        "AND (deleted_at IS NULL OR deleted_by = :_hidden)",
        **changes,
        _hidden=tx.hidden_by,
        _now=now_utc(),
        _actor=actor,
        _id=record_id,
        _version=current["version"],
    )
    if count != 1:  # changed between our read and our write (only possible without a lock)
        raise ConflictError(kind, record_id, current["version"], None)
    audit(tx, action, kind, record_id, diff, actor)
    return diff


def touch_record(tx: Tx, kind: str, record_id: int, actor: str) -> None:
    """Bump a record's version for a change kept in another table (emails, phones)."""
    tx.execute(
        f"UPDATE {kind} SET updated_at = :now, updated_by = :actor, version = version + 1 "
        "WHERE id = :id",
        now=now_utc(),
        actor=actor,
        id=record_id,
    )


def trash_record(
    tx: Tx, kind: str, record_id: int, actor: str, expected_version: int | None = None
) -> None:
    """Move a record to the trash (recoverable with ``restore_record``)."""
    current = fetch_row(tx, kind, record_id)
    if expected_version is not None and current["version"] != expected_version:
        raise ConflictError(kind, record_id, expected_version, current["version"])
    tx.execute(
        f"UPDATE {kind} SET deleted_at = :now, deleted_by = :actor, version = version + 1 "
        "WHERE id = :id",
        now=now_utc(),
        actor=actor,
        id=record_id,
    )
    audit(tx, "delete", kind, record_id, {}, actor)


def restore_record(tx: Tx, kind: str, record_id: int, actor: str) -> None:
    """Bring a record back from the trash."""
    fetch_row(tx, kind, record_id, trashed=True)
    tx.execute(
        f"UPDATE {kind} SET deleted_at = NULL, deleted_by = NULL, updated_at = :now, "
        "updated_by = :actor, version = version + 1 WHERE id = :id",
        now=now_utc(),
        actor=actor,
        id=record_id,
    )
    audit(tx, "restore", kind, record_id, {}, actor)
