"""The open pipeline as it stood at the end of each of the last six months, read from the
deals' stage history (``stage_change``): a deal counts at a moment when the stage it was in
then was an open one. Amounts are today's amounts (the history keeps stages, not amounts)."""

from __future__ import annotations

from datetime import date, timedelta

from smallcrm.store import clock
from smallcrm.store.db import Tx
from smallcrm.store.figures import common as c
from smallcrm.store.figures.model import CENTS, COUNT, Column, Figure, Filters, Line

MONTHS = 6


def month_ends(today: date) -> list[date]:
    """The last day of each of the five months before this one, and today."""
    firsts = [c.month_start(today, back) for back in range(MONTHS - 1, 0, -1)]
    return [c.next_month(first) - timedelta(days=1) for first in firsts] + [today]


def _covering(tx: Tx) -> str:
    """SQLite's planner, without statistics, walked another index of live deals and read
    every row behind it for the amount: name the one that holds every column read."""
    return "INDEXED BY ix_opportunity_figures " if tx.dialect == "sqlite" else ""


def pipeline_history(tx: Tx, filters: Filters, today: date) -> Figure:
    """Open deals and their total at each month's end."""
    ends = month_ends(today)
    moments = {f"e{i}": clock.at(day + timedelta(days=1)) for i, day in enumerate(ends)}
    where = c.deal_where(filters, stages=False)
    if filters.stages:
        names = {f"st{i}": name for i, name in enumerate(filters.stages)}
        where.add(f"h.stage IN ({', '.join(':' + n for n in names)})", **names)
    where.add("(h.left_at IS NULL OR h.left_at >= :e0) AND h.changed_at < :last")
    sums = ", ".join(
        f"sum(CASE WHEN h.changed_at < :{key} AND (h.left_at IS NULL OR h.left_at >= :{key}) "
        f"THEN {what} ELSE 0 END) AS {label}{key}"
        for key in moments
        for label, what in (("n", "1"), ("a", "o.amount_cents"))
    )
    found = tx.all(
        # Deals first (their covering index), then each deal's stages from the history's own
        # covering index: reading the rows behind either index cost ten times as much.
        # (SQLite keeps the tables of a CROSS JOIN in the order written.)
        f"SELECT o.currency, {sums} FROM opportunity o {_covering(tx)}"
        f"{'CROSS JOIN' if tx.dialect == 'sqlite' else 'JOIN'} stage_change h "
        "ON h.opportunity_id = o.id "
        f"JOIN stage s ON s.name = h.stage AND s.is_closed = FALSE {where.sql} "
        "GROUP BY o.currency",
        **where.params,
        **moments,
        last=moments[f"e{len(ends) - 1}"],
    )
    several = len(found) > 1
    lines = tuple(
        Line(
            c.labelled(day.isoformat()[:7], row["currency"] if row else None, several),
            (c.as_int(row[f"ne{i}"]), c.as_int(row[f"ae{i}"])) if row else (0, 0),
            row["currency"] if row else None,
        )
        for i, day in enumerate(ends)
        for row in (found or [None])
    )
    columns = (Column("deals", COUNT), Column("total", CENTS))
    note = "open deals at each month's end, at today's amounts"
    return Figure(
        "history", "Pipeline at month ends", columns, lines, (), "bars", (ends[0], today), note
    )
