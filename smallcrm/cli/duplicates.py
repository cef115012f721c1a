"""``smallcrm duplicates`` (likely duplicate contacts or accounts) and ``smallcrm merge KEEP
OTHER`` (field by field, after a preview and a question), undone with ``merge undo MERGE_ID``.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

from smallcrm.cli.context import CliError, err, guarded, lookup, state
from smallcrm.cli.core import EXIT_ERROR
from smallcrm.cli.routing import routed
from smallcrm.store.validate import MAX_ID

if TYPE_CHECKING:
    from smallcrm.store.db import Database
    from smallcrm.store.duplicates import DuplicatePair
    from smallcrm.store.merging import FieldChoice

COMBINED = ("emails", "phones", "tags", "notes")  # fields whose values can be joined ("both")
FIELD_WORDS = {
    "account": "account_id",
    "email": "emails",
    "phone": "phones",
    "tag": "tags",
    "note": "notes",
    "name": ("first_name", "last_name"),
    "email_consent": "email_opt_in",
    "phone_consent": "phone_opt_in",
}
SHOWN_VALUE = 60  # characters of a value in the preview

AccountsOption = Annotated[
    bool, typer.Option("--accounts", help="Accounts instead of contacts.", show_default=False)
]


# --- duplicates ------------------------------------------------------------------------------


@guarded
def duplicates(
    ctx: typer.Context,
    accounts: AccountsOption = False,
    min_score: Annotated[
        int,
        typer.Option(
            "--min-score", min=0, max=100, help="Only pairs scoring at least this (0-100)."
        ),
    ] = 60,
    limit: Annotated[
        int, typer.Option("--limit", "-n", min=1, help="At most this many pairs, best first.")
    ] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Write one JSON array.")] = False,
) -> None:
    """List likely duplicate contacts (or accounts) with a score and the reasons."""
    from smallcrm.cli.feedback import progress_bar
    from smallcrm.store.duplicates import find_duplicates

    kind = "account" if accounts else "contact"
    db = state(ctx).db()
    with progress_bar(f"Comparing {kind}s", show=not as_json, transient=True) as progress:
        pairs = find_duplicates(db, kind, min_score=min_score, limit=limit, progress=progress)
    if as_json:
        from smallcrm.cli.output import write_json_array

        write_json_array(pair_json(p) for p in pairs)
        return
    if not pairs:
        err(f"No likely duplicate {kind}s (none scores {min_score} or more).")
        return
    _write_pairs(pairs)
    flag = " --accounts" if accounts else ""
    err(f"Merge a pair with: smallcrm merge KEEP OTHER{flag} (it shows the changes and asks first)")


def pair_json(pair: DuplicatePair) -> dict[str, Any]:
    """A likely duplicate pair for scripts."""
    return {
        "kind": pair.kind,
        "score": pair.score,
        "keep": {"id": pair.keep_id, "name": pair.keep_label},
        "other": {"id": pair.other_id, "name": pair.other_label},
        "reasons": list(pair.reasons),
    }


def _write_pairs(pairs: list[DuplicatePair]) -> None:
    from smallcrm.cli.output import Column, is_terminal, write_table

    columns = (
        Column("Score", 5, "right"),
        Column("Keep", 7, "right"),
        Column("Name", 28),
        Column("Other", 7, "right"),
        Column("Name", 28),
        Column("Why", 60),
    )
    rows = [
        [p.score, p.keep_id, p.keep_label, p.other_id, p.other_label, "; ".join(p.reasons)]
        for p in pairs
    ]
    write_table(columns, rows, terminal=is_terminal(sys.stdout))


# --- merge -----------------------------------------------------------------------------------

merge_subcommands = typer.Typer(help="Undo a merge.")


KeepArgument = Annotated[
    str,
    typer.Argument(metavar="KEEP", help="The record to keep (id or name).", show_default=False),
]
OtherArgument = Annotated[
    str,
    typer.Argument(
        metavar="OTHER",
        help="The record merged into it, then moved to the trash (id or name).",
        show_default=False,
    ),
]
TakeOption = Annotated[
    list[str] | None,
    typer.Option(
        "--take",
        metavar="FIELD[=other|keep|both]",
        help="Which record a field comes from: --take title=other (repeatable; "
        "FIELD alone means other). Emails, phones, tags and notes are combined by default.",
        show_default=False,
    ),
]
YesOption = Annotated[
    bool, typer.Option("--yes", "-y", help="Merge without asking.", show_default=False)
]


@routed(merge_subcommands)
@guarded
def merge(
    ctx: typer.Context,
    keep: KeepArgument,
    other: OtherArgument,
    take: TakeOption = None,
    accounts: AccountsOption = False,
    yes: YesOption = False,
) -> None:
    """Merge two contacts (or accounts) into one: smallcrm merge 12 31

    Shows each field that differs and where the merge takes it from, then asks.
    Interactions, deals and appointments move to the kept record.
    The other record goes to the trash; undo with smallcrm merge undo MERGE_ID.
    """
    from smallcrm.store.merging import merge as run_merge
    from smallcrm.store.merging import merge_preview

    kind = "account" if accounts else "contact"
    db = state(ctx).db()
    keep_hit = _find(db, kind, keep, other, "KEEP")
    other_hit = _find(db, kind, str(keep_hit.record_id), other, "OTHER")
    if keep_hit.record_id == other_hit.record_id:
        raise CliError(f"OTHER: KEEP and OTHER are the same {kind} ({keep_hit.record_id})")
    preview = merge_preview(db, keep_hit.record_id, other_hit.record_id, kind=kind)
    choices = parse_take(take or [], preview)
    _write_preview(db, kind, keep_hit, other_hit, preview, choices)
    _ask(kind, keep_hit, other_hit, yes)
    result = run_merge(db, keep_hit.record_id, other_hit.record_id, choices, kind=kind)
    moved = _moved_text(result.moved)
    print(
        f"Merged {kind} {other_hit.record_id} ({other_hit.title}) into {kind} "
        f"{keep_hit.record_id} ({keep_hit.title}){moved}; {kind} {other_hit.record_id} is "
        f"in the trash. Undo with: smallcrm merge undo {result.merge_id}"
    )


def _ask(kind: str, keep_hit: Any, other_hit: Any, yes: bool) -> None:
    """Go on only if the user says yes (or gave --yes); else exit 1, nothing merged."""
    from smallcrm.cli.feedback import confirm

    question = (
        f"Merge {kind} {other_hit.record_id} ({other_hit.title}) into {kind} "
        f"{keep_hit.record_id} ({keep_hit.title})?"
    )
    refusal = (
        "merge changes two records, so it asks first, and there is no terminal to ask on; "
        "add --yes to merge without asking"
    )
    if not confirm(question, yes=yes, refusal=refusal):
        err("Nothing was merged.")
        raise typer.Exit(EXIT_ERROR)


def _find(db: Database, kind: str, keep: str, other: str, option: str) -> Any:
    """KEEP or OTHER as a record; an ambiguity offers the whole command with an id."""
    import shlex

    flag = " --accounts" if kind == "account" else ""
    if option == "KEEP":
        ref, how = keep, f"smallcrm merge {{ref}} {shlex.quote(other)}{flag}"
    else:
        ref, how = other, f"smallcrm merge {shlex.quote(keep)} {{ref}}{flag}"
    return lookup(db, ref, (kind,), option=option, how=how)


def parse_take(items: list[str], preview: list[FieldChoice]) -> dict[str, str]:
    """``--take`` values as ``{field: keep|other|both}`` (names as the store spells them)."""
    fields = {choice.field for choice in preview}
    result: dict[str, str] = {}
    for item in items:
        word, _, side = item.partition("=")
        side = (side or "other").strip().lower()
        typed = word.strip().lower()
        # An account's name and phone are fields of their own; aliases are for contacts.
        names = typed if typed in fields else FIELD_WORDS.get(typed, typed)
        for name in (names,) if isinstance(names, str) else names:
            if name not in fields:
                known = ", ".join(sorted(fields))
                raise CliError(f"--take: {word.strip()!r} is not a field to merge; one of {known}")
            allowed = ("keep", "other", "both") if name in COMBINED else ("keep", "other")
            if side not in allowed:
                raise CliError(f"--take: {item!r}: say {name}={' or '.join(allowed)}")
            result[name] = side
    return result


def _write_preview(
    db: Database,
    kind: str,
    keep: Any,
    other: Any,
    preview: list[FieldChoice],
    choices: dict[str, str],
) -> None:
    """The fields that differ, each record's value and what the merged record takes."""
    from smallcrm.cli.output import Column, is_terminal, write_table

    differing = [c for c in preview if c.differs]
    print(
        f"Merging {kind} {other.record_id} ({other.title}) into {kind} {keep.record_id} "
        f"({keep.title}):"
    )
    if differing:
        columns = (
            Column("Field", 14),
            Column(f"Keep: {kind} {keep.record_id}", 40),
            Column(f"Other: {kind} {other.record_id}", 40),
            Column("Takes", 5),
        )
        rows = [
            [
                c.field,
                _shown(db, c.field, c.keep_value),
                _shown(db, c.field, c.other_value),
                choices.get(c.field, c.default),
            ]
            for c in differing
        ]
        write_table(columns, rows, terminal=is_terminal(sys.stdout))
    same = [c.field for c in preview if not c.differs and c.keep_value not in (None, "", [])]
    if same:
        print(f"The same in both: {', '.join(same)}")
    linked = _linked_counts(db, kind, other.record_id)
    if linked:
        print(f"Moving to {kind} {keep.record_id}: {linked}")


