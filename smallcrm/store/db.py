"""Opening the database: connections, transactions and schema check (which database a target
names, and how its URL is shown without its password: ``urls.py``).

The services speak SQL through this thin layer over the DB-API drivers (the standard library's
``sqlite3`` and ``psycopg``) rather than through the ORM, so that a shell quick-add does not pay
SQLAlchemy's and pydantic's import cost (about 350 ms here). The schema itself is declared with
SQLModel in ``models.py`` and created by Alembic migrations (``migrate.py``), which are imported
only when a database is behind the newest revision.

SQLite: autocommit driver mode, WAL, a busy timeout, ``BEGIN IMMEDIATE`` for transactions that
write and plain ``BEGIN`` for reads. Measured with four processes doing read-modify-write: the
driver's own deferred transactions lost two thirds of the updates; a deferred ``BEGIN`` lost
none but failed thousands of times with "database is locked" (a read that upgrades to a write
gets SQLITE_BUSY at once, the busy timeout does not help); ``BEGIN IMMEDIATE`` for writers had
no errors and no lost update. Making every transaction IMMEDIATE made readers block each other.

PostgreSQL gives the same guarantees with its own means:

- reads are ``REPEATABLE READ`` transactions, so the several queries of one read (a page and its
  total, a record and its methods) see one snapshot, as a SQLite read transaction does;
- every write transaction first takes one transaction-level advisory lock
  (``pg_advisory_xact_lock``), so writers run one at a time, as ``BEGIN IMMEDIATE`` makes them
  on SQLite. Row locks and the ``version`` checks would cover updates of one record, but the
  services also read-then-write in ways no row lock covers: a duplicate check before an insert,
  the stage order before a move, the matches of an import batch. Serialising
  writers makes all of those safe without retries; each write is a few milliseconds, so the
  cost is a short wait under contention (measured with benchmarks/concurrency_bench.py) while
  readers are never blocked. After the lock, ``READ COMMITTED`` statements see every write
  committed before it;
- ``lock_timeout`` is the same 5 s as SQLite's busy timeout; a lock wait beyond it, a
  serialisation failure or a deadlock becomes ``DatabaseBusyError`` ("nothing was saved; try
  again"), and a server that cannot be reached a ``StoreError`` naming it.
"""

from __future__ import annotations

import os
import re
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

# to_date and to_datetime (how stored values read back) are re-exported: services import them here.
from smallcrm.store.db_values import (  # noqa: F401
    _aware_datetime_dumper,
    _pg_row_factory,
    _register_sqlite_types,
    to_date,
    to_datetime,
)
from smallcrm.store.errors import DatabaseBusyError, StoreError

# Where a database is and how its URL is shown live in urls.py; re-exported for the callers.
from smallcrm.store.urls import (  # noqa: F401
    DEFAULT_FILENAME,
    default_database_path,
    dialect_of,
    ensure_folder,
    postgres_conninfo,
    redact,
    redact_url,
    remember,
    resolve_url,
    sqlite_path,
)

BUSY_TIMEOUT_MS = 5000
_PG_WRITE_LOCK = 72_410_302  # advisory lock key serialising writers (migrations use ...301)
_PG_IMPORT_LOCKS = 72_410_303  # first key of the advisory locks running imports hold
# Run, in order, on each database opened with ``migrate`` once its schema is current: what the
# last process left half done is tidied (an import killed while it ran). The smallcrm package
# registers them (``smallcrm/__init__.py``), so that this thin layer imports none of the services.
AFTER_OPEN: list[Callable[[Database], None]] = []


# --- transactions ----------------------------------------------------------------------------

_PG_PARAM = re.compile(r"(?<![:\w]):(\w+)")


