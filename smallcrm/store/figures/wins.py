"""How often deals are won and how long it takes, and how far they get: the funnel.

The win rate counts the deals closed in the period (won / won + lost), month by month; the
sales cycle is the median number of days from a won deal's creation to its close date.
The funnel follows the deals created in the period: how many reached each stage, and how many
of those that reached one stage never reached the next (the drop-off). A deal "reached" every
stage up to the one it is in (an open deal) or the furthest open stage its history shows (a
lost deal, even one moved back before it was lost); a won deal reached them all.
"""

from __future__ import annotations

from datetime import date

from smallcrm.store import clock
from smallcrm.store.db import Tx, to_date, to_datetime
from smallcrm.store.figures import common as c
from smallcrm.store.figures.model import (
    COUNT,
    DAYS,
    PERCENT,
    Column,
    Drill,
    Figure,
    Filters,
    Headline,
    Line,
)
from smallcrm.store.listing import ListQuery

YEAR = 365


def winrate(tx: Tx, filters: Filters, today: date) -> Figure:
    """Won, lost and the win rate per month of closing (this month and the eleven before it
    unless the filter says), with the median sales cycle."""
    since = filters.since or c.month_start(today, 11)
    where = c.deal_where(filters, stages=False)
    where.add("s.is_closed = TRUE AND o.closed_on >= :since", since=since)
    month = c.MONTH.format("o.closed_on")
    found = tx.all(
        f"SELECT {month} AS m, s.is_won AS won, count(*) AS n "
        f"FROM opportunity o JOIN stage s ON s.name = o.stage {where.sql} "
        f"GROUP BY {month}, s.is_won",
        **where.params,
    )
    counts: dict[str, list[int]] = {}
    for row in found:
        counts.setdefault(row["m"], [0, 0])[0 if row["won"] else 1] += int(row["n"])
    lines = []
    for first in c.months(since, today):
        won, lost = counts.get(first.isoformat()[:7], [0, 0])
        lines.append(Line(first.isoformat()[:7], (won, lost, c.share(won, won + lost))))
    won = sum(int(line.values[0] or 0) for line in lines)
    lost = sum(int(line.values[1] or 0) for line in lines)
    cycle = _cycle(tx, filters, since)
    headlines = (
        Headline("Win rate", c.share(won, won + lost), PERCENT),
        Headline("Median cycle", cycle, DAYS),
        Headline("Won", won),
        Headline("Lost", lost),
    )
    columns = (Column("won"), Column("lost"), Column("win_rate", PERCENT))
    return Figure("winrate", "Win rate", columns, tuple(lines), headlines, "spark", (since, today))


def _cycle(tx: Tx, filters: Filters, since: date) -> float | None:
    """The median days from creation to close of the deals won since ``since``."""
    where = c.deal_where(filters, stages=False)
    where.add("s.is_won = TRUE AND o.closed_on >= :since", since=since)
    zone = getattr(clock.zone(), "key", None)
    if tx.dialect == "postgresql" and zone:
        # Counted by the server, each number of days once: reading every won deal's moment
        # and turning it into a local date here cost 20 ms at 4,600 deals.
        counted = tx.all(
            "SELECT o.closed_on - CAST(timezone(:zone, o.created_at) AS date) AS d, "
            f"count(*) AS n FROM opportunity o JOIN stage s ON s.name = o.stage {where.sql} "
            "GROUP BY 1",
            zone=zone,
            **where.params,
        )
        return c.median([max(0, int(r["d"])) for r in counted for _ in range(int(r["n"]))])
    found = tx.all(
        "SELECT o.created_at, o.closed_on FROM opportunity o "
        f"JOIN stage s ON s.name = o.stage {where.sql}",
        **where.params,
    )
    days = [
        (to_date(row["closed_on"]) - clock.local(to_datetime(row["created_at"])).date()).days
        for row in found
    ]
    return c.median([max(0, d) for d in days])


def funnel(tx: Tx, filters: Filters, today: date) -> Figure:
    """Deals created in the period that reached each open stage and won, with the drop-off."""
    since = c.period_start(filters, today, YEAR)
    where = c.deal_where(filters, stages=False)
    where.add("o.created_at >= :since", since=clock.at(since))
    reached = _furthest(tx, where.sql, where.params)
    stages = [row for row in c.stage_rows(tx) if not row["is_closed"] or row["is_won"]]
    if filters.stages:
        stages = [row for row in stages if row["name"] in filters.stages]
    lines: list[Line] = []
    previous: int | None = None
    for stage in stages:
        count = sum(n for position, n in reached.items() if position >= stage["position"])
        drop = None if previous is None else c.share(previous - count, previous)
        query = ListQuery(stage=stage["name"], owner=filters.owner)
        lines.append(Line(stage["name"], (count, drop), drill=Drill("opportunity", query)))
        previous = count
    columns = (Column("reached"), Column("drop_off", PERCENT))
    started = lines[0].values[0] if lines else 0
    won = lines[-1].values[0] if lines else 0
    headlines = (Headline("Created", started, COUNT), Headline("Won", won, COUNT))
    return Figure(
        "funnel", "Stage funnel", columns, tuple(lines), headlines, "funnel", (since, today)
    )


def _furthest(tx: Tx, where_sql: str, params: dict[str, object]) -> dict[int, int]:
    """How many deals got furthest to each stage position: a won deal to the won stage, an
    open one to its stage, a lost one to the furthest open stage its history shows."""
    found = tx.all(
        "SELECT CASE WHEN s.is_won = TRUE OR s.is_closed = FALSE THEN s.position ELSE "
        "coalesce((SELECT max(f.position) FROM stage_change h JOIN stage f ON f.name = h.stage "
        "WHERE h.opportunity_id = o.id AND f.is_closed = FALSE), "
        "(SELECT min(position) FROM stage)) END AS furthest, "
        "count(*) AS n "
        f"FROM opportunity o JOIN stage s ON s.name = o.stage {where_sql} GROUP BY 1",
        **params,
    )
    return {int(row["furthest"]): int(row["n"]) for row in found}
