"""The syntax of vCard files: physical lines to properties, as phones and programs write them.

Line ends may be CRLF, LF, CR, or CR CR LF (what an iPhone export becomes after a second
conversion to CRLF): each of these is one line end. A line starting with a space or tab
continues the previous one, also after blank lines; a quoted-printable value ending in ``=``
continues on the next line (vCard 2.1); and the lines of a vCard 2.1 base64 value (a photo)
that are not indented but hold nothing but base64 continue it until a blank line or the next
property. Folded parts are gathered in a list and joined once, so a photo folded over
thousands of lines costs no more than its size.

Each ``BEGIN:VCARD`` ... ``END:VCARD`` is one card; within it every line is split into group,
name, parameters and value (``parse_property``).
"""

from __future__ import annotations

import quopri
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from .common import Problem

_PROPERTY = re.compile(r"^(?:(?P<group>[A-Za-z0-9-]+)\.)?(?P<name>[A-Za-z0-9-]+)(?P<params>;.*)?$")
_BASE64_HEAD = re.compile(r";\s*(?:ENCODING\s*=\s*)?(?:B|BASE64)\s*(?:[;:]|$)", re.IGNORECASE)
_BASE64_TEXT = re.compile(r"[A-Za-z0-9+/=\s]+")


@dataclass
class Line:
    """One logical (unfolded) line and the number of the physical line it starts on."""

    number: int
    parts: list[str]

    @property
    def text(self) -> str:
        """The unfolded text (joined once: see the module doc)."""
        if len(self.parts) > 1:
            self.parts[:] = ["".join(self.parts)]
        return self.parts[0]


@dataclass
class Property:
    """One property of a card: ``item1.EMAIL;TYPE=work:jana@example.com``."""

    group: str
    name: str
    params: dict[str, list[str]]
    value: str
    line: int

    def types(self) -> list[str]:
        """The TYPE parameter's values, lower case (``["work", "voice"]``)."""
        return [t.lower() for t in self.params.get("TYPE", [])]

    def preferred(self) -> bool:
        """True for a value marked preferred (``TYPE=pref`` or ``PREF=1``)."""
        return "pref" in self.types() or "PREF" in self.params


@dataclass
class Card:
    """The lines between ``BEGIN:VCARD`` and ``END:VCARD`` (``ended`` False if cut short)."""

    number: int
    line: int
    lines: list[Line] = field(default_factory=list)
    ended: bool = False


class BadCard(Exception):
    """A card that cannot be read: the line and the reason (and the field, if one)."""

    def __init__(self, line: int, reason: str, field_name: str | None = None) -> None:
        super().__init__(reason)
        self.line = line
        self.reason = reason
        self.field_name = field_name


def physical_lines(text: str) -> list[str]:
    """The lines of ``text``: CR CR LF, CRLF, LF and CR each end one (str.replace is many
    times faster than a regular expression on a file of photos)."""
    return text.replace("\r\r\n", "\n").replace("\r\n", "\n").replace("\r", "\n").split("\n")


def streamed_lines(pieces: Iterable[str]) -> Iterator[str]:
    """``physical_lines`` of the text that ``pieces`` make up, read piece by piece.

    A piece ending in CR may be the start of a CRLF or CR CR LF: those CRs wait for the next
    piece, as does the unfinished last line.
    """
    rest = ""
    for piece in pieces:
        text = rest + piece
        keep = len(text) - len(text.rstrip("\r"))
        text, tail = (text[:-keep], text[-keep:]) if keep else (text, "")
        lines = physical_lines(text)
        rest = lines.pop() + tail
        yield from lines
    yield from physical_lines(rest)


def logical_lines(text: str | Iterable[str]) -> Iterator[Line]:
    """Unfolded lines with the number of the physical line each starts on (see the module doc);
    ``text`` is the whole text or its physical lines (``streamed_lines``).

    A quoted-printable soft line break comes before folding: the next line is the value's text
    as it is, a leading space included (RFC 2045).
    """
    current: Line | None = None
    base64 = quoted_printable = False
    raw_lines = physical_lines(text) if isinstance(text, str) else text
    for number, raw in enumerate(raw_lines, start=1):
        if current is not None:
            parts = current.parts
            if quoted_printable and parts[-1].endswith("="):
                parts[-1] = parts[-1][:-1]
                parts.append(raw)
                continue
            if raw[:1] in (" ", "\t"):
                parts.append(raw[1:])
                continue
            if base64 and _BASE64_TEXT.fullmatch(raw) and raw.strip():
                parts.append(raw.strip())
                continue
        if not raw.strip():
            base64 = False  # a blank line ends a vCard 2.1 base64 value
            continue
        if current is not None:
            yield current
        current = Line(number, [raw])
        head = raw.partition(":")[0].upper()
        base64 = ":" in raw and _BASE64_HEAD.search(head) is not None
        quoted_printable = "QUOTED-PRINTABLE" in head
    if current is not None:
        yield current


