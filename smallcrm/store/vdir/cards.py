"""A contact as the vCard file a phone gets, and a phone's vCard as the values of a contact.

The card is the export's own (``io.vcard_write``, vCard 3.0, which every phone's CardDAV client
reads) and a phone's card is read by the import's reader (``io.vcard``, hardened against real
phones' files), so a card that goes to a phone and comes back unchanged gives the same values.
What smallcrm writes, it reads back; every other line of a phone's card (a photo, a nickname,
a chat handle, a related person, a phone's own ``X-`` property) is kept as it came and written
back into the card, so a phone never loses what the CRM has no field for.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from smallcrm.store.errors import ValidationError
from smallcrm.store.io.convert import Context, to_draft
from smallcrm.store.io.prepare import clean_lenient
from smallcrm.store.io.vcard import contact_vcard, fold, read_vcards
from smallcrm.store.io.vcard_lines import BadCard, logical_lines, parse_property
from smallcrm.store.records import Contact

VERSION = "3.0"
# What contact_vcard writes (and the card's frame), read back by the reader; Apple's item
# labels name an email's or phone's label and are read with them.
WRITTEN = frozenset(
    "BEGIN END VERSION UID FN N ORG TITLE EMAIL TEL ADR BDAY CATEGORIES NOTE REV PRODID "
    "X-ABLABEL".split()
)
# A phone's card replaces these; what it lacks is emptied (a field removed on the phone).
CLEARED: dict[str, Any] = {
    "title": None,
    "street": None,
    "postal_code": None,
    "city": None,
    "country": None,
    "birthday": None,
    "notes": None,
    "tags": [],
    "emails": [],
    "phones": [],
}
_END = "END:VCARD\r\n"


@dataclass
class PhoneCard:
    """What a phone's card says: values for ``contacts.clean``, its organisation, UID and the
    lines kept as they came."""

    values: dict[str, Any]
    company: str | None
    uid: str | None
    extra: str | None
    warnings: list[str] = field(default_factory=list)


def card_bytes(contact: Contact, extra: str | None) -> bytes:
    """The contact's card, with the kept lines of a phone's card before its end."""
    text = contact_vcard(contact, VERSION)
    if extra:
        kept = "".join(fold(line) + "\r\n" for line in extra.split("\n"))
        text = text[: -len(_END)] + kept + _END
    return text.encode("utf-8")


def read_card(data: bytes) -> PhoneCard:
    """A phone's card as contact values (ValidationError naming what cannot be read)."""
    text = data.decode("utf-8", errors="replace")
    written, kept = _split(text)
    parsed = read_vcards("\r\n".join(written) + "\r\n")
    records = list(parsed.records)
    if len(records) != 1:
        raise ValidationError("card", f"the file holds {len(records)} cards, not one")
    record = records[0]
    if record.problem is not None:
        raise ValidationError("card", f"{record.problem.where}: {record.problem.reason}")
    if record.kind != "contact" or record.fields is None:
        raise ValidationError("card", "it is an organisation's card; sync keeps people only")
    draft = to_draft("contact", record.fields, Context("phone"))
    clean_lenient(draft, _clean)  # a number the phone rules refuse goes to the notes
    values = {**CLEARED, **draft.values}
    uid = values.pop("external_id", None)
    return PhoneCard(values, draft.company, uid, "\n".join(kept) or None, list(draft.warnings))


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    from smallcrm.store.contacts import clean

    return clean(values)


def _split(text: str) -> tuple[list[str], list[str]]:
    """The card's lines smallcrm reads, and those it keeps as they are (see the module doc)."""
    written: list[str] = []
    kept: list[str] = []
    for line in logical_lines(text):
        try:
            name = parse_property(line).name
        except BadCard:
            written.append(line.text)  # the reader reports it
            continue
        (written if name in WRITTEN else kept).append(line.text)
    return written, kept
