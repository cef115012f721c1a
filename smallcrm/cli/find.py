"""``smallcrm search TERM`` and ``smallcrm list KIND``: answers for people and for scripts.

Lists are streamed from the store's ``iter_*`` functions (a page per short read transaction),
so every matching record is printed without holding them all, and the first rows appear at
once. ``--json`` writes one JSON array, also streamed.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from datetime import timedelta
from typing import TYPE_CHECKING, Annotated, Any

import typer

from smallcrm.cli.campaign_commands import list_campaigns
from smallcrm.cli.case_commands import list_cases
from smallcrm.cli.context import err, guarded, lookup, now, state
from smallcrm.cli.quick import DEFAULT_LIMIT, MAX_LIMIT

if TYPE_CHECKING:
    from smallcrm.cli.output import Column
    from smallcrm.store.db import Database

JsonOption = Annotated[
    bool, typer.Option("--json", help="Write one JSON array (stable keys, ISO dates).")
]
LimitOption = Annotated[
    int | None,
    typer.Option("--limit", "-n", min=1, help="At most this many (default: every match)."),
]
OwnerOption = Annotated[str | None, typer.Option(help="Only those of this owner.")]
AccountOption = Annotated[str | None, typer.Option(help="Only those of this account (name/id).")]
ContactOption = Annotated[str | None, typer.Option(help="Only those of this contact (name/id).")]
SinceOption = Annotated[str | None, typer.Option(help="From this day on: 2026-11-01, -30d, som.")]
UntilOption = Annotated[str | None, typer.Option(help="Up to and including this day: today, eom.")]
DescOption = Annotated[
    bool | None,
    typer.Option("--desc/--asc", help="Sort descending or ascending.", show_default=False),
]


def _complete_search_kind(incomplete: str) -> list[str]:
    from smallcrm.store import kinds

    return [word for word in kinds.words() if word.startswith(incomplete)]


# --- search --------------------------------------------------------------------------------------


@guarded
def search(
    ctx: typer.Context,
    terms: Annotated[list[str], typer.Argument(help="Words to find: jan, acme renewal, @acme.")],
    kind: Annotated[
        list[str] | None,
        typer.Option(
            "--kind",
            "-k",
            help="Only this kind: contact, account, deal, appointment, interaction (repeatable).",
            autocompletion=_complete_search_kind,
        ),
    ] = None,
    limit: Annotated[
        int,
        typer.Option("--limit", "-n", min=1, max=MAX_LIMIT, help="At most this many per kind."),
    ] = DEFAULT_LIMIT,
    as_json: JsonOption = False,
) -> None:
    """Find contacts, accounts, deals, appointments and notes: smallcrm search jan"""
    from smallcrm.cli.quick import run_search

    run_search(state(ctx), " ".join(terms), kind or [], limit, as_json)


# --- writing -------------------------------------------------------------------------------------


def _write_json_array(items: Iterable[dict[str, Any]]) -> None:
    from smallcrm.cli.output import write_json_array

    write_json_array(items)


def _write_rows(
    columns: tuple[Column, ...], records: Iterable[Any], to_row: Callable[[Any, bool], list[Any]]
) -> int:
    """Stream records as table rows: rich on a terminal, tab-separated in a pipe."""
    from smallcrm.cli.output import is_terminal, write_table

    terminal = is_terminal(sys.stdout)
    return write_table(columns, (to_row(r, terminal) for r in records), terminal=terminal)


def _emit(
    as_json: bool,
    records: Iterator[Any],
    to_json: Callable[[Any], dict[str, Any]],
    columns: tuple[Column, ...],
    to_row: Callable[[Any, bool], list[Any]],
    empty: str,
) -> None:
    if as_json:
        _write_json_array(to_json(r) for r in records)
        return
    # Peek so an empty list says so instead of printing a lone header.
    first = next(records, None)
    if first is None:
        err(empty)
        return
    _write_rows(columns, _chain(first, records), to_row)


def _chain(first: Any, rest: Iterator[Any]) -> Iterator[Any]:
    yield first
    yield from rest


# --- list ----------------------------------------------------------------------------------------

list_app = typer.Typer(
    help="List contacts, accounts, deals, interactions, appointments or cases.",
    no_args_is_help=True,
)


def _query(
    *,
    limit: int | None,
    sort: str | None,
    desc: bool | None,
    default_desc: bool = False,
    since: str | None = None,
    until: str | None = None,
    **filters: Any,
) -> Any:
    from smallcrm.store.dates import parse_date
    from smallcrm.store.listing import ListQuery

    moment = now()
    return ListQuery(
        limit=limit,
        sort=sort or "",
        descending=default_desc if desc is None else desc,
        since=parse_date(since, moment, field="--since") if since else None,
        until=parse_date(until, moment, field="--until") if until else None,
        **{key: value for key, value in filters.items() if value is not None},
    )


def _ref(db: Database, text: str | None, kind: str, option: str) -> int | None:
    if text is None:
        return None
    return lookup(db, text, (kind,), option=option, how=option + " {ref}").record_id


def _sort_option(choices: str) -> Any:
    return typer.Option(help=f"Sort by {choices}.")


@list_app.command("contacts")
@guarded
def list_contacts(
    ctx: typer.Context,
    owner: OwnerOption = None,
    tag: Annotated[str | None, typer.Option(help="Only those with this tag.")] = None,
    account: AccountOption = None,
    since: Annotated[str | None, typer.Option(help="Changed on or after this day.")] = None,
    until: Annotated[str | None, typer.Option(help="Changed on or before this day.")] = None,
    sort: Annotated[
        str | None, _sort_option("name, first_name, account, city, owner, updated, created")
    ] = None,
    desc: DescOption = None,
    limit: LimitOption = None,
    as_json: JsonOption = False,
    saved: Annotated[
        str | None, typer.Option("--filter", help="Those a saved filter finds (with the rest).")
    ] = None,
) -> None:
    """List contacts (all by default, streamed): smallcrm list contacts --tag vip"""
    from smallcrm.cli import views
    from smallcrm.store.contacts import iter_contacts

    db = state(ctx).db()
    if saved is not None:
        from smallcrm.cli.filters import saved_query

        given = {"tag": tag, "owner": owner, "since": since, "until": until, "account": account}
        query = saved_query(db, saved, given, limit=limit, sort=sort, desc=desc)
        _emit(as_json, iter_contacts(db, query), views.contact_json, views.CONTACT_COLUMNS,
              views.contact_row, "No contacts match.")  # fmt: skip
        return
    query = _query(
        limit=limit,
        sort=sort,
        desc=desc,
        since=since,
        until=until,
        owner=owner,
        tag=tag,
        account_id=_ref(db, account, "account", "--account"),
    )
    _emit(
        as_json,
        iter_contacts(db, query),
        views.contact_json,
        views.CONTACT_COLUMNS,
        views.contact_row,
        "No contacts match.",
    )


@list_app.command("accounts")
@guarded
def list_accounts(
    ctx: typer.Context,
    owner: OwnerOption = None,
    tag: Annotated[str | None, typer.Option(help="Only those with this tag.")] = None,
    industry: Annotated[str | None, typer.Option(help="Only this industry.")] = None,
    since: Annotated[str | None, typer.Option(help="Changed on or after this day.")] = None,
    until: Annotated[str | None, typer.Option(help="Changed on or before this day.")] = None,
    sort: Annotated[
        str | None, _sort_option("name, industry, city, owner, updated, created")
    ] = None,
    desc: DescOption = None,
    limit: LimitOption = None,
    as_json: JsonOption = False,
) -> None:
    """List accounts: smallcrm list accounts --industry Manufacturing"""
    from smallcrm.cli import views
    from smallcrm.store.accounts import iter_accounts

    query = _query(
        limit=limit,
        sort=sort,
        desc=desc,
        since=since,
        until=until,
        owner=owner,
        tag=tag,
        extra={"industry": industry} if industry else None,
    )
    _emit(
        as_json,
        iter_accounts(state(ctx).db(), query),
        views.account_json,
        views.ACCOUNT_COLUMNS,
        views.account_row,
        "No accounts match.",
    )


@list_app.command("deals")
@guarded
def list_deals(
    ctx: typer.Context,
    stage: Annotated[str | None, typer.Option(help="Only this stage: proposal, won...")] = None,
    open_only: Annotated[bool, typer.Option("--open", help="Only deals not won or lost.")] = False,
    quiet: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=3650,
            metavar="DAYS",
            help="Only open deals with nothing logged or changed for DAYS days (as today says).",
        ),
    ] = None,
    owner: OwnerOption = None,
    account: AccountOption = None,
    contact: ContactOption = None,
    since: Annotated[str | None, typer.Option(help="Closing on or after this day.")] = None,
    until: Annotated[str | None, typer.Option(help="Closing on or before this day.")] = None,
    sort: Annotated[
        str | None,
        _sort_option("name, account, stage, amount, probability, close, owner, updated"),
    ] = None,
    desc: DescOption = None,
    limit: LimitOption = None,
    as_json: JsonOption = False,
) -> None:
    """List deals: smallcrm list deals --open --sort amount --desc"""
    from smallcrm.cli import views
    from smallcrm.store.opportunities import iter_opportunities, stages

    db = state(ctx).db()
    if stage is not None:
        from smallcrm.store import validate

        stage = validate.choice("--stage", stage, tuple(s.name for s in stages(db)))
    query = _query(
        limit=limit,
        sort=sort,
        desc=desc,
        since=since,
        until=until,
        stage=stage,
        open_only=open_only or quiet is not None,
        quiet_before=now() - timedelta(days=quiet) if quiet is not None else None,
        owner=owner,
        account_id=_ref(db, account, "account", "--account"),
        contact_id=_ref(db, contact, "contact", "--contact"),
    )
    _emit(
        as_json,
        iter_opportunities(db, query),
        views.opportunity_json,
        views.OPPORTUNITY_COLUMNS,
        views.opportunity_row,
        "No deals match.",
    )


@list_app.command("interactions")
@guarded
def list_interactions(
    ctx: typer.Context,
    kind: Annotated[
        str | None, typer.Option(help="Only calls, emails, meetings, notes or visits.")
    ] = None,
    open_only: Annotated[
        bool, typer.Option("--open", help="Only entries with a follow-up not yet done.")
    ] = False,
    owner: Annotated[str | None, typer.Option(help="Only those logged by this user.")] = None,
    account: AccountOption = None,
    contact: ContactOption = None,
    deal: Annotated[str | None, typer.Option(help="Only those about this deal.")] = None,
    since: Annotated[str | None, typer.Option(help="On or after this day.")] = None,
    until: Annotated[str | None, typer.Option(help="On or before this day.")] = None,
    sort: Annotated[
        str | None, _sort_option("when, kind, subject, contact, account, follow_up")
    ] = None,
    desc: DescOption = None,
    limit: LimitOption = None,
    as_json: JsonOption = False,
) -> None:
    """List calls, emails, meetings, notes and visits, newest first: smallcrm list interactions"""
    from smallcrm.cli import views
    from smallcrm.store import validate
    from smallcrm.store.interactions import iter_interactions

    db = state(ctx).db()
    query = _query(
        limit=limit,
        sort=sort,
        desc=desc,
        default_desc=True,
        since=since,
        until=until,
        kind=validate.choice("--kind", kind, validate.INTERACTION_KINDS) if kind else None,
        open_only=open_only,
        owner=owner,
        account_id=_ref(db, account, "account", "--account"),
        contact_id=_ref(db, contact, "contact", "--contact"),
        opportunity_id=_ref(db, deal, "opportunity", "--deal"),
    )
    _emit(
        as_json,
        iter_interactions(db, query),
        views.interaction_json,
        views.INTERACTION_COLUMNS,
        views.interaction_row,
        "No interactions match.",
    )


@list_app.command("appointments")
@guarded
def list_appointments(
    ctx: typer.Context,
    owner: OwnerOption = None,
    account: AccountOption = None,
    contact: ContactOption = None,
    since: Annotated[str | None, typer.Option(help="Starting on or after this day.")] = None,
    until: Annotated[str | None, typer.Option(help="Starting on or before this day.")] = None,
    sort: Annotated[str | None, _sort_option("start, title, location")] = None,
    desc: DescOption = None,
    limit: LimitOption = None,
    as_json: JsonOption = False,
) -> None:
    """List appointments (a repeating one once): smallcrm list appointments --since today"""
    from smallcrm.cli import views
    from smallcrm.store.appointments import iter_appointments

    db = state(ctx).db()
    query = _query(
        limit=limit,
        sort=sort,
        desc=desc,
        since=since,
        until=until,
        owner=owner,
        account_id=_ref(db, account, "account", "--account"),
        contact_id=_ref(db, contact, "contact", "--contact"),
    )
    _emit(
        as_json,
        iter_appointments(db, query),
        views.appointment_json,
        views.APPOINTMENT_COLUMNS,
        views.appointment_row,
        "No appointments match.",
    )


list_app.command("cases")(list_cases)
list_app.command("campaigns")(list_campaigns)
# The store's word for deals, and singular forms, work too (hidden from --help).
list_app.command("opportunities", hidden=True)(list_deals)
for _name, _command in (
    ("contact", list_contacts),
    ("account", list_accounts),
    ("deal", list_deals),
    ("interaction", list_interactions),
    ("appointment", list_appointments),
    ("case", list_cases),
    ("tickets", list_cases),
    ("campaign", list_campaigns),
):
    list_app.command(_name, hidden=True)(_command)
