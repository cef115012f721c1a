"""Opening the database: URL resolution, connections, transactions and schema check.

The services speak SQL through this thin layer over the DB-API drivers (the standard library's
``sqlite3`` and ``psycopg``) rather than through the ORM, so that a shell quick-add does not pay
SQLAlchemy's and pydantic's import cost (about 350 ms here). The schema itself is declared with
SQLModel in ``models.py`` and created by Alembic migrations (``migrate.py``), which are imported
only when a database is behind the newest revision.

SQLite follows the recipe measured in FINDINGS.md: autocommit driver mode, WAL, a busy timeout,
``BEGIN IMMEDIATE`` for transactions that write and plain ``BEGIN`` for reads.
"""

from __future__ import annotations

import os
import re
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from smallcrm.store.errors import DatabaseBusyError, StoreError, ValidationError

BUSY_TIMEOUT_MS = 5000
DEFAULT_FILENAME = "smallcrm.db"
_SQLITE_TS = "%Y-%m-%d %H:%M:%S.%f"


def default_database_path() -> Path:
    """The embedded database under the platform's user data directory."""
    from platformdirs import user_data_path

    return user_data_path("smallcrm", appauthor=False) / DEFAULT_FILENAME


def resolve_url(target: str | os.PathLike[str] | None = None) -> str:
    """Turn ``--db`` / ``SMALLCRM_DB`` (a path or a SQLAlchemy URL) into a database URL."""
    value = str(target) if target else os.environ.get("SMALLCRM_DB", "")
    if not value:
        value = str(default_database_path())
    if "://" in value:
        return value
    return "sqlite:///" + str(Path(value).expanduser().resolve())


def dialect_of(url: str) -> str:
    """``sqlite`` or ``postgresql``; any other database is refused with a clear message."""
    scheme = url.split("://", 1)[0].split("+", 1)[0].lower()
    if scheme in ("postgres", "postgresql"):
        return "postgresql"
    if scheme == "sqlite":
        return "sqlite"
    raise ValidationError(
        "db",
        f"{scheme!r} databases are not supported; give a file path, a sqlite:/// URL or a "
        "postgresql+psycopg:// URL",
    )


def sqlite_path(url: str) -> Path | None:
    """The file behind a ``sqlite:///`` URL, or None for other databases."""
    if not url.startswith("sqlite"):
        return None
    path = url.split(":///", 1)[1] if ":///" in url else ""
    return Path(path) if path and path != ":memory:" else None


# --- values in and out of SQLite -------------------------------------------------------------


def _adapt_datetime(value: datetime) -> str:
    if value.tzinfo is None:
        raise StoreError("naive datetime given to the database; use timezone-aware values")
    return value.astimezone(UTC).strftime(_SQLITE_TS)


def to_datetime(value: Any) -> datetime | None:
    """A stored timestamp (datetime or SQLite text) as an aware UTC datetime."""
    if value is None or isinstance(value, datetime):
        return value
    if isinstance(value, bytes):
        value = value.decode()
    text = str(value).replace("T", " ")
    parsed = datetime.fromisoformat(text)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def to_date(value: Any) -> date | None:
    """A stored date (date or SQLite text) as a date."""
    if value is None or isinstance(value, date):
        return value
    if isinstance(value, bytes):
        value = value.decode()
    return date.fromisoformat(str(value)[:10])


_registered = False


def _register_sqlite_types() -> None:
    global _registered
    if _registered:
        return
    sqlite3.register_adapter(datetime, _adapt_datetime)
    sqlite3.register_adapter(date, date.isoformat)
    sqlite3.register_converter("DATETIME", to_datetime)
    sqlite3.register_converter("DATE", to_date)
    sqlite3.register_converter("BOOLEAN", lambda raw: raw not in (b"0", b""))
    _registered = True


# --- transactions ----------------------------------------------------------------------------

_PG_PARAM = re.compile(r"(?<![:\w]):(\w+)")


@dataclass
class Tx:
    """One open transaction. ``:name`` parameters work on every database."""

    _cursor: Any
    dialect: str

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


class Database:
    """A connection to the CRM database, handing out short read and write transactions.

    No transaction stays open between calls: a screen waiting for its user holds nothing.
    """

    def __init__(self, url: str, *, migrate: bool = True) -> None:
        self.url = url
        self.dialect = dialect_of(url)
        self.path = sqlite_path(url)
        self._lock = threading.RLock()
        self._conn = self._connect()
        if migrate:
            self.ensure_schema()

    # connection ---------------------------------------------------------------------------

    def _connect(self) -> Any:
        if self.dialect == "postgresql":
            return self._connect_postgresql()
        return self._connect_sqlite()

    def _connect_sqlite(self) -> sqlite3.Connection:
        _register_sqlite_types()
        target = ":memory:"
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
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
        import psycopg
        from psycopg.rows import dict_row

        conninfo = re.sub(r"^postgres(ql)?(\+\w+)?://", "postgresql://", self.url)
        return psycopg.connect(conninfo, autocommit=True, row_factory=dict_row)

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._conn.close()

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
                with self._conn.transaction(), self._conn.cursor() as cur:
                    yield Tx(cur, self.dialect)
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

        if self.schema_revision() == HEAD_REVISION:
            return
        from smallcrm.store.migrate import upgrade

        upgrade(self.url)


def _create_private_file(path: Path) -> None:
    """Create a new database file readable and writable by its owner only (0600)."""
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return
    os.close(fd)


def _busy(exc: sqlite3.OperationalError) -> Exception:
    if "locked" in str(exc) or "busy" in str(exc):
        return DatabaseBusyError(
            f"the database is busy: another user held it for over {BUSY_TIMEOUT_MS // 1000} s. "
            "Nothing was saved; try again in a moment."
        )
    return exc


def open_database(target: str | os.PathLike[str] | None = None) -> Database:
    """Open (creating and migrating if needed) the database named by ``target`` or the env."""
    return Database(resolve_url(target))
