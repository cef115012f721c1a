"""Yes or no before something that cannot be taken back lightly (deleting, discarding)."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Static

from smallcrm.widgets.text import plain


class ConfirmScreen(ModalScreen[bool]):
    """Ask a question; dismisses with True (confirmed) or False (Esc, n, Cancel)."""

    CSS_PATH = "confirm.tcss"
    HELP: ClassVar[str] = (
        "Confirm or cancel what you asked for.\n\n"
        "- **y** confirms (or **Enter** on the confirm button).\n"
        "- **n** or **Esc** cancels: nothing changes.\n\n"
        "A deleted record goes to the trash: **Ctrl+Z** right after brings it back."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n", "answer(False)", "No", id="confirm.no"),
        Binding("escape", "answer(False)", "Cancel", id="confirm.cancel"),
        Binding("right", "app.focus_next", "Next button", show=False, id="confirm.next"),
        Binding("left", "app.focus_previous", "Previous button", show=False, id="confirm.previous"),
    ]

    def __init__(self, question: str, *, confirm_label: str = "Yes", detail: str = "") -> None:
        super().__init__()
        self.question = question
        self.confirm_label = confirm_label
        self.detail = detail

    def compose(self) -> ComposeResult:
        """The question, an optional detail line and two buttons."""
        with Vertical(id="confirm-dialog"):
            yield Static(plain(self.question, lines=True), id="confirm-question")
            if self.detail:
                yield Static(plain(self.detail, lines=True), id="confirm-detail")
            with Horizontal(id="confirm-buttons"):
                yield Button(f"{self.confirm_label} (y)", variant="error", id="confirm-yes")
                yield Button("Cancel (n)", id="confirm-no")
        # Its own keys at the bottom: the footer of the screen under it lists keys that do not
        # work while it asks.
        yield Footer(compact=True)

    def on_mount(self) -> None:
        """Start on Cancel, so a stray Enter does not destroy anything."""
        self.query_one("#confirm-no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Either button answers."""
        event.stop()
        self.dismiss(event.button.id == "confirm-yes")

    def action_answer(self, yes: bool) -> None:
        """y / n / Esc answer."""
        self.dismiss(yes)
