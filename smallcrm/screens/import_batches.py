"""Past imports, newest first, each one undoable as a whole."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from smallcrm.screens.base import CrmScreen
from smallcrm.store import formats as fmt
from smallcrm.store.errors import StoreError
from smallcrm.store.io import Batch, UndoReport, list_batches, undo_import

SHOWN = 100


def batch_line(batch: Batch) -> Content:
    """Two lines: number, time, who and file; then what it did (and whether it was undone)."""
    counts = [
        f"{number:,} {word}"
        for number, word in (
            (batch.created, "created"),
            (batch.updated, "updated"),
            (batch.unchanged, "unchanged"),
            (batch.invalid, "bad"),
        )
        if number or word == "created"
    ]
    undone = (
        (f" · undone {fmt.short_when(batch.undone_at)} by {batch.undone_by}", "bold $warning")
        if batch.undone_at
        else ""
    )
    return Content.assemble(
        (f"Import {batch.id}  ", "bold"),
        f"{fmt.short_when(batch.started_at)}  {batch.actor}  ",
        (batch.source, "italic"),
        (f" ({batch.file_format}, {batch.kind})", "dim"),
        "\n",
        ", ".join(counts),
        undone,
    )


def _imports(count: int) -> str:
    """``1 import``, ``20 imports``; ``the 100 most recent imports`` when older ones are left
    out."""
    if count >= SHOWN:
        return f"the {SHOWN:,} most recent imports"
    return f"{count:,} import" if count == 1 else f"{count:,} imports"


class ImportBatchesScreen(CrmScreen):
    """Every recent import with what it did; u undoes the one under the cursor."""

    TITLE_CRUMB = "Past imports"
    CSS_PATH = "import_batches.tcss"
    HELP = """\
The imports made into this database, newest first: when, by whom, from which file, and how
many records each one created, updated or left unchanged.

**Undo an import:** move to it and press u. The records it created are deleted and the ones it
changed are put back as they were. A created record that was edited or linked to since goes to
the trash instead (Ctrl+Z does not apply; restore it from the trash), and a changed record
edited again since is left as it is. An import is undone once.

**Import another file:** n opens the import screen."""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("u", "undo", "Undo import", id="batches.undo", tooltip="Take it back"),
        Binding("n", "new_import", "New import", id="batches.new", tooltip="Import a file"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.batches: list[Batch] = []
        self.undoing = False

    def compose_body(self) -> ComposeResult:
        """A status line and the list."""
        yield Static("", id="batches-status")
        yield OptionList(id="batches-list")

    def on_mount(self) -> None:
        """Read the list."""
        self.reload()

    def on_screen_resume(self) -> None:
        """Back from an import: it may be listed now."""
        if self.is_mounted:
            self.reload()

    def reload(self) -> None:
        """Read the latest imports again."""
        try:
            self.batches = list_batches(self.db, limit=SHOWN)
        except StoreError as exc:
            self.notify_error(exc)
            return
        listing = self.query_one("#batches-list", OptionList)
        highlighted = listing.highlighted
        listing.clear_options()
        options: list[Option | None] = []
        for batch in self.batches:
            options += [Option(batch_line(batch), id=f"batch:{batch.id}"), None]
        listing.add_options(options[:-1])  # None: a line between two imports
        if self.batches:
            listing.highlighted = min(highlighted or 0, len(self.batches) - 1)
        status = (
            f"{_imports(len(self.batches)).capitalize()}, newest first"
            " · u undoes the one under the cursor"
            if self.batches
            else "No imports yet. Press n to import a CSV, vCard, iCalendar or JSON file."
        )
        self.query_one("#batches-status", Static).update(status)
        self.refresh_bindings()

    @property
    def current(self) -> Batch | None:
        """The batch under the cursor."""
        index = self.query_one("#batches-list", OptionList).highlighted
        return self.batches[index] if index is not None and index < len(self.batches) else None

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        """Undo applies only to an import not undone yet."""
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """u only on an import that can still be undone."""
        if action == "undo":
            batch = self.current if self.is_mounted else None
            return batch is not None and not batch.undone and not self.undoing
        return super().check_action(action, parameters)

    def action_new_import(self) -> None:
        """n: the import screen (the one this list was opened from, if any)."""
        if self.app.screen is self:
            self.app.open_import()

    def action_undo(self) -> None:
        """u: undo the import under the cursor, after asking."""
        batch = self.current
        if batch is None or batch.undone:
            return
        from smallcrm.screens.confirm import ConfirmScreen

        detail = (
            f"Deletes the {batch.created:,} records it created and puts back the "
            f"{batch.updated:,} it changed. Records edited since go to the trash instead, or are "
            "left as they are."
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self._undo(batch.id)

        self.app.push_screen(
            ConfirmScreen(
                f"Undo import {batch.id} ({batch.source})?", confirm_label="Undo", detail=detail
            ),
            answered,
        )

    def _undo(self, batch_id: int) -> None:
        """Undo in a thread: a large import takes a while to take back."""
        self.undoing = True
        self.refresh_bindings()
        self.query_one("#batches-status", Static).update(f"Undoing import {batch_id}…")
        self.run_worker(
            lambda: undo_import(self.db, batch_id),
            name="undo-import",
            thread=True,
            exit_on_error=False,
        )

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The undo ended: say what it did (or why not) and read the list again."""
        if event.worker.name != "undo-import" or not event.worker.is_finished:
            return
        self.undoing = False
        if event.state == WorkerState.SUCCESS and isinstance(event.worker.result, UndoReport):
            self.notify(event.worker.result.summary(), title="Import undone")
        elif event.state == WorkerState.ERROR and event.worker.error is not None:
            self.notify_error(event.worker.error)
        self.reload()
