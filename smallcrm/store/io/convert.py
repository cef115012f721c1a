"""From what a file says to what the services take: one ``Draft`` per record of the file.

Every reader (CSV, vCard, iCalendar, JSON) hands over ``Fields``: for each import field the
values found, in file order, with their label (work, home, ...) and address group. The
converters here pick and combine them (first non-empty value, one whole address with the others
in the notes (``people.py``), every email), read dates and yes/no, and leave validation proper
to the services' own ``clean()``.

Two leniencies keep real address books importable without losing anything: a birthday without
a year or in words ("circa 1800") here, and a phone number the phone rules reject (in the
engine, where the service validates it), go into the notes with a warning instead of failing
the whole contact. An account keeps what it has no field for (further phones, the emails of an
organisation's row or card, a title) in its notes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, TypeGuard

from smallcrm.store import clock
from smallcrm.store.errors import ValidationError

from .items import Fields as Fields
from .items import Item as Item
from .people import address_values
from .values import NoYear, file_bool, file_date, file_datetime, local_midnight, split_values

# The id and creation time of a record in smallcrm's own CSV and JSON exports (mapping.py reads
# them from those files only): with them a re-import finds the very record it came from.
OWN_ID, OWN_CREATED = "smallcrm_id", "smallcrm_created_at"


@dataclass(slots=True)
class Draft:
    """A record ready for the services: ``values`` for ``clean()``, plus references to resolve.

    ``company`` is an account name (found, or created on the way); ``contact`` an email address
    or a name of an existing contact; ``attendees`` are emails of which the first that belongs
    to a contact links the record to it (an unknown attendee is no error). ``own`` is the id
    and creation time a record of one of smallcrm's own CSV or JSON exports had there.
    """

    kind: str
    values: dict[str, Any]
    label: str
    company: str | None = None
    contact: str | None = None
    warnings: list[str] = field(default_factory=list)
    attendees: list[str] = field(default_factory=list)
    own: tuple[int, datetime | None] | None = None


@dataclass(frozen=True)
class Context:
    """What the converters need to know about the file."""

    source: str


def add(fields: Fields, name: str, value: Any, label: str | None = None, group: str = "") -> None:
    """Add a value to ``fields`` unless it is empty."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return
    fields.setdefault(name, []).append(Item(value, label, group))


def _first(fields: Fields, name: str) -> Any:
    for item in fields.get(name, ()):
        value = item.value.strip() if isinstance(item.value, str) else item.value
        if value not in (None, ""):
            return value
    return None


def _text(fields: Fields, name: str) -> str | None:
    value = _first(fields, name)
    return None if value is None else str(value)


def _joined(fields: Fields, name: str, separator: str) -> str | None:
    parts = [str(i.value).strip() for i in fields.get(name, ()) if str(i.value).strip()]
    return separator.join(parts) or None


def to_draft(kind: str, fields: Fields, context: Context) -> Draft:
    """The draft of one record; ValidationError (naming the field) if it cannot be one."""
    draft = _CONVERTERS[kind](fields, context)
    if OWN_ID in fields:
        from .identity import exported_id

        draft.own = exported_id(_first(fields, OWN_ID), _first(fields, OWN_CREATED))
    return draft


# --- contacts ----------------------------------------------------------------------------------


def _contact(fields: Fields, context: Context) -> Draft:
    values: dict[str, Any] = {}
    warnings: list[str] = []
    notes: list[str] = []
    label = _person_name(fields, values)
    for key in ("title", "source", "owner", "external_id"):
        if (text := _text(fields, key)) is not None:
            values[key] = text
    emails = _emails(fields)
    if emails:
        values["emails"] = emails
    if phones := _phones(fields):
        values["phones"] = phones
    address, other_addresses = address_values(fields)
    values.update(address)
    _birthday(fields, values, warnings, notes)
    if tags := _tags(fields):
        values["tags"] = tags
    _consent(fields, values, context)
    notes += [f"Website: {item.value}" for item in fields.get("website", ())]
    notes += other_addresses
    all_notes = [n for n in (_joined(fields, "notes", "\n\n"), *notes) if n]
    if all_notes:
        values["notes"] = "\n".join(all_notes)
    return Draft("contact", values, label, _text(fields, "company"), None, warnings)


def _person_name(fields: Fields, values: dict[str, Any]) -> str:
    first = " ".join(
        p for p in (_text(fields, "first_name"), _text(fields, "middle_name")) if p
    ).strip()
    last = (_text(fields, "last_name") or "").strip()
    if first or last:
        values["first_name"], values["last_name"] = first, last
        return f"{first} {last}".strip()
    for key in ("name", "nickname"):
        if name := _text(fields, key):
            values["name"] = name
            return name
    raise ValidationError("name", "is missing: the record has no first, last or full name")


def _emails(fields: Fields) -> list[Any]:
    found: list[Any] = []
    for item in fields.get("email", ()):
        for address in split_values(str(item.value), ";,"):
            found.append((item.label, address) if item.label else address)
    return found


