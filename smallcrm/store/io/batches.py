"""Import batches: each import is one batch, listed, and undone as a whole.

A batch lists every record it created and every record it changed, with the changed fields'
old values and the record's version right after the import. ``undo_import`` deletes the
records the batch created and puts the changed ones back, so long as nobody touched them since:
a created record changed (or linked to by another record) since the import goes to the trash
instead, where it can still be restored; a changed record edited since is left alone and named
in the report. One undo is one write transaction, like the import itself.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from smallcrm.store import crud, kinds
from smallcrm.store.db import Database, Tx, to_datetime
from smallcrm.store.errors import NotFoundError, ValidationError
from smallcrm.store.validate import MAX_ID

from .columns import column_types, from_json, to_json
from .common import Progress, Ticker
from .tables import tables

# Delete order: a record goes only after every record of the batch that points at it.
DELETE_ORDER = ("interaction", "appointment", "opportunity", "contact", "account")


@dataclass(frozen=True)
class Batch:
    """One import: when, by whom, from which file, and what it did."""

    id: int
    started_at: datetime
    finished_at: datetime | None
    actor: str
    source: str
    file_format: str
    kind: str
    created: int
    updated: int
    unchanged: int
    invalid: int
    undone_at: datetime | None
    undone_by: str | None
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def undone(self) -> bool:
        """True once the batch has been undone."""
        return self.undone_at is not None


@dataclass(frozen=True)
class UndoReport:
    """What ``undo_import`` did.

    ``deleted``: records the import created, now gone. ``trashed``: created records changed or
    linked to since the import, moved to the trash instead. ``restored``: changed records put
    back as they were. ``kept``: changed records edited again since, left as they are (one line
    each in ``notes``).
    """

    batch_id: int
    deleted: int
    trashed: int
    restored: int
    kept: int
    notes: tuple[str, ...] = ()

    def summary(self) -> str:
        """One line for the shell and the TUI."""
        parts = [f"{self.deleted} deleted", f"{self.restored} restored"]
        if self.trashed:
            parts.append(f"{self.trashed} moved to the trash (changed since the import)")
        if self.kept:
            parts.append(f"{self.kept} left as they are (edited since the import)")
        return f"import {self.batch_id} undone: " + ", ".join(parts)


def _batch(row: Any) -> Batch:
    return Batch(
        id=row["id"],
        started_at=to_datetime(row["started_at"]),
        finished_at=to_datetime(row["finished_at"]),
        actor=row["actor"],
        source=row["source"],
        file_format=row["file_format"],
        kind=row["kind"],
        created=row["created"],
        updated=row["updated"],
        unchanged=row["skipped"],
        invalid=row["invalid"],
        undone_at=to_datetime(row["undone_at"]),
        undone_by=row["undone_by"],
        details=json.loads(row["details"] or "{}"),
    )


def list_batches(db: Database, limit: int = 50) -> list[Batch]:
    """The latest imports, newest first (those still running are not listed)."""
    with db.read() as tx:
        found = tx.all(
            "SELECT * FROM import_batch WHERE finished_at IS NOT NULL ORDER BY id DESC LIMIT :n",
            n=min(limit, MAX_ID),
        )
    return [_batch(row) for row in found]


def get_batch(db: Database, batch_id: int) -> Batch:
    """One import batch (NotFoundError if there is none with that id)."""
    with db.read() as tx:
        return _get(tx, batch_id)


def _get(tx: Tx, batch_id: int) -> Batch:
    fits = 0 < batch_id <= MAX_ID  # a larger number names no import (and overflows SQLite)
    row = (
        tx.one("SELECT * FROM import_batch WHERE id = :id AND finished_at IS NOT NULL", id=batch_id)
        if fits
        else None
    )
    if row is None:  # none, or an import still running (no batch yet)
        raise NotFoundError("import", batch_id)
    return _batch(row)


# --- writing a batch (used by the importer, inside its transaction) ----------------------------


def start_batch_tx(tx: Tx, *, actor: str, source: str, file_format: str, kind: str) -> int:
    """Open a batch row; returns its id."""
    return tx.insert(
        "import_batch",
        {
            "started_at": crud.now_utc(),
            "actor": actor,
            "source": source[:500],
            "file_format": file_format,
            "kind": kind,
        },
    )


def add_items_tx(tx: Tx, batch_id: int, items: Iterable[Mapping[str, Any]]) -> None:
    """List records the batch created or changed: kind, record_id, action, version, before
    (``action`` ``pending``: a change the import applies when it is shown, ``updates.py``)."""
    tx.executemany(
        "INSERT INTO import_batch_item (batch_id, kind, record_id, action, version, before) "
        "VALUES (:batch_id, :kind, :record_id, :action, :version, :before)",
        [
            {
                "batch_id": batch_id,
                "kind": item["kind"],
                "record_id": item["record_id"],
                "action": item["action"],
                "version": item["version"],
                "before": _json(item.get("before")),
            }
            for item in items
        ],
    )


def _json(before: Any) -> str | None:
    """An item's ``before`` as stored: JSON (given as such, or made of the values)."""
    if before is None or isinstance(before, str):
        return before
    return json.dumps(before, default=to_json, ensure_ascii=False)


