"""Opening the app's forms and tools from anywhere: a new contact or account (which opens once
saved), the log form linked to the record on screen, imports, past imports, duplicates.

The command palette and the list screens' keys call these, so a form opens the same way
whichever way the user asked for it.
"""

from __future__ import annotations

from functools import partial

from smallcrm.screens.host import CrmHost


def new_record(app: CrmHost, kind: str) -> None:
    """Open the form for a new contact or account; the saved record opens."""
    from smallcrm.screens.account_form import AccountForm
    from smallcrm.screens.contact_form import ContactForm

    form = ContactForm() if kind == "contact" else AccountForm()
    app.push_screen(form, partial(_open_saved, app, kind))


def log_interaction(app: CrmHost, kind: str = "call") -> None:
    """Open the log form for a call (or another kind), linked to the record on screen."""
    from smallcrm.screens.interaction_form import InteractionForm

    contact_id = getattr(app.screen, "contact_id", None)
    account_id = getattr(app.screen, "account_id", None)
    form = InteractionForm(kind=kind, contact_id=contact_id, account_id=account_id)
    app.push_screen(form, lambda saved: app.reload_screens() if saved else None)


def open_import(app: CrmHost, kind: str | None = None) -> None:
    """Open the import screen over the current one (Esc comes back)."""
    from smallcrm.screens.import_batches import ImportBatchesScreen
    from smallcrm.screens.import_screen import ImportScreen

    stack = app.screen_stack
    if len(stack) > 1 and isinstance(stack[-1], ImportBatchesScreen):
        if isinstance(stack[-2], ImportScreen):
            app.pop_screen()  # back to the import screen the list was opened from
            return
    app.push_screen(ImportScreen(kind=kind))


def open_past_imports(app: CrmHost) -> None:
    """Open the list of past imports, where each can be undone."""
    from smallcrm.screens.import_batches import ImportBatchesScreen

    app.push_screen(ImportBatchesScreen())


def open_duplicates(app: CrmHost, kind: str = "contact") -> None:
    """Open the duplicates screen for contacts or accounts."""
    from smallcrm.screens.duplicates import DuplicatesScreen

    app.push_screen(DuplicatesScreen(kind))


def _open_saved(app: CrmHost, kind: str, saved: object) -> None:
    if saved is not None:
        app.open_record(kind, saved.id)  # type: ignore[attr-defined]
