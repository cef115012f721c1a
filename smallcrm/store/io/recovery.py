"""Taking back an import that did not finish, or finishing one that got far enough.

While an import reads its file its new records are hidden (``staging.py``); ``discard`` deletes
them, with their history and their batch, a chunk at a time (they are invisible, so a partly
discarded import is no different from a whole one). An import is discarded when it is stopped
(Ctrl+C, Esc in the app), when its file has invalid records (all or nothing), after a dry run,
and when it was abandoned while it read its file: its process was killed, the machine went
down. An abandoned import that had already been committed (``publish.py``) is finished.

``recover_imports`` runs when a database is opened and finds an unfinished batch (one query
when there is none). It leaves alone the imports whose process still runs (``batch_lock.py``).
"""

from __future__ import annotations

import json
import sqlite3

from smallcrm.store import crud
from smallcrm.store.db import Database
from smallcrm.store.errors import StoreError

from .batch_lock import RunningLock
from .batches import DELETE_ORDER
from .bulk import QuietSearch
from .keys import in_list

CHUNK = 2000  # hidden records deleted per transaction


def discard(db: Database, batch_id: int) -> None:
    """Delete an unfinished batch: its hidden records, their history, the batch itself."""
    hidden = crud.hidden_by(batch_id)
    quiet = QuietSearch()
    for kind in DELETE_ORDER:
        while True:
            with db.write() as tx:
                ids = [
                    row["record_id"]
                    for row in tx.all(
                        "SELECT record_id FROM import_batch_item WHERE batch_id = :b "
                        "AND kind = :k AND action = 'create' LIMIT :n",
                        b=batch_id,
                        k=kind,
                        n=CHUNK,
                    )
                ]
                if not ids:
                    break
                quiet.pause(tx)
                marks, params = in_list(ids)
                tx.execute(
                    f"DELETE FROM audit_entry WHERE kind = :k AND record_id IN {marks} "
                    f"AND EXISTS (SELECT 1 FROM {kind} r WHERE r.id = audit_entry.record_id "
                    "AND r.deleted_by = :hidden)",
                    k=kind,
                    hidden=hidden,
                    **params,
                )
                tx.execute(
                    f"DELETE FROM {kind} WHERE id IN {marks} AND deleted_by = :hidden",
                    hidden=hidden,
                    **params,
                )
                tx.execute(
                    f"DELETE FROM import_batch_item WHERE batch_id = :b AND kind = :k "
                    f"AND action = 'create' AND record_id IN {marks}",
                    b=batch_id,
                    k=kind,
                    **params,
                )
                quiet.resume(tx)
    with db.write() as tx:
        tx.execute("DELETE FROM import_batch_item WHERE batch_id = :b", b=batch_id)
        tx.execute("DELETE FROM import_batch WHERE id = :b", b=batch_id)


def recover_imports(db: Database) -> None:
    """Discard or finish every import abandoned by its process (see the module doc).

    Best effort: a database that cannot be written now (busy, read-only for this user) is
    tidied by the next process that can; opening it must not fail for that.
    """
    try:
        with db.read() as tx:
            rows = tx.all("SELECT id, actor, details FROM import_batch WHERE finished_at IS NULL")
        for row in rows:
            _recover(db, row["id"], row["actor"], json.loads(row["details"] or "{}"))
    except (StoreError, sqlite3.Error):
        return
    except Exception as exc:  # psycopg's errors: the driver is imported only when used
        if type(exc).__module__.split(".")[0] != "psycopg":
            raise


def _recover(db: Database, batch_id: int, actor: str, details: dict[str, object]) -> None:
    token = details.get("running")
    if not isinstance(token, int):
        return
    lock = RunningLock(db, token)
    if not lock.take():
        return  # its import is still running
    try:
        with db.read() as tx:
            still = tx.scalar(
                "SELECT 1 FROM import_batch WHERE id = :id AND finished_at IS NULL", id=batch_id
            )
        if not still:
            return
        if details.get("state") == "publishing":
            from .publish import hidden_recheck, publish

            mark = details.get("mark")
            publish(db, hidden_recheck(batch_id, actor, mark if isinstance(mark, int) else 0))
        else:
            discard(db, batch_id)
    finally:
        lock.release()
