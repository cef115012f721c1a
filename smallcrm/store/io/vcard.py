"""vCard 2.1, 3.0 and 4.0 in, vCard 3.0 and 4.0 out.

Reading is done here rather than with a library so that one broken card is reported by its
position and the others still read: lines are unfolded (and quoted-printable soft line breaks
joined), each ``BEGIN:VCARD`` ... ``END:VCARD`` is one record, and within it every property is
split into group, name, parameters and value. A card that never ends (a truncated file), or a
line that is not a property, makes that card a problem; everything else about a card is read
leniently: unknown properties are ignored, photos are skipped (with a warning), and a card of
``KIND:org`` becomes an account.

What is read: FN, N, NICKNAME, ORG, TITLE/ROLE, EMAIL, TEL (``tel:`` URIs too; fax numbers go
to the notes), ADR (a preferred one first), BDAY (dates with or without year, or text),
CATEGORIES as tags, NOTE, URL (to the notes), UID as the external id; labels from TYPE
parameters and from Apple's ``itemN.X-ABLabel``.

Writing folds lines at 75 octets (never inside a UTF-8 character), escapes ``\\ , ;`` and line
breaks, and ends lines with CRLF, as RFC 2426 and RFC 6350 ask.
"""

from __future__ import annotations

import quopri
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TextIO

from smallcrm.store.records import Contact

from .common import Problem
from .convert import Fields, add
from .parsed import ParsedFile, SourceRecord
from .values import method_label

_PROPERTY = re.compile(r"^(?:(?P<group>[A-Za-z0-9-]+)\.)?(?P<name>[A-Za-z0-9-]+)(?P<params>;.*)?$")
_BINARY = frozenset({"PHOTO", "LOGO", "SOUND", "KEY"})
VERSIONS = ("3.0", "4.0")


@dataclass
class _Line:
    number: int
    text: str


@dataclass
class _Property:
    group: str
    name: str
    params: dict[str, list[str]]
    value: str
    line: int

    def types(self) -> list[str]:
        return [t.lower() for t in self.params.get("TYPE", [])]

    def preferred(self) -> bool:
        return "pref" in self.types() or "PREF" in self.params


@dataclass
class _Card:
    number: int
    line: int
    lines: list[_Line] = field(default_factory=list)
    ended: bool = False


class _BadCard(Exception):
    def __init__(self, line: int, reason: str, field_name: str | None = None) -> None:
        super().__init__(reason)
        self.line = line
        self.reason = reason
        self.field_name = field_name


# --- reading -----------------------------------------------------------------------------------


def read_vcards(text: str) -> ParsedFile:
    """Every card of a vCard file as a record (contacts; ``KIND:org`` cards as accounts)."""
    records: list[SourceRecord] = []
    for item in _cards(_logical_lines(text)):
        records.append(_record(item, len(records) + 1))
    return ParsedFile("vcard", "contact", records, {"cards": len(records)})


def _logical_lines(text: str) -> Iterator[_Line]:
    """Unfolded lines with the number of the physical line each starts on."""
    current: _Line | None = None
    physical = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for number, raw in enumerate(physical, start=1):
        if current is not None and raw[:1] in (" ", "\t"):
            current.text += raw[1:]
            continue
        if current is not None and _soft_break(current.text):
            current.text = current.text[:-1] + raw
            continue
        if current is not None:
            yield current
        current = _Line(number, raw)
    if current is not None and current.text.strip():
        yield current


def _soft_break(text: str) -> bool:
    """A quoted-printable value ending in ``=`` continues on the next line (vCard 2.1)."""
    if not text.endswith("="):
        return False
    head = text.split(":", 1)[0].upper()
    return "QUOTED-PRINTABLE" in head


def _cards(lines: Iterable[_Line]) -> Iterator[_Card | Problem]:
    card: _Card | None = None
    count = 0
    for line in lines:
        upper = line.text.strip().upper()
        if upper == "BEGIN:VCARD":
            count += 1
            if card is not None:
                yield card  # not ended: reported when the record is made
            card = _Card(count, line.number)
        elif upper == "END:VCARD" and card is not None:
            card.ended = True
            yield card
            card = None
        elif card is not None:
            card.lines.append(line)
        elif line.text.strip():
            count += 1
            yield Problem(
                f"line {line.number}",
                f"{line.text.strip()[:40]!r} is outside any card (BEGIN:VCARD ... END:VCARD)",
                line=line.number,
            )
    if card is not None:
        yield card


