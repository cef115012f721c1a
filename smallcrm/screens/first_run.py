"""The app's first question: which country phone numbers without +country code belong to, and
which currency deals are in. Asked once (while no settings file exists); Esc skips it.

Without it a German owner's ``030 5550104`` could not be read as a phone number (a locale such
as ``C.UTF-8`` names no country), and new deals would be in euros whatever the business uses.
The answers go to the settings file that ``smallcrm config`` shows and changes.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Input, Label, Static

from smallcrm.store import settings
from smallcrm.store.errors import ValidationError


def example_number(region: str) -> str:
    """How a local number of ``region`` is written, and what it becomes (``030 123456 ->
    +49 30 123456``); empty when the region has no example."""
    import phonenumbers

    number = phonenumbers.example_number(region)
    if number is None:
        return ""
    local = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    full = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return f"{local} is read as {full}"


class FirstRunScreen(ModalScreen[bool]):
    """Ask for the phone region and the currency; dismisses True when saved, False if skipped."""

    CSS_PATH = "first_run.tcss"
    HELP: ClassVar[str] = (
        "## Welcome\n\n"
        "Two settings make smallcrm read what you type the way your business writes it:\n\n"
        "- **Country** (two letters, such as DE, AT, CH, GB or US): phone numbers written "
        "without `+country code` belong to it.\n"
        "- **Currency** (three letters, such as EUR, CHF, GBP or USD): new deals are in it.\n\n"
        "**Ctrl+S** or **Enter** saves; **Esc** skips (numbers then need their +country code). "
        "Change them any time with `smallcrm config set`."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", id="first_run.save"),
        Binding("escape", "skip", "Skip", id="first_run.skip"),
    ]

    def compose(self) -> ComposeResult:
        """The two questions, what a number will look like, and the buttons."""
        region = settings.phone_region() or ""
        with Vertical(id="first-run-dialog") as dialog:
            dialog.border_title = "Welcome to smallcrm"
            yield Static(
                "Two questions so phone numbers and amounts read right. "
                "Change them later with: smallcrm config set.",
                id="first-run-intro",
            )
            yield Label("Country of your phone numbers (DE, AT, CH, GB, US, ...)")
            yield Input(region, placeholder="two letters", id="phone_region", max_length=2)
            yield Static(example_number(region) if region else "", id="first-run-example")
            yield Label("Currency of your deals (EUR, CHF, GBP, USD, ...)")
            yield Input(settings.currency(), placeholder="three letters", id="currency")
            yield Static("", id="first-run-error")
            with Horizontal(id="first-run-buttons"):
                yield Button("Save ^S", variant="primary", id="first-run-save", compact=True)
                yield Button("Skip Esc", id="first-run-skip", compact=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        """Start in the first question."""
        self.query_one("#phone_region", Input).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        """Show how a local number of the typed country will be read."""
        if event.input.id != "phone_region":
            return
        text = event.value.strip().upper()
        example = self.query_one("#first-run-example", Static)
        try:
            region = settings.check("phone_region", text) if len(text) == 2 else None
        except ValidationError:
            region = None
        example.update(example_number(region) if region else "")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in the first field moves on; in the last one it saves."""
        event.stop()
        if event.input.id == "phone_region":
            self.query_one("#currency", Input).focus()
        else:
            self.action_save()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Save or Skip."""
        event.stop()
        if event.button.id == "first-run-save":
            self.action_save()
        else:
            self.action_skip()

    def action_save(self) -> None:
        """Check both answers and write them; a bad one is named and nothing is written."""
        answers = {
            "phone_region": self.query_one("#phone_region", Input).value,
            "currency": self.query_one("#currency", Input).value,
        }
        try:
            for key, text in answers.items():
                settings.check(key, text)
            settings.save(answers)
        except (ValidationError, OSError) as exc:
            message = exc.message if isinstance(exc, ValidationError) else str(exc)
            field = getattr(exc, "field", "")
            self.query_one("#first-run-error", Static).update(message)
            if field in answers:
                self.query_one(f"#{field}", Input).focus()
            return
        self.dismiss(True)

    def action_skip(self) -> None:
        """Leave the defaults, and do not ask again (an empty settings file is written)."""
        try:
            settings.save({})
        except OSError as exc:
            self.app.notify(f"Could not write the settings file: {exc}", severity="warning")
        self.dismiss(False)
