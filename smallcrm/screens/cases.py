"""The cases list: open cases with the breached and at-risk ones first, and keys to act on
each without opening it."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, ClassVar

from textual.binding import Binding, BindingType

from smallcrm.screens import case_actions
from smallcrm.screens.list_base import ListScreen
from smallcrm.store import case_lists, cases
from smallcrm.store.case_targets import PRIORITIES
from smallcrm.store.listing import ListQuery
from smallcrm.store.records import Case, Page
from smallcrm.widgets.paged_table import Column

MARKS = {"urgent": "!!", "high": "!", "normal": "", "low": "↓"}
# What t steps through: the open ones (the default), each status, then every case.
STATUS_STEPS: tuple[str | None, ...] = ("", "new", "open", "waiting", "resolved", "closed", None)


def sla_cell(case: Case) -> str:
    """``0h35 left``, ``⚠ 0h20 left`` (under a quarter left), ``✗ 2h over``, ``met 1h10``."""
    if case.sla.breached and case.resolved_at is None:
        return f"✗ {case.sla.text}"
    if case.sla.at_risk:
        return f"⚠ {case.sla.text}"
    return case.sla.text


class CasesScreen(ListScreen[Case]):
    """Customer service cases (F8)."""

    TITLE_CRUMB = "Cases"
    KIND = "service_case"
    PLURAL = "cases"
    DEFAULT_SORT = "sla"
    COLUMNS: ClassVar[list[Column]] = [
        Column("#", 5, sort="number", align="right"),
        Column("P", 2),
        Column("Status", 8),
        Column("Subject", 14, flex=3),
        Column("Contact", 10, flex=2),
        Column("Age", 4, sort="created", align="right"),
        Column("SLA", 12, sort="sla"),
        Column("Owner", 8, hide_below=100),
    ]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("l", "reply", "Reply", id="cases.reply", tooltip="Log a reply (an email)"),
        Binding("w", "move('waiting')", "Wait", id="cases.waiting", tooltip="Waiting on them"),
        Binding("v", "move('resolve')", "Resolve", id="cases.resolve"),
        Binding("c", "close_case", "Close", id="cases.close", tooltip="Close, saying why"),
        Binding("a", "assign", "Assign", id="cases.assign"),
        Binding("o", "move('reopen')", "Reopen", show=False, id="cases.reopen"),
        Binding("m", "mine", "Mine", show=False, id="cases.mine", tooltip="Only cases you handle"),
        Binding(
            "b", "breached", "Breached", id="cases.breached", tooltip="Only those past a target"
        ),
        Binding("p", "priority", "Priority", show=False, id="cases.priority"),
        Binding("t", "status", "Status", show=False, id="cases.status"),
        Binding("e", "edit", "Edit", show=False, id="list.edit"),
        Binding("d,delete", "delete", "Delete", show=False, id="list.delete"),
        Binding("f", "filter", "Filter", show=False, id="list.filter"),
        Binding("s", "sort", "Sort", show=False, id="list.sort"),
    ]
    HELP = """\
Customer service cases, the open ones first: breached (✗, past a target) and at risk (⚠, less
than a quarter of the target left) at the top, then by time left; cases waiting on the
customer, whose clock stands, after them. Times are working time (the working hours and
closed days of the settings). SLA shows the first response target until someone answers, then
the resolution: `0h35 left`, `2h over`, `met 1h10`.

**Open a case** (its interactions): arrows and Enter. **New case:** n.

**Act on the case under the cursor:** l logs a reply (an email to the customer; in the form,
direction inbound is the customer's own reply), w sets it waiting on the customer (the clock
stops), v resolves it, c closes it (done, rejected or duplicate), o reopens it, a assigns it.

**Filter:** m only yours, b only breached, p steps through the priorities, t through the
statuses (open ones, each status, all); f filters by owner, account or contact; x clears.

