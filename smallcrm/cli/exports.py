"""``smallcrm export KIND``: records as CSV, JSON, vCard or iCalendar, or the whole database
as a JSON backup (``export all``)."""

from __future__ import annotations

import difflib
import sys
from pathlib import Path
from typing import Annotated

import typer

from smallcrm.cli.context import CliError, guarded, state
from smallcrm.cli.dataio import EXPORT_KINDS, FORMATS, OutputOption, completer, store_options
from smallcrm.cli.feedback import progress_bar

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


@guarded
def export(
    ctx: typer.Context,
    kind: Annotated[
        str,
        typer.Argument(
            metavar="KIND",
            help="contacts, accounts, interactions, deals, appointments, or all (the whole "
            "database as a JSON backup).",
            autocompletion=completer(EXPORT_KINDS),
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
            autocompletion=completer(FORMATS),
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
