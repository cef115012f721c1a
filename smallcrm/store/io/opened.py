"""An import source opened for reading in pieces: never the whole file in memory at once.

A path is read where it is; standard input and open streams are first copied to a temporary
file (in pieces), so every source can be read again from the start: CSV tries another
delimiter when the first one finds no header, JSON reads its records' keys before the records.

Before anything is read the encoding is settled the way ``sources.decode`` settles it for a
file read whole: a byte-order mark, else UTF-8 if every byte of the file is valid UTF-8, else
Windows-1252; NUL bytes in the first 64 KB mean a binary file. One pass over the bytes checks
it (about 50 ms for 50 MB), so a bad byte is named with its line before any record is read.
"""

from __future__ import annotations

import codecs
import io
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from itertools import chain
from pathlib import Path
from typing import IO, Any

from smallcrm.store.errors import ValidationError

from .sources import _BOMS, MAX_BYTES, Source, SourceText

PIECE = 1 << 20  # bytes read at a time by the checks and the copies
HEAD = 1 << 16  # bytes decoded for sniffing the format and finding a CSV header


class OpenedSource:
    """An import source ready to be read line by line, as often as needed.

    ``name`` is what reports call it, ``encoding`` how it is decoded (``text`` for a text
    stream), ``head`` its first 64 KB as text. Close it (or use it as a context manager) to
    release the file and remove a temporary copy.
    """

    def __init__(self, name: str, extension: str, path: Path, encoding: str, temporary: bool):
        self.name = name
        self.extension = extension
        self.path = path
        self.encoding = encoding
        self.temporary = temporary
        self.size = path.stat().st_size
        self._readers: list[io.FileIO] = []
        self.head = self._head()

    def __enter__(self) -> OpenedSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _codec(self) -> str:
        return "utf-8" if self.encoding == "text" else self.encoding

    def _head(self) -> str:
        with open(self.path, "rb") as raw:
            data = raw.read(HEAD)
        text = codecs.getincrementaldecoder(self._codec())(errors="replace").decode(data)
        return text.removeprefix("\ufeff")

    def as_text(self) -> SourceText:
        """The head as a ``SourceText``, for ``sources.detect_format``."""
        return SourceText(self.name, self.head, self.encoding, self.extension)

    def lines(self) -> Iterator[str]:
        """The text line by line from the start, each with its line break (CR, LF or CRLF)."""
        stream = io.TextIOWrapper(
            io.BufferedReader(self._raw(), PIECE), encoding=self._codec(), newline=""
        )
        first = stream.readline()
        return chain([first.removeprefix("\ufeff")] if first else [], stream)

    def pieces(self, size: int = PIECE) -> Iterator[str]:
        """The text in pieces of about ``size`` characters."""
        stream = io.TextIOWrapper(io.BufferedReader(self._raw(), PIECE), encoding=self._codec())
        first = True
        while piece := stream.read(size):
            yield piece.removeprefix("\ufeff") if first else piece
            first = False

    def _raw(self) -> io.FileIO:
        raw = io.FileIO(self.path, "rb")
        self._readers.append(raw)
        return raw

    def text(self) -> str:
        """The whole text (for formats read whole: iCalendar, backups)."""
        with open(self.path, encoding=self._codec(), newline="") as stream:
            return stream.read().removeprefix("\ufeff")

    def fraction(self) -> float:
        """How much of the file the latest reader has read, from 0 to 1.

        Asked of the file descriptor, so it also tells how far a forked worker process that
        reads on from here has come (the two share the descriptor's position).
        """
        if not self._readers or not self.size:
            return 0.0
        try:
            position = os.lseek(self._readers[-1].fileno(), 0, os.SEEK_CUR)
        except (OSError, ValueError):  # closed
            return 1.0
        return min(1.0, position / self.size)

    def close(self) -> None:
        """Close every reader; remove the temporary copy."""
        for reader in self._readers:
            reader.close()
        self._readers.clear()
        if self.temporary:
            self.path.unlink(missing_ok=True)
            self.temporary = False


def open_source(source: Source, encoding: str | None = None) -> OpenedSource:
    """Open ``source`` (a path, ``-`` for standard input, or a text or binary stream)."""
    if isinstance(source, str | os.PathLike):
        if str(source) == "-":
            return _spooled(sys.stdin, "standard input", "", encoding)
        path = Path(source)
        _check_readable(path)
        return OpenedSource(path.name, path.suffix.lower(), path, check(path, encoding), False)
    name = str(getattr(source, "name", "") or "stream")
    return _spooled(source, name, Path(name).suffix.lower(), encoding)


