"""The sales pipeline: deals as a board (a column per stage) or as a table.

The board reads one page of cards per column (sorted by expected close) plus each stage's count
and totals, never every deal: at 50,000 deals it opens as fast as at 50. "+ N more" loads the
next page of a column; the table view pages through everything.
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import ContentSwitcher, OptionList, Static

from smallcrm.screens.base import CrmScreen
from smallcrm.screens.confirm import ConfirmScreen
from smallcrm.screens.deal_actions import STAGE_KEYS, close_with_reason, move_deal
from smallcrm.screens.list_base import follow_record
from smallcrm.screens.opportunity_form import OpportunityForm
from smallcrm.screens.pipeline_board import fill_column, more_cards, summary_line
from smallcrm.screens.pipeline_filter import PipelineFilter, PipelineFilterScreen
from smallcrm.screens.pipeline_table import TABLE_COLUMNS, next_sort, table_cells
from smallcrm.store import clock, opportunities
from smallcrm.store.errors import StoreError
from smallcrm.store.opportunities import StageSummary
from smallcrm.store.records import Opportunity, Page, Stage
from smallcrm.widgets.paged_table import PagedTable
from smallcrm.widgets.stage_column import MORE_ID, Board, StageColumn

MIN_COLUMN = 26


class PipelineScreen(CrmScreen):
    """Opportunities by stage, with keys to move a deal along the pipeline."""

    TITLE_CRUMB = "Pipeline"
    KIND = "opportunity"  # what it lists (the breadcrumbs' path starts there)
    CSS_PATH = "pipeline.tcss"
    LIVE = True
    HELP: ClassVar[str] = (
        "## Pipeline\n\n"
        "Every deal by stage: each column shows how many deals a stage holds, their total "
        "(Σ) and the weighted total (w: amount × probability). The line on top adds up the "
        "open pipeline. Cards show the deal, its account, amount and expected close; a close "
        "date marked `!` has passed.\n\n"
        "**Move a deal:** put the cursor on its card (arrows or h/j/k/l) and press **]** (or "
        "Shift+Right) for the next stage, **[** (or Shift+Left) for the previous one. **w** "
        "marks it won and **x** lost from any stage; both ask why (a lost deal needs a reason).\n\n"
        "**Open, add, change:** **Enter** opens the deal, **n** adds one (in the current stage), "
        "**e** edits, **d** deletes (Ctrl+Z brings it back).\n\n"
        "**Table and filters:** **v** switches between the board and a table of every deal "
        "(sort with **s**, reverse with **S**, or click a heading). **f** filters by owner, "
        "account or stage. A column shows its first 20 cards; Enter on *+ N more* loads more."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "new", "New deal", id="pipeline.new", tooltip="In the current stage"),
        Binding(
            "left_square_bracket,shift+left",
            "move(-1)",
            "Prev stage",
            id="pipeline.previous",
            tooltip="Move the deal back one stage",
            group=STAGE_KEYS,
        ),
        Binding(
            "right_square_bracket,shift+right",
            "move(1)",
            "Next stage",
            id="pipeline.next",
            tooltip="Move the deal on one stage (won and lost ask why)",
            group=STAGE_KEYS,
        ),
        Binding("w", "close_as('won')", "Won", id="pipeline.won", tooltip="Mark the deal won"),
        Binding("x", "close_as('lost')", "Lost", id="pipeline.lost", tooltip="Mark it lost"),
        Binding(
            "v", "toggle_view", "Table", id="pipeline.view", tooltip="Board or table of all deals"
        ),
        Binding("f", "filter", "Filter", id="pipeline.filter", tooltip="By owner, account, stage"),
        Binding("e", "edit", "Edit deal", show=False, id="pipeline.edit"),
        Binding(
            "d,delete",
            "delete",
            "Delete deal",
            show=False,
            id="pipeline.delete",
            tooltip="Move to the trash (Ctrl+Z brings it back)",
        ),
        Binding("left,h", "column(-1)", "Previous stage column", show=False, id="pipeline.left"),
        Binding("right,l", "column(1)", "Next stage column", show=False, id="pipeline.right"),
        Binding("j", "card(1)", "Next card", show=False, id="pipeline.down"),
        Binding("k", "card(-1)", "Previous card", show=False, id="pipeline.up"),
        Binding("s", "sort", "Sort by next column", show=False, id="pipeline.sort"),
        Binding("S", "reverse", "Reverse the sort", show=False, id="pipeline.reverse"),
        Binding("r", "reload", "Reload", show=False, id="pipeline.reload"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.filters = PipelineFilter()
        self.stage_list: list[Stage] = []
        self.view = "board"
        self.sort = "close"
        self.descending = False
        # A moved deal stays visible in its new column even when its close date would put it
        # beyond the column's first page.
        self.pinned: dict[str, Opportunity] = {}
        self._stale = False

    # layout -------------------------------------------------------------------------------

    def compose_body(self) -> ComposeResult:
        """The totals line, then the board and the table (one shown at a time)."""
        self.stage_list = opportunities.stages(self.db)
        yield Static("", id="pipeline-summary")
        with ContentSwitcher(initial="board", id="pipeline-views"):
            with Board(id="board"):
                for stage in self.stage_list:
                    yield StageColumn(stage)
            with Vertical(id="table-view"):
                yield PagedTable(TABLE_COLUMNS, self._fetch, table_cells, id="deal-table")

    def on_mount(self) -> None:
        """Fill the board and start on the first column."""
        self.load()
        self.columns()[0].cards.focus()

    def on_resize(self) -> None:
        """Share the width between the shown columns (at least MIN_COLUMN cells each)."""
        self._size_columns()

    def _size_columns(self) -> None:
        shown = [c for c in self.columns() if c.display]
        width = self.query_one("#board").size.width or self.size.width
        if shown:
            each = max(MIN_COLUMN, width // len(shown))
            for column in shown:
                column.styles.width = each

    def on_screen_suspend(self) -> None:
        """Leaving for another screen (not a dialog): what it changes shows on return."""
        self._stale = not self.app.screen.is_modal

    def on_screen_resume(self) -> None:
        """Back from a deal, another tab or a search hit: read again what may have changed."""
        if self._stale:
            self._stale = False
            self.load()

    def columns(self) -> list[StageColumn]:
        """The board's columns, in stage order."""
        return list(self.query(StageColumn))

    @property
    def table(self) -> PagedTable:
        """The table view."""
        return self.query_one("#deal-table", PagedTable)

    # reading ------------------------------------------------------------------------------

    def reload(self) -> None:
        """Re-read everything shown (after an undo, an edit elsewhere, ``r``)."""
        self.load()

    def live_reload(self) -> None:
        """Somebody changed deals: read again, each column's cursor staying on its deal (a deal
        moved elsewhere leaves the cursor on the same row; the focus stays where it is)."""
        if self.view == "table":
            before = self.table.current
            self.load()
            if before is not None:
                follow_record(self.table, before.id)
            return
        highlighted = {c.stage.name: c.current.id for c in self.columns() if c.current is not None}
        self.load()
        for column in self.columns():
            deal_id = highlighted.get(column.stage.name)
            if deal_id is not None:
                column.highlight_deal(deal_id)

    def action_reload(self) -> None:
        """``r``: read the database again (someone else may have changed deals)."""
        self.pinned.clear()
        self.load()

    def load(self, focus_deal: Opportunity | None = None) -> None:
        """Read the totals and whichever view is shown."""
        summaries = opportunities.pipeline(self.db, self.filters.query())
        if [c.stage.name for c in self.columns()] != [s.stage.name for s in summaries]:
            self._rebuild_columns([s.stage for s in summaries], focus_deal)
            return
        self.query_one("#pipeline-summary", Static).update(summary_line(summaries, self.filters))
        if self.view == "table":
            self.table.reload()
            return
        for column, summary in zip(self.columns(), summaries, strict=False):
            shown = self.filters.stage in (None, column.stage.name)
            shown = shown and not (self.filters.open_only and column.stage.is_closed)
            column.display = shown
            if shown:
                self._fill(column, summary, focus_deal)
        self._size_columns()
        if focus_deal is not None:
            self._focus_deal(focus_deal)

    def _rebuild_columns(self, stages: list[Stage], focus_deal: Opportunity | None) -> None:
        """The pipeline's stages changed (someone added one): one column per stage again."""
        self.stage_list = stages
        self.run_worker(self._remount(stages, focus_deal), group="columns", exclusive=True)

    async def _remount(self, stages: list[Stage], focus_deal: Opportunity | None) -> None:
        board = self.query_one(Board)
        await board.remove_children()
        await board.mount(*(StageColumn(stage) for stage in stages))
        self.load(focus_deal)
        if focus_deal is None and self.view == "board":
            column = self.current_column()
            if column is not None:
                column.cards.focus()

    def _fill(
        self, column: StageColumn, summary: StageSummary, focus_deal: Opportunity | None
    ) -> None:
        keep = focus_deal.id if focus_deal is not None else None
        fill_column(self.db, self.filters, self.pinned, column, summary, self.today(), keep)

    def _focus_deal(self, deal: Opportunity) -> None:
        for column in self.columns():
            if column.stage.name == deal.stage and column.display:
                column.highlight_deal(deal.id)
                column.cards.focus()
                return

    def _fetch(self, offset: int, limit: int) -> Page[Opportunity]:
        query = self.filters.query(
            offset=offset, limit=limit, sort=self.sort, descending=self.descending
        )
        return opportunities.list_opportunities(self.db, query)

    def today(self) -> date:
        """Today by the app's clock (fixed in tests and snapshots)."""
        return clock.now().date()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Enter on a card opens the deal; on "+ N more" loads the column's next page."""
        event.stop()
        column = next((c for c in self.columns() if c.cards is event.option_list), None)
        if column is None:
            return
        if event.option.id == MORE_ID:
            more_cards(self.db, self.filters, column, self.today())
        elif column.current is not None:
            self.app.open_record("opportunity", column.current.id)

    def on_paged_table_opened(self, event: PagedTable.Opened) -> None:
        """Enter in the table opens the deal."""
        event.stop()
        self.app.open_record("opportunity", event.record.id)

    def on_paged_table_header_clicked(self, event: PagedTable.HeaderClicked) -> None:
        """A click on a heading sorts by it (again: reversed)."""
        event.stop()
        if event.column.sort is None:
            return
        if event.column.sort == self.sort:
            self.descending = not self.descending
        else:
            self.sort, self.descending = event.column.sort, False
        self._resort()

    # which deal ---------------------------------------------------------------------------

    def current_column(self) -> StageColumn | None:
        """The column whose cards have the focus (or the first shown one)."""
        shown = [c for c in self.columns() if c.display]
        focused = next((c for c in shown if c.cards.has_focus), None)
        return focused or (shown[0] if shown else None)

    def current_deal(self) -> Opportunity | None:
        """The deal under the cursor in whichever view is shown."""
        if self.view == "table":
            return self.table.current
        column = self.current_column()
        return column.current if column else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Keys for a deal only when one is under the cursor; board or table keys per view."""
        if action in {"move", "close_as", "edit", "delete"}:
            return self.current_deal() is not None
        if action in {"column", "card"}:
            return self.view == "board"
        if action in {"sort", "reverse"}:
            return self.view == "table"
        return super().check_action(action, parameters)

    # moving around ------------------------------------------------------------------------

    def action_column(self, step: int) -> None:
        """Left/right (h/l): the neighbouring column, at about the same card."""
        shown = [c for c in self.columns() if c.display]
        current = self.current_column()
        if current is None or current not in shown:
            return
        index = shown.index(current) + step
        if 0 <= index < len(shown):
            row = current.cards.highlighted or 0
            target = shown[index]
            if target.cards.option_count:
                target.cards.highlighted = min(row, target.cards.option_count - 1)
            target.cards.focus()

    def action_card(self, step: int) -> None:
        """j/k: the next or previous card in the column."""
        column = self.current_column()
        if column is not None:
            if step > 0:
                column.cards.action_cursor_down()
            else:
                column.cards.action_cursor_up()

    def action_toggle_view(self) -> None:
        """``v``: board or table."""
        self.view = "table" if self.view == "board" else "board"
        self.query_one(ContentSwitcher).current = "table-view" if self.view == "table" else "board"
        if self.view == "table":
            self._mark_sort()
            self.table.reload(keep_cursor=False)
            self.table.focus()
        else:
            self.load()
            column = self.current_column()
            if column is not None:
                column.cards.focus()
        self.refresh_bindings()

    def action_sort(self) -> None:
        """``s``: sort the table by the next column."""
        self.sort, self.descending = next_sort(self.sort), False
        self._resort()

    def action_reverse(self) -> None:
        """``S``: reverse the table's order."""
        self.descending = not self.descending
        self._resort()

    def _resort(self) -> None:
        self._mark_sort()
        self.table.reload(keep_cursor=False)

    def _mark_sort(self) -> None:
        self.table.sort_mark = {self.sort: " ↓" if self.descending else " ↑"}

    # changing deals -----------------------------------------------------------------------

    def action_move(self, step: int) -> None:
        """``]`` / ``[``: the next or previous stage; won and lost ask why first."""
        deal = self.current_deal()
        if deal is not None:
            move_deal(self, self.stage_list, deal, step, self._moved)

    def action_close_as(self, stage: str) -> None:
        """``w`` / ``x``: won or lost from any stage, after asking why."""
        deal = self.current_deal()
        if deal is not None and deal.stage != stage:
            close_with_reason(self, deal, stage, self._moved)

    def _moved(self, deal: Opportunity | None) -> None:
        """After a move: follow the deal to its new column (None: a conflict, so reload)."""
        if deal is None:
            self.pinned.clear()
            self.load()
            return
        self._pin(deal)
        self.load(focus_deal=deal)

    def _pin(self, deal: Opportunity) -> None:
        """Keep a deal visible in its (new) column until the next full reload."""
        self.pinned = {k: v for k, v in self.pinned.items() if v.id != deal.id}
        self.pinned[deal.stage] = deal

    def action_new(self) -> None:
        """``n``: a new deal, starting in the current column's stage."""
        column = self.current_column() if self.view == "board" else None
        stage = column.stage.name if column and not column.stage.is_closed else None
        self.app.push_screen(OpportunityForm(stage=stage), self._saved)

    def action_edit(self) -> None:
        """``e``: edit the deal under the cursor."""
        deal = self.current_deal()
        if deal is not None:
            self.app.push_screen(OpportunityForm(deal.id), self._saved)

    def _saved(self, deal: Opportunity | None) -> None:
        if deal is None:
            return
        self._pin(deal)
        self.load(focus_deal=deal)

    def action_delete(self) -> None:
        """``d``: move the deal under the cursor to the trash, after asking."""
        deal = self.current_deal()
        if deal is None:
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._delete(deal)

        question = f"Delete the deal {deal.name!r}?"
        detail = "Ctrl+Z right after brings it back."
        self.app.push_screen(
            ConfirmScreen(question, confirm_label="Delete", detail=detail), confirmed
        )

    def _delete(self, deal: Opportunity) -> None:
        try:
            opportunities.delete_opportunity(self.db, deal.id, deal.tracking.version)
        except StoreError as exc:
            self.notify_error(exc)
            self.load()
            return
        self.pinned = {k: v for k, v in self.pinned.items() if v.id != deal.id}
        self.app.remember_trashed("opportunity", deal.id, f"Deal {deal.name!r}")
        self.load()

    def action_filter(self) -> None:
        """``f``: choose owner, account and stage filters."""

        def chosen(filters: PipelineFilter | None) -> None:
            if filters is not None:
                self.filters = filters
                self.pinned.clear()
                self.load()
                if self.view == "board":
                    column = self.current_column()
                    if column is not None:
                        column.cards.focus()

        self.app.push_screen(PipelineFilterScreen(self.filters, self.stage_list), chosen)
