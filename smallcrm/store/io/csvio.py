"""CSV in and out: delimiter detection, header mapping, row problems, spreadsheet-safe cells.

Reading: the delimiter (comma, semicolon, tab or bar) is the one the header line uses most
outside quotes; each record keeps the line it starts on, so problems point at the right line
even when a quoted cell spans several lines. A row with more or fewer cells than the header, and
a quote that is never closed (which swallows the rest of the file), are reported, not guessed.

Writing: a cell a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``,
tab, carriage return or NUL) gets a leading ``'``; NUL bytes are dropped. Reading strips that
``'`` again, so an export imports back unchanged.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, TextIO

from smallcrm.store.errors import ValidationError

from .common import Problem
from .convert import Fields, Item
from .mapping import Column, guess_kind, map_columns
from .parsed import ParsedFile, SourceRecord
from .values import method_label

DELIMITERS = (",", ";", "\t", "|")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\x00")
REQUIRED = {
    "contact": ("name", "first_name", "last_name", "nickname"),
    "account": ("name",),
    "opportunity": ("name",),
    "interaction": ("happened_at",),
    "appointment": ("starts_at", "start_date"),
}
csv.field_size_limit(10 * 2**20)  # long notes are fine; a runaway quote is caught below


def detect_delimiter(text: str) -> str:
    """The delimiter the first line uses most outside quotes (comma when none is used)."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in text:
        if char == '"':
            quoted = not quoted
        elif char in "\r\n" and not quoted:
            break
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_csv(
    text: str,
    kind: str | None = None,
    overrides: Mapping[str, str] | None = None,
    delimiter: str | None = None,
) -> ParsedFile:
    """Records of a CSV file, each with its line number and its fields (or its problem)."""
    if not text.strip():
        raise ValidationError("file", "is empty")
    used = delimiter or detect_delimiter(text)
    if len(used) != 1:
        raise ValidationError("delimiter", f"{used!r} is not a single character")
    rows = _rows(text, used)
    header_line, header = next(rows, (0, []))
    header = [h.strip().lstrip("\ufeff") or f"column {i + 1}" for i, h in enumerate(header)]
    kind = kind or guess_kind(header)
    columns = map_columns(header, kind, overrides)
    _require_columns(columns, kind, header)
    plan = _plan(columns)
    records: list[SourceRecord] = []
    for line, cells in rows:
        number = len(records) + 1
        where = f"line {line}"
        problem = _shape_problem(cells, len(header), where, line)
        if isinstance(cells, _Unclosed):
            problem = Problem(
                where,
                "a quoted cell starting here is never closed, so the rest of the file ran "
                "into it (an unbalanced quote)",
                line=line,
            )
        if problem:
            records.append(SourceRecord(number, where, line, kind, None, problem))
            continue
        records.append(SourceRecord(number, where, line, kind, _fields(cells, plan), None))
    return ParsedFile(
        "csv",
        kind,
        records,
        {
            "delimiter": used,
            "header_line": header_line,
            "columns": [c.describe() for c in columns if c.role == "value"],
            "mapping": [
                {"header": c.header, "field": c.field, "label": c.label}
                for c in columns
                if c.role == "value"
            ],
            "unmapped": [c.header for c in columns if c.field is None and c.role == "value"],
        },
    )


class _Unclosed(list[str]):
    """The cells of a record that ran to the end of the file inside a quote."""


def _rows(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(first line, cells) of each non-blank record."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    # An odd number of quotes means one was never closed: the record holding it runs to the
    # end of the file, its last cell swallowing every line after it.
    last_line = sum(1 for _ in io.StringIO(text, newline="")) if text.count('"') % 2 else -1
    previous_end = 0
    try:
        for cells in reader:
            start = previous_end + 1
            previous_end = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            swallowed = reader.line_num == last_line and any("\n" in c or "\r" in c for c in cells)
            yield start, (_Unclosed(cells) if swallowed else cells)
    except csv.Error as exc:
        raise ValidationError("file", f"line {previous_end + 1}: {exc}") from None


def _shape_problem(cells: list[str], width: int, where: str, line: int) -> Problem | None:
    if len(cells) == width:
        return None
    if len(cells) > width and not any(c.strip() for c in cells[width:]):
        del cells[width:]
        return None
    return Problem(
        where, f"has {len(cells)} cells but the header has {width} (wrong column count)", line=line
    )


def _require_columns(columns: Sequence[Column], kind: str, header: list[str]) -> None:
    mapped = {c.field for c in columns}
    needed = REQUIRED[kind]
    if mapped & set(needed):
        return
    shown = ", ".join(repr(h) for h in header[:15])
    raise ValidationError(
        "mapping",
        f"no column holds the {kind}'s {needed[0].replace('_', ' ')} (columns: {shown}); "
        f'map one with "HEADER={needed[0]}"',
    )


def _plan(columns: Sequence[Column]) -> list[tuple[int, str, str | None, str, int | None]]:
    """(index, field, label, group, index of its label column) of each mapped column."""
    labels = {c.slot: c.index for c in columns if c.role == "label"}
    return [
        (c.index, c.field, c.label, c.group, labels.get(c.slot) if c.slot else None)
        for c in columns
        if c.field is not None and c.role == "value"
    ]


def _fields(cells: list[str], plan: list[tuple[int, str, str | None, str, int | None]]) -> Fields:
    fields: Fields = {}
    for index, field, label, group, label_index in plan:
        cell = cells[index].strip()
        if not cell:
            continue
        if cell[0] == "'":
            cell = unguard(cell)
        if label_index is not None:
            label = method_label(cells[label_index]) or label
        fields.setdefault(field, []).append(Item(cell, label, group))
    return fields


def unguard(cell: str) -> str:
    """Remove the ``'`` a spreadsheet-safe export put before a formula character."""
    if len(cell) > 1 and cell[0] == "'" and cell[1] in "=+-@\t\r":
        return cell[1:]
    return cell


# --- writing -----------------------------------------------------------------------------------


def safe_cell(value: Any) -> str:
    """A value as a CSV cell that no spreadsheet will run as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = str(value).replace("\x00", "")
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def write_csv(
    out: TextIO, columns: Sequence[str], rows: Iterable[Mapping[str, Any]], delimiter: str = ","
) -> int:
    """Write a header and one line per row (streamed); returns the number of rows written."""
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(columns)
    count = 0
    for row in rows:
        writer.writerow([safe_cell(row.get(name)) for name in columns])
        count += 1
    return count
