"""Free slots: when a meeting of a given length could take place.

A slot lies inside the working hours (settings, read on the business's wall clock, so on the
nights clocks change a day keeps its local hours), starts no sooner than the minimum notice
from now, starts on the local clock at a multiple of the interval (10:00, 10:30, never 10:07),
and neither it nor the buffers around it touch a busy time. Busy times are every occurrence
of the calendar's appointments (series expanded on their own zone's clock, as the calendar
shows them) and every tentative hold of an open offer that has not expired, whoever made it:
a time offered to one customer is not offered to another until the offer lapses.

``free_slots`` is the computation alone (no database, no clock) so that it can be tested
against any schedule and zone; ``find_slots`` reads the busy times and the settings.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from smallcrm.store import business_time, clock, recurrence
from smallcrm.store.business_time import Schedule, Span
from smallcrm.store.db import Database, Tx, to_datetime
from smallcrm.store.errors import ValidationError
from smallcrm.store.slot_rules import SlotRules, auto_interval

MAX_DAYS = 90
# An appointment saved with a start only still takes time: count it as an hour.
OPEN_ENDED = timedelta(hours=1)
# Buffers are at most 12 hours: busy times this far outside the window can still reach in.
_REACH = timedelta(hours=13)


# --- the computation ----------------------------------------------------------------------------


def align(moment: datetime, minutes: int, zone: tzinfo) -> datetime:
    """The first instant at or after ``moment`` whose wall-clock time in ``zone`` is a
    multiple of ``minutes`` after midnight (in UTC)."""
    step = minutes * 60
    found = moment.astimezone(UTC)
    for _ in range(3):  # a change of offset between the two readings: align again
        offset = _offset(found, zone)
        local = found.timestamp() + offset
        up = -(-local // step) * step
        candidate = datetime.fromtimestamp(up - offset, UTC)
        if _offset(candidate, zone) == offset:
            return candidate
        found = candidate
    return found


def _offset(moment: datetime, zone: tzinfo) -> float:
    delta = moment.astimezone(zone).utcoffset()
    return delta.total_seconds() if delta is not None else 0.0


def free_slots(
    plan: Schedule, busy: Iterable[Span], rules: SlotRules, now: datetime, end: datetime
) -> list[Span]:
    """Every slot (start, end) of ``rules.duration`` in working hours between ``now`` plus
    the notice and ``end``, aligned to the interval, whose buffers clear every busy time."""
    widened = business_time.merge(
        (a.astimezone(UTC) - rules.after, b.astimezone(UTC) + rules.before) for a, b in busy
    )
    ends = [b for _, b in widened]
    step = timedelta(minutes=rules.interval)
    found: list[Span] = []
    for first, last in business_time.working_spans(plan, now + rules.notice, end):
        start = align(first, rules.interval, plan.zone)
        while start + rules.duration <= last:
            index = bisect_right(ends, start)  # the first busy time ending after the start
            if index < len(widened) and widened[index][0] < start + rules.duration:
                start = align(widened[index][1], rules.interval, plan.zone)
                continue
            found.append((start, start + rules.duration))
            start = align(start + step, rules.interval, plan.zone)
    return found


# --- the busy times -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Entry:
    """What expansion reads of an appointment row (``recurrence.Timed``)."""

    starts_at: datetime
    ends_at: datetime | None
    all_day: bool
    rrule: str | None
    exdates: tuple[recurrence.Moment, ...]
    rdates: tuple[recurrence.Moment, ...]
    time_zone: str


def _entry(row: Any) -> _Entry:
    return _Entry(
        starts_at=to_datetime(row["starts_at"]),
        ends_at=to_datetime(row["ends_at"]),
        all_day=bool(row["all_day"]),
        rrule=row["rrule"],
        exdates=recurrence.parse_moments(row["exdates"]),
        rdates=recurrence.parse_moments(row["rdates"]),
        time_zone=row["time_zone"],
    )


def whose(user: str | None, contact_id: int | None) -> tuple[str, dict[str, Any]]:
    """The SQL condition for the appointments that make someone busy: the user's own and
    those nobody owns, and (with a contact) every one with that contact."""
    if user is None:
        return "TRUE", {}
    parts = ["p.owner IS NULL", "p.owner = ''", "p.owner = :user"]
    params: dict[str, Any] = {"user": user}
    if contact_id is not None:
        parts.append("p.contact_id = :contact_id")
        params["contact_id"] = contact_id
    return "(" + " OR ".join(parts) + ")", params


def busy_times(
    tx: Tx,
    start: datetime,
    end: datetime,
    *,
    user: str | None,
    contact_id: int | None = None,
    skip_offer: int | None = None,
) -> list[Span]:
    """The busy times between ``start`` and ``end``: occurrences of the appointments that
    concern ``user`` (None: every appointment) and the contact, and every live hold."""
    since, until = start - _REACH, end + _REACH
    condition, params = whose(user, contact_id)
    rows = tx.all(
        "SELECT p.starts_at, p.ends_at, p.all_day, p.rrule, p.exdates, p.rdates, p.time_zone "
        "FROM appointment p WHERE p.deleted_at IS NULL AND (p.rdates <> '' OR "
        "(p.starts_at < :until AND (p.rrule IS NOT NULL OR "
        f"coalesce(p.ends_at, p.starts_at) >= :since))) AND {condition}",
        since=since - timedelta(days=1),
        until=until + timedelta(days=1),
        **params,
    )
    found: list[Span] = []
    for row in rows:
        entry = _entry(row)
        if not (entry.rrule or entry.rdates or entry.all_day):  # one occurrence: no expansion
            found.append((entry.starts_at, entry.ends_at or entry.starts_at + OPEN_ENDED))
            continue
        for when, finish in recurrence.expand(entry, since, until):
            at = when.astimezone(UTC)  # one zone: comparing across zones is slow
            found.append((at, finish.astimezone(UTC) if finish else at + OPEN_ENDED))
    found.extend(held_times(tx, since, until, skip_offer=skip_offer))
    return found


def held_times(
    tx: Tx, start: datetime, end: datetime, *, skip_offer: int | None = None
) -> list[Span]:
    """The holds of open offers that have not expired, overlapping [start, end)."""
    rows = tx.all(
        "SELECT h.starts_at, h.ends_at FROM slot_hold h JOIN slot_offer o ON o.id = h.offer_id "
        "WHERE o.status = 'open' AND o.expires_at > :now AND h.starts_at < :end "
        "AND h.ends_at > :start AND o.id <> :skip",
        now=clock.now_utc(),
        start=start,
        end=end,
        skip=skip_offer or 0,
    )
    return [(to_datetime(r["starts_at"]), to_datetime(r["ends_at"])) for r in rows]


# --- reading them -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SlotQuery:
    """What slots are asked for: a meeting's length, how many days ahead (today is the
    first), whose calendar (None: the acting user's), with which contact, where."""

    duration: timedelta
    days: int = 14
    user: str | None = None
    contact_id: int | None = None
    location: str | None = None
    interval: int | None = None


@dataclass(frozen=True)
class SlotList:
    """Free slots in order, with the rules and the window they were found with."""

    query: SlotQuery
    rules: SlotRules
    user: str
    slots: list[Span]
    start: datetime
    end: datetime


def rules_for(duration: timedelta, interval: int | None = None) -> SlotRules:
    """The rules in force (settings) for a meeting of ``duration``; ``interval`` (minutes)
    overrides the setting."""
    from smallcrm.store import settings

    if duration <= timedelta(0) or duration > timedelta(hours=12):
        raise ValidationError("duration", "must be more than 0 and at most 12 hours")
    chosen = interval or settings.slot_interval() or auto_interval(duration)
    before, after = settings.slot_buffer()
    return SlotRules(duration, chosen, settings.slot_notice(), before, after)


def window(days: int) -> tuple[datetime, datetime]:
    """Now, and the business's midnight ending the ``days``-th day (today is the first)."""
    if not 1 <= days <= MAX_DAYS:
        raise ValidationError("days", f"must be between 1 and {MAX_DAYS}")
    now = clock.now()
    return now, clock.at(now.date() + timedelta(days=days))


def compute(tx: Tx, query: SlotQuery, user: str, *, skip_offer: int | None = None) -> SlotList:
    """The free slots for ``query`` as ``tx`` sees the calendar."""
    rules = rules_for(query.duration, query.interval)
    start, end = window(query.days)
    busy = busy_times(tx, start, end, user=user, contact_id=query.contact_id, skip_offer=skip_offer)
    found = free_slots(business_time.schedule(), busy, rules, start, end)
    return SlotList(query, rules, user, found, start, end)


def find_slots(db: Database, query: SlotQuery) -> SlotList:
    """The free slots for ``query``: the same inputs and clock give the same list."""
    from smallcrm.store.crud import current_user

    with db.read() as tx:
        return compute(tx, query, query.user or current_user())
