"""Writing answers for people and for scripts: rich tables on a terminal, tab-separated plain
text in a pipe, and JSON with stable keys.

Everything written here passes :func:`smallcrm.store.formats.printable` on its way out: text
from the data (names, notes, imported values) never reaches the terminal with a control
character in it, so it cannot recolour, retitle or write the clipboard of the reader's terminal.
While a shell command runs, :func:`safe_streams` puts the same guard around ``sys.stdout`` and
``sys.stderr``, which covers every other message a command prints; only rich, which writes its
own styling sequences, gets the stream underneath (and gets the data already made printable).
JSON escapes such characters instead (``\u001b``), so a script still reads the stored value.

Long lists are streamed: rows are written as they arrive from the database, so a list of
100,000 contacts starts printing at once and ``| head`` stops it cheaply. Rich is imported only
when a terminal is being written to; a pipe, a file or a test gets plain text without it.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import islice
from typing import IO, Any, NamedTuple

from smallcrm.store.formats import json_safe, printable

FIRST_BATCH = 200  # rows measured to choose column widths on a terminal
BATCH = 500
MIN_WIDTH = 6


class Column(NamedTuple):
    """A column of a table: its header, widest useful width, and alignment."""

    header: str
    max_width: int = 40
    justify: str = "left"
    style: str | None = None


def is_terminal(stream: IO[str]) -> bool:
    """Whether ``stream`` is an interactive terminal (people) rather than a pipe (scripts)."""
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def plain_cell(value: Any) -> str:
    """A value as one printable, tab-free line (tabs and line breaks would break the columns)."""
    if value is None:
        return ""
    return printable(" ".join(str(value).split()))


# --- the guard on the standard streams -----------------------------------------------------------


class SafeStream:
    """A text stream that writes everything through ``printable`` (line breaks and tabs kept)
    to the stream ``raw`` underneath; every other attribute is that stream's."""

    def __init__(self, raw: IO[str]) -> None:
        self.raw = raw

    def write(self, text: str) -> int:
        """Write ``text`` with its control characters made visible."""
        self.raw.write(printable(text, keep_newlines=True))
        return len(text)

    def writelines(self, lines: Iterable[str]) -> None:
        """Write each of ``lines``."""
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.raw, name)


def unguarded(stream: IO[str]) -> IO[str]:
    """The stream under a :class:`SafeStream` (for rich, which writes its own styling)."""
    return stream.raw if isinstance(stream, SafeStream) else stream


@contextmanager
def safe_streams() -> Iterator[None]:
    """``sys.stdout`` and ``sys.stderr`` guarded by :class:`SafeStream` for the duration."""
    saved = sys.stdout, sys.stderr
    if not isinstance(sys.stdout, SafeStream):
        sys.stdout = SafeStream(sys.stdout)
    if not isinstance(sys.stderr, SafeStream):
        sys.stderr = SafeStream(sys.stderr)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved


# --- JSON --------------------------------------------------------------------------------------


def dumps(value: Any) -> str:
    """JSON text of plain data (dicts, lists, strings, numbers), with no raw control character
    (``json_safe``): the same data for a program, nothing a terminal acts on."""
    return json_safe(json.dumps(value, ensure_ascii=False, indent=2))


def write_json(value: Any, stream: IO[str] | None = None) -> None:
    """One JSON value, pretty-printed."""
    out = stream or sys.stdout
    out.write(dumps(value) + "\n")


def write_json_array(items: Iterable[dict[str, Any]], stream: IO[str] | None = None) -> int:
    """One JSON array written item by item as they come; returns how many were written."""
    out = stream or sys.stdout
    count = 0
    for item in items:
        text = json_safe(json.dumps(item, ensure_ascii=False))
        out.write(("[\n  " if count == 0 else ",\n  ") + text)
        count += 1
        if count % BATCH == 0:
            out.flush()
    out.write("[]\n" if count == 0 else "\n]\n")
    return count


# --- tables ------------------------------------------------------------------------------------


def write_table(
    columns: Sequence[Column],
    rows: Iterable[Sequence[Any]],
    stream: IO[str] | None = None,
    *,
    terminal: bool | None = None,
    header: bool = True,
) -> int:
    """A table streamed row by row; returns the number of rows.

    On a terminal: aligned columns with a bold header (rich), widths chosen from the first rows
    and the terminal's width, long cells cut with an ellipsis. Elsewhere: tab-separated values
    with a header line, nothing cut, so ``cut -f2`` and ``grep`` work.
    """
    out = stream or sys.stdout
    if terminal is None:
        terminal = is_terminal(out)
    if terminal:
        return _rich_table(columns, iter(rows), out, header)
    return _plain_table(columns, rows, out, header)


