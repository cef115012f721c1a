"""How well the business keeps its promises: first response and resolution times per priority,
the share of cases that met their targets, and the open cases by age.

Times are working time, as the clocks counted them (``case_clock``): the median and the 90th
percentile (nearest rank: the time within which nine cases in ten were answered). A case
counts towards the response figures once it has a first response, towards the resolution
figures once it is resolved or closed. Both read what the clocks stored on each case, so the
report is one scan of the period's cases.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta

from smallcrm.store.case_targets import PRIORITIES
from smallcrm.store.db import Database, to_datetime

# Open cases by age: (label, younger than this many days).
AGES = (("under 1 day", 1), ("1-3 days", 3), ("3-7 days", 7), ("1-4 weeks", 28), ("older", None))


@dataclass(frozen=True)
class Figures:
    """One clock's figures for one priority: how many cases, median and 90th percentile
    (minutes of working time), and the share that met the target (0..1)."""

    count: int
    median: float | None
    p90: float | None
    met: float | None


@dataclass(frozen=True)
class PriorityLine:
    """One priority's line of the report."""

    priority: str
    cases: int
    response: Figures
    resolution: Figures


@dataclass(frozen=True)
class CaseReport:
    """The report for cases opened since ``since``, and today's open backlog by age."""

    since: datetime
    lines: tuple[PriorityLine, ...]
    backlog: tuple[tuple[str, int], ...]


def _figures(pairs: list[tuple[int, int]]) -> Figures:
    """(used, target) seconds of the cases a clock stopped for."""
    if not pairs:
        return Figures(0, None, None, None)
    minutes = sorted(used / 60 for used, _target in pairs)
    rank = max(1, math.ceil(0.9 * len(minutes)))
    met = sum(1 for used, target in pairs if used <= target) / len(pairs)
    return Figures(len(pairs), statistics.median(minutes), minutes[rank - 1], met)


def case_report(db: Database, since: datetime, now: datetime) -> CaseReport:
    """The figures for cases opened on or after ``since``; the backlog as of ``now``."""
    responses: dict[str, list[tuple[int, int]]] = {p: [] for p in PRIORITIES}
    resolutions: dict[str, list[tuple[int, int]]] = {p: [] for p in PRIORITIES}
    counts = dict.fromkeys(PRIORITIES, 0)
    with db.read() as tx:
        found = tx.all(
            "SELECT priority, response_used, response_target, resolve_used, resolve_target, "
            "first_response_at IS NOT NULL AS responded, resolved_at IS NOT NULL AS resolved "
            "FROM service_case WHERE deleted_at IS NULL AND created_at >= :since",
            since=since,
        )
        opened = tx.all(
            "SELECT created_at FROM service_case WHERE deleted_at IS NULL AND resolved_at IS NULL"
        )
    for row in found:
        priority = row["priority"]
        counts[priority] = counts.get(priority, 0) + 1
        if row["responded"]:
            responses[priority].append((row["response_used"], row["response_target"]))
        if row["resolved"]:
            resolutions[priority].append((row["resolve_used"], row["resolve_target"]))
    lines = tuple(
        PriorityLine(p, counts[p], _figures(responses[p]), _figures(resolutions[p]))
        for p in reversed(PRIORITIES)
    )
    return CaseReport(since, lines, _backlog([to_datetime(r["created_at"]) for r in opened], now))


def _backlog(created: list[datetime], now: datetime) -> tuple[tuple[str, int], ...]:
    buckets = dict.fromkeys((label for label, _days in AGES), 0)
    for moment in created:
        age = now - moment
        for label, days in AGES:
            if days is None or age < timedelta(days=days):
                buckets[label] += 1
                break
    return tuple(buckets.items())
