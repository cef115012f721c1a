"""A form's save refused because somebody saved the record after the form opened: show both
sides field by field (:class:`ConflictScreen`) and save what the user chose on top of the version
stored now."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from smallcrm.screens.conflict import ConflictChoice, ConflictScreen
from smallcrm.screens.form_fields import read_record
from smallcrm.store import conflicts
from smallcrm.store.audit import latest_entry_id
from smallcrm.store.errors import ConflictError, NotFoundError

if TYPE_CHECKING:
    from smallcrm.screens.form_base import FormScreen


def show_conflict(form: FormScreen[Any], exc: ConflictError) -> None:
    """Somebody saved the record after this form started: show both sides and let the
    user keep theirs, keep mine or merge; the choice is saved on the stored version."""
    record = form.edited_record()
    if record is None or not form.RECORD_KIND:
        form.show_form_error(str(exc))
        return
    try:
        mark = latest_entry_id(form.db, form.RECORD_KIND, record.id)
        current = read_record(form.db, form.RECORD_KIND, record.id)
    except NotFoundError:
        form.show_form_error(
            f"Somebody deleted this {form.RECORD_KIND} while you were editing it, so it was "
            "not saved. What you typed is still here."
        )
        return
    base = form.field_values(record)
    conflict = conflicts.find_conflict(
        form.db,
        form.RECORD_KIND,
        record.id,
        form.since_entry,
        base,
        form.read_fields(list(base)),
        form.field_values(current),
    )
    labels = {name: form.field_label(name) for name in base}
    screen = ConflictScreen(conflict, labels, form.value_text)

    def chosen(choice: ConflictChoice | None) -> None:
        apply_choice(form, choice, conflict, current, mark)

    form.app.push_screen(screen, chosen)


def apply_choice(
    form: FormScreen[Any],
    choice: ConflictChoice | None,
    conflict: conflicts.Conflict,
    current: Any,
    mark: int,
) -> None:
    """Act on the conflict screen's answer (None: back to the form, nothing changed)."""
    if choice is None:
        return
    if choice.side == conflicts.THEIRS:
        who = ", ".join(conflict.actors) or "the other"
        form.notify(f"Kept {who}'s version; your changes were not saved.", title="Not saved")
        form.dismiss(current)
        return
    if choice.side == conflicts.MINE:
        values = conflicts.keep_mine(conflict.base, conflict.mine, conflict.theirs)
    else:
        values = conflicts.merged(conflict.base, conflict.mine, conflict.theirs, choice.picks)
    form.write_fields(values)
    form.rebase(current)
    form.since_entry = mark
    form.action_save()  # Yet another change meanwhile shows the conflict screen again.
