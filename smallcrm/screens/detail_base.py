"""What the contact, account and interaction views share: a record card, lists of related
records that open with Enter, and the keys to log, schedule, edit and delete.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from smallcrm.screens.base import CrmScreen
from smallcrm.store import formats as fmt
from smallcrm.store.db import Database
from smallcrm.store.errors import NotFoundError, StoreError
from smallcrm.store.records import Case, Interaction, Occurrence, Opportunity
from smallcrm.store.timelines import Entry
from smallcrm.widgets.text import assemble, markup_safe

TIMELINE_LIMIT = 20
UPCOMING_DAYS = 90
UPCOMING_LIMIT = 10
CASES_SHOWN = 10


class RelatedList(OptionList):
    """A list of related records (``kind:id`` option ids); Enter or a click opens one."""

    HELP_PLACE = "list"  # How the F1 help names this widget.

    DEFAULT_CSS = """
    RelatedList {
        height: auto;
        max-height: 12;
        border: round $border-blurred;
        border-title-style: bold;
        border-title-color: $text;
        padding: 0 1;
        background: $surface;
    }
    RelatedList:focus {
        border: round $border;
    }
    RelatedList > .option-list--option-highlighted {
        text-style: bold;
    }
    RelatedList:focus > .option-list--option-highlighted {
        text-style: reverse bold;
    }
    """

    def __init__(self, title: str, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.border_title = title
        self.empty_text = ""

    def show(self, options: list[Option], empty: str) -> None:
        """Replace the entries (``empty`` is shown, unselectable, when there are none).

        The highlight stays on its record when that is still listed (an entry added above
        it moves it down), else on the same row.
        """
        highlighted = self.highlighted
        current = self.highlighted_option.id if self.highlighted_option is not None else None
        self.clear_options()
        if options:
            self.add_options(options)
            ids = [option.id for option in options]
            if current is not None and current in ids:
                self.highlighted = ids.index(current)
            else:
                self.highlighted = min(highlighted or 0, len(options) - 1)
        else:
            self.add_option(Option(Content(empty).stylize("italic"), disabled=True))


def interaction_line(
    item: Interaction, *, show_contact: bool = False, show_case: bool = True
) -> Content:
    """``2026-11-20 14:00  call  Discussed renewal  (follow-up Fri 2026-11-27)``."""
    parts: list[Content | str | tuple[str, str]] = [
        (fmt.short_when(item.happened_at), "bold"),
        "  ",
        (f"{item.kind:<7}", "italic"),
        " ",
        item.subject or (item.body or "").split("\n")[0],
    ]
    if show_contact and item.contact_name:
        parts.append(("  · " + item.contact_name, "dim"))
    if show_case and item.case_id is not None:  # not on the case's own page
        parts.append((f"  · case #{item.case_id}", "dim"))
    if item.follow_up_on and not item.follow_up_done:
        parts.append((f"  ⚑ follow-up {fmt.day(item.follow_up_on)}", "bold"))
    return assemble(*parts)


def _hanging(value: str, room: int, indent: int) -> str:
    """A one-line value longer than ``room`` wrapped at words, its further lines indented to
    start under its first (values of several lines, such as addresses, stay as they are)."""
    if "\n" in value or len(value) <= room or room < 10:
        return value
    import textwrap

    return ("\n" + " " * indent).join(textwrap.wrap(value, room, break_long_words=True))


def opportunity_line(deal: Opportunity) -> Content:
    """``Acme renewal  proposal  12,000.00 EUR  close Fri 2026-12-31``."""
    close = f"  close {fmt.day(deal.expected_close)}" if deal.expected_close else ""
    return assemble(
        (deal.name, "bold"),
        f"  {deal.stage}  {fmt.money(deal.amount, deal.currency)} ({deal.probability}%)",
        (close, "dim"),
    )


def case_line(case: Case) -> Content:
    """``#12  Sensor offline  open  high  0h35 left``; breached and at-risk ones marked."""
    mark = ""
    if case.resolved_at is None and case.sla.breached:
        mark = "  ✗"
    elif case.sla.at_risk:
        mark = "  ⚠"
    return assemble(
        (f"#{case.id}  ", "dim"),
        (case.subject, "bold"),
        f"  {case.status}  {case.priority}  ",
        (case.sla.text + mark, "bold" if mark else "dim"),
    )


def timeline_options(entries: list[Entry], *, show_contact: bool = False) -> list[Option]:
    """A timeline's lines: interactions, and cases where they were opened."""
    return [
        Option(
            interaction_line(e.interaction, show_contact=show_contact)
            if e.interaction is not None
            else opened_line(e),
            id=f"{e.kind}:{e.record_id}",
        )
        for e in entries
    ]


def opened_line(entry: Entry) -> Content:
    """``2026-12-03 09:00  case    #12 opened: Sensor offline  (open)``."""
    case = entry.case
    assert case is not None
    return assemble(
        (fmt.short_when(entry.at), "bold"),
        "  ",
        (f"{'case':<7}", "italic"),
        " ",
        f"#{case.id} opened: {case.subject}",
        (f"  ({case.status})", "dim"),
    )


def case_options(db: Database, **link: int) -> list[Option]:
    """A contact's or account's cases (``contact_id=`` or ``account_id=``), open ones first."""
    from smallcrm.store.case_lists import list_cases
    from smallcrm.store.listing import ListQuery

    found = list_cases(db, ListQuery(limit=CASES_SHOWN, **link)).items  # type: ignore[arg-type]
    return [Option(case_line(c), id=f"service_case:{c.id}") for c in found]


