"""Times of day and durations as people type them (the dates around them: ``dates.py``).

Times
    ``15:00``, ``9:30``, ``15:00:30``, ``3pm``, ``3 pm``, ``3:30pm``, ``3 p.m.``, ``noon``,
    ``midnight``, ``15h``, ``15h30``.

Durations
    ``45`` (minutes), ``90m``, ``90min``, ``1h``, ``1h30``, ``1h30m``, ``1.5h``, ``2d``,
    ``2 hours``; longer than zero.

Everything is case-insensitive and ignores surrounding (and repeated) whitespace; only the
standard library is imported.
"""

from __future__ import annotations

import re
from datetime import time, timedelta

from smallcrm.store.errors import ValidationError

TIME_EXAMPLES = "15:00, 9:30, 3pm, 3:30 pm, noon, midnight or 15h."
DURATION_EXAMPLES = "45 (minutes), 90m, 1h, 1h30, 1.5h or 2d."

_SHOWN_LIMIT = 40


# --- small helpers (the date grammar uses them too) ----------------------------------------


def normalize(text: str) -> str:
    """Lower-case ``text`` and collapse every run of whitespace into one space."""
    return " ".join(text.split()).lower()


def quoted(text: str) -> str:
    """Quote what the user typed for an error message, shortened if it is long."""
    cleaned = " ".join(text.split())
    if len(cleaned) > _SHOWN_LIMIT:
        cleaned = cleaned[: _SHOWN_LIMIT - 1] + "…"
    return repr(cleaned)


def compile_ascii(pattern: str) -> re.Pattern[str]:
    """Compile an ASCII-only pattern (``[0-9]`` never matches other scripts' digits)."""
    return re.compile(pattern, re.ASCII)


# --- times -----------------------------------------------------------------------------------

_CLOCK_RE = compile_ascii(r"([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?")
_AM_PM_RE = compile_ascii(r"([0-9]{1,2})(?::([0-9]{2}))? ?([ap])\.?m\.?")
_H_RE = compile_ascii(r"([0-9]{1,2})h([0-9]{2})?")
_DOTTED_TIME_RE = compile_ascii(r"([0-9]{1,2})\.([0-9]{2})")
_COMPACT_TIME_RE = compile_ascii(r"([0-9]{1,2})([0-9]{2})")
_FIXED_TIMES = {"noon": time(12, 0), "midnight": time(0, 0)}


def _clock_time(hour: int, minute: int, second: int, shown: str, field: str) -> time:
    """Build a 24-hour time, or say which part is out of range."""
    if hour > 23:
        raise ValidationError(field, f"{shown} is not a time: hours go from 0 to 23")
    if minute > 59:
        raise ValidationError(field, f"{shown} is not a time: minutes go from 00 to 59")
    if second > 59:
        raise ValidationError(field, f"{shown} is not a time: seconds go from 00 to 59")
    return time(hour, minute, second)


def _read_am_pm(match: re.Match[str], field: str) -> time:
    """``3pm``, ``3:30 am``, ``12am`` (midnight), ``12pm`` (noon)."""
    hour, minute = int(match[1]), int(match[2] or 0)
    if not 1 <= hour <= 12:
        also = f" (or write {hour}:{minute:02d} without {match[3]}m)" if hour <= 23 else ""
        raise ValidationError(
            field, f"{match[0]} is not a time: with am/pm the hour goes from 1 to 12{also}"
        )
    hour = hour % 12 + (12 if match[3] == "p" else 0)
    return _clock_time(hour, minute, 0, match[0], field)


def match_time(text: str, field: str) -> time | None:
    """Read a normalized time; None if it matches no form of the grammar."""
    if text in _FIXED_TIMES:
        return _FIXED_TIMES[text]
    if match := _CLOCK_RE.fullmatch(text):
        hour, minute, second = int(match[1]), int(match[2]), int(match[3] or 0)
        return _clock_time(hour, minute, second, text, field)
    if match := _AM_PM_RE.fullmatch(text):
        return _read_am_pm(match, field)
    if match := _H_RE.fullmatch(text):
        return _clock_time(int(match[1]), int(match[2] or 0), 0, text, field)
    return None


def time_error(text: str, field: str) -> ValidationError:
    """The error for a time the grammar does not know, with a hint where one helps."""
    normalized = normalize(text)
    if not normalized:
        return ValidationError(field, f"no time given; try {TIME_EXAMPLES}")
    hint = ""
    match = _DOTTED_TIME_RE.fullmatch(normalized) or _COMPACT_TIME_RE.fullmatch(normalized)
    if match and int(match[1]) <= 23 and int(match[2]) <= 59:
        hint = f" (write {int(match[1])}:{match[2]} with a colon)"
    return ValidationError(
        field, f"could not read {quoted(text)} as a time{hint}; try {TIME_EXAMPLES}"
    )


def parse_time(text: str, field: str = "time") -> time:
    """Read a time of day typed by a user (naive ``time``; seconds only if given).

    Raises ValidationError naming ``field`` with what was wrong and what is accepted.
    """
    found = match_time(normalize(text), field)
    if found is None:
        raise time_error(text, field)
    return found


# --- durations -------------------------------------------------------------------------------

_NUMBER = r"[0-9]{1,6}(?:[.,][0-9]{1,6})?"
_DURATION_RE = compile_ascii(
    rf"(?:(?P<days>{_NUMBER}) ?d(?:ays?)? ?)?"
    rf"(?:(?P<hours>{_NUMBER}) ?h(?:rs?|ours?)? ?)?"
    rf"(?:(?P<minutes>{_NUMBER}) ?(?P<minute_unit>m(?:ins?|inutes?)?)?)?"
)


def _number(text: str | None) -> float:
    """A matched number (``1.5`` or ``1,5``), or 0 when the part was not given."""
    return float(text.replace(",", ".")) if text else 0.0


def _match_duration(text: str) -> timedelta | None:
    """Read a normalized duration; None if it matches no form of the grammar."""
    match = _DURATION_RE.fullmatch(text)
    if match is None or not any(match.group("days", "hours", "minutes")):
        return None
    bare_minutes = match["minutes"] is not None and match["minute_unit"] is None
    if bare_minutes and match["days"] is not None and match["hours"] is None:
        return None  # "2d 30" could mean hours or minutes
    return timedelta(
        days=_number(match["days"]),
        hours=_number(match["hours"]),
        minutes=_number(match["minutes"]),
    )


def parse_duration(text: str, field: str = "duration") -> timedelta:
    """Read a positive duration typed by a user; a bare number means minutes.

    Raises ValidationError naming ``field`` with what was wrong and what is accepted.
    """
    normalized = normalize(text)
    if not normalized:
        raise ValidationError(field, f"no duration given; try {DURATION_EXAMPLES}")
    if normalized.startswith("-"):
        raise ValidationError(field, f"{quoted(text)} is negative; a duration must be positive")
    found = _match_duration(normalized)
    if found is None:
        raise ValidationError(
            field, f"could not read {quoted(text)} as a duration; try {DURATION_EXAMPLES}"
        )
    if found <= timedelta(0):
        raise ValidationError(field, f"{quoted(text)} is no time at all; give a length above zero")
    return found