def cards(lines: Iterable[Line]) -> Iterator[Card | Problem]:
    """Each card of the file in turn, and a Problem for text outside any card."""
    card: Card | None = None
    count = 0
    for line in lines:
        text = line.text
        upper = text.strip().upper() if len(text) < 80 else ""  # not a photo's every byte
        if upper == "BEGIN:VCARD":
            count += 1
            if card is not None:
                yield card  # not ended: reported when the record is made
            card = Card(count, line.number)
        elif upper == "END:VCARD" and card is not None:
            card.ended = True
            yield card
            card = None
        elif card is not None:
            card.lines.append(line)
        elif text.strip():
            count += 1
            yield Problem(
                f"line {line.number}",
                f"{text.strip()[:40]!r} is outside any card (BEGIN:VCARD ... END:VCARD)",
                line=line.number,
            )
    if card is not None:
        yield card


def parse_property(line: Line) -> Property:
    """Group, name, parameters and value of one line (BadCard if it is not a property)."""
    head, colon, value = split_unquoted(line.text, ":")
    if not colon:
        raise BadCard(line.number, f"{line.text.strip()[:40]!r} is not a property (no ':')")
    match = _PROPERTY.match(head.strip())
    if not match:
        raise BadCard(line.number, f"{head.strip()[:40]!r} is not a property name")
    params = _params(match["params"] or "")
    name = match["name"].upper()
    return Property((match["group"] or "").lower(), name, params, value, line.number)


def split_unquoted(text: str, separator: str) -> tuple[str, str, str]:
    """``str.partition`` on the first ``separator`` outside double quotes."""
    first, quote = text.find(separator), text.find('"')
    if quote < 0 or 0 <= first < quote:  # no quote before it: a photo's value is not walked
        return text.partition(separator)
    quoted = False
    for index, char in enumerate(text):
        if char == '"':
            quoted = not quoted
        elif char == separator and not quoted:
            return text[:index], separator, text[index + 1 :]
    return text, "", ""


def _params(text: str) -> dict[str, list[str]]:
    params: dict[str, list[str]] = {}
    rest = text
    while rest.startswith(";"):
        piece, sep, after = split_unquoted(rest[1:], ";")
        rest = sep + after
        key, equals, raw = piece.partition("=")
        if not equals:  # vCard 2.1: ;WORK;VOICE;QUOTED-PRINTABLE
            key, raw = _bare_param(piece)
        values = [v.strip().strip('"') for v in raw.split(",") if v.strip()]
        params.setdefault(key.strip().upper(), []).extend(values)
    return params


def _bare_param(piece: str) -> tuple[str, str]:
    word = piece.strip().upper()
    if word in ("QUOTED-PRINTABLE", "BASE64", "8BIT", "7BIT", "B"):
        return "ENCODING", word
    return "TYPE", word


def decoded(prop: Property) -> str:
    """The value with quoted-printable decoded (in its CHARSET)."""
    encoding = [e.upper() for e in prop.params.get("ENCODING", [])]
    if "QUOTED-PRINTABLE" not in encoding and "QP" not in encoding:
        return prop.value
    charset = (prop.params.get("CHARSET") or ["utf-8"])[0]
    raw = quopri.decodestring(prop.value.encode("ascii", "replace"))
    try:
        return raw.decode(charset)
    except (LookupError, UnicodeDecodeError):
        try:
            return raw.decode("cp1252")
        except UnicodeDecodeError:
            raise BadCard(
                prop.line, "its quoted-printable text is in no known encoding", prop.name.lower()
            ) from None


def unescape(text: str) -> str:
    """A text value with ``\\n``, ``\\,``, ``\\;`` and ``\\\\`` undone."""
    return re.sub(r"\\(.)", lambda m: "\n" if m[1] in "nN" else m[1], text, flags=re.DOTALL)


def components(text: str, separator: str = ";") -> list[str]:
    """Split a structured value on unescaped separators, then unescape each part."""
    return [unescape(part) for part in components_raw(text, separator)]


def components_raw(text: str, separator: str = ";") -> list[str]:
    """Split on unescaped ``separator`` keeping escapes (for lists within components)."""
    parts, current, escaped = [], [], False
    for char in text:
        if escaped:
            current.append("\\" + char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == separator:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts
