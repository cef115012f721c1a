"""One deal: its fields, where it stands in the pipeline, its account and contact, its
timeline and its appointments, with keys to move it along, log, schedule, edit and delete.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static
from textual.widgets.option_list import Option

from smallcrm.screens.deal_actions import STAGE_KEYS, close_with_reason, move_deal
from smallcrm.screens.detail_base import (
    TIMELINE_LIMIT,
    DetailScreen,
    RelatedList,
    interaction_line,
)
from smallcrm.store import appointments, clock, interactions, opportunities
from smallcrm.store import formats as fmt
from smallcrm.store.listing import ListQuery
from smallcrm.store.records import Appointment, Opportunity, Stage
from smallcrm.widgets.deal_card import is_overdue
from smallcrm.widgets.text import assemble

APPOINTMENT_LIMIT = 10
LOOK_AHEAD = timedelta(days=366)


def stage_path(stages: list[Stage], current: str) -> Content:
    """``lead › qualified › [PROPOSAL] › negotiation │ won · lost`` (the current stage boxed)."""
    parts: list[Content] = []
    for stage in stages:
        word = stage.name
        if word == current:
            parts.append(Content(f"[{word.upper()}]").stylize("bold reverse"))
        else:
            parts.append(Content(word).stylize("dim"))
    return Content(" > ").join(parts)


def next_start(appointment: Appointment, now: datetime) -> datetime | None:
    """The next start of an appointment from ``now`` (a repeating one's next occurrence)."""
    if not appointment.rrule:
        return appointment.starts_at if appointment.starts_at >= now else None
    upcoming = appointments.expand(appointment, now, now + LOOK_AHEAD)
    return upcoming[0][0] if upcoming else None


def appointment_line(appointment: Appointment, now: datetime) -> Content:
    """``Fri 2026-11-27 14:00  Demo  @ Acme office  (repeats)``; past ones say so."""
    upcoming = next_start(appointment, now)
    when = upcoming or appointment.starts_at
    shown = fmt.day(clock.local(when).date()) if appointment.all_day else fmt.when(when)
    where = f"  @ {appointment.location}" if appointment.location else ""
    notes = ("  (repeats)" if appointment.rrule else "") + ("" if upcoming else "  (past)")
    return assemble((shown, "bold"), "  ", appointment.title, (where + notes, "dim"))


class OpportunityDetailScreen(DetailScreen):
    """A deal's page, opened from the pipeline, the search bar or an account or contact."""

    CSS_PATH = "opportunity_detail.tcss"
    KIND = "opportunity"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "left_square_bracket", "move(-1)", "Prev stage", id="deal.previous", group=STAGE_KEYS
        ),
        Binding("right_square_bracket", "move(1)", "Next stage", id="deal.next", group=STAGE_KEYS),
        Binding("w", "close_as('won')", "Won", id="deal.won"),
        Binding("x", "close_as('lost')", "Lost", id="deal.lost"),
        Binding("g", "account", "Account", show=False, id="deal.account"),
        Binding("c", "contact", "Contact", show=False, id="deal.contact"),
    ]
    HELP: ClassVar[str] = """\
One deal: what it is worth, where it stands in the pipeline, who it is with, what happened
(the timeline, newest first) and its appointments.

**Move it along:** ] moves the deal to the next stage, [ back to the previous one; w marks it
won and x lost (both ask why; a lost deal needs a reason).

**Log a call, email, meeting, note or visit:** press l; it goes on the deal's timeline (and the
contact's and account's). **Schedule an appointment:** press a.

**Open something listed:** Tab moves between the lists, arrows choose, Enter opens; g opens the
account and c the contact.

**Change or delete:** e edits the deal; d moves it to the trash after asking (Ctrl+Z right
after brings it back). Esc or Backspace goes back."""

    def __init__(self, opportunity_id: int) -> None:
        super().__init__(opportunity_id)
        self.deal: Opportunity | None = None
        self.stages: list[Stage] = []

    def record_path(self) -> list[tuple[str, int, str]]:
        """The deal's account."""
        deal = self.deal
        if deal is None or deal.account_id is None or not deal.account_name:
            return []
        return [("account", deal.account_id, deal.account_name)]

    def breadcrumb(self) -> list[str]:
        """The deal's name."""
        return [self.deal.name if self.deal else f"Deal #{self.record_id}"]

    def compose_body(self) -> ComposeResult:
        """The stage path, the card and the related lists."""
        with VerticalScroll(id="detail-scroll"):
            yield Static(id="stage-path")
            yield Static(id="card", classes="detail-card")
            yield RelatedList("Account and contact", id="people")
            yield RelatedList("Timeline, newest first", id="timeline")
            yield RelatedList("Appointments", id="appointments")

    # loading ------------------------------------------------------------------------------

    def load(self) -> None:
        """Read the deal, its people, its timeline and its appointments."""
        deal = self.deal = opportunities.get_opportunity(self.db, self.record_id)
        self.stages = opportunities.stages(self.db)
        self.query_one("#stage-path", Static).update(stage_path(self.stages, deal.stage))
        self.set_card("card", deal.name, self._card_lines(deal))
        self._show_people(deal)
        timeline = interactions.timeline(self.db, opportunity_id=deal.id, limit=TIMELINE_LIMIT)
        self.query_one("#timeline", RelatedList).show(
            [
                Option(interaction_line(i, show_contact=True), id=f"interaction:{i.id}")
                for i in timeline
            ],
            "Nothing logged for this deal yet: press l to log a call, an email or a note.",
        )
        self._show_appointments(deal)
        self.refresh_bindings()

    def _card_lines(self, deal: Opportunity) -> list[tuple[str, str]]:
        stage = next((s for s in self.stages if s.name == deal.stage), None)
        closed = bool(stage and stage.is_closed)
        close = fmt.day(deal.expected_close)
        if is_overdue(deal, clock.now().date(), closed):
            close += "  ! passed"
        return [
            ("Stage", f"{deal.stage} ({deal.probability}%)"),
            ("Amount", fmt.money_compact(deal.amount, deal.currency)),
            ("Weighted", fmt.money_compact(deal.weighted_amount, deal.currency)),
            ("Close", close),
            ("Closed on", fmt.day(deal.closed_on)),
            ("Lost because", deal.lost_reason or ""),
            ("Next step", deal.next_step or ""),
            ("Owner", deal.owner or ""),
            ("Last activity", fmt.when(deal.last_activity_at)),
            ("Changed", f"{fmt.when(deal.tracking.updated_at)} by {deal.tracking.updated_by}"),
        ]

    def _show_people(self, deal: Opportunity) -> None:
        options = []
        if deal.account_id is not None:
            line = assemble(("Account  ", "dim"), (deal.account_name or "", "bold"))
            options.append(Option(line, id=f"account:{deal.account_id}"))
        if deal.contact_id is not None:
            line = assemble(("Contact  ", "dim"), (deal.contact_name or "", "bold"))
            options.append(Option(line, id=f"contact:{deal.contact_id}"))
        self.query_one("#people", RelatedList).show(
            options, "No account or contact: press e to link them."
        )

    def _show_appointments(self, deal: Opportunity) -> None:
        found = appointments.list_appointments(
            self.db, ListQuery(opportunity_id=deal.id, limit=APPOINTMENT_LIMIT * 5, sort="start")
        ).items
        now = clock.now()

        def order(item: Appointment) -> tuple[bool, float]:
            upcoming = next_start(item, now)
            # Upcoming ones first, soonest first; then past ones, latest first.
            if upcoming is not None:
                return (False, (upcoming - now).total_seconds())
            return (True, -item.starts_at.timestamp())

        chosen = sorted(found, key=order)[:APPOINTMENT_LIMIT]
        self.query_one("#appointments", RelatedList).show(
            [Option(appointment_line(a, now), id=f"appointment:{a.id}") for a in chosen],
            "No appointments for this deal: press a to schedule one.",
        )

    # actions ------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Links only when the deal has them; moves only once it is loaded."""
        if action == "account":
            return self.deal is not None and self.deal.account_id is not None
        if action == "contact":
            return self.deal is not None and self.deal.contact_id is not None
        if action == "close_as":
            return self.deal is not None and self.deal.stage != parameters[0]
        if action == "move":
            return self.deal is not None
        return super().check_action(action, parameters)

    def action_move(self, step: int) -> None:
        """``]`` / ``[``: the next or previous stage."""
        if self.deal is not None:
            move_deal(self, self.stages, self.deal, step, self._moved)

    def action_close_as(self, stage: str) -> None:
        """``w`` / ``x``: won or lost, after asking why."""
        if self.deal is not None:
            close_with_reason(self, self.deal, stage, self._moved)

    def _moved(self, deal: Opportunity | None) -> None:
        self.reload()

    def action_account(self) -> None:
        """``g``: open the deal's account."""
        if self.deal is not None and self.deal.account_id is not None:
            self.app.open_record("account", self.deal.account_id)

    def action_contact(self) -> None:
        """``c``: open the deal's contact."""
        if self.deal is not None and self.deal.contact_id is not None:
            self.app.open_record("contact", self.deal.contact_id)

    def action_log(self) -> None:
        """``l``: log an interaction on this deal."""
        from smallcrm.screens.interaction_form import InteractionForm

        if self.deal is None:
            return
        form = InteractionForm(
            kind="call",
            contact_id=self.deal.contact_id,
            account_id=self.deal.account_id,
            opportunity_id=self.deal.id,
        )
        self.app.push_screen(form, self.after_save)

    def action_appointment(self) -> None:
        """``a``: schedule an appointment for this deal."""
        from smallcrm.screens.appointment_form import AppointmentForm

        if self.deal is None:
            return
        form = AppointmentForm(
            contact_id=self.deal.contact_id,
            account_id=self.deal.account_id,
            opportunity_id=self.deal.id,
        )
        self.app.push_screen(form, self.after_save)

    def action_edit(self) -> None:
        """``e``: edit the deal."""
        from smallcrm.screens.opportunity_form import OpportunityForm

        if self.deal is not None:
            self.app.push_screen(OpportunityForm(self.deal.id), self.after_save)

    def action_delete(self) -> None:
        """``d``: move the deal to the trash, after asking."""
        deal = self.deal
        if deal is not None:
            self.confirm_delete(
                deal.name,
                lambda: opportunities.delete_opportunity(self.db, deal.id, deal.tracking.version),
            )
