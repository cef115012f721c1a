"""One person: their fields, consent, account, timeline, open deals and upcoming appointments;
exporting everything held about them, and erasing it.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.markup import escape
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
from smallcrm.store import (
    appointments,
    clock,
    contacts,
    interactions,
    opportunities,
    privacy,
    privacy_backups,
    timelines,
)
from smallcrm.store import formats as fmt
from smallcrm.store.errors import StoreError
from smallcrm.store.listing import ListQuery
from smallcrm.store.privacy_backups import BackupsHolding
from smallcrm.store.records import Contact


class ContactDetailScreen(DetailScreen):
    """A contact's page, opened from the list, the search bar or an account."""

    CSS_PATH = "contact_detail.tcss"
    KIND = "contact"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("g", "account", "Account", id="contact.account", tooltip="Open the account"),
        Binding(
            "o",
            "offer",
            "Offer times",
            show=False,  # no room in the footer at 80 columns: F1 lists it
            id="contact.offer",
            tooltip="Free slots by day; pick up to three and copy the offer",
        ),
        Binding(
            "x",
            "export_person",
            "Export data",
            show=False,  # rare, and no room in the footer: F1 lists it
            id="contact.export",
            tooltip="Everything held about this person, as a JSON file",
        ),
        Binding(
            "E",
            "erase_person",
            "Erase",
            show=False,  # rare, and no room in the footer: F1 lists it
            id="contact.erase",
            tooltip="Remove this person's data everywhere (asks first; no undo)",
        ),
    ]
    HELP = """\
Everything about one person: their details, the account they work for, what happened with
them (the timeline, newest first), their open deals and their upcoming appointments.

**Log a call, email, meeting, note or visit:** press l, type a subject, optionally a
follow-up date (`fri`, `next week`), Ctrl+S saves. It appears at the top of the timeline.

**Schedule an appointment:** press a; it appears under upcoming appointments.

**Offer free times:** press o for the free slots of the next two weeks by day; Space picks
up to three and c holds them and copies a text for the person (in their language when
their country tells it) to paste into an email or message.

**Open something listed:** Tab moves between the timeline, the deals and the appointments;
arrows choose, Enter opens. g opens the contact's account.

**Change or delete:** e edits the contact; d moves it to the trash after asking (Ctrl+Z right
after brings it back). Esc or Backspace goes back to where you came from.

**Consent:** the card shows per channel whether the person agreed to be contacted, when and
how (change it with e). The contacts list filters on it (f).

**Privacy requests:** x exports everything held about the person (their record, interactions,
deals, appointments, history and imports) to a JSON file. Shift+E erases the person after
asking: their record goes for good, interactions and appointments stay anonymised for your
figures, and their name, emails and phones are removed from every other text."""

    def __init__(self, contact_id: int) -> None:
        super().__init__(contact_id)
        self.contact: Contact | None = None

    @property
    def contact_id(self) -> int:
        """The contact shown (the palette's "Log a call" links to it)."""
        return self.record_id

    @property
    def account_id(self) -> int | None:
        """The contact's account, if any."""
        return self.contact.account_id if self.contact else None

    def record_path(self) -> list[tuple[str, int, str]]:
        """The contact's account."""
        contact = self.contact
        if contact is None or contact.account_id is None or not contact.account_name:
            return []
        return [("account", contact.account_id, contact.account_name)]

    def breadcrumb(self) -> list[str]:
        """The contact's name."""
        return [self.contact.name if self.contact else f"Contact #{self.record_id}"]

    def compose_body(self) -> ComposeResult:
        """The card and three lists."""
        with VerticalScroll(id="detail-scroll", can_focus=False):
            yield Static(id="card", classes="detail-card")
            yield RelatedList("Timeline, newest first", id="timeline")
            yield RelatedList("Open opportunities", id="deals")
            yield RelatedList("Upcoming appointments", id="appointments")
            yield RelatedList("Cases, open ones first", id="cases")

    def load(self) -> None:
        """Read the contact, its timeline, deals and the next appointments."""
        c = self.contact = contacts.get_contact(self.db, self.record_id)
        self.set_card("card", c.name, self._card_lines(c))
        timeline = timelines.timeline(self.db, contact_id=c.id, limit=TIMELINE_LIMIT)
        self.query_one("#timeline", RelatedList).show(
            timeline_options(timeline),
            "Nothing logged yet: press l to log a call, an email or a note.",
        )
        deals = opportunities.list_opportunities(
            self.db, ListQuery(contact_id=c.id, open_only=True, limit=20)
        ).items
        self.query_one("#deals", RelatedList).show(
            [Option(opportunity_line(d), id=f"opportunity:{d.id}") for d in deals],
            "No open opportunities.",
        )
        now = clock.now()
        upcoming = appointments.occurrences(
            self.db, now, now + timedelta(days=UPCOMING_DAYS), contact_id=c.id
        )[:UPCOMING_LIMIT]
        self.query_one("#appointments", RelatedList).show(
            [Option(occurrence_line(o), id=f"appointment:{o.appointment.id}") for o in upcoming],
            "No appointments in the next 90 days: press a to schedule one.",
        )
        self.query_one("#cases", RelatedList).show(
            case_options(self.db, contact_id=c.id),
            f"No cases: {tabs.key_of('cases')} lists every customer's.",
        )

    def _card_lines(self, c: Contact) -> list[tuple[str, str]]:
        works = " at ".join(p for p in (c.title or "", c.account_name or "") if p)
        return [
            ("Works", works),
            ("Email", ", ".join(self._method(m.value, m.label, "work") for m in c.emails)),
            (
                "Phone",
                ", ".join(self._method(fmt.phone(m.value), m.label, "mobile") for m in c.phones),
            ),
            ("Address", c.address.one_line()),
            ("Birthday", fmt.day(c.birthday)),
            ("Owner", c.owner or ""),
            ("Tags", fmt.tags(c.tags)),
            ("Source", c.source or ""),
            ("Email consent", c.email_consent.describe()),
            ("Phone consent", c.phone_consent.describe()),
            ("Notes", (c.notes or "").strip()),
            ("Changed", f"{fmt.when(c.tracking.updated_at)} by {c.tracking.updated_by}"),
        ]

    @staticmethod
    def _method(value: str, label: str, default: str) -> str:
        return value if label == default else f"{value} ({label})"

    # actions ------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """g only when the contact has an account."""
        if action == "account":
            return self.account_id is not None
        return super().check_action(action, parameters)

    def action_account(self) -> None:
        """g: open the contact's account."""
        if self.account_id is not None:
            self.app.open_record("account", self.account_id)

    def action_log(self) -> None:
        """l: log an interaction with this contact."""
        from smallcrm.screens.interaction_form import InteractionForm

        form = InteractionForm(kind="call", contact_id=self.record_id, account_id=self.account_id)
        self.app.push_screen(form, self.after_save)

    def action_appointment(self) -> None:
        """a: schedule an appointment with this contact."""
        from smallcrm.screens.appointment_form import AppointmentForm

        form = AppointmentForm(contact_id=self.record_id, account_id=self.account_id)
        self.app.push_screen(form, self.after_save)

    def action_offer(self) -> None:
        """``o``: free slots to offer this person (held and copied with c)."""
        from smallcrm.screens.slot_picker import SlotPicker

        self.app.push_screen(SlotPicker(self.db, self.record_id), lambda _made: self.reload())

    def action_edit(self) -> None:
        """e: edit the contact."""
        from smallcrm.screens.contact_form import ContactForm

        if self.contact is not None:
            self.app.push_screen(ContactForm(self.contact), self.after_save)

    def action_delete(self) -> None:
        """d: move the contact to the trash."""
        c = self.contact
        if c is not None:
            self.confirm_delete(
                c.name, lambda: contacts.delete_contact(self.db, c.id, c.tracking.version)
            )

    # privacy ------------------------------------------------------------------------------

    def action_export_person(self) -> None:
        """x: save everything held about the person as JSON (asks where)."""
        from smallcrm.screens.export_path import ExportPathScreen, write_private_json

        c = self.contact
        if c is None:
            return

        def write(path: Path) -> None:
            write_private_json(path, privacy.export_person(self.db, c.id), self.db)

        def saved(path: Path | None) -> None:
            if path is not None:
                self.notify(f"{c.name}'s data saved to {path}.", title="Exported")

        note = (
            f"Everything held about {c.name}: the contact, consent, interactions, deals, "
            "appointments, their history and the imports that brought them in."
        )
        self.app.push_screen(
            ExportPathScreen("Export a person's data", export_path(c.name), write, note, self.db),
            saved,
        )

    def action_erase_person(self) -> None:
        """Shift+E: erase the person's data everywhere, after saying exactly what happens,
        including to the backups that still hold them."""
        from smallcrm.screens.erase_confirm import EraseConfirmScreen

        c = self.contact
        if c is None:
            return
        try:
            holding = privacy_backups.find_backups_holding(self.db, c.id)
        except StoreError as exc:
            self.notify_error(exc)
            return

        def answered(backups: str | None) -> None:
            if backups is not None:
                self.erase(c, backups)

        self.app.push_screen(
            EraseConfirmScreen(
                f"Erase {c.name} and their personal data for good?",
                detail=self._erase_detail(c, holding),
                backups=backups_text(holding),
            ),
            answered,
        )

    def _erase_detail(self, c: Contact, holding: BackupsHolding) -> str:
        """What erasing does, with this person's numbers (plain text: the dialog shows it as
        such, brackets and all)."""
        one = ListQuery(contact_id=c.id, limit=1)
        logged = interactions.list_interactions(self.db, one).total
        booked = appointments.list_appointments(self.db, one).total
        deals = opportunities.list_opportunities(self.db, one).total
        text = (
            "Cannot be undone: no trash, no Ctrl+Z.\n"
            f"• {c.name}'s record, emails and phones are deleted.\n"
            f"• Their {count(logged, 'interaction')} and {count(booked, 'appointment')} are "
            f"kept for your figures, anonymised; {count(deals, 'deal')} "
            f"{'is' if deals == 1 else 'are'} kept, unlinked.\n"
            "• Their name, emails and phones become [erased] in every other text; the history "
            "of their records is cleared.\n"
            + (
                ""
                if holding.paths
                else f"• No backup smallcrm keeps holds them ({holding.unsearched}).\n"
            )
            + "An audit entry notes that an erasure happened, without their data. "
            "For a copy first: n, then x."
        )
        return text

    def erase(self, c: Contact, backups: str) -> None:
        """Erase (and scrub, delete or keep the backups holding them), say what was done, and
        go back to where the person was opened from."""
        try:
            done = privacy_backups.erase_everywhere(self.db, c.id, backups=backups)
        except StoreError as exc:
            self.notify_error(exc)
            return
        # Nothing of theirs is left to restore: forget any undo that would point at them.
        self.app.trashed = [
            t for t in self.app.trashed if not (t.kind == "contact" and t.record_id == c.id)
        ]
        self.missing = True
        headings = [
            line.removesuffix(":") + "." for line in done.backups.lines() if line[:1] != " "
        ]
        self.notify(escape("\n".join([done.report.summary(), *headings])), title=f"{c.name} erased")
        if self.can_go_back():
            self.app.pop_screen()


