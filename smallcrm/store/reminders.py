"""Reminders: which appointment occurrences and follow-ups are due for a user at a moment.

- An appointment with ``reminder_minutes`` reminds that many minutes before each occurrence;
  series are expanded on their own zone's clock (``recurrence``), so a weekly 9:00 meeting in
  New York reminds at 8:45 New York time in summer and in winter. It belongs to its ``owner``,
  else to whoever created it.
- A follow-up (an interaction's ``follow_up_on``, a date) reminds at the ``follow_up_time``
  setting on that day, and again each day until it is done. It belongs to whoever logged it.
- A reminder is delivered late as long as its appointment has not started (a follow-up: the
  same day); a reminder due less than ``GRACE`` ago always goes out, so that one set to 0
  minutes is not lost to a cron job running a minute late. Older ones are missed.
- A case whose promised response or resolution time passes (``due_at``, kept by the case's
  clocks) reminds its owner, else whoever opened it, at that moment; a later deadline (after
  the first response, or reopened) is a new occurrence. Missed after a day.
- A user's snooze moves one occurrence's reminder to a later time (a new round, delivered
  again); "done" ends it (for a follow-up: the follow-up itself is done).

Delivery (claims, the delivery table, snooze and done) lives in ``reminder_delivery.py``. Only
the standard library, ``dateutil`` (through ``recurrence``) and the thin database layer are
imported: ``smallcrm remind --due`` runs from cron every few minutes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from smallcrm.store import clock, formats, recurrence, rows, settings
from smallcrm.store.db import Database, Tx, to_datetime

if TYPE_CHECKING:
    from smallcrm.store.records import Appointment

APPOINTMENT, FOLLOW_UP, CASE = "appointment", "follow_up", "service_case"
GRACE = timedelta(minutes=5)  # a reminder this recently due goes out even if its start passed
LOOKBACK = timedelta(days=1)  # how far back missed reminders are looked for by default
LOOKAHEAD = timedelta(days=8)  # how far ahead ``upcoming`` looks
MAX_REMINDER = timedelta(days=60)  # reminders set further ahead than this are not looked for
_TICK = timedelta(microseconds=1)  # expansion ends are exclusive; a due time is inclusive

# Three parts, each of which can use an index where one helps: series (few, scanned), one-off
# appointments starting in the next day or so (by start), and those starting later whose
# reminder is set further ahead than a day (by start, up to ``MAX_REMINDER``). One query with
# the three as OR-ed conditions scanned every appointment (0.27 s at 100,000).
_APPOINTMENT_COLUMNS = (
    "SELECT p.*, trim(c.first_name || ' ' || c.last_name) AS contact_name, "
    "a.name AS account_name FROM appointment p{hint} "
    "LEFT JOIN contact c ON c.id = p.contact_id LEFT JOIN account a ON a.id = p.account_id "
    "WHERE p.deleted_at IS NULL AND p.reminder_minutes IS NOT NULL "
    "AND coalesce(p.owner, p.created_by) = :user AND "
)
# SQLite read the series through a partial index on another column, one table lookup per
# appointment (0.28 s at 100,000); reading the table in order took a third of that.
_SERIES_HINT = {"sqlite": " NOT INDEXED"}
_APPOINTMENTS = (
    f"{_APPOINTMENT_COLUMNS}(p.rrule IS NOT NULL OR p.rdates <> '') "
    "AND (p.rdates <> '' OR p.starts_at < :end) "
    f"UNION ALL {_APPOINTMENT_COLUMNS.format(hint='')}p.rrule IS NULL AND p.rdates = '' "
    "AND p.starts_at >= :first AND p.starts_at < :soon AND p.starts_at < :end "
    "AND coalesce(p.ends_at, p.starts_at) >= :start "
    f"UNION ALL {_APPOINTMENT_COLUMNS.format(hint='')}p.rrule IS NULL AND p.rdates = '' "
    "AND p.starts_at >= :soon AND p.starts_at >= :first AND p.starts_at < :end "
    "AND p.reminder_minutes > :soon_minutes AND coalesce(p.ends_at, p.starts_at) >= :start"
)
_CASES = (
    "SELECT s.id, s.subject, s.due_at, s.first_response_at, "
    "trim(c.first_name || ' ' || c.last_name) AS contact_name, a.name AS account_name "
    "FROM service_case s LEFT JOIN contact c ON c.id = s.contact_id "
    "LEFT JOIN account a ON a.id = s.account_id "
    "WHERE s.deleted_at IS NULL AND s.resolved_at IS NULL AND s.due_at >= :start "
    "AND s.due_at <= :until AND coalesce(s.owner, s.created_by) = :user"
)
_FOLLOW_UPS = (
    "SELECT i.id, i.kind, i.subject, i.follow_up_on, "
    "trim(c.first_name || ' ' || c.last_name) AS contact_name, a.name AS account_name "
    "FROM interaction i LEFT JOIN contact c ON c.id = i.contact_id "
    "LEFT JOIN account a ON a.id = i.account_id "
    "WHERE i.follow_up_on IS NOT NULL AND i.follow_up_done = FALSE AND i.deleted_at IS NULL "
    "AND i.follow_up_on <= :last AND i.created_by = :user"
)


@dataclass(frozen=True)
class Reminder:
    """One round of one reminder for one user: what, for which occurrence, due when."""

    kind: str  # APPOINTMENT, FOLLOW_UP or CASE
    record_id: int
    occurrence: str  # the occurrence's start in UTC (ISO), or the follow-up's day
    user: str
    due_at: datetime  # when it is due (a snooze moves it), in the business's zone
    expires_at: datetime  # from then on a reminder not yet delivered is missed
    title: str
    who: str = ""
    location: str = ""
    starts_at: datetime | None = None  # the appointment occurrence's start
    all_day: bool = False
    follow_up_on: date | None = None  # the follow-up's date (it may be overdue)
    snoozed: bool = False
    missed: str = ""  # a case's: which promise was missed

    @property
    def key(self) -> tuple[str, int, str]:
        """What identifies the reminder's occurrence (snoozes and dones are kept by it)."""
        return (self.kind, self.record_id, self.occurrence)

    @property
    def opens(self) -> str:
        """The record the reminder is about, as the shell names it (``appointment 12``)."""
        kind = {FOLLOW_UP: "interaction", CASE: "case"}.get(self.kind, self.kind)
        return f"{kind} {self.record_id}"

    def text(self, now: datetime) -> str:
        """One line for a notification: ``14:00 Demo with Jana Novak (in 15 min)``."""
        if self.kind == FOLLOW_UP:
            assert self.follow_up_on is not None
            late = (clock.local(now).date() - self.follow_up_on).days
            due = "due today" if late <= 0 else f"{late} day{'s' if late > 1 else ''} overdue"
            parts = [f"Follow up: {self.title}", formats.with_whom(self.title, self.who)]
            line = " ".join(p for p in parts if p) + f" ({due})"
        elif self.kind == CASE:
            parts = [f"Case {self.record_id} breached: {self.title}"]
            parts.append(formats.with_whom(self.title, self.who))
            line = " ".join(p for p in parts if p) + f" ({self.missed} not in time)"
        else:
            assert self.starts_at is not None
            start = clock.local(self.starts_at)
            when = "all day" if self.all_day else f"{start:%H:%M}"
            if start.date() != clock.local(now).date():
                when = f"{start:%a %d %b} {when}"
            parts = [when, self.title, formats.with_whom(self.title, self.who)]
            parts.append(f"at {self.location}" if self.location else "")
            line = " ".join(p for p in parts if p) + _in_words(start - now)
        return printable(f"{line} [{self.opens}]")


