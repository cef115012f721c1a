"""``smallcrm edit KIND ID FIELD=VALUE ...``: change fields of a record from the shell.

Values are parsed as ``smallcrm add`` and ``smallcrm log`` parse their options (dates, amounts,
stages, names of linked records), then saved through the store's ``update_*`` services, which
validate them and write the audit trail in the same transaction. With ``--if-version N`` the
change is saved only if the record is still at version N; otherwise nothing is written and
the command says who changed it since, and exits 1.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import typer

from smallcrm.cli.context import CliError, guarded, lookup, now, state
from smallcrm.store import formats, kinds
from smallcrm.store.kinds import LENGTH, LIST, RAW, TEXT, YES_NO, Kind
from smallcrm.store.validate import record_id

if TYPE_CHECKING:
    from smallcrm.store.db import Database
    from smallcrm.store.errors import ConflictError

LIST_FIELDS = ("email", "phone", "tag")
MAX_RETRIES = 3  # without --if-version, a save that raced another one is simply redone
CONFLICT_ENTRIES = 5  # changes by others listed in a conflict message
ALIASES = {"tags": "tag", "emails": "email", "phones": "phone", "location": "where"}
_ASSIGNMENT = re.compile(r"^([A-Za-z][\w-]*?)(\+=|-=|=)(.*)$", re.DOTALL)
_YES = {"yes", "y", "true", "on", "1"}
_NO = {"no", "n", "false", "off", "0"}


def _complete_kind(incomplete: str) -> list[str]:
    return [word for word in kinds.words() if word.startswith(incomplete)]


@guarded
def edit(
    ctx: typer.Context,
    kind: Annotated[
        str,
        typer.Argument(
            metavar="KIND",
            help="contact, account, deal, appointment or interaction.",
            autocompletion=_complete_kind,
            show_default=False,
        ),
    ],
    ref: Annotated[
        str,
        typer.Argument(metavar="ID", help="The record's id (or its name).", show_default=False),
    ],
    assignments: Annotated[
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
    ],
    if_version: Annotated[
        int | None,
        typer.Option(
            "--if-version",
            min=1,
            metavar="N",
            help="Save only if the record is still at version N (from show --json).",
        ),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the saved record as JSON.")
    ] = False,
) -> None:
    """Change fields of a record (the fields of each kind follow)."""
    from smallcrm.store.errors import ConflictError, ValidationError

    chosen = kinds.from_word(kind)
    parsed = _parse_assignments(chosen, assignments)
    db = state(ctx).db()
    record_id = _record_id(db, chosen, ref)
    for attempt in range(MAX_RETRIES):
        before = _get(db, chosen, record_id)
        version = before.tracking.version
        try:
            if if_version is not None and version != if_version:
                raise ConflictError(chosen.name, record_id, if_version, version)
            changes = _changes(db, chosen, before, parsed)
            after = chosen.services.update(db, record_id, if_version or version, **changes)
        except ValidationError as exc:
            raise CliError(f"{_user_field(chosen, exc.field)}: {exc.message}") from None
        except ConflictError as exc:
            if if_version is None and attempt + 1 < MAX_RETRIES:
                continue  # someone saved between our read and our write: read again
            raise CliError(_conflict_message(db, chosen, exc)) from None
        break
    _report(chosen, before, after, as_json)


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


# --- values --------------------------------------------------------------------------------


def _changes(
    db: Database, kind: Kind[Any], before: Any, parsed: list[tuple[str, str, str]]
) -> dict[str, Any]:
    """The store's keyword arguments for the assignments, read against the record as it is."""
    changes: dict[str, Any] = {}
    lists: dict[str, list[str]] = {}
    for name, operator, value in parsed:
        spec = kind.field(name)
        assert spec is not None  # checked by _field_name
        key, how = spec.column, spec.reader
        if how == LIST:
            current = lists.setdefault(name, _current_list(before, name))
            lists[name] = _apply_list(name, operator, value, current)
            changes[key] = lists[name]
        elif how != LENGTH:
            changes.update(_read(db, name, key, how, value, before))
    for name, _, value in parsed:
        if getattr(kind.field(name), "reader", None) == LENGTH:  # after the start it counts from
            changes["ends_at"] = _ends_at(name, value, changes.get("starts_at", before.starts_at))
    return changes


def _ends_at(name: str, text: str, start: datetime) -> datetime | None:
    """An appointment's end from its length (``1h``, ``90m``); an empty length clears it."""
    if not text.strip():
        return None
    from smallcrm.store.dates import parse_duration

    return start + parse_duration(text, field=name)


