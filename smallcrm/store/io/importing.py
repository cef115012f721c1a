"""``import_file``: one entry point for CSV, vCard, iCalendar and smallcrm JSON files."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from itertools import islice

from smallcrm.store.db import Database
from smallcrm.store.errors import ValidationError

from .common import ImportReport, Progress, importable_kind, plural
from .engine import run_import
from .mapping import parse_mapping
from .opened import OpenedSource, open_source
from .parsed import ParsedFile
from .sources import Source, detect_format

FILE_KINDS = {"vcard": ("contact",), "ics": ("appointment",)}
SMALL = 1 << 20  # bytes: a file this small is read into a list of records before it is imported


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
    CSV column mapping (``{"E-mail 1 - Value": "email"}``), ``encoding`` and ``delimiter``
    the detected ones.

    All or nothing by default: if any record is invalid nothing is written and
    ``ImportRejected`` (a ValidationError carrying the report) lists the problems with their
    lines (the first thousand of a huge file, and the count of all); ``skip_invalid`` imports
    the good records. Nobody is locked out meanwhile (records are written hidden in short
    transactions, shown when all are in: ``engine.py``). ``dry_run`` reports what would happen
    and writes nothing. ``progress(done, total)`` is called as records are processed (``total``
    estimated from how much of the file has been read). A full backup (``export_database``) is
    restored as ``restore_database`` does: only into an empty database. ValidationError for a
    file that cannot be read at all (missing, binary, unknown encoding, not the format its name
    says, no column for a required field).
    """
    with open_source(source, encoding) as opened:
        found = detect_format(opened.as_text(), file_format)
        wanted = _wanted_kind(found, kind, mapping)
        if found == "json":
            from .backup import is_backup, restore_backup_text

            if is_backup(opened.head):
                return restore_backup_text(
                    db, opened.text(), opened.name, dry_run=dry_run, progress=progress, actor=actor
                )
        parsed = parse(opened, found, wanted, mapping, delimiter)
        if opened.size <= SMALL:  # read whole: the progress bar knows the count at once
            parsed.records = list(parsed.records)
        return run_import(
            db,
            parsed,
            opened.name,
            dry_run=dry_run,
            skip_invalid=skip_invalid,
            progress=progress,
            actor=actor,
            preview_limit=preview_limit,
            read_so_far=opened.fraction,
            size=opened.size,
        )


def _wanted_kind(
    found: str, kind: str | None, mapping: Mapping[str, str] | Iterable[str] | None
) -> str | None:
    """The kind asked for, checked against the file's format (and a mapping with it)."""
    wanted = importable_kind(kind) if kind else None
    if mapping and found != "csv":
        raise ValidationError("mapping", "a column mapping only applies to CSV files")
    if found in FILE_KINDS and wanted and wanted not in FILE_KINDS[found]:
        raise ValidationError(
            "kind", f"a {found} file holds {plural(FILE_KINDS[found][0])}, not {plural(wanted)}"
        )
    return wanted


def parse(
    opened: OpenedSource,
    file_format: str,
    kind: str | None,
    mapping: Mapping[str, str] | Iterable[str] | None = None,
    delimiter: str | None = None,
) -> ParsedFile:
    """Read an opened file into records, one at a time as they are asked for (no database
    needed): the first half of an import. iCalendar files are read whole (a calendar's events
    refer to each other: overrides of a repeating one)."""
    if file_format == "csv":
        from .csvio import stream_csv

        parsed = stream_csv(opened.lines, opened.head, kind, parse_mapping(mapping), delimiter)
    elif file_format == "vcard":
        from .vcard import stream_vcards
        from .vcard_lines import streamed_lines

        parsed = stream_vcards(streamed_lines(opened.pieces()))
    elif file_format == "ics":
        from .ical import read_calendar

        parsed = read_calendar(opened.text())
    else:
        from .jsonio import stream_json

        parsed = stream_json(opened.pieces, kind)
    parsed.details.setdefault("encoding", opened.encoding)
    return parsed


def inspect_file(
    source: Source,
    kind: str | None = None,
    *,
    file_format: str | None = None,
    mapping: Mapping[str, str] | Iterable[str] | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    limit: int = 1000,
) -> ParsedFile:
    """Read a file without touching the database: for a mapping form or a quick preview.

    The result has the format, the kind, the detected encoding and delimiter, each CSV column
    and the field it maps to (``details["mapping"]``: header, field or None, label; also as text
    in ``details["columns"]``), the unmapped columns (``details["unmapped"]``), and the first
    ``limit`` records with their fields or their problem; ``details["records"]`` counts them
    all. ``FIELDS[kind]`` lists the fields a column can map to.
    """
    with open_source(source, encoding) as opened:
        found = detect_format(opened.as_text(), file_format)
        parsed = parse(opened, found, importable_kind(kind) if kind else None, mapping, delimiter)
        records = list(islice(parsed.records, limit))
        total = len(records) + sum(1 for _ in parsed.records)
    parsed.records = records
    parsed.details["records"] = total
    return parsed


def csv_header(
    source: Source, *, encoding: str | None = None, delimiter: str | None = None
) -> list[str]:
    """A CSV file's column names as the importer reads them, mapped to nothing.

    For a mapping form when ``inspect_file`` refuses the file because no column maps to a field
    the kind needs (a name): the form can still offer every column.
    """
    from .csvio import find_header

    with open_source(source, encoding) as opened:
        return find_header(opened.lines, opened.head, delimiter)[2][1]