@dataclass
class Tx:
    """One open transaction. ``:name`` parameters work on every database.

    ``hidden_by`` is set by an import writing its records before they may be seen: records
    created in such a transaction are hidden (``crud.insert_record``), and records hidden by
    the same import count as live to it (``crud.fetch_row``, ``crud.is_live``).
    """

    _cursor: Any
    dialect: str
    hidden_by: str | None = None

    def _sql(self, sql: str) -> str:
        if self.dialect == "postgresql":
            return _PG_PARAM.sub(r"%(\1)s", sql.replace("%", "%%"))
        return sql

    def execute(self, sql: str, **params: Any) -> int:
        """Run a statement; return the number of rows it changed."""
        self._cursor.execute(self._sql(sql), params)
        return self._cursor.rowcount

    def executemany(self, sql: str, rows: list[dict[str, Any]]) -> None:
        """Run one statement for many parameter sets."""
        self._cursor.executemany(self._sql(sql), rows)

    def all(self, sql: str, **params: Any) -> list[Any]:
        """Every row of a query (rows index by column name)."""
        self._cursor.execute(self._sql(sql), params)
        return self._cursor.fetchall()

    def iter(self, sql: str, size: int = 500, **params: Any) -> Iterator[Any]:
        """Rows of a query fetched in batches, for streaming long lists."""
        self._cursor.execute(self._sql(sql), params)
        while batch := self._cursor.fetchmany(size):
            yield from batch

    def one(self, sql: str, **params: Any) -> Any | None:
        """The first row of a query, or None."""
        self._cursor.execute(self._sql(sql), params)
        return self._cursor.fetchone()

    def row(self, sql: str, **params: Any) -> Any:
        """The first row of a query that always has one (an aggregate, a record just read
        under the same transaction); a StoreError if it has none after all."""
        found = self.one(sql, **params)
        if found is None:
            raise StoreError("expected a row, found none: " + " ".join(sql.split())[:120])
        return found

    def scalar(self, sql: str, **params: Any) -> Any:
        """The first column of the first row, or None."""
        row = self.one(sql, **params)
        return None if row is None else row[0]

    def insert(self, table: str, values: dict[str, Any]) -> int:
        """Insert one row and return its new id."""
        cols = ", ".join(values)
        marks = ", ".join(f":{name}" for name in values)
        sql = f"INSERT INTO {table} ({cols}) VALUES ({marks}) RETURNING id"
        return int(self.scalar(sql, **values))


def sync_id_sequence(tx: Tx, table: str) -> None:
    """After rows were inserted with ids of their own (imports, restores): on PostgreSQL, move
    the table's id sequence past them, or the next ordinary insert would reuse an id. SQLite
    needs nothing: a new rowid is the largest one plus one."""
    if tx.dialect == "postgresql":
        tx.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), m) "
            f"FROM (SELECT max(id) AS m FROM {table}) AS top WHERE m IS NOT NULL"
        )


