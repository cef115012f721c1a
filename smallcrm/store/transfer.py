"""Moving a whole CRM from one database to another (``smallcrm migrate-to URL``).

The usual case is a business outgrowing one machine: its SQLite file goes to a PostgreSQL
server. Both ends are opened through ``open_database`` (so both are at the newest schema), every
table is copied with its ids, the target's id sequences are moved past the copied ids, and the
row counts are compared, all in one write transaction on the target: a copy that fails half way
leaves the target as it was. The search index and the live record counts are not copied; the
target's own triggers build them from the rows as they arrive.

The target must hold no records: copying into a database in use would mix two CRMs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from smallcrm.store import kinds
from smallcrm.store.db import Database, Tx, sync_id_sequence
from smallcrm.store.errors import ValidationError
from smallcrm.store.io.columns import column_types
from smallcrm.store.urls import redact_url

# Parents before children (foreign keys), so rows can be inserted in this order.
TABLES = (
    "setting",
    "stage",
    "account",
    "campaign",
    "contact",
    "contact_method",
    "opportunity",
    "stage_change",
    "service_case",
    "interaction",
    "appointment",
    "campaign_member",
    "import_batch",
    "import_batch_item",
    "audit_entry",
    "form_draft",
    "reminder_delivery",
    "reminder_state",
    "slot_offer",
    "slot_hold",
    "sync_file",
    "sync_text",
    "saved_filter",
)
# Kept by the database itself (triggers, Alembic), never copied.
DERIVED = (
    "alembic_version",
    "search_doc",
    "record_count",
    "fold_char",
    "fold_pos",
    "activity_day",
    "contact_touch",
    "contact_quality",
)
# Written by triggers as the rows above them arrive, and copied after them: what the triggers
# wrote is removed first (a copied deal's own history replaces the one its copy began).
REWRITTEN = ("stage_change",)
# Holding any of these makes a database "in use".
RECORD_TABLES = (*kinds.NAMES, "audit_entry")
BATCH = 1000

Progress = Callable[[str, int], None]


@dataclass(frozen=True)
class TransferResult:
    """What was copied: rows per table, in copy order."""

    counts: dict[str, int]

    @property
    def total(self) -> int:
        """Rows copied in all."""
        return sum(self.counts.values())


describe_target = redact_url  # the URL as safe to print: the store's one redaction


def records_held(db: Database) -> dict[str, int]:
    """How many rows each record table holds (live and trashed), only those holding some."""
    with db.read() as tx:
        counts = {table: int(tx.scalar(f"SELECT COUNT(*) FROM {table}")) for table in RECORD_TABLES}
    return {table: n for table, n in counts.items() if n}


def copy_database(
    source: Database, target: Database, progress: Progress | None = None
) -> TransferResult:
    """Copy every record of ``source`` into the empty database ``target``, ids and all.

    Raises ValidationError (field ``target``) when the two are the same database or the target
    already holds records; nothing is written then, nor when the copy fails part way.
    """
    if source.url == target.url:
        raise ValidationError("target", "the target is the database being copied; give another")
    held = records_held(target)
    if held:
        listed = ", ".join(f"{n} {table.replace('_', ' ')} rows" for table, n in held.items())
        raise ValidationError(
            "target",
            f"{describe_target(target.url)} already holds records ({listed}); copy into an empty "
            "database (create a new one, e.g. `createdb crm`)",
        )
    counts: dict[str, int] = {}
    with source.read() as reader, target.write() as writer:
        for table in reversed(TABLES):  # rows the target's migrations seeded (stages, settings)
            writer.execute(f"DELETE FROM {table}")
        for table in TABLES:
            if table in REWRITTEN:
                writer.execute(f"DELETE FROM {table}")
            counts[table] = _copy_table(reader, writer, table, progress)
            if "id" in column_types(writer, table):
                sync_id_sequence(writer, table)  # the target's next ids follow the copied ones
        _check_counts(writer, counts)
    return TransferResult(counts)


def _copy_table(reader: Tx, writer: Tx, table: str, progress: Progress | None) -> int:
    target_columns = column_types(writer, table)
    columns = [c for c in column_types(reader, table) if c in target_columns]
    order = '"id"' if "id" in columns else f'"{columns[0]}"'
    names = ", ".join(f'"{column}"' for column in columns)  # "key", "before": reserved words
    insert = f"INSERT INTO {table} ({names}) VALUES ({', '.join(':' + c for c in columns)})"
    copied = 0
    batch: list[dict[str, object]] = []
    for row in reader.iter(f"SELECT {names} FROM {table} ORDER BY {order}", size=BATCH):
        batch.append({column: row[column] for column in columns})
        if len(batch) == BATCH:
            copied += _flush(writer, insert, batch, table, progress, copied)
    copied += _flush(writer, insert, batch, table, progress, copied)
    return copied


def _flush(
    writer: Tx,
    insert: str,
    batch: list[dict[str, object]],
    table: str,
    progress: Progress | None,
    done: int,
) -> int:
    if not batch:
        return 0
    writer.executemany(insert, batch)
    count = len(batch)
    batch.clear()
    if progress is not None:
        progress(table, done + count)
    return count


def _check_counts(writer: Tx, counts: dict[str, int]) -> None:
    for table, expected in counts.items():
        found = int(writer.scalar(f"SELECT COUNT(*) FROM {table}"))
        if found != expected:
            raise ValidationError(
                "target", f"{table}: copied {expected} rows but the target holds {found}; not saved"
            )
