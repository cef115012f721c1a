"""The pipeline's table view: its columns, a deal's row and the order ``s`` steps through."""

from __future__ import annotations

from smallcrm.store.formats import money_compact
from smallcrm.store.records import Opportunity
from smallcrm.widgets.paged_table import Column

TABLE_COLUMNS = (
    Column("Deal", 14, "name", flex=3),
    Column("Account", 10, "account", flex=2, hide_below=60),
    Column("Stage", 11, "stage"),
    Column("Amount", 12, "amount", align="right"),
    Column("Prob", 4, "probability", align="right", hide_below=72),
    Column("Weighted", 12, None, align="right", hide_below=110),
    Column("Close", 10, "close"),
    Column("Owner", 8, "owner", hide_below=96),
)
SORT_CYCLE = ("close", "amount", "name", "account", "stage", "probability", "owner")


def table_cells(deal: Opportunity) -> list[str]:
    """A deal's row in the table view."""
    return [
        deal.name,
        deal.account_name or deal.contact_name or "",
        deal.stage,
        money_compact(deal.amount, deal.currency),
        f"{deal.probability}%",
        money_compact(deal.weighted_amount, deal.currency),
        deal.expected_close.isoformat() if deal.expected_close else "",
        deal.owner or "",
    ]


def next_sort(sort: str) -> str:
    """The sort after ``sort`` in :data:`SORT_CYCLE` (its first after any other)."""
    index = SORT_CYCLE.index(sort) if sort in SORT_CYCLE else -1
    return SORT_CYCLE[(index + 1) % len(SORT_CYCLE)]
