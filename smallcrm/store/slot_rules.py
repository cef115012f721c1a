"""How free slots are cut: the minimum notice, the buffers kept around appointments and the
interval slot starts are aligned to, as the settings ``slot_notice``, ``slot_buffer`` and
``slot_interval`` write them.

The defaults follow what booking tools do: an hour's notice (Odoo's appointment types), a
quarter of an hour kept free before and after each appointment (time to travel or to write
notes), and starts aligned to the meeting's own length up to an hour (cal.com aligns to the
event length): a one-hour meeting is offered on the hour, a 20-minute call every 20 minutes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

INTERVALS = (60, 30, 20, 15, 10, 5)  # minutes; each divides an hour, so a day too
DEFAULT_NOTICE = "1h"
DEFAULT_BUFFER = "15m"
DEFAULT_INTERVAL = "auto"
_LENGTH = re.compile(r"^(?:(\d{1,3})\s*h)?\s*(?:(\d{1,4})\s*m?)?$")


def length(text: str) -> timedelta:
    """``1h``, ``90m``, ``1h30``, ``45`` (minutes) or ``0``; ValueError saying what is
    accepted otherwise."""
    value = text.strip().lower().replace("min", "m")
    match = _LENGTH.match(value)
    if not value or not match or not (match[1] or match[2]):
        raise ValueError(f"{text!r} is not a length of time; write for example 1h, 30m or 1h30")
    return timedelta(hours=int(match[1] or 0), minutes=int(match[2] or 0))


def length_text(value: timedelta) -> str:
    """A length as the settings write it: ``1h``, ``15m``, ``1h30``, ``0m``."""
    minutes = int(value.total_seconds() // 60)
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return f"{hours}h{rest:02d}"
    return f"{hours}h" if hours else f"{rest}m"


def read_notice(text: str) -> timedelta:
    """The ``slot_notice`` setting: how soon from now the first slot may start."""
    found = length(text)
    if found > timedelta(days=30):
        raise ValueError(f"{text!r} is more than 30 days of notice")
    return found


def read_buffer(text: str) -> tuple[timedelta, timedelta]:
    """The ``slot_buffer`` setting: time kept free before and after each appointment, one
    length for both (``15m``) or two (``10m,30m``: before, after)."""
    parts = [p for p in re.split(r"[,/\s]+", text.strip()) if p]
    if len(parts) not in (1, 2):
        raise ValueError(f"{text!r}: give one length (15m) or two, before and after (10m,30m)")
    found = [length(p) for p in parts]
    if max(found) > timedelta(hours=12):
        raise ValueError(f"{text!r}: a buffer is at most 12 hours")
    return found[0], found[-1]


def read_interval(text: str) -> int | None:
    """The ``slot_interval`` setting: minutes between possible starts (60, 30, 20, 15, 10
    or 5), or None for ``auto`` (the meeting's length, up to an hour)."""
    value = text.strip().lower()
    if value in ("", "auto"):
        return None
    minutes = int(length(value).total_seconds() // 60)
    if minutes not in INTERVALS:
        choices = ", ".join(str(i) for i in INTERVALS)
        raise ValueError(f"{text!r} is not an interval; give auto or minutes: {choices}")
    return minutes


def auto_interval(duration: timedelta) -> int:
    """The largest interval not longer than the meeting: 60 for an hour or more, 30 for 45
    minutes, 20 for 20, 5 for 7."""
    minutes = duration.total_seconds() / 60
    return next((i for i in INTERVALS if i <= minutes), INTERVALS[-1])


@dataclass(frozen=True)
class SlotRules:
    """Everything that decides which starts are offered for a meeting of ``duration``."""

    duration: timedelta
    interval: int  # minutes
    notice: timedelta
    before: timedelta  # kept free before a new meeting
    after: timedelta  # kept free after it
