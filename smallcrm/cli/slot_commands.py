"""``smallcrm slots`` (free times, numbered), ``smallcrm offer CONTACT 1,3,4`` (hold up to
three of them and write the text for the customer) and ``smallcrm book OFFER 2``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from smallcrm.cli import slot_list
from smallcrm.cli.context import CliError, err, guarded, lookup, state
from smallcrm.store import clock, formats
from smallcrm.store.db import Database
from smallcrm.store.validate import MAX_ID

DurationOption = Annotated[
    str, typer.Option("--duration", "-d", help="How long the meeting is: 30m, 1h, 1h30.")
]


def _length(text: str, field: str) -> Any:
    from smallcrm.store.times import parse_duration

    return parse_duration(text, field=field)


def _contact_id(db: Database, text: str | None, option: str) -> int | None:
    if text is None:
        return None
    return lookup(db, text, ("contact",), option=option, how=f"{option} {{ref}}").record_id


@guarded
def slots(
    ctx: typer.Context,
    duration: DurationOption = "1h",
    days: Annotated[
        int, typer.Option(min=1, max=90, help="How many days ahead, today the first.")
    ] = 14,
    with_: Annotated[
        str | None,
        typer.Option("--with", help="A contact whose own appointments count as busy too."),
    ] = None,
    where: Annotated[str | None, typer.Option(help="Where the meeting is: Acme office.")] = None,
    for_: Annotated[
        str | None,
        typer.Option("--for", help="Whose calendar (a user name; default: yours)."),
    ] = None,
    interval: Annotated[
        int | None,
        typer.Option(min=5, max=60, help="Minutes between starts: 60, 30, 20, 15, 10 or 5."),
    ] = None,
) -> None:
    """Free times for a meeting, numbered for smallcrm offer: slots --duration 1h --days 10"""
    from smallcrm.store.crud import current_user
    from smallcrm.store.slot_rules import INTERVALS
    from smallcrm.store.slots import SlotQuery, find_slots

    if interval is not None and interval not in INTERVALS:
        raise CliError(f"--interval: give one of {', '.join(map(str, INTERVALS))} minutes")
    db = state(ctx).db()
    query = SlotQuery(
        duration=_length(duration, "--duration"),
        days=days,
        user=for_,
        contact_id=_contact_id(db, with_, "--with"),
        location=where,
        interval=interval,
    )
    found = find_slots(db, query)
    _print_slots(found)
    try:
        slot_list.save(db.url, current_user(), found)
    except OSError as exc:
        err(f"Note: could not keep this list for smallcrm offer ({exc.strerror or exc}).")


def _print_slots(found: Any) -> None:
    from smallcrm.store.slot_rules import length_text

    out = sys.stdout.write
    rules = found.rules
    buffers = length_text(rules.before)
    if rules.after != rules.before:
        buffers += f" before, {length_text(rules.after)} after"
    out(
        f"Free for {length_text(rules.duration)} in {found.user}'s calendar "
        f"({clock.zone_name()}; every {rules.interval} min, {length_text(rules.notice)} "
        f"notice, {buffers} buffers), {formats.day(found.start)} to "
        f"{formats.day(found.end - rules.duration)}:\n"
    )
    if not found.slots:
        out("  No free time; try more --days or a shorter --duration.\n")
        return
    day = None
    for number, (start, end) in enumerate(found.slots, start=1):
        local = clock.local(start)
        if local.date() != day:
            day = local.date()
            out(f"{formats.describe(day)}\n")
        out(f"  {number:>3}  {local:%H:%M}-{clock.local(end):%H:%M}\n")
    out("Hold up to three for a customer: smallcrm offer CONTACT 1,3,4 --expires 48h\n")


def _numbers(text: str, count: int) -> list[int]:
    try:
        chosen = [int(part) for part in text.replace(" ", "").split(",") if part]
    except ValueError:
        raise CliError(f"SLOTS: {text!r} is not slot numbers like 1,3,4") from None
    if not 1 <= len(chosen) <= 3 or len(set(chosen)) != len(chosen):
        raise CliError("SLOTS: give one to three different slot numbers, like 1,3,4")
    for number in chosen:
        if not 1 <= number <= count:
            raise CliError(
                f"SLOTS: there is no slot {number}; the last list has {count} "
                "(smallcrm slots lists them again)"
            )
    return chosen


@guarded
def offer(
    ctx: typer.Context,
    contact: Annotated[str, typer.Argument(help="Who the times are for: a name or id.")],
    numbers: Annotated[str, typer.Argument(help="Slot numbers from smallcrm slots: 1,3,4.")],
    expires: Annotated[
        str, typer.Option(help="How long the times stay held: 48h, 2d, 90m.")
    ] = "48h",
    ics: Annotated[
        Path | None, typer.Option("--ics", help="Also write the choices to this .ics file.")
    ] = None,
) -> None:
    """Hold up to three listed slots for a contact and print the text to send them."""
    from smallcrm.store.crud import current_user
    from smallcrm.store.offer_text import addressee, message
    from smallcrm.store.offers import make_offer
    from smallcrm.store.slots import find_slots

    db = state(ctx).db()
    listed_query, listed = slot_list.load(db.url, current_user())
    picked = _numbers(numbers, len(listed))
    chosen = [listed[n - 1] for n in picked]
    contact_id = _contact_id(db, contact, "CONTACT")
    query = type(listed_query)(**{**vars(listed_query), "contact_id": contact_id})
    fresh = set(find_slots(db, query).slots)
    gone = [n for n in picked if listed[n - 1] not in fresh]
    if gone:
        names = " and ".join(f"{n} ({formats.when(listed[n - 1][0])})" for n in gone)
        verb = "slot {} is" if len(gone) == 1 else "slots {} are"
        raise CliError(
            verb.format(names) + " gone since the list was made (taken, held, too soon now, "
            "or the contact is busy then); nothing was held. smallcrm slots lists what is "
            "free now"
        )
    words = addressee(db, contact_id)
    made = make_offer(
        db,
        query,
        chosen,
        title=words.title,
        language=words.language,
        expires=_length(expires, "--expires"),
    )
    sys.stdout.write(message(made, words.first_name))
    sys.stdout.write(
        f"\nOffer {made.id}: {_times(len(made.holds))} held until "
        f"{formats.when(made.expires_at)}. When they choose: smallcrm book {made.id} NUMBER\n"
    )
    if ics is not None:
        from smallcrm.cli.streams import output_stream

        with output_stream(ics, "--ics", db) as stream:
            stream.write(_ics_text(made))


def _times(count: int) -> str:
    return "1 time" if count == 1 else f"{count} times"


def _ics_text(made: Any) -> str:
    from smallcrm.store.offer_text import ics

    return ics(made)


@guarded
def book(
    ctx: typer.Context,
    offer_id: Annotated[
        int, typer.Argument(metavar="OFFER", min=1, max=MAX_ID, help="The offer's number.")
    ],
    choice: Annotated[
        int, typer.Argument(metavar="CHOICE", min=1, max=3, help="The time they chose: 1-3.")
    ],
) -> None:
    """Make the chosen time of an offer an appointment and release the others."""
    from smallcrm.cli.appointment_time import span
    from smallcrm.store.offers import book as book_offer

    db = state(ctx).db()
    booked = book_offer(db, offer_id, choice)
    print(
        f"Booked appointment {booked.id}: {booked.title}, "
        f"{span(booked.starts_at, booked.ends_at, False)}; the other times are free again."
    )
