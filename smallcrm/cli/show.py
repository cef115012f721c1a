"""``smallcrm show contact|account|deal ID-or-name``: one record with its timeline."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

from smallcrm.cli.campaign_commands import campaign_label, show_campaign
from smallcrm.cli.case_commands import show_case
from smallcrm.cli.context import guarded, lookup, state
from smallcrm.store import formats
from smallcrm.store.records import Interaction

if TYPE_CHECKING:
    from smallcrm.store.db import Database

app = typer.Typer(
    help="Show a contact, account or deal with its timeline, an interaction, an appointment "
    "or a case.",
    no_args_is_help=True,
)

RefArgument = Annotated[str, typer.Argument(help="Its id, or its name or part of it.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Write it as one JSON object.")]
TimelineOption = Annotated[
    int, typer.Option("--timeline", "-n", min=0, max=1000, help="Timeline entries to show.")
]


def _find(db: Database, ref: str, kind: str) -> int:
    from smallcrm.store.kinds import word as kind_word

    word = kind_word(kind)
    return lookup(db, ref, (kind,), option="REF", how=f"smallcrm show {word} {{ref}}").record_id


@app.command("contact", no_args_is_help=True)
@guarded
def show_contact(
    ctx: typer.Context, ref: RefArgument, timeline: TimelineOption = 10, as_json: JsonOption = False
) -> None:
    """Show a person: smallcrm show contact jana"""
    from smallcrm.cli import views
    from smallcrm.cli.case_views import case_json
    from smallcrm.store.contacts import get_contact
    from smallcrm.store.listing import ListQuery
    from smallcrm.store.opportunities import list_opportunities
    from smallcrm.store.timelines import timeline as get_timeline

    db = state(ctx).db()
    contact = get_contact(db, _find(db, ref, "contact"))
    entries = get_timeline(db, contact_id=contact.id, limit=timeline) if timeline else []
    cases = [e.case for e in entries if e.case is not None]
    deals = list_opportunities(db, ListQuery(contact_id=contact.id, limit=20)).items
    if as_json:
        from smallcrm.cli.output import write_json

        data = views.contact_json(contact)
        data["deals"] = [views.opportunity_json(d) for d in deals]
        data["timeline"] = [views.interaction_json(e.interaction) for e in entries if e.interaction]
        data["cases_opened"] = [case_json(c) for c in cases]
        write_json(data)
        return
    pretty = _terminal()
    c = contact
    _fields(
        f"Contact {c.id}: {c.name}",
        [
            ("Title", c.title),
            ("Account", f"{c.account_name} (account {c.account_id})" if c.account_id else None),
            ("Email", [f"{m.value} ({m.label})" for m in c.emails]),
            ("Phone", [f"{formats.phone(m.value, True)} ({m.label})" for m in c.phones]),
            ("Address", c.address.one_line()),
            ("Birthday", formats.when(c.birthday)),
            ("Tags", " ".join(c.tags)),
            ("Owner", c.owner),
            ("Source", c.source),
            ("Lifecycle", (c.lifecycle_stage or "").replace("_", " ")),
            ("Campaign", campaign_label(db, c.source_campaign_id)),
            ("Email consent", c.email_consent.describe()),
            ("Phone consent", c.phone_consent.describe()),
            ("Notes", c.notes),
            ("Changed", _changed(c.tracking)),
        ],
    )
    _section("Deals", deals, views.OPPORTUNITY_COLUMNS, views.opportunity_row, pretty)
    _timeline(entries, pretty)


@app.command("account", no_args_is_help=True)
@guarded
def show_account(
    ctx: typer.Context, ref: RefArgument, timeline: TimelineOption = 10, as_json: JsonOption = False
) -> None:
    """Show a company with its people and deals: smallcrm show account acme"""
    from smallcrm.cli import views
    from smallcrm.cli.case_views import case_json
    from smallcrm.store.accounts import account_contacts, get_account, pipeline_total
    from smallcrm.store.listing import ListQuery
    from smallcrm.store.opportunities import list_opportunities
    from smallcrm.store.timelines import timeline as get_timeline

    db = state(ctx).db()
    account = get_account(db, _find(db, ref, "account"))
    people = account_contacts(db, account.id, limit=50)
    deals = list_opportunities(db, ListQuery(account_id=account.id, limit=50)).items
    entries = get_timeline(db, account_id=account.id, limit=timeline) if timeline else []
    cases = [e.case for e in entries if e.case is not None]
    total, weighted = pipeline_total(db, account.id)
    if as_json:
        from smallcrm.cli.output import write_json

        data = views.account_json(account)
        data["open_pipeline"] = {"total": f"{total:.2f}", "weighted": f"{weighted:.2f}"}
        data["contacts"] = [views.contact_json(c) for c in people]
        data["deals"] = [views.opportunity_json(d) for d in deals]
        data["timeline"] = [views.interaction_json(e.interaction) for e in entries if e.interaction]
        data["cases_opened"] = [case_json(c) for c in cases]
        write_json(data)
        return
    pretty = _terminal()
    a = account
    _fields(
        f"Account {a.id}: {a.name}",
        [
            ("Industry", a.industry),
            ("Website", a.website),
            ("Phone", formats.phone(a.phone, True)),
            ("Address", a.address.one_line()),
            ("Tags", " ".join(a.tags)),
            ("Owner", a.owner),
            (
                "Open pipeline",
                f"{formats.money(total)} (weighted {formats.money(weighted)})" if total else None,
            ),
            ("Notes", a.notes),
            ("Changed", _changed(a.tracking)),
        ],
    )
    _section("Contacts", people, views.CONTACT_COLUMNS, views.contact_row, pretty)
    _section("Deals", deals, views.OPPORTUNITY_COLUMNS, views.opportunity_row, pretty)
    _timeline(entries, pretty)


@app.command("deal", no_args_is_help=True)
@guarded
def show_deal(
    ctx: typer.Context, ref: RefArgument, timeline: TimelineOption = 10, as_json: JsonOption = False
) -> None:
    """Show a deal with its timeline: smallcrm show deal "acme renewal" """
    from smallcrm.cli import views
    from smallcrm.store.interactions import timeline as get_timeline
    from smallcrm.store.opportunities import get_opportunity

    db = state(ctx).db()
    deal = get_opportunity(db, _find(db, ref, "opportunity"))
    entries = get_timeline(db, opportunity_id=deal.id, limit=timeline) if timeline else []
    if as_json:
        from smallcrm.cli.output import write_json

        data = views.opportunity_json(deal)
        data["timeline"] = [views.interaction_json(i) for i in entries]
        write_json(data)
        return
    o = deal
    _fields(
        f"Deal {o.id}: {o.name}",
        [
            ("Account", f"{o.account_name} (account {o.account_id})" if o.account_id else None),
            ("Contact", f"{o.contact_name} (contact {o.contact_id})" if o.contact_id else None),
            ("Stage", f"{o.stage} ({o.probability}%)"),
            ("Amount", formats.money(o.amount, o.currency)),
            ("Weighted", formats.money(o.weighted_amount, o.currency)),
            ("Expected close", formats.when(o.expected_close)),
            ("Closed on", formats.when(o.closed_on)),
            ("Next step", o.next_step),
            ("Lost because", o.lost_reason),
            ("Owner", o.owner),
            ("Campaign", campaign_label(db, o.campaign_id)),
            ("Last activity", formats.when(o.last_activity_at)),
            ("Changed", _changed(o.tracking)),
        ],
    )
    _timeline(entries, _terminal())


# The store's word for deals works too.
app.command("opportunity", hidden=True, no_args_is_help=True)(show_deal)


def _linked(name: str | None, word: str, record_id: int | None) -> str | None:
    return f"{name} ({word} {record_id})" if record_id else None


@app.command("interaction", no_args_is_help=True)
@guarded
def show_interaction(ctx: typer.Context, ref: RefArgument, as_json: JsonOption = False) -> None:
    """Show one call, email, meeting, note or visit: smallcrm show interaction 12"""
    from smallcrm.cli import views
    from smallcrm.store.interactions import get_interaction

    db = state(ctx).db()
    i = get_interaction(db, _find(db, ref, "interaction"))
    if as_json:
        from smallcrm.cli.output import write_json

        write_json(views.interaction_json(i))
        return
    follow_up = None
    if i.follow_up_on:
        follow_up = f"{formats.when(i.follow_up_on)}{' (done)' if i.follow_up_done else ''}"
    _fields(
        f"Interaction {i.id}: {i.kind}: {i.subject}",
        [
            ("When", formats.when(i.happened_at)),
            ("Direction", i.direction),
            ("Duration", f"{i.duration_minutes} min" if i.duration_minutes else None),
            ("Contact", _linked(i.contact_name, "contact", i.contact_id)),
            ("Account", _linked(i.account_name, "account", i.account_id)),
            ("Deal", f"deal {i.opportunity_id}" if i.opportunity_id else None),
            ("Follow-up", follow_up),
            ("Body", i.body),
            ("Changed", _changed(i.tracking)),
        ],
    )


@app.command("appointment", no_args_is_help=True)
@guarded
def show_appointment(ctx: typer.Context, ref: RefArgument, as_json: JsonOption = False) -> None:
    """Show one appointment: smallcrm show appointment "Demo at Acme" """
    from smallcrm.cli import appointment_time as times
    from smallcrm.cli import views
    from smallcrm.store.appointments import get_appointment

    db = state(ctx).db()
    a = get_appointment(db, _find(db, ref, "appointment"))
    if as_json:
        from smallcrm.cli.output import write_json

        write_json(views.appointment_json(a))
        return
    _fields(
        f"Appointment {a.id}: {a.title}",
        [
            ("When", views.span(a.starts_at, a.ends_at, a.all_day)),
            ("Where", a.location),
            ("With", _linked(a.contact_name, "contact", a.contact_id)
             or _linked(a.account_name, "account", a.account_id)),
            ("Deal", f"deal {a.opportunity_id}" if a.opportunity_id else None),
            ("Repeats", a.rrule),
            ("Time zone", times.own_zone(a)),
            ("Also on", times.moments(a.rdates)),
            ("Skipped", times.moments(a.exdates)),
            ("Reminder", f"{a.reminder_minutes} min before" if a.reminder_minutes else None),
            ("Owner", a.owner),
            ("Notes", a.notes),
            ("Changed", _changed(a.tracking)),
        ],
    )  # fmt: skip


def _terminal() -> bool:
    from smallcrm.cli.output import is_terminal

    return is_terminal(sys.stdout)


def _changed(tracking: Any) -> str:
    from smallcrm.store.formats import when

    return (
        f"{when(tracking.updated_at)} by {tracking.updated_by} (version {tracking.version}); "
        f"created {when(tracking.created_at)} by {tracking.created_by}"
    )


def _fields(title: str, fields: list[tuple[str, Any]]) -> None:
    from smallcrm.cli.output import write_fields

    write_fields(title, fields)


def _section(title: str, records: list[Any], columns: Any, to_row: Any, pretty: bool) -> None:
    from smallcrm.cli.output import write_heading, write_table

    if not records:
        return
    write_heading(f"{title} ({len(records)})")
    write_table(columns, [to_row(r, pretty) for r in records], terminal=pretty)


def _timeline(entries: list[Any], pretty: bool) -> None:
    from smallcrm.cli import views
    from smallcrm.cli.output import write_heading, write_table

    write_heading("Timeline" if entries else "Timeline: nothing logged yet")
    if entries:
        write_table(
            views.INTERACTION_COLUMNS,
            [_timeline_row(e, pretty) for e in entries],
            terminal=pretty,
        )


def _timeline_row(entry: Any, pretty: bool) -> list[Any]:
    """An interaction as itself; a timeline's case where it was opened (``show deal`` lists
    interactions only)."""
    from smallcrm.cli import views

    if isinstance(entry, Interaction):
        return views.interaction_row(entry, pretty)
    if entry.interaction is not None:
        return views.interaction_row(entry.interaction, pretty)
    c = entry.case
    opened = f"#{c.id} opened: {c.subject} ({c.status})"
    return [
        f"case {c.id}",
        formats.when(entry.at),
        "case",
        views.who(c.contact_name, c.account_name),
        opened,
        "",
    ]


app.command("case", no_args_is_help=True)(show_case)
app.command("campaign", no_args_is_help=True)(show_campaign)
