"""One logged call, email, meeting, note or visit, with its follow-up."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Static

from smallcrm.screens.detail_base import DetailScreen
from smallcrm.store import formats as fmt
from smallcrm.store import interactions
from smallcrm.store.records import Interaction
from smallcrm.widgets.text import plain


class InteractionDetailScreen(DetailScreen):
    """An interaction's page: what happened, when, with whom, and the follow-up."""

    CSS_PATH = "interaction_detail.tcss"
    KIND = "interaction"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "complete", "Follow-up done", id="interaction.complete"),
        Binding("g", "contact", "Contact", id="interaction.contact"),
    ]
    HELP = """\
One entry of a timeline: what happened, when, with whom, and whether a follow-up is due.

**Follow-up done:** c marks the follow-up as done (it leaves the follow-up list).

**Go to the person:** g opens the contact.

**Log another:** l logs a new interaction with the same contact or account; a schedules an
appointment with them.

**Change or delete:** e edits the entry; d moves it to the trash after asking (Ctrl+Z right
after brings it back). Esc goes back."""

    def __init__(self, interaction_id: int) -> None:
        super().__init__(interaction_id)
        self.item: Interaction | None = None

    @property
    def contact_id(self) -> int | None:
        """The interaction's contact."""
        return self.item.contact_id if self.item else None

    @property
    def account_id(self) -> int | None:
        """The interaction's account."""
        return self.item.account_id if self.item else None

    def record_path(self) -> list[tuple[str, int, str]]:
        """The interaction's account and contact."""
        item = self.item
        if item is None:
            return []
        path = []
        if item.account_id is not None and item.account_name:
            path.append(("account", item.account_id, item.account_name))
        if item.contact_id is not None and item.contact_name:
            path.append(("contact", item.contact_id, item.contact_name))
        return path

    def breadcrumb(self) -> list[str]:
        """``Call 2026-11-20``."""
        if self.item is None:
            return [f"Interaction #{self.record_id}"]
        day = fmt.short_day(self.item.happened_at)
        return [f"{self.item.kind.capitalize()} {day}"]

    def compose_body(self) -> ComposeResult:
        """The card and the text."""
        # Focusable: the arrows scroll long notes.
        with VerticalScroll(id="detail-scroll", can_focus=True):
            yield Static(id="card", classes="detail-card")
            yield Static(id="body", classes="detail-card")

    def load(self) -> None:
        """Read the interaction."""
        i = self.item = interactions.get_interaction(self.db, self.record_id)
        follow = ""
        if i.follow_up_on:
            follow = fmt.day(i.follow_up_on) + (" (done)" if i.follow_up_done else " (open)")
        duration = f"{i.duration_minutes} min" if i.duration_minutes else ""
        self.set_card(
            "card",
            i.subject or i.kind,
            [
                ("Kind", " ".join(p for p in (i.kind, i.direction or "") if p)),
                ("Subject", i.subject),
                ("When", fmt.when(i.happened_at)),
                ("Duration", duration),
                ("Contact", i.contact_name or ""),
                ("Account", i.account_name or ""),
                ("Case", f"#{i.case_id}" if i.case_id is not None else ""),
                ("Follow-up", follow),
                ("Logged", f"{fmt.when(i.tracking.created_at)} by {i.tracking.created_by}"),
            ],
        )
        body = self.query_one("#body", Static)
        body.border_title = "Notes"
        body.update(plain(i.body or "(no notes)", lines=True))
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """c only with an open follow-up; g only with a contact."""
        if action == "complete":
            return bool(self.item and self.item.follow_up_on and not self.item.follow_up_done)
        if action == "contact":
            return self.contact_id is not None
        return super().check_action(action, parameters)

    def action_complete(self) -> None:
        """c: the follow-up is done."""
        from smallcrm.store.errors import StoreError

        if self.item is None:
            return
        try:
            interactions.complete_follow_up(self.db, self.item.id, self.item.tracking.version)
        except StoreError as exc:
            self.notify_error(exc)
            return
        self.notify("Follow-up marked as done.")
        self.reload()

    def action_contact(self) -> None:
        """g: open the contact."""
        if self.contact_id is not None:
            self.app.open_record("contact", self.contact_id)

    def action_log(self) -> None:
        """l: log another interaction with the same people."""
        from smallcrm.screens.interaction_form import InteractionForm

        form = InteractionForm(kind="call", contact_id=self.contact_id, account_id=self.account_id)
        self.app.push_screen(form, self.after_save)

    def action_appointment(self) -> None:
        """a: schedule an appointment with the same people."""
        from smallcrm.screens.appointment_form import AppointmentForm

        form = AppointmentForm(contact_id=self.contact_id, account_id=self.account_id)
        self.app.push_screen(form, self.after_save)

    def action_edit(self) -> None:
        """e: edit the entry."""
        from smallcrm.screens.interaction_form import InteractionForm

        if self.item is not None:
            self.app.push_screen(InteractionForm(self.item), self.after_save)

    def action_delete(self) -> None:
        """d: move the entry to the trash."""
        i = self.item
        if i is not None:
            label = f"{i.kind} {i.subject!r}"
            self.confirm_delete(
                label, lambda: interactions.delete_interaction(self.db, i.id, i.tracking.version)
            )
