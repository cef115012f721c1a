"""CSV in and out: delimiter detection, header mapping, row problems, spreadsheet-safe cells.

Reading: the delimiter (comma, semicolon, tab or bar) is the one the header line uses most
outside quotes; each record keeps the line it starts on, so problems point at the right line
even when a quoted cell spans several lines.

The header is the first row that names a column the kind needs, has more cells than every row
before it and no fewer than the row after it, within the first ``HEADER_SEARCH`` rows (else
the first row, which is then refused for its missing column). LinkedIn's ``Connections.csv``
starts with three lines of notes, for example; the skipped lines are named in a warning.

A row with fewer cells than the header is padded with empty cells (Outlook leaves out trailing
empty ones), unless it is the last line of a file that ends without a line break, which is a
file cut short. A row with more cells than the header is refused, naming the extra cells: it
usually means a value with an unquoted delimiter, which has shifted every cell after it. A
quote that is never closed (which swallows the rest of the file) is reported too.

A contact row whose only name is its organisation's (Google's ``Acme Widgets`` with an email
and no person) is an account (``people.is_organisation``).

Writing: a cell a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``,
tab, carriage return or NUL) gets a leading ``'``; NUL bytes are dropped. Reading strips that
``'`` again, so an export imports back unchanged.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import chain, islice
from typing import Any, TextIO

from smallcrm.store.errors import ValidationError

from .common import Problem
from .convert import Fields, Item
from .mapping import Column, guess_kind, map_columns
from .parsed import ParsedFile, SourceRecord
from .people import is_organisation, organisation_fields
from .values import method_label

DELIMITERS = (",", ";", "\t", "|")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\x00")
REQUIRED = {
    "contact": ("name", "first_name", "last_name", "nickname", "company"),
    "account": ("name",),
    "opportunity": ("name",),
    "interaction": ("happened_at",),
    "appointment": ("starts_at", "start_date"),
}
HEADER_SEARCH = 20  # rows a file may have before its header
csv.field_size_limit(10 * 2**20)  # long notes are fine; a runaway quote is caught below
Row = tuple[int, list[str]]


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
    if delimiter is not None and len(delimiter) != 1:
        raise ValidationError("delimiter", f"{delimiter!r} is not a single character")
    used, skipped, (header_line, header), rows = find_header(text, delimiter, kind, overrides)
    kind = kind or guess_kind(header)
    columns = map_columns(header, kind, overrides)
    _require_columns(columns, kind, header)
    plan = _plan(columns)
    records: list[SourceRecord] = []
    width = len(header)
    last_width = width
    for line, cells in rows:
        last_width = len(cells)
        records.append(_record(len(records) + 1, line, cells, width, kind, plan))
    if last_width < width and records and not text.endswith(("\n", "\r")):
        records[-1] = _cut_short(records[-1], last_width, width)
    parsed = ParsedFile("csv", kind, records, _details(used, header_line, columns))
    if skipped:
        parsed.warnings.append(_preamble(skipped, header_line))
    return parsed


def _record(
    number: int, line: int, cells: list[str], width: int, kind: str, plan: list[Any]
) -> SourceRecord:
    where = f"line {line}"
    problem = _shape_problem(cells, width, where, line)
    if isinstance(cells, _Unclosed):
        problem = Problem(
            where,
            "a quoted cell starting here is never closed, so the rest of the file ran "
            "into it (an unbalanced quote)",
            line=line,
        )
    if problem:
        return SourceRecord(number, where, line, kind, None, problem)
    fields = _fields(cells, plan)
    if kind == "contact" and is_organisation(fields):
        return SourceRecord(number, where, line, "account", organisation_fields(fields), None)
    return SourceRecord(number, where, line, kind, fields, None)


def _cut_short(record: SourceRecord, cells: int, width: int) -> SourceRecord:
    if record.problem is not None:
        return record
    reason = (
        f"has {cells} cells but the header has {width}: the file ends in the middle of this row "
        "(it may be cut short)"
    )
    problem = Problem(record.where, reason, line=record.line)
    return SourceRecord(record.number, record.where, record.line, record.kind, None, problem)


def _details(used: str, header_line: int, columns: Sequence[Column]) -> dict[str, Any]:
    return {
        "delimiter": used,
        "header_line": header_line,
        "columns": [c.describe() for c in columns if c.role == "value"],
        "mapping": [
            {"header": c.header, "field": c.field, "label": c.label}
            for c in columns
            if c.role == "value"
        ],
        "unmapped": [c.header for c in columns if c.field is None and c.role == "value"],
    }


def _preamble(skipped: list[Row], header_line: int) -> Problem:
    first = next((" ".join(c for c in cells if c.strip()) for _l, cells in skipped), "")
    shown = first.strip()[:40] + ("..." if len(first.strip()) > 40 else "")
    lines = (
        f"line {skipped[0][0]}"
        if header_line - skipped[0][0] == 1
        else (f"lines {skipped[0][0]}-{header_line - 1}")
    )
    return Problem(
        lines,
        f"skipped: the header is on line {header_line}, after {len(skipped)} "
        f"{'row' if len(skipped) == 1 else 'rows'} of other text ({shown!r})",
    )


def header_names(cells: list[str]) -> list[str]:
    """Column names from a header row (an empty one is ``column N``)."""
    return [h.strip().lstrip("\ufeff") or f"column {i + 1}" for i, h in enumerate(cells)]


def find_header(
    text: str,
    delimiter: str | None = None,
    kind: str | None = None,
    overrides: Mapping[str, str] | None = None,
) -> tuple[str, list[Row], Row, Iterator[Row]]:
    """(delimiter, rows before the header, the header row, the rows after it); see the module
    doc. With no row that looks like a header, the first row is the header."""
    detected = delimiter or detect_delimiter(text)
    tries = [detected] + ([] if delimiter else [d for d in DELIMITERS if d != detected])
    fallback: tuple[str, list[Row], Row, Iterator[Row]] | None = None
    for used in tries:
        rows = _rows(text, used)
        try:
            head = list(islice(rows, HEADER_SEARCH))
        except ValidationError:
            if used == detected:
                raise
            continue
        if fallback is None:
            first = head[0] if head else (0, [])
            fallback = (used, [], (first[0], header_names(first[1])), chain(head[1:], rows))
        index = _header_index(head, kind, overrides)
        if index is not None:
            line, cells = head[index]
            return used, head[:index], (line, header_names(cells)), chain(head[index + 1 :], rows)
    assert fallback is not None
    return fallback


def _header_index(
    head: list[Row], kind: str | None, overrides: Mapping[str, str] | None
) -> int | None:
    """The first row that names a column the kind needs, is wider than every row before it
    and no narrower than the row after it (a one-word title line "Name" is no header)."""
    filled = [sum(1 for c in cells if c.strip()) for _line, cells in head]
    for index, (_line, cells) in enumerate(head):
        wider = index == 0 or filled[index] > max(filled[:index])
        after = filled[index + 1] if index + 1 < len(head) else 0
        if wider and filled[index] >= after and _names_needed_column(cells, kind, overrides):
            return index
    return None


def _names_needed_column(
    cells: list[str], kind: str | None, overrides: Mapping[str, str] | None
) -> bool:
    header = header_names(cells)
    chosen = kind or guess_kind(header)
    try:
        columns = map_columns(header, chosen, overrides)
    except ValidationError:
        return False
    return bool({c.field for c in columns} & set(REQUIRED[chosen]))


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
    if len(cells) < width and not isinstance(cells, _Unclosed):
        cells.extend([""] * (width - len(cells)))  # Outlook leaves out trailing empty cells
        return None
    if len(cells) == width:
        return None
    if not any(c.strip() for c in cells[width:]):
        del cells[width:]
        return None
    extra = ", ".join(repr(c.strip()[:20]) for c in cells[width:] if c.strip())
    return Problem(
        where,
        f"has {len(cells)} cells but the header has {width} (wrong column count): {extra} "
        "would have no column; a value with an unquoted delimiter shifts every cell after it "
        "(quote that value)",
        line=line,
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
        if cell[:1] == "'":  # before stripping: the guard may stand before a tab or CR
            cell = unguard(cells[index].lstrip()).strip()
        if not cell:
            continue
        if label_index is not None:
            label = method_label(cells[label_index]) or label
        fields.setdefault(field, []).append(Item(cell, label, group))
    return fields


def unguard(cell: str) -> str:
    """Remove the ``'`` a spreadsheet-safe export put before a formula character (or before
    text that itself reads as guarded: ``''@`` is the value ``'@``)."""
    if len(cell) > 1 and cell[0] == "'" and _guarded(cell[1:]):
        return cell[1:]
    return cell


def _guarded(text: str) -> bool:
    """Whether ``text`` starts, after any ``'``, with a character a spreadsheet runs."""
    return text.lstrip("'")[:1] in ("=", "+", "-", "@", "\t", "\r")


# --- writing -----------------------------------------------------------------------------------


def safe_cell(value: Any) -> str:
    """A value as a CSV cell that no spreadsheet will run as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = str(value).replace("\x00", "")
    if text.startswith(FORMULA_STARTS) or (text[:1] == "'" and _guarded(text)):
        # A value that starts with ' and would lose it to ``unguard`` gets one more.
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
