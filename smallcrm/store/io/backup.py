"""The portable backup: every table of the database as one JSON file, and its restore.

``export_database`` writes ``{"format": "smallcrm-backup", "version": 1, "schema": ...,
"exported_at": ..., "tables": {"account": [...], ...}}``: every row of every table (records,
their emails and phones, the pipeline's stages, settings, the audit trail, import batches),
each row an object with sorted keys, rows in primary-key order, dates in ISO 8601. The search
index is left out: it is rebuilt from the records. It is read in one read transaction, so the
file is a consistent snapshot even while others keep working.

``restore_database`` loads such a file into an empty database (a new file, or one just
created), keeping every id, timestamp and history entry. It is one write transaction and one
import batch; undoing it empties the database again, as long as nothing was changed since.
"""

from __future__ import annotations

import json
from typing import Any, TextIO

from smallcrm.store import crud, kinds
from smallcrm.store.db import Database, Tx, sync_id_sequence
from smallcrm.store.errors import ValidationError

from .batches import finish_batch_tx, start_batch_tx
from .bulk import QuietSearch
from .columns import column_types, from_json
from .common import Clock, ImportReport, Progress, Ticker
from .jsonio import dumps, loads
from .sources import Source, read_source
from .tables import REWRITTEN, tables

FORMAT = "smallcrm-backup"
VERSION = 1
RECORD_TABLES = (*kinds.NAMES, "audit_entry")


class _DryRun(Exception):
    def __init__(self, report: ImportReport) -> None:
        super().__init__("dry run")
        self.report = report


def _schema(tx: Tx) -> str | None:
    try:
        return tx.scalar("SELECT version_num FROM alembic_version")
    except Exception:  # noqa: BLE001 - a database without Alembic's table has no revision
        return None


# --- export ------------------------------------------------------------------------------------


def export_database(
    db: Database, out: TextIO, *, progress: Progress | None = None
) -> dict[str, int]:
    """Write the whole database as a smallcrm backup (see module doc); rows per table."""
    counts: dict[str, int] = {}
    with db.read() as tx:
        names = tables(tx)
        total = sum(int(tx.scalar(f"SELECT count(*) FROM {name}")) for name in names)
        ticker = Ticker(progress, total)
        head = {
            "exported_at": crud.now_utc().isoformat(),
            "format": FORMAT,
            "schema": _schema(tx),
            "version": VERSION,
        }
        out.write(json.dumps(head, ensure_ascii=False)[:-1] + ', "tables": {')
        for index, name in enumerate(names):
            out.write(("," if index else "") + f"\n{json.dumps(name)}: [")
            counts[name] = _write_rows(tx, name, out, ticker)
            out.write("]")
        out.write("\n}}\n")
        ticker.finish()
    return counts


def _write_rows(tx: Tx, table: str, out: TextIO, ticker: Ticker) -> int:
    keys = _primary_key(tx, table)
    count = 0
    for row in tx.iter(f"SELECT * FROM {table} ORDER BY {keys}", size=2000):
        out.write(",\n" if count else "\n")
        out.write(dumps(dict(row)))
        count += 1
        ticker.step()
    return count


def _primary_key(tx: Tx, table: str) -> str:
    if tx.dialect == "sqlite":
        keys = [r["name"] for r in tx.all(f"PRAGMA table_info({table})") if r["pk"]]
        return ", ".join(sorted(keys, key=lambda k: k)) or "rowid"
    keys = [
        r["attname"]
        for r in tx.all(
            "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
            "AND a.attnum = ANY(i.indkey) WHERE i.indrelid = CAST(:t AS regclass) "
            "AND i.indisprimary",
            t=table,
        )
    ]
    return ", ".join(sorted(keys)) or "ctid"


# --- restore -----------------------------------------------------------------------------------


def is_backup(text: str) -> bool:
    """True if ``text`` starts like a smallcrm backup (cheap: looks at the head only)."""
    head = text[:400].replace(" ", "")
    return f'"format":"{FORMAT}"' in head


def restore_database(
    db: Database,
    source: Source,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
    actor: str | None = None,
) -> ImportReport:
    """Restore a backup into an empty database, as one undoable batch.

    Raises ValidationError if the database already holds records, if the file is not a
    smallcrm backup, or if it holds tables or columns this database does not have.
    """
    text = read_source(source)
    return restore_backup_text(
        db, text.text, text.name, dry_run=dry_run, progress=progress, actor=actor
    )


def restore_backup_text(
    db: Database,
    text: str,
    name: str,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
    actor: str | None = None,
) -> ImportReport:
    """``restore_database`` for a file already read into memory."""
    clock = Clock()
    actor = actor or crud.current_user()
    data = loads(text)
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValidationError("file", f"is not a smallcrm backup (format {FORMAT!r})")
    if data.get("version") != VERSION or not isinstance(data.get("tables"), dict):
        raise ValidationError("file", f"is a backup of version {data.get('version')!r}; expected 1")
    try:
        with db.write() as tx:
            report = _restore(tx, data, name, actor, progress, clock, dry_run)
            if dry_run:
                raise _DryRun(report)
            return report
    except _DryRun as done:
        return done.report