def _plain_table(
    columns: Sequence[Column], rows: Iterable[Sequence[Any]], out: IO[str], header: bool
) -> int:
    if header:
        out.write("\t".join(c.header for c in columns) + "\n")
    count = 0
    for row in rows:
        out.write("\t".join(plain_cell(cell) for cell in row) + "\n")
        count += 1
        if count % BATCH == 0:
            out.flush()
    return count


def fit_widths(columns: Sequence[Column], rows: Sequence[Sequence[Any]], total: int) -> list[int]:
    """Column widths: each as wide as its widest cell (up to its maximum), then the widest
    ones narrowed until the row fits in ``total`` characters (one space between columns)."""
    widths = [
        min(col.max_width, max([len(col.header)] + [len(plain_cell(r[i])) for r in rows]))
        for i, col in enumerate(columns)
    ]
    budget = total - len(columns)  # rich pads every column, the last one too
    while sum(widths) > budget:
        widest = max(range(len(widths)), key=lambda i: widths[i])
        if widths[widest] <= MIN_WIDTH:
            break
        widths[widest] -= 1
    return widths


def _rich_table(
    columns: Sequence[Column], rows: Iterator[Sequence[Any]], out: IO[str], header: bool
) -> int:
    console = rich_console(out)
    batch = list(islice(rows, FIRST_BATCH))
    widths = fit_widths(columns, batch, console.width)
    count, first = 0, True
    while batch:
        console.print(_rich_batch(columns, widths, batch, header and first))
        count += len(batch)
        first = False
        batch = list(islice(rows, BATCH))
    if count == 0 and header:
        console.print(_rich_batch(columns, widths, [], True))
    return count


def _rich_batch(
    columns: Sequence[Column], widths: list[int], rows: list[Sequence[Any]], header: bool
) -> Any:
    """One rich Table with fixed widths, so consecutive batches line up."""
    from rich.table import Table
    from rich.text import Text

    table = Table(box=None, show_header=header, header_style="bold", pad_edge=False)
    table.padding = (0, 1, 0, 0)
    for col, width in zip(columns, widths, strict=True):
        table.add_column(
            col.header,
            width=width,
            no_wrap=True,
            overflow="ellipsis",
            justify=col.justify,  # type: ignore[arg-type]
            style=col.style,
        )
    for row in rows:
        # Text() keeps user data such as "[bold]" from being read as rich markup.
        table.add_row(*(Text(plain_cell(cell)) for cell in row))
    return table


def rich_console(stream: IO[str]) -> Any:
    """A rich Console writing to ``stream`` (imported only when a terminal needs it)."""
    from rich.console import Console

    return Console(file=unguarded(stream), highlight=False, soft_wrap=False)


# --- records shown one at a time ---------------------------------------------------------------


def write_fields(
    title: str,
    fields: Sequence[tuple[str, Any]],
    stream: IO[str] | None = None,
    *,
    terminal: bool | None = None,
) -> None:
    """A record as a heading and ``label: value`` lines; empty values are left out."""
    out = stream or sys.stdout
    if terminal is None:
        terminal = is_terminal(out)
    shown = [(label, printable(plain_value(value), keep_newlines=True)) for label, value in fields]
    shown = [(label, value) for label, value in shown if value]
    if not terminal:
        out.write(printable(title) + "\n")
        width = max((len(label) for label, _ in shown), default=0)
        for label, value in shown:
            out.write(f"  {label + ':':<{width + 1}} {value}\n")
        return
    from rich.table import Table
    from rich.text import Text

    console = rich_console(out)
    console.print(Text(printable(title), style="bold"))
    grid = Table.grid(padding=(0, 1))
    grid.add_column(style="dim", no_wrap=True)
    grid.add_column(overflow="fold")
    for label, value in shown:
        grid.add_row(Text("  " + label), Text(value))
    console.print(grid)


def plain_value(value: Any) -> str:
    """A field value as text; lists are joined with commas; notes keep their line breaks."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value if v)
    return str(value).strip()


def write_heading(
    text: str, stream: IO[str] | None = None, *, terminal: bool | None = None
) -> None:
    """A section heading, with a blank line before it."""
    out = stream or sys.stdout
    if terminal is None:
        terminal = is_terminal(out)
    if terminal:
        from rich.text import Text

        rich_console(out).print(Text("\n" + printable(text), style="bold"))
    else:
        out.write(f"\n{printable(text)}\n")


def write_line(text: str, stream: IO[str] | None = None) -> None:
    """One plain line (the quick-add confirmation: no rich needed)."""
    (stream or sys.stdout).write(printable(text, keep_newlines=True) + "\n")
