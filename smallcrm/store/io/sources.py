"""Reading an import source (a path, ``-`` for standard input, or an open stream) as text.

Bytes are decoded as UTF-8 (with or without a byte-order mark), UTF-16 with a mark, or else
Windows-1252, which is what Outlook and Excel on Windows write. A file that is none of these
(bytes Windows-1252 does not define, NUL bytes of a binary file) is refused with the position
of the first bad byte, never decoded into garbage.
"""

from __future__ import annotations

import codecs
import io
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from smallcrm.store.errors import ValidationError

from .common import format_name

MAX_BYTES = 2**31  # refuse files SQLite could not take anyway
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_EXTENSIONS = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".vcf": "vcard",
    ".vcard": "vcard",
    ".ics": "ics",
    ".ical": "ics",
    ".ifb": "ics",
    ".json": "json",
}

Source = str | os.PathLike[str] | IO[str] | IO[bytes]


@dataclass(frozen=True)
class SourceText:
    """An import source read into memory: its display name, text and how it was decoded."""

    name: str
    text: str
    encoding: str
    extension: str


def read_source(source: Source, encoding: str | None = None) -> SourceText:
    """Read ``source`` (a path, ``-`` for standard input, or a text or binary stream)."""
    if isinstance(source, str | os.PathLike):
        if str(source) == "-":
            return _read_stream(sys.stdin, "standard input", "", encoding)
        path = Path(source)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise ValidationError("file", f"{str(path)!r} does not exist") from None
        except IsADirectoryError:
            raise ValidationError("file", f"{str(path)!r} is a folder, not a file") from None
        except OSError as exc:
            raise ValidationError("file", f"cannot read {str(path)!r}: {exc.strerror}") from None
        text, used = decode(data, encoding)
        return SourceText(path.name, text, used, path.suffix.lower())
    name = str(getattr(source, "name", "") or "stream")
    return _read_stream(source, name, Path(name).suffix.lower(), encoding)


def _read_stream(stream: Any, name: str, extension: str, encoding: str | None) -> SourceText:
    buffer = getattr(stream, "buffer", None)
    if isinstance(stream, io.TextIOBase) and buffer is None:
        return SourceText(name, stream.read(), "text", extension)
    raw = (buffer or stream).read()
    if isinstance(raw, str):
        return SourceText(name, raw, "text", extension)
    text, used = decode(raw, encoding)
    return SourceText(name, text, used, extension)


def decode(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """Text of ``data`` and the encoding used: the given one, else detected (see module doc)."""
    if len(data) > MAX_BYTES:
        raise ValidationError("file", "is larger than 2 GB")
    if encoding:
        return _decode_as(data, encoding), encoding
    for bom, name in _BOMS:
        if data.startswith(bom):
            return _decode_as(data, name), name
    _refuse_binary(data)
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    return _decode_as(data, "cp1252"), "cp1252"


def _decode_as(data: bytes, encoding: str) -> str:
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise ValidationError("encoding", f"{encoding!r} is not a known text encoding") from None
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ValidationError(
            "file",
            f"line {line}: byte 0x{data[exc.start]:02X} is not valid {encoding} text; the file "
            "is neither UTF-8 nor Windows-1252 (save it as UTF-8 or pass its encoding)",
        ) from None
    return text.removeprefix("\ufeff")


def _refuse_binary(data: bytes) -> None:
    """NUL bytes mean a binary file (a spreadsheet, an image), not text."""
    position = data.find(b"\x00", 0, 65536)
    if position >= 0:
        line = data.count(b"\n", 0, position) + 1
        raise ValidationError(
            "file",
            f"line {line}: contains NUL bytes, so it is a binary file, not text "
            "(export it as CSV, vCard or iCalendar first)",
        )


def detect_format(source: SourceText, explicit: str | None = None) -> str:
    """csv, vcard, ics or json: from ``explicit``, else the content, checked against the name.

    vCards, calendars and JSON announce themselves in their first line; anything else is read
    as CSV. A ``.vcf``/``.ics``/``.json`` file whose content is something else is refused.
    """
    by_content = _sniff(source.text)
    if explicit:
        wanted = format_name(explicit)
        if by_content != wanted:
            raise _mismatch(source, wanted, by_content)
        return wanted
    by_name = _EXTENSIONS.get(source.extension)
    if by_name and by_name != "csv" and by_content != by_name:
        raise _mismatch(source, by_name, by_content)
    return by_content


def _sniff(text: str) -> str:
    head = text.lstrip("\ufeff \t\r\n")[:200].upper()
    if head.startswith("BEGIN:VCARD"):
        return "vcard"
    if head.startswith("BEGIN:VCALENDAR"):
        return "ics"
    if head.startswith(("{", "[")):
        return "json"
    return "csv"


_DESCRIPTIONS = {
    "vcard": "a vCard (it would start with BEGIN:VCARD)",
    "ics": "an iCalendar file (it would start with BEGIN:VCALENDAR)",
    "json": "JSON (it would start with { or [)",
    "csv": "CSV",
}


def _mismatch(source: SourceText, wanted: str, found: str) -> ValidationError:
    first = next((line.strip() for line in source.text.splitlines() if line.strip()), "")
    shown = repr(first[:60]) if first else "nothing (the file is empty)"
    return ValidationError(
        "file",
        f"{source.name} is not {_DESCRIPTIONS[wanted]}: its first line is {shown}",
    )
