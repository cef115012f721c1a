"""The small modal that asks why a deal was won or lost before it moves there."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Input, Label, Static


class StageReasonScreen(ModalScreen[str | None]):
    """Ask for the reason a deal is won or lost; returns it, or None when cancelled.

    A lost deal needs a reason (the store refuses one without); a won one may go without.
    """

    CSS_PATH = "stage_reason.tcss"
    HELP = (
        "## Why was it won or lost?\n\n"
        "Say in a few words why the deal ends here: it is kept with the deal and shows on its "
        "timeline. A lost deal needs a reason; for a won deal it is optional.\n\n"
        "Type the reason and press **Enter** (or Tab to *Save*). **Esc** leaves the deal where "
        "it was."
    )
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="reason.cancel"),
        Binding("ctrl+s", "save", "Save", id="reason.save"),
    ]

    def __init__(self, deal_name: str, stage: str, *, required: bool) -> None:
        super().__init__()
        self.deal_name = deal_name
        self.stage = stage
        self.required = required

    def compose(self) -> ComposeResult:
        verb = "won" if self.stage == "won" else "lost"
        with Vertical(id="reason-dialog"):
            yield Label(f"Mark {self.deal_name!r} as {verb}", id="reason-title")
            hint = "required" if self.required else "optional"
            yield Label(f"Why was it {verb}? ({hint})")
            yield Input(placeholder="for example: price too high", id="reason")
            yield Static("", id="reason-error", classes="field-error")
            with Horizontal(id="reason-buttons"):
                yield Button("Save", id="save", variant="primary")
                yield Button("Cancel", id="cancel")
        # Its own keys at the bottom: the board's footer under it lists keys that do not
        # work here (Won, Lost, ...).
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#reason", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "save":
            self.action_save()
        else:
            self.action_cancel()

    def action_save(self) -> None:
        """Return the reason, unless one is required and missing."""
        reason = self.query_one("#reason", Input).value.strip()
        if self.required and not reason:
            self.query_one("#reason-error", Static).update("A lost deal needs a reason: say why.")
            self.query_one("#reason", Input).focus()
            return
        self.dismiss(reason)

    def action_cancel(self) -> None:
        """Leave the deal where it was."""
        self.dismiss(None)
