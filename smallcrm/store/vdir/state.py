"""What the last sync wrote to a folder (``sync_file`` and ``sync_text``), read and saved in bulk.

One row per file: the record it holds, the record's version it was written from, the sha256 of
the bytes written and the size and modification time they had afterwards. A file whose size and
time are still those is taken as unchanged without reading it (as rsync and vdirsyncer do),
which keeps a sync of 100,000 cards with a few changes to a directory listing; a file whose
size or time moved is read and its sha256 tells whether its content did. The text written is
kept apart and read only for a file a phone changed (``base``).
"""

from __future__ import annotations

from typing import Any, NamedTuple

from smallcrm.store import clock
from smallcrm.store.db import Database, Tx

_FILE_COLUMNS = "href, record_id, version, digest, size, mtime_ns, extra"
_KEY = "folder = :folder AND collection = :collection"


class Written(NamedTuple):
    """One file as the last sync left it (a tuple: a sync reads 100,000 of them)."""

    href: str
    record_id: int
    version: int
    digest: str
    size: int
    mtime_ns: int
    extra: str | None = None
    content: str | None = None  # the text written (only when just written: see ``base``)


def load(db: Database, folder: str, collection: str) -> dict[str, Written]:
    """The files the last sync wrote to a collection, by name."""
    with db.read() as tx:
        rows = tx.all(
            f"SELECT {_FILE_COLUMNS} FROM sync_file WHERE {_KEY}",
            folder=folder,
            collection=collection,
        )
    return {row[0]: Written(*row) for row in rows}


def save(
    db: Database,
    folder: str,
    collection: str,
    kind: str,
    written: list[Written],
    touched: list[Written],
    dropped: list[str],
) -> None:
    """Record the files written now (replacing their rows), the new size and time of files
    ``touched`` with the same content, and forget the ``dropped`` ones."""
    if not written and not touched and not dropped:
        return
    key = {"folder": folder, "collection": collection}
    gone = [{**key, "href": href} for href in [*dropped, *(w.href for w in written)]]
    with db.write() as tx:
        for table in ("sync_file", "sync_text"):
            tx.executemany(f"DELETE FROM {table} WHERE {_KEY} AND href = :href", gone)
        _insert(tx, key, kind, written)
        tx.executemany(
            f"UPDATE sync_file SET size = :size, mtime_ns = :mtime_ns WHERE {_KEY} "
            "AND href = :href",
            [{**key, "href": w.href, "size": w.size, "mtime_ns": w.mtime_ns} for w in touched],
        )


def _insert(tx: Tx, key: dict[str, str], kind: str, written: list[Written]) -> None:
    now = clock.now_utc()
    rows: list[dict[str, Any]] = [
        {**key, **w._asdict(), "kind": kind, "synced_at": now} for w in written
    ]
    tx.executemany(
        "INSERT INTO sync_file (folder, collection, href, kind, record_id, version, digest, "
        "size, mtime_ns, extra, synced_at) VALUES (:folder, :collection, :href, :kind, "
        ":record_id, :version, :digest, :size, :mtime_ns, :extra, :synced_at)",
        rows,
    )
    tx.executemany(
        "INSERT INTO sync_text (folder, collection, href, content) "
        "VALUES (:folder, :collection, :href, :content)",
        [row for row in rows if row["content"] is not None],
    )


def base(db: Database, folder: str, collection: str, href: str) -> bytes | None:
    """The text the last sync wrote to a file (None when it is not known)."""
    with db.read() as tx:
        text = tx.scalar(
            f"SELECT content FROM sync_text WHERE {_KEY} AND href = :href",
            folder=folder,
            collection=collection,
            href=href,
        )
    return None if text is None else str(text).encode("utf-8")


def forget_record_tx(tx: Tx, kind: str, record_id: int) -> None:
    """Forget what files of a record said (an erasure): the text written and a phone's kept
    lines. The files themselves go with the next sync, which finds the record gone."""
    tx.execute(
        "DELETE FROM sync_text WHERE EXISTS (SELECT 1 FROM sync_file f WHERE "
        "f.folder = sync_text.folder AND f.collection = sync_text.collection AND "
        "f.href = sync_text.href AND f.kind = :kind AND f.record_id = :id)",
        kind=kind,
        id=record_id,
    )
    tx.execute(
        "UPDATE sync_file SET extra = NULL WHERE kind = :kind AND record_id = :id",
        kind=kind,
        id=record_id,
    )


def live_versions(db: Database, kind: str, owner: str | None) -> dict[int, int]:
    """The version of every live record of ``kind`` (the owner's only, when given)."""
    table = {"contact": "contact", "appointment": "appointment"}[kind]
    sql = f"SELECT id, version FROM {table} WHERE deleted_at IS NULL"
    with db.read() as tx:
        if owner is None:
            rows = tx.all(sql)
        else:
            rows = tx.all(f"{sql} AND owner = :owner", owner=owner)
    return {int(row[0]): int(row[1]) for row in rows}
