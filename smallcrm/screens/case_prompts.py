"""Two small questions a case asks before it moves: who takes it over, and why it is closed."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Label, OptionList
from textual.widgets.option_list import Option

REASONS = (
    ("done", "Done: the customer got what they needed"),
    ("rejected", "Rejected: not something we do or fix"),
    ("duplicate", "Duplicate: another case covers it"),
)


class AssignScreen(ModalScreen[str | None]):
    """Ask who takes a case over; returns the user name ("" for nobody), None if cancelled."""

    CSS_PATH = "case_prompts.tcss"
    HELP = (
        "## Assign the case\n\nType the user name of who takes the case over (your own is "
        "filled in) and press **Enter**; an empty name leaves it with nobody. **Esc** cancels."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="assign.cancel"),
    ]

    def __init__(self, title: str, owner: str) -> None:
        super().__init__()
        self.title_text = title
        self.owner = owner

    def compose(self) -> ComposeResult:
        with Vertical(classes="case-dialog"):
            yield Label(self.title_text, classes="case-dialog-title")
            yield Label("Who handles it? (a user name)")
            yield Input(self.owner, id="owner")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#owner", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        """Leave the case with whoever has it."""
        self.dismiss(None)


class CloseReasonScreen(ModalScreen[str | None]):
    """Ask why a case is closed: done, rejected or duplicate; None if cancelled."""

    CSS_PATH = "case_prompts.tcss"
    HELP = (
        "## Close the case\n\nChoose why it is closed with the arrows and **Enter** (or press "
        "d, r or u). **Esc** leaves it open."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="close.cancel"),
        Binding("d", "choose('done')", "Done", id="close.done"),
        Binding("r", "choose('rejected')", "Rejected", id="close.rejected"),
        Binding("u", "choose('duplicate')", "Duplicate", id="close.duplicate"),
    ]

    def __init__(self, title: str) -> None:
        super().__init__()
        self.title_text = title

    def compose(self) -> ComposeResult:
        with Vertical(classes="case-dialog"):
            yield Label(self.title_text, classes="case-dialog-title")
            yield OptionList(*(Option(text, id=word) for word, text in REASONS), id="reasons")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#reasons", OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_choose(self, reason: str) -> None:
        """d, r, u: close with this reason."""
        self.dismiss(reason)

    def action_cancel(self) -> None:
        """Leave the case open."""
        self.dismiss(None)
