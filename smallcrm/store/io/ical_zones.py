"""Which IANA zone a calendar file's time zone is, so a series can repeat on its clock.

Files name zones in many ways: an IANA name (``Europe/Berlin``), a vendor's "globally unique"
one (``/mozilla.org/20070129_1/America/New_York``), Outlook's Windows names (``W. Europe
Standard Time``; icalendar resolves those two), a name of the writer's own with a VTIMEZONE
that defines it (``custom_America/New_York``, ``(UTC-03:00) Brasília``), or vCalendar 1.0's
bare offsets (``TZ:+01`` with ``DAYLIGHT`` periods). The store needs an IANA name, so:

1. a zone the library already resolved to an IANA zone is that zone;
2. else an IANA name written inside the TZID is taken when its clock agrees with the file's
   definition at the event's start;
3. else the zone whose clock agrees with the file's definition all through a year from the
   event's start is taken (the business's zone first, so a colleague's file from the same
   office lands in the office's zone), and the import says which zone was chosen;
4. else the event keeps its instant in UTC, and the import says that its series will not
   follow daylight-saving changes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta, tzinfo
from functools import lru_cache
from typing import Any

from smallcrm.store import clock
from smallcrm.store.recurrence import zone

_BOUNDARY = set(" _/-.:()[],;+")
_SAMPLE_DAYS = 7
_SAMPLE_WEEKS = 53


@lru_cache(maxsize=1)
def _names() -> frozenset[str]:
    from zoneinfo import available_timezones

    return frozenset(available_timezones())


def is_zone_name(name: str | None) -> bool:
    """Whether ``name`` is an IANA zone name this machine knows."""
    return bool(name) and (name in _names() or name == "UTC")


def zone_name(tz: tzinfo, tzid: str | None, at: datetime) -> tuple[str, str | None]:
    """(IANA name, warning or None) for the zone an aware time of the file is in."""
    key = getattr(tz, "key", None)
    if isinstance(key, str) and is_zone_name(key):
        return key, None
    if tz is UTC or type(tz).__name__ == "tzutc":
        return "UTC", None
    return _cached(tz, tzid or str(tz), at.year, _guess)


def _guess(tz: tzinfo, shown: str, samples: list[datetime]) -> tuple[str, str | None]:
    for name in _names_in(shown):
        if all(_offset(zone(name), s) == _offset(tz, s) for s in samples):
            return name, None
    match = matching_zone(tz, samples)
    if match:
        return match, f"time zone {shown!r} is not a zone name smallcrm knows; read as {match}"
    return "UTC", (
        f"time zone {shown!r} matches no known zone; its times are kept, "
        "but its repeats follow UTC (they will not move with daylight-saving changes)"
    )


# A file names its zone on every event: the answer for a zone and a year is worked out once.
_GUESSES: dict[tuple[int, str, int], tuple[tzinfo, Any]] = {}


def _cached(tz: tzinfo, shown: str, year: int, work: Callable[..., Any]) -> Any:
    key = (id(tz), shown, year)
    hit = _GUESSES.get(key)
    if hit is not None and hit[0] is tz:
        return hit[1]
    start = datetime(max(year, 1), 1, 1, 12, tzinfo=UTC)
    samples = [start + timedelta(days=_SAMPLE_DAYS * week) for week in range(_SAMPLE_WEEKS)]
    result = work(tz, shown, [s for s in samples if s.year == year])
    if len(_GUESSES) > 256:
        _GUESSES.clear()
    _GUESSES[key] = (tz, result)
    return result


def periods_zone(tz: FixedPeriods, at: datetime) -> str | None:
    """The IANA zone of a vCalendar 1.0 ``TZ``/``DAYLIGHT`` zone, or None."""
    return _cached(tz, "vCalendar", at.year, lambda z, _, __: matching_zone(z, z.samples(at)))


@lru_cache(maxsize=256)
def _names_in(tzid: str) -> tuple[str, ...]:
    """IANA names written inside a TZID, longest first (``custom_America/New_York`` holds
    ``America/New_York``); a Windows name becomes the zone icalendar maps it to."""
    from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

    found = {WINDOWS_TO_OLSON[tzid.strip()]} if tzid.strip() in WINDOWS_TO_OLSON else set()
    text = tzid[:200]
    starts = [i for i in range(len(text)) if i == 0 or text[i - 1] in _BOUNDARY]
    ends = [j for j in range(1, len(text) + 1) if j == len(text) or text[j] in _BOUNDARY]
    for i in starts:
        for j in ends:
            if j > i and text[i:j] in _names():
                found.add(text[i:j])
    return tuple(sorted(found, key=lambda name: (-len(name), name)))


def matching_zone(tz: tzinfo, samples: Iterable[datetime]) -> str | None:
    """An IANA zone whose UTC offset equals ``tz``'s at every sample instant: the business's
    zone or the machine's if they agree, then by name (a fixed offset is ``Etc/GMT-11``
    rather than some town that once kept it)."""
    instants = [s.astimezone(UTC) for s in samples]
    wanted = [_offset(tz, s) for s in instants]
    if None in wanted:
        return None
    preferred = [clock.zone_name(), getattr(clock.machine_zone(), "key", "UTC")]
    fixed = len(set(wanted)) == 1
    rest = sorted(_names(), key=lambda name: (name.startswith("Etc/") != fixed, name))
    for name in dict.fromkeys([*preferred, *rest]):
        if not is_zone_name(name):
            continue
        candidate = zone(name)
        if all(_offset(candidate, s) == w for s, w in zip(instants, wanted, strict=True)):
            return name
    return None


def _offset(tz: tzinfo, at: datetime) -> timedelta | None:
    try:
        return at.astimezone(UTC).astimezone(tz).utcoffset()
    except (ValueError, OverflowError, TypeError, AttributeError):
        return None


class FixedPeriods(tzinfo):
    """A vCalendar 1.0 zone: a standard offset (``TZ``) and daylight periods (``DAYLIGHT``)."""

    def __init__(self, standard: timedelta, periods: list[tuple[datetime, datetime, timedelta]]):
        self.standard = standard
        self.periods = periods  # (begin, end, offset), begin and end in UTC

    def utcoffset(self, dt: datetime | None) -> timedelta:
        if dt is None:
            return self.standard
        at = dt.replace(tzinfo=None) - self.standard
        for begin, end, offset in self.periods:
            if begin.replace(tzinfo=None) <= at < end.replace(tzinfo=None):
                return offset
        return self.standard

    def dst(self, dt: datetime | None) -> timedelta:
        return self.utcoffset(dt) - self.standard

    def tzname(self, dt: datetime | None) -> str:
        return f"UTC{self.utcoffset(dt)}"

    def fromutc(self, dt: datetime) -> datetime:
        moment = dt.replace(tzinfo=None)
        for begin, end, offset in self.periods:
            if begin.replace(tzinfo=None) <= moment < end.replace(tzinfo=None):
                return (moment + offset).replace(tzinfo=self)
        return (moment + self.standard).replace(tzinfo=self)

    def samples(self, at: datetime) -> list[datetime]:
        """Instants that tell this zone apart: ``at``, and the middle of each period and of
        each stretch of standard time between them."""
        points = [at]
        for begin, end, _ in self.periods:
            points += [begin + (end - begin) / 2, begin - timedelta(days=30)]
            points.append(end + timedelta(days=30))
        return points