def _phones(fields: Fields) -> list[Any]:
    """Phone numbers as given; the service validates them (see ``engine.clean_lenient``)."""
    found: list[Any] = []
    for item in fields.get("phone", ()):
        for number in _numbers(str(item.value)):
            found.append((item.label, number) if item.label else number)
    return found


def _numbers(text: str) -> list[str]:
    """The numbers of a cell: ``a; b`` is two, ``+1 212 555 0100;ext=12`` one with extension."""
    numbers: list[str] = []
    for part in split_values(text, ";"):
        if numbers and re.match(r"ext\s*=", part, re.IGNORECASE):
            numbers[-1] += ";" + part
        else:
            numbers.append(part)
    return numbers


def _birthday(
    fields: Fields, values: dict[str, Any], warnings: list[str], notes: list[str]
) -> None:
    raw = _first(fields, "birthday")
    if raw is None:
        return
    if isinstance(raw, date):
        values["birthday"] = raw
        return
    try:
        values["birthday"] = file_date("birthday", str(raw))
    except NoYear as exc:
        warnings.append(f"birthday {raw!r} has no year; kept in the notes")
        notes.append(f"Birthday: {exc}")
    except ValidationError:
        warnings.append(f"birthday {raw!r} is not a date; kept in the notes")
        notes.append(f"Birthday: {raw}")


_SYSTEM_GROUPS = frozenset({"mycontacts", "other contacts", "friends and family"})


def _tags(fields: Fields) -> list[str]:
    tags: list[str] = []
    for item in fields.get("tags", ()):
        raw = item.value if isinstance(item.value, list | tuple) else split_values(str(item.value))
        for tag in raw:
            word = str(tag).strip().removeprefix("* ").strip()
            if word and word.lower() not in _SYSTEM_GROUPS and word not in tags:
                tags.append(word)
    return tags


def _consent(fields: Fields, values: dict[str, Any], context: Context) -> None:
    for channel in ("email", "phone"):
        opt_in = _yes_no(fields, f"{channel}_opt_in")
        opt_out = _yes_no(fields, f"{channel}_opt_out")
        given = opt_in if opt_in is not None else (None if opt_out is None else not opt_out)
        if given is None:
            continue
        values[f"{channel}_opt_in"] = given
        at = _first(fields, f"{channel}_consent_at")
        if at is not None:
            values[f"{channel}_consent_at"] = _when(f"{channel}_consent_at", at)
        values[f"{channel}_consent_source"] = (
            _text(fields, f"{channel}_consent_source") or (f"import of {context.source}"[:200])
        )


def _yes_no(fields: Fields, key: str) -> bool | None:
    raw = _first(fields, key)
    if raw is None or isinstance(raw, bool):
        return raw
    return file_bool(key, str(raw))


def _when(key: str, raw: Any) -> datetime:
    if isinstance(raw, datetime):
        if raw.tzinfo is None:
            return clock.local(raw)
        return raw
    if isinstance(raw, date):
        return local_midnight(raw)
    return file_datetime(key, str(raw))


def _day(key: str, raw: Any) -> date | None:
    if raw is None or isinstance(raw, date):
        return raw
    try:
        return file_date(key, str(raw))
    except NoYear:
        raise ValidationError(key, f"{raw!r} has no year") from None


# --- accounts ----------------------------------------------------------------------------------


def _account(fields: Fields, context: Context) -> Draft:
    values: dict[str, Any] = {}
    for key in ("name", "industry", "website", "owner", "external_id"):
        if (text := _text(fields, key)) is not None:
            values[key] = text
    notes: list[str] = []
    if phones := _phones(fields):  # an account has one phone; the others go to the notes
        first = phones[0]
        values["phone"] = first[1] if isinstance(first, tuple) else first
        notes += [_phone_note(p) for p in phones[1:]]
    if emails := _emails(fields):  # a person-shaped record of an organisation (its emails)
        notes.append("Email: " + ", ".join(e[1] if isinstance(e, tuple) else e for e in emails))
    for key in ("title", "birthday", "source"):
        if (text := _text(fields, key)) is not None:
            notes.append(f"{key.capitalize()}: {text}")
    address, other_addresses = address_values(fields)
    values.update(address)
    if tags := _tags(fields):
        values["tags"] = tags
    all_notes = [n for n in (_joined(fields, "notes", "\n\n"), *notes, *other_addresses) if n]
    if all_notes:
        values["notes"] = "\n".join(all_notes)
    return Draft("account", values, values.get("name") or "")


def _phone_note(phone: Any) -> str:
    label, number = phone if isinstance(phone, tuple) else (None, phone)
    return f"Phone{f' ({label})' if label else ''}: {number}"


# --- opportunities -----------------------------------------------------------------------------


def _opportunity(fields: Fields, context: Context) -> Draft:
    values: dict[str, Any] = {}
    for key in ("name", "stage", "currency", "next_step", "lost_reason", "owner"):
        if (text := _text(fields, key)) is not None:
            values[key] = text
    if (amount := _first(fields, "amount")) is not None:
        values["amount"] = _amount_text(amount)
    if (probability := _first(fields, "probability")) is not None:
        values["probability"] = probability
    if (close := _first(fields, "expected_close")) is not None:
        values["expected_close"] = _day("expected_close", close)
    return Draft(
        "opportunity",
        values,
        values.get("name") or "",
        _text(fields, "company"),
        _text(fields, "contact"),
    )


