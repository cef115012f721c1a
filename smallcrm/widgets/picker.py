"""Choosing an account or a contact by typing part of its name.

The input completes over the store's name search; Up/Down move through the suggestions, Enter or
a click picks one. ``record_id`` is the chosen record (None when nothing is chosen). On save a
form calls :meth:`RecordPicker.resolve`, which also accepts text that names exactly one record.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal, NamedTuple

from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option

from smallcrm.store.errors import NotFoundError, ValidationError
from smallcrm.store.records import SearchHit
from smallcrm.widgets.text import assemble

PickerKind = Literal["account", "contact"]
SUGGESTIONS = 6


class PickerInput(Input):
    """The text part of a RecordPicker (Up/Down/Esc reach the picker through it)."""

    DEFAULT_CSS = """
    PickerInput {
        border: none;
        height: 1;
        padding: 0 1;
        background: $surface;
    }
    PickerInput:focus {
        border: none;
        text-style: bold;
    }
    """


class Suggestions(OptionList, can_focus=False):
    """The picker's suggestions: never focused, so Tab goes on to the next field."""


class RecordSource(NamedTuple):
    """What a picker asks the store: records whose names match typed text (at most ``limit``),
    and the name of a record by id (NotFoundError when it is gone)."""

    find: Callable[[str, int], list[SearchHit]]
    title: Callable[[int], str]


