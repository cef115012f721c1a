"""``smallcrm import list`` and ``smallcrm import undo BATCH``: the imports done so far, and
taking one back (``smallcrm.cli.routing`` explains how those words share ``import``)."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from smallcrm.cli.context import CliError, err, guarded, state
from smallcrm.cli.dataio import store_options
from smallcrm.cli.feedback import progress_bar
from smallcrm.store import formats
from smallcrm.store.validate import MAX_ID

import_subcommands = typer.Typer(help="Import batches: list them, undo one.")


@import_subcommands.command("list")
@guarded
def list_imports(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="At most this many.")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Write one JSON array.")] = False,
) -> None:
    """List the latest imports, newest first, with what each did."""
    from smallcrm.cli import views
    from smallcrm.cli.output import Column, is_terminal, write_json_array, write_table
    from smallcrm.store.io import list_batches

    batches = list_batches(state(ctx).db(), limit=limit)
    if as_json:
        write_json_array(_batch_json(b) for b in batches)
        return
    if not batches:
        err("No imports yet. Import a file with: smallcrm import FILE")
        return
    table = (
        Column("Batch", 6, "right"),
        Column("When", 20),
        Column("By", 12),
        Column("File", 30),
        Column("Kind", 11),
        Column("Created", 7, "right"),
        Column("Updated", 7, "right"),
        Column("Unchanged", 9, "right"),
        Column("Invalid", 7, "right"),
        Column("Undone", 20),
    )
    rows = [
        [
            b.id,
            formats.when(b.started_at),
            b.actor,
            b.source,
            views.shell_kind(b.kind),
            b.created,
            b.updated,
            b.unchanged,
            b.invalid,
            formats.when(b.undone_at),
        ]
        for b in batches
    ]
    write_table(table, rows, terminal=is_terminal(sys.stdout))


def _batch_json(batch: Any) -> dict[str, Any]:
    from smallcrm.cli import views

    return {
        "batch": batch.id,
        "started_at": views.iso(batch.started_at),
        "finished_at": views.iso(batch.finished_at),
        "actor": batch.actor,
        "source": batch.source,
        "format": batch.file_format,
        "kind": views.shell_kind(batch.kind),
        "created": batch.created,
        "updated": batch.updated,
        "unchanged": batch.unchanged,
        "invalid": batch.invalid,
        "undone_at": views.iso(batch.undone_at),
        "undone_by": batch.undone_by,
    }


@import_subcommands.command("undo")
@guarded
def undo_import(
    ctx: typer.Context,
    batch: Annotated[
        int, typer.Argument(metavar="BATCH", min=1, max=MAX_ID, help="The import's number.")
    ],
) -> None:
    """Undo an import: delete what it created, put back what it changed."""
    from smallcrm.store.errors import NotFoundError
    from smallcrm.store.io import undo_import as run_undo

    db = state(ctx).db()
    try:
        with store_options(), progress_bar(f"Undoing import {batch}") as progress:
            report = run_undo(db, batch, progress=progress)
    except NotFoundError:
        raise CliError(f"no import {batch}. See the imports with: smallcrm import list") from None
    print(report.summary())
    for note in report.notes:
        print(f"  {note}")
