"""``smallcrm backup`` and ``smallcrm doctor``: a checked copy of the database, and its health."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from smallcrm.cli.context import CliError, guarded, state


@guarded
def backup(
    ctx: typer.Context,
    destination: Annotated[
        Path | None,
        typer.Argument(
            metavar="[DEST]",
            help="A folder (rotated backups) or a file; default: backups/ beside the database.",
            show_default=False,
        ),
    ] = None,
    keep: Annotated[
        int, typer.Option("--keep", min=1, help="How many backups to keep in the folder.")
    ] = 10,
) -> None:
    """Copy the database while others keep working, and check the copy: smallcrm backup"""
    from smallcrm.store.maintenance import backup as make_backup

    copy = make_backup(state(ctx).db(), destination, keep=keep)
    print(f"Backed up to {copy} (checked: sound).")


@guarded
def doctor(
    ctx: typer.Context,
    repair: Annotated[
        bool, typer.Option("--repair", help="Rebuild the search index if it is out of step.")
    ] = False,
) -> None:
    """Check the database file, its links and the search index, and say how to repair them."""
    from smallcrm.store.maintenance import doctor as run_checks
    from smallcrm.store.search import rebuild_index

    db = state(ctx).db()
    findings = run_checks(db)
    if repair and not next(f for f in findings if f.check == "search index").ok:
        rebuild_index(db)
        print("Rebuilt the search index.")
        findings = run_checks(db)
    for finding in findings:
        mark = "ok  " if finding.ok else "FAIL"
        print(f"{mark} {finding.check}: {finding.detail}")
        if finding.repair and not finding.ok:
            print(f"     repair: {finding.repair}")
    if not all(f.ok for f in findings):
        raise CliError("the database needs repair (see above)")
