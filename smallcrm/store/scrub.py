"""Replacing a person's identifiers in every text of a database: every text column of every
table, JSON texts kept valid JSON (audit changes, import snapshots).

Used by the erasure (``privacy``), on the database and on copies of it (its backups).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from smallcrm.store.db import Tx

ERASED = "[erased]"
# Nobody's data: Alembic's revision and the letters search folds (fold_char has no rowid).
SKIPPED_TABLES = ("alembic_version", "fold_char", "fold_pos")


def text_columns(tx: Tx) -> dict[str, list[str]]:
    """Every text column of every table (the search index's own tables aside)."""
    if tx.dialect == "postgresql":
        return _pg_text_columns(tx)
    found: dict[str, list[str]] = {}
    for row in tx.all(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "AND name NOT LIKE 'search_fts%'"
    ):
        table = row["name"]
        if table in SKIPPED_TABLES:
            continue
        columns = [
            c["name"]
            for c in tx.all(f"PRAGMA table_info({table})")
            if not str(c["type"])
            .upper()
            .startswith(("INT", "DATE", "BOOL", "NUM", "REAL", "FLOAT"))
        ]
        if columns:
            found[table] = columns
    return found


def _pg_text_columns(tx: Tx) -> dict[str, list[str]]:
    """``text_columns`` on PostgreSQL: the catalogue's text and varchar columns of the schema's
    tables (generated columns aside: the search tsvector follows search_doc by itself)."""
    found: dict[str, list[str]] = {}
    for row in tx.all(
        "SELECT c.table_name, c.column_name FROM information_schema.columns c "
        "JOIN information_schema.tables t ON t.table_schema = c.table_schema "
        "AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE' "
        "WHERE c.table_schema = current_schema() AND c.is_generated = 'NEVER' "
        "AND c.data_type IN ('text', 'character varying', 'character') "
        "ORDER BY c.table_name, c.ordinal_position"
    ):
        if row["table_name"] not in SKIPPED_TABLES:
            found.setdefault(row["table_name"], []).append(row["column_name"])
    return found


def scrub_everywhere(tx: Tx, words: set[str], phrases: set[str]) -> int:
    """Replace the person's identifiers in every text column of every table."""
    terms = sorted({t for t in phrases | words if t.strip()}, key=len, reverse=True)
    if not terms:
        return 0
    pattern = _pattern(words, phrases)
    params = {f"t{n}": term.lower() for n, term in enumerate(terms)}
    changed = 0
    # A row's physical address: SQLite's rowid, PostgreSQL's ctid (stable within this write
    # transaction, which holds the write lock); strpos() is PostgreSQL's instr().
    key, find = ("ctid", "strpos") if tx.dialect == "postgresql" else ("rowid", "instr")
    for table, columns in text_columns(tx).items():
        for column in columns:
            # One scan per column finds the candidates; Python then replaces case-insensitively
            # (SQLite's lower() folds ASCII letters only).
            where = " OR ".join(f"{find}(lower({column}), :t{n}) > 0" for n in range(len(terms)))
            for row in tx.all(
                f"SELECT {key} AS k, {column} AS v FROM {table} WHERE {where}", **params
            ):
                cleaned = _scrubbed(row["v"], pattern)
                if cleaned != row["v"]:
                    tx.execute(
                        f"UPDATE {table} SET {column} = :v WHERE {key} = :k", v=cleaned, k=row["k"]
                    )
                    changed += 1
    return changed


def _pattern(words: Iterable[str], phrases: Iterable[str]) -> re.Pattern[str]:
    parts = [re.escape(p) for p in sorted(phrases, key=len, reverse=True) if p]
    parts += [rf"\b{re.escape(w)}\b" for w in sorted(words, key=len, reverse=True)]
    return re.compile("|".join(parts), re.IGNORECASE)


def _scrubbed(value: Any, pattern: re.Pattern[str]) -> Any:
    """The text with every identifier replaced; JSON texts stay valid JSON."""
    if not isinstance(value, str):
        return value
    if value.startswith(("{", "[")):
        try:
            data = json.loads(value)
        except json.JSONDecodeError:
            return pattern.sub(ERASED, value)
        return json.dumps(_scrub_json(data, pattern), ensure_ascii=False, sort_keys=True)
    return pattern.sub(ERASED, value)


def _scrub_json(value: Any, pattern: re.Pattern[str]) -> Any:
    if isinstance(value, str):
        return pattern.sub(ERASED, value)
    if isinstance(value, list):
        return [_scrub_json(v, pattern) for v in value]
    if isinstance(value, dict):
        return {pattern.sub(ERASED, k): _scrub_json(v, pattern) for k, v in value.items()}
    return value
