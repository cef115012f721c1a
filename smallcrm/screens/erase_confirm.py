"""Asking before a person's data is erased for good: what goes, what stays, no undo, and what
happens to the backups that still hold them (scrubbed, deleted or kept, as the shell's
``privacy erase`` offers)."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, RadioButton, RadioSet, Static

from smallcrm.widgets.text import plain

# The backup choices in the order shown, with their keys and words.
BACKUP_CHOICES = (
    ("scrub", "s", "Scrub them from the backups (each checked)"),
    ("delete", "d", "Delete those backups"),
    ("keep", "k", "Keep the backups as they are"),
)


class EraseConfirmScreen(ModalScreen[str | None]):
    """The confirmation for ``erase_everywhere``: dismisses with what to do with the backups
    holding the person (``scrub``, ``delete`` or ``keep``) when the erasure is confirmed, or
    None (Esc, n, Cancel). Without such backups there is nothing to choose: ``keep``."""

    CSS_PATH = "erase_confirm.tcss"
    HELP: ClassVar[str] = (
        "Confirm or cancel erasing a person's data, for example when they asked you to.\n\n"
        "- **y** erases (or **Enter** on the Erase button).\n"
        "- **n** or **Esc** cancels: nothing changes.\n"
        "- **s**, **d**, **k** choose what happens to the backups that still hold them: "
        "scrubbed (the same erasure in each, checked), deleted, or kept as they are.\n\n"
        "Erasing cannot be undone: nothing goes to the trash, and Ctrl+Z does not bring it "
        "back. Export the person's data first (x on the contact) if they asked for a copy."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "erase", "Yes", id="erase.yes"),
        Binding("n", "cancel", "Cancel", id="erase.no"),
        Binding("escape", "cancel", "Cancel", show=False, id="erase.cancel"),
        *[
            Binding(key, f"backups('{choice}')", label.split()[0], id=f"erase.{choice}")
            for choice, key, label in BACKUP_CHOICES
        ],
        Binding("right", "app.focus_next", "Next", show=False, id="erase.next"),
        Binding("left", "app.focus_previous", "Previous", show=False, id="erase.previous"),
    ]

    def __init__(self, question: str, *, detail: str, backups: str = "") -> None:
        """``backups`` says which backups hold the person (empty: none do)."""
        super().__init__()
        self.question = question
        self.detail = detail
        self.backups = backups

    def compose(self) -> ComposeResult:
        """The question, what erasing does, the backups and their choice, two buttons."""
        with Vertical(id="confirm-dialog"):
            yield Static(plain(self.question, lines=True), id="confirm-question")
            yield Static(plain(self.detail, lines=True), id="confirm-detail")
            if self.backups:
                yield Static(self.backups, id="erase-backups")
                with RadioSet(id="erase-backup-choice"):
                    for choice, key, label in BACKUP_CHOICES:
                        yield RadioButton(
                            f"{label} ({key})", value=choice == "scrub", id=f"backups-{choice}"
                        )
            with Horizontal(id="confirm-buttons"):
                yield Button("Erase (y)", variant="error", id="confirm-yes")
                yield Button("Cancel (n)", id="confirm-no")
        # Its own keys at the bottom: the footer of the screen under it lists keys that do not
        # work while it asks.
        yield Footer(compact=True)

    def on_mount(self) -> None:
        """Start on Cancel, so a stray Enter does not destroy anything."""
        self.query_one("#confirm-no", Button).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The backup keys only apply when some backup holds the person."""
        if action == "backups":
            return bool(self.backups)
        return True

    @property
    def backup_choice(self) -> str:
        """What happens to the backups, as chosen now."""
        if not self.backups:
            return "keep"
        pressed = self.query_one(RadioSet).pressed_button
        return (pressed.id or "backups-scrub").removeprefix("backups-") if pressed else "scrub"

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Either button answers."""
        event.stop()
        self.dismiss(self.backup_choice if event.button.id == "confirm-yes" else None)

    def action_erase(self) -> None:
        """y: erase, dealing with the backups as chosen."""
        self.dismiss(self.backup_choice)

    def action_cancel(self) -> None:
        """n / Esc: nothing changes."""
        self.dismiss(None)

    def action_backups(self, choice: str) -> None:
        """s / d / k: choose what happens to the backups."""
        self.query_one(f"#backups-{choice}", RadioButton).value = True
