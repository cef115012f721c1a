"""One case: where it stands against its promise, its customer, and what was said and done
(its interactions), with keys to reply, set it waiting, resolve, close, reopen and assign."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static
from textual.widgets.option_list import Option

from smallcrm.screens import case_actions
from smallcrm.screens.detail_base import TIMELINE_LIMIT, DetailScreen, RelatedList, interaction_line
from smallcrm.store import cases, interactions
from smallcrm.store import formats as fmt
from smallcrm.store.records import Case, Interaction
from smallcrm.widgets.text import assemble


class CaseDetailScreen(DetailScreen):
    """A case's page, opened from the cases list, the search bar or a contact or account."""

    KIND = "service_case"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("w", "move('waiting')", "Wait", id="case.waiting", tooltip="Waiting on them"),
        Binding("v", "move('resolve')", "Resolve", id="case.resolve"),
        Binding("c", "close_case", "Close", id="case.close", tooltip="Close, saying why"),
        Binding("o", "move('reopen')", "Reopen", id="case.reopen"),
        Binding("A", "assign", "Assign", id="case.assign"),
        Binding("r", "customer_reply", "Their reply", show=False, id="case.customer_reply"),
        Binding("a", "appointment", "Appointment", show=False, id="detail.appointment"),
    ]
    HELP: ClassVar[str] = """\
One case: its status, priority and where it stands against the promise (the first response
until someone answers, then the resolution; in working time), its customer, and what was
said and done, newest first.

**Answer:** l logs what you did (a call, email or visit to the customer is the first response;
a note is not); r logs the customer's own reply, which starts a waiting case's clock again and
reopens a resolved one.

**Move it:** w waiting on the customer (the clock stops), v resolved, c closed (done, rejected
or duplicate), o reopen. **Assign:** A (capital a). **Schedule an appointment:** a.

**Open something listed:** Tab moves between the lists, arrows choose, Enter opens.

**Change or delete:** e edits the case; d moves it to the trash after asking (Ctrl+Z right
after brings it back); h shows its history. Esc or Backspace goes back."""

    def __init__(self, case_id: int) -> None:
        super().__init__(case_id)
        self.case: Case | None = None

    def breadcrumb(self) -> list[str]:
        """``Case 12``."""
        return [f"Case {self.record_id}"]

    def compose_body(self) -> ComposeResult:
        """The card, the customer and the interactions."""
        with VerticalScroll(id="detail-scroll"):
            yield Static(id="card", classes="detail-card")
            yield RelatedList("Customer", id="people")
            yield RelatedList("Interactions, newest first", id="timeline")

    def load(self) -> None:
        """Read the case, its customer and its interactions."""
        case = self.case = cases.get_case(self.db, self.record_id)
        self.set_card("card", f"#{case.id} {case.subject}", self._card_lines(case))
        people = []
        if case.contact_id is not None:
            line = assemble(("Contact  ", "dim"), (case.contact_name or "", "bold"))
            people.append(Option(line, id=f"contact:{case.contact_id}"))
        if case.account_id is not None:
            line = assemble(("Account  ", "dim"), (case.account_name or "", "bold"))
            people.append(Option(line, id=f"account:{case.account_id}"))
        self.query_one("#people", RelatedList).show(people, "No customer: press e to link one.")
        entries = interactions.timeline(self.db, case_id=case.id, limit=TIMELINE_LIMIT)
        self.query_one("#timeline", RelatedList).show(
            [Option(_entry_line(i), id=f"interaction:{i.id}") for i in entries],
            "Nothing logged on this case yet: press l to log a call or an email.",
        )
        self.refresh_bindings()

    def _card_lines(self, case: Case) -> list[tuple[str, str]]:
        status = f"{case.status} ({case.close_reason})" if case.close_reason else case.status
        risk = "  ⚠ at risk" if case.sla.at_risk else ""
        return [
            ("Status", f"{status}, {case.priority} priority"),
            ("SLA", f"{case.sla.target}: {case.sla.text}{risk}"),
            ("Type", f"{case.case_type}, came in by {case.channel}"),
            ("Owner", case.owner or "nobody"),
            ("First response", fmt.when(case.first_response_at)),
            ("Resolved", fmt.when(case.resolved_at)),
            ("Said", (case.description or "").split("\n")[0]),
            ("Opened", f"{fmt.when(case.tracking.created_at)} by {case.tracking.created_by}"),
        ]

    # actions ------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Moves only where the case can go from its status."""
        if self.case is not None and action == "move":
            done = self.case.status in ("resolved", "closed")
            return {"waiting": self.case.status in ("new", "open"), "reopen": done}.get(
                str(parameters[0]), not done
            )
        if self.case is not None and action == "close_case":
            return self.case.status != "closed"
        return super().check_action(action, parameters)

    def _done(self, _case: Case | None) -> None:
        self.reload()

    def action_move(self, action: str) -> None:
        """w, v, o: waiting, resolved, reopened."""
        if self.case is not None:
            case_actions.move(self, self.case, action, self._done)

    def action_close_case(self) -> None:
        """c: close, asking why."""
        if self.case is not None:
            case_actions.close(self, self.case, self._done)

    def action_assign(self) -> None:
        """A: who handles it."""
        if self.case is not None:
            case_actions.assign(self, self.case, self._done)

    def action_log(self) -> None:
        """l: log what you did on this case."""
        if self.case is not None:
            case_actions.log_reply(self, self.case, self._done)

    def action_customer_reply(self) -> None:
        """r: log the customer's reply."""
        if self.case is not None:
            case_actions.log_reply(self, self.case, self._done, from_customer=True)

    def action_appointment(self) -> None:
        """a: schedule an appointment with the case's customer."""
        from smallcrm.screens.appointment_form import AppointmentForm

        if self.case is not None:
            form = AppointmentForm(contact_id=self.case.contact_id, account_id=self.case.account_id)
            self.app.push_screen(form, self.after_save)

    def action_edit(self) -> None:
        """e: edit the case."""
        from smallcrm.screens.case_form import CaseForm

        if self.case is not None:
            self.app.push_screen(CaseForm(self.case), self.after_save)

    def action_delete(self) -> None:
        """d: move the case to the trash, after asking."""
        case = self.case
        if case is not None:
            self.confirm_delete(
                cases.title(case),
                lambda: cases.delete_case(self.db, case.id, case.tracking.version),
            )


def _entry_line(item: Interaction) -> Content:
    """An interaction on the case: the customer's own ones are marked ``←``."""
    line = interaction_line(item, show_case=False)
    if item.direction == "inbound":
        return assemble(("← ", "bold"), line)
    return line