def _check_readable(path: Path) -> None:
    try:
        with open(path, "rb") as raw:
            raw.read(1)
    except FileNotFoundError:
        raise ValidationError("file", f"{str(path)!r} does not exist") from None
    except IsADirectoryError:
        raise ValidationError("file", f"{str(path)!r} is a folder, not a file") from None
    except OSError as exc:
        raise ValidationError("file", f"cannot read {str(path)!r}: {exc.strerror}") from None


def _spooled(stream: Any, name: str, extension: str, encoding: str | None) -> OpenedSource:
    """A stream copied to a temporary file in pieces (text streams as UTF-8)."""
    handle, raw_path = tempfile.mkstemp(prefix="smallcrm-import-")
    path = Path(raw_path)
    try:
        with os.fdopen(handle, "wb") as out:
            text = _copy(stream, out)
        used = "text" if text else check(path, encoding)
        return OpenedSource(name, extension, path, used, True)
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def _copy(stream: Any, out: IO[bytes]) -> bool:
    """Copy ``stream`` into ``out``; True if it gave text (written as UTF-8)."""
    buffer = getattr(stream, "buffer", None)
    if isinstance(stream, io.TextIOBase) and buffer is None:
        _copy_text(stream, out)
        return True
    source = buffer or stream
    first = source.read(PIECE)
    if isinstance(first, str):
        out.write(first.encode("utf-8", "surrogatepass"))
        _copy_text(source, out)
        return True
    out.write(first)
    shutil.copyfileobj(source, out, PIECE)
    return False


def _copy_text(stream: Any, out: IO[bytes]) -> None:
    while piece := stream.read(PIECE):
        out.write(piece.encode("utf-8", "surrogatepass"))


# --- settling the encoding --------------------------------------------------------------------


def check(path: Path, encoding: str | None = None) -> str:
    """The encoding of the file at ``path`` (see the module doc); ValidationError naming the
    line of the first byte that is not text in it."""
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise ValidationError("file", "is larger than 2 GB")
    with open(path, "rb") as raw:
        start = raw.read(HEAD)
    if encoding:
        _lookup(encoding)
        _decodes(path, encoding)
        return encoding
    for bom, name in _BOMS:
        if start.startswith(bom):
            _decodes(path, name)
            return name
    position = start.find(b"\x00")
    if position >= 0:
        line = start.count(b"\n", 0, position) + 1
        raise ValidationError(
            "file",
            f"line {line}: contains NUL bytes, so it is a binary file, not text "
            "(export it as CSV, vCard or iCalendar first)",
        )
    if _first_bad(path, "utf-8") is None:
        return "utf-8"
    _decodes(path, "cp1252")
    return "cp1252"


def _lookup(encoding: str) -> None:
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise ValidationError("encoding", f"{encoding!r} is not a known text encoding") from None


def _decodes(path: Path, encoding: str) -> None:
    bad = _first_bad(path, encoding)
    if bad is not None:
        line, byte = bad
        raise ValidationError(
            "file",
            f"line {line}: byte 0x{byte:02X} is not valid {encoding} text; the file is neither "
            "UTF-8 nor Windows-1252 (save it as UTF-8 or pass its encoding)",
        )


def _first_bad(path: Path, encoding: str) -> tuple[int, int] | None:
    """(line, byte) of the first byte that does not decode, or None."""
    decoder = codecs.getincrementaldecoder(encoding)()
    lines = 0
    with open(path, "rb") as raw:
        while True:
            piece = raw.read(PIECE)
            try:
                decoder.decode(piece, final=not piece)
            except UnicodeDecodeError as exc:
                return _where(path, lines, piece, exc)
            if not piece:
                return None
            lines += piece.count(b"\n")


def _where(path: Path, lines: int, piece: bytes, exc: UnicodeDecodeError) -> tuple[int, int]:
    """Where a decoding error is: the decoder's position counts from its buffered bytes."""
    data = exc.object if isinstance(exc.object, bytes) else piece
    start = min(exc.start, len(data) - 1)
    # The decoder keeps the start of an unfinished character from the piece before (never a
    # line break): the lines before the error are those of this piece up to it.
    held = max(0, len(data) - len(piece))
    newlines = data.count(b"\n", held, start) if start > held else 0
    return lines + newlines + 1, data[start]