def _restore(
    tx: Tx,
    data: dict[str, Any],
    name: str,
    actor: str,
    progress: Progress | None,
    clock: Clock,
    dry_run: bool,
) -> ImportReport:
    _require_empty(tx)
    order = tables(tx)
    given: dict[str, Any] = data["tables"]
    unknown = sorted(set(given) - set(order))
    if unknown:
        raise ValidationError("file", f"holds tables this database does not have: {unknown}")
    total = sum(len(rows) for rows in given.values() if isinstance(rows, list))
    ticker = Ticker(progress, total)
    stages_before = [dict(row) for row in tx.all("SELECT * FROM stage ORDER BY position")]
    counts: dict[str, int] = {}
    search = QuietSearch(("contact", "contact_method"))
    search.pause(tx)
    for table in order:
        rows = given.get(table)
        if rows is None:
            continue
        if not isinstance(rows, list):
            raise ValidationError("file", f"table {table!r} is not a list of rows")
        if (table == "stage" and rows) or table in REWRITTEN:
            tx.execute(f"DELETE FROM {table}")
        counts[table] = _insert_rows(tx, table, rows, ticker)
        if "id" in column_types(tx, table):
            sync_id_sequence(tx, table)  # the rows kept their ids
    search.resume(tx)
    tx.execute("UPDATE contact SET version = version")  # one search document per contact
    ticker.finish()
    restored = sum(counts.values())
    batch_id = None
    if not dry_run:
        schema = data.get("schema")
        batch_id = _record_restore(tx, name, actor, counts, stages_before, schema)
    return ImportReport(
        source=name,
        file_format="backup",
        kind="database",
        dry_run=dry_run,
        committed=not dry_run,
        batch_id=batch_id,
        total=restored,
        created=restored,
        updated=0,
        unchanged=0,
        invalid=0,
        details={"tables": counts, "schema": data.get("schema")},
        seconds=clock.seconds(),
    )


def _record_restore(
    tx: Tx,
    name: str,
    actor: str,
    counts: dict[str, int],
    stages_before: list[dict[str, Any]],
    schema: Any,
) -> int:
    """The restore as an import batch (so it can be listed and undone): its table counts, the
    stages it replaced and the last audit entry it wrote."""
    batch_id = start_batch_tx(tx, actor=actor, source=name, file_format="backup", kind="database")
    details = {"tables": counts, "stages_before": stages_before, "schema": schema}
    finish_batch_tx(tx, batch_id, {"created": sum(counts.values())}, details, actor)
    details["last_audit_id"] = tx.scalar("SELECT max(id) FROM audit_entry")
    tx.execute("UPDATE import_batch SET details = :d WHERE id = :id", d=dumps(details), id=batch_id)
    return batch_id


def _require_empty(tx: Tx) -> None:
    for table in RECORD_TABLES:
        if tx.scalar(f"SELECT 1 FROM {table} LIMIT 1"):
            raise ValidationError(
                "database",
                f"already holds records ({table}); restore a backup into a new, empty database",
            )


def _insert_rows(tx: Tx, table: str, rows: list[Any], ticker: Ticker) -> int:
    types = column_types(tx, table)
    count = 0
    for start in range(0, len(rows), 1000):
        chunk = rows[start : start + 1000]
        grouped: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for position, row in enumerate(chunk, start=start + 1):
            values = _row_values(table, row, types, position)
            grouped.setdefault(tuple(values), []).append(values)
        for columns, group in grouped.items():
            names = ", ".join(columns)
            marks = ", ".join(f":{c}" for c in columns)
            try:
                tx.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", group)
            except Exception as exc:  # noqa: BLE001 - any driver error: the row does not fit
                raise ValidationError(
                    "file",
                    f"table {table!r}: rows {start + 1}-{start + len(chunk)} "
                    f"do not fit this database ({exc})",
                ) from None
        count += len(chunk)
        ticker.step(len(chunk))
    return count


def _row_values(table: str, row: Any, types: dict[str, str], position: int) -> dict[str, Any]:
    if not isinstance(row, dict):
        raise ValidationError("file", f"table {table!r}, row {position}: is not an object")
    unknown = sorted(set(row) - set(types))
    if unknown:
        raise ValidationError(
            "file", f"table {table!r}, row {position}: unknown columns {', '.join(unknown)}"
        )
    try:
        return {key: from_json(types[key], value) for key, value in row.items()}
    except (TypeError, ValueError) as exc:
        raise ValidationError("file", f"table {table!r}, row {position}: {exc}") from None
