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


def _open_rows(tx: Tx) -> str:
    """The stage rows in open stages first (SQLite: through the index holding every column
    they are filtered on, then each row's deal by its key: a third less than walking every
    deal and looking up its stages; SQLite keeps the tables of a CROSS JOIN in the order
    written and, without statistics, chose worse indexes)."""
    if tx.dialect == "sqlite":
        return "stage_change h INDEXED BY ix_stage_change_open CROSS JOIN opportunity o "
    return "stage_change h JOIN opportunity o "


def _buckets(count: int) -> tuple[str, str]:
    """SQL for a stage row's first and last moment (0..count-1): it counts at every moment from
    the first after it was entered to the last before it was left. Most rows are settled by
    the first test of each chain, where a sum per moment made every row test every moment."""
    first = " ".join(f"WHEN h.changed_at < :e{i} THEN {i}" for i in range(count))
    last = " ".join(f"WHEN h.left_at < :e{i} THEN {i - 1}" for i in range(count))
    return (
        f"CASE {first} ELSE {count} END",
        f"CASE WHEN h.left_at IS NULL THEN {count - 1} {last} ELSE {count - 1} END",
    )


def pipeline_history(tx: Tx, filters: Filters, today: date) -> Figure:
    """Open deals and their total at each month's end."""
    ends = month_ends(today)
    moments = {f"e{i}": clock.at(day + timedelta(days=1)) for i, day in enumerate(ends)}
    where = c.deal_where(filters, stages=False)
    if filters.stages:
        names = {f"st{i}": name for i, name in enumerate(filters.stages)}
        where.add(f"h.stage IN ({', '.join(':' + n for n in names)})", **names)
    # The open stages' names, read in this transaction: a list to test, where joining the
    # stages read a stage row for every deal.
    open_names = {f"op{i}": r["name"] for i, r in enumerate(c.stage_rows(tx)) if not r["is_closed"]}
    where.add(f"h.stage IN ({', '.join(':' + n for n in open_names) or 'NULL'})", **open_names)
    where.add("(h.left_at IS NULL OR h.left_at >= :e0) AND h.changed_at < :last")
    first, last = _buckets(len(ends))
    found = tx.all(
        f"SELECT o.currency, {first} AS first, {last} AS last, count(*) AS n, "
        f"sum(o.amount_cents) AS amount FROM {_open_rows(tx)}ON o.id = h.opportunity_id "
        f"{where.sql} "
        "GROUP BY o.currency, 2, 3",
        **where.params,
        **moments,
        last=moments[f"e{len(ends) - 1}"],
    )
    totals: dict[str, list[list[int]]] = {}
    for row in found:
        slots = totals.setdefault(row["currency"], [[0, 0] for _ in ends])
        for index in range(int(row["first"]), int(row["last"]) + 1):
            slots[index][0] += c.as_int(row["n"])
            slots[index][1] += c.as_int(row["amount"])
    several = len(totals) > 1
    each: list[tuple[str | None, list[list[int]]]] = [(k, totals[k]) for k in sorted(totals)]
    lines = tuple(
        Line(c.labelled(day.isoformat()[:7], currency, several), tuple(slots[i]), currency)
        for i, day in enumerate(ends)
        for currency, slots in (each or [(None, [[0, 0] for _ in ends])])
    )
    columns = (Column("deals", COUNT), Column("total", CENTS))
    note = "open deals at each month's end, at today's amounts"
    return Figure(
        "history", "Pipeline at month ends", columns, lines, (), "bars", (ends[0], today), note
    )
