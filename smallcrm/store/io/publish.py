"""Showing an import once its whole file is in: changes applied, hidden records made visible.

``commit`` is the point of no return: one short transaction that marks the batch as being
shown (``publishing``). From then on the import is complete in the database, only not all of it
visible yet: ``publish`` goes through the batch's items in file order, a couple of thousand per
transaction, making its new records visible (``deleted_at`` cleared: the triggers count them
and index them for search) and applying the changes it keeps for records that were already
here, each worked out again against the record as it is now (``updates.py``). If the process
dies on the way, the next process that opens the database finishes the job (``recovery.py``):
each step can be repeated without harm.

Between two of these transactions others write: every transaction first matches the import's
hidden records against what they wrote (``recheck.py``), and the last one sets the batch's
``finished_at`` with its final counts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from smallcrm.store import crud
from smallcrm.store.db import Database, Tx
from smallcrm.store.errors import StoreError, ValidationError

from .batches import finish_batch_tx
from .columns import to_json
from .common import Clock
from .keys import in_list
from .recheck import Recheck, Rechecked
from .updates import apply_change, contact_change, record_change, stage_names, unpacked

CHUNK = 2000  # items shown per transaction, at most
# Showing a record runs its triggers (search document, roll-ups): on SQLite a tenth of a
# millisecond, on PostgreSQL about two (its search document), so that 2,000 contacts held the
# writers' lock for 4-5 s on a busy machine and others' saves gave up. Each transaction is
# sized from the pace of the one before to hold the lock about HOLD seconds, starting at FIRST.
FIRST = 200
HOLD = 0.4


@dataclass
class Shown:
    """How showing the import changed its counts, and what the report should add."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    notes: list[str] = field(default_factory=list)
    duplicates: list[tuple[int, int, str]] = field(default_factory=list)

    def add(self, done: Rechecked) -> None:
        """Count what a recheck did."""
        self.created += done.created
        self.updated += done.updated
        self.unchanged += done.unchanged
        self.notes += done.notes
        self.duplicates += done.duplicates


def commit(
    db: Database, recheck: Recheck, counts: dict[str, int], details: dict[str, Any], token: int
) -> Shown:
    """Mark the batch as being shown, with its counts and the details of its report."""
    shown = Shown()
    with db.write() as tx:
        done = recheck.run(tx)
        shown.add(done)
        recheck.moved_on(tx)
        state = {"state": "publishing", "running": token, "mark": recheck.mark, "report": details}
        tx.execute(
            "UPDATE import_batch SET created = :created, updated = :updated, "
            "skipped = :unchanged, invalid = :invalid, details = :details WHERE id = :id",
            created=counts["created"] + done.created,
            updated=counts["updated"] + done.updated,
            unchanged=counts["unchanged"] + done.unchanged,
            invalid=counts["invalid"],
            details=json.dumps(state, default=to_json, ensure_ascii=False),
            id=recheck.batch_id,
        )
    return shown


def publish(db: Database, recheck: Recheck) -> Shown:
    """Show a committed batch (see the module doc); what it changed in the counts."""
    shown = Shown()
    last = 0
    size = min(FIRST, CHUNK)
    while True:
        clock = Clock()
        with db.write() as tx:
            done = recheck.run(tx)
            step = Shown()
            step.add(done)
            items = tx.all(
                "SELECT id, kind, record_id, action, before FROM import_batch_item "
                "WHERE batch_id = :b AND id > :last AND action IN ('create', 'pending') "
                "ORDER BY id LIMIT :n",
                b=recheck.batch_id,
                last=last,
                n=size,
            )
            if items:
                last = items[-1]["id"]
                _show(tx, items, recheck, step)
            _count(tx, recheck.batch_id, step)
            if not items:
                _finish(tx, recheck.batch_id, recheck.actor)
            recheck.moved_on(tx)
        size = next_size(size, len(items), clock.seconds())
        shown.created += step.created
        shown.updated += step.updated
        shown.unchanged += step.unchanged
        shown.notes += step.notes
        shown.duplicates += step.duplicates
        if not items:
            return shown


def next_size(size: int, shown: int, seconds: float) -> int:
    """The next transaction's items: about ``HOLD`` seconds' worth at the last one's pace."""
    if shown < size:
        return size  # the last one
    return max(1, min(CHUNK, round(shown / max(seconds, 0.001) * HOLD)))


