"""The data tables of a smallcrm database in an order that respects their foreign keys (each
after the tables it points at), for a whole-database backup, its restore and its undo."""

from __future__ import annotations

from smallcrm.store.db import Tx

# Derived: by triggers (search_doc, record_count, the dashboard's roll-ups) or by the migrations
# (the letters search folds).
SKIPPED = (
    "search_doc", "alembic_version", "record_count", "fold_char", "fold_pos", "activity_day",
    "contact_touch", "contact_quality", "record_count_change",
)  # fmt: skip
# Written by triggers as the rows they follow arrive (a deal's stage history as the deal is
# restored): what the triggers wrote is removed before the table's own rows are restored.
REWRITTEN = ("stage_change",)


def tables(tx: Tx) -> list[str]:
    """The data tables, each after the tables its foreign keys point at."""
    if tx.dialect == "postgresql":
        names = [
            row["table_name"]
            for row in tx.all(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
            )
        ]
        depends = {name: _pg_depends(tx, name) for name in names}
    else:
        names = [
            row["name"]
            for row in tx.all(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                "AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name"
            )
        ]
        depends = {
            name: {row["table"] for row in tx.all(f"PRAGMA foreign_key_list({name})")}
            for name in names
        }
    names = [n for n in names if n not in SKIPPED and not n.startswith("search_fts")]
    return _ordered(sorted(names), depends)


def _pg_depends(tx: Tx, table: str) -> set[str]:
    return {
        row["ref"]
        for row in tx.all(
            "SELECT ccu.table_name AS ref FROM information_schema.table_constraints tc "
            "JOIN information_schema.constraint_column_usage ccu "
            "ON tc.constraint_name = ccu.constraint_name "
            "WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_name = :t",
            t=table,
        )
    }


def _ordered(names: list[str], depends: dict[str, set[str]]) -> list[str]:
    done: list[str] = []
    pending = list(names)
    while pending:
        ready = [n for n in pending if (depends.get(n, set()) - {n}) & set(pending) <= set()]
        if not ready:  # a cycle: keep the rest in name order
            ready = pending[:1]
        for name in ready:
            done.append(name)
            pending.remove(name)
    return done
