"""The calendar's three views: a week of hour slots, a month of days and an agenda list.

Each view draws what the calendar screen gives it (a cursor day and hour, today, the
occurrences of its period) and reports cursor moves as messages; the screen owns the state.
Overlapping occurrences carry ``!`` as well as colour so they read without colour.
"""

from __future__ import annotations

from datetime import date, datetime

from rich.text import Text
from textual.content import Content
from textual.coordinate import Coordinate
from textual.message import Message
from textual.widgets import DataTable, OptionList
from textual.widgets.option_list import Option

from smallcrm.store import clock
from smallcrm.store.dates import describe
from smallcrm.store.records import Occurrence
from smallcrm.widgets import calendar_model as cal
from smallcrm.widgets.text import assemble

DAY_LABEL_FORMAT = "%a %d"
HOURS = list(range(cal.FIRST_HOUR, cal.LAST_HOUR + 1))
WORKDAY_END = 19


def entry_label(occurrence: Occurrence, *, with_time: bool) -> Text:
    """``!09:30 Title`` for a grid cell; the ``!`` marks an overlap, ``?`` a tentative hold."""
    text = Text(no_wrap=True)
    if occurrence.overlaps:
        text.append("!", style="bold red")
    if occurrence.held_by is not None:
        text.append("?", style="bold yellow")
    if with_time and not occurrence.appointment.all_day:
        text.append(cal.wall_time(occurrence.starts_at) + " ", style="bold")
    text.append(occurrence.appointment.title)
    return text


def fit(text: Text, width: int) -> Text:
    """Cut a one-line text to ``width`` cells with an ellipsis."""
    if text.cell_len <= width:
        return text
    cut = text.copy()
    cut.truncate(max(width - 1, 0))
    cut.append("…")
    return cut