class Database:
    """A connection to the CRM database, handing out short read and write transactions.

    No transaction stays open between calls: a screen waiting for its user holds nothing.
    """

    def __init__(self, url: str, *, migrate: bool = True) -> None:
        remember(url)  # its password stays out of every message from here on
        self.url = url
        self.dialect = dialect_of(url)
        self.path = sqlite_path(url)
        self._lock = threading.RLock()
        if self.path is not None and os.path.lexists(f"{self.path}.restoring"):
            from smallcrm.store.leftovers import clear_interrupted_restore  # (killed restores)

            clear_interrupted_restore(self.path)  # one stat when there is nothing to tidy
        self._conn = self._connect()
        if migrate:
            self.ensure_schema()
            for tidy in AFTER_OPEN:
                tidy(self)

    # connection ---------------------------------------------------------------------------

    def _connect(self) -> Any:
        if self.dialect == "postgresql":
            return self._connect_postgresql()
        return self._connect_sqlite()

    def _connect_sqlite(self) -> sqlite3.Connection:
        _register_sqlite_types()
        target = ":memory:"
        if self.path is not None:
            ensure_folder(self.path)
            _create_private_file(self.path)
            target = str(self.path)
        conn = sqlite3.connect(
            target,
            isolation_level=None,
            detect_types=sqlite3.PARSE_DECLTYPES,
            check_same_thread=False,
            timeout=BUSY_TIMEOUT_MS / 1000,
        )
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        return conn

    def _connect_postgresql(self) -> Any:
        try:
            import psycopg
        except ImportError:
            raise StoreError(
                "PostgreSQL support is not installed: pip install -e '.[postgres]' "
                "(it adds the psycopg driver)"
            ) from None

        conninfo = postgres_conninfo(self.url)  # refuses a URL libpq would misread
        try:
            conn = psycopg.connect(conninfo, autocommit=True, row_factory=_pg_row_factory)
            # Set after connecting, not as ``options``, which would replace any the URL gives.
            # Timestamps come back in UTC, as SQLite stores them, whatever the server's zone.
            conn.execute(
                "SELECT set_config('lock_timeout', %s, false), "
                "set_config('TimeZone', 'UTC', false)",
                (str(BUSY_TIMEOUT_MS),),
            )
        except (psycopg.Error, UnicodeError) as exc:  # UnicodeError: an escape of no text
            raise StoreError(
                f"cannot connect to the PostgreSQL database {_pg_where(conninfo)}: "
                f"{_first_line(exc, self.url)}"
            ) from None
        conn.adapters.register_dumper(datetime, _aware_datetime_dumper())
        # No server-side prepared statements: after five runs the server may switch to one
        # generic plan for every search word, and a plan good for "smith" read 30 ms for "j"
        # (4 ms when planned with the word). Planning these short queries costs ~0.1 ms.
        conn.prepare_threshold = None
        return conn

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._conn.close()

    def try_session_lock(self, key: int) -> bool:
        """PostgreSQL: take the advisory lock ``key`` for as long as this connection lives (or
        until ``session_unlock``); False if another session holds it. Imports hold one while
        they run, so that others can tell a running import from an abandoned one."""
        with self._lock:
            row = self._conn.execute(
                "SELECT pg_try_advisory_lock(%s, %s)", (_PG_IMPORT_LOCKS, key)
            ).fetchone()
        return bool(row[0])

    def session_unlock(self, key: int) -> None:
        """PostgreSQL: let go of the advisory lock ``key`` taken by ``try_session_lock``."""
        with self._lock:
            if not self._conn.closed:
                self._conn.execute("SELECT pg_advisory_unlock(%s, %s)", (_PG_IMPORT_LOCKS, key))

    # transactions -------------------------------------------------------------------------

    @contextmanager
    def read(self) -> Iterator[Tx]:
        """A read transaction: a consistent snapshot for several queries."""
        with self._transaction("BEGIN") as tx:
            yield tx

    @contextmanager
    def write(self) -> Iterator[Tx]:
        """A write transaction, taking the write lock up front so read-modify-write is safe."""
        with self._transaction("BEGIN IMMEDIATE") as tx:
            yield tx

    @contextmanager
    def _transaction(self, begin: str) -> Iterator[Tx]:
        with self._lock:
            if self.dialect == "postgresql":
                with self._pg_transaction(write=begin != "BEGIN") as tx:
                    yield tx
                return
            cur = self._conn.cursor()
            try:
                cur.execute(begin)
            except sqlite3.OperationalError as exc:
                raise _busy(exc) from exc
            try:
                yield Tx(cur, self.dialect)
            except BaseException:
                self._rollback(cur)
                raise
            try:
                cur.execute("COMMIT")
            except sqlite3.OperationalError as exc:
                self._rollback(cur)
                raise _busy(exc) from exc

    @contextmanager
    def _pg_transaction(self, *, write: bool) -> Iterator[Tx]:
        """A PostgreSQL transaction; see the module docstring for the isolation choices."""
        import psycopg
        from psycopg import errors

        if self._conn.closed or self._conn.broken:
            self._conn = self._connect_postgresql()  # the server restarted, or the network
        self._conn.isolation_level = (
            psycopg.IsolationLevel.READ_COMMITTED
            if write
            else psycopg.IsolationLevel.REPEATABLE_READ
        )
        try:
            with self._conn.transaction(), self._conn.cursor() as cur:
                if write:
                    cur.execute(f"SELECT pg_advisory_xact_lock({_PG_WRITE_LOCK})")
                yield Tx(cur, self.dialect)
        except (errors.LockNotAvailable, errors.SerializationFailure, errors.DeadlockDetected):
            raise _busy_error() from None
        except psycopg.OperationalError as exc:
            if not self._conn.broken:
                raise
            raise StoreError(
                f"lost the connection to the PostgreSQL database {_pg_where(self._conn.info)}: "
                f"{_first_line(exc, self.url)}. Nothing was saved; try again."
            ) from None

    def _rollback(self, cur: sqlite3.Cursor) -> None:
        if self._conn.in_transaction:
            cur.execute("ROLLBACK")

    # schema -------------------------------------------------------------------------------

    def schema_revision(self) -> str | None:
        """The Alembic revision the database is at, or None for an empty database."""
        with self.read() as tx:
            if self.dialect == "sqlite":
                exists = tx.scalar(
                    "SELECT 1 FROM sqlite_master WHERE type='table' AND name='alembic_version'"
                )
            else:
                exists = tx.scalar("SELECT to_regclass('alembic_version') IS NOT NULL")
            if not exists:
                return None
            return tx.scalar("SELECT version_num FROM alembic_version")

    def ensure_schema(self) -> None:
        """Bring the schema to the newest revision; a no-op (one query) when it is there."""
        from smallcrm.store.migrations import HEAD_REVISION

        revision = self.schema_revision()
        if revision == HEAD_REVISION:
            return
        if revision is None:
            self._refuse_foreign_tables()
        from smallcrm.store.migrate import upgrade

        upgrade(self.url)

    def _refuse_foreign_tables(self) -> None:
        """A database holding tables but no smallcrm revision belongs to another program:
        adding smallcrm's tables to it would mix the two (a mistyped ``--db``, say)."""
        with self.read() as tx:
            if self.dialect == "sqlite":
                sql = (
                    "SELECT name FROM sqlite_master WHERE type = 'table' "
                    "AND name NOT LIKE 'sqlite_%' ORDER BY name LIMIT 4"
                )
            else:
                sql = (
                    "SELECT table_name FROM information_schema.tables "
                    "WHERE table_schema = current_schema() ORDER BY table_name LIMIT 4"
                )
            tables = [row[0] for row in tx.all(sql)]
        if tables:
            where = self.path or "this database"
            raise StoreError(
                f"{where} is not a smallcrm database: it holds other tables "
                f"({', '.join(tables[:3])}{', ...' if len(tables) > 3 else ''}), so smallcrm "
                "leaves it alone. Give a new file or an empty database with --db or SMALLCRM_DB."
            )


