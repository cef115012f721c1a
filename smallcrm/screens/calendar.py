"""The calendar: a week of hour slots, a month of days, or an agenda, with today on top.

Today's appointments and the follow-ups due (today or overdue) stay on top in every view.
Recurring appointments are expanded by the store (``appointments.occurrences``) and
overlapping ones are flagged with ``!``. The screen owns a cursor (a day, and an hour in the
week view); the views only draw it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, time, timedelta
from functools import partial
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import ContentSwitcher, OptionList, Static
from textual.widgets.option_list import Option

from smallcrm.screens.appointment_form import AppointmentForm
from smallcrm.screens.base import CrmScreen
from smallcrm.screens.calendar_changes import complete_follow_up, confirm_delete, confirm_skip
from smallcrm.screens.calendar_text import (
    CALENDAR_HELP,
    cursor_line,
    held_note,
    title_line,
    today_options,
    today_title,
)
from smallcrm.screens.occurrence_choice import NEW, OccurrenceChoice
from smallcrm.screens.slot_picker import SlotPicker
from smallcrm.store import appointments, clock, interactions, offers
from smallcrm.store.dates import describe
from smallcrm.store.errors import StoreError
from smallcrm.store.records import Appointment, Interaction, Occurrence
from smallcrm.widgets import calendar_model as cal
from smallcrm.widgets.calendar_views import (
    AgendaList,
    CalendarTable,
    MonthGrid,
    WeekGrid,
    occurrence_key,
    start_of,
)

TODAY_LIMIT = 20
DEFAULT_HOUR = 9
VIEW_IDS = {"week": "cal-week", "month": "cal-month", "agenda": "cal-agenda"}


class CalendarScreen(CrmScreen):
    """Appointments by week, month or as an agenda; today's and the due follow-ups on top."""

    TITLE_CRUMB = "Calendar"
    CSS_PATH = "calendar.tcss"
    LIVE = True
    HELP: ClassVar[str] = CALENDAR_HELP
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "new", "New", id="calendar.new", tooltip="An appointment in this slot"),
        Binding("w", "view('week')", "Week", id="calendar.week"),
        Binding("m", "view('month')", "Month", id="calendar.month"),
        Binding("a", "view('agenda')", "Agenda", id="calendar.agenda"),
        Binding("t", "today", "Today", id="calendar.today"),
        Binding("o", "offer", "Offer", id="calendar.offer", tooltip="Free slots to offer"),
        Binding(
            "left_square_bracket,pageup",
            "period(-1)",
            "Previous",
            id="calendar.previous",
            tooltip="The previous week, month or fortnight",
        ),
        Binding(
            "right_square_bracket,pagedown",
            "period(1)",
            "Next",
            id="calendar.next",
            tooltip="The next week, month or fortnight",
        ),
        Binding("e", "open", "Open appointment", show=False, id="calendar.open"),
        Binding(
            "d,delete",
            "delete",
            "Delete appointment",
            show=False,
            id="calendar.delete",
            tooltip="Move to the trash (Ctrl+Z brings it back)",
        ),
        Binding("s", "skip", "Skip this occurrence", show=False, id="calendar.skip"),
        Binding(
            "c",
            "complete",
            "Follow-up done",
            show=False,
            id="calendar.complete",
            tooltip="In today's list on top",
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.view = "week"
        self.cursor: date = clock.today()
        self.hour = DEFAULT_HOUR
        self.shown: cal.Period | None = None
        self.found: list[Occurrence] = []
        self.today_items: dict[str, Occurrence | Interaction] = {}
        self._stale = False

    # layout -------------------------------------------------------------------------------

    def compose_body(self) -> ComposeResult:
        """Today's list, the period's title, the three views and a line about the cursor."""
        yield OptionList(id="cal-today")
        yield Static("", id="cal-title")
        with ContentSwitcher(initial=VIEW_IDS["week"], id="cal-views"):
            yield WeekGrid(id=VIEW_IDS["week"])
            yield MonthGrid(id=VIEW_IDS["month"])
            yield AgendaList(id=VIEW_IDS["agenda"])
        yield Static("", id="cal-detail")

    def on_mount(self) -> None:
        """Start at today, at the current hour during the working day."""
        now = clock.now()
        self.cursor = now.date()
        self.hour = now.hour if 7 <= now.hour <= 19 else DEFAULT_HOUR
        self.reload()
        self.current_view().focus()

    def on_calendar_table_resized(self, message: CalendarTable.Resized) -> None:
        """Grid columns and rows follow the size of the terminal."""
        message.stop()
        if message.control is self.current_view():
            self.draw()

    def on_screen_suspend(self) -> None:
        """Leaving for another screen (not a dialog): what it changes shows on return."""
        self._stale = not self.app.screen.is_modal

    def on_screen_resume(self) -> None:
        """Back from another tab or a search hit: read again what may have changed."""
        if self._stale:
            self._stale = False
            self.reload()

    def current_view(self) -> WeekGrid | MonthGrid | AgendaList:
        """The view shown now."""
        return self.query_one(f"#{VIEW_IDS[self.view]}")  # type: ignore[return-value]

    # reading ------------------------------------------------------------------------------

    def reload(self) -> None:
        """Re-read today's list and the shown period (after an edit, an undo, ...)."""
        try:
            self._load_today()
            self._load_period()
        except StoreError as exc:
            self.notify_error(exc)
            return
        self.draw()

    def _load_today(self) -> None:
        today = clock.now().date()
        todays = appointments.occurrences(self.db, *appointments.day_bounds(today))
        due = interactions.follow_ups_due(self.db, today, limit=TODAY_LIMIT)
        self.today_items, options = today_options(todays[:TODAY_LIMIT], due, today)
        box = self.query_one("#cal-today", OptionList)
        before = box.highlighted
        box.set_options(options or [Option("  Nothing scheduled today, no follow-ups due.")])
        box.disabled = not options
        if options:
            box.highlighted = min(before or 0, len(options) - 1)
        box.border_title = today_title(today, len(todays), len(due))

    def _load_period(self) -> None:
        self.shown = cal.period(self.view, self.cursor)
        start = clock.at(self.shown.first, time(0))
        end = clock.at(self.shown.end, time(0))
        found = appointments.occurrences(self.db, start, end)
        held = offers.hold_occurrences(self.db, start, end)
        self.found = sorted(found + held, key=lambda o: o.starts_at) if held else found

    # drawing ------------------------------------------------------------------------------

    def draw(self) -> None:
        """Redraw the title and the current view from what was read."""
        if self.shown is None:
            return
        today = clock.now().date()
        title = title_line(self.view, self.cursor, self.shown, self.found)
        self.query_one("#cal-title", Static).update(title)
        view = self.current_view()
        if isinstance(view, WeekGrid):
            view.show(self.shown.days, today, self.found)
            view.scroll_to_hour(self.hour - 1)
        elif isinstance(view, MonthGrid):
            view.show(cal.month_weeks(self.cursor), self.cursor.month, today, self.found)
        else:
            view.show(self.shown.days, today, self.found)
        self._place_cursor()

    def _place_cursor(self) -> None:
        view = self.current_view()
        if isinstance(view, CalendarTable):
            view.place(self.cursor, self.hour if isinstance(view, WeekGrid) else 0)
        self._describe_cursor()

    def _describe_cursor(self) -> None:
        """The line under the view: the cursor's slot or day and what is there, in full."""
        detail = self.query_one("#cal-detail", Static)
        detail.display = self.view != "agenda"
        items = self.cursor_items()
        where = describe(self.cursor)
        if self.view == "week":
            where += f" {self.hour:02d}:00" if self.hour >= 0 else " all day"
        detail.update(cursor_line(where, items))

    # the cursor ---------------------------------------------------------------------------

    def cursor_items(self) -> list[Occurrence]:
        """The occurrences in the cursor's slot (week), day (month) or line (agenda)."""
        if self.view == "agenda":
            agenda = self.query_one(AgendaList)
            option = agenda.highlighted_option
            by_key = {
                occurrence_key(o, d): o
                for d, items in cal.by_day(self.found).items()
                for o in items
            }
            return [by_key[option.id]] if option and option.id in by_key else []
        if self.view == "month":
            return cal.by_day(self.found).get(self.cursor, [])
        if self.hour < 0:
            return [o for o in cal.by_day(self.found).get(self.cursor, []) if o.appointment.all_day]
        return cal.by_slot(self.found).get((self.cursor, self.hour), [])

    def move_to(self, day: date, hour: int | None = None) -> None:
        """Put the cursor on a day (and hour); read a new period only when it leaves this one."""
        self.cursor = day
        if hour is not None:
            self.hour = max(WeekGrid.ALL_DAY_ROW, min(cal.LAST_HOUR, hour))
        if self.shown is None or not self.shown.first <= day < self.shown.end:
            self.reload()
        elif self.view == "agenda" and day != self.shown.first:
            self.reload()  # the agenda starts at the cursor day
        elif self.view == "month" and day.month != self.shown.days[10].month:
            self.reload()  # the grid shows days of the next month, but it is a new month
        else:
            self._place_cursor()

    def on_calendar_table_move(self, message: CalendarTable.Move) -> None:
        """Arrow keys in a grid."""
        message.stop()
        self.move_to(self.cursor + timedelta(days=message.days), self.hour + message.hours)

    def on_calendar_table_paged(self, message: CalendarTable.Paged) -> None:
        """Page Up/Down in a grid: the previous or next week or month."""
        message.stop()
        self.action_period(message.step)

    def on_calendar_table_pointed(self, message: CalendarTable.Pointed) -> None:
        """The cell cursor moved (a click): follow it."""
        message.stop()
        if self.view == "week" and (message.day, message.hour) != (self.cursor, self.hour):
            self.move_to(message.day, message.hour)
        elif self.view == "month" and message.day != self.cursor:
            self.move_to(message.day)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        """In the agenda the highlighted line is the cursor's day."""
        if event.option_list.id == VIEW_IDS["agenda"] and event.option.id:
            self.cursor = date.fromisoformat(event.option.id.rsplit("@", 1)[1])

    # views and periods --------------------------------------------------------------------

    def action_view(self, view: str) -> None:
        """``w`` / ``m`` / ``a``: switch the view, keeping the cursor day."""
        self.view = view
        self.query_one(ContentSwitcher).current = VIEW_IDS[view]
        self.reload()
        self.current_view().focus()
        self.refresh_bindings()

    def action_today(self) -> None:
        """``t``: back to today."""
        self.move_to(clock.now().date())
        self.current_view().focus()

    def action_period(self, step: int) -> None:
        """``[`` / ``]``: a week, month or agenda fortnight back or on."""
        # The agenda pages from its first day, not from the line highlighted in it.
        base = self.shown.first if self.view == "agenda" and self.shown else self.cursor
        self.move_to(cal.step(self.view, base, step))

    # opening and creating -----------------------------------------------------------------

    def on_calendar_table_picked(self, message: CalendarTable.Picked) -> None:
        """Enter in a grid: open what is there, or create (week); zoom into the week (month)."""
        message.stop()
        if self.view == "month":
            self.action_view("week")
            return
        self._with_occurrence(self._edit, offer_new=True, empty=self.action_new)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Enter on an agenda line or on today's list opens it."""
        event.stop()
        option_id = event.option.id or ""
        if event.option_list.id == VIEW_IDS["agenda"]:
            found = self.cursor_items()
            if found:
                self._edit(found[0])
            return
        item = self.today_items.get(option_id)
        if isinstance(item, Occurrence):
            self._edit(item)
        elif isinstance(item, Interaction):
            self.app.open_record("interaction", item.id)

    def action_open(self) -> None:
        """``e``: open the appointment under the cursor."""
        target = self._today_choice()
        if isinstance(target, Occurrence):
            self._edit(target)
            return
        self._with_occurrence(self._edit)

    def action_new(self) -> None:
        """``n``: a new appointment starting at the cursor's slot (or 09:00 on its day)."""
        start = start_of(self.cursor, self.hour if self.view == "week" else -1)
        self.app.push_screen(AppointmentForm(start=start), self._saved)

    def action_offer(self) -> None:
        """``o``: free slots by day, to offer up to three."""
        self.app.push_screen(SlotPicker(self.db), lambda _made: self.reload())

    def _edit(self, occurrence: Occurrence) -> None:
        if occurrence.held_by is not None:
            self.notify(held_note(occurrence.held_by))
            return
        form = AppointmentForm(appointment_id=occurrence.appointment.id)
        self.app.push_screen(form, self._saved)

    def _saved(self, result: object) -> None:
        """A form closed: show what changed, with the cursor on a new or moved appointment.

        (The form also closes with the appointment after deleting it: then just reload.)
        """
        if not isinstance(result, Appointment):
            return
        # A repeating one stays where the user was: its first start may be weeks ago.
        if not result.rrule and not self._gone(result):
            start = clock.local(result.starts_at)
            self.cursor = start.date()
            self.hour = WeekGrid.ALL_DAY_ROW if result.all_day else start.hour
        self.reload()

    def _gone(self, appointment: Appointment) -> bool:
        """True if the appointment is no longer live (the form deleted it)."""
        try:
            appointments.get_appointment(self.db, appointment.id)
        except StoreError:
            return True
        return False

    def _with_occurrence(
        self,
        act: Callable[[Occurrence], None],
        *,
        offer_new: bool = False,
        empty: Callable[[], None] | None = None,
    ) -> None:
        """Run ``act`` on the occurrence under the cursor, asking which one if several."""
        found = self.cursor_items()
        if not found:
            if empty is not None:
                empty()
            return
        if len(found) == 1:
            act(found[0])
            return

        def chosen(choice: int | str | None) -> None:
            if choice == NEW:
                self.action_new()
            elif isinstance(choice, int):
                act(found[choice])

        title = f"{len(found)} appointments at {describe(self.cursor)}"
        self.app.push_screen(OccurrenceChoice(title, found, offer_new=offer_new), chosen)

    def _today_choice(self) -> Occurrence | Interaction | None:
        """The highlighted entry of today's list, when that list has the focus."""
        box = self.query_one("#cal-today", OptionList)
        if not box.has_focus or box.highlighted_option is None:
            return None
        return self.today_items.get(box.highlighted_option.id or "")

    # changing -----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Keys for an appointment only with one under the cursor; ``c`` on a follow-up."""
        if not self.is_mounted:
            return True
        chosen = self._today_choice()
        if action == "complete":
            return isinstance(chosen, Interaction)
        if action in {"open", "delete"}:
            return isinstance(chosen, Occurrence) or bool(self.cursor_items())
        if action == "skip":
            target = chosen if isinstance(chosen, Occurrence) else None
            found = [target] if target else self.cursor_items()
            return any(o.appointment.rrule for o in found)
        if action == "view":
            return parameters[0] != self.view
        return super().check_action(action, parameters)

    def on_descendant_focus(self) -> None:
        """Keys that apply change with the focus (today's list or the view)."""
        self.refresh_bindings()

    def action_delete(self) -> None:
        """``d``: move the appointment under the cursor to the trash, after asking."""
        target = self._today_choice()
        if isinstance(target, Occurrence):
            confirm_delete(self, target)
        else:
            self._with_occurrence(partial(confirm_delete, self))

    def action_skip(self) -> None:
        """``s``: leave out one occurrence of a repeating appointment."""
        target = self._today_choice()
        if isinstance(target, Occurrence):
            confirm_skip(self, target)
        else:
            self._with_occurrence(partial(confirm_skip, self))

    def action_complete(self) -> None:
        """``c``: mark the highlighted follow-up done."""
        item = self._today_choice()
        if not isinstance(item, Interaction):
            return
        complete_follow_up(self, item)
