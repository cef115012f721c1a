"""How values cross the database drivers: timestamps and dates in and out of SQLite (aware UTC
datetimes stored as text, read back aware), naive datetimes refused on both databases, and
PostgreSQL rows that index by column name as ``sqlite3.Row`` does."""

from __future__ import annotations

import functools
import sqlite3
from datetime import UTC, date, datetime
from typing import Any, overload

from smallcrm.store.errors import StoreError

_SQLITE_TS = "%Y-%m-%d %H:%M:%S.%f"


# --- values in and out of SQLite -------------------------------------------------------------


@functools.lru_cache(maxsize=64)  # a batch of rows is written with one "now"
def _adapt_datetime(value: datetime) -> str:
    if value.tzinfo is None:
        raise StoreError("naive datetime given to the database; use timezone-aware values")
    return value.astimezone(UTC).strftime(_SQLITE_TS)


@overload
def to_datetime(value: None) -> None: ...
@overload
def to_datetime(value: datetime | str | bytes) -> datetime: ...
@overload
def to_datetime(value: object) -> datetime | None: ...
def to_datetime(value: Any) -> datetime | None:
    """A stored timestamp (datetime or SQLite text) as an aware UTC datetime."""
    if value is None or isinstance(value, datetime):
        return value
    if isinstance(value, bytes):
        value = value.decode()
    text = str(value).replace("T", " ")
    parsed = datetime.fromisoformat(text)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@overload
def to_date(value: None) -> None: ...
@overload
def to_date(value: date | str | bytes) -> date: ...
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


# --- rows and values of PostgreSQL ---------------------------------------------------------


class PgRow(tuple):
    """A PostgreSQL row that, like ``sqlite3.Row``, indexes by position and by column name."""

    _names: dict[str, int]

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return tuple.__getitem__(self, self._names[key])
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        """The column names, in order (as ``sqlite3.Row.keys``)."""
        return list(self._names)


def _pg_row_factory(cursor: Any) -> Any:
    """psycopg row factory building ``PgRow`` objects for the cursor's current result."""
    description = cursor.description
    if description is None:
        return tuple
    return _pg_row_type(tuple(column.name for column in description))


@functools.lru_cache(maxsize=256)
def _pg_row_type(names: tuple[str, ...]) -> type[PgRow]:
    """One row class per distinct list of column names (queries repeat)."""
    return type("Row", (PgRow,), {"_names": {name: i for i, name in enumerate(names)}})


@functools.cache
def _aware_datetime_dumper() -> type:
    """psycopg's datetime dumper refusing naive values, as the SQLite adapter does: the server
    would read them in its own time zone."""
    from psycopg.types.datetime import DatetimeDumper

    class AwareDatetimeDumper(DatetimeDumper):
        def upgrade(self, obj: datetime, fmt: Any) -> Any:
            if obj.tzinfo is None:
                _adapt_datetime(obj)  # raises the same StoreError as on SQLite
            return super().upgrade(obj, fmt)

    return AwareDatetimeDumper