def _create_private_file(path: Path) -> None:
    """Create a new database file readable and writable by its owner only (0600)."""
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return
    os.close(fd)


def _busy(exc: sqlite3.OperationalError) -> Exception:
    if "locked" in str(exc) or "busy" in str(exc):
        return _busy_error()
    return exc


def _busy_error() -> DatabaseBusyError:
    return DatabaseBusyError(
        f"the database is busy: another user held it for over {BUSY_TIMEOUT_MS // 1000} s. "
        "Nothing was saved; try again in a moment."
    )


def _pg_where(info: Any) -> str:
    """``name on host:port`` of a connection (a conninfo string or ``ConnectionInfo``), never
    its password."""
    if isinstance(info, str):
        from psycopg.conninfo import conninfo_to_dict

        try:
            params = conninfo_to_dict(info)
        except Exception:  # an unparsable URL: psycopg's message (redacted) says what is wrong
            return redact_url(info)
        host, port, name = params.get("host"), params.get("port"), params.get("dbname")
    else:
        host, port, name = info.host, info.port, info.dbname
    return f"{name or '(default)'} on {host or 'localhost'}:{port or 5432}"


def _first_line(exc: BaseException, url: str) -> str:
    """The first line of a driver's message, without the password of ``url``."""
    text = redact(str(exc).strip(), url)
    return text.splitlines()[0] if text else type(exc).__name__


def open_database(target: str | os.PathLike[str] | None = None) -> Database:
    """Open (creating and migrating if needed) the database named by ``target`` or the env."""
    return Database(resolve_url(target))
