"""The shell's commands for marketing campaigns: ``add campaign``, ``show campaign``, ``list
campaigns``, ``report campaigns`` and the ``campaign`` group (``add-members``, ``members``,
``export``, ``responses``).

``add``, ``show``, ``list`` and ``report`` register these under their own groups. The rules
(consent, statuses, attribution) are the store's (``store/campaign_*.py``).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from smallcrm.cli.context import CliError, err, guarded, lookup, state
from smallcrm.cli.streams import is_stdout, output_stream

app = typer.Typer(
    help="A campaign's audience, its mail-merge file and the responses: smallcrm campaign "
    "add-members SPRING26 --tag customer",
    no_args_is_help=True,
)
JsonOption = Annotated[bool, typer.Option("--json", help="Write it as JSON.")]
CampaignArg = Annotated[str, typer.Argument(metavar="CAMPAIGN", help="Its code (or id).")]
CHANNEL_HELP = "email, newsletter, phone, sms, mail, web, event, social or ads (email)."


@guarded
def add_campaign(
    ctx: typer.Context,
    name: Annotated[list[str], typer.Argument(help='Its name: "Spring offer 2026".')],
    code: Annotated[
        str | None, typer.Option(help="A short code people type: SPRING26 (made from the name).")
    ] = None,
    channel: Annotated[str | None, typer.Option(help=CHANNEL_HELP)] = None,
    status: Annotated[
        str | None, typer.Option(help="planning, active, inactive or complete (planning).")
    ] = None,
    start: Annotated[str | None, typer.Option(help="First day: 2026-03-01.")] = None,
    end: Annotated[str | None, typer.Option(help="Last day: 2026-04-30.")] = None,
    budget: Annotated[str | None, typer.Option(help="Planned spend: 500, 1.5k.")] = None,
    cost: Annotated[str | None, typer.Option(help="What was actually spent (for ROI).")] = None,
    owner: Annotated[str | None, typer.Option(help="Who runs it (a user name).")] = None,
    notes: Annotated[str | None, typer.Option(help="Free-text notes.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print it as JSON.")] = False,
) -> None:
    """Add a campaign: smallcrm add campaign "Spring offer 2026" --code SPRING26 --channel email"""
    from smallcrm.store.campaigns import create_campaign

    text = " ".join(" ".join(name).split())
    if not text:
        raise CliError('NAME: say what the campaign is called, e.g. "Spring offer 2026"')
    given = {
        "code": code, "channel": channel, "status": status, "starts_on": start, "ends_on": end,
        "budget_cents": budget, "cost_cents": cost, "owner": owner, "notes": notes,
    }  # fmt: skip
    values = {key: value for key, value in given.items() if value is not None}
    _print(create_campaign(state(ctx).db(), name=text, **values), as_json, "Added")


def _print(campaign: Any, as_json: bool, verb: str) -> None:
    from smallcrm.cli import campaign_views

    if as_json:
        from smallcrm.cli.output import write_json

        write_json(campaign_views.campaign_json(campaign))
    else:
        print(f"{verb} {campaign_views.campaign_line(campaign)}")


def campaign_id(db: Any, ref: str) -> int:
    """The campaign a code, an id or words of its name mean."""
    from smallcrm.store.campaigns import find_campaign
    from smallcrm.store.errors import NotFoundError

    try:
        return find_campaign(db, ref).id
    except NotFoundError as exc:
        try:
            return lookup(db, ref, ("campaign",), option="CAMPAIGN", how="{ref}").record_id
        except CliError:
            raise CliError(f"CAMPAIGN: {exc}") from None


def campaign_label(db: Any, campaign_id: int | None) -> str | None:
    """``Spring offer 2026 (SPRING26)`` for a record's campaign (None without one)."""
    if campaign_id is None:
        return None
    from smallcrm.store.campaigns import label

    return label(db, campaign_id)


