"""Offered back at start: a form the user was filling in when the app closed or the connection
dropped ("You were filling in New contact: Zora Quillfeather ... Continue / Discard / Later").
Continue reopens the same form, on the record it was editing, with everything that was typed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Literal

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from smallcrm.screens.form_fields import read_record
from smallcrm.store import clock, drafts
from smallcrm.store.errors import NotFoundError, StoreError

if TYPE_CHECKING:
    from smallcrm.screens.form_base import FormScreen
    from smallcrm.screens.host import CrmHost
    from smallcrm.store.db import Database

Answer = Literal["continue", "discard"]


def reopen(db: Database, draft: drafts.Draft) -> FormScreen[Any]:
    """The form a draft was typed into, on the record it was editing (NotFoundError if gone)."""
    from smallcrm.screens.account_form import AccountForm
    from smallcrm.screens.appointment_form import AppointmentForm
    from smallcrm.screens.contact_form import ContactForm
    from smallcrm.screens.interaction_form import InteractionForm
    from smallcrm.screens.opportunity_form import OpportunityForm

    record_id = draft.record_id
    record = read_record(db, draft.kind, record_id) if record_id is not None else None
    forms: dict[str, Any] = {
        "contact": lambda: ContactForm(record),
        "account": lambda: AccountForm(record),
        "interaction": lambda: InteractionForm(record),
        "opportunity": lambda: OpportunityForm(record_id),
        "appointment": lambda: AppointmentForm(record_id),
    }
    if draft.kind not in forms:
        raise NotFoundError("form for", draft.form)
    form: FormScreen[Any] = forms[draft.kind]()
    form.draft_fields = draft.fields
    return form


def offer_drafts(app: CrmHost) -> None:
    """At start: the user's newest draft, offered back (Continue / Discard / Later)."""
    try:
        pending = drafts.pending(app.db)
    except StoreError:
        return  # the start goes on; the draft stays for the next one
    if not pending:
        return
    draft = pending[0]

    def answered(answer: Answer | None) -> None:
        if answer == "discard":
            drafts.discard(app.db, draft.form)
        elif answer == "continue":
            try:
                form = reopen(app.db, draft)
            except StoreError as exc:
                drafts.discard(app.db, draft.form)
                app.notify(f"The draft cannot be reopened: {exc}", severity="warning")
                return
            app.push_screen(form, lambda saved: app.reload_screens() if saved else None)

    app.push_screen(DraftOfferScreen(draft, len(pending) - 1), answered)


class DraftOfferScreen(ModalScreen[Answer | None]):
    """ "You were adding a contact ..." Continue, Discard, or Later (Esc: ask again next time)."""

    DEFAULT_CSS = """
    DraftOfferScreen {
        align: center middle;
    }
    DraftOfferScreen #draft-dialog {
        width: 66;
        max-width: 100%;
        height: auto;
        border: thick $primary;
        background: $surface;
        padding: 1 2;
    }
    DraftOfferScreen #draft-question {
        text-style: bold;
        margin-bottom: 1;
    }
    DraftOfferScreen #draft-detail {
        color: $text-muted;
        margin-bottom: 1;
    }
    DraftOfferScreen #draft-buttons {
        height: auto;
        align: center middle;
    }
    DraftOfferScreen #draft-buttons Button {
        margin: 0 1;
    }
    """
    HELP: ClassVar[str] = (
        "A form you were filling in was not saved: the app was closed or the connection "
        "dropped. What you had typed was kept.\n\n"
        "- **c** (or **Enter**) opens the form again with everything you typed.\n"
        "- **d** discards it.\n"
        "- **Esc** decides later: it is offered again on the next start."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "answer('continue')", "Continue", id="draft.continue"),
        Binding("d", "answer('discard')", "Discard", id="draft.discard"),
        Binding("escape", "answer('later')", "Later", id="draft.later"),
        Binding("right", "app.focus_next", "Next button", show=False, id="draft.next"),
        Binding("left", "app.focus_previous", "Previous button", show=False, id="draft.prev"),
    ]

    def __init__(self, draft: drafts.Draft, others: int) -> None:
        super().__init__()
        self.draft = draft
        self.others = others

    def compose(self) -> ComposeResult:
        """The question, when it was kept, and three buttons."""
        kept = clock.local(self.draft.saved_at)
        detail = f"Kept {kept:%a %d %b %H:%M}; nothing of it is saved yet."
        if self.others:
            detail += f" {self.others} more after this one."
        with Vertical(id="draft-dialog"):
            yield Static(
                f"You were filling in {self.draft.title}", id="draft-question", markup=False
            )
            yield Static(detail, id="draft-detail")
            with Horizontal(id="draft-buttons"):
                yield Button("Continue (c)", variant="primary", id="draft-continue")
                yield Button("Discard (d)", variant="error", id="draft-discard")
                yield Button("Later (Esc)", id="draft-later")

    def on_mount(self) -> None:
        """Enter continues: the safe choice keeps everything."""
        self.query_one("#draft-continue", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Each button answers."""
        event.stop()
        self.action_answer((event.button.id or "").removeprefix("draft-"))

    def action_answer(self, answer: str) -> None:
        """c / d / Esc."""
        choice = answer if answer in ("continue", "discard") else None
        self.dismiss(choice)  # type: ignore[arg-type]
