"""The shell's commands for customer service cases: ``add case``, ``show case``, ``list cases``,
``case 12 waiting|open|resolve|close|reopen`` and ``report cases``.

``add``, ``show`` and ``list`` register these under their own groups; ``case`` and ``report``
are commands of their own. The rules (clocks, statuses) are the store's (``store/cases.py``).
"""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from smallcrm.cli.context import CliError, guarded, lookup, now, state

JsonOption = Annotated[bool, typer.Option("--json", help="Write it as JSON.")]
PRIORITY_HELP = "low, normal, high or urgent."


@guarded
def add_case(
    ctx: typer.Context,
    subject: Annotated[list[str], typer.Argument(help='What it is about: "Sensor offline".')],
    contact: Annotated[str | None, typer.Option(help="Who asked: a contact, name or id.")] = None,
    account: Annotated[str | None, typer.Option(help="Their company: name or id.")] = None,
    priority: Annotated[str | None, typer.Option(help=PRIORITY_HELP + " (normal)")] = None,
    case_type: Annotated[
        str | None, typer.Option("--type", help="question, incident or problem (question).")
    ] = None,
    channel: Annotated[
        str | None, typer.Option(help="How it came in: phone, email, visit or web (phone).")
    ] = None,
    owner: Annotated[str | None, typer.Option(help="Who handles it (a user name).")] = None,
    description: Annotated[str | None, typer.Option(help="What the customer said.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the new case as JSON.")] = False,
) -> None:
    """Open a case: smallcrm add case "Sensor offline" --contact jana --priority high"""
    from smallcrm.store.cases import create_case

    text = " ".join(" ".join(subject).split())
    if not text:
        raise CliError('SUBJECT: say what the case is about, e.g. add case "Sensor offline"')
    if contact is None and account is None:
        raise CliError("--contact or --account: a case needs the customer it is for")
    db = state(ctx).db()
    values: dict[str, Any] = {"subject": text}
    if contact is not None:
        hit = lookup(db, contact, ("contact",), option="--contact", how="--contact {ref}")
        values["contact_id"] = hit.record_id
    if account is not None:
        hit = lookup(db, account, ("account",), option="--account", how="--account {ref}")
        values["account_id"] = hit.record_id
    for key, value in (
        ("priority", priority),
        ("case_type", case_type),
        ("channel", channel),
        ("owner", owner),
        ("description", description),
    ):
        if value is not None:
            values[key] = value
    _print(create_case(db, **values), as_json, "Opened")


def _print(case: Any, as_json: bool, verb: str) -> None:
    from smallcrm.cli import case_views

    if as_json:
        from smallcrm.cli.output import write_json

        write_json(case_views.case_json(case))
    else:
        print(f"{verb} {case_views.case_line(case)}")


def case_number(db: Any, ref: str, option: str = "CASE") -> int:
    """The case ``ref`` names: its number (``12``, ``#12``) or words of its subject."""
    return lookup(db, ref, ("service_case",), option=option, how=f"{option} {{ref}}").record_id


@guarded
def show_case(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(help="Its number, or words of its subject.")],
    as_json: JsonOption = False,
) -> None:
    """Show a case with its interactions: smallcrm show case 12"""
    from smallcrm.cli import case_views, views
    from smallcrm.cli.output import is_terminal, write_fields, write_heading, write_table
    from smallcrm.store import formats
    from smallcrm.store.cases import get_case
    from smallcrm.store.interactions import timeline

    db = state(ctx).db()
    c = get_case(db, case_number(db, ref, "REF"))
    entries = timeline(db, case_id=c.id, limit=50)
    if as_json:
        from smallcrm.cli.output import write_json

        data = case_views.case_json(c)
        data["interactions"] = [views.interaction_json(i) for i in entries]
        write_json(data)
        return
    t = c.tracking
    write_fields(
        f"Case {c.id}: {c.subject}",
        [
            ("Status", case_views.status_text(c)),
            ("Priority", c.priority),
            ("SLA", f"{c.sla.target}: {c.sla.text}" + (" (at risk)" if c.sla.at_risk else "")),
            ("Type", c.case_type),
            ("Channel", c.channel),
            ("Contact", f"{c.contact_name} (contact {c.contact_id})" if c.contact_id else None),
            ("Account", f"{c.account_name} (account {c.account_id})" if c.account_id else None),
            ("Owner", c.owner),
            ("First response", formats.when(c.first_response_at)),
            ("Resolved", formats.when(c.resolved_at)),
            ("Description", c.description),
            ("Changed", f"{formats.when(t.updated_at)} by {t.updated_by} (version {t.version})"),
        ],
    )
    pretty = is_terminal(sys.stdout)
    write_heading("Interactions" if entries else "Interactions: none logged on it yet")
    if entries:
        rows = [views.interaction_row(i, pretty) for i in entries]
        write_table(views.INTERACTION_COLUMNS, rows, terminal=pretty)


