"""``smallcrm import FILE``: records from a CSV, vCard, iCalendar or smallcrm JSON file as one
batch, all or nothing unless ``--skip-invalid``, previewed with ``--dry-run``.

Its bookkeeping (``import list``, ``import undo BATCH``) is in ``smallcrm.cli.import_batches``;
how the outcome is shown, in ``smallcrm.cli.import_report``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from smallcrm.cli.context import CliError, err, guarded, state
from smallcrm.cli.core import EXIT_ERROR, EXIT_INTERRUPTED
from smallcrm.cli.dataio import FORMATS, KINDS, JsonOption, completer, store_options
from smallcrm.cli.feedback import progress_bar, stdin_is_terminal
from smallcrm.cli.import_batches import import_subcommands
from smallcrm.cli.import_report import invalid, rejection, write_report, write_report_json
from smallcrm.cli.routing import routed

if TYPE_CHECKING:
    from smallcrm.store.db import Database
    from smallcrm.store.io import ImportReport

FileArgument = Annotated[
    Path,
    typer.Argument(
        metavar="FILE|-",
        allow_dash=True,
        help="A .csv, .vcf, .ics or .json file; - reads standard input.",
        show_default=False,
    ),
]
KindOption = Annotated[
    str | None,
    typer.Option(
        "--kind",
        "-k",
        help="What the file holds: contacts, accounts, interactions, deals, appointments "
        "(default: from the file).",
        autocompletion=completer(KINDS),
        show_default=False,
    ),
]
FormatOption = Annotated[
    str | None,
    typer.Option(
        "--format",
        "-f",
        help="csv, vcard, ics or json (default: from the content and the name).",
        autocompletion=completer(FORMATS),
        show_default=False,
    ),
]
MapOption = Annotated[
    list[str] | None,
    typer.Option(
        "--map",
        metavar='"HEADER=field"',
        help='Read a CSV column as this field: --map "E-mail 1 - Value=email" (repeatable; '
        "=ignore skips a column). --dry-run shows how each column is read.",
        show_default=False,
    ),
]
DryRunOption = Annotated[
    bool,
    typer.Option("--dry-run", help="Show what would be created, updated or skipped."),
]
SkipInvalidOption = Annotated[
    bool,
    typer.Option("--skip-invalid", help="Import the good records even if some are invalid."),
]
EncodingOption = Annotated[
    str | None,
    typer.Option(help="Text encoding (default: UTF-8, else Windows-1252).", show_default=False),
]
DelimiterOption = Annotated[
    str | None,
    typer.Option(help="CSV delimiter: , ; | or tab (default: detected).", show_default=False),
]


@routed(import_subcommands)
@guarded
def import_file(
    ctx: typer.Context,
    file: FileArgument,
    kind: KindOption = None,
    file_format: FormatOption = None,
    mapping: MapOption = None,
    dry_run: DryRunOption = False,
    skip_invalid: SkipInvalidOption = False,
    encoding: EncodingOption = None,
    delimiter: DelimiterOption = None,
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

    db = state(ctx).db()
    before = _last_batch(db)
    try:
        report = _run(
            db,
            file,
            kind,
            file_format=file_format,
            mapping=mapping,
            dry_run=dry_run,
            skip_invalid=skip_invalid,
            encoding=encoding,
            delimiter=delimiter,
        )
    except ImportRejected as exc:
        if as_json:
            write_report_json(exc.report)
        raise CliError(rejection(exc.report)) from None
    except KeyboardInterrupt:
        _interrupted(db, before)
    _write_outcome(report, as_json=as_json, dry_run=dry_run, skip_invalid=skip_invalid)


def _run(
    db: Database,
    file: Path,
    kind: str | None,
    *,
    file_format: str | None,
    mapping: list[str] | None,
    dry_run: bool,
    skip_invalid: bool,
    encoding: str | None,
    delimiter: str | None,
) -> ImportReport:
    """Read ``file`` (``-``: standard input) into the store, with a progress bar."""
    from smallcrm.store.io import import_file as run_import

    source: Path | str = "-" if str(file) == "-" else file
    label = "standard input" if source == "-" else file.name
    if source == "-" and stdin_is_terminal():
        err("Reading the records from the keyboard: paste them, then press Ctrl+D.")
    with _missing_file_hint(file), store_options():
        with progress_bar(f"{'Checking' if dry_run else 'Importing'} {label}") as progress:
            return run_import(
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


def _write_outcome(
    report: ImportReport, *, as_json: bool, dry_run: bool, skip_invalid: bool
) -> None:
    """The report; a dry run that the real import would refuse exits 1."""
    if as_json:
        write_report_json(report)
    else:
        write_report(report)
    if dry_run and report.problems and not skip_invalid:
        err(
            f"The import would be refused: {invalid(report.invalid)}. Fix them, "
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
