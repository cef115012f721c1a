"""Reading the pipeline board: the totals line over its stages, and a page of cards per column
(sorted by expected close) with a moved deal pinned to its new column; "+ N more" adds a page.
The columns themselves are widgets (``widgets/stage_column.py``)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from smallcrm.screens.pipeline_filter import PipelineFilter
from smallcrm.store import opportunities
from smallcrm.store.errors import StoreError
from smallcrm.store.formats import money_compact
from smallcrm.store.listing import MAX_PAGE
from smallcrm.store.opportunities import StageSummary
from smallcrm.store.records import Opportunity
from smallcrm.widgets.stage_column import StageColumn

if TYPE_CHECKING:
    from smallcrm.store.db import Database

CARDS_PER_PAGE = 20


def summary_line(summaries: list[StageSummary], filters: PipelineFilter) -> str:
    """``Open 1,234 deals · 2,345,678 · weighted 987,654 · won 120,000`` and the filters."""
    open_ = [s for s in summaries if not s.stage.is_closed]
    won = sum((s.total for s in summaries if s.stage.is_won), start=Decimal(0))
    total = sum((s.total for s in open_), start=Decimal(0))
    weighted = sum((s.weighted for s in open_), start=Decimal(0))
    text = (
        f"Open {_deals(sum(s.count for s in open_))} · {money_compact(total)}"
        f" · weighted {money_compact(weighted)} · won {money_compact(won)}"
    )
    described = filters.describe()
    if described:
        return text + f"  |  filter: {described}"
    if not any(s.count for s in summaries):
        return "No deals yet: press n to add one (or load demo data with smallcrm demo)."
    return text


def _deals(count: int) -> str:
    return f"{count:,} deal" if count == 1 else f"{count:,} deals"


def fill_column(
    db: Database,
    filters: PipelineFilter,
    pinned: dict[str, Opportunity],
    column: StageColumn,
    summary: StageSummary,
    today: date,
    keep: int | None,
) -> None:
    """Show a column's cards again: as many as it showed (at least a page), its pinned deal
    too, the cursor on the deal ``keep`` when it is there."""
    name = column.stage.name
    count = min(max(len(column.deals), CARDS_PER_PAGE), MAX_PAGE)
    page = opportunities.list_opportunities(
        db, filters.query(stage=name, limit=count, sort="close")
    )
    deals = list(page.items)
    pin = fresh_pin(db, pinned, name)
    if pin is not None and all(d.id != pin.id for d in deals):
        deals.insert(0, pin)
    column.show(summary, deals, summary.count, today, keep=keep)


def fresh_pin(db: Database, pinned: dict[str, Opportunity], stage: str) -> Opportunity | None:
    """The deal pinned to a column, read again (it may have changed or gone since; then it is
    unpinned)."""
    pin = pinned.get(stage)
    if pin is None:
        return None
    try:
        fresh = opportunities.get_opportunity(db, pin.id)
    except StoreError:
        fresh = None
    if fresh is None or fresh.stage != stage:
        del pinned[stage]
        return None
    pinned[stage] = fresh
    return fresh


def more_cards(db: Database, filters: PipelineFilter, column: StageColumn, today: date) -> None:
    """ "+ N more": the column's next page of cards, the cursor on the first new one."""
    name = column.stage.name
    page = opportunities.list_opportunities(
        db,
        filters.query(stage=name, offset=len(column.deals), limit=CARDS_PER_PAGE, sort="close"),
    )
    if column.summary is None:
        return
    first_new = page.items[0].id if page.items else None
    deals = column.deals + [d for d in page.items if d.id not in column.ids]
    column.show(column.summary, deals, column.summary.count, today, keep=first_new)
