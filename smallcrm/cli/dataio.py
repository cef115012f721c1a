"""``smallcrm import``, ``export`` and ``invite``: data in and out of the shell.

``import FILE`` reads CSV, vCard, iCalendar or smallcrm JSON (the format from the content and
the name) as one batch: all or nothing unless ``--skip-invalid``, previewed with
``--dry-run``, undone with ``import undo BATCH`` (``import list`` shows the batches; see
``smallcrm.cli.routing`` for how those words share ``import``). ``export KIND`` writes records
as CSV, JSON, vCard or iCalendar, or the whole database as a JSON backup; ``invite`` writes one
appointment as an .ics invitation. Long runs draw a progress bar on stderr at a terminal.
"""

from __future__ import annotations

import difflib
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from smallcrm.cli.context import CliError, err, guarded, lookup, state
from smallcrm.cli.core import EXIT_ERROR, EXIT_INTERRUPTED
from smallcrm.cli.feedback import progress_bar, stdin_is_terminal
from smallcrm.cli.routing import routed
from smallcrm.store import formats
from smallcrm.store import kinds as registry
from smallcrm.store.validate import MAX_ID

if TYPE_CHECKING:
    from smallcrm.store.db import Database
    from smallcrm.store.io import ImportReport, Problem

KINDS = tuple(k.plural for k in registry.KINDS)
EXPORT_KINDS = (*KINDS, "all")
FORMATS = ("csv", "json", "vcard", "ics")
BACKUP_WORDS = {"all", "database", "backup"}
EXTENSION_FORMATS = {
    ".csv": "csv",
    ".tsv": "csv",
    ".json": "json",
    ".vcf": "vcard",
    ".vcard": "vcard",
    ".ics": "ics",
    ".ical": "ics",
}
SHOWN_WARNINGS = 50  # more would bury the summary; --json has them all
# The store's names for the inputs of an import or export, as the shell spells them.
OPTIONS = {
    "kind": "--kind",
    "format": "--format",
    "mapping": "--map",
    "encoding": "--encoding",
    "delimiter": "--delimiter",
    "file": "FILE",
    "batch": "BATCH",
    "organizer": "--from",
    "database": "--db",
}
ACTIONS = {"created": "create", "updated": "update", "unchanged": "skip", "invalid": "invalid"}


def _complete(words: tuple[str, ...]) -> Any:
    def complete(incomplete: str) -> list[str]:
        return [word for word in words if word.startswith(incomplete)]

    return complete


OutputOption = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        metavar="FILE",
        allow_dash=True,
        help="Write to this file (default: standard output).",
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Write the outcome as one JSON object.")]


@contextmanager
def store_options() -> Iterator[None]:
    """Name the option the user typed when the store refuses one of its inputs."""
    from smallcrm.store.errors import ValidationError
    from smallcrm.store.io import ImportRejected

    try:
        yield
    except ImportRejected:
        raise
    except ValidationError as exc:
        if exc.field not in OPTIONS:
            raise
        raise CliError(f"{OPTIONS[exc.field]}: {exc.message}") from None


# --- import ----------------------------------------------------------------------------------

import_subcommands = typer.Typer(help="Import batches: list them, undo one.")