def _amount_text(raw: Any) -> Any:
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return str(raw)
    return re.sub(r"^[€$£¥\s]+|[€$£¥\s]+$", "", str(raw)).replace("\u00a0", "")


# --- interactions ------------------------------------------------------------------------------

_INTERACTION_KINDS = {
    "phone": "call",
    "phone call": "call",
    "telephone": "call",
    "e-mail": "email",
    "mail": "email",
    "meet": "meeting",
    "appointment": "meeting",
    "comment": "note",
}


def _interaction(fields: Fields, context: Context) -> Draft:
    values: dict[str, Any] = {}
    kind = (_text(fields, "kind") or "").strip().lower()
    values["kind"] = _INTERACTION_KINDS.get(kind, kind)
    for key in ("direction", "subject"):
        if (text := _text(fields, key)) is not None:
            values[key] = text
    if (body := _joined(fields, "body", "\n\n")) is not None:
        values["body"] = body
    when = _first(fields, "happened_at")
    if when is None:
        raise ValidationError("happened_at", "is missing: when did it happen?")
    values["happened_at"] = _when("happened_at", when)
    if (minutes := _first(fields, "duration_minutes")) is not None:
        values["duration_minutes"] = minutes
    if (follow := _first(fields, "follow_up_on")) is not None:
        values["follow_up_on"] = _day("follow_up_on", follow)
    if (done := _yes_no(fields, "follow_up_done")) is not None:
        values["follow_up_done"] = done
    return Draft(
        "interaction",
        values,
        values.get("subject") or values["kind"],
        _text(fields, "company"),
        _text(fields, "contact"),
    )


# --- appointments ------------------------------------------------------------------------------


def _appointment(fields: Fields, context: Context) -> Draft:
    values: dict[str, Any] = {}
    for key in ("title", "location", "rrule", "uid", "owner", "time_zone"):
        if (text := _text(fields, key)) is not None:
            values[key] = text
    if (notes := _joined(fields, "notes", "\n\n")) is not None:
        values["notes"] = notes
    all_day = _yes_no(fields, "all_day")
    start = _moment(fields, "starts_at", "start_date", "start_time")
    if start is None:
        raise ValidationError("starts_at", "is missing: when does it start?")
    if _is_day(start):
        all_day = True if all_day is None else all_day
    # An all-day entry keeps its days as days; the store stores them without a zone.
    values["starts_at"] = start if all_day and _is_day(start) else _when("starts_at", start)
    end = _moment(fields, "ends_at", "end_date", "end_time")
    if end is not None:
        values["ends_at"] = end if all_day and _is_day(end) else _when("ends_at", end)
    if all_day is not None:
        values["all_day"] = all_day
    for key in ("exdates", "rdates"):
        if (moments := _first(fields, key)) is not None:
            values[key] = _moments(key, moments)
    if (reminder := _first(fields, "reminder_minutes")) is not None:
        values["reminder_minutes"] = reminder
    return Draft(
        "appointment",
        values,
        values.get("title") or "",
        _text(fields, "company"),
        _text(fields, "contact"),
        attendees=[str(item.value) for item in fields.get("attendee", ())],
    )


def _moment(fields: Fields, whole: str, day_key: str, time_key: str) -> Any:
    """A start or end: one column, or a date column plus a time column (Outlook calendars)."""
    value = _first(fields, whole)
    if value is not None:
        if isinstance(value, str) and re.fullmatch(r"\s*\d{4}-?\d{2}-?\d{2}\s*", value):
            return _day(whole, value)
        return value
    day = _first(fields, day_key)
    if day is None:
        return None
    day = _day(day_key, day)
    wall = _first(fields, time_key)
    if wall is None or day is None:
        return day
    if isinstance(wall, time):
        return clock.at(day, wall)
    from smallcrm.store.dates import parse_time

    return clock.at(day, parse_time(str(wall), field=time_key))


def _is_day(value: Any) -> TypeGuard[date]:
    return isinstance(value, date) and not isinstance(value, datetime)


def _moments(key: str, raw: Any) -> list[date | datetime]:
    """Skipped or extra occurrences: days stay days (a skipped day removes that day's
    occurrence), times become instants."""
    items = raw if isinstance(raw, list | tuple) else str(raw).replace(",", " ").split()
    found: list[date | datetime] = []
    for item in items:
        if _is_day(item):
            found.append(item)
        elif isinstance(item, str) and re.fullmatch(r"\s*\d{4}-\d{2}-\d{2}\s*", item):
            found.append(date.fromisoformat(item.strip()))
        else:
            found.append(_when(key, item))
    return found


_CONVERTERS: dict[str, Callable[[Fields, Context], Draft]] = {
    "contact": _contact,
    "account": _account,
    "opportunity": _opportunity,
    "interaction": _interaction,
    "appointment": _appointment,
}