def printable(text: str) -> str:
    """``text`` with control characters (escapes, new lines from notes) made spaces: it goes
    to terminals, notifications and mail subjects."""
    return "".join(ch if ch.isprintable() else " " for ch in text)


def _in_words(ahead: timedelta) -> str:
    minutes = round(ahead.total_seconds() / 60)
    if minutes <= 0:
        return " (now)" if minutes > -1 else f" (started {-minutes} min ago)"
    if minutes < 90:
        return f" (in {minutes} min)"
    return f" (in {minutes // 60} h {minutes % 60:02d} min)" if minutes < 24 * 60 else ""


# --- what is due -------------------------------------------------------------------------------


def candidates(db: Database, user: str, since: datetime, until: datetime) -> list[Reminder]:
    """Every reminder of ``user`` due in [since, until], snoozes applied, dones left out,
    earliest first (delivered or not: ``reminder_delivery`` knows that)."""
    with db.read() as tx:
        found = _appointment_reminders(tx, user, since, until)
        found += _follow_up_reminders(tx, user, since, until)
        found += _case_reminders(tx, user, since, until)
        states = read_states(tx, user, found)
    result = []
    for reminder in found:
        snoozed_until, done = states.get(reminder.key, (None, False))
        if done:
            continue
        if snoozed_until is not None:
            reminder = _snoozed(reminder, snoozed_until)
        if since <= reminder.due_at <= until:
            result.append(reminder)
    result.sort(key=lambda r: (r.due_at, r.kind, r.record_id))
    return result


