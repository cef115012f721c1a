"""Who did how much: interactions logged per week and per person, read from the daily roll-up
(``activity_day``, kept by triggers) rather than from the interactions themselves. A person is
whoever logged the interaction; the owner filter keeps that person's. Days are the roll-up's
UTC days (``rollups.py``), on the dashboard and in ``smallcrm report activity`` alike: an
interaction logged late in the evening west of Greenwich counts on the next day."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from smallcrm.store import validate as v
from smallcrm.store.db import Tx, to_date
from smallcrm.store.figures.model import COUNT, Column, Drill, Figure, Filters, Headline, Line
from smallcrm.store.listing import ListQuery

WEEKS = 12


def first_week(filters: Filters, today: date) -> date:
    """The Monday the period starts on: the filter's week, else 11 weeks before this one."""
    start = filters.since or today - timedelta(weeks=WEEKS - 1)
    return start - timedelta(days=start.weekday())


def _days(tx: Tx, filters: Filters, first: date, group: str) -> list[Any]:
    sql = f"SELECT {group}, sum(n) AS n FROM activity_day WHERE day >= :first"
    params: dict[str, object] = {"first": first}
    if filters.owner:
        sql += " AND person = :owner"
        params["owner"] = filters.owner
    return tx.all(f"{sql} GROUP BY {group}", **params)


def weekly(tx: Tx, filters: Filters, today: date) -> Figure:
    """Interactions logged per week (Monday to Sunday), oldest week first."""
    first = first_week(filters, today)
    per_day = {to_date(day): int(n or 0) for day, n in _days(tx, filters, first, "day")}
    lines: list[Line] = []
    monday = first
    while monday <= today:
        sunday = monday + timedelta(days=6)
        count = sum(n for day, n in per_day.items() if monday <= day <= sunday)
        query = ListQuery(owner=filters.owner, since=monday, until=sunday)
        lines.append(Line(monday.isoformat(), (count,), drill=Drill("interaction", query)))
        monday += timedelta(days=7)
    total = sum(int(line.values[0] or 0) for line in lines)
    average = round(total / len(lines), 1) if lines else None
    headlines = (Headline("Interactions", total), Headline("Per week", average))
    return Figure(
        "activity",
        "Activity per week",
        (Column("interactions", COUNT),),
        tuple(lines),
        headlines,
        "spark",
        (first, today),
    )


def people(tx: Tx, filters: Filters, today: date) -> Figure:
    """Interactions per person over the same weeks, by kind, the busiest first."""
    first = first_week(filters, today)
    counts: dict[str, dict[str, int]] = {}
    for person, kind, n in _days(tx, filters, first, "person, kind"):
        counts.setdefault(str(person), {})[str(kind)] = int(n or 0)
    kinds = list(v.INTERACTION_KINDS)
    for per_kind in counts.values():
        kinds += [kind for kind in per_kind if kind not in kinds]
    ranked = sorted(counts.items(), key=lambda item: (-sum(item[1].values()), item[0]))
    lines = tuple(
        Line(
            person,
            (sum(per_kind.values()), *(per_kind.get(kind, 0) for kind in kinds)),
            drill=Drill("interaction", ListQuery(owner=person, since=first)),
        )
        for person, per_kind in ranked
    )
    columns = (Column("interactions"), *(Column(kind) for kind in kinds))
    return Figure("people", "Activity per person", columns, lines, (), "bars", (first, today))
