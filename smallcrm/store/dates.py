"""The one grammar for dates, times and durations that people type, shared by the CLI and TUI.

Everything is case-insensitive and ignores surrounding (and repeated) whitespace. Relative words
are read against a caller-supplied ``now`` so results are reproducible in tests.

Dates
    ``today``/``tod``, ``tomorrow``/``tmr``/``tmrw``/``tom``, ``yesterday``;
    weekdays (``fri``, ``friday``, ``next fri``: the next one strictly after today;
    ``last fri``: the latest one strictly before today);
    ``next week`` (its Monday), ``next month`` (its 1st), ``next year`` (its 1 January);
    ``in 3 days``, ``in 2 weeks``, ``in 1 month``, ``in 1 year``, ``3 days ago``;
    ``+3d``, ``+2w``, ``+1m`` (month), ``+1y``, ``-2d``, ``+3`` (days);
    ``eow`` (this Sunday), ``eom``, ``eoy``, ``som``/``bom`` (1st of this month);
    ``2026-12-01``, ``2026-12-1``, ``1.12.`` (this year), ``1.12.2026``, ``1.12.26``.
    An absolute date may be preceded by its weekday (``Fri 2026-11-27``), which is what
    :func:`describe` prints, so echoed values can be typed back in. Slashes are refused because
    ``12/01`` means different days in different countries.

Times
    ``15:00``, ``9:30``, ``15:00:30``, ``3pm``, ``3 pm``, ``3:30pm``, ``3 p.m.``, ``noon``,
    ``midnight``, ``15h``, ``15h30``.

Date and time
    a date, a time (today at that time), or a date followed by a time, optionally joined by
    ``at`` (``fri 14:00``, ``tomorrow at 3pm``), and ISO ``2026-12-01T15:30`` (an offset such as
    ``+01:00`` or ``Z`` is converted to the zone of ``now``).

Durations
    ``45`` (minutes), ``90m``, ``90min``, ``1h``, ``1h30``, ``1h30m``, ``1.5h``, ``2d``,
    ``2 hours``; longer than zero.

Only the standard library and ``dateutil.relativedelta`` are imported, so the CLI starts fast.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo

from dateutil.relativedelta import relativedelta

from smallcrm.store.errors import ValidationError
from smallcrm.store.times import (  # the one grammar: times and durations are re-exported
    DURATION_EXAMPLES,
    TIME_EXAMPLES,
    compile_ascii,
    match_time,
    normalize,
    parse_duration,
    parse_time,
    quoted,
    time_error,
)

__all__ = [
    "DATETIME_EXAMPLES",
    "DATE_EXAMPLES",
    "DURATION_EXAMPLES",
    "TIME_EXAMPLES",
    "describe",
    "parse_date",
    "parse_datetime",
    "parse_duration",
    "parse_time",
]

DATE_EXAMPLES = "today, tomorrow, fri, next week, in 3 days, +2w, eom, 2026-12-01 or 1.12."
DATETIME_EXAMPLES = "fri 14:00, tomorrow 3pm, 2026-12-01 15:30, 1.12. 9:30, 15:00 or next week."

_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_WEEKDAYS: dict[str, int] = {
    **{name.lower(): index for index, name in enumerate(_DAY_NAMES)},
    **{name[:3].lower(): index for index, name in enumerate(_DAY_NAMES)},
    "tues": 1,
    "weds": 2,
    "thur": 3,
    "thurs": 3,
}
# --- dates -----------------------------------------------------------------------------------


def _next_weekday(today: date, weekday: int) -> date:
    """The first ``weekday`` (0 = Monday) strictly after ``today``."""
    return today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)


def _last_weekday(today: date, weekday: int) -> date:
    """The latest ``weekday`` (0 = Monday) strictly before ``today``."""
    return today - timedelta(days=(today.weekday() - weekday - 1) % 7 + 1)


def _shift(day: date, amount: int, unit: str) -> date:
    """Move ``day`` by ``amount`` units; ``unit`` starts with d, w, m or y.

    Month and year steps keep the day of month where possible and otherwise clamp to the last day
    (31 January + 1 month is 28 or 29 February).
    """
    if unit.startswith("d"):
        return day + timedelta(days=amount)
    if unit.startswith("w"):
        return day + timedelta(weeks=amount)
    if unit.startswith("m"):
        return day + relativedelta(months=amount)
    return day + relativedelta(years=amount)


_FIXED_DATES: dict[str, Callable[[date], date]] = {
    "today": lambda today: today,
    "tod": lambda today: today,
    "tomorrow": lambda today: today + timedelta(days=1),
    "tmr": lambda today: today + timedelta(days=1),
    "tmrw": lambda today: today + timedelta(days=1),
    "tom": lambda today: today + timedelta(days=1),
    "yesterday": lambda today: today - timedelta(days=1),
    "next week": lambda today: today + timedelta(days=7 - today.weekday()),
    "next month": lambda today: today.replace(day=1) + relativedelta(months=1),
    "next year": lambda today: date(today.year + 1, 1, 1),
    "eow": lambda today: today + timedelta(days=6 - today.weekday()),
    "eom": lambda today: today + relativedelta(day=31),
    "eoy": lambda today: today.replace(month=12, day=31),
    "som": lambda today: today.replace(day=1),
    "bom": lambda today: today.replace(day=1),
}

_UNIT = r"(day|week|month|year)s?"
_NEXT_LAST_RE = compile_ascii(r"(next|last) ([a-z]+)")
_IN_RE = compile_ascii(rf"in ([0-9]{{1,6}}) {_UNIT}")
_AGO_RE = compile_ascii(rf"([0-9]{{1,6}}) {_UNIT} ago")
_OFFSET_RE = compile_ascii(r"([+-])([0-9]{1,6})([dwmy]?)")
_ISO_DATE_RE = compile_ascii(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
_EURO_DATE_RE = compile_ascii(r"([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4}|[0-9]{2})?")
_EURO_NO_DOT_RE = compile_ascii(r"[0-9]{1,2}\.[0-9]{1,2}")
_WEEKDAY_PREFIX_RE = compile_ascii(r"([a-z]+),? (.+)")


def _calendar_date(year: int, month: int, day: int, shown: str, field: str) -> date:
    """Build a date, or say exactly why ``year``-``month``-``day`` is not one."""
    if not 1 <= year <= 9999:
        raise ValidationError(field, f"{shown} is not a date: years go from 1 to 9999")
    if not 1 <= month <= 12:
        raise ValidationError(field, f"{shown} is not a date: there is no month {month}")
    days_in_month = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days_in_month:
        month_name = _MONTH_NAMES[month - 1]
        raise ValidationError(
            field,
            f"{shown} is not a date: {month_name} {year} has no day {day} "
            f"(it has {days_in_month} days)",
        )
    return date(year, month, day)


def _read_absolute(text: str, today: date, field: str) -> date | None:
    """Read ``2026-12-01``, ``1.12.``, ``1.12.2026`` or ``1.12.26``; None if it is neither."""
    if match := _ISO_DATE_RE.fullmatch(text):
        year, month, day = (int(part) for part in match.groups())
        return _calendar_date(year, month, day, text, field)
    if match := _EURO_DATE_RE.fullmatch(text):
        day, month = int(match[1]), int(match[2])
        year = today.year if match[3] is None else int(match[3])
        if match[3] is not None and len(match[3]) == 2:
            year += 2000
        return _calendar_date(year, month, day, text, field)
    return None


def _read_next_last(match: re.Match[str], today: date, field: str) -> date | None:
    """``next fri`` (same as ``fri``) or ``last fri``."""
    weekday = _WEEKDAYS.get(match[2])
    if weekday is None:
        return None
    if match[1] == "next":
        return _next_weekday(today, weekday)
    return _last_weekday(today, weekday)


def _read_in(match: re.Match[str], today: date, field: str) -> date:
    """``in 3 days``, ``in 1 month``."""
    return _shift(today, int(match[1]), match[2])


def _read_ago(match: re.Match[str], today: date, field: str) -> date:
    """``3 days ago``."""
    return _shift(today, -int(match[1]), match[2])


def _read_offset(match: re.Match[str], today: date, field: str) -> date:
    """``+3d``, ``-2w``, ``+1m``, ``+1y`` and bare ``+3`` (days)."""
    amount = int(match[2]) * (-1 if match[1] == "-" else 1)
    return _shift(today, amount, match[3] or "d")


def _read_weekday_prefixed(match: re.Match[str], today: date, field: str) -> date | None:
    """``Fri 2026-11-27``: an absolute date with its weekday, which must agree."""
    weekday = _WEEKDAYS.get(match[1])
    if weekday is None:
        return None
    day = _read_absolute(match[2], today, field)
    if day is None:
        return None
    if day.weekday() != weekday:
        raise ValidationError(
            field,
            f"{match[2]} is a {_DAY_NAMES[day.weekday()]}, not a {_DAY_NAMES[weekday]}",
        )
    return day


_DateReader = Callable[[re.Match[str], date, str], date | None]
_DATE_READERS: tuple[tuple[re.Pattern[str], _DateReader], ...] = (
    (_NEXT_LAST_RE, _read_next_last),
    (_IN_RE, _read_in),
    (_AGO_RE, _read_ago),
    (_OFFSET_RE, _read_offset),
    (_WEEKDAY_PREFIX_RE, _read_weekday_prefixed),
)


def _read_date(text: str, today: date, field: str) -> date | None:
    """Read a normalized date phrase; None if it matches no form of the grammar."""
    if text in _FIXED_DATES:
        return _FIXED_DATES[text](today)
    if text in _WEEKDAYS:
        return _next_weekday(today, _WEEKDAYS[text])
    for pattern, reader in _DATE_READERS:
        match = pattern.fullmatch(text)
        day = reader(match, today, field) if match else None
        if day is not None:
            return day
    return _read_absolute(text, today, field)


def _match_date(text: str, today: date, field: str) -> date | None:
    """Like :func:`_read_date`, turning dates beyond the calendar into a ValidationError."""
    try:
        return _read_date(text, today, field)
    except (OverflowError, ValueError):
        raise ValidationError(
            field, f"{quoted(text)} is too far away: dates go from 0001-01-01 to 9999-12-31"
        ) from None


def _date_error(text: str, field: str) -> ValidationError:
    """The error for a date phrase the grammar does not know, with a hint where one helps."""
    normalized = normalize(text)
    if not normalized:
        return ValidationError(field, f"no date given; try {DATE_EXAMPLES}")
    if "/" in normalized:
        return ValidationError(
            field,
            f"{quoted(text)} is ambiguous: with slashes 12/01 can mean 12 January or "
            f"1 December; write 2026-12-01 or 1.12.2026 instead",
        )
    hint = ""
    if _EURO_NO_DOT_RE.fullmatch(normalized):
        hint = f" (for day.month end with a dot: {normalized}.)"
    return ValidationError(
        field, f"could not read {quoted(text)} as a date{hint}; try {DATE_EXAMPLES}"
    )


def parse_date(text: str, now: datetime, field: str = "date") -> date:
    """Read a date typed by a user; relative words count from ``now``'s (local) date.

    Raises ValidationError naming ``field`` with what was wrong and what is accepted.
    """
    found = _match_date(normalize(text), now.date(), field)
    if found is None:
        raise _date_error(text, field)
    return found


# --- dates with times ------------------------------------------------------------------------

_ISO_DATETIME_RE = compile_ascii(
    r"([0-9]{4}-[0-9]{1,2}-[0-9]{1,2})t([0-9:]+)(z|[+-][0-9]{2}:?[0-9]{2})?"
)


def _offset_zone(raw: str, field: str) -> tzinfo:
    """``z``, ``+01:00``, ``-0530`` as a fixed-offset zone."""
    if raw == "z":
        return UTC
    digits = raw[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:])
    if hours > 23 or minutes > 59:
        raise ValidationError(field, f"{raw} is not a UTC offset; write it like +01:00")
    offset = timedelta(hours=hours, minutes=minutes)
    return timezone(-offset if raw.startswith("-") else offset)


def _read_iso_datetime(match: re.Match[str], now: datetime, field: str) -> datetime:
    """``2026-12-01t15:30`` (normalized), with an optional offset converted to ``now``'s zone."""
    day = _read_absolute(match[1], now.date(), field)
    clock = match_time(match[2], field)
    if day is None or clock is None:
        raise time_error(match[2], field)
    if match[3] is None:
        return datetime.combine(day, clock, tzinfo=now.tzinfo)
    written = datetime.combine(day, clock, tzinfo=_offset_zone(match[3], field))
    try:
        return written.astimezone(now.tzinfo)
    except (OverflowError, ValueError):
        raise ValidationError(
            field, f"{quoted(match[0])} is too far away: dates go from 0001-01-01 to 9999-12-31"
        ) from None


