"""Which CSV column holds which field: automatic from the headers, overridable by the user.

The headers Google Contacts (both its current and its older export), Outlook, and common CRMs
(Salesforce, HubSpot, Pipedrive, Zoho) and spreadsheets write are recognised, in English and a
few German spellings. Headers are compared in a normalised form: lower case, ``e-mail`` as
``email``, punctuation as spaces (``E-mail 1 - Value`` -> ``email 1 value``).

An override is ``HEADER=FIELD`` (``"E-mail 1 - Value=email"``, ``"Handy=phone:mobile"``); an
empty field, ``-`` or ``skip`` ignores the column. ``FIELD:LABEL`` sets the label of emails
and phones (work, home, mobile, other).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from smallcrm.store.errors import ValidationError

from .values import LABEL_WORDS, method_label

_CONTACT = (
    "name first_name middle_name last_name nickname title company email phone street po_box "
    "postal_code city region country address birthday tags notes website source owner external_id "
    "email_opt_in email_opt_out email_consent_at email_consent_source phone_opt_in "
    "phone_opt_out phone_consent_at phone_consent_source"
)
FIELDS: dict[str, tuple[str, ...]] = {
    "contact": tuple(_CONTACT.split()),
    "account": tuple(
        "name industry website phone street po_box postal_code city region country address owner "
        "tags notes external_id".split()
    ),
    "opportunity": tuple(
        "name company contact stage amount currency probability expected_close next_step "
        "lost_reason owner".split()
    ),
    "interaction": tuple(
        "kind direction subject body happened_at duration_minutes contact company follow_up_on "
        "follow_up_done".split()
    ),
    "appointment": tuple(
        "title starts_at start_date start_time ends_at end_date end_time all_day location notes "
        "contact company rrule exdates rdates reminder_minutes uid owner time_zone".split()
    ),
}
LABELLED = frozenset({"email", "phone"})
IGNORE_WORDS = frozenset({"", "-", "skip", "ignore", "none"})
ADDRESS_PARTS = frozenset(
    {"street", "po_box", "postal_code", "city", "region", "country", "address"}
)


@dataclass(frozen=True)
class Column:
    """One CSV column and the field it fills (None: ignored).

    ``group`` keeps the parts of one address together (Outlook's Business/Home/Other, Google's
    Address 1/2): a contact gets the first address that has any part filled in, the others go
    to its notes. ``slot`` ties
    Google's ``E-mail 1 - Label`` column (``role`` "label") to its ``E-mail 1 - Value``.
    """

    index: int
    header: str
    field: str | None
    label: str | None = None
    group: str = ""
    slot: str = ""
    role: str = "value"

    def describe(self) -> str:
        """``E-mail 1 - Value -> email`` for previews."""
        target = self.field or "(ignored)"
        if self.role == "label":
            target = f"label of {self.slot}"
        elif self.label:
            target += f":{self.label}"
        return f"{self.header} -> {target}"


def normalise_header(header: str) -> str:
    """``E-mail 1 - Value`` -> ``email 1 value``."""
    text = header.strip().lstrip("\ufeff").lower().replace("e-mail", "email")
    text = text.replace("_", " ").replace("ß", "ss")
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


def _words(*groups: str) -> frozenset[str]:
    return frozenset(item.strip() for group in groups for item in group.split("|"))


_NAME = {
    "name": _words("name|full name|display name|contact name|contact full name|person name"),
    "first_name": _words("first name|firstname|first|given name|givenname|forename|vorname"),
    "middle_name": _words("middle name|middlename|additional name|middle"),
    "last_name": _words("last name|lastname|last|surname|family name|familyname|nachname"),
    "nickname": _words("nickname|nick name|file as"),
}
_COMMON = {
    "tags": _words("tags|tag|labels|categories|category|group membership|groups|kategorien"),
    "notes": _words("notes|note|description|comments|comment|remarks|notizen|bemerkung|memo"),
    "owner": _words("owner|contact owner|record owner|owner name|assigned to|account owner"),
    "external_id": _words(
        "external id|record id|contact id|crm id|uid|external ref|salesforce id|hubspot id|"
        "customer id|customer number|kundennummer|account id|company id"
    ),
}
_CONTACT_ONLY = {
    "title": _words("job title|jobtitle|title|position|role|funktion|organization title"),
    "company": _words(
        "company|company name|organization|organisation|organization name|account|"
        "account name|employer|firma|unternehmen"
    ),
    "birthday": _words("birthday|birth date|birthdate|date of birth|dob|geburtstag|bday"),
    "website": _words("website|web site|web page|personal web page|url|homepage|website 1 value"),
    "source": _words("source|lead source|contact source|origin|quelle"),
    "email_opt_in": _words(
        "email opt in|email consent|email marketing consent|newsletter|subscribed|"
        "accepts marketing|marketing emails"
    ),
    "email_opt_out": _words(
        "email opt out|has opted out of email|hasoptedoutofemail|unsubscribed|do not email"
    ),
    "phone_opt_in": _words("phone opt in|sms opt in|phone consent|sms consent"),
    "phone_opt_out": _words("phone opt out|do not call|donotcall|has opted out of phone"),
    "email_consent_at": _words("email consent at|email consent date"),
    "email_consent_source": _words("email consent source"),
    "phone_consent_at": _words("phone consent at|phone consent date"),
    "phone_consent_source": _words("phone consent source"),
}
_ACCOUNT = {
    "name": _words(
        "name|account name|company|company name|organization|organisation|organization name|"
        "firma|account"
    ),
    "industry": _words("industry|sector|branche"),
    "website": _words(
        "website|web site|web page|url|homepage|domain|company domain name|website 1 value"
    ),
}
_OPPORTUNITY = {
    "name": _words("name|deal name|opportunity name|opportunity|deal|title|deal title"),
    "company": _words(
        "company|account|account name|organization|organisation|company name|organization name"
    ),
    "contact": _words(
        "contact|contact email|contact name|person|primary contact|email|contact person"
    ),
    "stage": _words("stage|deal stage|pipeline stage|status|phase"),
    "amount": _words("amount|value|deal value|revenue|price|betrag|volume|deal amount"),
    "currency": _words("currency|deal currency"),
    "probability": _words("probability|chance|win probability"),
    "expected_close": _words("expected close|expected close date|close date|closing date"),
    "next_step": _words("next step|next steps"),
    "lost_reason": _words("lost reason|loss reason|reason lost|lost reason text"),
}
_INTERACTION = {
    "kind": _words("kind|type|activity type|interaction type|channel"),
    "direction": _words("direction"),
    "subject": _words("subject|title|summary"),
    "body": _words("body|notes|note|description|details|content|text"),
    "happened_at": _words(
        "happened at|date|when|date time|datetime|time|activity date|timestamp|done at"
    ),
    "duration_minutes": _words("duration minutes|duration|minutes|length"),
    "contact": _words("contact|contact email|contact name|email|person|with"),
    "company": _words("company|account|account name|organization|organisation"),
    "follow_up_on": _words("follow up on|follow up|follow up date|due|due date|next contact"),
    "follow_up_done": _words("follow up done|done|completed"),
}
_APPOINTMENT = {
    "title": _words("title|subject|summary|name|event|event title"),
    "starts_at": _words("starts at|start|begin|from|dtstart|start datetime|starts"),
    "start_date": _words("start date|date"),
    "start_time": _words("start time|time"),
    "ends_at": _words("ends at|end|until|dtend|end datetime|ends"),
    "end_date": _words("end date"),
    "end_time": _words("end time"),
    "all_day": _words("all day|all day event|allday"),
    "location": _words("location|where|place|ort"),
    "notes": _words("notes|description|details|body|note"),
    "contact": _words("contact|contact email|contact name|with|attendee"),
    "company": _words("company|account|account name|organization"),
    "rrule": _words("rrule|recurrence|recurrence rule|repeat|repeats"),
    "exdates": _words("exdates|exdate|exceptions"),
    "rdates": _words("rdates|rdate|extra dates"),
    "time_zone": _words("time zone|timezone|tzid|zone"),
    "reminder_minutes": _words("reminder minutes|reminder|alarm|reminder before"),
    "uid": _words("uid|event id|ical uid|external id"),
    "owner": _words("owner|organizer|meeting organizer"),
}
ALIASES: dict[str, dict[str, frozenset[str]]] = {
    "contact": {**_NAME, **_CONTACT_ONLY, **_COMMON},
    "account": {**_ACCOUNT, **_COMMON},
    "opportunity": {**_OPPORTUNITY, "owner": _COMMON["owner"]},
    "interaction": _INTERACTION,
    "appointment": _APPOINTMENT,
}

_NOT_PHONES = _words("fax|pager|assistant|callback|radio|telex|tty|tdd|isdn|yomi|assistants")
_PHONE_WORDS = _words("phone|phones|telephone|tel|telefon|mobile|cell|mobil|handy|cellphone")
_EMAIL = re.compile(
    r"(?:(?P<pre>work|home|personal|private|business|other|primary|secondary) )?"
    r"(?:email|mail)s?(?: (?P<n>\d+))?(?: (?:address|addresses|value))?(?: (?P<n2>\d+))?"
    r"(?: address)?(?: (?P<post>work|home|personal|private|other))?"
)
_SLOT_LABEL = re.compile(r"(?P<what>email|phone|address) (?P<n>\d+) (?:label|type)")
_GROUPS = (
    r"business|home|other|mailing|billing|shipping|work|postal|primary|private|"
    r"address \d+|address|office"
)
_ADDRESS = re.compile(
    rf"(?:(?P<group>{_GROUPS}) )?"
    r"(?P<part>street address|street|street \d|address line \d|address line|po box|"
    r"extended address|city|town|locality|ort|stadt|state|region|province|state province|"
    r"state or province|county|bundesland|zip|zip code|"
    r"zip postal code|postal code|postcode|post code|plz|country|country region|land|"
    r"formatted|strasse)(?: (?P<line>\d))?"
)
_ADDRESS_FIELD = {
    "street address": "street",
    "street": "street",
    "strasse": "street",
    "address line": "street",
    "extended address": "street",
    "city": "city",
    "town": "city",
    "locality": "city",
    "ort": "city",
    "stadt": "city",
    "zip": "postal_code",
    "zip code": "postal_code",
    "zip postal code": "postal_code",
    "postal code": "postal_code",
    "postcode": "postal_code",
    "post code": "postal_code",
    "plz": "postal_code",
    "country": "country",
    "country region": "country",
    "land": "country",
    "formatted": "address",
    "po box": "po_box",
    "state": "region",
    "region": "region",
    "province": "region",
    "state province": "region",
    "state or province": "region",
    "county": "region",
    "bundesland": "region",
}


def _email_column(norm: str) -> tuple[str | None, str] | None:
    match = _EMAIL.fullmatch(norm)
    if not match:
        return None
    label = method_label(match["pre"] or match["post"] or "")
    slot = match["n"] or match["n2"] or ""
    return label, f"email {slot}".strip()


def _phone_column(norm: str) -> tuple[str | None, str] | None:
    words = set(norm.split())
    if words & _NOT_PHONES or not words & _PHONE_WORDS:
        return None
    if not words <= _PHONE_WORDS | _words(
        "number|value|home|work|business|company|main|other|primary|car|office|direct|"
        "private|personal|1|2|3|4|5|6|7|8|9"
    ):
        return None
    slot = next((w for w in norm.split() if w.isdigit()), "")
    label = method_label(" ".join(w for w in norm.split() if w in LABEL_WORDS))
    return label, f"phone {slot}".strip()


def _address_column(norm: str) -> tuple[str, str] | None:
    match = _ADDRESS.fullmatch(norm)
    if not match:
        return None
    part = match["part"]
    if part.startswith(("street ", "address line")):
        part = "street"
    return _ADDRESS_FIELD[part], match["group"] or ""


def _guess_column(index: int, header: str, kind: str, headers: set[str]) -> Column:
    norm = normalise_header(header)
    if slot := _SLOT_LABEL.fullmatch(norm):
        return Column(index, header, None, slot=f"{slot['what']} {slot['n']}", role="label")
    direct = _alias(norm, kind, headers)
    if direct:
        return Column(index, header, direct)
    if "email" in FIELDS[kind] and (found := _email_column(norm)):
        return Column(index, header, "email", label=found[0], slot=found[1])
    if "phone" in FIELDS[kind] and (found_phone := _phone_column(norm)):
        return Column(index, header, "phone", label=found_phone[0], slot=found_phone[1])
    if "street" in FIELDS[kind] and (found_address := _address_column(norm)):
        return Column(index, header, found_address[0], group=found_address[1])
    if kind == "contact" and re.fullmatch(r"organization \d+ (name|title)", norm):
        return Column(index, header, "company" if norm.endswith("name") else "title")
    return Column(index, header, None)


# Exports that prefix every header with the record's kind: Pipedrive's "Deal - Title",
# "Person - Email", Salesforce's "Opportunity Name".
_PREFIXES = {
    "contact": ("person ", "contact "),
    "account": ("organization ", "account ", "company "),
    "opportunity": ("deal ", "opportunity "),
    "interaction": ("activity ",),
    "appointment": ("event ", "meeting "),
}


def _alias(norm: str, kind: str, headers: set[str]) -> str | None:
    found = _direct_alias(norm, kind, headers)
    if found is None:
        for prefix in _PREFIXES[kind]:
            if norm.startswith(prefix) and len(norm) > len(prefix):
                found = _direct_alias(norm[len(prefix) :], kind, headers)
                break
    return found


def _direct_alias(norm: str, kind: str, headers: set[str]) -> str | None:
    if norm in _OWN_COLUMNS and _OWN_EXPORT <= headers and kind in ("contact", "account"):
        return _OWN_COLUMNS[norm]  # smallcrm's own export: finds the record it came from
    if norm == "id" and not headers & _COMMON["external_id"]:
        return "external_id" if "external_id" in FIELDS[kind] else None
    if kind == "contact" and norm == "title" and "job title" in headers:
        return None  # Outlook: "Title" is Mr/Ms, "Job Title" is the job
    for field, words in ALIASES[kind].items():
        if norm in words or norm.replace(" ", "_") == field or norm == field.replace("_", " "):
            return field
    return None


# The headers of smallcrm's own CSV and JSON exports that identify a record there (convert.py).
_OWN_EXPORT = frozenset({"id", "external id", "created at"})
_OWN_COLUMNS = {"id": "smallcrm_id", "created at": "smallcrm_created_at"}


def guess_kind(headers: Sequence[str]) -> str:
    """The kind of record a CSV holds, from its headers (contacts unless clearly otherwise)."""
    norms = {normalise_header(h) for h in headers}
    if norms & {"starts at", "start", "start date", "dtstart", "all day event", "rrule"}:
        return "appointment"
    if "happened at" in norms or {"kind", "subject"} <= norms:
        return "interaction"
    if norms & {"stage", "deal stage", "deal name", "opportunity name", "expected close"}:
        return "opportunity"
    person = _NAME["first_name"] | _NAME["last_name"] | {"email", "email address", "emails"}
    if not norms & person and norms & {"industry", "website", "account name", "company name"}:
        return "account"
    return "contact"


def parse_mapping(items: Iterable[str] | Mapping[str, str] | None) -> dict[str, str]:
    """User overrides as ``{header: field}`` from ``["E-mail 1 - Value=email", ...]``."""
    if items is None:
        return {}
    if isinstance(items, Mapping):
        return {str(k): str(v) for k, v in items.items()}
    result: dict[str, str] = {}
    for item in items:
        header, sep, field = str(item).rpartition("=")
        if not sep or not header.strip():
            raise ValidationError(
                "mapping", f'{item!r} is not HEADER=FIELD (like "E-mail 1 - Value=email")'
            )
        result[header.strip()] = field.strip()
    return result


def map_columns(
    headers: Sequence[str], kind: str, overrides: Mapping[str, str] | None = None
) -> list[Column]:
    """The column mapping for ``headers``: automatic, then the user's overrides applied."""
    present = {normalise_header(h) for h in headers}
    columns = [_guess_column(i, h, kind, present) for i, h in enumerate(headers)]
    for header, target in (overrides or {}).items():
        index = _find_header(headers, header)
        columns[index] = _override(columns[index], target, kind)
    return columns


