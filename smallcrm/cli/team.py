"""``smallcrm init-shared PATH --group GROUP``: one database for a team on one machine."""

from __future__ import annotations

import shlex
import stat
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from smallcrm.cli.context import err, guarded

if TYPE_CHECKING:
    from smallcrm.store.team import SharedDatabase


@guarded
def init_shared(
    path: Annotated[
        Path,
        typer.Argument(
            metavar="PATH",
            help=(
                "A directory for the team's database (created; the file inside is "
                "smallcrm.db), or a database file ending in .db, .sqlite or .sqlite3 (its "
                "directory is the team's)."
            ),
            show_default=False,
        ),
    ],
    group: Annotated[
        str,
        typer.Option(
            "--group",
            "-g",
            metavar="GROUP",
            help="The Unix group of the team (you must be in it): e.g. sales.",
            show_default=False,
        ),
    ],
    fix: Annotated[
        bool,
        typer.Option(
            "--fix",
            help=(
                "If PATH exists with another group or looser permissions, give it the group "
                "and modes (only a directory holding nothing but the database)."
            ),
        ),
    ] = False,
) -> None:
    """Set up a database the members of a Unix group share, and nobody else can open.

    The directory gets the group and mode 2770 (drwxrws---, setgid: files made
    in it belong to the group), the database file mode 660 (-rw-rw----).
    SQLite gives its -wal and -shm files the database's mode, whatever each
    user's umask. Running it again checks the set-up; it prints what to tell
    the team (export SMALLCRM_DB=... in their shell profile).

    Example: smallcrm init-shared /srv/smallcrm --group sales
    """
    from smallcrm.store.team import init_shared as set_up

    result = set_up(path, group, fix=fix)
    _report(result)


def _report(result: SharedDatabase) -> None:
    directory, database, group = result.directory, result.database, result.group
    dir_mode = stat.filemode(directory.stat().st_mode)
    file_mode = stat.filemode(database.stat().st_mode)
    if result.created:
        made = " and ".join(
            f"the directory {directory}" if what == "directory" else f"the database {database}"
            for what in result.created
        )
        print(f"Created {made}.")
    for path in result.fixed:
        print(f"Fixed {path}: group {group}, {stat.filemode(path.stat().st_mode)}.")
    if not result.created and not result.fixed:
        print(f"Already set up: {database}.")
    print(
        f"{directory} is {dir_mode} and {database.name} is {file_mode}, group {group}: members "
        "of the group can read and change the database (with its -wal and -shm files); other "
        "users cannot open it."
    )
    for warning in result.warnings:
        err(f"Warning: {warning}")
    quoted_group, quoted_db = shlex.quote(group), shlex.quote(str(database))
    print(
        "\nTell each team member:\n"
        f"  1. Join the group (root does this): sudo usermod -aG {quoted_group} NAME\n"
        f"     then log out and back in (or run: newgrp {quoted_group}) so it takes effect.\n"
        "  2. Use this database: put this line in ~/.profile (or ~/.bashrc), then log in again:\n"
        f"       export SMALLCRM_DB={quoted_db}\n"
        "  3. Check it works: smallcrm doctor"
    )
    members = ", ".join(result.members) or "nobody yet"
    print(f"\nGroup {group} now: {members}.")
