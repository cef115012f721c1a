"""What the contacts, accounts and interactions lists share: paging, sorting, filters, empty
states, open, new, edit and delete with undo.

A subclass names its kind and columns, and says how to fetch a page (a store ``list_*`` call),
turn a record into cells, and open the forms. The table asks for one page at a time, so the list
opens as fast at 100,000 records as at 100.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import ClassVar, Generic, TypeVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Static

from smallcrm.screens.base import CrmScreen
from smallcrm.store.errors import StoreError
from smallcrm.store.listing import ListQuery
from smallcrm.store.records import Page
from smallcrm.widgets.paged_table import Cell, Column, PagedTable

T = TypeVar("T")
FOLLOW_ROWS = 50  # how far a live reload looks for the record the cursor was on
FILTER_FIELDS = ("owner", "tag", "account_id", "contact_id", "kind", "since", "until", "open_only")


class ListScreen(CrmScreen, Generic[T]):
    """A paged, sortable, filterable list of one kind of record."""

    KIND: ClassVar[str] = ""
    PLURAL: ClassVar[str] = ""
    LIVE = True
    COLUMNS: ClassVar[list[Column]] = []
    DEFAULT_SORT: ClassVar[str] = "name"
    DEFAULT_DESCENDING: ClassVar[bool] = False
    DEFAULT_CSS = """
    ListScreen #list-status {
        height: 1;
        padding: 0 1;
        color: $text-muted;
    }
    ListScreen #list-empty {
        height: auto;
        padding: 1 2;
        border: round $border-blurred;
        margin: 1 2;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "new", "New", id="list.new"),
        Binding("e", "edit", "Edit", id="list.edit"),
        Binding("d,delete", "delete", "Delete", id="list.delete", tooltip="Move to the trash"),
        Binding("f", "filter", "Filter", id="list.filter", tooltip="By owner, tag, account, dates"),
        Binding("x", "clear_filters", "Clear filters", id="list.clear_filters"),
        Binding("s", "sort", "Sort", id="list.sort", tooltip="Sort by the next column"),
        Binding(
            "r", "reverse", "Reverse", show=False, id="list.reverse", tooltip="Reverse the order"
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.query_state = ListQuery(sort=self.DEFAULT_SORT, descending=self.DEFAULT_DESCENDING)
        self._away = False  # another screen was on top since the list was last read

    # what subclasses provide --------------------------------------------------------------

    def fetch(self, query: ListQuery) -> Page[T]:
        """One page from the store."""
        raise NotImplementedError

    def cells(self, record: T) -> Sequence[Cell]:
        """The texts of a row, one per column (a function for one costly to make)."""
        raise NotImplementedError

    def empty_text(self) -> str:
        """What to say when there are no records at all (no filter set)."""
        return f"No {self.PLURAL} yet. Press n to add one."

    def new_record(self) -> None:
        """Open the form for a new record."""

    def edit_record(self, record: T) -> None:
        """Open the form for ``record``."""

    def delete_record(self, record: T) -> None:
        """Move ``record`` to the trash (the base asks first and offers undo)."""

    def label_of(self, record: T) -> str:
        """How a record is named in messages."""
        return str(getattr(record, "name", "") or getattr(record, "subject", ""))

    def filter_fields(self) -> tuple[str, ...]:
        """Which filters the filter form offers for this kind."""
        return ("owner", "tag", "account_id", "since", "until")

    # layout -------------------------------------------------------------------------------

    def compose_body(self) -> ComposeResult:
        """A status line (count, sort, filters), the table, and the empty state."""
        yield Static("", id="list-status")
        yield PagedTable(self.COLUMNS, self._fetch_window, self.cells, id="list-table")
        yield Static("", id="list-empty")

    @property
    def table(self) -> PagedTable[T]:
        """The list's table."""
        return self.query_one("#list-table", PagedTable)

    def on_mount(self) -> None:
        """Read the first page (the frame's own on_mount runs too: Textual calls both)."""
        self.reload()

    def on_screen_suspend(self) -> None:
        """Another screen went on top (a detail, a form, another tab)."""
        self._away = True

    def on_screen_resume(self) -> None:
        """Coming back from a detail or a form: the list may have changed. (A screen is
        resumed when it is first shown too, right after ``on_mount`` read it: no second read
        before the first frame.)"""
        if self._away and self.table.loaded:
            self._away = False
            self.reload()

    def _fetch_window(self, offset: int, limit: int) -> Page[T]:
        """One window of rows; past the middle it is read from the other end.

        Skipping ``offset`` rows costs time in proportion to ``offset`` (SQL OFFSET), so the
        rows near the end are read in the reverse order with a small offset and turned round:
        End costs what Home does.
        """
        total = self.table.total if self.table.loaded else 0
        from_end = total - offset - limit
        if total and offset > 0 and from_end < offset:
            window = min(limit, total - offset)
            query = replace(
                self.query_state,
                offset=max(0, from_end),
                limit=max(1, window),
                descending=not self.query_state.descending,
            )
            page = self.fetch(query)
            return Page(list(reversed(page.items)), page.total, offset, limit)
        return self.fetch(replace(self.query_state, offset=offset, limit=limit))

    def reload(self, *, keep_cursor: bool = True) -> None:
        """Re-read the list (keeping the cursor's row number)."""
        try:
            self.table.reload(keep_cursor=keep_cursor)
        except StoreError as exc:
            self.notify_error(exc)
            return
        self._show_state()

    def live_reload(self) -> None:
        """Re-read the list; the cursor stays on its record when it is still near."""
        table = self.table
        if not table.loaded:
            return
        before = table.current
        self.reload()
        if before is not None:
            self.follow(before.id)  # type: ignore[attr-defined]

    def follow(self, record_id: int) -> None:
        """Put the cursor back on ``record_id`` (see :func:`follow_record`)."""
        follow_record(self.table, record_id)

    def _show_state(self) -> None:
        table = self.table
        empty = self.query_one("#list-empty", Static)
        is_empty = table.total == 0
        table.display = not is_empty
        empty.display = is_empty
        if is_empty:
            empty.update(self._no_match_text() if self.has_filters() else self.empty_text())
        table.sort_mark = {self.query_state.sort: " ▼" if self.query_state.descending else " ▲"}
        table.refresh()
        self.query_one("#list-status", Static).update(self.status_text())
        self.refresh_bindings()

    def _no_match_text(self) -> str:
        return (
            f"No {self.PLURAL} match these filters.\n\nPress x to clear them or f to change them."
        )

    # status line --------------------------------------------------------------------------

    def status_text(self) -> str:
        """``1,234 contacts · by name ▲ · owner jana, tag vip``."""
        total = self.table.total
        noun = self.PLURAL if total != 1 else self.KIND
        sort = next((c.label for c in self.COLUMNS if c.sort == self.query_state.sort), "")
        parts = [f"{total:,} {noun}"]
        if sort:
            # A column's label in lower case ("name"), an abbreviation as it is ("SLA").
            word = sort if sort.isupper() and len(sort) > 1 else sort.lower()
            parts.append(f"by {word} {'▼' if self.query_state.descending else '▲'}")
        filters = self.filter_summary()
        if filters:
            parts.append("filter: " + filters)
        return " · ".join(parts)

    def filter_summary(self) -> str:
        """The filters in force, in words."""
        q = self.query_state
        words: list[str] = []
        if q.owner:
            words.append(f"owner {q.owner}")
        if q.tag:
            words.append(f"tag {q.tag}")
        if q.kind:
            words.append(q.kind)
        if q.account_id is not None:
            words.append(f"account {q.extra.get('account_name', q.account_id)}")
        if q.contact_id is not None:
            words.append(f"contact {q.extra.get('contact_name', q.contact_id)}")
        if q.since or q.until:
            # Only with a date filter: the first screen is drawn without the date parser.
            from smallcrm.store.dates import describe

            if q.since:
                words.append(f"from {describe(q.since)}")
            if q.until:
                words.append(f"to {describe(q.until)}")
        if q.open_only:
            words.append("open follow-ups")
        return ", ".join(words)

    def has_filters(self) -> bool:
        """True if any filter is set."""
        q = self.query_state
        return any(getattr(q, name) not in (None, "", False) for name in FILTER_FIELDS)

    # actions ------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Edit/delete need a row; clearing filters needs filters."""
        if action in {"edit", "delete"}:
            return self.table.total > 0 if self.is_mounted else False
        if action == "clear_filters":
            return self.has_filters()
        return super().check_action(action, parameters)

    def on_paged_table_opened(self, message: PagedTable.Opened) -> None:
        """Enter opens the record."""
        self.app.open_record(self.KIND, message.record.id)

    def on_paged_table_header_clicked(self, message: PagedTable.HeaderClicked) -> None:
        """A click on a heading sorts by it (a second click reverses)."""
        if message.column.sort is None:
            return
        if message.column.sort == self.query_state.sort:
            self.action_reverse()
        else:
            self._sort_by(message.column.sort, descending=False)

    def action_new(self) -> None:
        """n: a new record."""
        self.new_record()

    def action_edit(self) -> None:
        """e: edit the record under the cursor."""
        record = self.table.current
        if record is not None:
            self.edit_record(record)

    def action_delete(self) -> None:
        """d: move the record under the cursor to the trash, after asking."""
        record = self.table.current
        if record is None:
            return
        from smallcrm.screens.confirm import ConfirmScreen

        label = self.label_of(record)

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            try:
                self.delete_record(record)
            except StoreError as exc:
                self.notify_error(exc)
                return
            self.app.remember_trashed(self.KIND, record.id, label)  # type: ignore[attr-defined]
            self.reload()

        self.app.push_screen(
            ConfirmScreen(
                f"Move {self.KIND} {label!r} to the trash?",
                confirm_label="Delete",
                detail="Ctrl+Z right after brings it back.",
            ),
            answered,
        )

    def action_sort(self) -> None:
        """s: sort by the next sortable column."""
        keys = [c.sort for c in self.COLUMNS if c.sort]
        current = keys.index(self.query_state.sort) if self.query_state.sort in keys else -1
        self._sort_by(keys[(current + 1) % len(keys)], descending=False)

    def action_reverse(self) -> None:
        """r: reverse the order."""
        self.query_state = replace(self.query_state, descending=not self.query_state.descending)
        self.reload(keep_cursor=False)

    def _sort_by(self, key: str, *, descending: bool) -> None:
        self.query_state = replace(self.query_state, sort=key, descending=descending)
        self.reload(keep_cursor=False)

    def action_filter(self) -> None:
        """f: change the filters."""
        from smallcrm.screens.filter_form import FilterForm

        def chosen(query: ListQuery | None) -> None:
            if query is not None:
                self.apply_filters(query)

        self.app.push_screen(
            FilterForm(self.query_state, self.filter_fields(), self.PLURAL), chosen
        )

    def apply_filters(self, query: ListQuery) -> None:
        """Show the list with these filters (sort kept)."""
        self.query_state = replace(query, sort=self.query_state.sort, offset=0)
        self.reload(keep_cursor=False)

    def action_clear_filters(self) -> None:
        """x: drop every filter."""
        q = self.query_state
        self.query_state = ListQuery(sort=q.sort, descending=q.descending)
        self.reload(keep_cursor=False)


def follow_record(table: PagedTable, record_id: int) -> None:
    """Put the cursor on ``record_id`` if it is within ``FOLLOW_ROWS`` of the cursor (rows
    added or removed above it move it); else the cursor keeps its row number."""
    cursor = table.cursor
    for distance in range(FOLLOW_ROWS + 1):
        for index in {cursor + distance, cursor - distance}:
            if getattr(table.record_at(index), "id", None) == record_id:
                if index != cursor:
                    table.move_to(index)
                return
