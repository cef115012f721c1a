"""The dashboard (F9): the business in one glance, each figure a tile whose lines open the
list behind them. The figures are read in a worker thread, so the screen's first frame comes
at once and the tiles fill in when their numbers arrive: the quick ones first, then the few
that read every contact or every deal's history."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import timedelta
from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, VerticalScroll
from textual.widgets import Static

from smallcrm.screens.base import CrmScreen
from smallcrm.store import clock, figures
from smallcrm.store.errors import StoreError
from smallcrm.store.figures.model import Figure, Filters
from smallcrm.widgets.figure_tile import FigureTile

# What p steps through: each figure's own period, then the last 30, 90 and 365 days.
PERIODS: tuple[int | None, ...] = (None, 30, 90, 365)


def filters_words(filters: Filters) -> str:
    """``owner ana · since 2026-08-27 · stages lead, proposal`` (or everyone's, own periods)."""
    parts = [f"owner {filters.owner}" if filters.owner else "everyone"]
    parts.append(f"since {filters.since.isoformat()}" if filters.since else "usual periods")
    if filters.stages:
        parts.append("stages " + ", ".join(filters.stages))
    return " · ".join(parts)


class DashboardScreen(CrmScreen):
    """The dashboard's tiles, filtered by owner, period and stages."""

    TITLE_CRUMB = "Dashboard"
    CSS_PATH = "dashboard.tcss"
    AUTO_FOCUS = "#dash-tiles OptionList"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f", "filter", "Filter", id="dashboard.filter", tooltip="Owner, period, stages"),
        Binding("m", "mine", "Mine", id="dashboard.mine", tooltip="Only your records"),
        Binding("p", "period", "Period", id="dashboard.period", tooltip="30, 90 or 365 days"),
        Binding("x", "clear", "Clear", id="dashboard.clear", tooltip="Clear the filters"),
        Binding("r", "reload", "Reload", id="dashboard.reload", show=False),
    ]
    HELP = """\
The business in one glance: the open pipeline by stage (total, and weighted by each deal's
probability: the solid part of a bar), the pipeline at the end of each of the last six months,
the forecast by expected close month, the win rate and median sales cycle, the stage funnel
with the drop-off between stages, activity per week and per person, service cases, and how
clean the contacts are (no email, no phone, an email two contacts share, nothing logged for
30/60/90/180 days). Amounts stay in their own currency: with several in use, each has its
own line.

**Open the list behind a number:** Tab to its tile, arrows to the line, Enter (the deals of a
stage, the contacts with no email, the breached cases). Esc comes back.

**Filter:** f chooses owner, period start and stages; m shows only your records (again:
everyone's); p steps the period through 30, 90 and 365 days and each figure's own (12 months,
12 weeks); x clears every filter; r reads the numbers again.

The same numbers from the shell: `smallcrm report pipeline` (also forecast, winrate, funnel,
activity, quality) with `--since`, `--owner`, `--json`, `--csv` or `--html FILE`."""

    def __init__(self) -> None:
        super().__init__()
        self.filters = Filters()
        self.figures: list[Figure] = []

    def compose_body(self) -> ComposeResult:
        """The filter line, then one tile per figure (filled in by the worker)."""
        yield Static(filters_words(self.filters), id="dash-status")
        with VerticalScroll(id="dash-scroll"), Grid(id="dash-tiles"):
            for tile in figures.TILES:
                yield FigureTile(tile.key, tile.title)

    def on_mount(self) -> None:
        """Read the figures in the background."""
        self._fit()
        self.reload()

    def on_resize(self) -> None:
        """Two columns of tiles on a narrow terminal, three or four on a wide one."""
        self._fit()

    def _fit(self) -> None:
        width = self.size.width or 80
        columns = 1 if width < 70 else 2 if width < 120 else 3 if width < 170 else 4
        self.query_one("#dash-tiles", Grid).styles.grid_size_columns = columns

    def reload(self) -> None:
        """Read the figures again (in a worker thread)."""
        self.query_one("#dash-status", Static).update(filters_words(self.filters) + " · reading…")
        self._load(self.filters)

    @work(thread=True, exclusive=True, group="dashboard")
    def _load(self, filters: Filters) -> None:
        quick = tuple(t.key for t in figures.TILES if not t.slow)
        slow = tuple(t.key for t in figures.TILES if t.slow)
        found: list[Figure] = []
        for keys in (quick, slow):
            try:
                found += figures.compute(self.db, keys, filters)
            except (StoreError, OSError, sqlite3.Error) as exc:  # said on screen, not raised
                self.app.call_from_thread(self.notify_error, exc)
                return
            self.app.call_from_thread(self._show, list(found), filters, keys == slow)

    def _show(self, found: list[Figure], filters: Filters, complete: bool) -> None:
        if filters != self.filters:
            return  # the filters changed while these were read; their own read follows
        order = [t.key for t in figures.TILES]
        self.figures = sorted(found, key=lambda figure: order.index(figure.key))
        for figure in found:
            self.query_one(f"#tile-{figure.key}", FigureTile).show(figure)
        if complete:
            self.query_one("#dash-status", Static).update(filters_words(self.filters))

    def on_figure_tile_opened(self, message: FigureTile.Opened) -> None:
        """Enter on a line: the list behind it."""
        from smallcrm.screens.dashboard_lists import list_screen

        screen = list_screen(message.line.drill) if message.line.drill else None
        if screen is None:
            self.notify("No list behind this line.", severity="warning")
            return
        self.app.push_screen(screen)

    # filters ------------------------------------------------------------------------------

    def _filter(self, filters: Filters) -> None:
        self.filters = filters
        self.reload()

    def action_mine(self) -> None:
        """m: only your records (again: everyone's)."""
        from smallcrm.store.crud import current_user

        self._filter(replace(self.filters, owner=None if self.filters.owner else current_user()))

    def action_period(self) -> None:
        """p: the next period of ``PERIODS``."""
        today = clock.today()
        current = None if self.filters.since is None else (today - self.filters.since).days
        following = (
            PERIODS[(PERIODS.index(current) + 1) % len(PERIODS)] if current in PERIODS else None
        )
        since = None if following is None else today - timedelta(days=following)
        self._filter(replace(self.filters, since=since))

    def action_clear(self) -> None:
        """x: every filter off."""
        self._filter(Filters())

    def action_reload(self) -> None:
        """r: read the numbers again."""
        self.reload()

    def action_filter(self) -> None:
        """f: the filter form."""
        from smallcrm.screens.dashboard_filter import DashboardFilterScreen
        from smallcrm.store import opportunities

        def chosen(result: Filters | None) -> None:
            if result is not None:
                self._filter(result)

        stages = [s.name for s in opportunities.stages(self.db)]
        self.app.push_screen(DashboardFilterScreen(self.filters, stages), chosen)