def _show(tx: Tx, items: list[Any], recheck: Recheck, shown: Shown) -> None:
    """Show a chunk of items in order: runs of new records at once, changes one by one."""
    run: list[Any] = []
    for item in items:
        if run and (item["action"] != "create" or item["kind"] != run[0]["kind"]):
            _flip(tx, run, recheck.hidden)
            run = []
        if item["action"] == "create":
            run.append(item)
        else:
            _apply(tx, item, recheck.actor, shown)
    if run:
        _flip(tx, run, recheck.hidden)


def _flip(tx: Tx, items: list[Any], hidden: str) -> None:
    """Make hidden records of one kind visible; the batch remembers their versions (undo
    deletes a new record only if nobody changed it since)."""
    kind = items[0]["kind"]
    marks, params = in_list([item["record_id"] for item in items])
    tx.execute(
        f"UPDATE {kind} SET deleted_at = NULL, deleted_by = NULL "
        f"WHERE id IN {marks} AND deleted_by = :hidden",
        hidden=hidden,
        **params,
    )
    item_marks, item_params = in_list([item["id"] for item in items], "i")
    tx.execute(
        f"UPDATE import_batch_item SET version = (SELECT r.version FROM {kind} r "
        f"WHERE r.id = import_batch_item.record_id) WHERE id IN {item_marks}",
        **item_params,
    )


def _apply(tx: Tx, item: Any, actor: str, shown: Shown) -> None:
    """Make a change the import kept for later, worked out against the record as it is now."""
    kind, record_id = item["kind"], item["record_id"]
    cleaned, values = unpacked(item["before"])
    row = tx.one(f"SELECT * FROM {kind} WHERE id = :id AND deleted_at IS NULL", id=record_id)
    reason = None
    if row is None:
        reason = "it was deleted while the file was imported"
    else:
        if kind == "contact":
            change = contact_change(tx, row, cleaned)
        else:
            change = record_change(tx, kind, row, cleaned, values, stage_names(tx))
        if change.changes:
            tx.execute("SAVEPOINT import_change")
            try:
                apply_change(tx, kind, record_id, change, actor)
            except StoreError as exc:
                tx.execute("ROLLBACK TO import_change")
                reason = exc.message if isinstance(exc, ValidationError) else str(exc)
            tx.execute("RELEASE import_change")
    if row is None or reason or not change.changes:
        shown.updated -= 1
        shown.unchanged += 1
        if reason:
            shown.notes.append(f"{kind} {record_id}: the file's changes were not made: {reason}")
        tx.execute("DELETE FROM import_batch_item WHERE id = :id", id=item["id"])
        return
    version = tx.scalar(f"SELECT version FROM {kind} WHERE id = :id", id=record_id)
    tx.execute(
        "UPDATE import_batch_item SET action = 'update', version = :v, before = :before "
        "WHERE id = :id",
        v=version,
        before=json.dumps(change.before, default=to_json, ensure_ascii=False),
        id=item["id"],
    )


def _count(tx: Tx, batch_id: int, shown: Shown) -> None:
    if shown.created or shown.updated or shown.unchanged:
        tx.execute(
            "UPDATE import_batch SET created = created + :c, updated = updated + :u, "
            "skipped = skipped + :s WHERE id = :id",
            c=shown.created,
            u=shown.updated,
            s=shown.unchanged,
            id=batch_id,
        )


def _finish(tx: Tx, batch_id: int, actor: str) -> None:
    """The batch is done: its counts, its report's details, and "import" in the audit trail."""
    row = tx.row("SELECT * FROM import_batch WHERE id = :id", id=batch_id)
    details = json.loads(row["details"] or "{}").get("report", {})
    counts = {
        "created": row["created"],
        "updated": row["updated"],
        "unchanged": row["skipped"],
        "invalid": row["invalid"],
    }
    finish_batch_tx(tx, batch_id, counts, details, actor)


def hidden_recheck(batch_id: int, actor: str, mark: int) -> Recheck:
    """The recheck of batch ``batch_id`` from audit entry ``mark`` on."""
    return Recheck(batch_id, crud.hidden_by(batch_id), actor, mark)