def finish_batch_tx(
    tx: Tx, batch_id: int, counts: Mapping[str, int], details: Mapping[str, Any], actor: str
) -> None:
    """Store the batch's counts and details, and its entry in the audit trail."""
    tx.execute(
        "UPDATE import_batch SET finished_at = :now, created = :created, updated = :updated, "
        "skipped = :unchanged, invalid = :invalid, details = :details WHERE id = :id",
        now=crud.now_utc(),
        created=counts.get("created", 0),
        updated=counts.get("updated", 0),
        unchanged=counts.get("unchanged", 0),
        invalid=counts.get("invalid", 0),
        details=json.dumps(details, default=to_json, ensure_ascii=False),
        id=batch_id,
    )
    row = tx.row("SELECT source, file_format, kind FROM import_batch WHERE id = :id", id=batch_id)
    summary = {key: [None, counts.get(key, 0)] for key in ("created", "updated", "invalid")}
    summary.update(
        source=[None, row["source"]], format=[None, row["file_format"]], kind=[None, row["kind"]]
    )
    crud.audit(tx, "import", "import_batch", batch_id, summary, actor)


# --- undo --------------------------------------------------------------------------------------


def undo_import(
    db: Database, batch_id: int, *, actor: str | None = None, progress: Progress | None = None
) -> UndoReport:
    """Undo an import: delete what it created, restore what it changed (see the module doc).

    Raises NotFoundError for an unknown batch and ValidationError for one undone already.
    """
    actor = actor or crud.current_user()
    with db.write() as tx:
        batch = _get(tx, batch_id)
        if batch.undone:
            raise ValidationError(
                "batch", f"import {batch_id} was undone already ({batch.undone_at:%Y-%m-%d %H:%M})"
            )
        if batch.file_format == "backup":
            report = undo_restore_tx(tx, batch, actor, progress)
        else:
            report = _undo_items(tx, batch_id, actor, progress)
        tx.execute(
            "UPDATE import_batch SET undone_at = :now, undone_by = :actor WHERE id = :id",
            now=crud.now_utc(),
            actor=actor,
            id=batch_id,
        )
        crud.audit(
            tx,
            "undo-import",
            "import_batch",
            batch_id,
            {
                "deleted": [None, report.deleted],
                "trashed": [None, report.trashed],
                "restored": [None, report.restored],
                "kept": [None, report.kept],
            },
            actor,
        )
        return report


def _undo_items(tx: Tx, batch_id: int, actor: str, progress: Progress | None) -> UndoReport:
    total = tx.scalar("SELECT count(*) FROM import_batch_item WHERE batch_id = :b", b=batch_id)
    ticker = Ticker(progress, total)
    notes: list[str] = []
    restored, kept = _restore_updated(tx, batch_id, actor, ticker, notes)
    deleted = trashed = 0
    for kind in DELETE_ORDER:
        gone, binned = _remove_created(tx, batch_id, kind, actor, ticker, notes)
        deleted += gone
        trashed += binned
    ticker.finish()
    return UndoReport(batch_id, deleted, trashed, restored, kept, tuple(notes))


