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
from dataclasses import dataclass
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widgets import Checkbox, Input, Label, OptionList, ProgressBar, Select, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from smallcrm.screens.base import CrmScreen
from smallcrm.store import kinds as registry
from smallcrm.store.errors import StoreError, ValidationError
from smallcrm.store.io import (
    FIELDS,
    ImportRejected,
    ImportReport,
    ParsedFile,
    UndoReport,
    import_file,
    inspect_file,
    undo_import,
)
from smallcrm.store.io.common import plural
from smallcrm.widgets.path_suggester import PathSuggester
from smallcrm.widgets.text import assemble, markup_safe, plain

IGNORE = "-"  # The mapping's word for "this column fills no field".
KINDS = tuple((kind.plural, kind.name) for kind in registry.KINDS)
FORMAT_NAMES = {"csv": "CSV", "vcard": "vCard", "ics": "iCalendar", "json": "smallcrm JSON"}
DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
SUFFIXES = (".csv", ".tsv", ".txt", ".vcf", ".vcard", ".ics", ".json")
PREVIEW_LINES = 200  # Problems and updates listed; the counts cover every row.
PROGRESS_EVERY = 0.1  # Seconds between two progress redraws (each one waits for the UI thread).


class ImportStopped(Exception):
    """Raised from the progress callback when the user stops: the import rolls back."""


@dataclass(frozen=True)
class MappedColumn:
    """One CSV column in the mapping form: its header and the field it fills (None: ignored)."""

    index: int
    header: str
    field: str | None


@dataclass
class Outcome:
    """What a worker brings back to the screen (errors from the store are results, too)."""

    serial: int
    stage: str  # "preview", "import" or "undo"
    report: ImportReport | None = None
    undo: UndoReport | None = None
    error: StoreError | None = None
    stopped: bool = False


def kind_word(kind: str, count: int = 2) -> str:
    """``contacts``, ``deal``: the CRM's word for a kind of record."""
    return plural(kind, count)


def describe_file(parsed: ParsedFile) -> str:
    """``CSV · utf-8 · comma · 5 contacts · 10 of 31 columns ignored``."""
    details = parsed.details
    parts = [FORMAT_NAMES.get(parsed.file_format, parsed.file_format)]
    if details.get("encoding"):
        parts.append(str(details["encoding"]))
    delimiter = details.get("delimiter")
    if delimiter:
        parts.append(f"delimiter {DELIMITERS.get(delimiter, repr(delimiter))}")
    if isinstance(parsed.records, list):  # a preview reads them all; an import streams them
        count = len(parsed.records)
        parts.append(f"{count:,} {kind_word(parsed.kind, count)}")
    mapping = details.get("mapping")
    if mapping:
        ignored = sum(1 for column in mapping if not column["field"])
        parts.append(f"{ignored} of {len(mapping)} columns ignored")
    return " · ".join(parts)


def preview_lines(report: ImportReport, *, skip_invalid: bool) -> list[Content]:
    """What the dry run found: counts, then each bad row, note and update with its line."""
    verb, update = ("Would create", "update") if report.dry_run else ("Created", "updated")
    noun = kind_word(report.kind, report.created)
    lines = [
        assemble(
            (
                f"{verb} {report.created:,} {noun}, {update} {report.updated:,}, "
                f"{report.unchanged:,} unchanged",
                "bold",
            ),
            (f" · {report.invalid:,} bad" if report.invalid else "", "bold $error"),
        )
    ]
    for kind, count in report.linked_created.items():
        lines.append(Content(f"{count:,} {kind_word(kind, count)} created on the way"))
    if report.problems:
        advice = (
            "skipped (Skip bad rows is ticked)"
            if skip_invalid
            else "nothing is imported while there are any: fix the file, or tick Skip bad rows"
        )
        lines.append(assemble(("Bad rows: ", "bold $error"), advice))
        lines += [_problem_line(p.where, p.field, p.reason) for p in report.problems]
    if report.warnings:
        lines.append(Content.styled("Notes (imported, but look at these):", "bold"))
        lines += [_problem_line(p.where, p.field, p.reason) for p in report.warnings]
    updates = [row for row in report.rows if row.action in ("update", "updated")]
    if updates:
        lines.append(Content.styled("Updates (matched by email, phone or external id):", "bold"))
        lines += [
            assemble((f"{row.where:<9}", "dim"), f"{row.label}: {', '.join(row.changed)}")
            for row in updates
        ]
    if len(lines) > PREVIEW_LINES:
        more = len(lines) - PREVIEW_LINES
        lines = [*lines[:PREVIEW_LINES], Content.styled(f"… and {more:,} more lines", "italic")]
    return lines


