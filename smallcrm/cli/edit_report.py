"""What ``smallcrm edit`` prints: the fields that changed (or the record as JSON), and on a
conflict who changed the record since the version the user had."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from smallcrm.store import formats
from smallcrm.store.kinds import Kind

if TYPE_CHECKING:
    from smallcrm.store.db import Database
    from smallcrm.store.errors import ConflictError

CONFLICT_ENTRIES = 5  # changes by others listed in a conflict message


def user_field(kind: Kind[Any], field: str, shown: bool = False) -> str:
    """A store field name (``expected_close``, ``email[2]``) as the edit field name; ``shown``:
    as "what changed" lists it (an appointment's end as a time, not its length)."""
    head = re.split(r"[\[.]", field, maxsplit=1)[0]
    rest = field[len(head) :]
    if shown and head == "ends_at":
        return "end" + rest
    return kind.field_word(head) + rest


def report(kind: Kind[Any], before: Any, after: Any, as_json: bool) -> None:
    """The saved record as JSON, or what changed in it (or that nothing did)."""
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
        lines.append((user_field(kind, key, shown=True), _shown(old.get(key)), _shown(new[key])))
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


def conflict_message(db: Database, kind: Kind[Any], exc: ConflictError) -> str:
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
    return f"{user_field(kind, field)} {_audit_value(field, old)} -> {_audit_value(field, new)}"


def _audit_value(field: str, value: Any) -> str:
    if field == "amount_cents" and isinstance(value, int):
        return formats.cents(value)
    return _shown(value)
