"""``smallcrm log call|email|meeting|note|visit WHO SUBJECT``: put an entry on a timeline."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from smallcrm.cli.context import CliError, guarded, lookup, now, state

KINDS = ("call", "email", "meeting", "note", "visit")


def _complete_kind(incomplete: str) -> list[str]:
    return [kind for kind in KINDS if kind.startswith(incomplete)]


KindArgument = Annotated[
    str,
    typer.Argument(help="call, email, meeting, note or visit.", autocompletion=_complete_kind),
]
WhoArgument = Annotated[
    str, typer.Argument(help="A contact or account: jana, novak, acme, an email or an id.")
]
SubjectArgument = Annotated[
    list[str] | None, typer.Argument(help="What happened, in a few words.", show_default=False)
]
CaseOption = Annotated[
    str | None,
    typer.Option(
        "--case",
        help="The case it is about (its number); WHO may then be left out: the case's customer.",
    ),
]
CustomerOption = Annotated[
    bool,
    typer.Option(
        "--from-customer", help="The customer wrote or called (inbound; reopens a solved case)."
    ),
]
AtOption = Annotated[
    str | None,
    typer.Option("--at", help='When it happened (default now): "yesterday 16:00", 9:30.'),
]
FollowUpOption = Annotated[
    str | None, typer.Option("--follow-up", help="Follow up on: fri, next week, +3d.")
]
BodyOption = Annotated[str | None, typer.Option(help="Longer notes.")]
DurationOption = Annotated[str | None, typer.Option(help="How long it took: 15, 1h.")]
DirectionOption = Annotated[str | None, typer.Option(help="inbound or outbound.")]
DealOption = Annotated[str | None, typer.Option(help="The deal it is about: name or id.")]
PickOption = Annotated[
    str | None,
    typer.Option("--id", help="Pick WHO by id when the name matched several (12, account:7)."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the entry as JSON.")]


@guarded
def log(
    ctx: typer.Context,
    kind: KindArgument,
    who: WhoArgument,
    subject: SubjectArgument = None,
    at: AtOption = None,
    follow_up: FollowUpOption = None,
    body: BodyOption = None,
    duration: DurationOption = None,
    direction: DirectionOption = None,
    deal: DealOption = None,
    case: CaseOption = None,
    from_customer: CustomerOption = False,
    pick: PickOption = None,
    as_json: JsonOption = False,
) -> None:
    """Log a call, email, meeting, note or visit: smallcrm log call jana "Discussed renewal".

    On a case: smallcrm log call --case 12 "Called back" (the case's customer is WHO).
    """
    from smallcrm.store import validate
    from smallcrm.store.interactions import log_interaction

    kind = validate.choice("KIND", kind, KINDS) or kind
    if not subject and case is None:
        raise _missing_subject(ctx)
    db = state(ctx).db()
    moment = now()
    values: dict[str, Any] = {"kind": kind, "happened_at": _happened_at(at, moment)}
    if subject:
        target = lookup(db, who, ("contact", "account"), option="WHO", how="--id {ref}", pick=pick)
        values["contact_id" if target.kind == "contact" else "account_id"] = target.record_id
        values["subject"] = " ".join(subject)
    else:
        values["subject"] = who  # "log call --case 12 'Called back'": the case's customer
    if case is not None:
        from smallcrm.cli.case_commands import case_number

        values["case_id"] = case_number(db, case, "--case")
    if from_customer:
        direction = direction or "inbound"
        if direction != "inbound":
            raise CliError("--from-customer: goes with --direction inbound only")
    if follow_up is not None:
        values["follow_up_on"] = _follow_up(follow_up, moment)
    if body is not None:
        values["body"] = body
    if duration is not None:
        from smallcrm.store.dates import parse_duration

        values["duration_minutes"] = int(
            parse_duration(duration, field="--duration").total_seconds() // 60
        )
    if direction is not None:
        values["direction"] = direction
    if deal is not None:
        values["opportunity_id"] = lookup(
            db, deal, ("opportunity",), option="--deal", how="--deal {ref}"
        ).record_id
    _write_entry(log_interaction(db, **values), as_json)


def _missing_subject(ctx: typer.Context) -> Exception:
    """Typer's own "Missing argument" (exit 2): SUBJECT is optional only with --case."""
    import sys

    # Typer bundles click and exports only BadParameter of its errors; MissingParameter sits
    # beside it and prints the same "Missing argument 'SUBJECT...'" Typer does itself.
    missing: Any = sys.modules[typer.BadParameter.__module__].MissingParameter
    param = next(p for p in ctx.command.params if p.name == "subject")
    return missing(ctx=ctx, param=param)


def _write_entry(entry: Any, as_json: bool) -> None:
    """The logged entry on one line, or as JSON."""
    from smallcrm.cli import views

    if as_json:
        from smallcrm.cli.output import write_json

        write_json(views.interaction_json(entry))
    else:
        print(f"Logged {views.interaction_line(entry)}")


def _happened_at(text: str | None, moment: Any) -> Any:
    if text is None:
        return moment
    from smallcrm.store.dates import parse_datetime
    from smallcrm.store.formats import when

    value = parse_datetime(text, moment, field="--at")
    if value.date() > moment.date():
        raise CliError(
            f"--at: {when(value)} is in the future; log what has happened, or plan it "
            'with: smallcrm add meeting "..." ' + text
        )
    return value


def _follow_up(text: str, moment: Any) -> Any:
    from smallcrm.store.dates import parse_date
    from smallcrm.store.formats import when

    day = parse_date(text, moment, field="--follow-up")
    if day < moment.date():
        raise CliError(
            f"--follow-up: {when(day)} is in the past; give today or a later day "
            "(fri, next week, +3d, 2026-12-01)"
        )
    return day
