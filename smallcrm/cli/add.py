"""``smallcrm add contact|account|deal|meeting``: one line in, one record out.

Each prints the new record on one line with its id (or as JSON with ``--json``). A contact or
account that looks like one already stored (same email or phone, or a very similar name) is
not created without ``--force``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from smallcrm.cli.campaign_commands import add_campaign
from smallcrm.cli.case_commands import add_case
from smallcrm.cli.context import CliError, err, guarded, lookup, now, state

if TYPE_CHECKING:
    from smallcrm.store.db import Database
    from smallcrm.store.errors import DuplicateError

app = typer.Typer(
    help="Add a contact, account, deal, meeting, case or campaign.", no_args_is_help=True
)
app.command("case")(add_case)
app.command("campaign")(add_campaign)

JsonOption = Annotated[bool, typer.Option("--json", help="Print the new record as JSON.")]
ForceOption = Annotated[
    bool, typer.Option("--force", help="Create it even if it looks like an existing record.")
]
OwnerOption = Annotated[str | None, typer.Option(help="Who looks after it (a user name).")]
TagOption = Annotated[
    list[str] | None, typer.Option("--tag", help="A tag (repeat, or separate with commas).")
]
NotesOption = Annotated[str | None, typer.Option(help="Free-text notes.")]
StreetOption = Annotated[str | None, typer.Option(help="Street and number.")]
PostalOption = Annotated[str | None, typer.Option("--postal-code", help="Postal code.")]
CityOption = Annotated[str | None, typer.Option(help="City.")]
CountryOption = Annotated[str | None, typer.Option(help="Country.")]


def _name(words: list[str], what: str) -> str:
    name = " ".join(" ".join(words).split())
    if not name:
        raise CliError(f"NAME: the {what} needs a name")
    return name


def _tags(values: list[str] | None) -> list[str] | None:
    """``--tag a,b --tag c`` -> [a, b, c] (the store normalises each tag)."""
    if not values:
        return None
    return [part for value in values for part in value.replace(";", ",").split(",")]


def _given(**values: Any) -> dict[str, Any]:
    """Only the options the user gave, so the store's defaults apply to the rest."""
    return {key: value for key, value in values.items() if value not in (None, [], ())}


def _duplicate_message(exc: DuplicateError) -> str:
    """The store refused a likely duplicate: list the look-alikes and say how to go on."""
    from smallcrm.cli.views import shell_kind

    kind, duplicates = exc.kind, exc.candidates
    lines = [f"this looks like {'a contact' if kind == 'contact' else 'an account'} you have:"]
    for dup in duplicates:
        hit = dup.hit
        lines.append(f"  {shell_kind(hit.kind)} {hit.record_id}  {hit.title}  ({dup.reason})")
    first = duplicates[0].hit
    lines.append(
        f"Nothing was saved. See it with: smallcrm show {kind} {first.record_id}; "
        f"add --force to create another {kind} anyway."
    )
    return "\n".join(lines)


def _account_id(db: Database, ref: str | None, option: str = "--account") -> int | None:
    if ref is None:
        return None
    hit = lookup(
        db, ref, ("account",), option=option, how=option + " {ref}", create="smallcrm add account"
    )
    return hit.record_id


def _campaign_id(db: Database, ref: str | None) -> int | None:
    if ref is None:
        return None
    from smallcrm.cli.campaign_commands import campaign_id

    return campaign_id(db, ref)


# A contact's own options (an account's --phone, for one, is a single main number).
EmailsOption = Annotated[
    list[str] | None, typer.Option("--email", help="Email address (repeat for more).")
]
PhonesOption = Annotated[
    list[str] | None,
    typer.Option("--phone", help="Phone number, best with country code (repeat for more)."),
]
EmployerOption = Annotated[
    str | None, typer.Option(help="Their company: a name, part of one, or its id.")
]
EmailConsentOption = Annotated[
    bool | None,
    typer.Option(
        "--email-opt-in/--email-opt-out",
        help="Whether they agreed to be emailed (recorded with the time).",
        show_default=False,
    ),
]
CampaignOption = Annotated[
    str | None, typer.Option(help="The campaign that brought them (its code): a lead from it.")
]
ConsentSourceOption = Annotated[
    str | None, typer.Option(help="How their email consent was given (web form...).")
]