def occurrence_line(item: Occurrence) -> Content:
    """``Fri 2026-11-27 14:00  Demo  @ Acme office``; clashes are flagged."""
    appt = item.appointment
    when = fmt.day(item.starts_at.date()) if appt.all_day else fmt.when(item.starts_at)
    where = f"  @ {appt.location}" if appt.location else ""
    clash = ("  ⚠ overlaps", "bold") if item.overlaps else ""
    return assemble((when, "bold"), "  ", appt.title, (where, "dim"), clash)


class DetailScreen(CrmScreen):
    """A record's view: subclasses load the record and fill the card and the lists."""

    KIND: ClassVar[str] = ""
    LIVE = True
    # Focus is set in on_mount (the first list), without scrolling the record's card away.
    # An empty selector turns auto-focus off (None would fall back to the app's "*").
    AUTO_FOCUS = ""
    # From 140 columns the card and the lists sit side by side (two columns).
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (140, "-wide")]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("l", "log", "Log", id="detail.log", tooltip="Log a call, email, meeting, ..."),
        Binding("a", "appointment", "Appointment", id="detail.appointment", tooltip="Schedule one"),
        Binding("e", "edit", "Edit", id="detail.edit"),
        # Delete and History are not in the footer, which has no room for them at 80 columns
        # beside a record's own keys (a deal's Won and Lost, ...); F1 lists them, and the
        # lists' footers show d.
        Binding(
            "d", "delete", "Delete", show=False, id="detail.delete", tooltip="Move to the trash"
        ),
        Binding(
            "h",
            "history",
            "History",
            show=False,
            id="detail.history",
            tooltip="Who changed what, when",
        ),
    ]
    DEFAULT_CSS = """
    DetailScreen #detail-scroll {
        height: 1fr;
        padding: 0 1;
    }
    DetailScreen.-wide #detail-scroll {
        layout: grid;
        grid-size: 2;
        grid-columns: 1fr 1fr;
        grid-rows: auto;
        grid-gutter: 0 1;
    }
    DetailScreen .detail-card {
        height: auto;
        padding: 0 1;
        border: round $border-blurred;
        border-title-style: bold;
        border-title-color: $text;
    }
    """

    def __init__(self, record_id: int) -> None:
        super().__init__()
        self.record_id = record_id
        self.missing = False

    # loading ------------------------------------------------------------------------------

    def on_mount(self) -> None:
        """Read the record and what belongs to it; focus the first list, card in view."""
        self.reload()
        lists = self.query(RelatedList)
        if lists:
            lists.first().focus(scroll_visible=False)
        else:
            self.focus_body()

    def on_screen_resume(self) -> None:
        """Something may have been logged or changed in a form: read again."""
        if self.is_mounted:
            self.reload()

    def reload(self) -> None:
        """Re-read everything shown; a record gone to the trash closes its view."""
        if self.missing:
            return  # Already closing: deleted here, or found gone by an earlier reload.
        try:
            self.load()
        except NotFoundError:
            self.missing = True
            self.notify(f"That {self.KIND} is gone (deleted).", severity="warning")
            if self.can_go_back():
                self.app.pop_screen()
            return
        except StoreError as exc:
            self.notify_error(exc)
            return
        self.refresh_frame()

    def load(self) -> None:
        """Read from the store and fill the widgets (NotFoundError if the record is gone)."""

    # opening related records ---------------------------------------------------------------

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Enter on a related record opens it."""
        option_id = event.option.id or ""
        if ":" not in option_id:
            return
        event.stop()
        kind, _, record_id = option_id.partition(":")
        self.app.open_record(kind, int(record_id))

    # shared actions -----------------------------------------------------------------------

    def after_save(self, saved: object) -> None:
        """A form closed: re-read if it saved something."""
        if saved is not None:
            self.reload()

    def action_history(self) -> None:
        """h: the record's history, newest first."""
        from smallcrm.screens.history import HistoryScreen

        steps = self.breadcrumb()
        title = steps[-1] if steps else f"{self.KIND.capitalize()} #{self.record_id}"
        self.app.push_screen(HistoryScreen(self.KIND, self.record_id, title))

    def confirm_delete(self, label: str, delete: Callable[[], None]) -> None:
        """Ask, move to the trash, offer undo, go back."""
        from smallcrm.screens.confirm import ConfirmScreen

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            try:
                delete()
            except StoreError as exc:
                self.notify_error(exc)
                return
            # The view resumes after the dialog and would re-read a record it just deleted.
            self.missing = True
            self.app.remember_trashed(self.KIND, self.record_id, label)
            if self.can_go_back():
                self.app.pop_screen()

        question = f"Move {self.KIND} {label!r} to the trash?"
        detail = "Ctrl+Z right after brings it back."
        self.app.push_screen(
            ConfirmScreen(question, confirm_label="Delete", detail=detail), answered
        )

    def card(self, title: str, lines: list[tuple[str, str]]) -> Content:
        """``label  value`` lines for the record card, empty values left out."""
        width = max((len(label) for label, value in lines if value), default=0)
        room = self._card_room() - width - 2
        shown = [
            assemble((f"{label:<{width}}  ", "dim"), _hanging(value, room, width + 2))
            for label, value in lines
            if value
        ]
        return Content("\n").join(shown) if shown else Content("")

    def _card_room(self) -> int:
        """The columns inside a card: the screen's width less its border and padding."""
        return max((self.size.width or self.app.size.width) - 4, 20)

    def set_card(self, widget_id: str, title: str, lines: list[tuple[str, str]]) -> None:
        """Fill a card widget."""
        widget = self.query_one(f"#{widget_id}", Static)
        widget.border_title = markup_safe(title)  # border titles are read as markup
        widget.update(self.card(title, lines))
