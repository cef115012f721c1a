"""A new record that looks like one there is: list the look-alikes the store found and let the
user save anyway or go back to the form (nothing typed is lost either way)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from smallcrm.screens.confirm import ConfirmScreen
from smallcrm.store import kinds

if TYPE_CHECKING:
    from smallcrm.screens.form_shape import Form
    from smallcrm.store.errors import DuplicateError


def ask_about_duplicates(form: Form, exc: DuplicateError) -> None:
    """The store found look-alikes of the new record: list them and let the user save
    anyway or go back to the form (nothing typed is lost either way)."""
    word = kinds.word(exc.kind)
    lines = [
        f"• {d.hit.title} ({kinds.word(d.hit.kind)} {d.hit.record_id}: {d.reason})"
        for d in exc.candidates
    ]
    lines.append("Nothing is saved yet. Cancel goes back to the form.")

    def answered(save_anyway: bool | None) -> None:
        if save_anyway:
            form.allow_duplicate = True
            form.action_save()

    question = f"This looks like {'an' if word[0] in 'aeiou' else 'a'} {word} you have:"
    form.app.push_screen(
        ConfirmScreen(question, confirm_label="Save anyway", detail="\n".join(lines)),
        answered,
    )