@guarded
def show_campaign(ctx: typer.Context, ref: CampaignArg, as_json: JsonOption = False) -> None:
    """Show a campaign with its figures: smallcrm show campaign SPRING26"""
    from smallcrm.cli import campaign_views
    from smallcrm.cli.output import write_fields
    from smallcrm.store import formats
    from smallcrm.store.campaign_figures import campaign_figures, percent

    db = state(ctx).db()
    figures = campaign_figures(db, campaign_id(db, ref))[0]
    c = figures.campaign
    if as_json:
        from smallcrm.cli.output import write_json

        write_json({**campaign_views.campaign_json(c), **campaign_views.figures_json(figures)})
        return
    money = lambda value: formats.money(value) if value is not None else None  # noqa: E731
    write_fields(
        f"Campaign {c.code}: {c.name}",
        [
            ("Channel", c.channel),
            ("Status", c.status),
            ("Runs", f"{formats.day(c.starts_on)} to {formats.day(c.ends_on)}"),
            ("Budget", money(c.budget)),
            ("Actual cost", money(c.cost)),
            ("Owner", c.owner),
            ("Members", f"{figures.members} ({figures.sent} sent, {figures.bounced} bounced, "
             f"{figures.opted_out} opted out)"),
            ("Responses", f"{figures.responses} ({percent(figures.response_rate)})"),
            ("Leads", figures.leads),
            ("Deals", f"{figures.deals_opened} opened, {figures.deals_won} won, "
             f"{formats.money(figures.revenue)} revenue"),
            ("Cost per lead", money(figures.cost_per_lead)),
            ("Cost per won deal", money(figures.cost_per_won)),
            ("ROI", percent(figures.roi)),
            ("Notes", c.notes),
            ("Changed", f"{formats.when(c.tracking.updated_at)} by {c.tracking.updated_by} "
             f"(version {c.tracking.version})"),
        ],
    )  # fmt: skip


@guarded
def list_campaigns(
    ctx: typer.Context,
    status: Annotated[
        str | None, typer.Option(help="planning, active, inactive or complete.")
    ] = None,
    channel: Annotated[str | None, typer.Option(help="Only this channel.")] = None,
    owner: Annotated[str | None, typer.Option(help="Only those of this owner.")] = None,
    limit: Annotated[int | None, typer.Option(min=1, help="At most this many.")] = None,
    as_json: JsonOption = False,
) -> None:
    """List campaigns, the latest start first: smallcrm list campaigns --status active"""
    from smallcrm.cli import campaign_views
    from smallcrm.cli.output import is_terminal, write_json_array, write_table
    from smallcrm.store.campaigns import iter_campaigns
    from smallcrm.store.listing import ListQuery

    extra = {key: value for key, value in (("status", status), ("channel", channel)) if value}
    found = list(iter_campaigns(state(ctx).db(), ListQuery(limit=limit, owner=owner, extra=extra)))
    if as_json:
        write_json_array(campaign_views.campaign_json(c) for c in found)
        return
    if not found:
        err("No campaigns match.")
        return
    pretty = is_terminal(sys.stdout)
    rows = [campaign_views.campaign_row(c, pretty) for c in found]
    write_table(campaign_views.CAMPAIGN_COLUMNS, rows, terminal=pretty)


