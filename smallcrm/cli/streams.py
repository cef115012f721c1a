"""Where an export goes: a file given with ``-o`` or standard output, always UTF-8 text with
line endings written exactly as the format wants them (CSV, vCard and iCalendar use CRLF).

Files follow the store's rule (``smallcrm.store.io.destination``, the same for the app's save
dialog): never over the database, its companions or backups, a device, a pipe or a folder;
written beside the final name and moved into place only when complete, readable by their owner
only. Here its refusals are worded with the option the user typed.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TextIO

from smallcrm.cli.core import CliError
from smallcrm.store.formats import printable

if TYPE_CHECKING:
    from smallcrm.store.db import Database


def is_stdout(path: Path | None) -> bool:
    """Whether ``-o`` means standard output (not given, or ``-``)."""
    return path is None or str(path) == "-"


@contextmanager
def output_stream(
    path: Path | None, option: str = "-o", db: Database | None = None
) -> Iterator[TextIO]:
    """A text stream to ``path`` (see the module doc), or to standard output.

    ``db`` is the database in use, so that ``-o`` can never name it or its backups.
    """
    from smallcrm.store.errors import ValidationError
    from smallcrm.store.io.destination import open_destination

    if is_stdout(path):
        out = _stdout()
        yield out
        out.flush()
        return
    assert path is not None
    try:
        with open_destination(path, db) as stream:
            yield stream
    except ValidationError as exc:
        if exc.field != "output":
            raise
        hint = ""
        if os.path.exists(path) and not os.path.isdir(path) and "regular file" in exc.message:
            hint = f"; {option} - writes to standard output"
        raise CliError(f"{option}: {exc.message}{hint}") from None


def _stdout() -> TextIO:
    """Standard output as UTF-8 whatever the locale says, with no newline translation."""
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:  # a text-only stream (some test harnesses): write to it as it is
        return sys.stdout
    sys.stdout.flush()
    return _Utf8Writer(buffer)  # type: ignore[return-value]


class _Utf8Writer:
    """The ``write``/``flush`` of a text stream over a byte stream.

    Not a TextIOWrapper: one of those would close ``sys.stdout``'s buffer when it is garbage
    collected, and a reader that goes away (``| head``) must not leave that behind.
    """

    def __init__(self, buffer: IO[bytes]) -> None:
        self.buffer = buffer

    def write(self, text: str) -> int:
        # Standard output may be a terminal: data written there has its control characters
        # made visible (line breaks kept), as every other output of the shell. A file given
        # with -o gets the data exactly.
        self.buffer.write(printable(text, keep_newlines=True).encode("utf-8"))
        return len(text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        self.buffer.flush()
