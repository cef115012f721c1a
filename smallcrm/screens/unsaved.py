"""Esc on a form with changes: save them, discard them or keep editing.

A form remembers what its fields held once they were filled (:func:`field_state`); Esc leaves at
once when nothing differs, and otherwise asks with :class:`UnsavedChangesScreen`, so a filled
form is never thrown away by a key pressed once too often (the first Esc in a picker closes its
suggestions, the next one used to close the whole form).
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Input, Select, Static, TextArea

from smallcrm.widgets.picker import RecordPicker

Answer = Literal["save", "discard"]


def field_state(root: Widget) -> dict[str, Any]:
    """What every field under ``root`` holds, by widget id: text, choices, checkboxes, and a
    picker's choice with the text typed into it (its own input is not counted twice)."""
    state: dict[str, Any] = {}
    for widget in root.query("*"):
        if widget.id is None or any(isinstance(a, RecordPicker) for a in widget.ancestors):
            continue
        if isinstance(widget, RecordPicker):
            state[widget.id] = (widget.record_id, widget.text)
        elif isinstance(widget, TextArea):
            state[widget.id] = widget.text
        elif isinstance(widget, Select | Checkbox | Input):
            state[widget.id] = widget.value
    return state


def changed_fields(before: dict[str, Any], now: dict[str, Any]) -> list[str]:
    """The ids of the fields whose value differs (a field that appeared counts as changed
    only when it holds something)."""
    return [key for key, value in now.items() if before.get(key, _blank(value)) != value]


def _blank(value: Any) -> Any:
    return "" if isinstance(value, str) else None


class UnsavedChangesScreen(ModalScreen[Answer | None]):
    """Save, discard or keep editing; dismisses with "save", "discard" or None (keep)."""

    DEFAULT_CSS = """
    UnsavedChangesScreen {
        align: center middle;
    }
    UnsavedChangesScreen #unsaved-dialog {
        width: 64;
        max-width: 100%;
        height: auto;
        border: thick $warning;
        background: $surface;
        padding: 1 2;
    }
    UnsavedChangesScreen #unsaved-question {
        text-style: bold;
        margin-bottom: 1;
    }
    UnsavedChangesScreen #unsaved-detail {
        color: $text-muted;
        margin-bottom: 1;
    }
    UnsavedChangesScreen #unsaved-buttons {
        height: auto;
        align: center middle;
    }
    UnsavedChangesScreen #unsaved-buttons Button {
        margin: 0 1;
    }
    """
    HELP: ClassVar[str] = (
        "The form you are leaving holds changes that are not saved.\n\n"
        "- **s** saves them (as Ctrl+S in the form would).\n"
        "- **d** discards them and closes the form.\n"
        "- **Esc** or **k** goes back to the form, everything typed still there."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "answer('save')", "Save", id="unsaved.save"),
        Binding("d", "answer('discard')", "Discard", id="unsaved.discard"),
        Binding("k", "answer('keep')", "Keep editing", id="unsaved.keep"),
        Binding("escape", "answer('keep')", "Keep editing", show=False, id="unsaved.escape"),
        Binding("right", "app.focus_next", "Next button", show=False, id="unsaved.next"),
        Binding("left", "app.focus_previous", "Previous button", show=False, id="unsaved.prev"),
    ]

    def __init__(self, what: str, fields: list[str]) -> None:
        super().__init__()
        self.what = what
        self.fields = fields

    def compose(self) -> ComposeResult:
        """The question, the changed fields and three buttons."""
        with Vertical(id="unsaved-dialog"):
            yield Static("Save your changes?", id="unsaved-question")
            listed = ", ".join(self.fields)
            yield Static(f"{self.what}, changed: {listed}.", id="unsaved-detail", markup=False)
            with Horizontal(id="unsaved-buttons"):
                yield Button("Save (s)", variant="primary", id="unsaved-save")
                yield Button("Discard (d)", variant="error", id="unsaved-discard")
                yield Button("Keep editing (Esc)", id="unsaved-keep")

    def on_mount(self) -> None:
        """Start on "Keep editing": a stray Enter loses nothing."""
        self.query_one("#unsaved-keep", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Each button answers."""
        event.stop()
        self.action_answer((event.button.id or "").removeprefix("unsaved-"))

    def action_answer(self, answer: str) -> None:
        """s / d / k / Esc."""
        self.dismiss("save" if answer == "save" else "discard" if answer == "discard" else None)
