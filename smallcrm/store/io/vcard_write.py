"""Contacts and accounts as vCards 3.0 or 4.0.

Lines are folded at 75 octets (never inside a UTF-8 character), ``\\ , ;`` and line breaks are
escaped (a note's CRLF or CR is one line break, ``\\n``), and lines end with CRLF, as RFC 2426
and RFC 6350 ask. Every card has a UID (``own_uid.py``), so importing an export again finds
each record even when it has no email or phone. An account is an organisation's card:
``KIND:org`` in 4.0 and Apple's ``X-ABShowAs:COMPANY`` in 3.0, which has no KIND; its industry
goes in ``X-SMALLCRM-INDUSTRY``, which other programs ignore and smallcrm reads back.

A phone number with an extension is a ``tel:`` URI in 4.0 (``tel:+12125550100;ext=12``) and
``+12125550100 ext. 12`` in 3.0, whose TEL is text.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TextIO

from smallcrm.store.errors import ValidationError
from smallcrm.store.records import Account, Address, Contact

from .own_uid import record_uid

VERSIONS = ("3.0", "4.0")
_TEL_TYPES = {"mobile": "cell", "work": "work", "home": "home", "other": "voice"}


def write_vcards(out: TextIO, records: Iterable[Contact | Account], version: str = "4.0") -> int:
    """Write contacts or accounts as vCards (3.0 or 4.0); returns how many were written."""
    if version not in VERSIONS:
        raise ValidationError("version", f"{version!r} is not a vCard version; 3.0 or 4.0")
    count = 0
    for record in records:
        if isinstance(record, Account):
            out.write(account_vcard(record, version))
        else:
            out.write(contact_vcard(record, version))
        count += 1
    return count


def contact_vcard(contact: Contact, version: str = "4.0") -> str:
    """One contact as a vCard, lines folded, CRLF line ends."""
    uid = contact.external_id or record_uid("contact", contact.id, contact.tracking.created_at)
    lines = ["BEGIN:VCARD", f"VERSION:{version}", f"UID:{_escape(uid)}"]
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
        lines.append(_tel(method.value, _TEL_TYPES.get(method.label, "voice"), version))
    lines += _adr(contact.address, version)
    if contact.birthday:
        day = contact.birthday
        lines.append(f"BDAY:{day.isoformat() if version == '3.0' else day.strftime('%Y%m%d')}")
    lines += _tags_and_notes(contact.tags, contact.notes)
    lines.append(f"REV:{contact.tracking.updated_at.strftime('%Y%m%dT%H%M%SZ')}")
    lines.append("END:VCARD")
    return "".join(fold(line) + "\r\n" for line in lines)


def account_vcard(account: Account, version: str = "4.0") -> str:
    """One account as an organisation's vCard (see the module doc)."""
    uid = account.external_id or record_uid("account", account.id, account.tracking.created_at)
    lines = ["BEGIN:VCARD", f"VERSION:{version}"]
    lines.append("KIND:org" if version == "4.0" else "X-ABShowAs:COMPANY")
    lines.append(f"UID:{_escape(uid)}")
    lines += [f"FN:{_escape(account.name)}", "N:;;;;", f"ORG:{_escape(account.name)}"]
    if account.phone:
        lines.append(_tel(account.phone, "work", version))
    if account.website:
        lines.append(f"URL:{_escape(account.website)}")
    lines += _adr(account.address, version)
    if account.industry:
        lines.append(f"X-SMALLCRM-INDUSTRY:{_escape(account.industry)}")
    lines += _tags_and_notes(account.tags, account.notes)
    lines.append(f"REV:{account.tracking.updated_at.strftime('%Y%m%dT%H%M%SZ')}")
    lines.append("END:VCARD")
    return "".join(fold(line) + "\r\n" for line in lines)


def _tel(number: str, kind: str, version: str) -> str:
    main, _sep, extension = number.partition(";ext=")
    if version == "3.0":
        value = f"{main} ext. {extension}" if extension else main
        return f"TEL;TYPE={kind.upper()}:{value}"
    if extension:
        return f"TEL;VALUE=uri;TYPE={kind}:tel:{main};ext={extension}"
    return f"TEL;TYPE={kind}:{main}"


def _adr(address: Address, version: str) -> list[str]:
    if not any((address.street, address.postal_code, address.city, address.country)):
        return []
    parts = ["", "", address.street, address.city, "", address.postal_code, address.country]
    kind = "WORK" if version == "3.0" else "work"
    return [f"ADR;TYPE={kind}:" + ";".join(_escape(p or "") for p in parts)]


def _tags_and_notes(tags: tuple[str, ...], notes: str | None) -> list[str]:
    lines = []
    if tags:
        lines.append("CATEGORIES:" + ",".join(_escape(t) for t in tags))
    if notes:
        lines.append(f"NOTE:{_escape(notes)}")
    return lines


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
    current: list[str] = []
    size, room = 0, limit
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > room:
            pieces.append("".join(current))
            current, size, room = [], 0, limit - 1  # continuation lines start with a space
        current.append(char)
        size += width
    pieces.append("".join(current))
    return "\r\n ".join(pieces)