@app.command("contact")
@guarded
def add_contact(
    ctx: typer.Context,
    name: Annotated[list[str], typer.Argument(help="Full name: Jana Novak (or Novak, Jana).")],
    email: EmailsOption = None,
    phone: PhonesOption = None,
    account: EmployerOption = None,
    title: Annotated[str | None, typer.Option(help="Job title, e.g. Buyer.")] = None,
    tag: TagOption = None,
    owner: OwnerOption = None,
    street: StreetOption = None,
    postal_code: PostalOption = None,
    city: CityOption = None,
    country: CountryOption = None,
    birthday: Annotated[str | None, typer.Option(help="Birthday: 1984-03-21 or 21.3.1984.")] = None,
    source: Annotated[str | None, typer.Option(help="Where they came from (fair, web...).")] = None,
    email_opt_in: EmailConsentOption = None,
    consent_source: ConsentSourceOption = None,
    campaign: CampaignOption = None,
    lifecycle: Annotated[
        str | None, typer.Option(help="lead, prospect, customer or former customer.")
    ] = None,
    notes: NotesOption = None,
    force: ForceOption = False,
    as_json: JsonOption = False,
) -> None:
    """Add a person: smallcrm add contact "Jana Novak" --email jana@example.com --account Acme"""
    from smallcrm.store.contacts import create_contact

    db = state(ctx).db()
    full_name = _name(name, "contact")
    values = _given(
        name=full_name,
        emails=email,
        phones=phone,
        account_id=_account_id(db, account),
        title=title,
        tags=_tags(tag),
        owner=owner,
        street=street,
        postal_code=postal_code,
        city=city,
        country=country,
        birthday=birthday,
        source=source,
        notes=notes,
        email_opt_in=email_opt_in,
        email_consent_source=consent_source,
        source_campaign_id=_campaign_id(db, campaign),
        lifecycle_stage=lifecycle,
    )
    from smallcrm.store.errors import DuplicateError

    try:
        contact = create_contact(db, allow_duplicate=force, **values)
    except DuplicateError as exc:
        raise CliError(_duplicate_message(exc)) from None
    _show_new(as_json, contact, "contact")


@app.command("account")
@guarded
def add_account(
    ctx: typer.Context,
    name: Annotated[list[str], typer.Argument(help="Company name: Acme GmbH.")],
    website: Annotated[str | None, typer.Option(help="Web address: acme.example.")] = None,
    phone: Annotated[str | None, typer.Option(help="Main phone number.")] = None,
    industry: Annotated[str | None, typer.Option(help="Industry, e.g. Manufacturing.")] = None,
    tag: TagOption = None,
    owner: OwnerOption = None,
    street: StreetOption = None,
    postal_code: PostalOption = None,
    city: CityOption = None,
    country: CountryOption = None,
    notes: NotesOption = None,
    force: ForceOption = False,
    as_json: JsonOption = False,
) -> None:
    """Add a company: smallcrm add account "Acme GmbH" --website acme.example"""
    from smallcrm.store.accounts import create_account

    db = state(ctx).db()
    full_name = _name(name, "account")
    values = _given(
        name=full_name,
        website=website,
        phone=phone,
        industry=industry,
        tags=_tags(tag),
        owner=owner,
        street=street,
        postal_code=postal_code,
        city=city,
        country=country,
        notes=notes,
    )
    from smallcrm.store.errors import DuplicateError

    try:
        account = create_account(db, allow_duplicate=force, **values)
    except DuplicateError as exc:
        raise CliError(_duplicate_message(exc)) from None
    _show_new(as_json, account, "account")


@app.command("deal")
@guarded
def add_deal(
    ctx: typer.Context,
    name: Annotated[list[str], typer.Argument(help="What is being sold: Acme renewal.")],
    account: Annotated[str | None, typer.Option(help="The customer: name or id.")] = None,
    contact: Annotated[str | None, typer.Option(help="The person to talk to: name or id.")] = None,
    amount: Annotated[str | None, typer.Option(help="Value: 12000, 12,000.50 or 12k.")] = None,
    currency: Annotated[str | None, typer.Option(help="Currency code (default EUR).")] = None,
    stage: Annotated[
        str | None,
        typer.Option(help="lead, qualified, proposal, negotiation, won or lost (default lead)."),
    ] = None,
    probability: Annotated[
        str | None, typer.Option(help="Chance in % (default: the stage's).")
    ] = None,
    close: Annotated[
        str | None, typer.Option(help="Expected close date: 2026-12-31, eom, +3w...")
    ] = None,
    next_step: Annotated[str | None, typer.Option(help="What happens next.")] = None,
    lost_reason: Annotated[str | None, typer.Option(help="Why it was lost (stage lost).")] = None,
    campaign: Annotated[
        str | None,
        typer.Option(help="The campaign it credits (its code; default: the contact's source)."),
    ] = None,
    owner: OwnerOption = None,
    as_json: JsonOption = False,
) -> None:
    """Add a deal: smallcrm add deal "Acme renewal" --account Acme --amount 12k --stage proposal"""
    from smallcrm.store.dates import parse_date
    from smallcrm.store.opportunities import create_opportunity

    db = state(ctx).db()
    full_name = _name(name, "deal")
    contact_id = None
    if contact is not None:
        hit = lookup(db, contact, ("contact",), option="--contact", how="--contact {ref}")
        contact_id = hit.record_id
    values = _given(
        name=full_name,
        account_id=_account_id(db, account),
        contact_id=contact_id,
        amount=amount,
        currency=currency,
        stage=stage,
        probability=probability,
        expected_close=parse_date(close, now(), field="--close") if close else None,
        next_step=next_step,
        lost_reason=lost_reason,
        owner=owner,
        campaign_id=_campaign_id(db, campaign),
    )
    deal = create_opportunity(db, **values)
    _show_new(as_json, deal, "opportunity")