@routed(import_subcommands)
@guarded
def import_file(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FILE|-",
            allow_dash=True,
            help="A .csv, .vcf, .ics or .json file; - reads standard input.",
            show_default=False,
        ),
    ],
    kind: Annotated[
        str | None,
        typer.Option(
            "--kind",
            "-k",
            help="What the file holds: contacts, accounts, interactions, deals, appointments "
            "(default: from the file).",
            autocompletion=_complete(KINDS),
            show_default=False,
        ),
    ] = None,
    file_format: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            help="csv, vcard, ics or json (default: from the content and the name).",
            autocompletion=_complete(FORMATS),
            show_default=False,
        ),
    ] = None,
    mapping: Annotated[
        list[str] | None,
        typer.Option(
            "--map",
            metavar='"HEADER=field"',
            help='Read a CSV column as this field: --map "E-mail 1 - Value=email" (repeatable; '
            "=ignore skips a column). --dry-run shows how each column is read.",
            show_default=False,
        ),
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Show what would be created, updated or skipped."),
    ] = False,
    skip_invalid: Annotated[
        bool,
        typer.Option("--skip-invalid", help="Import the good records even if some are invalid."),
    ] = False,
    encoding: Annotated[
        str | None,
        typer.Option(help="Text encoding (default: UTF-8, else Windows-1252).", show_default=False),
    ] = None,
    delimiter: Annotated[
        str | None,
        typer.Option(help="CSV delimiter: , ; | or tab (default: detected).", show_default=False),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Import contacts, accounts, deals, interactions or appointments from a file.

    Reads CSV (Google, Outlook, other CRMs), vCard, iCalendar and smallcrm JSON.
    All or nothing: if a record is invalid, nothing is imported (--skip-invalid).
    Importing a file again updates the records it made instead of copying them.
    Each import can be undone: smallcrm import list, smallcrm import undo BATCH.
    A backup made with smallcrm export all restores into an empty database.
    """
    from smallcrm.store.io import ImportRejected
    from smallcrm.store.io import import_file as run_import

    db = state(ctx).db()
    before = _last_batch(db)
    source: Path | str = "-" if str(file) == "-" else file
    label = "standard input" if source == "-" else file.name
    if source == "-" and stdin_is_terminal():
        err("Reading the records from the keyboard: paste them, then press Ctrl+D.")
    try:
        with _missing_file_hint(file), store_options():
            with progress_bar(f"{'Checking' if dry_run else 'Importing'} {label}") as progress:
                report = run_import(
                    db,
                    source,
                    kind,
                    file_format=file_format,
                    mapping=mapping or None,
                    dry_run=dry_run,
                    skip_invalid=skip_invalid,
                    progress=progress,
                    encoding=encoding,
                    delimiter=_delimiter(delimiter),
                )
    except ImportRejected as exc:
        if as_json:
            _write_report_json(exc.report)
        raise CliError(_rejection(exc.report)) from None
    except KeyboardInterrupt:
        _interrupted(db, before)
    if as_json:
        _write_report_json(report)
    else:
        _write_report(report)
    if dry_run and report.problems and not skip_invalid:
        err(
            f"The import would be refused: {_invalid(report.invalid)}. Fix them, "
            "or add --skip-invalid to import the good ones."
        )
        raise typer.Exit(EXIT_ERROR)


def _last_batch(db: Database) -> int:
    from smallcrm.store.io import list_batches

    latest = list_batches(db, limit=1)
    return latest[0].id if latest else 0


@contextmanager
def _missing_file_hint(file: Path) -> Iterator[None]:
    """``smallcrm import undo`` without a batch reads a file called undo: say how to undo."""
    try:
        yield
    except CliError as exc:
        if str(file) in ("undo", "list") and not file.exists():
            raise CliError(
                f"{exc}\nTo see the imports: smallcrm import list; "
                "to undo one: smallcrm import undo BATCH"
            ) from None
        raise


def _delimiter(text: str | None) -> str | None:
    if text is None:
        return None
    return "\t" if text.lower() in ("tab", "\\t") else text


def _interrupted(db: Database, before: int) -> None:
    """Ctrl+C: the import's transaction was rolled back, unless it had just committed."""
    from smallcrm.store.io import list_batches

    latest = list_batches(db, limit=1)
    if latest and latest[0].id > before and latest[0].finished_at is not None:
        batch = latest[0].id
        err(
            f"Interrupted after the import had finished (import {batch}); "
            f"undo it with: smallcrm import undo {batch}"
        )
    else:
        err("Interrupted: nothing was imported.")
    raise typer.Exit(EXIT_INTERRUPTED)


def _records(count: int) -> str:
    return f"{count} record" + ("" if count == 1 else "s")


def _invalid(count: int) -> str:
    """``1 record is invalid``, ``2 records are invalid``."""
    return f"{_records(count)} {'is' if count == 1 else 'are'} invalid"


def _problem_lines(problems: tuple[Problem, ...] | list[Problem]) -> list[str]:
    return [f"  {problem}" for problem in problems]


def _rejection(report: ImportReport) -> str:
    good = report.total - report.invalid
    lines = [f"{report.invalid} of {_invalid(report.total)}, so nothing was imported:"]
    lines += _problem_lines(report.problems)
    if good:
        lines.append(f"Fix them, or import the {good} good ones with --skip-invalid.")
    else:
        lines.append("Fix them and import the file again.")
    return "\n".join(lines)


def _write_report(report: ImportReport) -> None:
    if report.dry_run:
        _write_preview(report)
    if report.problems and not report.dry_run:
        err(f"Skipped {_records(report.invalid)} (invalid):")
        for line in _problem_lines(report.problems):
            err(line)
    elif report.problems and report.total > len(report.rows):
        # The preview table shows the first rows only: list every problem.
        err(f"Invalid ({_records(report.invalid)}):")
        for line in _problem_lines(report.problems):
            err(line)
    _write_warnings(report.warnings)
    print(report.summary())
    if report.duplicates:
        kinds = {d.kind for d in report.duplicates}
        commands = [
            command
            for kind, command in (
                ("contact", "smallcrm duplicates"),
                ("account", "smallcrm duplicates --accounts"),
            )
            if kind in kinds
        ]
        print(f"Review the possible duplicates with: {' and '.join(commands)}")
    if report.committed and report.batch_id:
        print(f"Undo it with: smallcrm import undo {report.batch_id}")


def _write_warnings(warnings: tuple[Problem, ...]) -> None:
    if not warnings:
        return
    err("Warnings:")
    for line in _problem_lines(warnings[:SHOWN_WARNINGS]):
        err(line)
    if len(warnings) > SHOWN_WARNINGS:
        err(f"  ... and {len(warnings) - SHOWN_WARNINGS} more (--json lists them all)")


def _write_preview(report: ImportReport) -> None:
    """A dry run: how the columns are read, then what each record would do."""
    from smallcrm.cli import views
    from smallcrm.cli.output import Column, is_terminal, write_table

    columns = [c for c in report.details.get("columns") or () if not c.endswith("(ignored)")]
    if columns:
        print("Columns (header -> field):")
        for text in columns:
            print(f"  {text}")
        ignored = report.details.get("unmapped") or []
        if ignored:
            print(f"Ignored columns: {', '.join(ignored)}")
        print('Change how a column is read with --map "HEADER=field".\n')
    table = (
        Column("Where", 18),
        Column("Action", 8),
        Column("Kind", 11),
        Column("Record", 36),
        Column("Details", 60),
    )
    rows = [
        [
            row.where,
            ACTIONS.get(row.action, row.action),
            views.shell_kind(row.kind),
            row.label,
            _row_details(row),
        ]
        for row in report.rows
    ]
    write_table(table, rows, terminal=is_terminal(sys.stdout))
    if report.total > len(report.rows):
        print(f"... and {report.total - len(report.rows)} more records not shown")


def _row_details(row: Any) -> str:
    from smallcrm.cli import views

    record = f"{views.shell_kind(row.kind)} {row.record_id}" if row.record_id else ""
    how = f" ({row.reason})" if row.reason else ""  # how it was found: "same email x"
    if row.action == "updated":
        return f"{record}{how}: {', '.join(row.changed)}" if row.changed else record + how
    if row.action == "unchanged":
        return f"unchanged ({record})" if record else "unchanged"
    if row.action == "invalid":
        return (row.reason or "").removeprefix(f"{row.where}: ")
    return row.reason or ""  # created: what it may duplicate


def report_json(report: ImportReport) -> dict[str, Any]:
    """An import's outcome for scripts."""
    from smallcrm.cli import views

    def problem(p: Problem) -> dict[str, Any]:
        return {"where": p.where, "line": p.line, "field": p.field, "reason": p.reason}

    return {
        "source": report.source,
        "format": report.file_format,
        "kind": views.shell_kind(report.kind),
        "dry_run": report.dry_run,
        "committed": report.committed,
        "batch": report.batch_id,
        "total": report.total,
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "invalid": report.invalid,
        "linked_created": {views.shell_kind(k): n for k, n in report.linked_created.items()},
        "possible_duplicates": [
            {
                "where": d.where,
                "kind": views.shell_kind(d.kind),
                "id": d.record_id,
                "label": d.label,
                "other_id": d.other_id,
                "reason": d.reason,
            }
            for d in report.duplicates
        ],
        "problems": [problem(p) for p in report.problems],
        "warnings": [problem(p) for p in report.warnings],
        "rows": [
            {
                "where": row.where,
                "action": row.action,
                "kind": views.shell_kind(row.kind),
                "label": row.label,
                "id": row.record_id,
                "changed": list(row.changed),
                "reason": row.reason,
            }
            for row in report.rows
        ],
        "columns": report.details.get("mapping"),
        "seconds": report.seconds,
    }


def _write_report_json(report: ImportReport) -> None:
    from smallcrm.cli.output import write_json

    write_json(report_json(report))


# --- import list / import undo ---------------------------------------------------------------


@import_subcommands.command("list")
@guarded
def list_imports(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="At most this many.")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Write one JSON array.")] = False,
) -> None:
    """List the latest imports, newest first, with what each did."""
    from smallcrm.cli import views
    from smallcrm.cli.output import Column, is_terminal, write_json_array, write_table
    from smallcrm.store.io import list_batches

    batches = list_batches(state(ctx).db(), limit=limit)
    if as_json:
        write_json_array(_batch_json(b) for b in batches)
        return
    if not batches:
        err("No imports yet. Import a file with: smallcrm import FILE")
        return
    table = (
        Column("Batch", 6, "right"),
        Column("When", 20),
        Column("By", 12),
        Column("File", 30),
        Column("Kind", 11),
        Column("Created", 7, "right"),
        Column("Updated", 7, "right"),
        Column("Unchanged", 9, "right"),
        Column("Invalid", 7, "right"),
        Column("Undone", 20),
    )
    rows = [
        [
            b.id,
            formats.when(b.started_at),
            b.actor,
            b.source,
            views.shell_kind(b.kind),
            b.created,
            b.updated,
            b.unchanged,
            b.invalid,
            formats.when(b.undone_at),
        ]
        for b in batches
    ]
    write_table(table, rows, terminal=is_terminal(sys.stdout))


