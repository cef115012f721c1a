"""An event's recurrence as the store keeps it: RRULE, skipped (EXDATE) and extra (RDATE)
occurrences, and the occurrences that other events of the file replace (RECURRENCE-ID).

icalendar empties a rule it cannot read without a word (a vCalendar 1.0 ``W1 TH`` becomes an
empty rule), and cannot read vCalendar's ``EXDATE:a;b``: the raw lines of each event are read
from the text as well (``raw_events``), so such rules are converted or refused with a warning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from smallcrm.store import clock
from smallcrm.store.errors import ValidationError
from smallcrm.store.recurrence import local_midnight

from .convert import Fields, add
from .ical_event import EventTimes, on_clock, prop_value, vcal_rule
from .vcal_rules import looks_like_vcal

RAW_NAMES = ("RRULE", "EXRULE", "EXDATE", "RDATE")
_LINE = re.compile(r"^([A-Za-z-]+)((?:;[^:]*)?):(.*)$")
_BLOCK = re.compile(r"^BEGIN:VEVENT\s*$(.*?)^END:VEVENT\s*$", re.IGNORECASE | re.M | re.S)
_VCAL_MOMENT = re.compile(r"^(\d{8})(?:T(\d{6})(Z?))?$")


@dataclass
class RawEvent:
    """The recurrence lines of one VEVENT as written in the file."""

    lines: dict[str, list[str]] = field(default_factory=dict)


def raw_events(text: str) -> list[RawEvent]:
    """The raw recurrence lines of each VEVENT, in file order (lines unfolded)."""
    unfolded = re.sub(r"\r?\n[ \t]", "", text.replace("\r\n", "\n").replace("\r", "\n"))
    found = []
    for block in _BLOCK.finditer(unfolded):
        event = RawEvent()
        for line in block[1].split("\n"):
            match = _LINE.match(line.strip())
            if match and match[1].upper() in RAW_NAMES:
                event.lines.setdefault(match[1].upper(), []).append(match[3].strip())
        found.append(event)
    return found


def read_recurrence(
    event: Any,
    raw: RawEvent,
    times: EventTimes,
    vcal: bool,
    fields: Fields,
    moved: list[date | datetime],
) -> list[str]:
    """Add rrule, exdates and rdates to ``fields`` (``moved``: occurrences other events of
    the file replace, skipped too); returns the warnings."""
    warnings: list[str] = []
    rule = _rule(event, raw, warnings)
    if rule:
        add(fields, "rrule", rule)
    if raw.lines.get("EXRULE"):
        warnings.append("EXRULE (a rule for skipped occurrences) is not kept")
    skipped = _vcal_moments(raw, "EXDATE", times) if vcal else _moments(event, "EXDATE", times)
    extra = _vcal_moments(raw, "RDATE", times) if vcal else _rdates(event, times, warnings)
    if rule or extra:
        skipped += moved
    if skipped:
        add(fields, "exdates", skipped)
    if extra:
        add(fields, "rdates", extra)
    recurrence_id = event.get("RECURRENCE-ID")
    if recurrence_id is not None and recurrence_id.params.get("RANGE"):
        warnings.append(
            "RANGE=THISANDFUTURE is not kept: only the one occurrence it names is changed"
        )
    return warnings


def _rule(event: Any, raw: RawEvent, warnings: list[str]) -> str | None:
    written = raw.lines.get("RRULE", [])
    if len(written) > 1:
        warnings.append(f"{len(written)} RRULEs: only the first is kept")
    text = written[0] if written else ""
    if looks_like_vcal(text):
        rule, why = vcal_rule(text)
        if why:
            warnings.append(why)
        return rule
    parsed = event.get("RRULE")
    if isinstance(parsed, list):
        parsed = parsed[0] if parsed else None
    if parsed is None:
        return None
    return _rule_text(parsed, text)


def _rule_text(rule: Any, written: str) -> str:
    """The RRULE as text: an UNTIL with a zone in UTC; a date or floating UNTIL as written
    (the store reads it on the event's own clock)."""
    from icalendar import vRecur

    parts = dict(rule)
    if not parts and written.strip():
        raise ValidationError("rrule", f"RRULE cannot be read: {written.strip()!r}")
    until = parts.get("UNTIL")
    if until and isinstance(until[0], datetime) and until[0].tzinfo is not None:
        parts["UNTIL"] = [until[0].astimezone(UTC)]
    return vRecur(parts).to_ical().decode()


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _moments(event: Any, name: str, times: EventTimes) -> list[date | datetime]:
    found: list[date | datetime] = []
    for group in _as_list(event.get(name)):
        for item in getattr(group, "dts", []):
            found.append(on_clock(prop_value(item, name.lower() + "s"), times))
    return found


def _rdates(event: Any, times: EventTimes, warnings: list[str]) -> list[date | datetime]:
    found: list[date | datetime] = []
    length = times.end - times.start if times.end is not None else None
    for group in _as_list(event.get("RDATE")):
        for item in getattr(group, "dts", []):
            value = item.dt
            if isinstance(value, tuple):  # a PERIOD: (start, end or length)
                value, until = value
                span = until if isinstance(until, timedelta) else until - value
                if length is not None and span != length:
                    warnings.append(
                        f"RDATE {value:%Y-%m-%d %H:%M} lasts {span}: kept as long as the event"
                    )
            if isinstance(value, time) or not isinstance(value, date):
                warnings.append(f"RDATE {value} has no day; not kept")
                continue
            found.append(on_clock(value, times))
    return found


def _vcal_moments(raw: RawEvent, name: str, times: EventTimes) -> list[date | datetime]:
    """vCalendar 1.0 separates several dates with ``;`` (some writers with ``,``)."""
    found: list[date | datetime] = []
    for line in raw.lines.get(name, []):
        for word in re.split(r"[;,]", line):
            match = _VCAL_MOMENT.match(word.strip().upper())
            if not match:
                if word.strip():
                    raise ValidationError(name.lower() + "s", f"{word.strip()!r} is not a date")
                continue
            day = datetime.strptime(match[1], "%Y%m%d")
            if not match[2]:
                found.append(day.date())
                continue
            value = datetime.combine(day.date(), datetime.strptime(match[2], "%H%M%S").time())
            found.append(on_clock(value.replace(tzinfo=UTC) if match[3] else value, times))
    return found


def overrides(events: list[Any]) -> dict[str, list[date | datetime]]:
    """Occurrences replaced by their own event (RECURRENCE-ID), by series UID."""
    found: dict[str, list[date | datetime]] = {}
    for event in events:
        recurrence = event.get("RECURRENCE-ID")
        uid = str(event.get("UID") or "")
        if recurrence is None or not uid or _broken(event, "RECURRENCE-ID"):
            continue
        try:
            value = recurrence.dt
        except (AttributeError, TypeError, ValueError):
            continue
        if isinstance(value, date):
            found.setdefault(uid, []).append(value)
    return found


def _broken(event: Any, name: str) -> bool:
    return any(prop == name for prop, _ in getattr(event, "errors", []))


def replaced(
    found: dict[str, list[date | datetime]], uid: str, times: EventTimes
) -> list[date | datetime]:
    """The series' occurrences that other events replace, on the series' clock."""
    return [on_clock(value, times) for value in found.get(uid, [])]


def override_key(event: Any, times: EventTimes) -> str:
    """``#2026-10-26T09:00:00+01:00``: what makes an override's UID its own (the occurrence
    it replaces, as the file writes it; a day as the business's midnight of it, as before)."""
    value = prop_value(event["RECURRENCE-ID"], "recurrence")
    if not isinstance(value, datetime):
        value = local_midnight(value)
    elif value.tzinfo is None:
        value = clock.local_datetime(value, times.tz)
    return f"#{value.isoformat()}"
