"""``smallcrm backup``, ``smallcrm restore FILE`` and ``smallcrm doctor``: a checked copy of the
database, putting one back, and the database's health."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from smallcrm.cli.context import CliError, err, guarded, state
from smallcrm.cli.core import EXIT_ERROR


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
        bool,
        typer.Option(
            "--repair",
            help="Rebuild the search index and the roll-ups if out of step; merge a search "
            "index in many pieces.",
        ),
    ] = False,
) -> None:
    """Check the database: who may use it, free space, the file, its links, the search
    index and the dashboard's roll-ups; say what is wrong and how to repair it."""
    import sqlite3

    from smallcrm.store import doctor as checks
    from smallcrm.store import search_upkeep
    from smallcrm.store.search import rebuild_index

    try:
        db = state(ctx).db()
    except (sqlite3.DatabaseError, OSError) as exc:
        # Not even opened: the file, its folder and its disk still say what is wrong.
        path = _database_file(state(ctx).target)
        if path is None or not path.is_file():
            raise
        _report(checks.doctor_unopened(path, exc))
        raise  # every check passed, yet it cannot be opened: SQLite's words say why
    findings = checks.doctor(db)
    by_check = {finding.check: finding for finding in findings}
    if repair and by_check["integrity"].ok and not by_check["search index"].ok:
        rebuild_index(db)
        print("Rebuilt the search index.")
        findings = checks.doctor(db)
        by_check = {finding.check: finding for finding in findings}
    if repair and by_check["search index"].ok and search_upkeep.fragmented(db):
        # one segment is the fastest to search; short steps, so other writers go on between
        search_upkeep.merge(db)
        print("Merged the search index.")
        findings = checks.doctor(db)
        by_check = {finding.check: finding for finding in findings}
    if repair and "roll-ups" in by_check and not by_check["roll-ups"].ok:
        from smallcrm.store.rollups import rebuild_all

        rebuild_all(db)
        print("Rebuilt the dashboard's roll-ups.")
        findings = checks.doctor(db)
    _warn_unattended_reminders(db, state(ctx).target)
    _report(findings)


def _warn_unattended_reminders(db: Any, target: str | None) -> None:
    """Reminders are due but ``remind --due`` has not run for a day: say how to schedule it."""
    import shlex
    import sys

    from smallcrm.store.crud import current_user
    from smallcrm.store.reminder_delivery import unattended

    waiting = unattended(db, current_user())
    if waiting:
        from smallcrm.store.db import redact_url

        named = str(db.path.resolve()) if db.path is not None else redact_url(db.url)
        where = f" --db {shlex.quote(named)}" if target else ""
        program = shlex.quote(sys.argv[0]) if sys.argv[0].endswith("smallcrm") else "smallcrm"
        print(
            f"warn reminders: {waiting} due, but smallcrm remind --due has not run in the last "
            f"24 hours; add this line with crontab -e:\n"
            f"     */5 * * * * {program}{where} remind --due"
        )


def _report(findings: list[Any]) -> None:
    """Print each finding, with its repair when it failed; exit 1 if any failed."""
    for finding in findings:
        mark = "ok  " if finding.ok else "FAIL"
        mark = mark if finding.checked else "skip"
        print(f"{mark} {finding.check}: {finding.detail}")
        if finding.repair and not finding.ok:
            print(f"     repair: {finding.repair}")
    failed = {finding.check for finding in findings if not finding.ok}
    if failed & {"integrity", "links", "search index"}:
        raise CliError("the database needs repair (see above)")
    if failed:
        sound = any(f.check == "integrity" and f.ok and f.checked for f in findings)
        raise CliError(
            ("the database file is sound, but " if sound else "")
            + "it cannot be used as it is: fix what is named above, then run smallcrm doctor "
            "again"
        )


def _database_file(target: str | None) -> Path | None:
    """The SQLite file the command line names, or None for PostgreSQL."""
    from smallcrm.store.db import dialect_of, resolve_url, sqlite_path

    url = resolve_url(target)
    return sqlite_path(url) if dialect_of(url) == "sqlite" else None


# --- restore FILE ----------------------------------------------------------------------------

# ``smallcrm restore FILE`` routes here from the trash's ``smallcrm restore KIND ID``
# (smallcrm/cli/manage.py); ``smallcrm restore backup FILE`` says the same in words.
restore_subcommands = typer.Typer(help="Replace the database with a backup.")


