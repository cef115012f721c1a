"""``import_file``: one entry point for CSV, vCard, iCalendar and smallcrm JSON files."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from smallcrm.store.db import Database
from smallcrm.store.errors import ValidationError

from .common import ImportReport, Progress, kind_name, plural
from .engine import run_import
from .mapping import parse_mapping
from .parsed import ParsedFile
from .sources import Source, SourceText, detect_format, read_source

FILE_KINDS = {"vcard": ("contact",), "ics": ("appointment",)}


def import_file(
    db: Database,
    source: Source,
    kind: str | None = None,
    *,
    file_format: str | None = None,
    mapping: Mapping[str, str] | Iterable[str] | None = None,
    dry_run: bool = False,
    skip_invalid: bool = False,
    progress: Progress | None = None,
    actor: str | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    preview_limit: int = 1000,
) -> ImportReport:
    """Import a file of contacts, accounts, deals, interactions or appointments as one batch.

    ``source`` is a path, ``"-"`` for standard input, or an open text or binary stream. The
    format (csv, vcard, ics, json) comes from ``file_format`` or else the content, checked
    against the file name's extension; ``kind`` (``contacts``, ``deals``, ...) says what a CSV
    or JSON file holds when its headers or its own ``kind`` do not. ``mapping`` overrides the
    automatic CSV column mapping (``{"E-mail 1 - Value": "email"}`` or
    ``["E-mail 1 - Value=email"]``); ``encoding`` and ``delimiter`` override detection.

    All or nothing by default: if any record is invalid nothing is written and
    ``ImportRejected`` (a ValidationError carrying the report) lists every problem with its
    line; ``skip_invalid`` imports the good records. ``dry_run`` returns the report of what
    would happen and writes nothing. ``progress(done, total)`` is called as records are
    processed. A smallcrm full backup (``export_database``) is restored with
    ``restore_database`` semantics: only into an empty database.

    Raises ValidationError for a file that cannot be read at all (missing, binary, not in a
    known encoding, not the format its name says, no column for a required field).
    """
    text = read_source(source, encoding)
    found = detect_format(text, file_format)
    wanted = kind_name(kind) if kind else None
    if mapping and found != "csv":
        raise ValidationError("mapping", "a column mapping only applies to CSV files")
    if found in FILE_KINDS and wanted and wanted not in FILE_KINDS[found]:
        raise ValidationError(
            "kind", f"a {found} file holds {plural(FILE_KINDS[found][0])}, not {plural(wanted)}"
        )
    if found == "json":
        from .backup import is_backup, restore_backup_text

        if is_backup(text.text):
            return restore_backup_text(
                db, text.text, text.name, dry_run=dry_run, progress=progress, actor=actor
            )
    parsed = parse(text, found, wanted, mapping, delimiter)
    return run_import(
        db,
        parsed,
        text.name,
        dry_run=dry_run,
        skip_invalid=skip_invalid,
        progress=progress,
        actor=actor,
        preview_limit=preview_limit,
    )


def parse(
    text: SourceText,
    file_format: str,
    kind: str | None,
    mapping: Mapping[str, str] | Iterable[str] | None = None,
    delimiter: str | None = None,
) -> ParsedFile:
    """Read a decoded file into records (no database needed): the first half of an import."""
    if file_format == "csv":
        from .csvio import read_csv

        parsed = read_csv(text.text, kind, parse_mapping(mapping), delimiter)
    elif file_format == "vcard":
        from .vcard import read_vcards

        parsed = read_vcards(text.text)
    elif file_format == "ics":
        from .ical import read_calendar

        parsed = read_calendar(text.text)
    else:
        from .jsonio import read_json

        parsed = read_json(text.text, kind)
    parsed.details.setdefault("encoding", text.encoding)
    return parsed


def inspect_file(
    source: Source,
    kind: str | None = None,
    *,
    file_format: str | None = None,
    mapping: Mapping[str, str] | Iterable[str] | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
) -> ParsedFile:
    """Read a file without touching the database: for a mapping form or a quick preview.

    The result has the format, the kind, the detected encoding and delimiter, each CSV column
    and the field it maps to (``details["mapping"]``: header, field or None, label; also as text
    in ``details["columns"]``), the unmapped columns (``details["unmapped"]``), and every record
    with its fields or its problem. ``FIELDS[kind]`` lists the fields a column can map to.
    """
    text = read_source(source, encoding)
    found = detect_format(text, file_format)
    return parse(text, found, kind_name(kind) if kind else None, mapping, delimiter)


def csv_header(
    source: Source, *, encoding: str | None = None, delimiter: str | None = None
) -> list[str]:
    """A CSV file's column names as the importer reads them, mapped to nothing.

    For a mapping form when ``inspect_file`` refuses the file because no column maps to a field
    the kind needs (a name): the form can still offer every column.
    """
    from .csvio import find_header

    text = read_source(source, encoding).text
    return find_header(text, delimiter)[2][1]
