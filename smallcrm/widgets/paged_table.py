"""A table that reads its rows a page at a time, so 100,000 records cost what 100 do.

Textual's DataTable measures every cell it holds (12 s to first paint and 176 MiB for 100,000 rows,
measured with Textual 8). This widget holds nothing but a few cached pages: it is a ScrollView
whose virtual height is the total row count, and each visible line asks ``fetch(offset, limit)``
for the page it falls in. The header is line 0 of the view and never scrolls. Columns fit the width
(flexible columns share what is left), so there is no horizontal scrolling at 80 columns.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from smallcrm.store.formats import printable
from smallcrm.store.records import Page

T = TypeVar("T")
# A cell's text, or a function giving it: called only while its column is shown, so a column
# hidden at this width (a date that needs the time zone from the settings) costs nothing.
Cell = str | Callable[[], str]
# Rows read at a time: two screens at 80x24. Reading a page costs about 30 µs a row (100,000
# contacts), so the first frame does not wait for 80 rows it does not show.
PAGE_SIZE = 50
CACHED_PAGES = 16
GAP = 1


@dataclass(frozen=True)
class Column:
    """A column: its heading, minimum width, the store's sort key and its share of spare width."""

    label: str
    width: int
    sort: str | None = None
    flex: int = 0
    align: Literal["left", "right"] = "left"
    hide_below: int = 0  # Dropped when the table is narrower than this (80x24 stays readable).


def fit_widths(columns: Sequence[Column], width: int) -> list[int]:
    """Widths for ``columns`` in ``width`` cells: minimums, then spare cells by flex share.

    When even the minimums do not fit, flexible columns shrink first (to 4 cells), then the
    last columns are cut.
    """
    widths = [c.width for c in columns]
    spare = width - sum(widths) - GAP * (len(columns) - 1)
    flex_total = sum(c.flex for c in columns)
    if spare > 0 and flex_total:
        for index, column in enumerate(columns):
            widths[index] += spare * column.flex // flex_total
        widths[-1 if not columns[-1].flex else _last_flex(columns)] += spare - sum(
            spare * c.flex // flex_total for c in columns
        )
    elif spare < 0:
        for index, column in enumerate(columns):
            if column.flex and spare < 0:
                cut = min(widths[index] - 4, -spare)
                widths[index] -= cut
                spare += cut
    return widths


def _last_flex(columns: Sequence[Column]) -> int:
    return max(i for i, c in enumerate(columns) if c.flex)


def fit_cell(text: str, width: int, align: str = "left") -> str:
    """``text`` on one printable line (its control characters made visible), cut (with …) or
    padded to exactly ``width`` cells."""
    if width <= 0:
        return ""
    text = printable(" ".join(text.split()))
    if cell_len(text) > width:
        return set_cell_size(text, width - 1) + "…"
    pad = " " * (width - cell_len(text))
    return pad + text if align == "right" else text + pad