@guarded
def report_campaigns(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """What each campaign brought (single-touch): smallcrm report campaigns --json"""
    from smallcrm.cli import campaign_views
    from smallcrm.cli.output import is_terminal, write_json, write_table
    from smallcrm.store.campaign_figures import campaign_figures

    found = campaign_figures(state(ctx).db())
    if as_json:
        write_json({"attribution": "single-touch", "campaigns": [
            campaign_views.figures_json(f) for f in found
        ]})  # fmt: skip
        return
    if not found:
        err("No campaigns yet: smallcrm add campaign NAME --code CODE --channel email")
        return
    pretty = is_terminal(sys.stdout)
    rows = [campaign_views.figures_row(f) for f in found]
    write_table(campaign_views.FIGURE_COLUMNS, rows, terminal=pretty)


@app.command("add-members")
@guarded
def add_members(
    ctx: typer.Context,
    ref: CampaignArg,
    tag: Annotated[str | None, typer.Option(help="Contacts with this tag.")] = None,
    account: Annotated[str | None, typer.Option(help="Contacts of this account.")] = None,
    owner: Annotated[str | None, typer.Option(help="Contacts of this owner.")] = None,
    search: Annotated[str | None, typer.Option(help="Contacts a search finds.")] = None,
    consent: Annotated[
        list[str] | None,
        typer.Option(help="Consent they must have beyond the channel's: email or phone."),
    ] = None,
    saved: Annotated[
        str | None,
        typer.Option("--filter", help="Contacts a saved filter finds now (smallcrm filter list)."),
    ] = None,
) -> None:
    """Add contacts to the audience; those without the consent it needs are left out:
    smallcrm campaign add-members SPRING26 --tag customer --consent email"""
    from smallcrm.store.campaign_audience import Selection
    from smallcrm.store.campaign_audience import add_members as add

    db = state(ctx).db()
    account_id = None
    if account is not None:
        hit = lookup(db, account, ("account",), option="--account", how="--account {ref}")
        account_id = hit.record_id
    chosen = Selection(tag, account_id, owner, search, tuple(consent or ()), saved)
    done = add(db, campaign_id(db, ref), chosen)
    needs = f" (members need {' and '.join(done.needed)} consent)" if done.needed else ""
    print(f"Added {done.added} to {done.campaign.code}{needs}.")
    if done.left_out:
        print(f"Left out {done.left_out_total}: {done.reasons()}.")


@app.command("members")
@guarded
def members(
    ctx: typer.Context,
    ref: CampaignArg,
    status: Annotated[str | None, typer.Option(help="Only members with this status.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="At most this many.")] = 50,
    as_json: JsonOption = False,
) -> None:
    """List a campaign's members: smallcrm campaign members SPRING26 --status responded"""
    from smallcrm.cli import campaign_views
    from smallcrm.cli.output import is_terminal, write_json, write_table
    from smallcrm.store.campaign_audience import list_members

    db = state(ctx).db()
    page = list_members(db, campaign_id(db, ref), status=status, limit=limit)
    if as_json:
        write_json({"total": page.total, "members": [
            {"contact_id": m.contact_id, "name": m.name, "email": m.email, "status": m.status,
             "email_opt_in": m.email_opt_in, "phone_opt_in": m.phone_opt_in}
            for m in page.items
        ]})  # fmt: skip
        return
    if not page.items:
        err("No members match.")
        return
    pretty = is_terminal(sys.stdout)
    rows = [campaign_views.member_row(m) for m in page.items]
    write_table(campaign_views.MEMBER_COLUMNS, rows, terminal=pretty)
    if page.total > len(page.items):
        err(f"{len(page.items)} of {page.total} shown; --limit shows more.")


@app.command("export")
@guarded
def export(
    ctx: typer.Context,
    ref: CampaignArg,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="File to write (default: stdout).")
    ] = None,
    file_format: Annotated[
        str, typer.Option("--format", help="csv (mail merge) or vcard.")
    ] = "csv",
) -> None:
    """Write the audience for the tool that sends, with consent and opt-out state:
    smallcrm campaign export SPRING26 -o spring.csv"""
    from smallcrm.store.campaign_export import export_audience

    db = state(ctx).db()
    chosen = campaign_id(db, ref)
    word = file_format.strip().lower().replace("vcf", "vcard")
    # The export's one rule for files: never over the database, its companions or backups,
    # written beside the final name and moved into place only when complete; "-" is stdout.
    with output_stream(output, db=db) as out:
        done = export_audience(db, chosen, out, word)
    note = f"Wrote {done.written} members of {done.campaign.code}"
    note += "" if is_stdout(output) else f" to {output}"
    if done.left_out:
        reasons = ", ".join(f"{n} {why}" for why, n in sorted(done.left_out.items()))
        note += f"; kept out {sum(done.left_out.values())}: {reasons}"
    err(note + ".")


@app.command("responses")
@guarded
def responses(
    ctx: typer.Context,
    ref: CampaignArg,
    path: Annotated[Path, typer.Argument(metavar="FILE", help="CSV with email and event.")],
) -> None:
    """Read what the sending tool reports (bounces, unsubscribes, clicks, replies by email
    address): smallcrm campaign responses SPRING26 results.csv"""
    from smallcrm.store.campaign_responses import read_results

    try:
        text = path.read_text(encoding="utf-8-sig", errors="replace")
    except OSError as exc:
        raise CliError(f"FILE: cannot read {path}: {exc.strerror}") from None
    db = state(ctx).db()
    done = read_results(db, campaign_id(db, ref), text)
    moved = ", ".join(f"{n} {s.replace('_', ' ')}" for s, n in sorted(done.statuses.items()))
    print(f"{done.campaign.code}: {moved or 'no member changed'}.")
    for count, what in (
        (done.unsubscribed, "email consent withdrawn (unsubscribed)"),
        (done.leads, "new leads"),
        (done.unknown, "addresses of no contact"),
        (done.not_members, "contacts not in the audience"),
    ):
        if count:
            print(f"  {count} {what}")
    for problem in done.problems[:20]:
        err(f"  skipped {problem}")
    if len(done.problems) > 20:
        err(f"  ... and {len(done.problems) - 20} more lines skipped")
