"""Asking where to save an export (a person's data as JSON), then saving it there."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Input, Static

from smallcrm.store.db import Database
from smallcrm.store.errors import StoreError, ValidationError
from smallcrm.store.io.destination import check_destination, write_file
from smallcrm.widgets.path_suggester import PathSuggester


def write_private_json(path: Path, data: Any, db: Database | None = None) -> None:
    """Write ``data`` as JSON by the store's rule for files a user names (never over the
    database or its backups, only a whole file, readable by the owner only)."""
    write_file(path, json.dumps(data, ensure_ascii=False, indent=2) + "\n", db)


class ExportPathScreen(ModalScreen[Path | None]):
    """The path to save to (a default filled in); dismisses with the path written, or None.

    ``write(path)`` does the saving; an error from it (a missing folder, no permission) is
    shown in the dialog and the path can be changed. The path is checked first by the store's
    rule for files a user names (never the database ``db``, its backups, a device or a folder),
    and an existing file is replaced only after a second Enter.
    """

    CSS_PATH = "export_path.tcss"
    HELP: ClassVar[str] = """\
Save an export to a file. The path is filled in with a suggestion; change it as you like (`~`
is your home folder, Right arrow completes a name).

**Save:** Enter or Ctrl+S. If the file exists already, the dialog says so and a second Enter
replaces it. The file is readable by you only, since it holds personal data.

**Cancel:** Esc; nothing is written."""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", id="export.save"),
        Binding("escape", "cancel", "Cancel", id="export.cancel"),
    ]

    def __init__(
        self,
        title: str,
        default: str,
        write: Callable[[Path], None],
        note: str,
        db: Database | None = None,
    ) -> None:
        super().__init__()
        self.db = db
        self.dialog_title = title
        self.default = default
        self.write = write
        self.note = note
        self._replace: Path | None = None  # the existing file a second Enter replaces

    def compose(self) -> ComposeResult:
        """What is exported, the path, the error line, the buttons."""
        with Vertical(id="export-dialog") as dialog:
            dialog.border_title = self.dialog_title
            yield Static(self.note, id="export-note")
            path = Input(self.default, suggester=PathSuggester((".json",)), id="export-path")
            path.border_title = "Save to"
            yield path
            yield Static("", id="export-error")
            with Horizontal(id="export-buttons"):
                yield Button("Save ^S", variant="primary", id="export-save", compact=True)
                yield Button("Cancel Esc", id="export-cancel", compact=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        """Start in the path, cursor at its end."""
        self.query_one("#export-path", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter saves."""
        event.stop()
        self.action_save()

    def on_input_changed(self, event: Input.Changed) -> None:
        """A changed path needs a fresh check for an existing file."""
        self._replace = None
        self.query_one("#export-error", Static).update("")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """The Save and Cancel buttons."""
        event.stop()
        if event.button.id == "export-save":
            self.action_save()
        else:
            self.action_cancel()

    def action_save(self) -> None:
        """Write the export; an existing file only on the second try."""
        text = self.query_one("#export-path", Input).value.strip()
        if not text:
            self.show_error("Type where to save it.")
            return
        path = Path(os.path.expanduser(text))
        try:
            check_destination(path, self.db)
        except ValidationError as exc:
            self.show_error(f"Could not save: {exc.message}")
            return
        if path.exists() and self._replace != path:
            self._replace = path
            self.show_error(f"{path} exists. Enter again replaces it.")
            return
        try:
            self.write(path)
        except OSError as exc:
            self.show_error(f"Could not save to {path}: {exc.strerror or exc}")
            return
        except StoreError as exc:
            reason = exc.message if isinstance(exc, ValidationError) else str(exc)
            self.show_error(f"Could not save: {reason}")
            return
        self.dismiss(path)

    def action_cancel(self) -> None:
        """Esc: write nothing."""
        self.dismiss(None)

    def show_error(self, text: str) -> None:
        """A line under the path saying what is wrong."""
        self.query_one("#export-error", Static).update("✗ " + text)
