"""``smallcrm privacy export PERSON`` (everything held about a person, as JSON) and
``smallcrm privacy erase PERSON`` (their personal data removed everywhere, after a question).

PERSON is a contact's id, email, phone number or name, as for the other commands; an id also
reaches a contact in the trash, which still holds personal data.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from smallcrm.cli.context import CliError, err, guarded, lookup, state
from smallcrm.cli.core import EXIT_ERROR
from smallcrm.store.validate import record_id

if TYPE_CHECKING:
    from smallcrm.store.db import Database
    from smallcrm.store.privacy_backups import BackupsHolding

app = typer.Typer(
    help="Export or erase everything held about a person (data protection requests).",
    no_args_is_help=True,
)

PersonArgument = Annotated[
    str,
    typer.Argument(
        metavar="PERSON",
        help="The contact's id, email, phone number or name.",
        show_default=False,
    ),
]


def _person(db: Database, ref: str, command: str) -> tuple[int, dict[str, Any]]:
    """The contact ``ref`` names and everything held about them (``export_person``)."""
    from smallcrm.store.errors import NotFoundError
    from smallcrm.store.privacy import export_person

    try:
        hit = lookup(
            db, ref, ("contact",), option="PERSON", how=f"smallcrm privacy {command} {{ref}}"
        )
    except CliError:
        # An id may name a contact in the trash: it still holds personal data.
        text = ref.strip().lstrip("#")
        if not (text.isascii() and text.isdigit()):
            raise
        number = record_id("PERSON", text)
        try:
            return number, export_person(db, number)
        except NotFoundError:
            raise CliError(f"PERSON: no contact with id {text} (not in the trash either)") from None
    return hit.record_id, export_person(db, hit.record_id)


def _name(contact: dict[str, Any]) -> str:
    name = " ".join(p for p in (contact.get("first_name"), contact.get("last_name")) if p)
    return name or f"contact {contact.get('id')}"


def _counts(data: dict[str, Any]) -> str:
    parts = [
        (len(data["interactions"]), "interaction"),
        (len(data["opportunities"]), "deal"),
        (len(data["appointments"]), "appointment"),
        (len(data["history"]), "history entry"),
    ]
    return ", ".join(f"{n} {_plural(word, n)}" for n, word in parts)


def _many(items: list[Any], word: str) -> str:
    return f"{len(items)} {_plural(word, len(items))}"


def _plural(word: str, count: int) -> str:
    if count == 1:
        return word
    return word[:-1] + "ies" if word.endswith("y") else word + "s"


@app.command("export", no_args_is_help=True)
@guarded
def export(
    ctx: typer.Context,
    person: PersonArgument,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            allow_dash=True,
            help="Write to this file (default: standard output).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Write everything held about a person as JSON (records, history, imports).

    The contact (also from the trash) with its emails, phones and consent,
    contacts merged into it, its interactions, deals and appointments, the
    history of all of these, and the imports that brought or changed it.
    """
    from smallcrm.cli.output import dumps
    from smallcrm.cli.streams import is_stdout, output_stream

    db = state(ctx).db()
    contact_id, data = _person(db, person, "export")
    with output_stream(output, db=db) as out:
        out.write(dumps(data) + "\n")
    if not is_stdout(output):
        print(
            f"Wrote everything held about {_name(data['contact'])} (contact {contact_id}) "
            f"to {output}: {_counts(data)}"
        )


ScrubOption = Annotated[
    bool,
    typer.Option(
        "--scrub-backups",
        help="Erase them from the backups that still hold them too (the default with --yes).",
        show_default=False,
    ),
]
DeleteOption = Annotated[
    bool,
    typer.Option(
        "--delete-old-backups",
        help="Delete the backups that still hold them (all made before the erasure).",
        show_default=False,
    ),
]
KeepOption = Annotated[
    bool,
    typer.Option(
        "--keep-backups",
        help="Leave those backups as they are (they are listed).",
        show_default=False,
    ),
]


