"""``smallcrm edit KIND ID FIELD=VALUE ...``: change fields of a record from the shell.

Values are parsed as ``smallcrm add`` and ``smallcrm log`` parse their options (dates, amounts,
stages, names of linked records), then saved through the store's ``update_*`` services, which
validate them and write the audit trail in the same transaction. With ``--if-version N`` the
change is saved only if the record is still at version N; otherwise nothing is written and
the command says who changed it since, and exits 1.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Annotated, Any

import typer

from smallcrm.cli.context import CliError, guarded, lookup, state
from smallcrm.cli.edit_report import conflict_message, report, user_field
from smallcrm.cli.edit_values import changes
from smallcrm.store import kinds
from smallcrm.store.kinds import Kind
from smallcrm.store.validate import record_id

if TYPE_CHECKING:
    from smallcrm.store.db import Database

LIST_FIELDS = ("email", "phone", "tag")
MAX_RETRIES = 3  # without --if-version, a save that raced another one is simply redone
ALIASES = {"tags": "tag", "emails": "email", "phones": "phone", "location": "where"}
_ASSIGNMENT = re.compile(r"^([A-Za-z][\w-]*?)(\+=|-=|=)(.*)$", re.DOTALL)


def _complete_kind(incomplete: str) -> list[str]:
    return [word for word in kinds.words() if word.startswith(incomplete)]


KindArgument = Annotated[
    str,
    typer.Argument(
        metavar="KIND",
        help="contact, account, deal, appointment or interaction.",
        autocompletion=_complete_kind,
        show_default=False,
    ),
]
RefArgument = Annotated[
    str,
    typer.Argument(metavar="ID", help="The record's id (or its name).", show_default=False),
]
AssignmentsArgument = Annotated[
    list[str],
    typer.Argument(
        metavar="FIELD=VALUE...",
        help=(
            'FIELD=VALUE sets a field (quote spaces: title="Head of Buying"); FIELD= '
            "empties it; email, phone and tag take a comma-separated list, and += adds "
            "to it, -= takes out of it."
        ),
        show_default=False,
    ),
]
IfVersionOption = Annotated[
    int | None,
    typer.Option(
        "--if-version",
        min=1,
        metavar="N",
        help="Save only if the record is still at version N (from show --json).",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the saved record as JSON.")]


@guarded
def edit(
    ctx: typer.Context,
    kind: KindArgument,
    ref: RefArgument,
    assignments: AssignmentsArgument,
    if_version: IfVersionOption = None,
    as_json: JsonOption = False,
) -> None:
    """Change fields of a record (the fields of each kind follow)."""
    chosen = kinds.from_word(kind)
    parsed = _parse_assignments(chosen, assignments)
    db = state(ctx).db()
    before, after = _save(db, chosen, _record_id(db, chosen, ref), parsed, if_version)
    report(chosen, before, after, as_json)


def _save(
    db: Database,
    kind: Kind[Any],
    record_id: int,
    parsed: list[tuple[str, str, str]],
    if_version: int | None,
) -> tuple[Any, Any]:
    """The record before and after the change; a save that raced another one is redone
    (read again), unless ``--if-version`` asked for that version only."""
    from smallcrm.store.errors import ConflictError, ValidationError

    for attempt in range(MAX_RETRIES):
        before = _get(db, kind, record_id)
        version = before.tracking.version
        try:
            if if_version is not None and version != if_version:
                raise ConflictError(kind.name, record_id, if_version, version)
            values = changes(db, kind, before, parsed)
            after = kind.services.update(db, record_id, if_version or version, **values)
        except ValidationError as exc:
            raise CliError(f"{user_field(kind, exc.field)}: {exc.message}") from None
        except ConflictError as exc:
            if if_version is None and attempt + 1 < MAX_RETRIES:
                continue  # someone saved between our read and our write: read again
            raise CliError(conflict_message(db, kind, exc)) from None
        break
    return before, after


def _help() -> str:
    """``edit``'s help, with the fields of every kind as the registry lists them."""
    import textwrap

    lines = [
        "Change fields of a record: smallcrm edit deal 12 stage=won amount=5000",
        "",
        "Fields (values as smallcrm add and log take them):",
    ]
    for kind in kinds.KINDS:
        text = f"{kind.word}: " + " ".join(f.name for f in kind.fields)
        lines += textwrap.wrap(text, 70, initial_indent="  ", subsequent_indent="    ")
    lines += [
        "A new start keeps an appointment's length; yes/no fields take yes or no.",
        "A conflict (--if-version) saves nothing and exits 1.",
    ]
    return "\n".join(lines)


edit.__doc__ = _help()


# --- the command line ----------------------------------------------------------------------


def _field_name(kind: Kind[Any], text: str) -> str:
    """The field ``text`` names (any case, - or _), or a CliError listing the fields."""
    name = text.strip().lower().replace("_", "-")
    name = ALIASES.get(name, name)
    if kind.field(name) is not None:
        return name
    import difflib

    names = [f.name for f in kind.fields]
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    hint = f" Did you mean {close[0]}?" if close else ""
    word = kind.word
    raise CliError(
        f"{text}: a {word} has no such field.{hint} Fields of a {word}: {', '.join(names)}"
    )


def _parse_assignments(kind: Kind[Any], assignments: list[str]) -> list[tuple[str, str, str]]:
    """``FIELD=VALUE`` words as (field, operator, value); a field set twice is an error."""
    parsed: list[tuple[str, str, str]] = []
    for text in assignments:
        match = _ASSIGNMENT.match(text)
        if match is None:
            raise CliError(
                f"{text!r} is not FIELD=VALUE; quote a value with spaces: "
                f'smallcrm edit {kind.word} ID title="Head of Buying"'
            )
        name = _field_name(kind, match[1])
        operator, value = match[2], match[3]
        if operator != "=" and name not in LIST_FIELDS:
            raise CliError(f"{name}: += and -= work on lists ({', '.join(LIST_FIELDS)}); use =")
        if operator == "=" and any(f == name and o == "=" for f, o, _ in parsed):
            raise CliError(f"{name}: given twice; say it once")
        parsed.append((name, operator, value))
    return parsed


def _record_id(db: Database, kind: Kind[Any], ref: str) -> int:
    text = ref.strip().lstrip("#")
    if text.isascii() and text.isdigit():
        return record_id("ID", text)
    how = f"smallcrm edit {kind.word} {{ref}}"
    return lookup(db, ref, (kind.name,), option="ID", how=how).record_id


def _get(db: Database, kind: Kind[Any], record_id: int) -> Any:
    from smallcrm.store.errors import NotFoundError

    try:
        return kind.services.get(db, record_id)
    except NotFoundError:
        raise CliError(
            f"no {kind.word} with id {record_id} (in the trash? smallcrm restore {kind.word} "
            f"{record_id}). See the ids with: smallcrm list {kind.plural}"
        ) from None
