"""Importing a file: read it, check the column mapping, preview, import with progress, undo.

Reading and the dry run start as soon as a path is entered (and again after each change to the
mapping or the kind); the real import waits for Ctrl+S. Both run in a thread worker, so the
screen keeps drawing, and report progress through ``app.call_from_thread``. Esc stops a running
import: the progress callback raises, the store's write transaction rolls back, and nothing of
the file is left half-imported.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Checkbox, Input, ProgressBar, Select
from textual.worker import Worker, WorkerState

from smallcrm.screens.base import CrmScreen
from smallcrm.screens.import_columns import (
    IGNORE,
    NO_COLUMNS,
    MappedColumn,
    chosen_field,
    column_rows,
    note,
    parsed_columns,
)
from smallcrm.screens.import_display import (
    import_widgets,
    restart_progress,
    set_status,
    show_error,
    show_lines,
    show_progress,
    show_rate,
)
from smallcrm.screens.import_text import STOPPED, describe_file, imported_lines, preview_lines
from smallcrm.screens.import_work import (
    Outcome,
    Progress,
    import_work,
    preview_work,
    stoppable,
    undo_work,
)
from smallcrm.store.errors import ValidationError
from smallcrm.store.io import ImportRejected, ImportReport, ParsedFile, UndoReport
from smallcrm.widgets.text import markup_safe, plain


class ImportScreen(CrmScreen):
    """Import a CSV, vCard, iCalendar or smallcrm JSON file as one batch that can be undone."""

    TITLE_CRUMB = "Import"
    CSS_PATH = "import_screen.tcss"
    AUTO_FOCUS = "#import-path"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]  # noqa: RUF012 - Textual's own
    HELP = """\
Bring contacts (or accounts, deals, interactions, appointments) in from a file: a CSV export
of Google Contacts, Outlook or another CRM, a vCard file from a phone, an iCalendar file, or a
smallcrm JSON export. Every import is one batch that can be undone.

**Read a file:** type its path in the File field (Right arrow completes a name) and press
Enter. The line under it shows what was found: the format, the encoding, the delimiter and how
many records the file holds. Choose a kind when a CSV file holds something other than what
was detected.

**Check the columns:** each CSV column is listed with the field it fills. Tab to a column's
field and press Enter to choose another, or (ignore) to leave the column out. Every change
runs the preview again.

**Preview:** a dry run says what the import would create, update or leave unchanged, and
lists every bad row with its line number and the reason. Nothing is written. Re-importing a
file updates the records it matches (by email, phone or external id) instead of duplicating
them.

**Import:** Ctrl+S. With bad rows nothing is imported, unless Skip bad rows is ticked. The bar
shows the records done, the rate and the time left; Esc stops the import and nothing of the
file is kept.