def _batch_json(batch: Any) -> dict[str, Any]:
    from smallcrm.cli import views

    return {
        "batch": batch.id,
        "started_at": views.iso(batch.started_at),
        "finished_at": views.iso(batch.finished_at),
        "actor": batch.actor,
        "source": batch.source,
        "format": batch.file_format,
        "kind": views.shell_kind(batch.kind),
        "created": batch.created,
        "updated": batch.updated,
        "unchanged": batch.unchanged,
        "invalid": batch.invalid,
        "undone_at": views.iso(batch.undone_at),
        "undone_by": batch.undone_by,
    }


@import_subcommands.command("undo")
@guarded
def undo_import(
    ctx: typer.Context,
    batch: Annotated[
        int, typer.Argument(metavar="BATCH", min=1, max=MAX_ID, help="The import's number.")
    ],
) -> None:
    """Undo an import: delete what it created, put back what it changed."""
    from smallcrm.store.errors import NotFoundError
    from smallcrm.store.io import undo_import as run_undo

    db = state(ctx).db()
    try:
        with store_options(), progress_bar(f"Undoing import {batch}") as progress:
            report = run_undo(db, batch, progress=progress)
    except NotFoundError:
        raise CliError(f"no import {batch}. See the imports with: smallcrm import list") from None
    print(report.summary())
    for note in report.notes:
        print(f"  {note}")