def due(db: Database, user: str, now: datetime | None = None) -> list[Reminder]:
    """The reminders of ``user`` due at ``now`` and not yet missed (delivered or not)."""
    now = now or clock.now()
    return [r for r in candidates(db, user, now - LOOKBACK, now) if now < r.expires_at]


def upcoming(db: Database, user: str, now: datetime | None = None) -> list[Reminder]:
    """Reminders of ``user`` still to come within ``LOOKAHEAD``, earliest first."""
    now = now or clock.now()
    return [r for r in candidates(db, user, now, now + LOOKAHEAD) if r.due_at > now]


def _appointment_reminders(tx: Tx, user: str, since: datetime, until: datetime) -> list[Reminder]:
    """Occurrences whose reminder time (start minus ``reminder_minutes``) is in the window
    (snoozed ones are found through their occurrence, which is at most a day older)."""
    start, end = since - timedelta(days=1), until + MAX_REMINDER
    found: list[Reminder] = []
    soon = {"soon": until + timedelta(days=1), "soon_minutes": 24 * 60}
    # A one-off's occurrence is its start; an all-day one is stored at midnight UTC of its day,
    # up to 14 hours from the business's midnight, hence a day's margin.
    first = start - timedelta(days=1)
    sql = _APPOINTMENTS.replace("{hint}", _SERIES_HINT.get(tx.dialect, ""), 1)
    for row in tx.all(sql, user=user, start=start, end=end, first=first, **soon):
        appointment = rows.appointment(row)
        ahead = timedelta(minutes=max(appointment.reminder_minutes or 0, 0))
        for occurs, _ends in recurrence.expand(appointment, start, until + ahead + _TICK):
            if occurs >= start and occurs - ahead <= until:
                found.append(appointment_reminder(appointment, occurs, user))
    return found


def _follow_up_reminders(tx: Tx, user: str, since: datetime, until: datetime) -> list[Reminder]:
    """One reminder per day from each open follow-up's date on, at ``follow_up_time``."""
    at_time = settings.follow_up_time()
    first, last = clock.local(since).date() - timedelta(days=1), clock.local(until).date()
    found: list[Reminder] = []
    # Each day's times once, not once per follow-up: 1,200 open follow-ups read the zone from
    # the settings 7,000 times otherwise (0.25 s).
    times = {day: _day_times(day, at_time) for day in _days(first, last)}
    for row in tx.all(_FOLLOW_UPS, user=user, last=last):
        follow_up_on = row["follow_up_on"]
        if not isinstance(follow_up_on, date):
            follow_up_on = date.fromisoformat(str(follow_up_on)[:10])
        for day in _days(max(first, follow_up_on), last):
            found.append(
                follow_up_reminder(
                    row["id"],
                    f"{row['kind']}: {row['subject']}",
                    _who(row["contact_name"], row["account_name"]),
                    follow_up_on,
                    day,
                    user,
                    times=times.get(day),
                )
            )
    return found


def appointment_reminder(appointment: Appointment, occurs: datetime, user: str) -> Reminder:
    """The reminder of one occurrence (starting ``occurs``) of ``appointment`` for ``user``:
    ``reminder_minutes`` before it (at its start when it has none)."""
    ahead = timedelta(minutes=max(appointment.reminder_minutes or 0, 0))
    due_at = occurs - ahead
    return Reminder(
        kind=APPOINTMENT,
        record_id=appointment.id,
        occurrence=occurs.astimezone(UTC).isoformat(timespec="seconds"),
        user=user,
        due_at=clock.local(due_at),
        expires_at=clock.local(max(occurs, due_at + GRACE)),
        title=appointment.title,
        who=_who(appointment.contact_name, appointment.account_name, appointment.title),
        location=appointment.location or "",
        starts_at=clock.local(occurs),
        all_day=appointment.all_day,
    )