@app.command("erase", no_args_is_help=True)
@guarded
def erase(
    ctx: typer.Context,
    person: PersonArgument,
    yes: Annotated[
        bool,
        typer.Option("--yes", "-y", help="Erase without asking (for scripts).", show_default=False),
    ] = False,
    scrub_backups: ScrubOption = False,
    delete_old_backups: DeleteOption = False,
    keep_backups: KeepOption = False,
) -> None:
    """Erase a person's personal data everywhere, for good (asks first).

    Deletes the contact with its emails and phones (and contacts merged into it).
    Keeps their interactions and appointments anonymised, their deals unlinked.
    Clears the old values in their history; removes their name, emails and
    numbers from every other text. The history records that an erasure happened.

    Backups made before (in backups/ beside the database, and the copies a
    restore kept) still hold the person: they are listed, and scrubbed (the same
    erasure in each, checked), deleted or kept, as asked; with --yes and no
    choice, they are scrubbed.
    """
    from smallcrm.cli.feedback import confirm
    from smallcrm.store.privacy_backups import erase_everywhere, find_backups_holding

    chosen = _backup_flag(scrub_backups, delete_old_backups, keep_backups)
    db = state(ctx).db()
    contact_id, data = _person(db, person, "erase")
    name = _name(data["contact"])
    holding = find_backups_holding(db, contact_id)
    _describe(contact_id, name, data, holding)
    refusal = (
        "erasing cannot be undone, so it asks first, and there is no terminal to ask on; "
        "add --yes to erase without asking"
    )
    if not confirm(f"Erase {name} (contact {contact_id}) for good?", yes=yes, refusal=refusal):
        err("Nothing was erased.")
        raise typer.Exit(EXIT_ERROR)
    choice = _backup_choice(holding, chosen, ask=not yes)
    done = erase_everywhere(db, contact_id, backups=choice)
    print(f"Erased {name}: {done.report.summary()}")
    for line in done.backups.lines():
        print(line)


def _backup_flag(scrub: bool, delete: bool, keep: bool) -> str | None:
    """The choice the flags make, if any; two of them contradict each other."""
    chosen = [word for word, flag in (("scrub", scrub), ("delete", delete), ("keep", keep)) if flag]
    if len(chosen) > 1:
        raise typer.BadParameter(
            "choose one of --scrub-backups, --delete-old-backups and --keep-backups"
        )
    return chosen[0] if chosen else None


def _backup_choice(holding: BackupsHolding, chosen: str | None, *, ask: bool) -> str:
    """Scrub, delete or keep the backups holding the person: the flag's choice, else the
    answer at a terminal, else scrubbing (the one that neither keeps their data nor loses
    the backups)."""
    from smallcrm.cli.feedback import choose, stdin_is_terminal

    if chosen or not holding.paths:
        return chosen or "keep"
    if not ask or not stdin_is_terminal():
        return "scrub"
    question = (
        "The backup holding them: scrub it, delete it, or keep it as it is?"
        if len(holding.paths) == 1
        else f"The {len(holding.paths)} backups holding them: scrub them, delete them, or keep "
        "them as they are?"
    )
    return choose(
        question,
        ("scrub", "delete", "keep"),
        default="scrub",
    )


def _backup_lines(holding: BackupsHolding) -> list[str]:
    """Which backups still hold the person, and what can be done with them."""
    if holding.paths:
        hold = "holds" if len(holding.paths) == 1 else "hold"
        lines = [
            f"{_many(list(holding.paths), 'backup')} made before still {hold} them (they can be "
            "scrubbed, deleted or kept):"
        ]
        lines += [f"  {path}" for path in holding.paths]
    else:
        lines = ["No backup that smallcrm keeps holds them."]
    lines += [f"  could not be searched (look yourself): {path}" for path in holding.unreadable]
    return [*lines, f"  ({holding.unsearched})"]


def _describe(contact_id: int, name: str, data: dict[str, Any], holding: BackupsHolding) -> None:
    """What the erasure will touch, before the question."""
    contact = data["contact"]
    methods = [m["value"] for m in contact.get("emails", []) + contact.get("phones", [])]
    merged = data["merged_contacts"]
    lines = [
        f"This erases {name} (contact {contact_id}) for good:",
        "  the contact" + (f" with {', '.join(methods)}" if methods else ""),
    ]
    if merged:
        lines.append(f"  {_many(merged, 'contact')} merged into it earlier, with their details")
    lines.append(
        f"  {_many(data['interactions'], 'interaction')} and "
        f"{_many(data['appointments'], 'appointment')}: kept for your figures, anonymised"
    )
    lines.append(f"  {_many(data['opportunities'], 'deal')}: kept, no longer linked to them")
    lines.append(
        f"  {_many(data['history'], 'history entry')}: who and when are kept, the old values "
        "are not"
    )
    lines.append("  their name, emails and phone numbers are removed from every other text")
    lines += _backup_lines(holding)
    lines.append(
        f"It cannot be undone. To keep a copy first: smallcrm privacy export {contact_id} -o FILE"
    )
    for line in lines:
        print(line)
