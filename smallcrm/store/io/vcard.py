"""vCard 2.1, 3.0 and 4.0 in (the syntax in ``vcard_lines.py``); 3.0 and 4.0 out (``vcard_write``).

Reading is done here rather than with a library so that one broken card is reported by its
position and the others still read. A card that never ends (a truncated file), or a line that
is not a property, makes that card a problem; everything else about a card is read leniently,
keeping what it says wherever the CRM has room for it:

- FN, N, NICKNAME, ORG, TITLE and ROLE (both kept in the title, ``Buyer, Team lead``), EMAIL,
  TEL (``tel:`` URIs too, with their ``;ext=`` extension; fax numbers go to the notes), ADR (a
  preferred one first; further addresses go to the notes, see ``people.py``), BDAY (dates with
  or without year, or text), CATEGORIES as tags, NOTE, URL, UID as the external id; labels
  from TYPE parameters and from Apple's ``itemN.X-ABLabel``.
- Chat handles, social profiles, anniversaries and related people (IMPP, X-SKYPE,
  X-SOCIALPROFILE, ANNIVERSARY, RELATED, X-ABRELATEDNAMES, ...) are kept in the notes.
- An email address the rules refuse is kept in the notes with a warning; the card is kept.
- A card without a name is named after its email address (or, failing that, its phone
  number), with a warning. A card of ``KIND:org`` (or Apple's ``X-ABShowAs:COMPANY``), or whose
  only name is its organisation's, becomes an account.
- A nickname is the name of a card without one, else kept in the notes.
- A contact group (``KIND:group``) is not a person: it is left out, with a warning.
- Photos, logos, sounds and keys are not kept (a warning per card says so). Bookkeeping
  (PRODID, REV, ...) is ignored; any other property (and an organisation's department, a
  name's honorific prefix or suffix) is named in one warning for the file.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator

from smallcrm.store import validate as v
from smallcrm.store.errors import ValidationError

from .common import Problem
from .convert import Fields, add
from .parsed import ParsedFile, SourceRecord
from .people import PERSON_NAMES, is_organisation, name_from_email, organisation_fields
from .values import method_label
from .vcard_lines import (
    BadCard,
    Card,
    Property,
    cards,
    components,
    components_raw,
    decoded,
    logical_lines,
    parse_property,
    physical_lines,
    unescape,
)
from .vcard_write import VERSIONS, contact_vcard, fold, write_vcards

__all__ = ["VERSIONS", "contact_vcard", "fold", "read_vcards", "write_vcards"]

_BINARY = {
    "PHOTO": "photo",
    "X-MS-CARDPICTURE": "photo",  # Outlook's
    "LOGO": "logo",
    "SOUND": "sound",
    "KEY": "key",
}
_BOOKKEEPING = frozenset(
    "VERSION PRODID REV X-ABUID X-ABADR X-ABLABEL LABEL SORT-STRING CLIENTPIDMAP SOURCE NAME "
    "PROFILE MAILER CLASS X-MOZILLA-HTML X-EVOLUTION-FILE-AS X-EVOLUTION-LIST "
    "X-EVOLUTION-LIST-SHOW-ADDRESSES X-EVOLUTION-BOOK-UID X-ABSHOWAS KIND "
    "X-MS-OL-DEFAULT-POSTAL-ADDRESS X-MS-OL-DESIGN".split()
)
_IN_NOTES = {
    "IMPP": "Chat",
    "X-AIM": "AIM",
    "X-ICQ": "ICQ",
    "X-JABBER": "Jabber",
    "X-MSN": "MSN",
    "X-YAHOO": "Yahoo",
    "X-SKYPE": "Skype",
    "X-SKYPE-USERNAME": "Skype",
    "X-GOOGLE-TALK": "Google Talk",
    "X-GADUGADU": "Gadu-Gadu",
    "X-QQ": "QQ",
    "X-TWITTER": "Twitter",
    "X-SOCIALPROFILE": "Profile",
    "ANNIVERSARY": "Anniversary",
    "X-ANNIVERSARY": "Anniversary",
    "X-EVOLUTION-ANNIVERSARY": "Anniversary",
    "X-ABDATE": "Date",
    "RELATED": "Related",
    "X-ABRELATEDNAMES": "Related",
    "X-SPOUSE": "Spouse",
    "X-EVOLUTION-SPOUSE": "Spouse",
    "X-ASSISTANT": "Assistant",
    "X-EVOLUTION-ASSISTANT": "Assistant",
    "X-MANAGER": "Manager",
    "X-EVOLUTION-MANAGER": "Manager",
    "X-MS-IMADDRESS": "Chat",
    "X-MS-SPOUSE": "Spouse",
    "X-MS-ASSISTANT": "Assistant",
    "X-MS-MANAGER": "Manager",
    "X-MS-ANNIVERSARY": "Anniversary",
    "X-PHONETIC-FIRST-NAME": "Phonetic first name",
    "X-PHONETIC-LAST-NAME": "Phonetic last name",
    "EXPERTISE": "Expertise",
    "HOBBY": "Hobby",
    "INTEREST": "Interest",
}
_TITLE_LIMIT = 200  # the contact's title field
_ADDRESS = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+")


def read_vcards(text: str) -> ParsedFile:
    """Every card of a vCard file as a record (contacts; organisations as accounts), as a list
    (``stream_vcards`` reads a file without holding its cards)."""
    parsed = stream_vcards(physical_lines(text))
    parsed.records = list(parsed.records)
    return parsed


def stream_vcards(lines: Iterable[str]) -> ParsedFile:
    """The cards of a vCard file read one by one from its physical ``lines``; the warnings
    that name the whole file and the count of cards are added when the last card was read."""
    parsed = ParsedFile("vcard", "contact", [], {})
    parsed.records = _cards(lines, parsed)
    return parsed


def _cards(lines: Iterable[str], parsed: ParsedFile) -> Iterator[SourceRecord]:
    unknown: Counter[str] = Counter()
    count = 0
    for item in cards(logical_lines(lines)):
        if isinstance(item, Card) and item.ended and _is_group(item):
            where = f"card {item.number} (line {item.line})"
            reason = "a group of contacts (KIND:group), not a person: not imported"
            parsed.warnings.append(Problem(where, reason, line=item.line))
            continue
        count += 1
        yield _record(item, count, unknown)
    if unknown:
        shown = ", ".join(
            f"{name} in {cards_with} {'card' if cards_with == 1 else 'cards'}"
            for name, cards_with in sorted(unknown.items())[:20]
        )
        parsed.warnings.append(Problem("file", f"not imported (no field for them): {shown}"))
    parsed.details["cards"] = count


def _record(item: Card | Problem, number: int, unknown: Counter[str]) -> SourceRecord:
    if isinstance(item, Problem):
        return SourceRecord(number, item.where, item.line, "contact", None, item)
    where = f"card {item.number} (line {item.line})"
    if not item.ended:
        problem = Problem(
            where, "ends without END:VCARD (the file may be cut short)", line=item.line
        )
        return SourceRecord(number, where, item.line, "contact", None, problem)
    try:
        properties = [parse_property(line) for line in item.lines if line.text.strip()]
        card = _CardFields(properties)
        kind, fields = card.read()
    except BadCard as bad:
        problem = Problem(where, f"line {bad.line}: {bad.reason}", bad.field_name, item.line)
        return SourceRecord(number, where, item.line, "contact", None, problem)
    unknown.update(set(card.unknown))
    return SourceRecord(number, where, item.line, kind, fields, None, tuple(card.warnings))


def _is_group(card: Card) -> bool:
    """A contact group (``KIND:group``, Apple's ``X-ADDRESSBOOKSERVER-KIND:group``)."""
    for line in card.lines:
        name, _colon, value = line.text.partition(":")
        if name.strip().upper().endswith("KIND") and value.strip().lower() == "group":
            return True
    return False


class _CardFields:
    """What one card says, as import fields (see the module doc)."""

    def __init__(self, properties: list[Property]) -> None:
        self.properties = properties
        self.fields: Fields = {}
        self.notes: list[str] = []
        self.warnings: list[str] = []
        self.unknown: list[str] = []
        self.labels = {
            p.group: p.value.strip() for p in properties if p.name == "X-ABLABEL" and p.group
        }
        self.organisation = False
        self.titles: list[str] = []
        self.roles: list[str] = []
        self.seen_n = False

    def read(self) -> tuple[str, Fields]:
        """(kind, fields) of the card."""
        for prop in self.properties:
            self._property(prop)
        self._addresses()
        self._title()
        if self.organisation or is_organisation(self.fields):
            add(self.fields, "notes", "\n".join(self.notes))
            return "account", organisation_fields(self.fields)
        self._drop_address_names()
        if not any(self.fields.get(key) for key in PERSON_NAMES):
            self._name_from_methods()
        names = ("name", "first_name", "middle_name", "last_name")
        if any(self.fields.get(key) for key in names):  # the nickname is not needed as the name
            self.notes += [f"Nickname: {i.value}" for i in self.fields.pop("nickname", [])]
        add(self.fields, "notes", "\n".join(self.notes))
        return "contact", self.fields

    def label(self, prop: Property) -> str | None:
        """work, home, mobile or other, from Apple's item label or the TYPE parameter."""
        return method_label(self.labels.get(prop.group)) or method_label(",".join(prop.types()))

    def _property(self, prop: Property) -> None:
        name = prop.name
        if name in _BINARY:
            self.warnings.append(f"{_BINARY[name]} not imported")
        elif name in _READERS:
            _READERS[name](self, prop, decoded(prop))
        elif name in _IN_NOTES:
            self._in_notes(prop, _IN_NOTES[name])
        elif name == "KIND" and prop.value.strip().lower() == "org":
            self.organisation = True
        elif name == "X-ABSHOWAS" and prop.value.strip().upper() == "COMPANY":
            self.organisation = True
        elif name not in _BOOKKEEPING and prop.value.strip():
            self.unknown.append(name)

    def _in_notes(self, prop: Property, word: str) -> None:
        value = unescape(decoded(prop)).strip()
        if not value:
            return
        label = self.labels.get(prop.group) or ",".join(
            t for t in prop.types() if t not in ("pref", "internet", "voice")
        )
        label = re.sub(r"^_\$!<(.*)>!\$_$", r"\1", label).strip().lower()
        self.notes.append(f"{word}{f' ({label})' if label else ''}: {value}")

    def _addresses(self) -> None:
        found = [p for p in self.properties if p.name == "ADR"]
        found.sort(key=lambda p: not p.preferred())
        for index, prop in enumerate(found, start=1):
            parts = [p.strip() for p in components(decoded(prop))] + [""] * 7
            box, extended, street, city, region, code, country = parts[:7]
            group, label = f"adr {index}", self.label(prop)
            for key, value in (
                ("street", street),
                ("street", extended),
                ("po_box", box),
                ("city", city),
                ("region", region),
                ("postal_code", code),
                ("country", country),
            ):
                add(self.fields, key, value, label, group)

    def _title(self) -> None:
        """TITLE and ROLE in one title (``Buyer, Team lead``); a role that does not fit in it
        goes to the notes."""
        parts = list(dict.fromkeys(self.titles[:1] + self.roles))
        title = ", ".join(parts)
        if len(title) > _TITLE_LIMIT and self.titles:
            title = self.titles[0]
            self.notes += [f"Role: {role}" for role in self.roles if role != title]
        add(self.fields, "title", title)

    def _drop_address_names(self) -> None:
        """A phone shows an email-only contact by its address, and some export it as its FN."""
        names = [i for key in PERSON_NAMES for i in self.fields.get(key, ())]
        if not self.fields.get("email") or not names:
            return
        if all(_ADDRESS.fullmatch(str(i.value).strip()) for i in names):
            for key in PERSON_NAMES:
                self.fields.pop(key, None)

    def _name_from_methods(self) -> None:
        """A card without a name: named after its email address, else its phone number."""
        emails = [str(i.value) for i in self.fields.get("email", ())]
        phones = [str(i.value) for i in self.fields.get("phone", ())]
        if emails:
            first, last = name_from_email(emails[0])
            source = f"its email address {emails[0]}"
        elif phones:
            first, last = phones[0][:120], ""
            source = "its phone number"
        else:
            return
        add(self.fields, "first_name", first)
        add(self.fields, "last_name", last)
        shown = f"{first} {last}".strip()
        self.warnings.append(f"has no name; named {shown!r} after {source}")


def _fn(card: _CardFields, prop: Property, value: str) -> None:
    add(card.fields, "name", unescape(value).strip())


def _n(card: _CardFields, prop: Property, value: str) -> None:
    if card.seen_n:
        return
    card.seen_n = True
    parts = [" ".join(components(p, ",")).strip() for p in components_raw(value)] + [""] * 5
    add(card.fields, "last_name", parts[0])
    add(card.fields, "first_name", parts[1])
    add(card.fields, "middle_name", parts[2])
    if parts[3] or parts[4]:
        card.unknown.append("N (honorific prefix or suffix)")


def _nickname(card: _CardFields, prop: Property, value: str) -> None:
    add(card.fields, "nickname", components(value, ",")[0].strip())


def _org(card: _CardFields, prop: Property, value: str) -> None:
    parts = [part.strip() for part in components(value)]
    add(card.fields, "company", parts[0])
    if any(parts[1:]):
        card.unknown.append("ORG (department)")


def _title(card: _CardFields, prop: Property, value: str) -> None:
    text = unescape(value).strip()
    if text:
        (card.titles if prop.name == "TITLE" else card.roles).append(text)


def _email(card: _CardFields, prop: Property, value: str) -> None:
    for address in re.split(r"[;,]", unescape(value)):
        address = re.sub(r"^mailto:", "", address.strip(), flags=re.IGNORECASE)
        if not address:
            continue
        try:
            v.email("email", address)
        except ValidationError:
            card.notes.append(f"Email: {address}")
            card.warnings.append(f"email {address!r} is not a valid address; kept in the notes")
            continue
        add(card.fields, "email", address, card.label(prop))


def _tel(card: _CardFields, prop: Property, value: str) -> None:
    number = telephone(unescape(value))
    if not number:
        return
    label = card.label(prop)
    if "fax" in prop.types():
        card.notes.append(f"Fax{f' ({label})' if label and label != 'other' else ''}: {number}")
        return
    add(card.fields, "phone", number, label)


def telephone(value: str) -> str:
    """A TEL value as a number to validate: ``tel:+1-212-555-0100;ext=12`` keeps its extension."""
    text = value.strip()
    if not text.lower().startswith("tel:"):
        return text
    number, *params = text[4:].split(";")
    extension = next((p[4:] for p in params if p.lower().startswith("ext=")), "")
    return f"{number.strip()};ext={extension.strip()}" if extension.strip() else number.strip()


def _bday(card: _CardFields, prop: Property, value: str) -> None:
    """Apple writes a birthday without a year as year 1604 with ``X-APPLE-OMIT-YEAR=1604``."""
    text = unescape(value).strip()
    omitted = prop.params.get("X-APPLE-OMIT-YEAR")
    if omitted and text.startswith(omitted[0]):
        text = "--" + text[len(omitted[0]) :].lstrip("-")
    add(card.fields, "birthday", text)


def _categories(card: _CardFields, prop: Property, value: str) -> None:
    add(card.fields, "tags", [c.strip() for c in components(value, ",") if c.strip()])


def _note(card: _CardFields, prop: Property, value: str) -> None:
    add(card.fields, "notes", unescape(value).strip())


def _url(card: _CardFields, prop: Property, value: str) -> None:
    add(card.fields, "website", unescape(value).strip())


def _uid(card: _CardFields, prop: Property, value: str) -> None:
    uid = unescape(value).strip()
    if len(uid) <= 200:
        add(card.fields, "external_id", uid)
    else:
        card.warnings.append("its UID is longer than 200 characters; not kept")


def _industry(card: _CardFields, prop: Property, value: str) -> None:
    add(card.fields, "industry", unescape(value).strip())


_READERS: dict[str, Callable[[_CardFields, Property, str], None]] = {
    "FN": _fn,
    "N": _n,
    "NICKNAME": _nickname,
    "ORG": _org,
    "TITLE": _title,
    "ROLE": _title,
    "EMAIL": _email,
    "TEL": _tel,
    "ADR": lambda card, prop, value: None,  # all at once, preferred first: _addresses
    "BDAY": _bday,
    "CATEGORIES": _categories,
    "NOTE": _note,
    "URL": _url,
    "UID": _uid,
    "X-SMALLCRM-INDUSTRY": _industry,
}