def follow_up_reminder(
    record_id: int,
    title: str,
    who: str,
    follow_up_on: date,
    day: date,
    user: str,
    *,
    times: tuple[datetime, datetime] | None = None,
) -> Reminder:
    """The reminder on ``day`` of the follow-up of interaction ``record_id`` (due
    ``follow_up_on``), at the ``follow_up_time`` setting; ``times``: that day's due and expiry
    times, when already known."""
    due_at, expires_at = times or _day_times(day, settings.follow_up_time())
    return Reminder(
        kind=FOLLOW_UP,
        record_id=record_id,
        occurrence=day.isoformat(),
        user=user,
        due_at=due_at,
        expires_at=expires_at,
        title=title,
        who=who,
        follow_up_on=follow_up_on,
    )


def _day_times(day: date, at_time: time) -> tuple[datetime, datetime]:
    """A follow-up's reminder on ``day``: due at ``at_time``, missed from the next midnight."""
    return clock.at(day, at_time), clock.at(day + timedelta(days=1))


def _case_reminders(tx: Tx, user: str, since: datetime, until: datetime) -> list[Reminder]:
    """A case's deadline passing in the window (snoozed ones: a day before it too)."""
    found: list[Reminder] = []
    window = {"start": since - timedelta(days=1), "until": until}
    for row in tx.all(_CASES, user=user, **window):
        who = _who(row["contact_name"], row["account_name"])
        responded = row["first_response_at"] is not None
        found.append(
            case_reminder(
                row["id"], row["subject"], who, to_datetime(row["due_at"]), responded, user
            )
        )
    return found


def case_reminder(
    case_id: int, subject: str, who: str, due_at: datetime, responded: bool, user: str
) -> Reminder:
    """The reminder of case ``case_id``'s deadline ``due_at`` (its first response's, until
    ``responded``, then its resolution's)."""
    return Reminder(
        kind=CASE,
        record_id=case_id,
        occurrence=due_at.astimezone(UTC).isoformat(timespec="seconds"),
        user=user,
        due_at=clock.local(due_at),
        expires_at=clock.local(due_at + timedelta(days=1)),
        title=subject,
        who=who,
        missed="resolution" if responded else "first response",
    )


def _days(first: date, last: date) -> Iterable[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def _who(contact: str | None, account: str | None, title: str = "") -> str:
    if contact and not formats.unnamed(title, contact):  # "Call with Jana Novak" says who
        return ""
    if contact and account:
        return f"{contact} ({account})"
    return contact or account or ""


def read_states(
    tx: Tx, user: str, reminders: list[Reminder]
) -> dict[tuple[str, int, str], tuple[datetime | None, bool]]:
    """The user's snoozes and dones of these reminders' occurrences."""
    if not reminders:
        return {}
    ids = sorted({r.record_id for r in reminders})
    params: dict[str, Any] = {f"i{n}": value for n, value in enumerate(ids)}
    marks = ", ".join(f":i{n}" for n in range(len(ids)))
    found = tx.all(
        "SELECT kind, record_id, occurrence, snoozed_until, done_at FROM reminder_state "
        f"WHERE user_name = :user AND record_id IN ({marks})",
        user=user,
        **params,
    )
    return {
        (row["kind"], row["record_id"], row["occurrence"]): (
            to_datetime(row["snoozed_until"]),
            row["done_at"] is not None,
        )
        for row in found
    }


def _snoozed(reminder: Reminder, until: datetime) -> Reminder:
    """The reminder as a snooze left it: due then, missed at the end of that day at the
    earliest (a snooze past an appointment's start still reminds)."""
    from dataclasses import replace

    when = clock.local(until)
    end_of_day = clock.at(when.date() + timedelta(days=1))
    return replace(
        reminder, due_at=when, expires_at=max(reminder.expires_at, end_of_day), snoozed=True
    )
