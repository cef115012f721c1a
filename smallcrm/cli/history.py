"""``smallcrm history KIND ID``: who changed what in one record, and when."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

from smallcrm.cli.context import CliError, guarded, lookup, state
from smallcrm.store import formats
from smallcrm.store.validate import record_id

if TYPE_CHECKING:
    from smallcrm.store.db import Database
    from smallcrm.store.records import AuditEntry

IMPORT_WORD = "import"  # imports have a history too, though they are no kind of record
LONG_VALUE = 200  # characters of one old or new value shown; --json has them whole


def _words() -> tuple[str, ...]:
    from smallcrm.store import kinds

    return (*kinds.words(), IMPORT_WORD)


def _complete_kind(incomplete: str) -> list[str]:
    return [word for word in _words() if word.startswith(incomplete)]


@guarded
def history(
    ctx: typer.Context,
    kind: Annotated[
        str,
        typer.Argument(
            metavar="KIND",
            help="contact, account, deal, appointment, interaction or import.",
            autocompletion=_complete_kind,
            show_default=False,
        ),
    ],
    ref: Annotated[
        str,
        typer.Argument(
            metavar="ID",
            help="The record's id (also of one deleted or erased), or its name.",
            show_default=False,
        ),
    ],
    limit: Annotated[
        int | None,
        typer.Option("--limit", "-n", min=1, help="Only the latest this many changes."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Write one JSON array.")] = False,
) -> None:
    """Show the history of a record, oldest first: smallcrm history contact 12"""
    from smallcrm.store.audit import history as read_history

    word, store_kind = _kind(kind)
    db = state(ctx).db()
    record_id, title = _record(db, word, store_kind, ref)
    entries = read_history(db, store_kind, record_id, limit=limit)
    if as_json:
        from smallcrm.cli.output import write_json_array

        write_json_array(entry_json(e, word) for e in entries)
        return
    if not entries:
        if title is None:
            raise CliError(f"no {word} with id {record_id}, and no history for that id")
        print(f"No history for {word} {record_id} ({title}).")
        return
    _write_entries(word, record_id, title, entries)


def _kind(text: str) -> tuple[str, str]:
    """(the user's word, the audit trail's kind) for KIND: a kind of record, or ``import``."""
    from smallcrm.store import kinds
    from smallcrm.store.errors import ValidationError

    typed = text.strip().lower()
    if len(typed) >= 2 and IMPORT_WORD.startswith(typed):
        return IMPORT_WORD, "import_batch"
    try:
        chosen = kinds.from_word(text, field_name="KIND")
    except ValidationError:
        raise CliError(f"KIND: {text!r} is not one of {', '.join(_words())}") from None
    return chosen.word, chosen.name


def _record(db: Database, word: str, store_kind: str, ref: str) -> tuple[int, str | None]:
    """The id ``ref`` names and the record's title (None when it no longer exists)."""
    text = ref.strip().lstrip("#")
    if text.isascii() and text.isdigit():
        number = record_id("ID", text)
        return number, _title(db, store_kind, number)
    if store_kind == "import_batch":
        raise CliError(f"ID: give the {word}'s number; see them with: smallcrm import list")
    hit = lookup(db, ref, (store_kind,), option="ID", how=f"smallcrm history {word} {{ref}}")
    return hit.record_id, hit.title


def _title(db: Database, store_kind: str, record_id: int) -> str | None:
    """The live record's title, or None (deleted for good, in the trash, or erased)."""
    from smallcrm.store.errors import NotFoundError

    try:
        if store_kind == "import_batch":
            from smallcrm.store.io import get_batch

            return get_batch(db, record_id).source
        from smallcrm.store.resolve import by_id

        return by_id(db, record_id, (store_kind,)).title
    except NotFoundError:
        return None


def entry_json(entry: AuditEntry, word: str) -> dict[str, Any]:
    """One history entry for scripts: ``changes`` maps each field to ``[old, new]``."""
    from smallcrm.cli import views

    return {
        "id": entry.id,
        "at": views.iso(entry.at),
        "actor": entry.actor,
        "action": entry.action,
        "kind": word,
        "record_id": entry.record_id,
        "changes": entry.changes,
    }


def _write_entries(word: str, record_id: int, title: str | None, entries: list[Any]) -> None:
    from smallcrm.cli.output import is_terminal, write_fields

    about = f" ({title})" if title else " (no longer in the database, or in the trash)"
    count = f"{len(entries)} " + ("entry" if len(entries) == 1 else "entries")
    print(f"History of {word} {record_id}{about}: {count}\n")
    terminal = is_terminal(sys.stdout)
    for entry in entries:
        heading = f"{formats.when(entry.at)}  {entry.actor}  {entry.action}"
        write_fields(heading, _change_lines(entry.kind, entry.changes), terminal=terminal)


def _change_lines(kind: str, changes: dict[str, list[Any]]) -> list[tuple[str, str]]:
    from smallcrm.store.audit import readable_changes

    return [
        (c.field, c.new if c.old is None else f"{c.old} -> {c.new}")
        for c in readable_changes(kind, changes, LONG_VALUE)
    ]
