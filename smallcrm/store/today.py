"""A user's day as the app's Today screen shows it: sections of rows, overdue first, each row
something to open, mark done or snooze.

- **Overdue**: open follow-ups whose day has passed, oldest first.
- **Today**: the day's appointment occurrences by start, then the follow-ups due today.

Whose they are is decided as for ``smallcrm today --brief`` and the reminders (``brief.py``):
appointments the user owns (or created without an owner), follow-ups the user logged.

Done and snooze are the reminders' own (``reminder_delivery``), so a row done here is not
reminded of again, and a snoozed one rings the bell at its new time: done ends a follow-up
altogether and silences an appointment occurrence's reminder; snoozing "tomorrow" leaves a
follow-up for tomorrow's reminder. An appointment can be snoozed once its reminder has come
due (snoozing one that is still to come would move its reminder, not add one).

- **Cases**: the user's open service cases breached or at risk, the most overdue first. A case
  is done when it is resolved, on its own screen, so ``done`` does not apply to it; snoozing
  quiets its breach reminder.

More sections are one more function in ``SECTIONS``: ``(db, user, now) -> list[Section]``, in
the order shown; the screen lists any section's rows and opens each row's record through the
kinds registry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from smallcrm.store import case_lists, clock, formats, records, reminder_delivery, reminders
from smallcrm.store.brief import brief
from smallcrm.store.db import Database
from smallcrm.store.errors import ValidationError
from smallcrm.store.records import Appointment, Interaction, Occurrence
from smallcrm.store.reminders import Reminder

LIMIT = 200  # rows per section; the rest is counted ("and 40 more")

# What a row's status is, in the word shown. Follow-ups: OVERDUE or DUE; appointments: PAST,
# NOW (running), NEXT (the first still to come), UPCOMING (the others); either: SNOOZED (until
# ``snoozed_until``) or DONE; a follow-up snoozed until tomorrow: LATER.
OVERDUE, DUE, NOW, NEXT, UPCOMING, PAST = "overdue", "due", "now", "next", "later", "past"
SNOOZED, DONE, LATER = "snoozed", "done", "tomorrow"
BREACHED, AT_RISK = "breached", "at risk"  # a case's


@dataclass(frozen=True)
class Item:
    """One row: the record it opens, where it stands, and the reminder done and snooze act on."""

    kind: str  # the record kind it opens (``kinds.py``): appointment, interaction, service_case
    record_id: int
    status: str
    title: str
    who: str
    day: date  # the follow-up's day, or the occurrence's
    reminder: Reminder
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    all_day: bool = False
    location: str = ""
    snoozed_until: datetime | None = None
    snoozable: bool = True
    doable: bool = True  # ``done`` applies (not to a case: it ends when resolved)
    standing: str = ""  # a case's time left or over (``0h30 over``)

    @property
    def is_follow_up(self) -> bool:
        """True for a follow-up, False for an appointment."""
        return self.reminder.kind == reminders.FOLLOW_UP


@dataclass(frozen=True)
class Section:
    """A heading and its rows; ``more`` rows were left out (over ``LIMIT``)."""

    key: str
    title: str
    items: list[Item] = field(default_factory=list)
    more: int = 0


@dataclass(frozen=True)
class Day:
    """What the Today screen shows: the day and its sections (empty ones included)."""

    day: date
    sections: list[Section]

    @property
    def items(self) -> list[Item]:
        """Every row, in the order shown."""
        return [item for section in self.sections for item in section.items]


def my_day(db: Database, user: str, now: datetime | None = None) -> Day:
    """``user``'s day at ``now``: the sections of ``SECTIONS``, in order."""
    now = now or clock.now()
    sections = [section for make in SECTIONS for section in make(db, user, now)]
    return Day(clock.local(now).date(), sections)


def follow_ups_and_appointments(db: Database, user: str, now: datetime) -> list[Section]:
    """The overdue follow-ups, then today's appointments and the follow-ups due today."""
    day = clock.local(now).date()
    found = brief(db, user, day, limit=LIMIT)
    late = [entry for entry in found.follow_ups if entry.follow_up_on and entry.follow_up_on < day]
    due = [entry for entry in found.follow_ups if entry not in late]
    rows = [_follow_up(entry, user, day) for entry in late]
    rows += _with_next([_appointment(occ, user, now) for occ in found.appointments])
    rows += [_follow_up(entry, user, day) for entry in due]
    rows = _with_states(db, user, now, rows)
    overdue = Section("overdue", "Overdue", rows[: len(late)], found.overdue_count - len(late))
    shown_due = len(found.follow_ups) - len(late)
    hidden_due = found.follow_up_count - found.overdue_count - shown_due
    return [overdue, Section("today", "Today", rows[len(late) :], max(hidden_due, 0))]


