"""The live record counts (``record_count``) checked against the tables and rebuilt from them.

On PostgreSQL a kind's count is its ``record_count`` row plus the changes logged in
``record_count_change`` that no write has folded in yet (see revision 0022).
"""

from __future__ import annotations

from smallcrm.store import kinds
from smallcrm.store.db import Tx

TABLE = "record_count"


def _fresh() -> str:
    return " UNION ALL ".join(
        f"SELECT '{kind}' AS kind, count(*) AS live FROM {kind} WHERE deleted_at IS NULL"
        for kind in kinds.NAMES
    )


def _stored(dialect: str) -> str:
    if dialect != "postgresql":
        return "SELECT kind, live FROM record_count"
    return (
        "SELECT kind, live + coalesce((SELECT sum(delta) FROM record_count_change AS c "
        "WHERE c.kind = r.kind), 0) AS live FROM record_count AS r"
    )


def differences(tx: Tx) -> int:
    """How many kinds' stored counts differ from their tables (0: all exact)."""
    fresh = {row[0]: int(row[1]) for row in tx.all(_fresh())}
    stored = {row[0]: int(row[1]) for row in tx.all(_stored(tx.dialect))}
    return sum(1 for kind, live in fresh.items() if stored.get(kind) != live)


def rebuild(tx: Tx) -> None:
    """Set every kind's count from its table (in a write transaction, which holds the lock
    every writer takes, so no change is in flight)."""
    if tx.dialect == "postgresql":
        tx.execute("DELETE FROM record_count_change")
    tx.execute("DELETE FROM record_count")
    # A new stamp too: places remembered in the lists are not trusted across a rebuild.
    stamp = "txid_current()" if tx.dialect == "postgresql" else "random()"
    tx.execute(
        f"INSERT INTO record_count (kind, live, stamp) SELECT kind, live, {stamp} "
        f"FROM ({_fresh()}) AS fresh"
    )
