"""One company, all round: its contacts, timeline, opportunities with the pipeline total, and
its appointments.
"""

from __future__ import annotations

from datetime import timedelta
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static
from textual.widgets.option_list import Option

from smallcrm.screens import tabs
from smallcrm.screens.detail_base import (
    TIMELINE_LIMIT,
    UPCOMING_DAYS,
    UPCOMING_LIMIT,
    DetailScreen,
    RelatedList,
    case_options,
    occurrence_line,
    opportunity_line,
    timeline_options,
)
from smallcrm.store import accounts, appointments, clock, opportunities, timelines
from smallcrm.store import formats as fmt
from smallcrm.store.listing import ListQuery
from smallcrm.store.records import Account
from smallcrm.widgets.text import assemble

CONTACTS_SHOWN = 50


class AccountDetailScreen(DetailScreen):
    """An account's 360° view."""

    CSS_PATH = "account_detail.tcss"
    KIND = "account"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "new_contact", "New contact", id="account.new_contact"),
        Binding("o", "new_deal", "New deal", id="account.new_deal"),
    ]
    HELP = """\
Everything about one company: its details, the people who work there, what happened with
it (the timeline, newest first), its opportunities with the open pipeline total (and the
total weighted by probability), and its upcoming appointments.

**Log a call, email, meeting, note or visit:** press l; a follow-up date is optional.

**Schedule an appointment:** press a.

**Add a person or a deal here:** n adds a contact at this account, o a new opportunity.

**Open something listed:** Tab moves between contacts, timeline, opportunities and
appointments; arrows choose, Enter opens.

**Change or delete:** e edits the account; d moves it to the trash after asking (its
contacts and deals stay; Ctrl+Z right after brings it back). Esc goes back."""

    def __init__(self, account_id: int) -> None:
        super().__init__(account_id)
        self.account: Account | None = None

    @property
    def account_id(self) -> int:
        """The account shown (the palette's "Log a call" links to it)."""
        return self.record_id

    def breadcrumb(self) -> list[str]:
        """The account's name."""
        return [self.account.name if self.account else f"Account #{self.record_id}"]

    def compose_body(self) -> ComposeResult:
        """The card, the pipeline line and four lists."""
        with VerticalScroll(id="detail-scroll", can_focus=False):
            yield Static(id="card", classes="detail-card")
            yield Static(id="pipeline-total")
            yield RelatedList("Contacts", id="people")
            yield RelatedList("Timeline, newest first", id="timeline")
            yield RelatedList("Opportunities", id="deals")
            yield RelatedList("Upcoming appointments", id="appointments")
            yield RelatedList("Cases, open ones first", id="cases")

    def load(self) -> None:
        """Read the account and everything around it."""
        a = self.account = accounts.get_account(self.db, self.record_id)
        self.set_card("card", a.name, self._card_lines(a))
        self._load_pipeline(a)
        people = accounts.account_contacts(self.db, a.id, limit=CONTACTS_SHOWN)
        self.query_one("#people", RelatedList).show(
            [Option(self._person(p), id=f"contact:{p.id}") for p in people],
            "No contacts yet: press n to add one.",
        )
        timeline = timelines.timeline(self.db, account_id=a.id, limit=TIMELINE_LIMIT)
        self.query_one("#timeline", RelatedList).show(
            timeline_options(timeline, show_contact=True),
            "Nothing logged yet: press l to log a call, an email or a note.",
        )
        now = clock.now()
        upcoming = appointments.occurrences(
            self.db, now, now + timedelta(days=UPCOMING_DAYS), account_id=a.id
        )[:UPCOMING_LIMIT]
        self.query_one("#appointments", RelatedList).show(
            [Option(occurrence_line(o), id=f"appointment:{o.appointment.id}") for o in upcoming],
            "No appointments in the next 90 days: press a to schedule one.",
        )
        self.query_one("#cases", RelatedList).show(
            case_options(self.db, account_id=a.id),
            f"No cases: {tabs.key_of('cases')} lists every customer's.",
        )

    def _load_pipeline(self, a: Account) -> None:
        total, weighted = accounts.pipeline_total(self.db, a.id)
        deals = opportunities.list_opportunities(
            self.db, ListQuery(account_id=a.id, limit=50, sort="close")
        )
        currency = deals.items[0].currency if deals.items else ""
        self.query_one("#pipeline-total", Static).update(
            assemble(
                ("Open pipeline ", "bold"),
                fmt.money(total, currency),
                ("   weighted ", "bold"),
                fmt.money(weighted, currency),
                (f"   ({deals.total} deal{'s' if deals.total != 1 else ''} in all)", "dim"),
            )
        )
        self.query_one("#deals", RelatedList).show(
            [Option(opportunity_line(d), id=f"opportunity:{d.id}") for d in deals.items],
            "No opportunities: press o to add one.",
        )

    @staticmethod
    def _person(p: object) -> Content:
        email = p.emails[0].value if p.emails else ""  # type: ignore[attr-defined]
        title = p.title or ""  # type: ignore[attr-defined]
        return assemble((p.name, "bold"), f"  {title}", (f"  {email}", "dim"))  # type: ignore[attr-defined]

    def _card_lines(self, a: Account) -> list[tuple[str, str]]:
        return [
            ("Industry", a.industry or ""),
            ("Website", a.website or ""),
            ("Phone", fmt.phone(a.phone)),
            ("Address", a.address.one_line()),
            ("Owner", a.owner or ""),
            ("Tags", fmt.tags(a.tags)),
            ("Notes", (a.notes or "").strip()),
            ("Changed", f"{fmt.when(a.tracking.updated_at)} by {a.tracking.updated_by}"),
        ]

    # actions ------------------------------------------------------------------------------

    def action_log(self) -> None:
        """l: log an interaction with the account."""
        from smallcrm.screens.interaction_form import InteractionForm

        self.app.push_screen(
            InteractionForm(kind="call", account_id=self.record_id), self.after_save
        )

    def action_appointment(self) -> None:
        """a: schedule an appointment with the account."""
        from smallcrm.screens.appointment_form import AppointmentForm

        self.app.push_screen(AppointmentForm(account_id=self.record_id), self.after_save)

    def action_new_contact(self) -> None:
        """n: a new contact at this account."""
        from smallcrm.screens.contact_form import ContactForm

        self.app.push_screen(ContactForm(account_id=self.record_id), self.after_save)

    def action_new_deal(self) -> None:
        """o: a new opportunity with this account."""
        from smallcrm.screens.opportunity_form import OpportunityForm

        self.app.push_screen(OpportunityForm(account_id=self.record_id), self.after_save)

    def action_edit(self) -> None:
        """e: edit the account."""
        from smallcrm.screens.account_form import AccountForm

        if self.account is not None:
            self.app.push_screen(AccountForm(self.account), self.after_save)

    def action_delete(self) -> None:
        """d: move the account to the trash."""
        a = self.account
        if a is not None:
            self.confirm_delete(
                a.name, lambda: accounts.delete_account(self.db, a.id, a.tracking.version)
            )
