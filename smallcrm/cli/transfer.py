"""``smallcrm migrate-to URL``: copy the whole CRM into another (empty) database."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from smallcrm.cli.context import guarded, state


@guarded
def migrate_to(
    ctx: typer.Context,
    target: Annotated[
        str,
        typer.Argument(
            metavar="URL",
            help="The new database: postgresql+psycopg://USER@HOST/NAME (or a file path).",
            show_default=False,
        ),
    ],
) -> None:
    """Copy every record, with its history, into an empty database (e.g. PostgreSQL).

    The database you use now (--db / SMALLCRM_DB) is only read. The target must exist and be
    empty; the copy is one transaction there, so a failure leaves it empty. Afterwards point
    everyone at the new database: export SMALLCRM_DB=URL.
    """
    from smallcrm.store.db import open_database
    from smallcrm.store.transfer import TABLES, copy_database, describe_target

    source = state(ctx).db()
    shown = describe_target(target)
    destination = open_database(target)
    try:
        interactive = sys.stderr.isatty()

        def progress(table: str, done: int) -> None:
            if interactive:
                sys.stderr.write(f"\r  {table.replace('_', ' ')}: {done:,} rows   ")
                sys.stderr.flush()

        result = copy_database(source, destination, progress)
    finally:
        destination.close()
    if interactive:
        sys.stderr.write("\r" + " " * 60 + "\r")
    copied = ", ".join(
        f"{result.counts[t]:,} {label}"
        for t, label in (
            ("contact", "contacts"),
            ("account", "accounts"),
            ("interaction", "interactions"),
            ("opportunity", "deals"),
            ("appointment", "appointments"),
            ("audit_entry", "history entries"),
        )
        if t in TABLES
    )
    print(f"Copied {result.total:,} rows to {shown}: {copied}.")
    print("The old database is unchanged. Use the new one with: export SMALLCRM_DB=URL")
