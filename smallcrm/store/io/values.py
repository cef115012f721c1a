"""Reading the values other programs write into files: dates, times, yes/no, labels, lists.

These are not what a user types (that is ``dates.py``'s grammar) but what exports contain:
ISO dates, Outlook's ``3/14/1980`` and its empty ``0/0/00``, vCard's ``19800314`` and year-less
``--0314``, ``March 14, 1980``, ``yes``/``TRUE``/``1``, Google's ``* Home`` labels.
"""

from __future__ import annotations

import functools
import re
from datetime import UTC, date, datetime, time, tzinfo

from smallcrm.store import clock
from smallcrm.store.errors import ValidationError

EMPTY_DATES = frozenset({"0/0/00", "0/0/0000", "00/00/0000", "0000-00-00", "1/1/1601"})
_ISO_DAY = re.compile(r"(\d{4})-?(\d{2})-?(\d{2})(?:[T ].*)?", re.ASCII)
_NO_YEAR = re.compile(r"--(\d{2})-?(\d{2})", re.ASCII)
_DOTTED = re.compile(r"(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4})", re.ASCII)
_SLASHED = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})", re.ASCII)
_ISO_TIME = re.compile(
    r"(\d{4})-?(\d{2})-?(\d{2})[T ](\d{1,2}):?(\d{2})(?::?(\d{2})(?:[.,](\d{1,6})\d*)?)?"
    r"\s*(Z|[+-]\d{2}(?::?\d{2})?)?",
    re.ASCII | re.IGNORECASE,
)
TRUE_WORDS = frozenset({"yes", "y", "true", "t", "1", "x", "ja", "oui", "opted in", "on"})
FALSE_WORDS = frozenset({"no", "n", "false", "f", "0", "nein", "non", "opted out", "off"})
LABEL_WORDS = {
    "work": "work",
    "business": "work",
    "office": "work",
    "company": "work",
    "job": "work",
    "internet": "",
    "pref": "",
    "preferred": "",
    "voice": "",
    "main": "",
    "primary": "",
    "home": "home",
    "personal": "home",
    "private": "home",
    "privat": "home",
    "mobile": "mobile",
    "cell": "mobile",
    "cellular": "mobile",
    "iphone": "mobile",
    "handy": "mobile",
    "car": "mobile",
    "other": "other",
    "fax": "other",
    "pager": "other",
}


class NoYear(ValueError):
    """A date without a year (``--03-14``): a birthday whose year is not known."""


def file_date(field: str, text: str) -> date | None:
    """A date as export files write it; None for an empty value (Outlook's ``0/0/00``).

    Raises ``NoYear`` for a month and day without a year, ValidationError if unreadable.
    Slashed dates are month/day/year (Outlook, Google) unless the first number is above 12.
    """
    raw = " ".join(text.split())
    if not raw or raw in EMPTY_DATES:
        return None
    if match := _NO_YEAR.fullmatch(raw):
        raise NoYear(f"{int(match[2])} {_month(int(match[1]))}")
    for pattern, order in ((_ISO_DAY, "ymd"), (_DOTTED, "dmy"), (_SLASHED, "mdy")):
        if match := pattern.fullmatch(raw):
            return _built(field, raw, match.groups()[:3], order)
    return _worded(field, raw)


def _built(field: str, raw: str, parts: tuple[str, ...], order: str) -> date:
    values = dict(zip(order, (int(p) for p in parts), strict=True))
    if order == "mdy" and values["m"] > 12 >= values["d"]:
        values["m"], values["d"] = values["d"], values["m"]
    if values["y"] < 100:
        values["y"] += 1900 if values["y"] > 30 else 2000
    try:
        return date(values["y"], values["m"], values["d"])
    except ValueError as exc:
        raise ValidationError(field, f"{raw!r} is not a date ({exc})") from None