**Sort:** s by the next column (number, age, SLA), r reverses. e edits, d deletes (Ctrl+Z
right after brings it back)."""

    def __init__(self) -> None:
        super().__init__()
        self.query_state = replace(self.query_state, extra={"status": ""})

    def fetch(self, query: ListQuery) -> Page[Case]:
        """A page of cases (an empty status means the open ones)."""
        extra: dict[str, Any] = dict(query.extra)
        status = extra.pop("status", None)
        if status == "":
            extra["open"] = True
        elif status:
            extra["status"] = status
        return case_lists.list_cases(self.db, replace(query, extra=extra))

    def cells(self, record: Case) -> list[str]:
        """#, priority, status, subject, contact, age, SLA, owner."""
        return [
            str(record.id),
            MARKS.get(record.priority, ""),
            record.status,
            record.subject,
            record.contact_name or record.account_name or "",
            case_lists.age_text(record),
            sla_cell(record),
            record.owner or "",
        ]

    def label_of(self, record: Case) -> str:
        """``#12 Sensor offline``."""
        return cases.title(record)

    def filter_fields(self) -> tuple[str, ...]:
        """Cases filter by owner, account and contact (status and priority have keys)."""
        return ("owner", "account_id", "contact_id")

    def filter_summary(self) -> str:
        """The filters in force, in words (the open ones are the plain list)."""
        extra = self.query_state.extra
        words = [super().filter_summary()]
        status = extra.get("status")
        words.append("every status" if status is None else status or "")
        words.append(extra.get("priority") or "")
        words.append("breached" if extra.get("breached") else "")
        return ", ".join(w for w in words if w)

    def has_filters(self) -> bool:
        """True if anything narrows the list beyond the open cases."""
        extra = self.query_state.extra
        narrowed = extra.get("status") != "" or extra.get("priority") or extra.get("breached")
        return bool(narrowed) or super().has_filters()

    def empty_text(self) -> str:
        """No open case: what to do next."""
        return (
            "No open cases.\n\n"
            "  n                   open a case (a customer's question or problem)\n"
            "  t                   show resolved and closed ones too\n"
            '  smallcrm add case   (in a shell) add case "Sensor offline" --contact jana'
        )

    # filters -------------------------------------------------------------------------------

    def _filtered(self, **changes: Any) -> None:
        extra = {**self.query_state.extra, **changes}
        self.query_state = replace(self.query_state, extra=extra, offset=0)
        self.reload(keep_cursor=False)

    def action_mine(self) -> None:
        """m: only the cases you handle (again: everyone's)."""
        from smallcrm.store.crud import current_user

        mine = None if self.query_state.owner else current_user()
        self.query_state = replace(self.query_state, owner=mine)
        self.reload(keep_cursor=False)

    def action_breached(self) -> None:
        """b: only the breached ones (again: all)."""
        self._filtered(breached=not self.query_state.extra.get("breached"))

    def action_priority(self) -> None:
        """p: urgent, high, normal, low, any."""
        steps: list[str | None] = [*reversed(PRIORITIES), None]
        current = self.query_state.extra.get("priority")
        self._filtered(priority=steps[(steps.index(current) + 1) % len(steps)])

    def action_status(self) -> None:
        """t: open ones, each status, every case."""
        current = self.query_state.extra.get("status", "")
        index = STATUS_STEPS.index(current) if current in STATUS_STEPS else -1
        self._filtered(status=STATUS_STEPS[(index + 1) % len(STATUS_STEPS)])

    def action_clear_filters(self) -> None:
        """x: back to the open cases."""
        q = self.query_state
        self.query_state = ListQuery(sort=q.sort, descending=q.descending, extra={"status": ""})
        self.reload(keep_cursor=False)

    # acting on a case ----------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Acting on a case needs one under the cursor."""
        if action in {"reply", "move", "close_case", "assign"}:
            return self.table.total > 0 if self.is_mounted else False
        return super().check_action(action, parameters)

    def _done(self, _case: Case | None) -> None:
        self.reload()

    def action_reply(self) -> None:
        """l: log a reply on the case."""
        if self.table.current is not None:
            case_actions.log_reply(self, self.table.current, self._done)

    def action_move(self, action: str) -> None:
        """w, v, o: waiting, resolved, reopened."""
        if self.table.current is not None:
            case_actions.move(self, self.table.current, action, self._done)

    def action_close_case(self) -> None:
        """c: close, asking why."""
        if self.table.current is not None:
            case_actions.close(self, self.table.current, self._done)

    def action_assign(self) -> None:
        """a: who handles it."""
        if self.table.current is not None:
            case_actions.assign(self, self.table.current, self._done)

    def new_record(self) -> None:
        """n: open a case."""
        from smallcrm.screens.case_form import CaseForm

        self.app.push_screen(CaseForm(), lambda saved: self.reload() if saved else None)

    def edit_record(self, record: Case) -> None:
        """e: change the case."""
        from smallcrm.screens.case_form import CaseForm

        self.app.push_screen(CaseForm(record), lambda saved: self.reload() if saved else None)

    def delete_record(self, record: Case) -> None:
        """Move the case to the trash."""
        cases.delete_case(self.db, record.id, record.tracking.version)
