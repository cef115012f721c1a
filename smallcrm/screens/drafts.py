"""Typing kept while a form is open (see ``screens/draft_offer.py`` for the offer back).

A form keeps its fields as a draft (``store/drafts.py``) a moment after each change, so a dropped
SSH connection (the app killed by SIGHUP mid-form) loses nothing; saving or leaving the form
forgets its draft.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.widgets import Input, Select
from textual.widgets.select import InvalidSelectValueError

from smallcrm.screens.form_fields import write_widget
from smallcrm.screens.unsaved import changed_fields, field_state
from smallcrm.store import drafts
from smallcrm.store.errors import StoreError
from smallcrm.widgets.picker import RecordPicker

if TYPE_CHECKING:
    from smallcrm.screens.form_shape import Form
KEEP_AFTER = 0.8  # seconds after the last change; a burst of typing is one write


def draft_title(form: Form, fields: dict[str, Any]) -> str:
    """``New contact: Zora Quillfeather``: the form's title and the first words typed (pass
    the changed fields: a prefilled owner is not what the user was writing)."""
    words = [v.strip() for v in fields.values() if isinstance(v, str) and v.strip()][:2]
    summary = " ".join(words)
    summary = summary if len(summary) <= 60 else summary[:59] + "…"
    return f"{form.form_title()}: {summary}" if summary else form.form_title()


def write_fields(form: Form, fields: dict[str, Any]) -> None:
    """Put a draft's values back into the form's fields (values a field no longer takes, a
    choice that is gone, are left out rather than failing the whole draft)."""
    for widget_id, value in fields.items():
        found = form.query(f"#{widget_id}") if widget_id.replace("_", "").isalnum() else None
        if not found:
            continue
        widget = found.first()
        try:
            if isinstance(widget, RecordPicker):
                record_id, text = value if isinstance(value, list) else (None, "")
                if record_id is not None:
                    widget.record_id = record_id
                else:
                    widget.query_one(Input).value = text
            elif isinstance(widget, Select) and value is None:
                widget.clear()
            else:
                write_widget(widget, value)
        except (TypeError, ValueError, LookupError, InvalidSelectValueError):
            continue


def form_key(form: Form) -> str | None:
    """The draft key of a form (None: a form that keeps no drafts, such as a filter)."""
    if not form.RECORD_KIND or not form.ASK_BEFORE_LEAVING:
        return None
    record = form.edited_record()
    return drafts.form_key(form.RECORD_KIND, record.id if record is not None else None)


def schedule_keep(form: Form) -> None:
    """A field changed: keep the form as a draft a moment after the typing pauses."""
    if form.fields_at_start is None or form_key(form) is None:
        return
    if form.draft_timer is not None:
        form.draft_timer.stop()
    form.draft_timer = form.set_timer(KEEP_AFTER, lambda: keep_now(form))


def keep_now(form: Form) -> None:
    """Write the form's fields as its draft now (or drop the draft when nothing differs)."""
    key = form_key(form)
    if key is None or form.fields_at_start is None or not form.is_mounted:
        return
    fields = field_state(form.query_one("#form-fields"))
    try:
        changed = changed_fields(form.fields_at_start, fields)
        if changed:
            kept = {k: None if v is Select.NULL else v for k, v in fields.items()}
            title = draft_title(form, {k: fields[k] for k in changed})
            drafts.keep(form.db, key, title, kept)
            form.draft_kept = True
        elif form.draft_kept:
            drafts.discard(form.db, key)
            form.draft_kept = False
    except StoreError:
        pass  # busy or read-only: the next change tries again; the form itself is untouched


def forget(form: Form) -> None:
    """The form is closing (saved, discarded): its draft goes too."""
    if form.draft_timer is not None:
        form.draft_timer.stop()
        form.draft_timer = None
    key = form_key(form)
    if key is None or not (form.draft_kept or form.draft_fields):
        return
    try:
        drafts.discard(form.db, key)
    except StoreError:
        pass  # offered again on the next start, where it can be discarded
    form.draft_kept = False
