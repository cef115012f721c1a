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
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
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
    """Records of CSV text, each with its line number and its fields (or its problem), as a
    list (``stream_csv`` reads a file without holding its records)."""
    parsed = stream_csv(
        lambda: iter(io.StringIO(text, newline="")), text, kind, overrides, delimiter
    )
    parsed.records = list(parsed.records)
    return parsed


def stream_csv(
    lines: Callable[[], Iterator[str]],
    head: str,
    kind: str | None = None,
    overrides: Mapping[str, str] | None = None,
    delimiter: str | None = None,
) -> ParsedFile:
    """The records of a CSV file read one by one from ``lines()`` (the file's lines from the
    start, each time it is called); ``head`` is its beginning, for finding the delimiter."""
    if not head.strip():
        raise ValidationError("file", "is empty")
    if delimiter is not None and len(delimiter) != 1:
        raise ValidationError("delimiter", f"{delimiter!r} is not a single character")
    used, skipped, (header_line, header), rows = find_header(
        lines, head, delimiter, kind, overrides
    )
    kind = kind or guess_kind(header)
    columns = map_columns(header, kind, overrides)
    _require_columns(columns, kind, header)
    records = _records(rows, len(header), kind, _plan(columns))
    parsed = ParsedFile("csv", kind, records, _details(used, header_line, columns))
    if skipped:
        parsed.warnings.append(_preamble(skipped, header_line))
    return parsed


def _records(rows: Iterable[Row], width: int, kind: str, plan: list[Any]) -> Iterator[SourceRecord]:
    for number, (line, cells) in enumerate(rows, start=1):
        yield _record(number, line, cells, width, kind, plan)


def _record(
    number: int, line: int, cells: list[str], width: int, kind: str, plan: list[Any]
) -> SourceRecord:
    where = f"line {line}"
    short = isinstance(cells, _Unterminated) and len(cells) < width
    problem = _shape_problem(cells, width, where, line)
    if isinstance(cells, _Unclosed):
        problem = Problem(
            where,
            "a quoted cell starting here is never closed, so the rest of the file ran "
            "into it (an unbalanced quote)",
            line=line,
        )
    elif short and problem is None and isinstance(cells, _Unterminated):
        problem = Problem(
            where,
            f"has {len(cells) - cells.padded} cells but the header has {width}: the file ends "
            "in the middle of this row (it may be cut short)",
            line=line,
        )
    if problem:
        return SourceRecord(number, where, line, kind, None, problem)
    fields = _fields(cells, plan)
    if kind == "contact" and is_organisation(fields):
        return SourceRecord(number, where, line, "account", organisation_fields(fields), None)
    return SourceRecord(number, where, line, kind, fields, None)


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
    lines: Callable[[], Iterator[str]],
    head: str,
    delimiter: str | None = None,
    kind: str | None = None,
    overrides: Mapping[str, str] | None = None,
) -> tuple[str, list[Row], Row, Iterator[Row]]:
    """(delimiter, rows before the header, the header row, the rows after it); see the module
    doc. With no row that looks like a header, the first row is the header. ``lines()`` gives
    the file's lines from the start (once per delimiter tried), ``head`` its beginning."""
    detected = delimiter or detect_delimiter(head)
    tries = [detected] + ([] if delimiter else [d for d in DELIMITERS if d != detected])
    fallback: tuple[str, list[Row], Row, Iterator[Row]] | None = None
    for used in tries:
        rows = _rows(lines(), used)
        try:
            head_rows = list(islice(rows, HEADER_SEARCH))
        except ValidationError:
            if used == detected:
                raise
            continue
        if fallback is None:
            first = head_rows[0] if head_rows else (0, [])
            fallback = (used, [], (first[0], header_names(first[1])), chain(head_rows[1:], rows))
        index = _header_index(head_rows, kind, overrides)
        if index is not None:
            line, cells = head_rows[index]
            after = chain(head_rows[index + 1 :], rows)
            return used, head_rows[:index], (line, header_names(cells)), after
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


class _Unterminated(list[str]):
    """The cells of the last record of a file that does not end with a line break.

    ``padded`` counts the empty cells added for a short row, so its own width can be told.
    """

    padded = 0


class _Counted:
    """The lines handed to the csv module, counted, with their quotes and the last line."""

    def __init__(self, lines: Iterator[str]) -> None:
        self.lines = lines
        self.count = 0
        self.quotes = 0
        self.last = ""

    def __iter__(self) -> Iterator[str]:
        for line in self.lines:
            self.count += 1
            self.quotes += line.count('"')
            self.last = line
            yield line


def _rows(lines: Iterator[str], delimiter: str) -> Iterator[Row]:
    """(first line, cells) of each non-blank record.

    The last record is held back until the file has ended, to tell two things only the end
    shows: an odd number of quotes in the file means one was never closed, and the record
    holding it ran to the end, its last cell swallowing every line after it; a last line
    without a line break may be a row cut short.
    """
    counted = _Counted(lines)
    reader = csv.reader(counted, delimiter=delimiter, strict=False)
    previous_end = 0
    held: tuple[int, list[str], int] | None = None
    try:
        for cells in reader:
            start = previous_end + 1
            previous_end = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if held is not None:
                yield held[0], held[1]
            held = (start, cells, previous_end)
    except csv.Error as exc:
        raise ValidationError("file", f"line {previous_end + 1}: {exc}") from None
    if held is None:
        return
    start, cells, end = held
    swallowed = (
        counted.quotes % 2 == 1
        and end == counted.count
        and any("\n" in c or "\r" in c for c in cells)
    )
    if swallowed:
        yield start, _Unclosed(cells)
    elif not counted.last.endswith(("\n", "\r")):
        yield start, _Unterminated(cells)
    else:
        yield start, cells


def _shape_problem(cells: list[str], width: int, where: str, line: int) -> Problem | None:
    if len(cells) < width and not isinstance(cells, _Unclosed):
        if isinstance(cells, _Unterminated):
            cells.padded = width - len(cells)
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
