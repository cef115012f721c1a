"""The declared types of the database's columns, for turning JSON values back into dates.

Backups and undo information are JSON, where dates are ISO strings; writing such a string into
a DATETIME column would store it in another format than the driver's adapter does (and break
ordering), so values are converted back according to the column's declared type.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from smallcrm.store.db import Tx, to_date, to_datetime


def column_types(tx: Tx, table: str) -> dict[str, str]:
    """``{column: "datetime" | "date" | "bool" | "int" | "text"}`` for ``table``."""
    if tx.dialect == "postgresql":
        found = tx.all(
            "SELECT column_name AS name, data_type AS type FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = :t",
            t=table,
        )
    else:
        found = tx.all(f"PRAGMA table_info({table})")
    return {row["name"]: _simple(str(row["type"])) for row in found}


def _simple(declared: str) -> str:
    kind = declared.upper()
    if kind.startswith(("DATETIME", "TIMESTAMP")):
        return "datetime"
    if kind == "DATE":
        return "date"
    if kind.startswith("BOOL"):
        return "bool"
    if "INT" in kind:
        return "int"
    return "text"


def to_json(value: Any) -> Any:
    """A column value as JSON: dates and times as ISO 8601 strings."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


def from_json(kind: str, value: Any) -> Any:
    """A JSON value back as what a column of type ``kind`` stores."""
    if value is None:
        return None
    if kind == "datetime":
        return to_datetime(value)
    if kind == "date":
        return to_date(value)
    if kind == "bool":
        return bool(value)
    return value
