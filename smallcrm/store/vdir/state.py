"""What the last sync wrote to a folder (the ``sync_file`` table), read and saved in bulk.

One row per file: the record it holds, the record's version it was written from, the sha256 of
the bytes written and the size and modification time they had afterwards. A file whose size and
time are still those is taken as unchanged without reading it (as rsync and vdirsyncer do),
which keeps a sync of 100,000 cards with a few changes to a directory listing; a file whose
size or time moved is read and its sha256 tells whether its content did.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from smallcrm.store import clock
from smallcrm.store.db import Database

_COLUMNS = (
    "folder, collection, href, kind, record_id, version, digest, size, mtime_ns, extra, content"
)


@dataclass(frozen=True)
class Written:
    """One file as the last sync left it."""

    href: str
    record_id: int
    version: int
    digest: str
    size: int
    mtime_ns: int
    extra: str | None = None
    content: str | None = None  # the text written; read only when needed (``base``)


def load(db: Database, folder: str, collection: str) -> dict[str, Written]:
    """The files the last sync wrote to a collection, by name."""
    with db.read() as tx:
        rows = tx.all(
            "SELECT href, record_id, version, digest, size, mtime_ns, extra FROM sync_file "
            "WHERE folder = :folder AND collection = :collection",
            folder=folder,
            collection=collection,
        )
    return {
        row["href"]: Written(
            row["href"],
            int(row["record_id"]),
            int(row["version"]),
            row["digest"],
            int(row["size"]),
            int(row["mtime_ns"]),
            row["extra"],
        )
        for row in rows
    }


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
    now = clock.now_utc()
    key = {"folder": folder, "collection": collection}
    gone = [{**key, "href": href} for href in [*dropped, *(w.href for w in written)]]
    rows: list[dict[str, Any]] = [
        {
            **key,
            "href": w.href,
            "kind": kind,
            "record_id": w.record_id,
            "version": w.version,
            "digest": w.digest,
            "size": w.size,
            "mtime_ns": w.mtime_ns,
            "extra": w.extra,
            "content": w.content,
            "synced_at": now,
        }
        for w in written
    ]
    with db.write() as tx:
        tx.executemany(
            "DELETE FROM sync_file WHERE folder = :folder AND collection = :collection "
            "AND href = :href",
            gone,
        )
        tx.executemany(
            f"INSERT INTO sync_file ({_COLUMNS}, synced_at) VALUES (:folder, :collection, "
            ":href, :kind, :record_id, :version, :digest, :size, :mtime_ns, :extra, :content, "
            ":synced_at)",
            rows,
        )
        tx.executemany(
            "UPDATE sync_file SET size = :size, mtime_ns = :mtime_ns WHERE folder = :folder "
            "AND collection = :collection AND href = :href",
            [{**key, "href": w.href, "size": w.size, "mtime_ns": w.mtime_ns} for w in touched],
        )


def base(db: Database, folder: str, collection: str, href: str) -> bytes | None:
    """The text the last sync wrote to a file (None when it is not known)."""
    with db.read() as tx:
        text = tx.scalar(
            "SELECT content FROM sync_file WHERE folder = :folder "
            "AND collection = :collection AND href = :href",
            folder=folder,
            collection=collection,
            href=href,
        )
    return None if text is None else str(text).encode("utf-8")


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