def _follow_up(entry: Interaction, user: str, day: date) -> Item:
    assert entry.follow_up_on is not None
    who = entry.contact_name or entry.account_name or ""  # a row has room for one name
    reminder = reminders.follow_up_reminder(
        entry.id, f"{entry.kind}: {entry.subject}", who, entry.follow_up_on, day, user
    )
    return Item(
        kind="interaction",
        record_id=entry.id,
        status=OVERDUE if entry.follow_up_on < day else DUE,
        title=entry.subject or (entry.body or "").split("\n")[0],
        who=who,
        day=entry.follow_up_on,
        reminder=reminder,
    )


def _appointment(occ: Occurrence, user: str, now: datetime) -> Item:
    appointment = occ.appointment
    reminder = reminders.appointment_reminder(appointment, occ.starts_at, user)
    ends = occ.ends_at or occ.starts_at
    status = PAST if ends <= now else NOW if occ.starts_at <= now else UPCOMING
    if appointment.all_day:
        status = NOW
    return Item(
        kind="appointment",
        record_id=appointment.id,
        status=status,
        title=appointment.title,
        who=_who(appointment),
        day=clock.local(occ.starts_at).date(),
        reminder=reminder,
        starts_at=clock.local(occ.starts_at),
        ends_at=clock.local(occ.ends_at) if occ.ends_at else None,
        all_day=appointment.all_day,
        location=appointment.location or "",
        snoozable=appointment.reminder_minutes is not None and reminder.due_at <= now,
    )


def _who(appointment: Appointment) -> str:
    """Whom an appointment is with, unless its title says so already ("Lunch with Jana")."""
    return formats.unnamed(appointment.title, appointment.contact_name or appointment.account_name)


def _with_next(rows: list[Item]) -> list[Item]:
    """The first appointment still to come is the NEXT one."""
    from dataclasses import replace

    first = next((n for n, row in enumerate(rows) if row.status == UPCOMING), None)
    if first is not None:
        rows[first] = replace(rows[first], status=NEXT)
    return rows


def _with_states(db: Database, user: str, now: datetime, rows: list[Item]) -> list[Item]:
    """The rows as the user's snoozes and dones of today's reminders left them."""
    from dataclasses import replace

    with db.read() as tx:
        states = reminders.read_states(tx, user, [row.reminder for row in rows])
    result = []
    for row in rows:
        snoozed_until, done = states.get(row.reminder.key, (None, False))
        if done:
            row = replace(row, status=LATER if row.is_follow_up else DONE)
        elif snoozed_until is not None and snoozed_until > now:
            row = replace(row, status=SNOOZED, snoozed_until=clock.local(snoozed_until))
        result.append(row)
    return result


def cases_at_risk(db: Database, user: str, now: datetime) -> list[Section]:
    """The user's open cases breached or at risk, the most overdue first."""
    page = case_lists.users_needing_attention(db, user, LIMIT)
    rows = [_case(case, user, now) for case in page.items]
    return [
        Section("cases", "Cases at risk", _with_states(db, user, now, rows), page.total - len(rows))
    ]


def _case(case: records.Case, user: str, now: datetime) -> Item:
    due_at = case.due_at or now
    who = case.contact_name or case.account_name or ""
    responded = case.first_response_at is not None
    reminder = reminders.case_reminder(case.id, case.subject, who, due_at, responded, user)
    return Item(
        kind="service_case",
        record_id=case.id,
        status=BREACHED if case.sla.breached else AT_RISK,
        title=case.subject,
        who=who,
        day=clock.local(due_at).date(),
        reminder=reminder,
        snoozable=due_at <= now,
        doable=False,
        standing=case.sla.text,
    )


# Each makes sections of the day, in the order shown (the module docstring says how to add one).
SECTIONS: list[Callable[[Database, str, datetime], list[Section]]] = [
    follow_ups_and_appointments,
    cases_at_risk,
]


# --- done and snooze ------------------------------------------------------------------------


def done(db: Database, item: Item, now: datetime | None = None) -> None:
    """Mark a row done: a follow-up altogether, an appointment occurrence's reminder."""
    if not item.doable:
        raise ValidationError("done", "a case is done when it is resolved: open it to resolve it")
    reminder_delivery.done(db, item.reminder, now)


def snooze(db: Database, item: Item, length: str, now: datetime | None = None) -> datetime:
    """Remind of a row again after ``length`` (``10m``, ``1h``, ``tomorrow``); returns when."""
    if not item.snoozable:
        raise ValidationError(
            "snooze",
            "only a follow-up, or an appointment or case whose reminder has come due",
        )
    return reminder_delivery.snooze(db, item.reminder, length, now)


def counts(found: Day) -> tuple[int, int, int]:
    """How many appointments, follow-ups due (overdue included) and overdue ones ``found``
    holds, rows left out counted too."""
    appointments = follow_ups = overdue = 0
    for section in found.sections:
        if section.key == "overdue":
            overdue = len(section.items) + section.more
            follow_ups += overdue
        elif section.key == "today":
            appointments = sum(1 for item in section.items if not item.is_follow_up)
            follow_ups += sum(1 for item in section.items if item.is_follow_up) + section.more
    return appointments, follow_ups, overdue
