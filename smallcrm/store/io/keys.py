"""What an import remembers about every record it has seen, kept compact whatever the file size.

Matching (``identity.py``, ``matching.py``) asks, for each record, which contacts have its
email, phone, external id or name, and which account has its name: the database's records and
the file's earlier ones. A million entries in Python dictionaries would take about 100 bytes
each, so nothing here grows with the file:

- keys the database answers through an index (contacts by email, phone and external id) are
  looked up there, for a chunk of records at a time; the contacts this import has written
  (hidden until it is done) are found the same way;
- the other keys (contacts by name as ``smallcrm duplicates`` compares names; accounts by name,
  external id, website and phone; and what an update adds to an existing contact before the
  update is applied) go to ``Scratch``, a private temporary SQLite file whose cache is bounded,
  loaded from the database when the import starts.

Within a chunk the keys are held in small dictionaries (``Chunk``) that remember what the
current record added, so a record that fails leaves nothing behind; ``flush()`` writes what the
chunk's good records added to the scratch file and forgets the chunk.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from smallcrm.store.db import Database, Tx

PARAMS = 500  # values per IN (...) list
CONTACT_NAME, CONTACT_EMAIL, CONTACT_PHONE, CONTACT_EXTERNAL = 1, 2, 3, 4
ACCOUNT_NAME, ACCOUNT_EXTERNAL, ACCOUNT_WEBSITE, ACCOUNT_PHONE = 10, 11, 12, 13


def batches(values: Iterable[Any], size: int = PARAMS) -> Iterable[list[Any]]:
    """``values`` in lists of at most ``size``."""
    chunk: list[Any] = []
    for value in values:
        chunk.append(value)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def in_list(values: list[Any], prefix: str = "v") -> tuple[str, dict[str, Any]]:
    """``(:v0, :v1, ...)`` and its parameters, for ``Tx`` queries."""
    names = {f"{prefix}{n}": value for n, value in enumerate(values)}
    return "(" + ", ".join(f":{name}" for name in names) + ")", names


class Scratch:
    """A private temporary SQLite database of (space, key, id) rows: keys by kind of key.

    SQLite keeps a database opened with an empty name in a temporary file that disappears when
    it is closed; its page cache (8 MB here) bounds the memory it takes.
    """

    def __init__(self) -> None:
        self.conn = sqlite3.connect("", isolation_level=None, check_same_thread=False)
        self.conn.execute("PRAGMA cache_size = -8192")
        self.conn.execute("CREATE TABLE k (space INTEGER, key TEXT, id INTEGER)")
        self.conn.execute("CREATE INDEX k_lookup ON k (space, key, id)")
        self.conn.execute("BEGIN")  # nothing here needs to survive a crash

    def lookup(self, space: int, keys: Iterable[str]) -> dict[str, list[int]]:
        """The ids known by each of ``keys`` (ascending; keys without any are left out)."""
        found: dict[str, list[int]] = {}
        for chunk in batches(set(keys)):
            marks = ", ".join("?" * len(chunk))
            for key, record_id in self.conn.execute(
                f"SELECT key, id FROM k WHERE space = ? AND key IN ({marks}) ORDER BY key, id",
                [space, *chunk],
            ):
                found.setdefault(key, []).append(record_id)
        return found

    def add(self, rows: Iterable[tuple[int, str, int]]) -> None:
        """Remember ``(space, key, id)`` rows."""
        self.conn.executemany("INSERT INTO k (space, key, id) VALUES (?, ?, ?)", rows)

    def load(self, space: int, rows: Iterable[tuple[str, int]], limit: int = 0) -> None:
        """Remember ``(key, id)`` rows given in ascending id order; only the first ``limit``
        ids of each key when ``limit`` is set."""
        if not limit:
            self.add((space, key, record_id) for key, record_id in rows if key)
            return
        self.conn.execute("CREATE TEMP TABLE raw (key TEXT, id INTEGER)")
        self.conn.executemany("INSERT INTO raw VALUES (?, ?)", ((k, i) for k, i in rows if k))
        self.conn.execute(
            "INSERT INTO k SELECT ?, key, id FROM (SELECT key, id, row_number() OVER "
            "(PARTITION BY key ORDER BY id) AS n FROM raw) WHERE n <= ?",
            (space, limit),
        )
        self.conn.execute("DROP TABLE raw")

    def close(self) -> None:
        """Forget everything (the temporary file goes with the connection)."""
        self.conn.close()


@dataclass
class Chunk:
    """Keys of the records of one chunk, remembering what the current record added.

    ``put``/``put_many`` journal each addition; ``revert()`` forgets the current record's,
    ``keep()`` keeps them. Additions made with a scratch ``space`` are written to the scratch
    file by ``written()``.
    """

    # (table, key, record id, added to a list?, scratch space or 0)
    journal: list[tuple[dict[str, Any], str, int, bool, int]] = field(default_factory=list)
    kept: list[tuple[int, str, int]] = field(default_factory=list)

    def put(self, table: dict[str, int], key: str, record_id: int, space: int = 0) -> None:
        """Remember ``key`` (unless known) for ``record_id``, revertibly."""
        if key and key not in table:
            table[key] = record_id
            self.journal.append((table, key, record_id, False, space))

    def put_many(
        self,
        table: dict[str, list[int]],
        key: str,
        record_id: int,
        limit: int = 0,
        space: int = 0,
    ) -> None:
        """Add ``record_id`` to the records known by ``key`` (up to ``limit``), revertibly."""
        if not key:
            return
        ids = table.setdefault(key, [])
        if record_id not in ids and not (limit and len(ids) >= limit):
            ids.append(record_id)
            self.journal.append((table, key, record_id, True, space))

    def keep(self) -> None:
        """The current record succeeded: keep what it added (for ``written``)."""
        self.kept += [(space, key, rid) for _t, key, rid, _m, space in self.journal if space]
        self.journal.clear()

    def revert(self) -> None:
        """The current record failed: forget what it added."""
        for table, key, record_id, many, _space in reversed(self.journal):
            if not many:
                table.pop(key, None)
                continue
            ids = table.get(key, [])
            if record_id in ids:
                ids.remove(record_id)
            if not ids:
                table.pop(key, None)
        self.journal.clear()

    def written(self, scratch: Scratch) -> None:
        """Write what the chunk's good records added to ``scratch``; forget the additions."""
        self.keep()
        scratch.add(self.kept)
        self.kept.clear()


def live_or(tx: Tx, alias: str = "") -> tuple[str, dict[str, Any]]:
    """SQL for "live, or hidden by the import writing in ``tx``", and its parameter."""
    column = f"{alias}." if alias else ""
    sql = f"({column}deleted_at IS NULL OR {column}deleted_by = :hidden_by)"
    return sql, {"hidden_by": tx.hidden_by}


def database_rows(db: Database, sql: str) -> Iterable[Any]:
    """The rows of a query in one read transaction, fetched a few thousand at a time."""
    with db.read() as tx:
        yield from tx.iter(sql, size=5000)
