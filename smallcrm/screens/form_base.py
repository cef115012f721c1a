"""The shape every form shares: labelled fields in a modal, inline errors, Ctrl+S / Esc.

A subclass yields its fields from :meth:`FormScreen.compose_fields` (labels go in each field's
border title, see :func:`labelled`) and implements :meth:`FormScreen.save`, which reads the
fields, calls a store service and returns the result. A ``ValidationError`` from the store is
shown on the field it names (``ValidationError.field``, mapped through ``FIELD_IDS``), that
field gets the focus, and everything typed stays where it was. Esc dismisses with None and
writes nothing; when a field was changed it first asks whether to save, discard or keep editing
(``ASK_BEFORE_LEAVING``; a filter form leaves at once).

A form that edits an existing record also says which (``RECORD_KIND``, :meth:`edited_record`),
how a record reads in its fields (:meth:`field_values`) and how to start over from a newer
version (:meth:`rebase`). When somebody else saved the record after the form opened, the store
raises ``ConflictError``; the form then shows the :class:`ConflictScreen` (who changed what,
field by field) and saves what the user chose there, on top of the version stored now.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.await_complete import AwaitComplete
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Footer, Input, Select, Static, TextArea

from smallcrm.screens import form_duplicates
from smallcrm.screens.drafts import forget, schedule_keep, write_fields
from smallcrm.screens.form_fields import (
    FormFields,
    read_record,
    read_widget,
    record_title,
    write_widget,
)
from smallcrm.screens.host import CrmHost
from smallcrm.screens.unsaved import UnsavedChangesScreen, changed_fields, field_state
from smallcrm.store.errors import (
    ConflictError,
    DuplicateError,
    StoreError,
    ValidationError,
)
from smallcrm.widgets.date_field import DateField
from smallcrm.widgets.picker import RecordPicker
from smallcrm.widgets.text import markup_safe

if TYPE_CHECKING:
    from smallcrm.store.db import Database

T = TypeVar("T")
FIELD_ERROR = "-field-error"  # marks a field the store rejected on save
_INDEX = re.compile(r"\[\d+\]|\..*$")


class FormScreen(ModalScreen[T | None], Generic[T]):
    """A modal form returning what it saved (or None when cancelled)."""

    app: CrmHost  # the app these screens run in (screens/host.py)

    FORM_TITLE: ClassVar[str] = ""
    HELP: ClassVar[str] = ""
    FIELD_IDS: ClassVar[dict[str, str]] = {}
    RECORD_KIND: ClassVar[str] = ""  # the store kind an edit form changes (conflicts)
    DEFAULT_CSS = """
    FormScreen {
        align: center middle;
    }
    FormScreen #form-dialog {
        width: 96;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: round $primary;
        border-title-style: bold;
        border-title-color: $text;
        background: $surface;
        padding: 0 1;
    }
    FormScreen #form-scroll {
        height: auto;
    }
    FormScreen #form-fields {
        layout: grid;
        grid-size: 2;
        grid-columns: 1fr 1fr;
        grid-rows: auto;
        grid-gutter: 0 1;
        height: auto;
    }
    FormScreen .wide {
        column-span: 2;
    }
    FormScreen .form-field {
        border-title-color: $text;
        border-title-style: bold;
        border-subtitle-align: left;
        border-subtitle-color: $text-muted;
    }
    FormScreen .form-field:focus, FormScreen .form-field:focus-within {
        border-title-style: bold reverse;
    }
    /* The grid sizes an auto row by its fields' content, not by their height (a notes field
       would get one line to write in): the limits hold it at six rows. */
    FormScreen TextArea.form-field {
        height: 6;
        min-height: 6;
        max-height: 6;
    }
    /* A Select draws its border on its inner SelectCurrent, which would hide the label that
       labelled() puts in the Select's own border title: the border moves to the Select. */
    FormScreen Select.form-field {
        height: auto;
        border: tall $border-blurred;
        background: $surface;
    }
    FormScreen Select.form-field:focus-within {
        border: tall $border;
    }
    FormScreen Select.form-field > SelectCurrent {
        border: none;
    }
    FormScreen Input.-invalid, FormScreen .-field-error {
        border: heavy $error;
        border-subtitle-color: $error;
        border-subtitle-style: bold;
    }
    FormScreen #form-error {
        height: auto;
        color: $error;
        text-style: bold;
        display: none;
    }
    FormScreen #form-error.-shown {
        display: block;
    }
    FormScreen #form-buttons {
        height: 1;
        align: right middle;
    }
    FormScreen #form-buttons Button {
        margin: 0 0 0 2;
    }
    FormScreen Footer {
        dock: bottom;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        # Not a priority binding: a priority key runs before the letters typed ahead of it have
        # reached their field (keys arrive in one burst over a slow SSH link), and the save
        # would miss them. No field widget uses Ctrl+S, so it reaches the form in order.
        Binding("ctrl+s", "save", "Save", id="form.save"),
        Binding("escape", "cancel", "Cancel", id="form.cancel"),
        Binding("f1", "app.help", "Help", id="form.help"),
    ]

    # what subclasses provide --------------------------------------------------------------

    def form_title(self) -> str:
        """The title in the dialog's border."""
        return self.FORM_TITLE

    def compose_fields(self) -> ComposeResult:
        """The fields, in order (use :func:`labelled`; ids name the store's fields)."""
        yield from ()

    def save(self) -> T:
        """Read the fields, call the store and return the result (ValidationError if bad)."""
        raise NotImplementedError

    def edited_record(self) -> Any | None:
        """The record being edited, as the form started from it (None for a new one)."""
        return None

    def field_values(self, record: Any) -> dict[str, Any]:
        """``record``'s values as this form's fields show them, by field id (for conflicts)."""
        return {}

    def rebase(self, record: Any) -> None:
        """Edit ``record`` (a newer version of the one being edited) from now on: ``save``
        then changes only the fields that differ from it."""

    # frame --------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        """Title, the scrolling fields, the error line, the buttons and the footer."""
        self.start_editing()
        dialog = Vertical(id="form-dialog")
        dialog.border_title = markup_safe(self.form_title())  # it names the record
        with dialog:
            with VerticalScroll(id="form-scroll", can_focus=False), FormFields(id="form-fields"):
                yield from self.compose_fields()
            yield Static("", id="form-error")
            with Horizontal(id="form-buttons"):
                yield Button("Save ^S", variant="primary", id="form-save", compact=True)
                yield Button("Cancel Esc", id="form-cancel", compact=True)
        yield Footer(compact=True)

    def on_form_fields_resized(self, message: FormFields.Resized) -> None:
        """Keep the dialog as tall as its fields, but never taller than the terminal."""
        self.fit_to_screen()

    def on_resize(self) -> None:
        """The terminal changed size."""
        self.fit_to_screen()

    def fit_to_screen(self) -> None:
        """Size the scroll area: the fields' height, capped to what the terminal leaves.

        Textual's auto height ignores a child's max-height, so the height is set here.
        """
        fields = self.query_one("#form-fields")
        error = self.query_one("#form-error")
        chrome = (
            1 + 2 + 1 + (error.outer_size.height if error.display else 0)
        )  # footer, border, buttons
        room = max(3, self.size.height - chrome)
        self.query_one("#form-scroll").styles.height = min(fields.outer_size.height, room)

    @property
    def db(self) -> Database:
        """The database the app was opened on."""
        return self.app.db

    # saving -------------------------------------------------------------------------------

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in a field saves (a picker with suggestions open takes Enter first)."""
        event.stop()
        self.action_save()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """The Save and Cancel buttons."""
        if event.button.id == "form-save":
            event.stop()
            self.action_save()
        elif event.button.id == "form-cancel":
            event.stop()
            self.action_cancel()

    def action_save(self) -> None:
        """Save; on a validation error show it on its field and keep everything typed; when
        somebody else saved the record meanwhile, let the user choose whose changes count."""
        self.clear_errors()
        try:
            result = self.save()
        except ValidationError as exc:
            self.show_field_error(exc)
            return
        except ConflictError as exc:
            self.show_conflict(exc)
            return
        except DuplicateError as exc:
            self.ask_about_duplicates(exc)
            return
        except StoreError as exc:
            self.show_form_error(str(exc))
            return
        self.after_save(result)
        self.dismiss(result)

    def after_save(self, result: T) -> None:
        """Tell the user what the store noticed about what was just saved (nothing here)."""

    # a new record that looks like one there is -------------------------------------------

    allow_duplicate: bool = False  # the user saw the look-alikes and chose to save anyway

    def ask_about_duplicates(self, exc: DuplicateError) -> None:
        """The store found look-alikes of the new record: list them and let the user save
        anyway or go back to the form (nothing typed is lost either way)."""
        form_duplicates.ask_about_duplicates(self, exc)

    # leaving ------------------------------------------------------------------------------

    ASK_BEFORE_LEAVING: ClassVar[bool] = True  # Esc with changes asks: save, discard, keep?
    fields_at_start: dict[str, Any] | None = None  # what the fields held once filled
    draft_fields: dict[str, Any] | None = None  # a kept draft to fill in once mounted
    draft_timer: Timer | None = None
    draft_kept = False

    def on_mount(self) -> None:
        """Once the fields are filled (subclasses fill some on mount), note what they hold."""
        self.call_after_refresh(self.remember_fields)

    def remember_fields(self) -> None:
        """Take the fields as unchanged (Esc leaves at once); a draft's values come back."""
        self.fields_at_start = field_state(self.query_one("#form-fields"))
        if self.draft_fields:
            write_fields(self, self.draft_fields)
            schedule_keep(self)

    @on(Input.Changed)
    @on(TextArea.Changed)
    @on(Select.Changed)
    @on(Checkbox.Changed)
    @on(RecordPicker.Changed)
    def keep_typing(self) -> None:
        """A field changed: kept as a draft a moment later (the next start offers it back)."""
        schedule_keep(self)

    def dismiss(self, result: T | None = None) -> AwaitComplete:
        """Close the form (saved or left): its draft is forgotten."""
        forget(self)
        return super().dismiss(result)

    def action_cancel(self) -> None:
        """Leave without saving; after changes ask first: save, discard or keep editing."""
        changed: list[str] = []
        if self.ASK_BEFORE_LEAVING and self.fields_at_start is not None:
            now = field_state(self.query_one("#form-fields"))
            changed = changed_fields(self.fields_at_start, now)
        if not changed:
            self.dismiss(None)
            return

        def answered(answer: str | None) -> None:
            if answer == "save":
                self.action_save()
            elif answer == "discard":
                self.dismiss(None)

        labels = [self.field_label(name) for name in changed]
        self.app.push_screen(UnsavedChangesScreen(self.form_title(), labels), answered)

    # editing a record others may change ----------------------------------------------------

    since_entry: int = 0  # the record's newest audit entry when the form started from it

    def start_editing(self) -> None:
        """Note where the record's history stands and start from its newest version.

        The record handed to the form may have been read a while ago (the view under it);
        nothing is typed yet, so a newer stored version simply replaces it. The history mark
        is read first: a change slipping in between is then listed, never missed.
        """
        record = self.edited_record()
        if record is None or not self.RECORD_KIND:
            return
        from smallcrm.store.audit import latest_entry_id

        try:
            self.since_entry = latest_entry_id(self.db, self.RECORD_KIND, record.id)
            fresh = read_record(self.db, self.RECORD_KIND, record.id)
        except StoreError:
            return  # gone or unreadable: saving will say so
        if fresh.tracking.version != record.tracking.version:
            self.rebase(fresh)

    def read_fields(self, names: list[str]) -> dict[str, Any]:
        """The fields' current values, in the terms of :meth:`field_values`."""
        return {name: read_widget(self.query_one(f"#{name}")) for name in names}

    def write_fields(self, values: dict[str, Any]) -> None:
        """Put values into the fields without the reactions typing would trigger."""
        for name, value in values.items():
            write_widget(self.query_one(f"#{name}"), value)

    def show_conflict(self, exc: ConflictError) -> None:
        """Somebody saved the record after this form started: show both sides and let the
        user keep theirs, keep mine or merge; the choice is saved on the stored version."""
        from smallcrm.screens.form_conflicts import show_conflict

        show_conflict(self, exc)

    def field_label(self, name: str) -> str:
        """The label a field shows in its border (its id if none)."""
        found = self.query(f"#{name}")
        title = found.first().border_title if found else None
        return str(title) if title else name.replace("_", " ").capitalize()

    def value_text(self, name: str, value: Any) -> str:
        """A field's value in words, on one line (a picked record by its name)."""
        if value is None or value is Select.NULL or value == "":
            return "(empty)"
        if isinstance(value, bool):
            return "yes" if value else "no"
        found = self.query(f"#{name}")
        if found and isinstance(found.first(), RecordPicker) and isinstance(value, int):
            return record_title(self.db, found.first(RecordPicker).kind, value)
        return " ".join(str(value).split())

    # errors -------------------------------------------------------------------------------

    def field_widget(self, field: str) -> Widget | None:
        """The widget that edits a store field (``email[2]`` -> the emails field)."""
        base = _INDEX.sub("", field)
        for key in (field, base):
            widget_id = self.FIELD_IDS.get(key, key)
            if re.fullmatch(r"[\w-]+", widget_id):
                found = self.query(f"#{widget_id}")
                if found:
                    return found.first()
        return None

    def show_field_error(self, exc: ValidationError) -> None:
        """Mark the field, put the message under it and in the error line, focus it."""
        widget = self.field_widget(exc.field)
        label = widget.border_title if widget is not None and widget.border_title else exc.field
        self.show_form_error(f"{label}: {exc.message}")
        if widget is None:
            return
        # Not Input's own "-invalid": Input resets that on blur and on every change.
        widget.add_class(FIELD_ERROR)
        widget.border_subtitle = "✗ " + exc.message
        widget.focus()

    def show_form_error(self, message: str) -> None:
        """The error line above the buttons (full text, wrapped)."""
        line = self.query_one("#form-error", Static)
        line.update("✗ " + message)
        line.add_class("-shown")
        self.call_after_refresh(self.fit_to_screen)

    def clear_errors(self) -> None:
        """Forget the previous attempt's errors."""
        for widget in self.query(f".{FIELD_ERROR}"):
            self._clear_field_error(widget)
        self.query_one("#form-error", Static).remove_class("-shown")

    def on_input_changed(self, event: Input.Changed) -> None:
        """Typing in a field that had an error clears that error."""
        if event.input.has_class(FIELD_ERROR):
            self._clear_field_error(event.input)

    @staticmethod
    def _clear_field_error(widget: Widget) -> None:
        widget.remove_class(FIELD_ERROR)
        if not isinstance(widget, DateField):  # A date field re-echoes its own parse there.
            widget.border_subtitle = ""
