"""``smallcrm invite APPOINTMENT``: one appointment as an .ics invitation to send."""

from __future__ import annotations

from typing import Annotated

import typer

from smallcrm.cli.context import err, guarded, lookup, state
from smallcrm.cli.dataio import OutputOption, store_options


@guarded
def invite(
    ctx: typer.Context,
    appointment: Annotated[
        str,
        typer.Argument(
            metavar="APPOINTMENT",
            help="The appointment's id (or its title).",
            show_default=False,
        ),
    ],
    output: OutputOption = None,
    sender: Annotated[
        str | None,
        typer.Option(
            "--from",
            metavar="EMAIL",
            help="Your email address, as the organiser (calendar programs then offer "
            "accept and decline).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Write an .ics invitation for one appointment, to send to its contact."""
    from smallcrm.cli.streams import is_stdout, output_stream
    from smallcrm.store.io import invitation

    db = state(ctx).db()
    hit = lookup(
        db,
        appointment,
        ("appointment",),
        option="APPOINTMENT",
        how="smallcrm invite {ref}",
    )
    with store_options():
        text = invitation(db, hit.record_id, organizer_email=sender)
    with output_stream(output, db=db) as out:
        out.write(text)
    attendee = _attendee(text)
    if not attendee:
        err(
            f"Note: appointment {hit.record_id} has no contact with an email address, so the "
            "invitation names no attendee."
        )
    if not is_stdout(output):
        to = f"; send it to {attendee}" if attendee else ""
        print(f"Wrote the invitation to {hit.title} (appointment {hit.record_id}) to {output}{to}")


def _attendee(text: str) -> str | None:
    """The attendee's address in an .ics text (lines unfolded first)."""
    for line in text.replace("\r\n ", "").replace("\r\n\t", "").splitlines():
        if line.upper().startswith("ATTENDEE") and "mailto:" in line.lower():
            return line[line.lower().rindex("mailto:") + len("mailto:") :].strip()
    return None
