"""Today (F7 from anywhere): the user's appointments of the day and every follow-up due or
overdue, overdue first, each one key from open, done or snooze.

What is listed, whose it is and what done and snooze do are the store's (``store/today.py``);
this screen shows its sections as one list with a heading per section and acts on the
highlighted row. A section the store adds later (cases at risk) shows without change here:
its rows open their record through the app, as every row does.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from smallcrm.screens.base import CrmScreen
from smallcrm.screens.today_text import EMPTY, heading, item_line, more_line, title_line
from smallcrm.store import clock
from smallcrm.store import today as agenda
from smallcrm.store.errors import StoreError


class TodayList(OptionList):
    """The day's rows under their headings; Enter opens the highlighted one."""

    HELP_PLACE = "list"  # How the F1 help names this widget.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select", "Open", id="today.open", tooltip="Open the highlighted row"),
        Binding("o", "select", "Open", show=False, id="today.open_o"),
    ]
    DEFAULT_CSS = """
    TodayList, TodayList:focus {
        height: 1fr;
        border: none;
        padding: 0 1;
        /* One line a row: a long one ends in an ellipsis rather than taking two. */
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    TodayList > .option-list--option-disabled {
        color: $text;
    }
    """


class TodayScreen(CrmScreen):
    """Today's appointments and the follow-ups due or overdue, overdue first."""

    TITLE_CRUMB = "Today"
    LIVE = True
    HELP: ClassVar[str] = (
        "What needs you today: your appointments of the day, every follow-up due today or "
        "overdue (overdue first), and your service cases breached or at risk. Yours are the "
        "appointments you own (or created without an owner), the follow-ups you logged and the "
        "cases assigned to you (or opened by you and assigned to no one).\n\n"
        "**Work through the list:** the first row has the cursor; Up and Down move it. "
        "**Enter** (or **o**) opens the row's appointment, interaction or case; **d** marks it "
        "done (a follow-up is done altogether; an appointment is not reminded of again; a case "
        "is done when you resolve it on its own screen).\n\n"
        "**Snooze:** **s** for 10 minutes, **h** for an hour, **t** until tomorrow morning: the "
        "bell rings again then. A follow-up snoozed until tomorrow stays open and reminds you "
        "tomorrow. An appointment can be snoozed once its reminder has come due.\n\n"
        "**Reading a row:** `overdue  Mon 23  Follow up: …` is a follow-up whose day has passed; "
        "`due  today` one due today; an appointment shows its start and `next` (the next one), "
        "`later`, `now` while it runs or `past`; a case shows `breached` or `at risk`, its "
        "number and the time left or over its promise; `done`, `snoozed` and `tomorrow` say "
        "what you did with a row."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("d", "done", "Done", id="today.done", tooltip="Mark the row done"),
        Binding("s", "snooze('10m')", "Snooze 10 min", id="today.snooze"),
        Binding("h", "snooze('1h')", "Snooze 1 h", id="today.snooze_hour"),
        Binding("t", "snooze('tomorrow')", "Tomorrow", id="today.tomorrow"),
    ]
    DEFAULT_CSS = """
    TodayScreen #today-title {
        height: 1;
        padding: 0 1;
        text-style: bold;
        background: $boost;
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, agenda.Item] = {}

    def compose_body(self) -> ComposeResult:
        """The day's title over the list."""
        yield Static(id="today-title")
        yield TodayList(id="today-list")

    def on_mount(self) -> None:
        """Read the day; the first row has the cursor, so Enter opens it at once."""
        super().on_mount()
        self.reload()
        self.query_one(TodayList).focus()

    def on_screen_resume(self) -> None:
        """Back from a row's record (done there, changed, deleted): read again."""
        super().on_screen_resume()
        if self.is_mounted:
            self.reload()

    def reload(self) -> None:
        """Read the day from the store; the cursor stays on its row (or its place)."""
        try:
            day = agenda.my_day(self.db, self.user())
        except StoreError as exc:
            self.notify_error(exc)
            return
        self.query_one("#today-title", Static).update(title_line(day))
        self._fill(day)

    @staticmethod
    def user() -> str:
        """Whose day it is (``SMALLCRM_USER``, else the login)."""
        from smallcrm.store.crud import current_user

        return current_user()

    def _fill(self, day: agenda.Day) -> None:
        box = self.query_one(TodayList)
        current = box.highlighted_option.id if box.highlighted_option is not None else None
        place = box.highlighted or 0
        options: list[Option] = []
        self.rows = {}
        now = clock.now()
        for section in day.sections:
            if not section.items and not section.more:
                continue
            options.append(Option(heading(section, day.day), disabled=True))
            for item in section.items:
                key = f"{item.kind}:{item.record_id}:{item.reminder.occurrence}"
                self.rows[key] = item
                options.append(Option(item_line(item, day.day, now), id=key))
            if section.more:
                options.append(Option(more_line(section), disabled=True))
        if not self.rows:
            options.append(Option(Content(EMPTY).stylize("italic"), disabled=True))
        box.set_options(options)
        ids = [option.id for option in options]
        selectable = [n for n, option in enumerate(options) if not option.disabled]
        if current in self.rows:
            box.highlighted = ids.index(current)
        elif selectable:
            # The row that took the place of one done (or the first, on opening).
            box.highlighted = next((n for n in selectable if n >= place), selectable[-1])
        self.refresh_bindings()

    # the highlighted row --------------------------------------------------------------------

    def chosen(self) -> agenda.Item | None:
        """The highlighted row, if any."""
        option = self.query_one(TodayList).highlighted_option
        return self.rows.get(option.id or "") if option is not None else None

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        """Which keys apply changes with the row."""
        self.refresh_bindings()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Enter opens the row."""
        event.stop()
        self.action_open()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Row keys need a row; snooze shows disabled on a row that cannot be snoozed."""
        if action in ("done", "snooze"):
            item = self.chosen()
            if item is None:
                return None
            if action == "snooze" and not item.snoozable:
                return None
            if action == "done" and (item.status == agenda.DONE or not item.doable):
                return None
        return super().check_action(action, parameters)

    def action_open(self) -> None:
        """Open the row's appointment, interaction or case."""
        item = self.chosen()
        if item is not None:
            self.app.open_record(item.kind, item.record_id)

    def action_done(self) -> None:
        """Mark the row done."""
        item = self.chosen()
        if item is None:
            return
        try:
            agenda.done(self.db, item)
        except StoreError as exc:
            self.notify_error(exc)
            return
        self.notify(f"Done: {item.title}", timeout=3, markup=False)
        self.reload()

    def action_snooze(self, length: str) -> None:
        """Remind of the row again in 10 minutes, an hour, or tomorrow."""
        item = self.chosen()
        if item is None:
            return
        try:
            until = agenda.snooze(self.db, item, length)
        except StoreError as exc:
            self.notify_error(exc)
            return
        when = clock.local(until)
        at = f"{when:%H:%M}" if when.date() == clock.today() else f"{when:%a %H:%M}"
        self.notify(f"Snoozed until {at}: {item.title}", timeout=3, markup=False)
        self.reload()
