"""Who a record of a file is about, and where it lives: shared by the readers and converters.

Address books hold records the CRM's fields do not fit at first sight; these rules keep them
instead of refusing or silently thinning them:

- A record whose only name is its organisation's (``Acme Widgets`` with an email and no
  person; an ``N:;;;;`` card with ``ORG``) is that organisation: it becomes an account
  (``is_organisation``, ``organisation_fields``).
- A person's record without any name (phones export contacts that have only an email) is named
  after its email address (``name_from_email``): ``jana.novak+crm@example.com`` is
  "Jana Novak". The local part is split at dots, underscores and hyphens, digits and a ``+tag``
  are dropped, and each word gets a capital if it was all one case. An address whose local
  part is a role (``info@``, ``sales@``) or has no letters names nobody: the whole address is
  the name then.
- A record may hold several addresses: the first with a street or PO box (a vCard's preferred
  one first) fills the address fields, the others are kept in the notes as
  ``Address (home): ...`` (``address_values``). A
  PO box is kept with the street (``PO Box 12``) and a region (state, province) with the city
  (``Albany, NY``), as there are no fields of their own for them.
"""

from __future__ import annotations

import re
from typing import Any

from .items import Fields, Item
from .values import method_label

PERSON_NAMES = ("name", "first_name", "middle_name", "last_name", "nickname")
ADDRESS_PARTS = ("street", "po_box", "postal_code", "city", "region", "country", "address")
ROLE_MAILBOXES = frozenset(
    "info office contact contacts hello hallo sales support admin mail team kontakt service "
    "billing accounts accounting hr jobs careers press marketing webmaster postmaster noreply "
    "no-reply donotreply enquiries inquiries help orders booking reception".split()
)
_SEPARATORS = re.compile(r"[._\-]+")


def name_from_email(address: str) -> tuple[str, str]:
    """(first name, last name) for a person known only by ``address`` (see the module doc)."""
    local = address.strip().rpartition("@")[0] or address.strip()
    local = local.split("+", 1)[0]
    words = [re.sub(r"\d+", "", w) for w in _SEPARATORS.split(local)]
    words = [w for w in words if re.search(r"[^\W\d_]", w)]
    if not words or local.lower() in ROLE_MAILBOXES or words[0].lower() in ROLE_MAILBOXES:
        return address.strip()[:120], ""
    words = [w.capitalize() if w.islower() or w.isupper() else w for w in words]
    return words[0][:120], " ".join(words[1:])[:120]


def _values(fields: Fields, name: str) -> list[str]:
    return [str(i.value).strip() for i in fields.get(name, ()) if str(i.value).strip()]


def is_organisation(fields: Fields) -> bool:
    """True if the record names an organisation and no person other than it."""
    companies = _values(fields, "company")
    if not companies:
        return False
    company = _key(companies[0])
    return all(_key(n) == company for key in PERSON_NAMES for n in _values(fields, key))


def organisation_fields(fields: Fields) -> Fields:
    """A person-shaped record's fields as an account's: the organisation's name is the name.

    The account converter keeps what an account has no field for (emails, further phones, a
    title) in its notes.
    """
    result: Fields = {k: list(v) for k, v in fields.items() if k not in PERSON_NAMES}
    name = (_values(fields, "company") or _values(fields, "name") or [""])[0]
    result.pop("company", None)
    if name:
        result["name"] = [Item(name)]
    return result


def address_values(fields: Fields) -> tuple[dict[str, Any], list[str]]:
    """The first address's fields, and a notes line for each further address."""
    groups = _groups(fields)
    if not groups:
        return {}, []
    values = _one_address(fields, groups[0])
    notes = []
    for group in groups[1:]:
        other = _one_address(fields, group)
        label = _label(fields, group)
        line = _one_line(other)
        if line:
            notes.append(f"Address{f' ({label})' if label else ''}: {line}")
    return values, notes


def _groups(fields: Fields) -> list[str]:
    """The addresses in the order they are taken: those with a street or PO box first, in file
    order (a vCard's ``adr N``: its preferred address first), then the others."""
    groups: list[str] = []
    for key in ADDRESS_PARTS:
        for item in fields.get(key, ()):
            if item.group not in groups and str(item.value).strip():
                groups.append(item.group)
    if all(re.fullmatch(r"adr \d+", group) for group in groups):
        groups.sort(key=lambda group: int(group[4:]))
    streets = [g for g in groups if _parts(fields, "street", g) or _parts(fields, "po_box", g)]
    return streets + [g for g in groups if g not in streets]


def _parts(fields: Fields, key: str, group: str) -> list[str]:
    return [
        str(i.value).strip()
        for i in fields.get(key, ())
        if i.group == group and str(i.value).strip()
    ]


def _one_address(fields: Fields, group: str) -> dict[str, Any]:
    streets = _parts(fields, "street", group)
    streets += [_po_box(box) for box in _parts(fields, "po_box", group)[:1]]
    city = (_parts(fields, "city", group) or [""])[0]
    region = (_parts(fields, "region", group) or [""])[0]
    if region and _key(region) != _key(city):
        city = f"{city}, {region}" if city else region
    result = {
        "street": ", ".join(streets) or None,
        "postal_code": next(iter(_parts(fields, "postal_code", group)), None),
        "city": city or None,
        "country": next(iter(_parts(fields, "country", group)), None),
    }
    formatted = _parts(fields, "address", group)
    if not any(result.values()) and formatted:
        text = ", ".join(formatted)
        result["street"] = ", ".join(line.strip() for line in text.splitlines() if line.strip())
    return {k: val for k, val in result.items() if val}


def _po_box(text: str) -> str:
    """``12`` -> ``PO Box 12``; ``PO Box 12`` and ``Postfach 1234`` as they are."""
    return f"PO Box {text}" if re.fullmatch(r"[\d\s\-/.]+", text) else text


def _key(name: str) -> str:
    return " ".join(name.casefold().split())


def _label(fields: Fields, group: str) -> str | None:
    for key in ADDRESS_PARTS:
        for item in fields.get(key, ()):
            if item.group == group and item.label:
                return item.label
    return method_label(group)


def _one_line(address: dict[str, Any]) -> str:
    town = " ".join(p for p in (address.get("postal_code"), address.get("city")) if p)
    return ", ".join(p for p in (address.get("street"), town, address.get("country")) if p)
