"""vCalendar 1.0 recurrence rules (old phones, Palm, Lotus Notes) as RFC 5545 rules.

vCalendar 1.0 writes ``RRULE:W1 TU TH #5``: a frequency letter with its interval (``D``
daily, ``W`` weekly, ``MP`` monthly by position, ``MD`` monthly by day, ``YM`` yearly by month,
``YD`` yearly by day of the year), the days, positions or months it applies to, then how long it
runs: ``#n`` occurrences (``#0`` forever) or an end date. A rule with neither repeats forever,
as KDE's calendar library reads it. ``$`` marks an occurrence another event changed and means
nothing for the rule. What RFC 5545 can say the same way is converted; what it cannot (minutely
rules, rules nested in rules, a different time on each day) is refused with the reason, and the
importer keeps the event as a one-off with a warning.
"""

from __future__ import annotations

import re
from datetime import datetime

_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_FREQ = {"D": "DAILY", "W": "WEEKLY", "MP": "MONTHLY", "MD": "MONTHLY", "YM": "YEARLY"}
_FREQ["YD"] = "YEARLY"
_HEAD = re.compile(r"^(MP|MD|YM|YD|D|W|M)(\d+)$")
_END = re.compile(r"^\d{8}(T\d{6}Z?)?$")
_POSITION = re.compile(r"^([1-5])([+-])$")
_DAY_NUMBER = re.compile(r"^(\d{1,3})([+-]?)$")
_TIME = re.compile(r"^([01]\d|2[0-3])([0-5]\d)$")


class NotConvertible(ValueError):
    """The rule cannot be said in RFC 5545 (or is no vCalendar rule); the message says why."""


def looks_like_vcal(text: str) -> bool:
    """Whether a rule is written the vCalendar 1.0 way (no ``FREQ=``)."""
    words = text.strip().split()
    return bool(words) and "=" not in text and bool(_HEAD.match(words[0].upper()))


def convert(text: str) -> str:
    """``W1 TU TH #5`` -> ``FREQ=WEEKLY;BYDAY=TU,TH;COUNT=5``; raises NotConvertible."""
    words = [w.rstrip("$") for w in text.strip().upper().split()]
    if not words:
        raise NotConvertible("the rule is empty")
    head = _HEAD.match(words[0])
    if not head:
        raise NotConvertible(f"{text.strip()!r} is not a recurrence rule")
    kind, interval = head[1], int(head[2])
    if kind == "M":
        raise NotConvertible("it repeats every few minutes")
    body, limit = _split_end(words[1:])
    if any(_HEAD.match(w) for w in body):
        raise NotConvertible("it nests one rule inside another")
    parts = [f"FREQ={_FREQ[kind]}"] + ([f"INTERVAL={interval}"] if interval > 1 else [])
    parts += _BODY[kind](body)
    return ";".join(parts + limit)


def _split_end(words: list[str]) -> tuple[list[str], list[str]]:
    """The words before the duration, and the duration as COUNT or UNTIL parts."""
    if not words:
        return [], []
    last = words[-1]
    if last.startswith("#") and last[1:].isdigit():
        count = int(last[1:])
        return words[:-1], [f"COUNT={count}"] if count else []
    if _END.match(last):
        try:
            datetime.strptime(last[:15].rstrip("Z"), "%Y%m%dT%H%M%S" if "T" in last else "%Y%m%d")
        except ValueError:
            raise NotConvertible(f"{last!r} is not a date") from None
        rest = words[:-1]
        if rest and rest[-1].startswith("#"):  # a count and an end: the end date counts
            rest = rest[:-1]
        return rest, [f"UNTIL={last}"]
    return words, []


def _times(words: list[str]) -> tuple[list[str], list[str]]:
    """Words that are not times, and BYHOUR/BYMINUTE for the times (which must share a minute
    and come after every day they apply to)."""
    times = [m for w in words if (m := _TIME.match(w))]
    if not times:
        return words, []
    first = next(i for i, w in enumerate(words) if _TIME.match(w))
    rest = words[:first]
    if any(not _TIME.match(w) for w in words[first:]):
        raise NotConvertible("it gives each day a different time")
    minutes = {m[2] for m in times}
    if len(minutes) > 1:
        raise NotConvertible("its times fall on different minutes of the hour")
    hours = ",".join(str(int(m[1])) for m in times)
    return rest, [f"BYHOUR={hours}", f"BYMINUTE={int(minutes.pop())}"]


def _daily(words: list[str]) -> list[str]:
    rest, times = _times(words)
    if rest:
        raise NotConvertible(f"{' '.join(rest)!r} is not part of a daily rule")
    return times


def _weekly(words: list[str]) -> list[str]:
    days, times = _times(words)
    if any(d not in _WEEKDAYS for d in days):
        raise NotConvertible(f"{' '.join(days)!r} are not weekdays")
    return ([f"BYDAY={','.join(days)}"] if days else []) + times


def _by_position(words: list[str]) -> list[str]:
    days, times = _times(words)
    found: list[str] = []
    positions: list[str] = []
    expecting_day = False
    for word in days:
        if match := _POSITION.match(word):
            if expecting_day:  # a new group of positions starts
                positions = []
            positions.append(("-" if match[2] == "-" else "") + match[1])
            expecting_day = False
        elif word in _WEEKDAYS and positions:
            found += [f"{p}{word}" for p in positions]
            expecting_day = True
        else:
            raise NotConvertible(f"{word!r} is not a position like 1+ or a weekday")
    if positions and not expecting_day:
        raise NotConvertible("a position has no weekday")
    return ([f"BYDAY={','.join(dict.fromkeys(found))}"] if found else []) + times


def _numbers(words: list[str], what: str, last_day: bool = False) -> list[str]:
    values = []
    for word in words:
        if last_day and word == "LD":
            values.append("-1")
        elif match := _DAY_NUMBER.match(word):
            values.append(("-" if match[2] == "-" else "") + str(int(match[1])))
        else:
            raise NotConvertible(f"{word!r} is not a {what}")
    return values


def _by_month_day(words: list[str]) -> list[str]:
    days = _numbers(words, "day of the month", last_day=True)
    return [f"BYMONTHDAY={','.join(days)}"] if days else []


def _by_month(words: list[str]) -> list[str]:
    months = _numbers(words, "month")
    if any(not 1 <= int(m) <= 12 for m in months):
        raise NotConvertible("a month is not between 1 and 12")
    return [f"BYMONTH={','.join(months)}"] if months else []


def _by_year_day(words: list[str]) -> list[str]:
    days = _numbers(words, "day of the year")
    return [f"BYYEARDAY={','.join(days)}"] if days else []


_BODY = {
    "D": _daily,
    "W": _weekly,
    "MP": _by_position,
    "MD": _by_month_day,
    "YM": _by_month,
    "YD": _by_year_day,
}
