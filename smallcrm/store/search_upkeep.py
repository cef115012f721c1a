"""Keeping SQLite's search index in one piece as records come and go (PostgreSQL: nothing to do).

Every write transaction adds its changes to FTS5's index as a new small segment, and FTS5's own
automatic merging does work in proportion to what each write added: a database that gained
10,000 records one at a time (months of normal use) ended with 25 segments, four of them a
merge of 83,000 pages begun and far from finished. A search reads every segment for each of its
words, so the same searches took 0.5-2.6 ms there and 0.2-1.5 ms once the index was one
segment (100,000 contacts, 1,000,000 interactions).

How it is kept merged, and why so: in steps of ``STEP_PAGES`` pages (FTS5's ``'merge'`` with a
negative count, which merges toward one segment), each step its own short write transaction, so
another writer waits at most one step between them. The steps run at moments a user expects
work anyway, once the index is in more than ``MANY_SEGMENTS``: after an import (at most
``IMPORT_SECONDS``; an import of any size already takes seconds; the next import goes on) and
in ``doctor --repair`` (until merged). Not done instead:

- ``'optimize'`` merges everything in one transaction: 7 s on that database, every write of
  every other process waiting meanwhile;
- a different ``automerge``: it only says how many segments of a level start FTS5's own
  merging, whose work stays in proportion to each write, so a pending merge of large segments
  still waits for months of writes; a lower ``crisismerge`` makes the write that reaches it
  merge the whole level inside the user's own save: the bigger the index, the longer;
- merging inside each save, or on a timer of the app: a step is 16 ms at the median and under
  80 ms for 95 % of them, but one in fifty takes 0.1-0.56 s (when FTS5 starts on a level's
  large segments; 614 steps, 15 s in all, on that database), too long inside a save or
  between two keystrokes.
"""

from __future__ import annotations

import time

from smallcrm.store.db import Database

STEP_PAGES = 64  # pages of index merged per step (FTS5's unit of merging work)
IMPORT_SECONDS = 1.0  # merging after an import stops after this long, to go on next time
FTS_TABLES = ("search_fts", "search_fts_parts")
# Segments worth merging: FTS5 keeps a few per level as it merges by itself, and a merge
# rewrites the whole index (15 s on that database), so a few are left alone
MANY_SEGMENTS = 8
_STRUCTURE_V2 = b"\xff\x00\x00\x01"  # what follows the 4-byte cookie in FTS5's newer format


def segments(db: Database) -> int | None:
    """How many segments SQLite's search indexes are in (both together; an empty index none);
    None on PostgreSQL. One small read per index."""
    if db.dialect != "sqlite":
        return None
    return sum(_table_segments(db, table) for table in FTS_TABLES)


def fragmented(db: Database) -> bool:
    """Whether SQLite's search index is in enough segments to be worth merging."""
    return (segments(db) or 0) > MANY_SEGMENTS


def merge(db: Database, seconds: float | None = None) -> bool:
    """Merge the search index in short steps until it is one segment per index, or until
    ``seconds`` have passed (None: until merged). True when it is merged."""
    if db.dialect != "sqlite":
        return True
    started = time.monotonic()  # a duration, not a moment of the business clock
    for table in FTS_TABLES:
        block = _structure(db, table)
        while _segments_of(block) > 1:
            if seconds is not None and time.monotonic() - started >= seconds:
                return False
            with db.write() as tx:
                tx.execute(
                    f"INSERT INTO {table}({table}, rank) VALUES ('merge', :pages)",
                    pages=-STEP_PAGES,
                )
            block, before = _structure(db, table), block
            if block == before:  # FTS5 found nothing it would merge: never wait on it
                return False
    return True


def _table_segments(db: Database, table: str) -> int:
    """The segments of one FTS5 index."""
    return _segments_of(_structure(db, table))


def _structure(db: Database, table: str) -> bytes | None:
    """One FTS5 index's structure record (row 10 of its data table): its levels and segments,
    rewritten by every step of a merge."""
    with db.read() as tx:
        value = tx.scalar(f"SELECT block FROM {table}_data WHERE id = :id", id=10)
        return bytes(value) if value is not None else None


def _segments_of(block: bytes | None) -> int:
    """The segment count of an FTS5 structure record: a 4-byte cookie, a format mark in the
    newer format, then the level count and the segment count as varints."""
    if not block:
        return 0
    at = 8 if block[4:8] == _STRUCTURE_V2 else 4
    _levels, at = _varint(block, at)
    count, _at = _varint(block, at)
    return count


def _varint(data: bytes, at: int) -> tuple[int, int]:
    """SQLite's varint at ``at`` (big-endian, seven bits a byte, the ninth byte whole) and the
    position after it."""
    value = 0
    for n in range(9):
        byte = data[at + n]
        if n == 8:
            return (value << 8) | byte, at + 9
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            return value, at + n + 1
    raise AssertionError("unreachable")