def _shown(db: Database, field: str, value: Any) -> str:
    """A field's value for the preview: accounts by name, lists joined, long text cut."""
    if value in (None, "", []):
        return ""
    if field == "account_id":
        from smallcrm.store.accounts import get_account
        from smallcrm.store.errors import NotFoundError

        try:
            return f"{get_account(db, value).name} ({value})"
        except NotFoundError:
            return str(value)
    if isinstance(value, list):
        text = ", ".join(f"{m.value} ({m.label})" for m in value)
    elif isinstance(value, bool):
        text = "yes" if value else "no"
    elif hasattr(value, "isoformat"):
        text = value.isoformat()
    else:
        text = " ".join(str(value).split())
    return text if len(text) <= SHOWN_VALUE else text[: SHOWN_VALUE - 3] + "..."


def _linked_counts(db: Database, kind: str, record_id: int) -> str:
    """``5 interactions, 1 deal`` linked to the record that goes (live ones)."""
    from smallcrm.store.appointments import list_appointments
    from smallcrm.store.interactions import list_interactions
    from smallcrm.store.listing import ListQuery
    from smallcrm.store.opportunities import list_opportunities

    if kind == "account":
        query = ListQuery(limit=1, account_id=record_id)
    else:
        query = ListQuery(limit=1, contact_id=record_id)
    counts = [
        (list_interactions(db, query).total, "interaction"),
        (list_opportunities(db, query).total, "deal"),
        (list_appointments(db, query).total, "appointment"),
    ]
    if kind == "account":
        from smallcrm.store.contacts import list_contacts

        counts.insert(0, (list_contacts(db, query).total, "contact"))
    return ", ".join(f"{n} {word}{'' if n == 1 else 's'}" for n, word in counts if n)