class RecordPicker(Widget):
    """An account or contact chooser with completion; ``record_id`` is the choice."""

    HELP_PLACE = "picker"  # How the F1 help names this widget.

    DEFAULT_CSS = """
    RecordPicker {
        height: auto;
        border: tall $border-blurred;
        border-subtitle-align: left;
        background: $surface;
    }
    RecordPicker:focus-within {
        border: tall $border;
    }
    RecordPicker.-invalid {
        border: tall $error;
    }
    RecordPicker > Suggestions {
        display: none;
        height: auto;
        max-height: 7;
        border: none;
        padding: 0;
    }
    RecordPicker.-open > Suggestions {
        display: block;
    }
    """
    BINDINGS = [
        Binding("down", "move(1)", "Next suggestion", show=False, id="picker.down"),
        Binding("up", "move(-1)", "Previous suggestion", show=False, id="picker.up"),
        Binding("escape", "dismiss_suggestions", "Close suggestions", id="picker.close"),
    ]

    class Changed(Message):
        """The chosen record changed (``record_id`` None when cleared)."""

        def __init__(self, picker: RecordPicker, record_id: int | None) -> None:
            super().__init__()
            self.picker = picker
            self.record_id = record_id

        @property
        def control(self) -> RecordPicker:
            """The picker that changed."""
            return self.picker

    def __init__(
        self,
        kind: PickerKind,
        source: RecordSource,
        record_id: int | None = None,
        *,
        placeholder: str = "",
        field: str | None = None,
        id: str | None = None,  # noqa: A002
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        super().__init__(id=id, classes=classes, disabled=disabled)
        self.kind: PickerKind = kind
        self.source = source
        self.field = field or kind
        self._record_id = record_id
        self._chosen_title = ""
        self._hits: dict[str, SearchHit] = {}
        self._placeholder = placeholder or f"type part of the {kind}'s name"

    def compose(self) -> ComposeResult:
        """The text input and the (hidden until needed) suggestions."""
        yield PickerInput(placeholder=self._placeholder)
        yield Suggestions()

    def on_mount(self) -> None:
        """Show the name of a record chosen up front."""
        if self._record_id is not None:
            self._show_choice(self._record_id, self._title_of(self._record_id))

    # the choice ---------------------------------------------------------------------------

    @property
    def record_id(self) -> int | None:
        """The chosen record's id, or None."""
        return self._record_id

    @record_id.setter
    def record_id(self, value: int | None) -> None:
        self._show_choice(value, self._title_of(value) if value is not None else "")
        self.post_message(self.Changed(self, value))

    @property
    def text(self) -> str:
        """What is typed in the picker."""
        return self.query_one(PickerInput).value

    def focus(self, scroll_visible: bool = True) -> RecordPicker:
        """Focus the text input."""
        self.query_one(PickerInput).focus(scroll_visible)
        return self

    def _title_of(self, record_id: int) -> str:
        try:
            return self.source.title(record_id)
        except NotFoundError:
            return f"#{record_id} (deleted)"

    def _show_choice(self, record_id: int | None, title: str) -> None:
        self._record_id = record_id
        self._chosen_title = title if record_id is not None else ""
        field = self.query_one(PickerInput)
        with field.prevent(Input.Changed):
            field.value = title
            field.cursor_position = len(title)
        self.border_subtitle = f"✓ #{record_id}" if record_id is not None else ""
        self._close()

    def resolve(self) -> int | None:
        """The record meant: the chosen one, or the only one whose name matches the text.

        Raises ValidationError (naming ``field``) when the text matches none or several.
        """
        text = self.text.strip()
        if not text:
            return None
        if self._record_id is not None and text == self._chosen_title:
            return self._record_id
        hits = self._search(text, SUGGESTIONS)
        exact = [h for h in hits if h.title.casefold() == text.casefold()]
        if len(exact) == 1 or len(hits) == 1:
            hit = exact[0] if len(exact) == 1 else hits[0]
            self._show_choice(hit.record_id, hit.title)
            return hit.record_id
        if not hits:
            raise ValidationError(self.field, f"no {self.kind} matches {text!r}")
        raise ValidationError(
            self.field, f"{text!r} matches several {self.kind}s: pick one from the list"
        )

    # completion ---------------------------------------------------------------------------

    def _search(self, text: str, limit: int) -> list[SearchHit]:
        return self.source.find(text, limit)

    def on_input_changed(self, event: Input.Changed) -> None:
        """Suggest records as the user types; typing drops the previous choice."""
        event.stop()
        self.remove_class("-invalid", "-field-error")
        if self._record_id is not None and event.value != self._chosen_title:
            self._record_id = None
            self.border_subtitle = ""
            self.post_message(self.Changed(self, None))
        text = event.value.strip()
        hits = self._search(text, SUGGESTIONS) if text else []
        self._offer(hits)

    def _offer(self, hits: list[SearchHit]) -> None:
        options = self.query_one(Suggestions)
        options.clear_options()
        self._hits = {str(h.record_id): h for h in hits}
        for hit in hits:
            line = assemble((hit.title, "bold"), "  ", (hit.detail, "dim"))
            options.add_option(Option(line, id=str(hit.record_id)))
        self.set_class(bool(hits), "-open")
        if hits:
            options.highlighted = 0

    def _close(self) -> None:
        self.set_class(False, "-open")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Up/Down/Esc belong to the picker only while suggestions are shown."""
        if action in {"move", "dismiss_suggestions"}:
            return self.has_class("-open")
        return super().check_action(action, parameters)

    def action_move(self, step: int) -> None:
        """Move the highlight through the suggestions."""
        options = self.query_one(Suggestions)
        if step > 0:
            options.action_cursor_down()
        else:
            options.action_cursor_up()

    def action_dismiss_suggestions(self) -> None:
        """Esc closes the suggestions (a second Esc reaches the form)."""
        self._close()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter picks the highlighted suggestion; with none shown it reaches the form."""
        if not self.has_class("-open"):
            return
        event.stop()
        self._pick_highlighted()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """A click on a suggestion picks it."""
        event.stop()
        self._pick(event.option.id or "")

    def _pick_highlighted(self) -> None:
        options = self.query_one(Suggestions)
        if options.highlighted is not None:
            self._pick(options.get_option_at_index(options.highlighted).id or "")

    def _pick(self, option_id: str) -> None:
        hit = self._hits.get(option_id)
        if hit is None:
            return
        self._show_choice(hit.record_id, hit.title)
        self.query_one(PickerInput).focus()
        self.post_message(self.Changed(self, hit.record_id))
