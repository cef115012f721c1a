"""``smallcrm sync DIR``: contacts and appointments in a folder Radicale serves to phones.

The work is the store's (``smallcrm.store.vdir``); this prints what it did, each warning and
each conflict, and exits 1 when there was a conflict (its message says where the phone's values
were kept), so a cron job's mail reaches the user.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from smallcrm.cli.context import CliError, err, guarded, state

HELP = "\n\n".join(
    (
        "Write contacts and appointments to a folder Radicale serves to phones, and bring "
        "the phones' changes back.",
        "DIR gets contacts/ (one .vcf per contact) and calendar/ (one .ics per appointment): "
        "point it at Radicale's collection-root/USER folder (see the README). Only files whose "
        "content changed are written. A file changed on a phone is saved to its record, a file "
        "added on a phone becomes a record, and a file deleted on a phone is written again "
        "(the record stays). When more than 20% of the files are gone, nothing is done "
        "without --yes.",
    )
)


@guarded
def sync(
    ctx: typer.Context,
    folder: Annotated[
        Path, typer.Argument(metavar="DIR", help="The folder to keep in step.", show_default=False)
    ],
    contacts: Annotated[bool, typer.Option("--contacts", help="Contacts only.")] = False,
    calendar: Annotated[bool, typer.Option("--calendar", help="Appointments only.")] = False,
    mine: Annotated[
        bool, typer.Option("--mine", help="Only records you own (new ones become yours).")
    ] = False,
    yes: Annotated[
        bool, typer.Option("--yes", help="Go on when many files are gone from DIR.")
    ] = False,
) -> None:
    """Keep a folder Radicale serves to phones in step with the CRM, both ways."""
    from smallcrm.store.vdir.run import SyncRefused, sync_folder

    chosen = [name for name, on in (("contacts", contacts), ("calendar", calendar)) if on]
    try:
        reports = sync_folder(
            state(ctx).db(),
            folder,
            tuple(chosen or ("contacts", "calendar")),
            mine=mine,
            yes=yes,
        )
    except SyncRefused as exc:
        raise CliError(str(exc)) from None
    conflicts = 0
    for report in reports:
        print(
            f"{report.collection}: {report.files} files; {report.written} written, "
            f"{report.removed} removed; from phones: {report.from_phone} changed, "
            f"{report.created} added"
        )
        for warning in report.warnings:
            err(f"Warning: {warning}")
        for conflict in report.conflicts:
            err(f"Conflict: {conflict}")
        conflicts += len(report.conflicts)
    if conflicts:
        err(f"Error: {conflicts} {'conflict' if conflicts == 1 else 'conflicts'}; see above.")
        raise typer.Exit(1)


sync.__doc__ = HELP