def _moved_text(moved: dict[str, int]) -> str:
    """`` (moved 5 interactions, 1 deal)`` from ``{"interaction.contact_id": 5, ...}``."""
    from smallcrm.store import kinds

    parts = []
    for link, count in moved.items():
        if count:
            kind = kinds.get(link.split(".")[0])
            parts.append(f"{count} {kind.word if count == 1 else kind.plural}")
    return f" (moved {', '.join(parts)})" if parts else ""


@merge_subcommands.command("undo")
@guarded
def undo_merge(
    ctx: typer.Context,
    merge_id: Annotated[
        int,
        typer.Argument(
            metavar="MERGE_ID", min=1, max=MAX_ID, help="The number smallcrm merge printed."
        ),
    ],
) -> None:
    """Undo a merge: the other record back from the trash with its links, the kept one as it
    was."""
    from smallcrm.store.audit import get_entry
    from smallcrm.store.errors import ConflictError, NotFoundError, ValidationError
    from smallcrm.store.merging import undo_merge as run_undo

    db = state(ctx).db()
    try:
        run_undo(db, merge_id)
    except NotFoundError:
        raise CliError(
            f"MERGE_ID: no merge {merge_id}; smallcrm merge printed the number to undo "
            "(smallcrm history contact ID lists a contact's merges)"
        ) from None
    except ValidationError as exc:
        raise CliError(f"MERGE_ID: {exc.message}") from None
    except ConflictError as exc:
        raise CliError(
            f"{exc.kind} {exc.record_id} was changed after the merge, so the merge cannot be "
            "undone without losing that change"
        ) from None
    entry = get_entry(db, merge_id)
    other_id = entry.changes.get("merged_from", [None, None])[1]
    print(
        f"Undid merge {merge_id}: {entry.kind} {other_id} is back with its links; "
        f"{entry.kind} {entry.record_id} is as it was before"
    )
