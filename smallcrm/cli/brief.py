"""``smallcrm today --brief``: the user's day in at most ``LINES`` lines, for a login shell."""

from __future__ import annotations

import sys
from typing import Any

from smallcrm.store import clock, formats

LINES = 10


def write_brief(db: Any, moment: Any) -> None:
    """Print the brief: a heading, then appointments and follow-ups, at most ``LINES`` lines."""
    from smallcrm.store.brief import brief
    from smallcrm.store.crud import current_user
    from smallcrm.store.reminders import printable

    day = clock.local(moment).date()
    found = brief(db, current_user(), day, limit=LINES)
    meetings, due = len(found.appointments), found.follow_up_count
    late = f" ({found.overdue_count} overdue)" if found.overdue_count else ""
    at_risk = f", {_count(found.case_count, 'case')} at risk" if found.case_count else ""
    lines = [
        f"{day:%a %d %b}: {_count(meetings, 'appointment')}, "
        f"{_count(due, 'follow-up')} due{late}{at_risk}"
    ]
    items = [_meeting(occ) for occ in found.appointments]
    items += [_case(case) for case in found.cases]
    items += [_follow_up(entry, day) for entry in found.follow_ups]
    room = LINES - 1
    shown = items if len(items) <= room else items[: room - 1]
    lines += [f"  {line}" for line in shown]
    hidden = meetings + found.case_count + due - len(shown)
    if hidden > 0:
        lines.append(f"  ... {hidden} more: smallcrm today")
    sys.stdout.write("".join(printable(line) + "\n" for line in lines))


def _count(number: int, word: str) -> str:
    return f"{number} {word}{'' if number == 1 else 's'}"


def _meeting(occ: Any) -> str:
    a = occ.appointment
    start = clock.local(occ.starts_at)
    hours = "all day" if a.all_day else f"{start:%H:%M}"
    who = formats.with_whom(a.title, a.contact_name or a.account_name)
    return " ".join(p for p in (hours, a.title, who) if p) + f" [appointment {a.id}]"


def _case(case: Any) -> str:
    state = "breached" if case.sla.breached else "at risk"
    who = case.contact_name or case.account_name
    return (
        f"case {case.id} {state}: {case.subject}"
        + (f" ({who})" if who else "")
        + f", {case.sla.text} [case {case.id}]"
    )


def _follow_up(entry: Any, day: Any) -> str:
    late = (day - entry.follow_up_on).days
    due = "due today" if late <= 0 else f"{late} d overdue"
    who = entry.contact_name or entry.account_name
    return (
        f"follow up {entry.kind}: {entry.subject}"
        + (f" ({who})" if who else "")
        + (f", {due} [done: smallcrm done {entry.id}]")
    )
