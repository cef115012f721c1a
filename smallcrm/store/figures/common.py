"""Helpers the figures share: the period, the owner and stage conditions, months, medians."""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Any

from smallcrm.store.db import Tx
from smallcrm.store.figures.model import Filters
from smallcrm.store.listing import Where

# A date or timestamp column's month as 'YYYY-MM' and day as 'YYYY-MM-DD' on both databases
# (PostgreSQL casts dates and timestamps to ISO text with its default DateStyle).
MONTH = "substr(CAST({} AS TEXT), 1, 7)"
DAY = "substr(CAST({} AS TEXT), 1, 10)"


def period_start(filters: Filters, today: date, default_days: int) -> date:
    """The first day of the period: the filter's, else ``default_days`` before today."""
    return filters.since or today - timedelta(days=default_days)


def month_start(day: date, back: int = 0) -> date:
    """The first day of ``day``'s month, ``back`` months earlier."""
    index = day.year * 12 + day.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


def next_month(day: date) -> date:
    """The first day of the month after ``day``'s."""
    return month_start(date(day.year + day.month // 12, day.month % 12 + 1, 1))


def months(first: date, last: date) -> list[date]:
    """The first days of every month from ``first``'s to ``last``'s."""
    found, current = [], month_start(first)
    while current <= last:
        found.append(current)
        current = next_month(current)
    return found


def deal_where(filters: Filters, alias: str = "o", *, stages: bool = True) -> Where:
    """Live deals of the filter's owner (and stages)."""
    where = Where()
    where.add(f"{alias}.deleted_at IS NULL")
    if filters.owner:
        where.add(f"{alias}.owner = :owner", owner=filters.owner)
    if stages and filters.stages:
        names = {f"st{i}": name for i, name in enumerate(filters.stages)}
        where.add(f"{alias}.stage IN ({', '.join(':' + n for n in names)})", **names)
    return where


def median(values: Sequence[float]) -> float | None:
    """The median, or None for no values."""
    return float(statistics.median(values)) if values else None


def currencies_in_use(tx: Tx) -> list[str]:
    """The currencies live deals are in, the most used first."""
    found = tx.all(
        "SELECT currency, count(*) AS n FROM opportunity WHERE deleted_at IS NULL "
        "GROUP BY currency ORDER BY n DESC, currency"
    )
    return [row["currency"] for row in found]


def labelled(label: str, currency: str | None, several: bool) -> str:
    """A line's label, with its currency when more than one is in use."""
    return f"{label} {currency}" if several and currency else label


def as_int(value: Any) -> int:
    """A SUM that may be NULL or a Decimal (PostgreSQL) as an int."""
    return int(value or 0)


def share(part: int, whole: int) -> float | None:
    """``part`` of ``whole`` in percent, one decimal (None for an empty whole)."""
    return None if not whole else round(100 * part / whole, 1)


def stage_rows(tx: Tx, names: Iterable[str] | None = None) -> list[Any]:
    """The pipeline's stages in order (only ``names``, when given)."""
    rows = tx.all("SELECT * FROM stage ORDER BY position")
    wanted = set(names) if names else None
    return [row for row in rows if wanted is None or row["name"] in wanted]
