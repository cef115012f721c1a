"""The import screen's background work: what runs in the worker thread and what it brings back.

Each piece of work (a dry run, an import, an undo) calls the store with a progress callback
that raises :class:`ImportStopped` once the user stops; the store's write transaction then
rolls back. Errors from the store come back as part of the :class:`Outcome`, not as exceptions.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from smallcrm.screens.import_columns import MappedColumn, all_columns
from smallcrm.store.errors import StoreError, ValidationError
from smallcrm.store.io import (
    ImportRejected,
    ImportReport,
    ParsedFile,
    UndoReport,
    import_file,
    inspect_file,
    undo_import,
)

if TYPE_CHECKING:
    from smallcrm.store.db import Database

PROGRESS_EVERY = 0.1  # Seconds between two progress redraws (each one waits for the UI thread).
Progress = Callable[[int, int | None], None]


class ImportStopped(Exception):
    """Raised from the progress callback when the user stops: the import rolls back."""


@dataclass
class Outcome:
    """What a worker brings back to the screen (errors from the store are results, too)."""

    serial: int
    stage: str  # "preview", "import" or "undo"
    report: ImportReport | None = None
    undo: UndoReport | None = None
    error: StoreError | None = None
    stopped: bool = False


def stoppable(stop: threading.Event, draw: Progress) -> Progress:
    """The store's progress callback: raises once stopped, draws now and then (and the end)."""
    last_draw = [0.0]  # Only the worker thread calling it reads and writes it.

    def progress(done: int, total: int | None) -> None:
        if stop.is_set():
            raise ImportStopped
        now = time.monotonic()
        if now - last_draw[0] < PROGRESS_EVERY and done != total:
            return
        last_draw[0] = now
        draw(done, total)

    return progress


def preview_work(
    db: Database,
    serial: int,
    file: tuple[str, str | None, dict[str, str]],
    progress: Progress,
    show_parsed: Callable[[ParsedFile], None],
    show_columns: Callable[[str, list[MappedColumn]], None],
) -> Outcome:
    """Inspect the file (``path, kind, mapping``), show its columns, then a dry run."""
    path, kind, mapping = file
    try:
        parsed = inspect_file(path, kind, mapping=mapping or None)
    except ValidationError as exc:
        if exc.field == "mapping":
            # No column maps to a field the kind needs: still offer every column to choose from.
            found = all_columns(path, kind, mapping)
            if found is not None:
                show_columns(*found)
        return Outcome(serial, "preview", error=exc)
    show_parsed(parsed)
    try:
        report = import_file(
            db, path, kind, mapping=mapping or None, dry_run=True, progress=progress
        )
    except ImportStopped:
        return Outcome(serial, "preview", stopped=True)
    except StoreError as exc:
        return Outcome(serial, "preview", error=exc)
    return Outcome(serial, "preview", report=report)


def import_work(
    db: Database,
    serial: int,
    file: tuple[str, str | None, dict[str, str]],
    skip_invalid: bool,
    progress: Progress,
) -> Outcome:
    """Import the file (``path, kind, mapping``) for real, as one batch."""
    path, kind, mapping = file
    try:
        report = import_file(
            db,
            path,
            kind,
            mapping=mapping or None,
            skip_invalid=skip_invalid,
            progress=progress,
        )
    except ImportStopped:
        return Outcome(serial, "import", stopped=True)
    except ImportRejected as exc:
        return Outcome(serial, "import", error=exc, report=exc.report)
    except StoreError as exc:
        return Outcome(serial, "import", error=exc)
    return Outcome(serial, "import", report=report)


def undo_work(db: Database, serial: int, batch_id: int, progress: Progress) -> Outcome:
    """Take an import back."""
    try:
        report = undo_import(db, batch_id, progress=progress)
    except ImportStopped:
        return Outcome(serial, "undo", stopped=True)
    except StoreError as exc:
        return Outcome(serial, "undo", error=exc)
    return Outcome(serial, "undo", undo=report)