class PagedTable(ScrollView, Generic[T], can_focus=True):
    """Rows from ``fetch(offset, limit) -> Page``; ``cells(record)`` gives a row's texts."""

    HELP_PLACE = "list"  # How the F1 help names this widget.

    COMPONENT_CLASSES = {"paged-table--header", "paged-table--cursor", "paged-table--stripe"}
    DEFAULT_CSS = """
    PagedTable {
        height: 1fr;
        overflow-x: hidden;
        overflow-y: auto;
        background: $surface;
    }
    PagedTable > .paged-table--header {
        text-style: bold underline;
        background: $panel;
    }
    PagedTable > .paged-table--stripe {
        background: $surface-lighten-1;
    }
    PagedTable > .paged-table--cursor {
        text-style: underline;
        background: $surface-lighten-2;
    }
    PagedTable:focus > .paged-table--cursor {
        text-style: reverse bold;
        background: $surface;
    }
    """
    BINDINGS = [
        Binding("up,k", "move(-1)", "Up", show=False, id="table.up"),
        Binding("down,j", "move(1)", "Down", show=False, id="table.down"),
        Binding("pageup,ctrl+b", "page(-1)", "Page up", show=False, id="table.page_up"),
        Binding("pagedown,ctrl+d", "page(1)", "Page down", show=False, id="table.page_down"),
        Binding("home,g", "first", "First row", show=False, id="table.first"),
        Binding("end,G", "last", "Last row", show=False, id="table.last"),
        Binding("enter", "open", "Open", id="table.open"),
    ]

    cursor: reactive[int] = reactive(0, always_update=True)

    class Opened(Message):
        """Enter (or a click on the current row) on a record."""

        def __init__(self, table: PagedTable, record: Any) -> None:
            super().__init__()
            self.table = table
            self.record = record

        @property
        def control(self) -> PagedTable:
            """The table the record is in."""
            return self.table

    class HeaderClicked(Message):
        """A click on a column heading (the screen sorts by it)."""

        def __init__(self, table: PagedTable, column: Column) -> None:
            super().__init__()
            self.table = table
            self.column = column

    def __init__(
        self,
        columns: Sequence[Column],
        fetch: Callable[[int, int], Page[T]],
        cells: Callable[[T], Sequence[Cell]],
        *,
        page_size: int = PAGE_SIZE,
        id: str | None = None,  # noqa: A002
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.columns = list(columns)
        self._fetch = fetch
        self._cells = cells
        self.page_size = page_size
        self.total = 0
        self.sort_mark: dict[str, str] = {}
        self._pages: OrderedDict[int, list[T]] = OrderedDict()
        self._widths: tuple[int, list[tuple[int, Column, int]]] = (-1, [])
        self.loaded = False

    # data ---------------------------------------------------------------------------------

    def set_source(
        self, fetch: Callable[[int, int], Page[T]], *, keep_cursor: bool = False
    ) -> None:
        """Read from a new ``fetch`` (new sort or filters); the cursor goes to the top."""
        self._fetch = fetch
        self.reload(keep_cursor=keep_cursor)

    def reload(self, *, keep_cursor: bool = True) -> None:
        """Drop the cached pages and read the total and the current page again."""
        self._pages.clear()
        target = self.cursor if keep_cursor else 0
        page = self._load_page(target // self.page_size)
        if self.loaded and page.total != self.total:
            # The window may have been placed with the old count (pages past the middle are
            # read from the end): read it again with the new one.
            self.total = page.total
            page = self._load_page(target // self.page_size)
        self.total = page.total
        self.loaded = True
        self.virtual_size = Size(self.size.width, self.total + 1)
        self.cursor = max(0, min(target, self.total - 1))
        if not keep_cursor:
            self.scroll_to(y=0, animate=False, immediate=True)
        self.refresh()

    def _load_page(self, number: int) -> Page[T]:
        page = self._fetch(number * self.page_size, self.page_size)
        self._pages[number] = page.items
        self._pages.move_to_end(number)
        while len(self._pages) > CACHED_PAGES:
            self._pages.popitem(last=False)
        return page

    def record_at(self, index: int) -> T | None:
        """The record in row ``index`` (fetching its page if needed), or None past the end."""
        if not 0 <= index < self.total:
            return None
        number = index // self.page_size
        items = self._pages.get(number)
        if items is None:
            items = self._load_page(number).items
        else:
            self._pages.move_to_end(number)
        offset = index - number * self.page_size
        return items[offset] if offset < len(items) else None

    @property
    def current(self) -> T | None:
        """The record under the cursor."""
        return self.record_at(self.cursor)

    # movement -----------------------------------------------------------------------------

    @property
    def rows_visible(self) -> int:
        """How many data rows fit under the header."""
        return max(1, self.scrollable_content_region.height - 1)

    def watch_cursor(self, cursor: int) -> None:
        """Keep the cursor row on screen."""
        top = round(self.scroll_offset.y)
        if cursor < top:
            self.scroll_to(y=cursor, animate=False, immediate=True)
        elif cursor >= top + self.rows_visible:
            self.scroll_to(y=cursor - self.rows_visible + 1, animate=False, immediate=True)
        self.refresh()

    def move_to(self, index: int) -> None:
        """Put the cursor on row ``index`` (clamped)."""
        self.cursor = max(0, min(index, self.total - 1))

    def action_move(self, step: int) -> None:
        """Up/Down (and k/j)."""
        self.move_to(self.cursor + step)

    def action_page(self, step: int) -> None:
        """Page Up/Page Down: a screenful at a time."""
        self.move_to(self.cursor + step * self.rows_visible)

    def action_first(self) -> None:
        """Home: the first row."""
        self.move_to(0)

    def action_last(self) -> None:
        """End: the last row."""
        self.move_to(self.total - 1)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Enter only opens when there is a row."""
        if action == "open":
            return self.total > 0
        return super().check_action(action, parameters)

    def action_open(self) -> None:
        """Enter: open the record under the cursor."""
        record = self.current
        if record is not None:
            self.post_message(self.Opened(self, record))

    # mouse --------------------------------------------------------------------------------

    def on_click(self, event: events.Click) -> None:
        """A click on a heading sorts; on a row moves there; on the current row opens it."""
        offset = event.get_content_offset(self)
        if offset is None:
            return
        if offset.y == 0:
            column = self._column_at(offset.x)
            if column is not None:
                self.post_message(self.HeaderClicked(self, column))
            return
        index = round(self.scroll_offset.y) + offset.y - 1
        if index >= self.total:
            return
        if index == self.cursor or event.chain > 1:
            self.cursor = index
            self.action_open()
        else:
            self.cursor = index

    def _column_at(self, x: int) -> Column | None:
        start = 0
        for _index, column, width in self._layout():
            if start <= x < start + width + GAP:
                return column
            start += width + GAP
        return None

    # rendering ----------------------------------------------------------------------------

    def on_resize(self) -> None:
        """Keep the virtual width in step with the view."""
        self.virtual_size = Size(self.scrollable_content_region.width, self.total + 1)

    def _layout(self) -> list[tuple[int, Column, int]]:
        """(index in ``columns``, column, width) of the columns shown at the current width."""
        width = self.scrollable_content_region.width
        if self._widths[0] != width:
            shown = [(i, c) for i, c in enumerate(self.columns) if width >= c.hide_below]
            widths = fit_widths([c for _, c in shown], width)
            self._widths = (width, [(i, c, w) for (i, c), w in zip(shown, widths, strict=True)])
        return self._widths[1]

    def _row_text(self, texts: Sequence[Cell], width: int) -> str:
        parts = [
            fit_cell(_text(texts[index]) if index < len(texts) else "", w, column.align)
            for index, column, w in self._layout()
        ]
        line = (" " * GAP).join(parts)
        return fit_cell(line, width) if cell_len(line) != width else line

    def render_line(self, y: int) -> Strip:
        """Line 0 is the header; the others are rows from the cached pages."""
        width = self.scrollable_content_region.width
        base = self.rich_style
        if y == 0:
            labels = [c.label + self.sort_mark.get(c.sort or "", "") for c in self.columns]
            style = base + self.get_component_rich_style("paged-table--header")
            return Strip([Segment(self._row_text(labels, width), style)], width)
        index = round(self.scroll_offset.y) + y - 1
        record = self.record_at(index)
        if record is None:
            return Strip([Segment(" " * width, base)], width)
        style = base
        if index == self.cursor:
            style = base + self.get_component_rich_style("paged-table--cursor")
        elif index % 2:
            style = base + self.get_component_rich_style("paged-table--stripe")
        return Strip([Segment(self._row_text(self._cells(record), width), style)], width)


def _text(cell: Cell) -> str:
    return cell() if callable(cell) else str(cell)
