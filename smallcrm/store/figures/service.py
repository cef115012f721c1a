"""Whether service promises are kept: open cases, those past a target (breached) or with less
than a quarter of it left (at risk), and the median first response in working time of the
cases opened in the period (90 days unless the filter says), as ``smallcrm report cases``
counts it."""

from __future__ import annotations

from datetime import date

from smallcrm.store import clock
from smallcrm.store.db import Tx
from smallcrm.store.figures.common import median, period_start
from smallcrm.store.figures.model import (
    COUNT,
    MINUTES,
    Column,
    Drill,
    Figure,
    Filters,
    Headline,
    Line,
)
from smallcrm.store.listing import ListQuery

DEFAULT_DAYS = 90


def cases(tx: Tx, filters: Filters, today: date) -> Figure:
    """Open, breached and at-risk cases now; the period's median first response."""
    now = clock.now_utc()
    owner = " AND owner = :owner" if filters.owner else ""
    params: dict[str, object] = {"owner": filters.owner} if filters.owner else {}
    row = tx.row(
        "SELECT count(*) AS open, "
        "sum(CASE WHEN due_at <= :now THEN 1 ELSE 0 END) AS breached, "
        "sum(CASE WHEN risk_at <= :now AND NOT due_at <= :now THEN 1 ELSE 0 END) AS at_risk "
        f"FROM service_case WHERE deleted_at IS NULL AND resolved_at IS NULL{owner}",
        now=now,
        **params,
    )
    since = period_start(filters, today, DEFAULT_DAYS)
    used = tx.all(
        "SELECT response_used FROM service_case WHERE deleted_at IS NULL "
        f"AND first_response_at IS NOT NULL AND created_at >= :since{owner}",
        since=clock.at(since),
        **params,
    )
    minutes = median([int(r["response_used"]) / 60 for r in used])

    def drill(**extra: object) -> Drill:
        return Drill("service_case", ListQuery(owner=filters.owner, extra=dict(extra)))

    lines = (
        Line("open", (int(row["open"] or 0),), drill=drill(status="")),
        Line("breached", (int(row["breached"] or 0),), drill=drill(breached=True)),
        Line("at risk", (int(row["at_risk"] or 0),), drill=drill(at_risk=True)),
    )
    headlines = (
        Headline("Median first response", minutes, MINUTES),
        Headline("Answered", len(used)),
    )
    return Figure(
        "cases",
        "Cases",
        (Column("cases", COUNT),),
        lines,
        headlines,
        "bars",
        (since, today),
    )
