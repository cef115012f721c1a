"""Figures as words and plain data, the same for every face: a value with its unit
(``12,500 EUR``, ``38%``, ``41 days``, ``1h30``), a figure as JSON-ready data, and as rows of
CSV (one value a row: figure, line, currency, column, value, which any spreadsheet pivots)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from smallcrm.store.figures.model import CENTS, DAYS, MINUTES, PERCENT, Figure, Line
from smallcrm.store.formats import money_abbreviated, money_compact

CSV_HEADER = ("figure", "line", "currency", "column", "value")


def value_text(value: int | float | None, unit: str, currency: str | None = None) -> str:
    """A value as people read it; ``-`` for nothing to count."""
    if value is None:
        return "-"
    if unit == CENTS:
        return money_compact(Decimal(round(value)) / 100, currency)
    if unit == PERCENT:
        return f"{value:.0f}%"
    if unit == DAYS:
        return f"{value:.0f} days" if value != 1 else "1 day"
    if unit == MINUTES:
        whole = round(value)
        return f"{whole // 60}h{whole % 60:02d}"
    return f"{value:,.1f}" if isinstance(value, float) and value != int(value) else f"{value:,.0f}"


def short_text(value: int | float | None, unit: str) -> str:
    """A value for a narrow cell: money abbreviated (``12.5k``), others as ``value_text``."""
    if unit == CENTS and value is not None:
        return money_abbreviated(Decimal(round(value)) / 100)
    return value_text(value, unit)


def plain_value(value: int | float | None, unit: str) -> Any:
    """A value for JSON and CSV: money in whole units with cents, others as they are."""
    if value is None or unit != CENTS:
        return value
    return float(Decimal(round(value)) / 100)


def line_cells(figure: Figure, line: Line) -> list[str]:
    """A line's values as text, one per column."""
    return [
        value_text(value, column.unit, line.currency)
        for value, column in zip(line.values, figure.columns, strict=True)
    ]


def headline_texts(figure: Figure) -> list[tuple[str, str]]:
    """``(label, value)`` of each headline (money names its currency in the value)."""
    return [(h.label, value_text(h.value, h.unit, h.currency)) for h in figure.headlines]


def headline_short(figure: Figure) -> list[tuple[str, str]]:
    """``(label, value)`` of each headline for a narrow tile: money abbreviated (``1.1M EUR``)."""
    found = []
    for h in figure.headlines:
        text = value_text(h.value, h.unit, h.currency)
        if h.unit == CENTS and h.value is not None:
            text = short_text(h.value, h.unit) + (f" {h.currency}" if h.currency else "")
        found.append((h.label, text))
    return found


def as_data(figure: Figure) -> dict[str, Any]:
    """A figure as plain data for JSON."""
    data: dict[str, Any] = {"figure": figure.key, "title": figure.title}
    if figure.period:
        data["period"] = [figure.period[0].isoformat(), figure.period[1].isoformat()]
    if figure.note:
        data["note"] = figure.note
    data["headlines"] = [
        {"label": h.label, "value": plain_value(h.value, h.unit), "unit": h.unit}
        | ({"currency": h.currency} if h.currency else {})
        for h in figure.headlines
    ]
    data["lines"] = [
        {"label": line.label}
        | ({"currency": line.currency} if line.currency else {})
        | {
            column.name: plain_value(value, column.unit)
            for column, value in zip(figure.columns, line.values, strict=True)
        }
        for line in figure.lines
    ]
    return data


def csv_rows(figure: Figure) -> Iterator[tuple[Any, ...]]:
    """The figure's values, one per row, after ``CSV_HEADER``."""
    for line in figure.lines:
        for column, value in zip(figure.columns, line.values, strict=True):
            yield (
                figure.key,
                line.label,
                line.currency or "",
                column.name,
                "" if value is None else plain_value(value, column.unit),
            )
