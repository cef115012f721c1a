"""The interactions list: every call, email, meeting, note and visit, newest first."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType

from smallcrm.screens.list_base import ListScreen
from smallcrm.store import formats as fmt
from smallcrm.store import interactions
from smallcrm.store.listing import ListQuery
from smallcrm.store.records import Interaction, Page
from smallcrm.widgets.paged_table import Column


class InteractionsScreen(ListScreen[Interaction]):
    """All interactions (F4)."""

    TITLE_CRUMB = "Interactions"
    KIND = "interaction"
    PLURAL = "interactions"
    DEFAULT_SORT = "when"
    DEFAULT_DESCENDING = True
    COLUMNS: ClassVar[list[Column]] = [
        Column("When", 16, sort="when"),
        Column("Kind", 7, sort="kind"),
        Column("Subject", 14, sort="subject", flex=3),
        Column("Contact", 12, sort="contact", flex=2),
        Column("Account", 10, sort="account", flex=1, hide_below=90),
        Column("Follow-up", 10, sort="follow_up", hide_below=100),
    ]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("o", "open_follow_ups", "Open follow-ups", id="interactions.open_only"),
    ]
    HELP = """\
Everything logged, newest first: calls, emails, meetings, notes and visits, read from the
database a page at a time.

**Open an entry:** arrows, j/k, PgUp/PgDn, Home/End, Enter.

**Log something new:** n (or, quicker, l on a contact's page so it is linked already).

**Follow-ups:** o shows only entries with an open follow-up (press again for all); on an
entry, c marks its follow-up done.

**Sort:** s sorts by the next column, r reverses. **Filter:** f by kind, who logged it,
account, contact or date range; x clears the filters.

**Change or delete:** e edits the entry; d moves it to the trash after asking (Ctrl+Z right
after brings it back)."""

    def fetch(self, query: ListQuery) -> Page[Interaction]:
        """A page of interactions."""
        return interactions.list_interactions(self.db, query)

    def cells(self, record: Interaction) -> list[str]:
        """When, kind, subject, contact, account, follow-up."""
        follow = ""
        if record.follow_up_on:
            follow = record.follow_up_on.isoformat() + (" ✓" if record.follow_up_done else "")
        return [
            fmt.short_when(record.happened_at),
            record.kind,
            record.subject or (record.body or "").split("\n")[0],
            record.contact_name or "",
            record.account_name or "",
            follow,
        ]

    def label_of(self, record: Interaction) -> str:
        """``call 'Discussed renewal'``."""
        return f"{record.kind} {record.subject!r}"

    def filter_fields(self) -> tuple[str, ...]:
        """Interactions filter by kind, who logged them, links, dates and open follow-ups."""
        return ("kind", "owner", "account_id", "contact_id", "since", "until", "open_only")

    def empty_text(self) -> str:
        """First run: what to do next."""
        return (
            "Nothing logged yet.\n\n"
            "  n                   log a call, email, meeting, note or visit\n"
            "  F2, Enter, l        or open a contact and log it there\n"
            "  smallcrm demo       (in a shell) load a realistic demo data set"
        )

    def action_open_follow_ups(self) -> None:
        """o: only entries with an open follow-up (again: all)."""
        from dataclasses import replace

        self.query_state = replace(self.query_state, open_only=not self.query_state.open_only)
        self.reload(keep_cursor=False)

    def new_record(self) -> None:
        """n: log a new interaction."""
        from smallcrm.screens.interaction_form import InteractionForm

        self.app.push_screen(
            InteractionForm(kind="call"), lambda saved: self.reload() if saved else None
        )

    def edit_record(self, record: Interaction) -> None:
        """e: edit the entry."""
        from smallcrm.screens.interaction_form import InteractionForm

        self.app.push_screen(
            InteractionForm(record), lambda saved: self.reload() if saved else None
        )

    def delete_record(self, record: Interaction) -> None:
        """Move the entry to the trash."""
        interactions.delete_interaction(self.db, record.id, record.tracking.version)
