"""The shape every figure of the dashboard and of ``smallcrm report`` shares.

A figure is a small table: named value columns, one line per stage, month, week, person or
check, and a few headline numbers. The screen draws it (bars, a sparkline), the shell prints it
as a table, JSON or CSV, and the HTML report draws it as SVG: all from this one value, so the
faces cannot disagree. Each line may name the list of records behind it (``Drill``): a deal
stage's deals, the contacts with no email address.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from smallcrm.store.listing import ListQuery

# What a value column holds, so each face formats it alike.
COUNT = "count"
CENTS = "cents"  # money in cents, in the line's currency
PERCENT = "percent"  # 0..100
DAYS = "days"
MINUTES = "minutes"


@dataclass(frozen=True)
class Filters:
    """What the figures are about: one owner's records (None: everyone's), the period from
    ``since`` (None: each figure's own default: 12 months, 12 weeks), and a set of pipeline
    stages (empty: every stage)."""

    owner: str | None = None
    since: date | None = None
    stages: tuple[str, ...] = ()


@dataclass(frozen=True)
class Drill:
    """The list behind a figure: the kind's list screen (or ``smallcrm list``) with a query."""

    kind: str
    query: ListQuery


@dataclass(frozen=True)
class Column:
    """One value column: its name (also the JSON and CSV key) and what it holds."""

    name: str
    unit: str = COUNT


@dataclass(frozen=True)
class Line:
    """One line of a figure: its label, its values (one per column, None when there is
    nothing to count), the currency of its money and the records behind it."""

    label: str
    values: tuple[int | float | None, ...]
    currency: str | None = None
    drill: Drill | None = None


@dataclass(frozen=True)
class Headline:
    """One headline number: ``Win rate 38%``."""

    label: str
    value: int | float | None
    unit: str = COUNT
    currency: str | None = None


@dataclass(frozen=True)
class Figure:
    """One tile's numbers: ``chart`` says how it is best drawn: ``bars`` (the first one or two
    columns as bars), ``spark`` (the first column as a sparkline, in line order), ``funnel``
    or ``table``."""

    key: str
    title: str
    columns: tuple[Column, ...]
    lines: tuple[Line, ...]
    headlines: tuple[Headline, ...] = ()
    chart: str = "bars"
    period: tuple[date, date] | None = None
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def column(self, name: str) -> int:
        """The position of the column ``name``."""
        return [c.name for c in self.columns].index(name)


def day_of(value: date | datetime) -> date:
    """A stored date or timestamp as a day."""
    return value.date() if isinstance(value, datetime) else value
