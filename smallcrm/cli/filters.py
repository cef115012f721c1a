"""``smallcrm filter``: saved contact filters (``save``, ``list``, ``show``, ``delete``).

A saved filter names a set of the contact list's criteria; ``smallcrm list contacts --filter``
and ``smallcrm campaign add-members --filter`` evaluate it afresh each time. The rules are the
store's (``store/saved_filters.py``).
"""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from smallcrm.cli.context import guarded, lookup, now, state

app = typer.Typer(
    help="Saved contact filters: smallcrm filter save customers --tag customer --consent email",
    no_args_is_help=True,
)
NameArg = Annotated[str, typer.Argument(metavar="NAME", help="The filter's name (any case).")]
JsonOption = Annotated[bool, typer.Option("--json", help="Write it as JSON.")]


@app.command("save")
@guarded
def save(
    ctx: typer.Context,
    name: NameArg,
    tag: Annotated[str | None, typer.Option(help="Contacts with this tag.")] = None,
    account: Annotated[str | None, typer.Option(help="Contacts of this account (name/id).")] = None,
    owner: Annotated[str | None, typer.Option(help="Contacts of this owner.")] = None,
    search: Annotated[str | None, typer.Option(help="Contacts a search finds (when used).")] = None,
    lifecycle: Annotated[
        str | None, typer.Option(help="lead, prospect, customer or former customer.")
    ] = None,
    consent: Annotated[
        list[str] | None, typer.Option(help="Who agreed to this channel: email or phone.")
    ] = None,
    refused: Annotated[
        list[str] | None, typer.Option(help="Who refused this channel: email or phone.")
    ] = None,
    missing: Annotated[str | None, typer.Option(help="Who has no email (or phone).")] = None,
    quiet_days: Annotated[
        int | None, typer.Option(help="Nothing logged with them for this many days.")
    ] = None,
    shared_email: Annotated[
        bool, typer.Option("--shared-email", help="Whose email another contact has too.")
    ] = False,
    since: Annotated[str | None, typer.Option(help="Changed on or after this day.")] = None,
    until: Annotated[str | None, typer.Option(help="Changed on or before this day.")] = None,
    replace: Annotated[
        bool, typer.Option("--replace", help="Save over a filter of that name.")
    ] = False,
) -> None:
    """Save contact criteria under a name: smallcrm filter save customers --tag customer"""
    from smallcrm.store import consent as consents
    from smallcrm.store import saved_filters
    from smallcrm.store import validate as v
    from smallcrm.store.dates import parse_date

    db = state(ctx).db()
    criteria: dict[str, Any] = {
        "tag": tag, "owner": owner, "search": search, "lifecycle": lifecycle,
        "missing": missing, "quiet_days": quiet_days, "shared_email": shared_email or None,
    }  # fmt: skip
    if account is not None:
        hit = lookup(db, account, ("account",), option="--account", how="--account {ref}")
        criteria["account_id"] = hit.record_id
    for words, agreed in ((consent or [], True), (refused or [], False)):
        for word in words:
            channel = v.choice("consent" if agreed else "refused", word, consents.CHANNELS)
            criteria[f"{channel}_opt_in"] = agreed
    moment = now()
    for key, text in (("since", since), ("until", until)):
        if text:
            criteria[key] = parse_date(text, moment, field=f"--{key}").isoformat()
    saved = saved_filters.save_filter(db, name, criteria, replace_existing=replace)
    verb = "Saved" if saved.version == 1 else f"Replaced (version {saved.version})"
    print(f"{verb} filter {saved.name!r}: {_described(db, saved.criteria)}.")


def _described(db: Any, criteria: dict[str, Any]) -> str:
    from smallcrm.store import saved_filters

    account_name = None
    if criteria.get("account_id") is not None:
        with db.read() as tx:
            account_name = tx.scalar(
                "SELECT name FROM account WHERE id = :id", id=criteria["account_id"]
            )
    return saved_filters.describe(criteria, account_name)


