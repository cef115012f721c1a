"""The Today screen's lines: the day's title, a section's heading and one row, such as
``overdue  Mon 23  Follow up: Jana Novak · Acme GmbH — Discussed the renewal``."""

from __future__ import annotations

from datetime import date, datetime

from textual.content import Content

from smallcrm.store import today as agenda
from smallcrm.widgets.text import assemble

EMPTY = "Nothing scheduled today, no follow-ups due."
STATUS_WIDTH = 9
WHEN_WIDTH = 8
STANDING_WIDTH = 11  # a case's ``0h40 left``, ``12h30 over``
# How a status reads and looks (without colour too: NO_COLOR, the Linux console).
_STATUS_STYLE = {
    agenda.OVERDUE: "bold",
    agenda.DUE: "bold",
    agenda.NOW: "bold",
    agenda.NEXT: "bold",
    agenda.UPCOMING: "",
    agenda.PAST: "dim",
    agenda.SNOOZED: "italic",
    agenda.DONE: "dim",
    agenda.LATER: "dim",
    agenda.BREACHED: "bold reverse",
    agenda.AT_RISK: "bold",
}
_QUIET = {agenda.PAST, agenda.DONE, agenda.LATER}


def title_line(day: agenda.Day) -> str:
    """``Wed 25 Nov: 2 appointments, 3 follow-ups due (1 overdue)``."""
    appointments, follow_ups, overdue = agenda.counts(day)
    late = f" ({overdue} overdue)" if overdue else ""
    cases = sum(len(s.items) + s.more for s in day.sections if s.key == "cases")
    at_risk = f", {_count(cases, 'case')} at risk" if cases else ""
    return (
        f"{day.day:%a %d %b}: {_count(appointments, 'appointment')}, "
        f"{_count(follow_ups, 'follow-up')} due{late}{at_risk}"
    )


def heading(section: agenda.Section, day: date) -> Content:
    """A section's heading: ``Overdue`` or ``Today, Wed 25 Nov``, and how many rows."""
    title = f"{section.title}, {day:%a %d %b}" if section.key == "today" else section.title
    return assemble((f"{title} · {len(section.items) + section.more}", "bold underline"))


def more_line(section: agenda.Section) -> Content:
    """The rows left out: where to see them all."""
    if section.key == "cases":
        return Content(f"  … and {section.more} more: F8 Cases, b shows the breached ones")
    return Content(f"  … and {section.more} more: F4 Interactions, o shows open follow-ups")


def item_line(item: agenda.Item, day: date, now: datetime) -> Content:
    """One row: status, when, and what (``Follow up: who — subject`` or ``title — who``)."""
    style = _STATUS_STYLE.get(item.status, "")
    status = item.status
    quiet = "dim" if item.status in _QUIET else ""
    if item.is_follow_up:
        what = "Follow up: " + (f"{item.who} — {item.title}" if item.who else item.title)
    elif item.kind == "service_case":  # its time left or over stays in sight at 80 columns
        what = f"#{item.record_id} {item.title}" + (f" — {item.who}" if item.who else "")
    else:
        what = item.title + (f" — {item.who}" if item.who else "")
        what += f" @ {item.location}" if item.location else ""
    when = _when(item, day)
    width = STANDING_WIDTH if item.kind == "service_case" else WHEN_WIDTH
    parts: list[Content | str | tuple[str, str]] = [
        (f"{status:<{STATUS_WIDTH}}", style),
        (f"{when:<{width}}" + (" " if len(when) >= width else ""), quiet),
        (what, quiet),
    ]
    if item.snoozed_until is not None:
        until = item.snoozed_until
        at = f"{until:%H:%M}" if until.date() == now.date() else f"{until:%a %H:%M}"
        parts.append((f"  (until {at})", "italic"))
    return assemble(*parts)


def _when(item: agenda.Item, day: date) -> str:
    if item.kind == "service_case":
        return item.standing
    if item.is_follow_up:
        return "today" if item.day >= day else f"{item.day:%a %d}"
    if item.all_day or item.starts_at is None:
        return "all day"
    return f"{item.starts_at:%H:%M}"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
