"""Which of several appointments in one slot or day the user means."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from smallcrm.store.records import Occurrence
from smallcrm.widgets.calendar_views import agenda_line

NEW = "new"


class OccurrenceChoice(ModalScreen[int | str | None]):
    """Pick one occurrence; returns its index, ``"new"`` for a new appointment, or None."""

    CSS_PATH = "occurrence_choice.tcss"
    HELP: ClassVar[str] = (
        "## Which appointment?\n\n"
        "Several appointments share this slot. Choose one with the arrows and press **Enter**; "
        "**Esc** goes back to the calendar."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="choice.cancel"),
    ]

    def __init__(self, title: str, found: list[Occurrence], *, offer_new: bool = False) -> None:
        super().__init__()
        self.title_text = title
        self.found = found
        self.offer_new = offer_new

    def compose(self) -> ComposeResult:
        """The title and one line per occurrence."""
        with Vertical(id="choice-dialog"):
            yield Static(self.title_text, id="choice-title")
            options = [Option(agenda_line(o), id=str(i)) for i, o in enumerate(self.found)]
            if self.offer_new:
                options.append(Option("  + New appointment here", id=NEW))
            yield OptionList(*options, id="choice-list")
        # Its own keys at the bottom: the calendar's footer under it lists keys that do not work
        # while it asks.
        yield Footer(compact=True)

    def on_mount(self) -> None:
        """Start on the first entry."""
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Enter or a click chooses."""
        event.stop()
        chosen = event.option.id or ""
        self.dismiss(NEW if chosen == NEW else int(chosen))

    def action_cancel(self) -> None:
        """Back to the calendar without choosing."""
        self.dismiss(None)
