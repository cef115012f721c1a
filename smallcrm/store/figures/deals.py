"""Figures of the deals: the open pipeline by stage and the forecast by close month.

Amounts stay in each deal's own currency: with more than one in use, each stage or month has
a line per currency (no exchange rates). Weighted means the amount times the deal's
probability.
"""

from __future__ import annotations

from datetime import date, timedelta

from smallcrm.store.db import Tx
from smallcrm.store.figures import common as c
from smallcrm.store.figures.model import (
    CENTS,
    COUNT,
    Column,
    Drill,
    Figure,
    Filters,
    Headline,
    Line,
)
from smallcrm.store.listing import ListQuery

MONEY_COLUMNS = (Column("deals", COUNT), Column("total", CENTS), Column("weighted", CENTS))
FORECAST_MONTHS = 6


def _totals(lines: list[Line]) -> tuple[Headline, ...]:
    """Open total and weighted per currency."""
    sums: dict[str | None, list[int]] = {}
    for line in lines:
        total = sums.setdefault(line.currency, [0, 0])
        total[0] += int(line.values[1] or 0)
        total[1] += int(line.values[2] or 0)
    found: list[Headline] = []
    for currency, (open_total, weighted) in sums.items():
        found.append(Headline("Open", open_total, CENTS, currency))
        found.append(Headline("Weighted", weighted, CENTS, currency))
    return tuple(found)


def pipeline(tx: Tx, filters: Filters, today: date) -> Figure:
    """Open deals per stage: how many, their total and weighted amounts."""
    where = c.deal_where(filters)
    where.add("s.is_closed = FALSE")
    found = tx.all(
        "SELECT o.stage, o.currency, count(*) AS n, sum(o.amount_cents) AS total, "
        "sum(CAST(o.amount_cents AS BIGINT) * o.probability) AS weighted "
        f"FROM opportunity o JOIN stage s ON s.name = o.stage {where.sql} "
        "GROUP BY o.stage, o.currency",
        **where.params,
    )
    in_use: list[str | None] = [*sorted({row["currency"] for row in found})] or [None]
    several = len(in_use) > 1
    by_stage = {(row["stage"], row["currency"]): row for row in found}
    lines: list[Line] = []
    for stage in c.stage_rows(tx, filters.stages or None):
        if stage["is_closed"]:
            continue
        for currency in in_use:
            row = by_stage.get((stage["name"], currency))
            values = (0, 0, 0)
            if row is not None:
                weighted = round(c.as_int(row["weighted"]) / 100)
                values = (int(row["n"]), c.as_int(row["total"]), weighted)
            query = ListQuery(stage=stage["name"], owner=filters.owner, sort="amount")
            lines.append(
                Line(
                    c.labelled(stage["name"], currency, several),
                    values,
                    currency,
                    Drill("opportunity", query),
                )
            )
    return Figure("pipeline", "Pipeline", MONEY_COLUMNS, tuple(lines), _totals(lines))


def forecast(tx: Tx, filters: Filters, today: date) -> Figure:
    """Open deals by expected close month, from this month on for six months; deals whose
    date has passed are one line of their own ("overdue"); deals with no date are left out."""
    first = c.month_start(today)
    end = c.month_start(today, -FORECAST_MONTHS)
    where = c.deal_where(filters)
    where.add("s.is_closed = FALSE")
    where.add("o.expected_close IS NOT NULL AND o.expected_close < :end", end=end)
    month = c.MONTH.format("o.expected_close")
    found = tx.all(
        f"SELECT {month} AS m, o.currency, count(*) AS n, sum(o.amount_cents) AS total, "
        "sum(CAST(o.amount_cents AS BIGINT) * o.probability) AS weighted "
        f"FROM opportunity o JOIN stage s ON s.name = o.stage {where.sql} "
        f"GROUP BY {month}, o.currency",
        **where.params,
    )
    several = len({row["currency"] for row in found}) > 1
    sums: dict[tuple[str, str], list[int]] = {}
    for row in found:
        key = "overdue" if row["m"] < first.isoformat()[:7] else row["m"]
        slot = sums.setdefault((key, row["currency"]), [0, 0, 0])
        slot[0] += int(row["n"])
        slot[1] += c.as_int(row["total"])
        slot[2] += c.as_int(row["weighted"])
    currencies: list[str | None] = [*sorted({cur for _key, cur in sums})] or [None]
    lines: list[Line] = []
    months: list[tuple[str, date | None, date]] = [("overdue", None, first - timedelta(days=1))] + [
        (day.isoformat()[:7], day, c.next_month(day) - timedelta(days=1))
        for day in c.months(first, end - timedelta(days=1))
    ]
    for label, since, until in months:
        for currency in currencies:
            n, total, weighted = sums.get((label, currency or ""), [0, 0, 0])
            if label == "overdue" and not n:
                continue
            query = ListQuery(
                open_only=True, owner=filters.owner, since=since, until=until, sort="close"
            )
            lines.append(
                Line(
                    c.labelled(label, currency, several),
                    (n, total, round(weighted / 100)),
                    currency,
                    Drill("opportunity", query),
                )
            )
    return Figure("forecast", "Forecast by close month", MONEY_COLUMNS, tuple(lines))