def backups_text(holding: BackupsHolding) -> str:
    """The backups holding the person, in a few words (markup-safe); empty when none do."""
    if not holding.paths:
        return ""
    hold = "holds" if len(holding.paths) == 1 else "hold"
    text = f"{count(len(holding.paths), 'backup')} made before still {hold} them"
    times = sorted(t for t in map(privacy_backups.backup_time, holding.paths) if t)
    if times:
        last = f" to {fmt.short_when(times[-1])}" if len(times) > 1 else ""
        text += f" ({fmt.short_when(times[0])}{last})"
    note = holding.unsearched[0].upper() + holding.unsearched[1:]
    return escape(f"{text}. {note}. What happens to them:")


def _no_backups(holding: BackupsHolding) -> str:
    """The detail's line about backups when none of those searched holds the person."""
    lines = (
        [] if holding.paths else [f"• No backup smallcrm keeps holds them ({holding.unsearched})."]
    )
    if holding.unreadable:
        lines.append(f"• {count(len(holding.unreadable), 'backup')} could not be searched.")
    return "".join(f"{line}\n" for line in lines)


def count(number: int, word: str) -> str:
    """``1 deal``, ``2 deals``."""
    return f"{number} {word}{'' if number == 1 else 's'}"


def export_path(name: str) -> str:
    """``~/smallcrm-export-jana-novak.json``: the suggested file for a person's export."""
    slug = re.sub(r"[^\w]+", "-", name.casefold()).strip("-") or "person"
    return f"~/smallcrm-export-{slug}.json"
