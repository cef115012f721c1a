"""The calendar's lines: today's list on top, the period's title and the line about the cursor."""

from __future__ import annotations

from datetime import date, timedelta

from textual.content import Content
from textual.widgets.option_list import Option

from smallcrm.store.dates import describe
from smallcrm.store.records import Interaction, Occurrence
from smallcrm.widgets import calendar_model as cal
from smallcrm.widgets.calendar_views import agenda_line, occurrence_key
from smallcrm.widgets.text import assemble


def follow_up_line(item: Interaction, today: date) -> Content:
    """``Follow-up  Call Jana about the quote · Acme  (2 days overdue)``."""
    who = " · ".join(p for p in (item.contact_name, item.account_name) if p)
    late = (today - item.follow_up_on).days if item.follow_up_on else 0
    due = f"  ({late} day{'s' if late != 1 else ''} overdue)" if late > 0 else "  (due today)"
    return assemble(
        ("  Follow-up  ", "bold"),
        item.subject or (item.body or "").split("\n")[0],
        (f" · {who}" if who else "", "italic"),
        (due, "bold" if late > 0 else ""),
    )


def today_options(
    todays: list[Occurrence], due: list[Interaction], today: date
) -> tuple[dict[str, Occurrence | Interaction], list[Option]]:
    """Today's appointments and the follow-ups due as options, and what each option's id is."""
    items: dict[str, Occurrence | Interaction] = {}
    options: list[Option] = []
    for occurrence in todays:
        key = "appt:" + occurrence_key(occurrence, today)
        items[key] = occurrence
        options.append(Option(agenda_line(occurrence), id=key))
    for item in due:
        key = f"follow:{item.id}"
        items[key] = item
        options.append(Option(follow_up_line(item, today), id=key))
    return items, options


def today_title(today: date, appointments: int, follow_ups: int) -> str:
    """``Today, Wed 2026-11-25: 2 appointments, 1 follow-up due``."""
    return (
        f"Today, {describe(today)}: {count(appointments, 'appointment')}, "
        f"{count(follow_ups, 'follow-up')} due"
    )


def period_title(view: str, cursor: date, period: cal.Period) -> str:
    """``Week 48: Mon 2026-11-23 to Sun 2026-11-29``, ``November 2026``, ``Agenda: ...``."""
    last = period.end - timedelta(days=1)
    if view == "week":
        week = cursor.isocalendar().week
        return f"Week {week}: {describe(period.first)} to {describe(last)}"
    if view == "month":
        return cursor.strftime("%B %Y")
    return f"Agenda: {describe(period.first)} to {describe(last)}"


def title_line(view: str, cursor: date, period: cal.Period, found: list[Occurrence]) -> str:
    """The period's title, how many appointments it holds, how many overlap and how many
    times offers hold."""
    overlaps = sum(1 for o in found if o.overlaps)
    held = sum(1 for o in found if o.held_by is not None)
    title = period_title(view, cursor, period)
    title += f"  ·  {count(len(found) - held, 'appointment')}"
    if held:
        title += f", ? {held} held"
    if overlaps:
        title += f", ! {overlaps} overlapping"
    return title


def cursor_line(where: str, items: list[Occurrence]) -> Content:
    """The cursor's slot or day and what is there (the first in full), or that it is free."""
    if not items:
        return assemble((where, "bold"), ": free. n schedules here.")
    first = agenda_line(items[0])
    more = f"  (+{len(items) - 1} more)" if len(items) > 1 else ""
    return assemble((where, "bold"), first, (more, "bold"))


def count(number: int, noun: str) -> str:
    """``1 appointment``, ``3 appointments``."""
    return f"{number} {noun}{'' if number == 1 else 's'}"


CALENDAR_HELP = (
    "## Calendar\n\n"
    "Your appointments, with today's and the follow-ups due (today or overdue) on top. "
    "Repeating appointments show on every day they happen; appointments that overlap "
    "are marked with `!`.\n\n"
    "**Views:** **w** week (hour slots), **m** month, **a** agenda (the next two weeks as a "
    "list). **t** goes to today.\n\n"
    "**Move:** arrows move a day (left/right) and an hour (week) or a week (month); "
    "**[** and **]** (or Page Up/Down) go a whole week, month or fortnight back and on.\n\n"
    "**Schedule:** put the cursor on a day or hour slot and press **n** (or Enter on an "
    "empty slot): the new appointment starts there. Start and duration accept "
    "`fri 14:00`, `tomorrow 3pm`, `1h30`, `15:30`.\n\n"
    "**Open and delete:** **Enter** opens the appointment under the cursor (or in the "
    "month view, the week of that day); **d** deletes it after asking (Ctrl+Z brings it "
    "back); **s** skips just this occurrence of a repeating one.\n\n"
    "**Offer free times:** **o** lists the free slots of the next two weeks by day; Space "
    "picks up to three, **c** holds them and copies the text for the customer. Held "
    "times show with `?` (tentative) until one is booked or the offer lapses.\n\n"
    "**Follow-ups:** Tab moves to the list on top; **c** marks the highlighted follow-up "
    "done and Enter opens it."
)


def held_note(offer_id: int) -> str:
    """What Enter on a tentative hold says: it is not an appointment yet."""
    return (
        f"A time held by offer {offer_id}, not an appointment yet: when the customer "
        f"chooses, smallcrm book {offer_id} NUMBER makes it one."
    )
