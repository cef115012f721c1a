"""The one clock: what "now" and "today" are for the store, the shell and the app.

Every reading of the time goes through here, so one setting pins it everywhere:

- ``SMALLCRM_NOW`` (ISO 8601, ``2026-11-25T10:30`` or with an offset) fixes "now" for a whole
  process: the shell's tests and recorded demos read "fri" and "tomorrow" the same way on any
  day, and the timestamps the store writes agree with the dates the commands print;
- ``pin()`` fixes it inside one process (the app's Pilot tests and snapshots); ``pin(None)``
  lets it run again.

Local times are the business's: the ``timezone`` setting (``SMALLCRM_TIMEZONE``), else the
machine's zone. A field worker who logs in over SSH from a laptop set to UTC still sees the
office's times. Instants are stored in UTC; only what people read and type is local.

Only the standard library is imported, so the shell's quick commands pay nothing for it.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from pathlib import Path

NOW_VARIABLE = "SMALLCRM_NOW"

_pinned: datetime | None = None


class ClockError(ValueError):
    """``SMALLCRM_NOW`` holds something that is not a date and time."""


def pin(value: datetime | None) -> None:
    """Fix "now" at ``value`` for this process (None: the real clock again)."""
    global _pinned
    if value is not None and value.tzinfo is None:
        value = value.replace(tzinfo=zone())
    _pinned = value


def pinned() -> datetime | None:
    """The fixed "now" (by ``pin`` or ``SMALLCRM_NOW``), or None when the clock runs."""
    if _pinned is not None:
        return _pinned
    text = os.environ.get(NOW_VARIABLE, "").strip()
    return _parse_pinned(text, _zone_key()) if text else None


@lru_cache(maxsize=8)
def _parse_pinned(text: str, zone_key: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise ClockError(
            f"{NOW_VARIABLE}: {text!r} is not a date and time; give ISO 8601 such as "
            "2026-11-25T10:30 or 2026-11-25T10:30+01:00"
        ) from None
    return value if value.tzinfo else value.replace(tzinfo=zone())


def now() -> datetime:
    """The current time in the business's zone, timezone-aware."""
    fixed = pinned()
    if fixed is not None:
        return fixed.astimezone(zone())
    return datetime.now(zone())


def now_utc() -> datetime:
    """The current time in UTC (what the store writes)."""
    fixed = pinned()
    if fixed is not None:
        return fixed.astimezone(UTC)
    return datetime.now(UTC)


def today() -> date:
    """Today's date in the business's zone."""
    return now().date()


def local(value: datetime) -> datetime:
    """An instant as the business's local time (a naive value is taken as already local)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=zone())
    return value.astimezone(zone())


def at(day: date, clock_time: time = time(0)) -> datetime:
    """``day`` at ``clock_time`` in the business's zone, aware (a gap in spring moves on)."""
    return local_datetime(datetime.combine(day, clock_time), zone())


def local_datetime(naive: datetime, tz: tzinfo) -> datetime:
    """A wall-clock time in ``tz`` as an aware value that names a real instant.

    A time that does not exist (skipped when clocks go forward) is moved on by the gap, as a
    person setting a meeting at 02:30 on that night would mean; an ambiguous one (repeated when
    clocks go back) is the first of the two.
    """
    aware = naive.replace(tzinfo=tz, fold=0)
    back = aware.astimezone(UTC).astimezone(tz)
    if back.replace(tzinfo=None) != naive:  # in a gap: the offset before it moves it on
        return naive.replace(tzinfo=tz, fold=1).astimezone(UTC).astimezone(tz)
    return aware


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The first instant of ``day`` and of the day after, in the business's zone."""
    return at(day), at(day + timedelta(days=1))


def zone() -> tzinfo:
    """The business's time zone: the ``timezone`` setting, else the machine's, else UTC."""
    return _zone(_zone_key())


def zone_name() -> str:
    """The IANA name of the business's time zone (``UTC`` when nothing better is known)."""
    return getattr(zone(), "key", None) or "UTC"


def _zone_key() -> str:
    from smallcrm.store import settings

    return f"{settings.timezone_name() or ''}|{os.environ.get('TZ', '')}"


@lru_cache(maxsize=16)
def _zone(key: str) -> tzinfo:
    from zoneinfo import ZoneInfo

    configured = key.split("|", 1)[0]
    if configured:
        return ZoneInfo(configured)
    return machine_zone()


def machine_zone() -> tzinfo:
    """The machine's time zone as a zoneinfo zone (``TZ``, else /etc/localtime), else UTC."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    candidates = [os.environ.get("TZ", "").lstrip(":")]
    try:
        target = os.path.realpath("/etc/localtime")
        if "zoneinfo/" in target:
            candidates.append(target.split("zoneinfo/", 1)[1])
    except OSError:
        pass
    timezone_file = Path("/etc/timezone")
    try:
        candidates.append(timezone_file.read_text(errors="replace").strip())
    except OSError:
        pass
    for name in candidates:
        if name == "UTC" or (name and "/" in name):
            try:
                return ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return UTC
