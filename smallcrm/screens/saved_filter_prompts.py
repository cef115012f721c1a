"""Saved contact filters in the app: a dialog that saves the contact list's filters under a
name, and a picker of the saved ones (the contacts list applies the one chosen; a campaign's
page adds whoever it finds now to the audience)."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from smallcrm.store import saved_filters
from smallcrm.store.errors import StoreError, ValidationError
from smallcrm.store.saved_filters import SavedFilter
from smallcrm.widgets.text import assemble


def _described(saved: SavedFilter) -> str:
    return saved_filters.describe(saved.criteria)


class SaveFilterScreen(ModalScreen[SavedFilter | None]):
    """Ask for a name and save ``criteria`` under it; returns the saved filter, None if
    cancelled. A name in use is refused until Ctrl+R says to replace that filter."""

    CSS_PATH = "saved_filter_prompts.tcss"
    HELP = (
        "## Save the filter\n\nType a name (any case; names are unique whatever their case) and "
        "press **Enter**. A name that is taken is refused; **Ctrl+R** then saves over that "
        "filter. **Esc** cancels. A saved filter keeps the criteria, not the contacts: each use "
        "finds whoever matches then."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="save_filter.cancel"),
        Binding(
            "ctrl+r",
            "replace",
            "Replace",
            id="save_filter.replace",
            tooltip="Save over the filter of that name",
        ),  # fmt: skip
    ]

    def __init__(self, criteria: dict[str, Any], described: str) -> None:
        super().__init__()
        self.criteria = criteria
        self.described = described

    def compose(self) -> ComposeResult:
        """The criteria in words, the name, and a line for errors."""
        with Vertical(classes="filter-dialog"):
            yield Label("Save this filter", classes="filter-dialog-title")
            yield Static(self.described, id="filter-criteria")
            yield Input(placeholder="a name, such as customers", id="filter-name")
            yield Static("", id="filter-error")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        """Start in the name."""
        self.query_one("#filter-name", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter saves under a new name."""
        event.stop()
        self._save(replace_existing=False)

    def action_replace(self) -> None:
        """Ctrl+R: save over the filter of that name."""
        self._save(replace_existing=True)

    def _save(self, *, replace_existing: bool) -> None:
        name = self.query_one("#filter-name", Input).value
        try:
            saved = saved_filters.save_filter(
                self.app.db,  # type: ignore[attr-defined]
                name,
                self.criteria,
                replace_existing=replace_existing,
            )
        except ValidationError as exc:
            hint = "; Ctrl+R replaces it" if "exists already" in exc.message else ""
            message = exc.message.replace("; --replace saves over it", "")
            self.query_one("#filter-error", Static).update(f"{exc.field}: {message}{hint}")
            return
        self.dismiss(saved)

    def action_cancel(self) -> None:
        """Save nothing."""
        self.dismiss(None)


class FilterPickerScreen(ModalScreen[SavedFilter | None]):
    """Choose one of the saved filters; returns it, None if cancelled. d deletes the one
    under the cursor (the filter only, never the contacts)."""

    CSS_PATH = "saved_filter_prompts.tcss"
    HELP = (
        "## Saved filters\n\nChoose one with the arrows and press **Enter**. **d** deletes the "
        "filter under the cursor (not its contacts). **Esc** goes back. On the contacts list, "
        "set filters with f and save them with S."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="filter_picker.cancel"),
        Binding("d,delete", "delete", "Delete filter", id="filter_picker.delete"),
    ]

    def __init__(self, title: str) -> None:
        super().__init__()
        self.title_text = title
        self.found: list[SavedFilter] = []

    def compose(self) -> ComposeResult:
        """The title and one line per saved filter."""
        with Vertical(classes="filter-dialog"):
            yield Label(self.title_text, classes="filter-dialog-title")
            yield OptionList(id="filter-list")
            yield Static("", id="filter-error")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        """Read the saved filters."""
        self._fill()
        self.query_one("#filter-list", OptionList).focus()

    def _fill(self) -> None:
        listing = self.query_one("#filter-list", OptionList)
        listing.clear_options()
        try:
            self.found = saved_filters.list_filters(self.app.db)  # type: ignore[attr-defined]
        except StoreError as exc:
            self.query_one("#filter-error", Static).update(str(exc))
            return
        listing.add_options(
            [
                Option(assemble((f.name, "bold"), (f" · {_described(f)}", "dim")), id=str(i))
                for i, f in enumerate(self.found)
            ]
        )
        if self.found:
            listing.highlighted = 0
        else:
            self.query_one("#filter-error", Static).update(
                "No saved filters yet: on the contacts list (F2) set filters with f, "
                "then press S to save them."
            )

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Enter or a click chooses."""
        event.stop()
        self.dismiss(self.found[int(event.option.id or 0)])

    def action_delete(self) -> None:
        """d: delete the filter under the cursor."""
        listing = self.query_one("#filter-list", OptionList)
        if listing.highlighted is None or not self.found:
            return
        chosen = self.found[listing.highlighted]
        try:
            saved_filters.delete_filter(self.app.db, chosen.name, chosen.version)  # type: ignore[attr-defined]
        except StoreError as exc:
            self.query_one("#filter-error", Static).update(str(exc))
            return
        self.notify(f"Deleted filter {chosen.name!r}")
        self._fill()

    def action_cancel(self) -> None:
        """Choose nothing."""
        self.dismiss(None)