def _read(db: Database, name: str, key: str, how: str, value: str, before: Any) -> dict[str, Any]:
    """One assignment as store arguments (an empty value clears the field)."""
    text = value.strip()
    if how in (TEXT, RAW):
        return {key: (value if how == TEXT else text) or None}
    if how == YES_NO:
        return {key: _yes_no(name, text)}
    if not text:
        return _cleared(key, how)
    reader = _READERS[how]
    return reader(db, name, key, text, before)


def _cleared(key: str, how: str) -> dict[str, Any]:
    if how == "with":
        return {"contact_id": None, "account_id": None}
    if how == "start":
        raise CliError("start: an appointment needs a start; give a date and time")
    return {key: None}


def _yes_no(name: str, text: str) -> bool | None:
    if text.lower() in _YES:
        return True
    if text.lower() in _NO:
        return False
    if not text:
        return None
    raise CliError(f"{name}: {text!r} is not yes or no")


def _read_link(kind: str) -> Callable[..., dict[str, Any]]:
    """Reader for a linked record given by name or id, as ``add --account`` takes it."""

    def read(db: Database, name: str, key: str, text: str, before: Any) -> dict[str, Any]:
        create = f"smallcrm add {kinds.word(kind)}" if kind != "opportunity" else None
        hit = lookup(db, text, (kind,), option=name, how=f"{name}={{ref}}", create=create)
        return {key: hit.record_id}

    return read


def _read_with(db: Database, name: str, key: str, text: str, before: Any) -> dict[str, Any]:
    """An appointment's ``with``: a contact or an account, as ``add meeting --with``."""
    hit = lookup(db, text, ("contact", "account"), option=name, how=f"{name}={{ref}}")
    if hit.kind == "contact":
        return {"contact_id": hit.record_id}
    return {"account_id": hit.record_id, "contact_id": None}


def _read_date(db: Database, name: str, key: str, text: str, before: Any) -> dict[str, Any]:
    from smallcrm.store.dates import parse_date

    return {key: parse_date(text, now(), field=name)}


def _read_datetime(db: Database, name: str, key: str, text: str, before: Any) -> dict[str, Any]:
    from smallcrm.store.dates import parse_datetime

    return {key: parse_datetime(text, now(), field=name)}