def _worded(field: str, raw: str) -> date:
    """``March 14, 1980``, ``14 Mar 1980``: month names (English), read by dateutil."""
    if not re.search(r"[A-Za-z]{3}", raw) or len(raw) > 40:
        raise ValidationError(field, f"{raw!r} is not a date like 1980-03-14")
    from dateutil import parser

    try:
        first = parser.parse(raw, default=datetime(1904, 1, 1), fuzzy=False)
        second = parser.parse(raw, default=datetime(1908, 2, 2), fuzzy=False)
    except (ValueError, OverflowError):
        raise ValidationError(field, f"{raw!r} is not a date like 1980-03-14") from None
    if first.month != second.month or first.day != second.day:
        raise ValidationError(field, f"{raw!r} is not a whole date (day or month missing)")
    if first.year != second.year:
        raise NoYear(f"{first.day} {_month(first.month)}")
    return first.date()


def _month(number: int) -> str:
    names = "January February March April May June July August September October November"
    names += " December"
    return names.split()[number - 1] if 1 <= number <= 12 else f"month {number}"


def file_datetime(field: str, text: str, zone: tzinfo | None = None) -> datetime:
    """A date and time as export files write it, as an aware datetime.

    ISO 8601 with ``Z`` or an offset keeps it; without one the time is local (``zone`` or the
    machine's). A date alone is local midnight.
    """
    raw = " ".join(text.split())
    if match := _ISO_TIME.fullmatch(raw):
        year, month, day, hour, minute, second, fraction, offset = match.groups()
        micro = int((fraction or "0").ljust(6, "0"))
        try:
            naive = datetime(
                int(year), int(month), int(day), int(hour), int(minute), int(second or 0), micro
            )
        except ValueError as exc:
            raise ValidationError(field, f"{raw!r} is not a date and time ({exc})") from None
        return _zoned(naive, offset, zone)
    try:
        day_only = file_date(field, raw)
    except NoYear:
        day_only = None
    if day_only is None:
        raise ValidationError(field, f"{raw!r} is not a date and time like 2026-12-01 15:30")
    return local_midnight(day_only, zone)


def _zoned(naive: datetime, offset: str | None, zone: tzinfo | None) -> datetime:
    if offset is None:
        return naive.replace(tzinfo=zone) if zone else clock.local(naive)
    if offset.upper() == "Z":
        return naive.replace(tzinfo=UTC)
    from datetime import timedelta, timezone

    digits = offset[1:].replace(":", "")
    delta = timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0))
    return naive.replace(tzinfo=timezone(-delta if offset[0] == "-" else delta))


def local_midnight(day: date, zone: tzinfo | None = None) -> datetime:
    """The start of ``day`` in ``zone`` (default: the machine's zone), as an aware datetime."""
    if zone is not None:
        return datetime.combine(day, time(0), tzinfo=zone)
    return clock.at(day, time(0))


def file_bool(field: str, text: str) -> bool | None:
    """``yes``/``no`` and their usual spellings; None for empty."""
    word = " ".join(text.split()).lower()
    if not word:
        return None
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValidationError(field, f"{text!r} is not yes or no")


@functools.lru_cache(maxsize=1024)  # a file repeats a handful of labels on every row
def method_label(text: str | None) -> str | None:
    """The store's label (work, home, mobile, other) for a label an export wrote, or None.

    Google writes ``* Home``, Apple ``_$!<Mobile>!$_``, vCard ``WORK,VOICE``, Outlook ``SMTP``.
    """
    if not text:
        return None
    for word in re.findall(r"[a-z]+", text.lower()):
        if LABEL_WORDS.get(word):
            return LABEL_WORDS[word]
    return None  # SMTP, INTERNET, custom words: no label, so the default applies


def split_values(text: str, separators: str = ";,") -> list[str]:
    """A cell holding several values (``a@x.com ::: b@y.com``, ``a; b``) as a list."""
    parts = [text]
    for separator in (":::", "\n", *separators):
        parts = [piece for part in parts for piece in part.split(separator)]
    return [p.strip() for p in parts if p.strip()]
