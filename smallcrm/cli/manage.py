"""``smallcrm delete|restore KIND ID`` (the trash) and ``smallcrm demo`` (sample data).

``smallcrm restore FILE`` (one argument) is the database restore of ``smallcrm.cli.maintenance``,
routed there by ``smallcrm.cli.routing``.
"""

from __future__ import annotations

from typing import Annotated

import typer

from smallcrm.cli.context import CliError, guarded, state
from smallcrm.cli.maintenance import restore_subcommands
from smallcrm.cli.routing import routed
from smallcrm.store.validate import MAX_ID


def _complete_kind(incomplete: str) -> list[str]:
    from smallcrm.store import kinds

    return [word for word in kinds.words() if word.startswith(incomplete)]


KindArgument = Annotated[
    str,
    typer.Argument(
        help="contact, account, deal, appointment or interaction.",
        autocompletion=_complete_kind,
    ),
]
IdArgument = Annotated[
    int, typer.Argument(metavar="ID", min=1, max=MAX_ID, help="The record's id.")
]


@guarded
def delete(ctx: typer.Context, kind: KindArgument, record_id: IdArgument) -> None:
    """Move a record to the trash (smallcrm restore brings it back)."""
    from smallcrm.store import kinds

    chosen = kinds.from_word(kind)
    db = state(ctx).db()
    services = chosen.services
    record = services.get(db, record_id)
    services.delete(db, record_id)
    print(
        f"Moved {chosen.word} {record_id} ({services.title(record)}) to the trash; "
        f"undo with: smallcrm restore {chosen.word} {record_id}"
    )


@routed(restore_subcommands, whole_line="backup")
@guarded
def restore(ctx: typer.Context, kind: KindArgument, record_id: IdArgument) -> None:
    """Bring a record back from the trash (KIND ID), or the database from a backup (FILE).

    smallcrm restore contact 12: contact 12 back from the trash.

    smallcrm restore FILE: the database replaced by a backup (smallcrm backup).
    The file is checked first; the current database is kept aside (it says where);
    it asks first unless --yes. More: smallcrm restore FILE --help
    """
    from smallcrm.store import kinds

    chosen = kinds.from_word(kind)
    services = chosen.services
    record = services.restore(state(ctx).db(), record_id)
    print(f"Restored {chosen.word} {record_id} ({services.title(record)})")


@guarded
def demo(
    ctx: typer.Context,
    force: Annotated[
        bool, typer.Option("--force", help="Add the sample data even if the database has data.")
    ] = False,
) -> None:
    """Fill the database with sample contacts, accounts, deals and appointments to try things."""
    try:
        from smallcrm.store.demo import load_demo
    except ModuleNotFoundError as exc:
        if exc.name != "smallcrm.store.demo":
            raise
        raise CliError("demo data is not available in this installation") from None
    from smallcrm.store.errors import ValidationError

    db = state(ctx).db()
    try:
        counts = load_demo(db, force=force)
    except ValidationError as exc:
        hint = "" if force or "--force" in exc.message else " (add --force to load it anyway)"
        raise CliError(f"{exc.message}{hint}") from None
    summary = ", ".join(f"{count} {kind}" for kind, count in counts.items())
    where = db.path or "the database"  # a URL may carry a password: not echoed
    print(f"Loaded demo data into {where}: {summary or 'nothing'}")