def _read_minutes(db: Database, name: str, key: str, text: str, before: Any) -> dict[str, Any]:
    from smallcrm.store.dates import parse_duration

    return {key: int(parse_duration(text, field=name).total_seconds() // 60)}


def _read_start(db: Database, name: str, key: str, text: str, before: Any) -> dict[str, Any]:
    """A new start moves the appointment: its length stays the same."""
    from datetime import time

    from smallcrm.store.dates import parse_datetime

    start = parse_datetime(text, now(), field=name, default_time=time(0 if before.all_day else 9))
    values: dict[str, Any] = {"starts_at": start}
    if before.ends_at is not None:
        values["ends_at"] = start + (before.ends_at - before.starts_at)
    return values


_READERS: dict[str, Callable[..., dict[str, Any]]] = {
    kinds.LINK_ACCOUNT: _read_link("account"),
    kinds.LINK_CONTACT: _read_link("contact"),
    kinds.LINK_OPPORTUNITY: _read_link("opportunity"),
    kinds.WITH: _read_with,
    kinds.DATE: _read_date,
    kinds.DATETIME: _read_datetime,
    kinds.MINUTES: _read_minutes,
    kinds.START: _read_start,
}


def _current_list(before: Any, name: str) -> list[str]:
    if name == "tag":
        return list(before.tags)
    methods = before.emails if name == "email" else before.phones
    return [f"{m.label}:{m.value}" for m in methods]


def _apply_list(name: str, operator: str, value: str, current: list[str]) -> list[str]:
    """``=`` replaces the list, ``+=`` adds to it, ``-=`` takes items out (compared as the
    store normalises them, so ``phone-=030 1234567`` finds ``+49301234567``)."""
    items = [item.strip() for item in value.split(",") if item.strip()]
    if operator == "=":
        return items
    if operator == "+=":
        return current + items
    gone = {_normalised(name, item) for item in items}
    have = {_normalised(name, item) for item in current}
    missing = sorted(gone - have)
    if missing:
        raise CliError(f"{name}: {', '.join(missing)} is not there, so it cannot be taken out")
    return [item for item in current if _normalised(name, item) not in gone]


def _normalised(name: str, item: str) -> str:
    """A list item as the store keeps it (tags lower-case; emails and phones without label)."""
    from smallcrm.store import validate as v

    if name == "tag":
        return v.tags(name, item)
    label, colon, rest = item.partition(":")
    value = rest if colon and label.strip().lower() in v.METHOD_LABELS else item
    return v.email(name, value) if name == "email" else v.phone(name, value)


# --- output --------------------------------------------------------------------------------


def _user_field(kind: Kind[Any], field: str, shown: bool = False) -> str:
    """A store field name (``expected_close``, ``email[2]``) as the edit field name; ``shown``:
    as "what changed" lists it (an appointment's end as a time, not its length)."""
    head = re.split(r"[\[.]", field, maxsplit=1)[0]
    rest = field[len(head) :]
    if shown and head == "ends_at":
        return "end" + rest
    return kind.field_word(head) + rest


def _report(kind: Kind[Any], before: Any, after: Any, as_json: bool) -> None:
    from smallcrm.cli import views

    to_json = views.JSON_OF[kind.name]
    if as_json:
        from smallcrm.cli.output import write_json

        write_json(to_json(after))
        return
    lines = _differences(kind, to_json(before), to_json(after))
    word = kind.word
    title = kind.services.title(after)
    if not lines:
        print(f"Nothing to change: {word} {after.id} ({title}) already has those values.")
        return
    print(f"Updated {word} {after.id} ({title}), now version {after.tracking.version}:")
    for label, old, new in lines:
        print(f"  {label}: {old} -> {new}")


SKIPPED = {"updated_at", "updated_by", "version", "created_at", "created_by", "last_activity_at"}


def _flatten(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[prefix + key] = value
    return flat


def _differences(
    kind: Kind[Any], old: dict[str, Any], new: dict[str, Any]
) -> list[tuple[str, str, str]]:
    """(field, old, new) for every shown value that changed, derived ones included."""
    old, new = _flatten(old), _flatten(new)
    changed = [k for k in new if k not in SKIPPED and old.get(k) != new[k]]
    named = {k for k in changed if not k.endswith("_id")}
    lines = []
    for key in changed:
        if key.endswith("_id") and key[:-3] in named:
            continue  # "account: Acme -> Beta" says it; its id is one line too many
        lines.append((_user_field(kind, key, shown=True), _shown(old.get(key)), _shown(new[key])))
    return lines


def _shown(value: Any) -> str:
    from datetime import datetime

    if value in (None, "", []):
        return "(empty)"
    if isinstance(value, list):
        return ", ".join(
            f"{v['value']} ({v['label']})" if isinstance(v, dict) else str(v) for v in value
        )
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str) and "T" in value and value[:4].isdigit():
        try:
            return formats.when(datetime.fromisoformat(value))
        except ValueError:
            return value
    return str(value)


def _conflict_message(db: Database, kind: Kind[Any], exc: ConflictError) -> str:
    """Who changed the record since the version the user had, when, and which fields."""
    from smallcrm.store.audit import history

    word = kind.word
    record_id = exc.record_id
    if exc.actual is None:
        return f"{word} {record_id} was deleted by someone else; nothing was saved."
    if exc.actual < exc.expected:
        return (
            f"{word} {record_id} is at version {exc.actual}, not {exc.expected} "
            "(--if-version); nothing was saved."
        )
    count = min(exc.actual - exc.expected, CONFLICT_ENTRIES)
    lines = [
        f"{word} {record_id} was changed by someone else since version {exc.expected} (it is "
        f"now at version {exc.actual}); nothing was saved."
    ]
    entries = history(db, kind.name, record_id, limit=count)
    if entries:
        lines.append("Their latest changes:")
    for entry in entries:
        fields = "; ".join(
            _audit_change(kind, field, pair) for field, pair in entry.changes.items()
        )
        lines.append(f"  {formats.when(entry.at)}  {entry.actor}  {entry.action}: {fields}")
    look = f"smallcrm show {word} {record_id}" if word in ("contact", "account", "deal") else ""
    look = look or f"smallcrm history {word} {record_id}"
    lines.append(
        f"Look at it with: {look}; to save your change on top of theirs, run the edit again "
        f"with --if-version {exc.actual}."
    )
    return "\n".join(lines)


def _audit_change(kind: Kind[Any], field: str, pair: list[Any]) -> str:
    old, new = (list(pair) + [None, None])[:2]
    return f"{_user_field(kind, field)} {_audit_value(field, old)} -> {_audit_value(field, new)}"


def _audit_value(field: str, value: Any) -> str:
    if field == "amount_cents" and isinstance(value, int):
        return formats.cents(value)
    return _shown(value)