def _restore_updated(
    tx: Tx, batch_id: int, actor: str, ticker: Ticker, notes: list[str]
) -> tuple[int, int]:
    restored = kept = 0
    types: dict[str, dict[str, str]] = {}
    items = tx.all(
        "SELECT * FROM import_batch_item WHERE batch_id = :b AND action = 'update' "
        "ORDER BY id DESC",
        b=batch_id,
    )
    for item in items:
        ticker.step()
        kind, record_id = item["kind"], item["record_id"]
        current = tx.one(f"SELECT version, deleted_at FROM {kind} WHERE id = :id", id=record_id)
        if current is None or current["deleted_at"] is not None:
            continue
        if current["version"] != item["version"]:
            kept += 1
            notes.append(f"{kind} {record_id} was edited after the import; left as it is")
            continue
        before = json.loads(item["before"] or "{}")
        stored = types.setdefault(kind, column_types(tx, kind))
        columns = {k: from_json(stored.get(k, "text"), v) for k, v in before["columns"].items()}
        if columns:
            crud.update_record(tx, kind, record_id, None, columns, actor, action="undo-import")
        if "methods" in before:
            _restore_methods(tx, record_id, before["methods"], actor)
        restored += 1
    return restored, kept


def _restore_methods(tx: Tx, contact_id: int, methods: list[list[str]], actor: str) -> None:
    from smallcrm.store.contacts import update_contact_tx
    from smallcrm.store.records import ContactMethod

    listed = [ContactMethod(kind, value, label) for kind, label, value in methods]
    update_contact_tx(
        tx,
        contact_id,
        None,
        {
            "emails": [m for m in listed if m.kind == "email"],
            "phones": [m for m in listed if m.kind == "phone"],
        },
        actor,
        action="undo-import",
    )


def _remove_created(
    tx: Tx, batch_id: int, kind: str, actor: str, ticker: Ticker, notes: list[str]
) -> tuple[int, int]:
    """Delete the batch's untouched new records of ``kind``; trash the touched ones."""
    untouched = (
        f"SELECT r.id FROM {kind} r JOIN import_batch_item i ON i.record_id = r.id "
        f"AND i.kind = '{kind}' AND i.action = 'create' AND i.batch_id = :b "
        "WHERE r.version = i.version AND r.deleted_at IS NULL"
    )
    for table, column in kinds.referenced_by(kind):
        untouched += f" AND NOT EXISTS (SELECT 1 FROM {table} x WHERE x.{column} = r.id)"
    deleted = tx.execute(f"DELETE FROM {kind} WHERE id IN ({untouched})", b=batch_id)
    ticker.step(max(deleted, 0))
    left = tx.all(
        f"SELECT r.id, r.deleted_at FROM {kind} r JOIN import_batch_item i "
        f"ON i.record_id = r.id AND i.kind = '{kind}' AND i.action = 'create' "
        "AND i.batch_id = :b",
        b=batch_id,
    )
    trashed = 0
    for row in left:
        ticker.step()
        if row["deleted_at"] is None:
            crud.trash_record(tx, kind, row["id"], actor)
            trashed += 1
            notes.append(
                f"{kind} {row['id']} was changed or linked to after the import; "
                "moved to the trash instead of deleted"
            )
    return deleted, trashed


# --- undoing a restore of a whole-database backup -----------------------------------------


def undo_restore_tx(tx: Tx, batch: Batch, actor: str, progress: Progress | None) -> UndoReport:
    """Empty the database a restore filled, if nothing was changed since."""
    last = batch.details.get("last_audit_id")
    now_last = tx.scalar("SELECT max(id) FROM audit_entry")
    if last is None or now_last != last:
        raise ValidationError(
            "batch",
            f"the database changed after restore {batch.id}, so undoing it would lose that work; "
            "restore into a new database instead",
        )
    order = tables(tx)
    ticker = Ticker(progress, None)
    deleted = 0
    for table in reversed(order):
        if table == "import_batch":
            deleted += tx.execute("DELETE FROM import_batch WHERE id != :id", id=batch.id)
        elif table != "stage":
            deleted += tx.execute(f"DELETE FROM {table}")
        ticker.step()
    _put_back_stages(tx, batch.details.get("stages_before") or [])
    ticker.finish()
    return UndoReport(batch.id, deleted, 0, 0, 0, ())


def _put_back_stages(tx: Tx, stages: Iterable[dict[str, Any]]) -> None:
    rows = list(stages)
    if not rows:
        return
    tx.execute("DELETE FROM stage")
    types = column_types(tx, "stage")
    tx.executemany(
        "INSERT INTO stage ("
        + ", ".join(rows[0])
        + ") VALUES ("
        + ", ".join(f":{c}" for c in rows[0])
        + ")",
        [{k: from_json(types.get(k, "text"), v) for k, v in row.items()} for row in rows],
    )
