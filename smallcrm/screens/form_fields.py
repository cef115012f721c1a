"""The pieces forms are made of: a labelled field, the scrolling column of fields, reading and
writing any field's value, and pickers of contacts or accounts over the store."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.containers import Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Select, TextArea

from smallcrm.store import kinds
from smallcrm.store.errors import NotFoundError
from smallcrm.widgets.picker import PickerKind, RecordPicker, RecordSource

if TYPE_CHECKING:
    from smallcrm.store.db import Database
    from smallcrm.store.records import SearchHit


def labelled(widget: Widget, label: str, *, wide: bool = False, hint: str = "") -> Widget:
    """Put ``label`` in the widget's top border (and an optional hint in the bottom one)."""
    widget.border_title = label
    if hint:
        widget.border_subtitle = hint
    widget.add_class("form-field")
    if wide:
        widget.add_class("wide")
    return widget


class FormFields(Vertical):
    """The grid of fields; tells the form when its height changes (a picker opened, ...)."""

    class Resized(Message):
        """The fields' height changed."""

    def on_resize(self) -> None:
        """Let the form fit the scroll area to the new height."""
        self.post_message(self.Resized())


def read_widget(widget: Widget) -> Any:
    """A field's value: a picked record's id, a choice, a checkbox, or the text."""
    if isinstance(widget, RecordPicker):
        return widget.resolve()
    if isinstance(widget, TextArea):
        return widget.text
    if isinstance(widget, Select | Checkbox | Input):
        return widget.value
    raise TypeError(f"no value to read in {widget!r}")


def write_widget(widget: Widget, value: Any) -> None:
    """Set a field's value quietly (no Changed message: nothing reacts as if typed)."""
    quiet = (Input.Changed, Select.Changed, TextArea.Changed, Checkbox.Changed)
    with widget.prevent(*quiet, RecordPicker.Changed):
        if isinstance(widget, RecordPicker):
            widget.record_id = value
        elif isinstance(widget, TextArea):
            widget.text = value
        elif isinstance(widget, Select | Checkbox | Input):
            widget.value = value
        else:
            raise TypeError(f"no value to write in {widget!r}")


def read_record(db: Database, kind: str, record_id: int) -> Any:
    """The stored record of a kind (NotFoundError if it is gone)."""
    return kinds.get(kind).services.get(db, record_id)


def record_title(db: Database, kind: str, record_id: int) -> str:
    """A contact's or an account's name by id (``#12 (deleted)`` when it is gone)."""
    try:
        record = read_record(db, kind, record_id)
    except NotFoundError:
        return f"#{record_id} (deleted)"
    return str(record.name)


def record_source(db: Database, kind: PickerKind) -> RecordSource:
    """The store's lookups a picker of contacts or accounts needs."""
    from smallcrm.store.search import search

    def find(text: str, limit: int) -> list[SearchHit]:
        return search(db, text, kinds=(kind,), per_kind=limit, names_only=True)

    def title(record_id: int) -> str:
        return str(read_record(db, kind, record_id).name)

    return RecordSource(find, title)


def record_picker(
    db: Database, kind: PickerKind, record_id: int | None = None, **options: Any
) -> RecordPicker:
    """A picker of contacts or accounts over ``db`` (``options`` go to RecordPicker)."""
    return RecordPicker(kind, record_source(db, kind), record_id, **options)
