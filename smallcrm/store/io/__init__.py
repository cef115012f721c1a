"""Data in and out: importing files, exporting records, backups, import batches and undo.

The shell commands and the TUI call these; nothing here prints or asks.

Importing
    ``import_file(db, source, kind=None, *, file_format=None, mapping=None, dry_run=False,
    skip_invalid=False, progress=None, actor=None, encoding=None, delimiter=None)``
    -> ``ImportReport`` (raises ``ImportRejected`` when all-or-nothing finds bad records);
    ``inspect_file(source, ...)`` -> ``ParsedFile`` for a preview or a mapping form;
    ``parse_mapping(["E-mail 1 - Value=email"])``; ``undo_import(db, batch_id)``;
    ``list_batches(db)``, ``get_batch(db, batch_id)``.

Exporting
    ``export_records(db, kind, file_format, out, *, query=None, progress=None)`` (csv and json
    for every kind, vcard for contacts and accounts, ics for appointments); ``invitation(db,
    appointment_id, organizer_email=...)`` -> .ics text; ``export_database(db, out)`` and
    ``restore_database(db, source)`` for the portable backup.

Progress callbacks are called as ``progress(done, total)``.
"""

from .backup import export_database, restore_database
from .batches import Batch, UndoReport, get_batch, list_batches, undo_import
from .common import (
    FORMATS,
    KINDS,
    ImportRejected,
    ImportReport,
    PossibleDuplicate,
    Problem,
    Progress,
    RowOutcome,
    format_name,
    kind_name,
)
from .export import COLUMNS, export_records, invitation
from .importing import import_file, inspect_file
from .mapping import FIELDS, parse_mapping
from .parsed import ParsedFile, SourceRecord

__all__ = [
    "COLUMNS",
    "FIELDS",
    "FORMATS",
    "KINDS",
    "Batch",
    "ImportRejected",
    "ImportReport",
    "ParsedFile",
    "PossibleDuplicate",
    "Problem",
    "Progress",
    "RowOutcome",
    "SourceRecord",
    "UndoReport",
    "export_database",
    "export_records",
    "format_name",
    "get_batch",
    "import_file",
    "inspect_file",
    "invitation",
    "kind_name",
    "list_batches",
    "parse_mapping",
    "restore_database",
    "undo_import",
]