def _datetime_error(text: str, field: str) -> ValidationError:
    """The error for text that is neither a date, a time nor a date followed by a time."""
    normalized = normalize(text)
    if not normalized:
        return ValidationError(field, f"no date or time given; try {DATETIME_EXAMPLES}")
    if "/" in normalized:
        return _date_error(text, field)
    return ValidationError(
        field, f"could not read {quoted(text)} as a date and time; try {DATETIME_EXAMPLES}"
    )


def _split_date_time(text: str, now: datetime, field: str) -> datetime:
    """Read ``<date> [at] <time>`` where the time is the last one or two words."""
    words = text.split(" ")
    unread_date: str | None = None
    for cut in range(len(words) - 1, max(len(words) - 3, 0), -1):
        clock = match_time(" ".join(words[cut:]), field)
        if clock is None:
            continue
        date_words = words[:cut]
        if date_words[-1] == "at":
            date_words.pop()
        date_text = " ".join(date_words)
        day = _match_date(date_text, now.date(), field) if date_text else now.date()
        if day is not None:
            return datetime.combine(day, clock, tzinfo=now.tzinfo)
        unread_date = unread_date or date_text
    if unread_date is not None:
        raise _date_error(unread_date, field)
    raise _datetime_error(text, field)


def parse_datetime(
    text: str, now: datetime, field: str = "when", default_time: time = time(9, 0)
) -> datetime:
    """Read a date and/or time typed by a user, as an aware datetime in ``now``'s zone.

    A date alone gets ``default_time``; a time alone is today at that time; otherwise a date
    phrase followed by a time (``fri 14:00``, ``tomorrow at 3pm``, ``2026-12-01T15:30``).
    Raises ValidationError naming ``field`` with what was wrong and what is accepted.
    """
    normalized = normalize(text)
    if not normalized:
        raise _datetime_error(text, field)
    if match := _ISO_DATETIME_RE.fullmatch(normalized):
        return _read_iso_datetime(match, now, field)
    clock = match_time(normalized, field)
    if clock is not None:
        return datetime.combine(now.date(), clock, tzinfo=now.tzinfo)
    day = _match_date(normalized, now.date(), field)
    if day is not None:
        return datetime.combine(day, default_time, tzinfo=now.tzinfo)
    return _split_date_time(normalized, now, field)


# --- output ----------------------------------------------------------------------------------


def describe(value: date | datetime) -> str:
    """Echo a value absolutely for output: ``Fri 2026-11-27`` or ``Fri 2026-11-27 14:00``.

    Names are always English (independent of the locale) and the result reads back with
    :func:`parse_date` / :func:`parse_datetime` in the same zone.
    """
    day = value.date() if isinstance(value, datetime) else value
    text = f"{_DAY_NAMES[day.weekday()][:3]} {day.isoformat()}"
    if isinstance(value, datetime):
        text += f" {value.hour:02d}:{value.minute:02d}"
    return text
