"""``smallcrm today`` (short enough for an SSH login) and ``smallcrm done ID``."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from smallcrm.cli.context import CliError, guarded, now, state
from smallcrm.store import clock, formats
from smallcrm.store.validate import MAX_ID

SHOWN = 8  # per section; the rest is counted with the command that lists it all
CAP = 500  # at most this many are counted per section ("500+")


@guarded
def today(
    ctx: typer.Context,
    days: Annotated[
        int, typer.Option(min=1, max=3650, help="A deal is stale after this many quiet days.")
    ] = 30,
    as_json: Annotated[bool, typer.Option("--json", help="Write it as one JSON object.")] = False,
    brief: Annotated[
        bool, typer.Option("--brief", help="Just yours, in at most 10 lines (for ~/.profile).")
    ] = False,
) -> None:
    """Today's appointments, follow-ups due or overdue, deals gone quiet, and cases breached or
    at risk."""
    if brief:
        from smallcrm.cli.brief import write_brief

        write_brief(state(ctx).db(), now())
        return
    from smallcrm.store.appointments import day_bounds, occurrences
    from smallcrm.store.case_lists import needing_attention
    from smallcrm.store.interactions import follow_ups_due
    from smallcrm.store.opportunities import stale_opportunities

    db = state(ctx).db()
    moment = now()
    start, end = day_bounds(moment.date())
    agenda = occurrences(db, start, end)
    due = follow_ups_due(db, moment.date(), limit=CAP)
    stale = stale_opportunities(db, moment, days=days, limit=CAP)
    attention = needing_attention(db, limit=CAP)
    if as_json:
        _write_json(moment, agenda, due, stale, days, attention)
    else:
        _write_text(moment, agenda, due, stale, days)
        _write_cases(attention)


def _write_json(
    moment: Any, agenda: list[Any], due: list[Any], stale: list[Any], days: int, cases: list[Any]
) -> None:
    from smallcrm.cli import views
    from smallcrm.cli.case_views import case_json
    from smallcrm.cli.output import write_json

    write_json(
        {
            "date": moment.date().isoformat(),
            "appointments": [views.occurrence_json(o) for o in agenda],
            "follow_ups": [views.interaction_json(i) for i in due],
            "stale_deals": [views.opportunity_json(d) for d in stale],
            "stale_after_days": days,
            "cases": [case_json(c) for c in cases],
        }
    )


def _write_text(
    moment: Any, agenda: list[Any], due: list[Any], stale: list[Any], days: int
) -> None:
    out = sys.stdout.write
    out(f"Today, {formats.when(moment.date())}\n")
    if not (agenda or due or stale):
        out("Nothing scheduled, nothing due, no quiet deals.\n")
    if agenda:
        out(f"Appointments ({len(agenda)}):\n")
        for occ in agenda[:SHOWN]:
            out(f"  {_occurrence(occ)}\n")
        _more(agenda, "smallcrm list appointments --since today --until today")
    if due:
        overdue = sum(1 for i in due if i.follow_up_on < moment.date())
        note = f", {_count(overdue, due)} overdue" if overdue else ""
        out(f"Follow-ups due ({_count(len(due), due)}{note}):\n")
        for entry in due[:SHOWN]:
            out(f"  {_follow_up(entry, moment)}\n")
        _more(due, "smallcrm list interactions --open --sort follow_up --asc")
        out("  Mark one done with: smallcrm done ID\n")
    if stale:
        out(f"Deals with no activity for {days} days ({_count(len(stale), stale)}):\n")
        for deal in stale[:SHOWN]:
            out(f"  {_stale(deal)}\n")
        _more(stale, f"smallcrm list deals --quiet {days}")


def _write_cases(cases: list[Any]) -> None:
    """Open cases past a target or with less than a quarter of it left, most urgent first."""
    if not cases:
        return
    from smallcrm.cli.view_basics import who

    breached = sum(1 for c in cases if c.sla.breached)
    sys.stdout.write(
        f"Cases breached or at risk ({_count(len(cases), cases)}, {breached} breached):\n"
    )
    for c in cases[:SHOWN]:
        people = who(c.contact_name, c.account_name)
        sys.stdout.write(
            f"  {c.id}: {c.subject} ({people}), {c.priority}, {c.sla.target} {c.sla.text}\n"
        )
    _more(cases, "smallcrm list cases --at-risk")


def _count(number: int, items: list[Any]) -> str:
    """A count, with "+" when the section was cut at CAP (there may be more)."""
    return f"{number}+" if len(items) >= CAP else str(number)


def _more(items: list[Any], command: str) -> None:
    if len(items) > SHOWN:
        sys.stdout.write(f"  ... {_count(len(items) - SHOWN, items)} more: {command}\n")


def _occurrence(occ: Any) -> str:
    from smallcrm.cli import views

    a = occ.appointment
    start, end = clock.local(occ.starts_at), clock.local(occ.ends_at) if occ.ends_at else None
    hours = "all day" if a.all_day else f"{start:%H:%M}" + (f"-{end:%H:%M}" if end else "")
    people = views.who(a.contact_name, a.account_name)
    parts = [f"{hours}  {a.title}", f"with {people}" if people else "", a.location or ""]
    text = "; ".join(p for p in parts if p)
    return text + (" (overlaps)" if occ.overlaps else "") + f"  [appointment {a.id}]"


def _follow_up(entry: Any, moment: Any) -> str:
    from smallcrm.cli import views

    late = (moment.date() - entry.follow_up_on).days
    due = "today" if late == 0 else f"{late} day{'s' if late > 1 else ''} overdue"
    people = views.who(entry.contact_name, entry.account_name)
    return f"{entry.id}: {people}: {entry.subject} ({entry.kind}, {due})"


def _stale(deal: Any) -> str:
    last = deal.last_activity_at or deal.tracking.updated_at
    return (
        f"{deal.id}: {deal.name} ({deal.account_name or 'no account'}), {deal.stage}, "
        f"{formats.money(deal.amount, deal.currency)}; last activity {formats.when(last)}"
    )


@guarded
def done(
    ctx: typer.Context,
    entry_id: Annotated[
        int, typer.Argument(metavar="ID", min=1, max=MAX_ID, help="The interaction's id.")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the entry as JSON.")] = False,
) -> None:
    """Mark a follow-up done: smallcrm done 33 (ids are listed by smallcrm today)."""
    from smallcrm.cli import views
    from smallcrm.store.interactions import complete_follow_up, get_interaction

    db = state(ctx).db()
    entry = get_interaction(db, entry_id)
    if entry.follow_up_on is None:
        raise CliError(f"ID: {entry.kind} {entry.id} has no follow-up to mark done")
    if entry.follow_up_done:
        print(f"Already done: {views.interaction_line(entry)}")
        return
    entry = complete_follow_up(db, entry_id)
    if as_json:
        from smallcrm.cli.output import write_json

        write_json(views.interaction_json(entry))
    else:
        print(f"Done: {views.interaction_line(entry)}")