def _record(item: _Card | Problem, number: int) -> SourceRecord:
    if isinstance(item, Problem):
        return SourceRecord(number, item.where, item.line, "contact", None, item)
    where = f"card {item.number} (line {item.line})"
    if not item.ended:
        problem = Problem(
            where, "ends without END:VCARD (the file may be cut short)", line=item.line
        )
        return SourceRecord(number, where, item.line, "contact", None, problem)
    try:
        properties = [_property(line) for line in item.lines if line.text.strip()]
        kind, fields, warnings = _fields(properties)
    except _BadCard as bad:
        problem = Problem(where, f"line {bad.line}: {bad.reason}", bad.field_name, item.line)
        return SourceRecord(number, where, item.line, "contact", None, problem)
    return SourceRecord(number, where, item.line, kind, fields, None, tuple(warnings))


def _property(line: _Line) -> _Property:
    head, colon, value = _split_unquoted(line.text, ":")
    if not colon:
        raise _BadCard(line.number, f"{line.text.strip()[:40]!r} is not a property (no ':')")
    match = _PROPERTY.match(head.strip())
    if not match:
        raise _BadCard(line.number, f"{head.strip()[:40]!r} is not a property name")
    params = _params(match["params"] or "")
    name = match["name"].upper()
    return _Property((match["group"] or "").lower(), name, params, value, line.number)


def _split_unquoted(text: str, separator: str) -> tuple[str, str, str]:
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
        piece, sep, after = _split_unquoted(rest[1:], ";")
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


def _decoded(prop: _Property) -> str:
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
            raise _BadCard(
                prop.line, "its quoted-printable text is in no known encoding", prop.name.lower()
            ) from None


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: "\n" if m[1] in "nN" else m[1], text, flags=re.DOTALL)