def _json(db: Any, saved: Any, matches: int | None = None) -> dict[str, Any]:
    out = {
        "name": saved.name,
        "criteria": saved.criteria,
        "described": _described(db, saved.criteria),
        "owner": saved.owner,
        "version": saved.version,
        "created_at": saved.created_at.isoformat(),
        "updated_at": saved.updated_at.isoformat(),
    }
    if matches is not None:
        out["matches"] = matches
    return out


@app.command("list")
@guarded
def list_filters(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """List the saved filters: smallcrm filter list"""
    from smallcrm.cli.output import Column, is_terminal, write_json, write_table
    from smallcrm.store import formats as fmt
    from smallcrm.store import saved_filters

    db = state(ctx).db()
    found = saved_filters.list_filters(db)
    if as_json:
        write_json([_json(db, f) for f in found])
        return
    if not found:
        print("No saved filters yet: smallcrm filter save NAME --tag customer", file=sys.stderr)
        return
    columns = (Column("Name", 24), Column("Criteria", 60), Column("Owner", 12), Column("Saved"))
    rows = [
        [f.name, _described(db, f.criteria), f.owner or "", fmt.short_day(f.updated_at)]
        for f in found
    ]
    write_table(columns, rows, terminal=is_terminal(sys.stdout))


@app.command("show")
@guarded
def show(ctx: typer.Context, name: NameArg, as_json: JsonOption = False) -> None:
    """Show a saved filter and how many contacts it finds now: smallcrm filter show customers"""
    from smallcrm.cli.output import write_fields, write_json
    from smallcrm.store import contacts, saved_filters
    from smallcrm.store import formats as fmt
    from smallcrm.store.listing import ListQuery

    db = state(ctx).db()
    saved = saved_filters.get_filter(db, name)
    query = saved_filters.to_query(db, saved.criteria, ListQuery(limit=1))
    matches = contacts.list_contacts(db, query).total
    if as_json:
        write_json(_json(db, saved, matches))
        return
    write_fields(
        f"Filter {saved.name}",
        [
            ("Criteria", _described(db, saved.criteria)),
            ("Finds now", f"{matches:,} contact{'s' if matches != 1 else ''}"),
            ("Owner", saved.owner),
            ("Version", str(saved.version)),
            ("Saved", fmt.short_day(saved.created_at)),
            ("Changed", fmt.short_day(saved.updated_at)),
        ],
    )


@app.command("delete")
@guarded
def delete(ctx: typer.Context, name: NameArg) -> None:
    """Delete a saved filter (the contacts stay): smallcrm filter delete customers"""
    from smallcrm.store import saved_filters

    gone = saved_filters.delete_filter(state(ctx).db(), name)
    print(f"Deleted filter {gone.name!r}.")


def saved_query(
    db: Any, name: str, given: dict[str, str | None], *, limit: int | None, sort: str | None,
    desc: bool | None,
) -> Any:  # fmt: skip
    """The contact list's query for a saved filter; an option given as well must agree with
    the filter's own criterion (the list filters on one tag, owner, account and date range)."""
    from dataclasses import replace

    from smallcrm.cli.context import CliError
    from smallcrm.store import saved_filters
    from smallcrm.store.listing import ListQuery

    saved = saved_filters.get_filter(db, name)
    query = saved_filters.to_query(
        db, saved.criteria, ListQuery(limit=limit, sort=sort or "", descending=bool(desc))
    )
    changes: dict[str, Any] = {}
    for option, text in given.items():
        if text is None:
            continue
        key = {"account": "account_id"}.get(option, option)
        if option == "account":
            value: Any = lookup(db, text, ("account",), option="--account", how="{ref}").record_id
        elif option in ("since", "until"):
            from smallcrm.store.dates import parse_date

            value = parse_date(text, now(), field=f"--{option}")
        else:
            value = text
        mine = getattr(query, key)
        if mine is not None and mine != value:
            kept = _described(db, {key: mine})
            raise CliError(f"--{option}: the filter {saved.name!r} already keeps {kept}")
        changes[key] = value
    return replace(query, **changes)