# --- export ----------------------------------------------------------------------------------


@guarded
def export(
    ctx: typer.Context,
    kind: Annotated[
        str,
        typer.Argument(
            metavar="KIND",
            help="contacts, accounts, interactions, deals, appointments, or all (the whole "
            "database as a JSON backup).",
            autocompletion=_complete(EXPORT_KINDS),
            show_default=False,
        ),
    ],
    file_format: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            help="csv, json, vcard (contacts, accounts) or ics (appointments); default: from "
            "the -o file's extension, else csv (json for all).",
            autocompletion=_complete(FORMATS),
            show_default=False,
        ),
    ] = None,
    output: OutputOption = None,
) -> None:
    """Export records as CSV, JSON, vCard or iCalendar: smallcrm export contacts -o people.vcf"""
    from smallcrm.cli.streams import is_stdout, output_stream

    store_kind = _export_kind(kind)
    chosen = _export_format(store_kind, file_format, output)
    db = state(ctx).db()
    # A bar beside data written to the terminal would garble it: only for files and pipes.
    show_bar = not (is_stdout(output) and _stdout_is_terminal())
    with store_options(), output_stream(output, db=db) as out:
        with progress_bar(f"Exporting {kind}", show=show_bar) as progress:
            if store_kind == "database":
                from smallcrm.store.io import export_database

                counts = export_database(db, out, progress=progress)
            else:
                from smallcrm.store.io import export_records

                count = export_records(db, store_kind, chosen, out, progress=progress)
    if is_stdout(output):
        return
    if store_kind == "database":
        rows = sum(counts.values())
        print(
            f"Exported the whole database to {output}: {rows:,} rows in {len(counts)} tables. "
            f"Restore it into an empty database with: smallcrm --db NEW.db import {output}"
        )
    else:
        print(f"Exported {_count(count, store_kind)} to {output} ({_FORMAT_NAMES[chosen]})")