@guarded
def list_cases(
    ctx: typer.Context,
    status: Annotated[
        list[str] | None, typer.Option(help="new, open, waiting, resolved or closed (repeat).")
    ] = None,
    priority: Annotated[
        str | None, typer.Option(help="Only this priority: " + PRIORITY_HELP)
    ] = None,
    breached: Annotated[bool, typer.Option("--breached", help="Open ones past a target.")] = False,
    at_risk: Annotated[
        bool, typer.Option("--at-risk", help="Open ones with under a quarter of a target left.")
    ] = False,
    open_only: Annotated[bool, typer.Option("--open", help="Only open ones.")] = False,
    owner: Annotated[str | None, typer.Option(help="Only those of this owner.")] = None,
    contact: Annotated[str | None, typer.Option(help="Only this contact's (name/id).")] = None,
    account: Annotated[str | None, typer.Option(help="Only this account's (name/id).")] = None,
    limit: Annotated[int | None, typer.Option(min=1, help="At most this many.")] = None,
    as_json: JsonOption = False,
) -> None:
    """List cases, open ones first, the soonest due first: smallcrm list cases --breached"""
    from smallcrm.cli import case_views
    from smallcrm.cli.output import is_terminal, write_json_array, write_table
    from smallcrm.store.case_lists import iter_cases
    from smallcrm.store.listing import ListQuery

    db = state(ctx).db()
    extra = {"status": status, "priority": priority, "breached": breached}
    extra.update(at_risk=at_risk, open=open_only)
    query = ListQuery(
        limit=limit,
        owner=owner,
        contact_id=case_ref(db, contact, "contact"),
        account_id=case_ref(db, account, "account"),
        extra={key: value for key, value in extra.items() if value},
    )
    found = iter_cases(db, query)
    if as_json:
        write_json_array(case_views.case_json(c) for c in found)
        return
    first = next(found, None)
    if first is None:
        from smallcrm.cli.context import err

        err("No cases match.")
        return
    pretty = is_terminal(sys.stdout)
    rows = (case_views.case_row(c, pretty) for c in _chain(first, found))
    write_table(case_views.CASE_COLUMNS, rows, terminal=pretty)


def _chain(first: Any, rest: Any) -> Any:
    yield first
    yield from rest


def case_ref(db: Any, text: str | None, kind: str) -> int | None:
    """The id of the contact or account an option names (None when not given)."""
    if text is None:
        return None
    return lookup(db, text, (kind,), option=f"--{kind}", how=f"--{kind} {{ref}}").record_id


ACTIONS_HELP = "waiting (on the customer), open, resolve, close (with --reason) or reopen."


@guarded
def case_command(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(metavar="CASE", help="The case's number.")],
    action: Annotated[str | None, typer.Argument(help=ACTIONS_HELP + " None: show it.")] = None,
    reason: Annotated[
        str | None, typer.Option(help="Why it is closed: done, rejected or duplicate.")
    ] = None,
    if_version: Annotated[
        int | None, typer.Option("--if-version", help="Only if it is still at this version.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Move a case: smallcrm case 12 waiting | open | resolve | close --reason done | reopen"""
    from smallcrm.store.cases import change_status

    if action is None:  # ``smallcrm case 12`` shows it, as ``show case 12`` does
        show_case(ctx, ref, as_json)
        return
    db = state(ctx).db()
    number = case_number(db, ref)
    if action.strip().lower() == "close" and reason is None:
        raise CliError("--reason: closing a case needs a reason: done, rejected or duplicate")
    changed = change_status(
        db, number, action.replace("-", "").strip(), reason=reason, expected_version=if_version
    )
    _print(changed, as_json, "Case now")


def report_when(text: str) -> Any:
    """``90d``, ``12w``, ``6m`` or a date: the start of the report's period."""
    import re
    from datetime import timedelta

    from smallcrm.store import clock
    from smallcrm.store.dates import parse_date

    match = re.fullmatch(r"\s*(\d{1,4})\s*([dwm])\s*", text.lower())
    if match:
        days = int(match[1]) * {"d": 1, "w": 7, "m": 30}[match[2]]
        return clock.now_utc() - timedelta(days=days)
    return clock.at(parse_date(text, now(), field="--since"))