@app.command("meeting")
@guarded
def add_meeting(
    ctx: typer.Context,
    title: Annotated[str, typer.Argument(help='What it is: "Demo" (quote several words).')],
    when: Annotated[
        list[str], typer.Argument(help="When it starts: fri 14:00, tomorrow 3pm, 2026-12-01 9:30.")
    ],
    duration: Annotated[
        str | None, typer.Option(help="How long: 45, 90m, 1h, 1h30 (default: no end time).")
    ] = None,
    with_: Annotated[
        str | None, typer.Option("--with", help="Who with: a contact or account, name or id.")
    ] = None,
    deal: Annotated[str | None, typer.Option(help="The deal it is about: name or id.")] = None,
    where: Annotated[str | None, typer.Option(help="Where: Acme office, phone, video.")] = None,
    all_day: Annotated[bool, typer.Option("--all-day", help="An all-day entry.")] = False,
    repeat: Annotated[
        str | None, typer.Option(help="Recurrence rule, e.g. FREQ=WEEKLY;BYDAY=MO.")
    ] = None,
    reminder: Annotated[
        str | None, typer.Option(help="Remind this many minutes before (e.g. 15).")
    ] = None,
    notes: NotesOption = None,
    as_json: JsonOption = False,
) -> None:
    """Schedule a meeting: smallcrm add meeting "Demo" fri 14:00 --duration 1h --with jana"""
    from smallcrm.store.appointments import create_appointment

    if not title.strip():
        raise CliError('TITLE: say what it is, e.g. add meeting "Demo" fri 14:00')
    db = state(ctx).db()
    starts_at = _parse_start(when, all_day)
    links = _meeting_links(db, with_, deal)
    values = _given(
        title=title,
        starts_at=starts_at,
        duration=_parse_length(duration),
        all_day=all_day or None,
        location=where,
        rrule=repeat,
        reminder_minutes=reminder,
        notes=notes,
        **links,
    )
    appointment = create_appointment(db, **values)
    _show_new(as_json, appointment, "appointment")
    _warn_about_time(db, appointment)


def _parse_start(words: list[str], all_day: bool) -> Any:
    from datetime import time

    from smallcrm.store.dates import parse_datetime
    from smallcrm.store.errors import ValidationError

    text = " ".join(words)
    try:
        return parse_datetime(text, now(), field="WHEN", default_time=time(0 if all_day else 9))
    except ValidationError as exc:
        if len(words) > 2:
            raise CliError(
                f"WHEN: {exc.message} (a title of several words goes in quotes: "
                f'add meeting "Demo with Jana" fri 14:00)'
            ) from None
        raise


def _parse_length(text: str | None) -> Any:
    if text is None:
        return None
    from smallcrm.store.dates import parse_duration

    return parse_duration(text, field="--duration")


def _meeting_links(db: Database, with_: str | None, deal: str | None) -> dict[str, int]:
    links: dict[str, int] = {}
    if with_ is not None:
        hit = lookup(db, with_, ("contact", "account"), option="--with", how="--with {ref}")
        links["contact_id" if hit.kind == "contact" else "account_id"] = hit.record_id
    if deal is not None:
        hit = lookup(db, deal, ("opportunity",), option="--deal", how="--deal {ref}")
        links["opportunity_id"] = hit.record_id
    return links


def _warn_about_time(db: Database, appointment: Any) -> None:
    """Notes on stderr: the start is in the past, or another appointment overlaps."""
    from smallcrm.cli.views import span
    from smallcrm.store.appointments import check_schedule

    check = check_schedule(db, appointment)
    if check.in_past:
        err("Note: that start time is in the past.")
    for occ in check.overlaps:
        other = occ.appointment
        err(
            f"Note: it overlaps appointment {other.id}: {other.title}, "
            f"{span(occ.starts_at, occ.ends_at, other.all_day)}"
        )
    if appointment.ends_at is not None and not appointment.all_day:
        from smallcrm.store.offers import live_holds

        for offer, hold in live_holds(db, appointment.starts_at, appointment.ends_at):
            err(
                f"Note: offer {offer.id} holds {span(hold.starts_at, hold.ends_at)} for "
                f"{offer.contact_name or 'a customer'}; booking it will be refused"
            )


def _show_new(as_json: bool, record: Any, kind: str) -> None:
    """The new record as JSON, or its one-line confirmation (plain print: no rich)."""
    from smallcrm.cli import views

    if as_json:
        from smallcrm.cli.output import write_json

        write_json(views.JSON_OF[kind](record))
    else:
        print("Added " + views.LINE_OF[kind](record))