class CalendarTable(DataTable):
    """A grid whose keys move the screen's cursor day (and hour) instead of a cell.

    The screen decides whether a move stays inside the shown period or needs a redraw.
    """

    HOUR_STEP = 0  # Up/Down move an hour (week grid) or a week (month grid)

    class Move(Message):
        """Arrow keys: move the cursor by days and/or hours."""

        def __init__(self, days: int = 0, hours: int = 0) -> None:
            super().__init__()
            self.days = days
            self.hours = hours

    class Paged(Message):
        """Page Up/Down: the previous or next week or month."""

        def __init__(self, step: int) -> None:
            super().__init__()
            self.step = step

    class Pointed(Message):
        """The cell cursor landed on a day (and hour), for example after a click."""

        def __init__(self, day: date, hour: int) -> None:
            super().__init__()
            self.day = day
            self.hour = hour

    class Picked(Message):
        """Enter, or a click on the cursor cell."""

    class Resized(Message):
        """The grid's size changed: its column widths and row heights need a redraw."""

        def __init__(self, table: CalendarTable) -> None:
            super().__init__()
            self.table = table

        @property
        def control(self) -> CalendarTable:
            """The grid that changed size."""
            return self.table

    def __init__(self, *, id: str | None = None, fixed_rows: int = 0) -> None:  # noqa: A002
        super().__init__(id=id, cursor_type="cell", zebra_stripes=False, fixed_rows=fixed_rows)
        self.cells: dict[Coordinate, tuple[date, int]] = {}

    # keys and mouse -----------------------------------------------------------------------

    def action_cursor_left(self) -> None:
        """Left: the day before."""
        self.post_message(self.Move(days=-1))

    def action_cursor_right(self) -> None:
        """Right: the day after."""
        self.post_message(self.Move(days=1))

    def action_cursor_up(self) -> None:
        """Up: an hour earlier (week) or a week earlier (month)."""
        self.post_message(self._vertical(-1))

    def action_cursor_down(self) -> None:
        """Down: an hour later (week) or a week later (month)."""
        self.post_message(self._vertical(1))

    def _vertical(self, direction: int) -> Move:
        return self.Move(hours=direction) if self.HOUR_STEP else self.Move(days=7 * direction)

    def action_page_up(self) -> None:
        """Page Up: the previous period."""
        self.post_message(self.Paged(-1))

    def action_page_down(self) -> None:
        """Page Down: the next period."""
        self.post_message(self.Paged(1))

    def action_select_cursor(self) -> None:
        """Enter: open or create what is at the cursor."""
        self.post_message(self.Picked())

    def on_data_table_cell_highlighted(self, event: DataTable.CellHighlighted) -> None:
        """Report where the cell cursor is, so a click moves the screen's cursor too."""
        event.stop()
        if event.coordinate != self.cursor_coordinate:
            return  # stale: the grid was redrawn and the cursor placed since
        cell = self.cells.get(event.coordinate)
        if cell is not None:
            self.post_message(self.Pointed(*cell))

    def on_data_table_cell_selected(self, event: DataTable.CellSelected) -> None:
        """A click on the cursor cell picks it (Enter is handled by action_select_cursor)."""
        event.stop()
        self.post_message(self.Picked())

    def on_resize(self) -> None:
        """Ask the screen to redraw at the new size."""
        self.post_message(self.Resized(self))

    # drawing ------------------------------------------------------------------------------

    def place(self, day: date, hour: int) -> None:
        """Put the cell cursor on the cell that shows ``day`` (at ``hour`` in a week grid)."""
        for coordinate, (cell_day, cell_hour) in self.cells.items():
            if cell_day == day and (not self.HOUR_STEP or cell_hour == hour):
                self.move_cursor(row=coordinate.row, column=coordinate.column, animate=False)
                return

    def column_width(self, columns: int, label_width: int) -> int:
        """Share the width between ``columns`` day columns after the row labels."""
        spare = self.scrollable_content_region.width or self.size.width or 80
        padding = 2 * self.cell_padding
        return max((spare - label_width - 1) // columns - padding, 4)


def day_label(day: date, width: int) -> str:
    """A day column's heading in ``width`` cells, the day's number always whole: ``Mon 02``,
    ``Mo 02``, ``M02``, ``02`` as the terminal narrows."""
    number = f"{day.day:02d}"
    name = day.strftime("%a")
    for label in (day.strftime(DAY_LABEL_FORMAT), f"{name[:2]} {number}", f"{name[:1]}{number}"):
        if len(label) <= width:
            return label
    return number


class WeekGrid(CalendarTable):
    """Seven day columns by hour rows; an all-day row on top."""

    HOUR_STEP = 1
    ALL_DAY_ROW = -1

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002
        # The all-day row stays on top while the hours scroll under it.
        super().__init__(id=id, fixed_rows=1)

    def scroll_to_hour(self, hour: int) -> None:
        """Scroll so that ``hour`` is near the top (an hour of context above it)."""
        y = sum(self.hour_height(h) for h in HOURS if h < hour)
        self.scroll_to(y=y, animate=False, immediate=True)

    def hour_height(self, hour: int) -> int:
        """Lines for an hour: one at 80x24; working hours get more on a tall terminal."""
        if not cal.WORKDAY_START - 1 <= hour <= WORKDAY_END:
            return 1
        spare = (self.size.height or 20) - len(HOURS) - 2  # the header and the all-day row
        working = WORKDAY_END - cal.WORKDAY_START + 2
        return 1 + max(0, min(2, spare // working))

    def show(self, days: list[date], today: date, found: list[Occurrence]) -> None:
        """Redraw the week."""
        self.clear(columns=True)
        self.cells = {}
        width = self.column_width(len(days), 5)
        for day in days:
            if day == today:  # reverse marks it; a star too where there is room (monochrome)
                shown = day_label(day, width)
                shown += "*" if len(shown) < width else ""
                label = Text(shown, style="bold reverse")
            else:
                label = Text(day_label(day, width), no_wrap=True)
            self.add_column(label, width=width, key=day.isoformat())
        slots = cal.by_slot(found)
        whole_days = {
            day: [o for o in items if o.appointment.all_day]
            for day, items in cal.by_day(found).items()
        }
        self._add_hour_row("all", self.ALL_DAY_ROW, days, whole_days, width)
        busy = cal.continuing(found)
        for hour in HOURS:
            per_day = {day: slots.get((day, hour), []) for day in days}
            running = {day for day in days if (day, hour) in busy}
            self._add_hour_row(f"{hour:02d}", hour, days, per_day, width, running)

    def _add_hour_row(
        self,
        label: str,
        hour: int,
        days: list[date],
        per_day: dict[date, list[Occurrence]],
        width: int,
        running: set[date] | None = None,
    ) -> None:
        row = len(self.rows)
        height = self.hour_height(hour) if hour >= 0 else 1
        cells = []
        for column, day in enumerate(days):
            self.cells[Coordinate(row, column)] = (day, hour)
            items = per_day.get(day, [])
            busy = not items and day in (running or set())
            cells.append(Text("|", style="dim") if busy else self._cell(items, width, height))
        self.add_row(*cells, height=height, key=str(hour), label=Text(label, style="dim"))

    @staticmethod
    def _cell(items: list[Occurrence], width: int, height: int) -> Text:
        """As many entries as the slot has lines; ``+n`` on the last line for the rest."""
        lines = [_slot_entry(o, width) for o in items[:height]]
        hidden = len(items) - len(lines)
        if hidden:
            extra = Text(f" +{hidden}", style="bold")
            last = _slot_entry(items[len(lines) - 1], width - extra.cell_len)
            lines[-1] = last + extra
        return Text("\n").join(lines)


def _slot_entry(occurrence: Occurrence, width: int) -> Text:
    """``!:30 Title`` in an hour slot: minutes only when not on the hour; ``!`` on overlap,
    ``?`` on a tentative hold."""
    text = Text(no_wrap=True)
    if occurrence.overlaps:
        text.append("!", style="bold red")
    if occurrence.held_by is not None:
        text.append("?", style="bold yellow")
    start = clock.local(occurrence.starts_at)
    if start.minute and not occurrence.appointment.all_day:
        text.append(f":{start.minute:02d} ", style="bold")
    text.append(occurrence.appointment.title)
    return fit(text, width)


class MonthGrid(CalendarTable):
    """Six weeks of day cells: the day number, then as many entries as fit."""

    HOUR_STEP = 0

    def show(
        self, weeks: list[list[date]], month: int, today: date, found: list[Occurrence]
    ) -> None:
        """Redraw the month."""
        self.clear(columns=True)
        self.cells = {}
        self.show_row_labels = False
        width = self.column_width(7, 0)
        for day in weeks[0]:
            self.add_column(day.strftime("%a"), width=width, key=day.strftime("%a"))
        buckets = cal.by_day(found)
        height = self._row_height()
        for row, week in enumerate(weeks):
            cells = []
            for column, day in enumerate(week):
                self.cells[Coordinate(row, column)] = (day, 0)
                cells.append(self._cell(day, month, today, buckets.get(day, []), width, height))
            self.add_row(*cells, height=height, key=week[0].isoformat())

    def _row_height(self) -> int:
        """As many lines per week as the screen allows (at least two: day and one entry)."""
        available = (self.size.height or 20) - 1
        return max(available // 6, 2)

    @staticmethod
    def _cell(
        day: date, month: int, today: date, items: list[Occurrence], width: int, height: int
    ) -> Text:
        head = Text(f"{day.day:>2}", style="bold" if day.month == month else "dim")
        if day == today:
            head = Text(f"[{day.day}]", style="bold reverse")
        if any(o.overlaps for o in items):
            head.append(" !", style="bold red")
        room = height - 1
        shown = items[:room]
        if len(items) > len(shown):
            head.append(f" +{len(items) - len(shown)}", style="bold")
        lines = [fit(head, width)] + [fit(entry_label(o, with_time=True), width) for o in shown]
        return Text("\n").join(lines)


class AgendaList(OptionList):
    """Day headings with each day's occurrences, for the agenda's fortnight."""

    def show(self, days: list[date], today: date, found: list[Occurrence]) -> None:
        """Redraw the agenda, keeping the highlighted entry when it is still there."""
        before = self.highlighted_option.id if self.highlighted_option else None
        buckets = cal.by_day(found)
        options: list[Option] = []
        for day in days:
            items = buckets.get(day, [])
            if not items:
                continue
            title = describe(day) + ("  (today)" if day == today else "")
            options.append(Option(Content(title).stylize("bold underline"), disabled=True))
            options += [Option(agenda_line(o), id=occurrence_key(o, day)) for o in items]
        if not options:
            first, last = describe(days[0]), describe(days[-1])
            options.append(Option(f"Nothing scheduled from {first} to {last}.", disabled=True))
        self.set_options(options)
        ids = [o.id for o in options]
        if before is not None and before in ids:
            self.highlighted = ids.index(before)
        else:
            self.highlighted = next((i for i, o in enumerate(options) if not o.disabled), None)


def occurrence_key(occurrence: Occurrence, day: date) -> str:
    """A stable id for one occurrence on one day (recurring ones share the appointment id)."""
    return f"{occurrence.appointment.id}@{occurrence.starts_at.timestamp():.0f}@{day.isoformat()}"


def agenda_line(occurrence: Occurrence) -> Content:
    """``09:00-10:00  Title · Account · Room 2  ! overlaps  (repeats)``."""
    appointment = occurrence.appointment
    extras = [appointment.contact_name, appointment.account_name, appointment.location]
    return assemble(
        (f"  {cal.span_text(occurrence):<11} ", "bold"),
        appointment.title,
        ("".join(f" · {extra}" for extra in extras if extra), "italic"),
        ("  ! overlaps" if occurrence.overlaps else "", "bold red"),
        ("  (repeats)" if appointment.rrule else "", "dim"),
        (f"  ? held by offer {occurrence.held_by}" if occurrence.held_by else "", "bold yellow"),
    )


def start_of(day: date, hour: int) -> datetime:
    """Where a new appointment in a cell starts: the hour slot, or 09:00 for a day cell."""
    return cal.slot_start(day, hour if hour >= 0 else cal.WORKDAY_START + 1)