@restore_subcommands.command("backup")
@guarded
def restore_backup(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FILE",
            help="A backup made by smallcrm backup (or another smallcrm database file).",
            show_default=False,
        ),
    ],
    yes: Annotated[
        bool,
        typer.Option(
            "--yes", "-y", help="Replace the database without asking.", show_default=False
        ),
    ] = False,
) -> None:
    """Replace the database with a backup: smallcrm restore FILE

    The backup is checked first (integrity, and that it is a smallcrm database);
    if it fails, nothing is touched. The current database is kept beside it as
    NAME.before-restore-TIME.db, and the command says where. Close the app
    everywhere first. SQLite files only: on PostgreSQL, use pg_restore.
    A record in the trash comes back with smallcrm restore KIND ID.
    """
    from smallcrm.cli.feedback import confirm
    from smallcrm.store import maintenance
    from smallcrm.store.errors import ValidationError

    target = _sqlite_target(state(ctx).target)
    source = file.expanduser()
    _check_source(source, target)
    exists = target.exists()
    _show_plan(target, source, exists)
    if exists and maintenance.open_elsewhere(target):
        raise CliError(
            f"{target} is open in another program (the app, or a command still running); "
            "close it everywhere, then restore again. Nothing was changed."
        )
    question = (
        "Replace the database with the backup (the current one is kept aside)?"
        if exists
        else f"There is no database at {target}; create it from the backup?"
    )
    refusal = (
        "restore replaces the whole database, so it asks first, and there is no terminal to ask "
        "on; add --yes to restore without asking"
    )
    if not confirm(question, yes=yes, refusal=refusal):
        err("Nothing was restored.")
        raise typer.Exit(EXIT_ERROR)
    try:
        kept = maintenance.restore(target, source)
    except ValidationError as exc:  # someone opened it meanwhile
        raise CliError(exc.message) from None
    print(f"Restored {target} from {source} (checked: sound).")
    if kept.exists():
        print(f"The database it replaced is kept as {kept}; to go back: smallcrm restore {kept}")


def _show_plan(target: Path, source: Path, exists: bool) -> None:
    """What is replaced by what, each in a few words, so the question can be answered."""
    from smallcrm.store.maintenance import describe

    print(f"Replace  {target}")
    print(f"         {describe(target) if exists else '(no such file yet)'}")
    print(f"with     {source}")
    print(f"         {describe(source)}")


def _sqlite_target(target: str | None) -> Path:
    """The database file to replace, without opening it (opening could create or migrate it)."""
    from smallcrm.cli.core import check_url
    from smallcrm.store.db import resolve_url

    url = resolve_url(target)
    check_url(url)
    path = _database_file(target)
    if path is None and url.startswith("postgres"):
        raise CliError(
            "restore replaces an SQLite database file, and this database is on a PostgreSQL "
            "server: restore it from your pg_dump with pg_restore"
        )
    if path is None:
        raise CliError("restore replaces a database file: give its path with --db PATH")
    return path


def _check_source(source: Path, target: Path) -> None:
    """Refuse, saying why and what to do, a FILE that is not a backup this can restore."""
    from smallcrm.store import maintenance
    from smallcrm.store.errors import ValidationError

    if not source.exists():
        raise CliError(f"FILE: no file {source}{_missing_hint(source, target)}")
    if source.is_dir():
        newest = sorted(
            source.glob(f"*{maintenance.BACKUP_SUFFIX}"), key=lambda path: path.stat().st_mtime
        )
        hint = f"; the newest backup there is {newest[-1]}" if newest else ""
        raise CliError(f"FILE: {source} is a folder; give one backup file{hint}")
    if source.resolve() == target.resolve():
        raise CliError(f"FILE: {source} is the database itself; give a backup of it")
    try:
        maintenance.check_backup(source)
    except ValidationError as exc:
        raise CliError(f"FILE: {exc.message}. Nothing was changed.") from None


def _missing_hint(source: Path, target: Path) -> str:
    """For a FILE that does not exist: the trash's usage if it looks like a kind or an id,
    else where the backups are."""
    from smallcrm.store.kinds import words
    from smallcrm.store.maintenance import list_backups

    word = str(source)
    if word in words() or word.isdigit():
        kind = word if not word.isdigit() else "KIND"
        return (
            f". To bring a record back from the trash give its kind and id: "
            f"smallcrm restore {kind} ID"
        )
    backups = list_backups(target.parent / "backups", target.stem)
    if backups:
        return f". The newest backup of this database is {backups[-1]}"
    return ". smallcrm backup makes backups (in backups/ beside the database)"