def _components(text: str, separator: str = ";") -> list[str]:
    """Split a structured value on unescaped separators, then unescape each part."""
    parts, current, escaped = [], [], False
    for char in text:
        if escaped:
            current.append("\\" + char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == separator:
            parts.append(_unescape("".join(current)))
            current = []
        else:
            current.append(char)
    parts.append(_unescape("".join(current)))
    return parts


def _fields(properties: list[_Property]) -> tuple[str, Fields, list[str]]:
    fields: Fields = {}
    notes: list[str] = []
    warnings: list[str] = []
    labels = {p.group: p.value.strip() for p in properties if p.name == "X-ABLABEL" and p.group}
    seen_n = False
    kind = "contact"
    addresses = sorted((p for p in properties if p.name == "ADR"), key=lambda p: not p.preferred())
    for prop in properties:
        name = prop.name
        if name in _BINARY:
            warnings.append(f"{name.lower()} not imported")
            continue
        if name == "ADR":
            continue
        value = _decoded(prop)
        label = method_label(labels.get(prop.group)) or method_label(",".join(prop.types()))
        if name == "FN":
            add(fields, "name", _unescape(value).strip())
        elif name == "N" and not seen_n:
            seen_n = True
            _name(fields, value)
        elif name == "NICKNAME":
            add(fields, "nickname", _components(value, ",")[0].strip())
        elif name == "ORG":
            add(fields, "company", _components(value)[0].strip())
        elif name in ("TITLE", "ROLE"):
            add(fields, "title", _unescape(value).strip())
        elif name == "EMAIL":
            add(fields, "email", _unescape(value).strip(), label)
        elif name == "TEL":
            _phone(fields, notes, _unescape(value).strip(), prop, label)
        elif name == "BDAY":
            add(fields, "birthday", _birthday(_unescape(value).strip(), prop))
        elif name == "CATEGORIES":
            add(fields, "tags", [c.strip() for c in _components(value, ",") if c.strip()])
        elif name == "NOTE":
            add(fields, "notes", _unescape(value).strip())
        elif name == "URL":
            add(fields, "website", _unescape(value).strip())
        elif name == "UID":
            uid = _unescape(value).strip()
            if len(uid) <= 200:
                add(fields, "external_id", uid)
        elif name == "KIND" and value.strip().lower() == "org":
            kind = "account"
        elif name == "X-ABSHOWAS" and value.strip().upper() == "COMPANY":
            kind = "account"
    for index, prop in enumerate(addresses, start=1):
        _address(fields, _decoded(prop), f"adr {index}")
    if kind == "account":
        _as_account(fields)
    if notes:
        add(fields, "notes", "\n".join(notes))
    return kind, fields, warnings


def _birthday(value: str, prop: _Property) -> str:
    """Apple writes a birthday without a year as year 1604 with ``X-APPLE-OMIT-YEAR=1604``."""
    omitted = prop.params.get("X-APPLE-OMIT-YEAR")
    if omitted and value.startswith(omitted[0]):
        return "--" + value[len(omitted[0]) :].lstrip("-")
    return value


def _name(fields: Fields, value: str) -> None:
    parts = [" ".join(_components(p, ",")).strip() for p in _components_raw(value)] + [""] * 5
    last, first, middle = parts[0], parts[1], parts[2]
    add(fields, "last_name", last)
    add(fields, "first_name", first)
    add(fields, "middle_name", middle)


def _components_raw(text: str) -> list[str]:
    """Split on unescaped ``;`` keeping escapes (for lists within components)."""
    parts, current, escaped = [], [], False
    for char in text:
        if escaped:
            current.append("\\" + char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == ";":
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def _phone(
    fields: Fields, notes: list[str], value: str, prop: _Property, label: str | None
) -> None:
    number = re.sub(r"^tel:", "", value, flags=re.IGNORECASE).split(";")[0].strip()
    if not number:
        return
    if "fax" in prop.types():
        notes.append(f"Fax{f' ({label})' if label and label != 'other' else ''}: {number}")
        return
    add(fields, "phone", number, label)


def _address(fields: Fields, value: str, group: str) -> None:
    parts = _components(value) + [""] * 7
    _po_box, extended, street, city, _region, code, country = (p.strip() for p in parts[:7])
    add(fields, "street", street, group=group)
    add(fields, "street", extended, group=group)
    add(fields, "city", city, group=group)
    add(fields, "postal_code", code, group=group)
    add(fields, "country", country, group=group)


def _as_account(fields: Fields) -> None:
    """A KIND:org card: the organisation's name is its FN (or ORG)."""
    name = next(iter(fields.get("company", []) or fields.get("name", [])), None)
    fields.pop("first_name", None)
    fields.pop("last_name", None)
    fields.pop("middle_name", None)
    if name is not None:
        fields["name"] = [name]
    emails = [str(i.value) for i in fields.pop("email", [])]
    if emails:
        add(fields, "notes", "Email: " + ", ".join(emails))


# --- writing -----------------------------------------------------------------------------------

_TEL_TYPES = {"mobile": "cell", "work": "work", "home": "home", "other": "voice"}


def write_vcards(out: TextIO, contacts: Iterable[Contact], version: str = "4.0") -> int:
    """Write contacts as vCards (3.0 or 4.0); returns how many were written."""
    if version not in VERSIONS:
        from smallcrm.store.errors import ValidationError

        raise ValidationError("version", f"{version!r} is not a vCard version; 3.0 or 4.0")
    count = 0
    for contact in contacts:
        out.write(contact_vcard(contact, version))
        count += 1
    return count


def contact_vcard(contact: Contact, version: str = "4.0") -> str:
    """One contact as a vCard, lines folded, CRLF line ends."""
    lines = ["BEGIN:VCARD", f"VERSION:{version}"]
    if contact.external_id:
        lines.append(f"UID:{_escape(contact.external_id)}")
    lines.append(f"FN:{_escape(contact.name)}")
    lines.append(f"N:{_escape(contact.last_name)};{_escape(contact.first_name)};;;")
    if contact.account_name:
        lines.append(f"ORG:{_escape(contact.account_name)}")
    if contact.title:
        lines.append(f"TITLE:{_escape(contact.title)}")
    for method in contact.emails:
        kind = f"INTERNET,{method.label.upper()}" if version == "3.0" else method.label
        lines.append(f"EMAIL;TYPE={kind}:{_escape(method.value)}")
    for method in contact.phones:
        kind = _TEL_TYPES.get(method.label, "voice")
        lines.append(f"TEL;TYPE={kind.upper() if version == '3.0' else kind}:{method.value}")
    address = contact.address
    if any((address.street, address.postal_code, address.city, address.country)):
        parts = ["", "", address.street, address.city, "", address.postal_code, address.country]
        lines.append(
            "ADR;TYPE="
            + ("WORK" if version == "3.0" else "work")
            + ":"
            + ";".join(_escape(p or "") for p in parts)
        )
    if contact.birthday:
        day = contact.birthday
        lines.append(f"BDAY:{day.isoformat() if version == '3.0' else day.strftime('%Y%m%d')}")
    if contact.tags:
        lines.append("CATEGORIES:" + ",".join(_escape(t) for t in contact.tags))
    if contact.notes:
        lines.append(f"NOTE:{_escape(contact.notes)}")
    stamp = contact.tracking.updated_at.strftime("%Y%m%dT%H%M%SZ")
    lines.append(f"REV:{stamp}")
    lines.append("END:VCARD")
    return "".join(fold(line) + "\r\n" for line in lines)


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace(",", "\\,")
        .replace(";", "\\;")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str, limit: int = 75) -> str:
    """Fold a content line at ``limit`` octets without splitting a UTF-8 character."""
    if len(line.encode("utf-8")) <= limit:
        return line
    pieces: list[str] = []
    current, size, room = [], 0, limit
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > room:
            pieces.append("".join(current))
            current, size, room = [], 0, limit - 1  # continuation lines start with a space
        current.append(char)
        size += width
    pieces.append("".join(current))
    return "\r\n ".join(pieces)