_FORMAT_NAMES = {"csv": "CSV", "json": "JSON", "vcard": "vCard 4.0", "ics": "iCalendar"}


def _stdout_is_terminal() -> bool:
    from smallcrm.cli.output import is_terminal

    return is_terminal(sys.stdout)


def _export_kind(word: str) -> str:
    """The store's kind for KIND, or ``database`` for the whole backup."""
    from smallcrm.store import validate
    from smallcrm.store.errors import ValidationError
    from smallcrm.store.io import kind_name

    text = word.strip().lower()
    if text in BACKUP_WORDS:
        return "database"
    try:
        return kind_name(text)
    except ValidationError:
        pass
    try:
        chosen = validate.choice("KIND", text, EXPORT_KINDS)
    except ValidationError as exc:
        close = difflib.get_close_matches(text, EXPORT_KINDS, n=1)
        hint = f"; did you mean {close[0]}?" if close else ""
        raise CliError(f"KIND: {exc.message}{hint}") from None
    return "database" if chosen == "all" else kind_name(chosen)


def _export_format(kind: str, file_format: str | None, output: Path | None) -> str:
    from smallcrm.store.io import format_name

    with store_options():
        chosen = format_name(file_format) if file_format else None
    if chosen is None and output is not None:
        chosen = EXTENSION_FORMATS.get(output.suffix.lower())
    if kind == "database":
        if chosen not in (None, "json"):
            raise CliError("--format: the whole database is exported as JSON only")
        return "json"
    return chosen or "csv"


def _count(count: int, kind: str) -> str:
    from smallcrm.cli import views

    word = views.shell_kind(kind)
    if count == 1:
        return f"1 {word}"
    return f"{count:,} {word[:-1] + 'ies' if word.endswith('y') else word + 's'}"


# --- invite ----------------------------------------------------------------------------------


@guarded
def invite(
    ctx: typer.Context,
    appointment: Annotated[
        str,
        typer.Argument(
            metavar="APPOINTMENT",
            help="The appointment's id (or its title).",
            show_default=False,
        ),
    ],
    output: OutputOption = None,
    sender: Annotated[
        str | None,
        typer.Option(
            "--from",
            metavar="EMAIL",
            help="Your email address, as the organiser (calendar programs then offer "
            "accept and decline).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Write an .ics invitation for one appointment, to send to its contact."""
    from smallcrm.cli.streams import is_stdout, output_stream
    from smallcrm.store.io import invitation

    db = state(ctx).db()
    hit = lookup(
        db,
        appointment,
        ("appointment",),
        option="APPOINTMENT",
        how="smallcrm invite {ref}",
    )
    with store_options():
        text = invitation(db, hit.record_id, organizer_email=sender)
    with output_stream(output, db=db) as out:
        out.write(text)
    attendee = _attendee(text)
    if not attendee:
        err(
            f"Note: appointment {hit.record_id} has no contact with an email address, so the "
            "invitation names no attendee."
        )
    if not is_stdout(output):
        to = f"; send it to {attendee}" if attendee else ""
        print(f"Wrote the invitation to {hit.title} (appointment {hit.record_id}) to {output}{to}")


def _attendee(text: str) -> str | None:
    """The attendee's address in an .ics text (lines unfolded first)."""
    for line in text.replace("\r\n ", "").replace("\r\n\t", "").splitlines():
        if line.upper().startswith("ATTENDEE") and "mailto:" in line.lower():
            return line[line.lower().rindex("mailto:") + len("mailto:") :].strip()
    return None