**Undo:** u right after the import takes it back (records changed since go to the trash
instead). Ctrl+O lists past imports; each can be undone there."""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "run_import", "Import", id="import.run", tooltip="Import the file"),
        Binding("u", "undo", "Undo import", id="import.undo", tooltip="Take this import back"),
        Binding(
            "ctrl+o", "batches", "Past imports", id="import.batches", tooltip="Undo an older one"
        ),
        Binding("escape", "stop", "Stop", id="import.stop", tooltip="Stop; nothing is kept"),
        Binding("escape", "back", "Back", id="screen.back", tooltip="Go one step back"),
    ]

    def __init__(self, path: str = "", kind: str | None = None) -> None:
        super().__init__()
        self.path = path
        self.kind = kind
        self.parsed: ParsedFile | None = None
        self.columns: list[MappedColumn] = []
        self.columns_for: tuple[str, str] | None = None  # (path, kind) the form was built for
        self.mapping: dict[str, str] = {}  # the user's overrides, header -> field
        self.preview: ImportReport | None = None
        self.result: ImportReport | None = None  # the committed import, while it can be undone
        self.running: str | None = None
        self.serial = 0
        self._stop = threading.Event()
        self._started = 0.0

    # layout -------------------------------------------------------------------------------

    def compose_body(self) -> ComposeResult:
        """File and kind, what was found, the columns, the preview, the progress."""
        yield from import_widgets(self.path, self.kind)

    def on_mount(self) -> None:
        """Read the file at once when one was given."""
        self.query_one("#import-progress").display = False
        if self.path:
            self.read_file()

    def on_unmount(self) -> None:
        """Leaving (or quitting) stops a running import; its transaction rolls back."""
        self._stop.set()

    # reading and previewing ---------------------------------------------------------------

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in the File field reads the file (the frame's handler serves the search bar)."""
        if event.input.id != "import-path":
            return
        event.stop()
        self.path = event.value.strip()
        self.read_file()

    def on_select_changed(self, event: Select.Changed) -> None:
        """A new kind reads the file again; a new field for a column previews again."""
        event.stop()
        if event.select.id == "import-kind":
            kind = None if event.value is Select.NULL else str(event.value)
            if kind != self.kind:
                self.kind = kind
                if self.path:
                    self.read_file()
            return
        overrides = self._overrides()
        if overrides != self.mapping:
            self.mapping = overrides
            self._start_preview()

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        """Ticking Skip bad rows changes what the preview advises."""
        event.stop()
        if self.preview is not None:
            show_lines(self, preview_lines(self.preview, skip_invalid=event.value))
        self.refresh_bindings()

    def read_file(self) -> None:
        """Read ``self.path`` from scratch: new columns, the automatic mapping, a dry run."""
        if not self.path:
            show_error(self, "Type the path of a file first.")
            return
        self.mapping = {}
        self.columns_for = None
        self._start_preview()

    def _start_preview(self) -> None:
        path, kind, mapping = self.path, self.kind, dict(self.mapping)
        self.preview = None
        self._begin("preview", "Reading the file…")
        self._run(lambda serial, stop: self._preview_work(serial, stop, path, kind, mapping))

    def _preview_work(
        self,
        serial: int,
        stop: threading.Event,
        path: str,
        kind: str | None,
        mapping: dict[str, str],
    ) -> Outcome:
        """In the worker thread: inspect the file, show its columns, then a dry run."""
        # Textual's stubs cannot type an async callback's result (mypy infers Never).
        call = self.app.call_from_thread

        def show_parsed(parsed: ParsedFile) -> None:
            call(self._show_parsed, serial, path, parsed)  # type: ignore[arg-type]

        def show_columns(chosen: str, columns: list[MappedColumn]) -> None:
            call(self._show_columns, serial, path, chosen, columns)  # type: ignore[arg-type]

        file = (path, kind, mapping)
        progress = self._progress(serial, stop)
        return preview_work(self.db, serial, file, progress, show_parsed, show_columns)

    def _current(self, serial: int) -> bool:
        """True if a worker's news is still wanted (no newer work, the screen still shown)."""
        return serial == self.serial and self.is_attached

    async def _show_parsed(self, serial: int, path: str, parsed: ParsedFile) -> None:
        """On the UI thread: what the file is, and its columns (kept while only fields change)."""
        if not self._current(serial):
            return
        self.parsed = parsed
        set_status(self, describe_file(parsed))
        await self._show_columns(serial, path, parsed.kind, parsed_columns(parsed))
        set_status(self, "Checking every record (dry run, nothing is written)…")

    async def _show_columns(
        self, serial: int, path: str, kind: str, columns: list[MappedColumn]
    ) -> None:
        """Build the mapping form: one row per column with a Select of the kind's fields."""
        if not self._current(serial) or self.columns_for == (path, kind):
            return
        self.columns_for = (path, kind)
        self.columns = columns
        box = self.query_one("#import-columns", VerticalScroll)
        await box.remove_children()
        if not columns:
            await box.mount(note("Only CSV files have columns to map."))
            return
        await box.mount_all(column_rows(kind, columns))

    async def _forget_columns(self) -> None:
        """The file could not be read: no columns of an earlier file are left showing."""
        self.columns_for = None
        self.columns = []
        self.parsed = None
        box = self.query_one("#import-columns", VerticalScroll)
        await box.remove_children()
        await box.mount(note(NO_COLUMNS))

    def _overrides(self) -> dict[str, str]:
        """The columns whose field the user changed from the one detected."""
        changed: dict[str, str] = {}
        for column in self.columns:
            found = self.query(f"#map-{column.index}")
            if not found:
                continue
            chosen = chosen_field(found.first(Select).value)
            if chosen != column.field:
                changed[column.header] = chosen or IGNORE
        return changed

    # importing ----------------------------------------------------------------------------

    @property
    def skip_invalid(self) -> bool:
        """True when Skip bad rows is ticked."""
        return self.query_one("#import-skip", Checkbox).value

    def action_run_import(self) -> None:
        """Ctrl+S: import the file (all or nothing unless Skip bad rows is ticked)."""
        preview = self.preview
        if preview is None or self.running:
            return
        if preview.invalid and not self.skip_invalid:
            good = preview.total - preview.invalid
            show_error(
                self,
                f"{preview.invalid:,} of {preview.total:,} records are bad, so nothing would be "
                f"imported. Fix the file and press Enter in File to read it again, or tick Skip "
                f"bad rows to import the {good:,} good ones.",
            )
            return
        file, skip = (self.path, self.kind, dict(self.mapping)), self.skip_invalid
        self._begin("import", "Importing… Esc stops, and then nothing of the file is kept.")
        self._run(
            lambda serial, stop: import_work(
                self.db, serial, file, skip, self._progress(serial, stop)
            )
        )

    def action_undo(self) -> None:
        """u: take the import just made back, after asking."""
        result = self.result
        if result is None or result.batch_id is None or self.running:
            return
        from smallcrm.screens.confirm import ConfirmScreen

        batch_id = result.batch_id
        detail = (
            f"Deletes the {result.created:,} records it created and puts back the "
            f"{result.updated:,} it changed. Records edited since the import go to the trash "
            "instead, or are left as they are."
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self._undo(batch_id)

        self.app.push_screen(
            ConfirmScreen(f"Undo import {batch_id}?", confirm_label="Undo", detail=detail),
            answered,
        )

    def _undo(self, batch_id: int) -> None:
        self._begin("undo", f"Undoing import {batch_id}…")
        self._run(
            lambda serial, stop: undo_work(self.db, serial, batch_id, self._progress(serial, stop))
        )

    def action_batches(self) -> None:
        """Ctrl+O: the list of past imports."""
        self.app.open_past_imports()

    def action_stop(self) -> None:
        """Esc while working: stop; the store rolls the transaction back."""
        if self.running:
            self._stop.set()
            set_status(self, "Stopping…")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Each key only when it applies: Import after a preview, Undo after an import, ..."""
        if action == "run_import":
            return self.preview is not None and not self.running
        if action == "undo":
            return self.result is not None and not self.running
        if action == "stop":
            return self.running is not None
        if action == "back" and self.running:
            return False
        return super().check_action(action, parameters)

    # the worker ---------------------------------------------------------------------------

    def _begin(self, stage: str, status: str) -> None:
        """A new piece of work: older workers stop, the bar starts from nothing."""
        self._stop.set()
        self._stop = threading.Event()
        self.serial += 1
        self.running = stage
        self._started = time.monotonic()
        restart_progress(self)
        if stage == "preview":
            self.query_one("#import-preview").border_title = "Preview"
            show_lines(self, [])
        set_status(self, status)
        self.refresh_bindings()

    def _run(self, work: Callable[[int, threading.Event], Outcome]) -> None:
        serial, stop = self.serial, self._stop
        self.run_worker(
            lambda: work(serial, stop),
            name=f"import-{serial}",
            group="import",
            thread=True,
            exit_on_error=False,
        )

    def _progress(self, serial: int, stop: threading.Event) -> Progress:
        """The store's progress callback: raises once stopped, redraws now and then."""
        return stoppable(
            stop,
            lambda done, total: self.app.call_from_thread(self._show_progress, serial, done, total),
        )

    def _show_progress(self, serial: int, done: int, total: int | None) -> None:
        """On the UI thread: the bar, the counts and the rate."""
        if not self._current(serial):
            return
        show_progress(self, done, total, time.monotonic() - self._started)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A worker ended: show what it brought back (an unexpected error, too)."""
        worker = event.worker
        if worker.group != "import" or worker.name != f"import-{self.serial}":
            return
        if event.state == WorkerState.SUCCESS and isinstance(worker.result, Outcome):
            self._finish(worker.result)
        elif event.state == WorkerState.ERROR:
            self.running = None
            show_error(self, f"{type(worker.error).__name__}: {worker.error}")
            self.refresh_bindings()

    def _finish(self, outcome: Outcome) -> None:
        self.running = None
        self.query_one("#import-progress", ProgressBar).display = outcome.report is not None
        if outcome.stopped:
            show_error(self, STOPPED[outcome.stage], notify=False)
            self.notify("Stopped: nothing was written.", title="Import")
        elif outcome.error is not None:
            self._failed(outcome)
        elif outcome.stage == "preview":
            self._previewed(outcome.report)
        elif outcome.stage == "import":
            self._imported(outcome.report)
        else:
            self._undone(outcome.undo)
        self.refresh_bindings()

    def _failed(self, outcome: Outcome) -> None:
        error = outcome.error
        assert error is not None
        message = f"{error.field}: {error.message}" if isinstance(error, ValidationError) else ""
        mapping_problem = isinstance(error, ValidationError) and error.field == "mapping"
        if outcome.stage == "preview" and not mapping_problem:
            self.call_later(self._forget_columns)
        if isinstance(error, ImportRejected) and outcome.report is not None:
            self.preview = outcome.report
            show_lines(self, preview_lines(outcome.report, skip_invalid=False))
        show_error(self, message or str(error))

    def _previewed(self, report: ImportReport | None) -> None:
        assert report is not None
        self.preview = report
        set_status(self, describe_file(self.parsed) if self.parsed else "")
        show_lines(self, preview_lines(report, skip_invalid=self.skip_invalid))
        self.query_one(
            "#import-preview"
        ).border_title = f"Preview of {markup_safe(report.source)} (dry run)"
        show_rate(self, report)

    def _imported(self, report: ImportReport | None) -> None:
        assert report is not None
        self.result = report
        self.preview = None  # Importing again needs a fresh look at the file first.
        show_lines(self, imported_lines(report))
        self.query_one("#import-preview").border_title = f"Done: import {report.batch_id}"
        show_rate(self, report)
        set_status(self, report.summary())
        self.notify(report.summary(), title="Imported")
        self.query_one("#import-preview").focus()

    def _undone(self, report: UndoReport | None) -> None:
        assert report is not None
        self.result = None
        show_lines(self, [Content.styled(report.summary(), "bold"), *map(plain, report.notes)])
        self.query_one("#import-preview").border_title = f"Import {report.batch_id} undone"
        set_status(self, "Undone. Press Enter in File to read a file again.")
        self.notify(report.summary(), title="Import undone")