def _find_header(headers: Sequence[str], wanted: str) -> int:
    for index, header in enumerate(headers):
        if header.strip() == wanted.strip():
            return index
    norm = normalise_header(wanted)
    for index, header in enumerate(headers):
        if normalise_header(header) == norm:
            return index
    shown = ", ".join(repr(h) for h in headers[:12])
    raise ValidationError("mapping", f"the file has no column {wanted!r}; its columns are {shown}")


def _override(column: Column, target: str, kind: str) -> Column:
    field, _, label = target.strip().partition(":")
    field = field.strip().lower().replace(" ", "_")
    if field in IGNORE_WORDS:
        return replace(column, field=None, label=None, role="value", slot="")
    if field not in FIELDS[kind]:
        raise ValidationError(
            "mapping",
            f"{target!r} (for column {column.header!r}) is not a {kind} field; "
            f"one of {', '.join(FIELDS[kind])}",
        )
    if label and field not in LABELLED:
        raise ValidationError("mapping", f"{target!r}: only email and phone take a label")
    chosen = method_label(label) if label else column.label if field == column.field else None
    if label and not chosen:
        raise ValidationError("mapping", f"{label!r} is not a label; one of work, home, mobile")
    return Column(column.index, column.header, field, chosen, column.group, column.slot)
