"""Where an export goes: a file given with ``-o`` or standard output, always UTF-8 text with
line endings written exactly as the format wants them (CSV, vCard and iCalendar use CRLF).

A file is written beside its final name and moved into place only when complete, so a failed
or interrupted export never leaves half a file (nor destroys the previous one). New files are
readable by their owner only, like the database: exports hold personal data.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, TextIO

from smallcrm.cli.core import CliError
from smallcrm.store.formats import printable


def is_stdout(path: Path | None) -> bool:
    """Whether ``-o`` means standard output (not given, or ``-``)."""
    return path is None or str(path) == "-"


@contextmanager
def output_stream(path: Path | None, option: str = "-o") -> Iterator[TextIO]:
    """A text stream to ``path`` (see the module doc), or to standard output."""
    if is_stdout(path):
        out = _stdout()
        yield out
        out.flush()
        return
    assert path is not None
    target = path.expanduser()
    try:
        handle, temporary = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=".part", dir=target.parent
        )
    except OSError as exc:
        raise CliError(f"{option}: cannot write {str(path)!r}: {_reason(exc)}") from None
    try:
        with open(handle, "w", encoding="utf-8", newline="") as stream:
            yield stream
        os.replace(temporary, target)
    except OSError as exc:
        raise CliError(f"{option}: cannot write {str(path)!r}: {_reason(exc)}") from None
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def _reason(exc: OSError) -> str:
    return (exc.strerror or str(exc)).lower()


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