def duration(seconds: float) -> str:
    """``850 ms``, ``12.4 s``."""
    return f"{seconds * 1000:,.0f} ms" if seconds < 1 else f"{seconds:,.1f} s"


def _problem_line(where: str, field_name: str | None, reason: str) -> Content:
    what = f"{field_name}: {reason}" if field_name else reason
    return assemble((f"{where:<9}", "dim"), " ", what)


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
        with Horizontal(id="import-top"):
            path = Input(
                self.path,
                placeholder="~/Downloads/contacts.csv",
                suggester=PathSuggester(SUFFIXES),
                id="import-path",
            )
            path.border_title = "File"
            path.border_subtitle = "Enter reads it"
            yield path
            kind = Select(
                [(label, value) for label, value in KINDS],
                prompt="detect kind",
                value=self.kind or Select.NULL,
                id="import-kind",
            )
            kind.border_title = "Kind"
            yield kind
        yield Static(
            "A CSV, vCard (.vcf), iCalendar (.ics) or smallcrm JSON file.",
            id="import-info",
        )
        with Horizontal(id="import-panels"):
            columns = VerticalScroll(id="import-columns")
            columns.border_title = "Columns → fields"
            with columns:
                yield Static("Read a CSV file to see its columns here.", classes="import-note")
            preview = OptionList(id="import-preview")
            preview.border_title = "Preview"
            yield preview
        with Horizontal(id="import-bottom"):
            yield Checkbox("Skip bad rows", id="import-skip", compact=True)
            yield ProgressBar(id="import-progress", show_eta=True)
            yield Static("", id="import-rate")

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
            self._show_lines(preview_lines(self.preview, skip_invalid=event.value))
        self.refresh_bindings()

    def read_file(self) -> None:
        """Read ``self.path`` from scratch: new columns, the automatic mapping, a dry run."""
        if not self.path:
            self._show_error("Type the path of a file first.")
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
        try:
            parsed = inspect_file(path, kind, mapping=mapping or None)
        except ValidationError as exc:
            if exc.field == "mapping":
                self._offer_all_columns(serial, path, kind, mapping)
            return Outcome(serial, "preview", error=exc)
        # Textual's stubs cannot type an async callback's result (mypy infers Never).
        self.app.call_from_thread(self._show_parsed, serial, path, parsed)  # type: ignore[arg-type]
        try:
            report = import_file(
                self.db,
                path,
                kind,
                mapping=mapping or None,
                dry_run=True,
                progress=self._progress(serial, stop),
            )
        except ImportStopped:
            return Outcome(serial, "preview", stopped=True)
        except StoreError as exc:
            return Outcome(serial, "preview", error=exc)
        return Outcome(serial, "preview", report=report)

    def _offer_all_columns(
        self, serial: int, path: str, kind: str | None, mapping: dict[str, str]
    ) -> None:
        """No column maps to a field the kind needs: still offer every column to choose from."""
        from smallcrm.store.io.importing import csv_header
        from smallcrm.store.io.mapping import guess_kind, map_columns

        try:
            headers = csv_header(path)
            chosen = kind or guess_kind(headers)
            columns = map_columns(headers, chosen, mapping)
        except StoreError:
            return
        mapped = [MappedColumn(c.index, c.header, c.field) for c in columns if c.role == "value"]
        show = self._show_columns  # async: Textual's stubs type its result as Never
        self.app.call_from_thread(show, serial, path, chosen, mapped)  # type: ignore[arg-type]

    def _current(self, serial: int) -> bool:
        """True if a worker's news is still wanted (no newer work, the screen still shown)."""
        return serial == self.serial and self.is_attached

    async def _show_parsed(self, serial: int, path: str, parsed: ParsedFile) -> None:
        """On the UI thread: what the file is, and its columns (kept while only fields change)."""
        if not self._current(serial):
            return
        self.parsed = parsed
        info = self.query_one("#import-info", Static)
        info.remove_class("-error")
        info.update(plain(describe_file(parsed)))
        mapping = parsed.details.get("mapping") or []
        columns = [MappedColumn(i, m["header"], m["field"]) for i, m in enumerate(mapping)]
        await self._show_columns(serial, path, parsed.kind, columns)
        self._set_status("Checking every record (dry run, nothing is written)…")

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
            await box.mount(Static("Only CSV files have columns to map.", classes="import-note"))
            return
        options = [("(ignore)", IGNORE), *((f.replace("_", " "), f) for f in FIELDS[kind])]
        await box.mount_all([self._column_row(column, options) for column in columns])

    @staticmethod
    def _column_row(column: MappedColumn, options: list[tuple[str, str]]) -> Horizontal:
        select = Select(
            options,
            value=column.field or IGNORE,
            allow_blank=False,
            compact=True,
            id=f"map-{column.index}",
            classes="import-field",
        )
        label = Label(column.header, classes="import-header")
        label.tooltip = column.header
        return Horizontal(label, Static("→", classes="import-arrow"), select, classes="import-row")

    async def _forget_columns(self) -> None:
        """The file could not be read: no columns of an earlier file are left showing."""
        self.columns_for = None
        self.columns = []
        self.parsed = None
        box = self.query_one("#import-columns", VerticalScroll)
        await box.remove_children()
        await box.mount(Static("Read a CSV file to see its columns here.", classes="import-note"))

    def _overrides(self) -> dict[str, str]:
        """The columns whose field the user changed from the one detected."""
        changed: dict[str, str] = {}
        for column in self.columns:
            found = self.query(f"#map-{column.index}")
            if not found:
                continue
            value = found.first(Select).value
            chosen = None if value in (IGNORE, Select.NULL) else str(value)
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
            self._show_error(
                f"{preview.invalid:,} of {preview.total:,} records are bad, so nothing would be "
                f"imported. Fix the file and press Enter in File to read it again, or tick Skip "
                f"bad rows to import the {good:,} good ones."
            )
            return
        path, kind, mapping, skip = self.path, self.kind, dict(self.mapping), self.skip_invalid
        self._begin("import", "Importing… Esc stops, and then nothing of the file is kept.")

        def work(serial: int, stop: threading.Event) -> Outcome:
            try:
                report = import_file(
                    self.db,
                    path,
                    kind,
                    mapping=mapping or None,
                    skip_invalid=skip,
                    progress=self._progress(serial, stop),
                )
            except ImportStopped:
                return Outcome(serial, "import", stopped=True)
            except ImportRejected as exc:
                return Outcome(serial, "import", error=exc, report=exc.report)
            except StoreError as exc:
                return Outcome(serial, "import", error=exc)
            return Outcome(serial, "import", report=report)

        self._run(work)

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

        def work(serial: int, stop: threading.Event) -> Outcome:
            try:
                report = undo_import(self.db, batch_id, progress=self._progress(serial, stop))
            except ImportStopped:
                return Outcome(serial, "undo", stopped=True)
            except StoreError as exc:
                return Outcome(serial, "undo", error=exc)
            return Outcome(serial, "undo", undo=report)

        self._run(work)

    def action_batches(self) -> None:
        """Ctrl+O: the list of past imports."""
        self.app.open_past_imports()

    def action_stop(self) -> None:
        """Esc while working: stop; the store rolls the transaction back."""
        if self.running:
            self._stop.set()
            self._set_status("Stopping…")

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
        bar = self.query_one("#import-progress", ProgressBar)
        bar.display = True
        bar.remove_class("-done")
        bar.update(total=None, progress=0)
        self.query_one("#import-rate", Static).update("")
        if stage == "preview":
            self.query_one("#import-preview").border_title = "Preview"
            self._show_lines([])
        self._set_status(status)
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

    def _progress(self, serial: int, stop: threading.Event) -> Callable[[int, int | None], None]:
        """The store's progress callback: raises once stopped, redraws now and then."""

        last_draw = [0.0]  # Only this worker thread reads and writes it.

        def progress(done: int, total: int | None) -> None:
            if stop.is_set():
                raise ImportStopped
            now = time.monotonic()
            if now - last_draw[0] < PROGRESS_EVERY and done != total:
                return
            last_draw[0] = now
            self.app.call_from_thread(self._show_progress, serial, done, total)

        return progress

    def _show_progress(self, serial: int, done: int, total: int | None) -> None:
        """On the UI thread: the bar, the counts and the rate."""
        if not self._current(serial):
            return
        self.query_one("#import-progress", ProgressBar).update(total=total, progress=done)
        seconds = max(time.monotonic() - self._started, 1e-6)
        of = f"/{total:,}" if total is not None else ""
        rate = f" · {done / seconds:,.0f}/s" if done and seconds > 0.05 else ""
        self.query_one("#import-rate", Static).update(f"{done:,}{of}{rate}")

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A worker ended: show what it brought back (an unexpected error, too)."""
        worker = event.worker
        if worker.group != "import" or worker.name != f"import-{self.serial}":
            return
        if event.state == WorkerState.SUCCESS and isinstance(worker.result, Outcome):
            self._finish(worker.result)
        elif event.state == WorkerState.ERROR:
            self.running = None
            self._show_error(f"{type(worker.error).__name__}: {worker.error}")
            self.refresh_bindings()

    def _finish(self, outcome: Outcome) -> None:
        self.running = None
        self.query_one("#import-progress", ProgressBar).display = outcome.report is not None
        if outcome.stopped:
            what = {
                "preview": "Stopped checking the file. Press Enter in File to check it again.",
                "import": "Stopped: nothing of the file was imported.",
                "undo": "Stopped: the import is not undone.",
            }[outcome.stage]
            self._show_error(what, notify=False)
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
            self._show_lines(preview_lines(outcome.report, skip_invalid=False))
        self._show_error(message or str(error))

    def _previewed(self, report: ImportReport | None) -> None:
        assert report is not None
        self.preview = report
        self._set_status(describe_file(self.parsed) if self.parsed else "")
        self._show_lines(preview_lines(report, skip_invalid=self.skip_invalid))
        self.query_one(
            "#import-preview"
        ).border_title = f"Preview of {markup_safe(report.source)} (dry run)"
        self._show_rate(report)

    def _imported(self, report: ImportReport | None) -> None:
        assert report is not None
        self.result = report
        self.preview = None  # Importing again needs a fresh look at the file first.
        lines = preview_lines(report, skip_invalid=True)
        batch = f"import {report.batch_id}"
        lines[:0] = [
            assemble(
                ("✓ ", "bold $success"),
                (f"Imported {report.source} as {batch}", "bold"),
                f" in {duration(report.seconds)}.",
            ),
            Content("u undoes it now; Ctrl+O lists past imports to undo it later."),
        ]
        self._show_lines(lines)
        self.query_one("#import-preview").border_title = f"Done: {batch}"
        self._show_rate(report)
        self._set_status(report.summary())
        self.notify(report.summary(), title="Imported")
        self.query_one("#import-preview").focus()

    def _undone(self, report: UndoReport | None) -> None:
        assert report is not None
        self.result = None
        self._show_lines([Content.styled(report.summary(), "bold"), *map(plain, report.notes)])
        self.query_one("#import-preview").border_title = f"Import {report.batch_id} undone"
        self._set_status("Undone. Press Enter in File to read a file again.")
        self.notify(report.summary(), title="Import undone")

    # small helpers ------------------------------------------------------------------------

    def _show_rate(self, report: ImportReport) -> None:
        bar = self.query_one("#import-progress", ProgressBar)
        bar.add_class("-done")
        bar.update(total=max(report.total, 1), progress=max(report.total, 1))
        rate = f" · {report.total / report.seconds:,.0f}/s" if report.seconds else ""
        self.query_one("#import-rate", Static).update(f"{report.total:,} records{rate}")

    def _show_lines(self, lines: list[Content]) -> None:
        preview = self.query_one("#import-preview", OptionList)
        preview.clear_options()
        preview.add_options([Option(line) for line in lines])

    def _set_status(self, text: str) -> None:
        info = self.query_one("#import-info", Static)
        info.remove_class("-error")
        info.update(plain(text))

    def _show_error(self, text: str, *, notify: bool = True) -> None:
        """The reason on the line under the file (wrapped), and as a notification."""
        info = self.query_one("#import-info", Static)
        info.add_class("-error")
        info.update(plain("✗ " + text))
        if notify:
            self.notify(text, title="Not imported", severity="error")
