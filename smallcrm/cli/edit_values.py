"""The values of ``smallcrm edit``'s assignments, read as ``smallcrm add`` and ``smallcrm log``
read their options (dates, lengths, yes/no, names of linked records) and against the record as
it is (``tag+=vip`` adds to its tags; a new start keeps an appointment's length)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from smallcrm.cli.context import CliError, lookup, now
from smallcrm.store import kinds
from smallcrm.store.kinds import LENGTH, LIST, RAW, TEXT, YES_NO, Kind

if TYPE_CHECKING:
    from smallcrm.store.db import Database

_YES = {"yes", "y", "true", "on", "1"}
_NO = {"no", "n", "false", "off", "0"}


def changes(
    db: Database, kind: Kind[Any], before: Any, parsed: list[tuple[str, str, str]]
) -> dict[str, Any]:
    """The store's keyword arguments for the assignments, read against the record as it is."""
    changes: dict[str, Any] = {}
    lists: dict[str, list[str]] = {}
    for name, operator, value in parsed:
        spec = kind.field(name)
        assert spec is not None  # checked by edit._field_name
        key, how = spec.column, spec.reader
        if how == LIST:
            current = lists.setdefault(name, _current_list(before, name))
            lists[name] = _apply_list(name, operator, value, current)
            changes[key] = lists[name]
        elif how != LENGTH:
            changes.update(_read(db, name, key, how, value, before))
    for name, _, value in parsed:
        if getattr(kind.field(name), "reader", None) == LENGTH:  # after the start it counts from
            changes["ends_at"] = _ends_at(name, value, changes.get("starts_at", before.starts_at))
    return changes


def _ends_at(name: str, text: str, start: datetime) -> datetime | None:
    """An appointment's end from its length (``1h``, ``90m``); an empty length clears it."""
    if not text.strip():
        return None
    from smallcrm.store.dates import parse_duration

    return start + parse_duration(text, field=name)


def _read(db: Database, name: str, key: str, how: str, value: str, before: Any) -> dict[str, Any]:
    """One assignment as store arguments (an empty value clears the field)."""
    text = value.strip()
    if how in (TEXT, RAW):
        return {key: (value if how == TEXT else text) or None}
    if how == YES_NO:
        return {key: _yes_no(name, text)}
    if not text:
        return _cleared(key, how)
    reader = READERS[how]
    return reader(db, name, key, text, before)


def _cleared(key: str, how: str) -> dict[str, Any]:
    if how == "with":
        return {"contact_id": None, "account_id": None}
    if how == "start":
        raise CliError("start: an appointment needs a start; give a date and time")
    return {key: None}


def _yes_no(name: str, text: str) -> bool | None:
    if text.lower() in _YES:
        return True
    if text.lower() in _NO:
        return False
    if not text:
        return None
    raise CliError(f"{name}: {text!r} is not yes or no")


def _read_link(kind: str) -> Callable[..., dict[str, Any]]:
    """Reader for a linked record given by name or id, as ``add --account`` takes it."""

    def read(db: Database, name: str, key: str, text: str, before: Any) -> dict[str, Any]:
        create = f"smallcrm add {kinds.word(kind)}" if kind != "opportunity" else None
        hit = lookup(db, text, (kind,), option=name, how=f"{name}={{ref}}", create=create)
        return {key: hit.record_id}

    return read


def _read_campaign(db: Database, name: str, key: str, text: str, before: Any) -> dict[str, Any]:
    """A campaign by its code (``campaign=SPRING26``), id or name."""
    from smallcrm.cli.campaign_commands import campaign_id

    return {key: campaign_id(db, text)}


def _read_with(db: Database, name: str, key: str, text: str, before: Any) -> dict[str, Any]:
    """An appointment's ``with``: a contact or an account, as ``add meeting --with``."""
    hit = lookup(db, text, ("contact", "account"), option=name, how=f"{name}={{ref}}")
    if hit.kind == "contact":
        return {"contact_id": hit.record_id}
    return {"account_id": hit.record_id, "contact_id": None}


def _read_date(db: Database, name: str, key: str, text: str, before: Any) -> dict[str, Any]:
    from smallcrm.store.dates import parse_date

    return {key: parse_date(text, now(), field=name)}


def _read_datetime(db: Database, name: str, key: str, text: str, before: Any) -> dict[str, Any]:
    from smallcrm.store.dates import parse_datetime

    return {key: parse_datetime(text, now(), field=name)}


def _read_minutes(db: Database, name: str, key: str, text: str, before: Any) -> dict[str, Any]:
    from smallcrm.store.dates import parse_duration

    return {key: int(parse_duration(text, field=name).total_seconds() // 60)}


def _read_start(db: Database, name: str, key: str, text: str, before: Any) -> dict[str, Any]:
    """A new start moves the appointment: its length stays the same."""
    from datetime import time

    from smallcrm.store.dates import parse_datetime

    start = parse_datetime(text, now(), field=name, default_time=time(0 if before.all_day else 9))
    values: dict[str, Any] = {"starts_at": start}
    if before.ends_at is not None:
        values["ends_at"] = start + (before.ends_at - before.starts_at)
    return values


READERS: dict[str, Callable[..., dict[str, Any]]] = {
    kinds.LINK_ACCOUNT: _read_link("account"),
    kinds.LINK_CONTACT: _read_link("contact"),
    kinds.LINK_OPPORTUNITY: _read_link("opportunity"),
    kinds.LINK_CASE: _read_link("service_case"),
    kinds.LINK_CAMPAIGN: _read_campaign,
    kinds.WITH: _read_with,
    kinds.DATE: _read_date,
    kinds.DATETIME: _read_datetime,
    kinds.MINUTES: _read_minutes,
    kinds.START: _read_start,
}


def _current_list(before: Any, name: str) -> list[str]:
    if name == "tag":
        return list(before.tags)
    methods = before.emails if name == "email" else before.phones
    return [f"{m.label}:{m.value}" for m in methods]


def _apply_list(name: str, operator: str, value: str, current: list[str]) -> list[str]:
    """``=`` replaces the list, ``+=`` adds to it, ``-=`` takes items out (compared as the
    store normalises them, so ``phone-=030 1234567`` finds ``+49301234567``)."""
    items = [item.strip() for item in value.split(",") if item.strip()]
    if operator == "=":
        return items
    if operator == "+=":
        return current + items
    gone = {_normalised(name, item) for item in items}
    have = {_normalised(name, item) for item in current}
    missing = sorted(gone - have)
    if missing:
        raise CliError(f"{name}: {', '.join(missing)} is not there, so it cannot be taken out")
    return [item for item in current if _normalised(name, item) not in gone]


def _normalised(name: str, item: str) -> str:
    """A list item as the store keeps it (tags lower-case; emails and phones without label)."""
    from smallcrm.store import validate as v

    if name == "tag":
        return v.tags(name, item)
    label, colon, rest = item.partition(":")
    value = rest if colon and label.strip().lower() in v.METHOD_LABELS else item
    return v.email(name, value) if name == "email" else v.phone(name, value)
