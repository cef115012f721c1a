"""Merging two contacts or accounts into one, and undoing a merge.

Merging keeps one record and moves everything pointing at the other (interactions,
opportunities, appointments; for accounts also contacts; for contacts also campaign
memberships, see ``campaign_merge``) to it; the other goes to the trash.
Each field is taken from the kept record or the other one (``choices``), emails, phones and
tags are combined, and notes are joined. The merge is one write transaction and one audit
entry (action ``merge``) that also holds what ``undo_merge`` needs to put everything back.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from smallcrm.store import campaign_merge, consent, crud, kinds
from smallcrm.store.db import Database, Tx, to_date, to_datetime
from smallcrm.store.duplicates import KINDS
from smallcrm.store.errors import ConflictError, NotFoundError, ValidationError
from smallcrm.store.records import ContactMethod

CONTACT_FIELDS = (
    "first_name last_name title account_id street postal_code city country birthday source "
    "owner external_id notes tags email_opt_in phone_opt_in emails phones"
).split()
ACCOUNT_FIELDS = (
    "name industry website phone street postal_code city country owner external_id notes tags"
).split()
CONSENT_PARTS = {
    "email_opt_in": ("email_opt_in", "email_consent_at", "email_consent_source"),
    "phone_opt_in": ("phone_opt_in", "phone_consent_at", "phone_consent_source"),
}


@dataclass(frozen=True)
class FieldChoice:
    """One field of a merge: both values and which one the merge takes by default.

    ``default`` is ``keep``, ``other`` or ``both`` (emails, phones, tags and notes combine).
    """

    field: str
    keep_value: Any
    other_value: Any
    default: str

    @property
    def differs(self) -> bool:
        """True when the two records disagree on this field."""
        return self.keep_value != self.other_value


@dataclass(frozen=True)
class MergeResult:
    """What ``merge`` did: its id (for ``undo_merge``), the kept record and what moved."""

    merge_id: int
    kind: str
    keep_id: int
    other_id: int
    changed: tuple[str, ...]
    moved: dict[str, int]


# --- merging -----------------------------------------------------------------------------------


def merge_preview(
    db: Database, keep_id: int, other_id: int, *, kind: str = "contact"
) -> list[FieldChoice]:
    """Every field of the two records with the value each has and the default choice."""
    with db.read() as tx:
        keep, other = _pair_rows(tx, kind, keep_id, other_id)
        return _choices(tx, kind, keep, other)


def _pair_rows(tx: Tx, kind: str, keep_id: int, other_id: int) -> tuple[Any, Any]:
    if kind not in KINDS:
        raise ValidationError("kind", f"only contacts and accounts are merged, not {kind}")
    if keep_id == other_id:
        raise ValidationError("other", "a record cannot be merged with itself")
    return crud.fetch_row(tx, kind, keep_id), crud.fetch_row(tx, kind, other_id)


def _methods(tx: Tx, contact_id: int) -> list[ContactMethod]:
    return [
        ContactMethod(r["kind"], r["value"], r["label"])
        for r in tx.all(
            "SELECT kind, label, value FROM contact_method WHERE contact_id = :id "
            "ORDER BY kind, position",
            id=contact_id,
        )
    ]


def _choices(tx: Tx, kind: str, keep: Any, other: Any) -> list[FieldChoice]:
    fields = CONTACT_FIELDS if kind == "contact" else ACCOUNT_FIELDS
    result = []
    for name in fields:
        if name in ("emails", "phones"):
            method = name[:-1]
            mine = [m for m in _methods(tx, keep["id"]) if m.kind == method]
            theirs = [m for m in _methods(tx, other["id"]) if m.kind == method]
            result.append(FieldChoice(name, mine, theirs, "both"))
            continue
        mine, theirs = keep[name], other[name]
        if name in ("tags", "notes") and mine and theirs and mine != theirs:
            default = "both"
        else:
            default = "keep" if mine not in (None, "") or theirs in (None, "") else "other"
        result.append(FieldChoice(name, mine, theirs, default))
    return result


def merge(
    db: Database,
    keep_id: int,
    other_id: int,
    choices: Mapping[str, str] | None = None,
    *,
    kind: str = "contact",
    actor: str | None = None,
) -> MergeResult:
    """Merge ``other_id`` into ``keep_id`` field by field (see module doc).

    ``choices`` maps a field to ``keep``, ``other`` or (emails, phones, tags, notes) ``both``;
    fields not named take their default from ``merge_preview``. Raises ValidationError for an
    unknown field or choice, NotFoundError if either record is missing or in the trash.
    """
    actor = actor or crud.current_user()
    with db.write() as tx:
        keep, other = _pair_rows(tx, kind, keep_id, other_id)
        options = {c.field: c for c in _choices(tx, kind, keep, other)}
        picked = _picked(options, choices or {})
        before, changes = _merged_values(kind, keep, other, options, picked)
        if kind == "contact":
            consent.keep_in_merge(keep, other, before, changes)
            campaign_merge.keep_source(tx, keep, other, before, changes)
        if changes:
            _update(tx, kind, keep_id, changes, actor)
        moved = _move_links(tx, kind, other_id, keep_id, actor)
        members = (
            campaign_merge.move_memberships(tx, other_id, keep_id) if kind == "contact" else {}
        )
        crud.trash_record(tx, kind, other_id, actor)
        version = tx.scalar(f"SELECT version FROM {kind} WHERE id = :id", id=keep_id)
        crud.audit(
            tx,
            "merge",
            kind,
            keep_id,
            {
                "merged_from": [None, other_id],
                "moved": [None, moved],
                "restore": [before, None],
                "version": [None, version],
                "memberships": [None, members or None],
            },
            actor,
        )
        merge_id = int(tx.scalar("SELECT max(id) FROM audit_entry"))
    counts = {table: len(ids) for table, ids in moved.items()}
    if members:  # "moved 2 campaigns" in the shell's words
        counts["campaign.members"] = len(members["moved"]) + len(members["combined"])
    return MergeResult(merge_id, kind, keep_id, other_id, tuple(before), counts)


def _picked(options: Mapping[str, FieldChoice], choices: Mapping[str, str]) -> dict[str, str]:
    picked = {name: option.default for name, option in options.items()}
    for name, choice in choices.items():
        if name not in options:
            raise ValidationError("choices", f"{name!r} is not a field that can be merged")
        allowed = (
            ("keep", "other", "both")
            if name in ("emails", "phones", "tags", "notes")
            else (
                "keep",
                "other",
            )
        )
        if choice not in allowed:
            raise ValidationError(name, f"{choice!r} is not one of {', '.join(allowed)}")
        picked[name] = choice
    return picked


def _merged_values(
    kind: str, keep: Any, other: Any, options: Mapping[str, FieldChoice], picked: dict[str, str]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(old values of what changes, the changes in the services' vocabulary)."""
    before: dict[str, Any] = {}
    changes: dict[str, Any] = {}
    for name, option in options.items():
        choice = picked[name]
        if name in ("emails", "phones"):
            value = _methods_choice(option, choice)
            if value != option.keep_value:
                before[name] = [[m.kind, m.label, m.value] for m in option.keep_value]
                changes[name] = value
            continue
        value = _value_choice(name, option, choice)
        if value == option.keep_value or (value in (None, "") and option.keep_value in (None, "")):
            continue
        for part in CONSENT_PARTS.get(name, (name,)):
            before[part] = _jsonable(keep[part])
            changes[part] = other[part] if choice == "other" else keep[part]
        if name not in CONSENT_PARTS:
            changes[name] = value
    # The contact service replaces all of a contact's emails and phones when given either,
    # so both lists travel together.
    for name in ("emails", "phones"):
        if name in options and ("emails" in changes or "phones" in changes):
            changes.setdefault(name, list(options[name].keep_value))
    return before, changes


def _methods_choice(option: FieldChoice, choice: str) -> list[ContactMethod]:
    if choice == "keep":
        return list(option.keep_value)
    if choice == "other":
        return list(option.other_value)
    combined = list(option.keep_value)
    known = {m.value for m in combined}
    combined += [m for m in option.other_value if m.value not in known]
    return combined


def _value_choice(name: str, option: FieldChoice, choice: str) -> Any:
    if choice != "both":
        return option.other_value if choice == "other" else option.keep_value
    if name == "tags":
        words = (option.keep_value or "").split()
        return " ".join(words + [w for w in (option.other_value or "").split() if w not in words])
    if option.other_value and option.other_value not in (option.keep_value or ""):
        return (
            f"{option.keep_value}\n\n{option.other_value}"
            if option.keep_value
            else option.other_value
        )
    return option.keep_value


def _jsonable(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _update(tx: Tx, kind: str, record_id: int, changes: dict[str, Any], actor: str) -> None:
    if kind == "contact":
        from smallcrm.store.contacts import update_contact_tx

        values = dict(changes)
        for channel in ("email", "phone"):
            if f"{channel}_opt_in" in values and values[f"{channel}_opt_in"] is not None:
                values[f"{channel}_opt_in"] = bool(values[f"{channel}_opt_in"])
        update_contact_tx(tx, record_id, None, values, actor, action="merge")
    else:
        from smallcrm.store.accounts import update_account_tx

        update_account_tx(tx, record_id, None, changes, actor, action="merge")


def _move_links(tx: Tx, kind: str, source: int, target: int, actor: str) -> dict[str, list[int]]:
    """Point every record linked to ``source`` at ``target`` (trashed ones too)."""
    moved: dict[str, list[int]] = {}
    for table, column in kinds.referenced_by(kind):
        ids = [r["id"] for r in tx.all(f"SELECT id FROM {table} WHERE {column} = :s", s=source)]
        if not ids:
            continue
        _repoint(tx, table, column, ids, target, actor)
        for record_id in ids:
            crud.audit(tx, "merge", table, record_id, {column: [source, target]}, actor)
        moved[f"{table}.{column}"] = ids
    return moved


def _repoint(tx: Tx, table: str, column: str, ids: list[int], target: int, actor: str) -> None:
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ", ".join(f":i{n}" for n in range(len(chunk)))
        tx.execute(
            f"UPDATE {table} SET {column} = :target, version = version + 1, "
            f"updated_at = :now, updated_by = :actor WHERE id IN ({marks})",
            target=target,
            now=crud.now_utc(),
            actor=actor,
            **{f"i{n}": record_id for n, record_id in enumerate(chunk)},
        )


# --- undoing a merge ---------------------------------------------------------------------------


def undo_merge(db: Database, merge_id: int, *, actor: str | None = None) -> None:
    """Undo a merge: the other record back from the trash, its links back, the kept one as
    it was. ConflictError if the kept record was changed since the merge; NotFoundError if
    ``merge_id`` names no merge; ValidationError if it was undone already.
    """
    actor = actor or crud.current_user()
    with db.write() as tx:
        entry = tx.one("SELECT * FROM audit_entry WHERE id = :id AND action = 'merge'", id=merge_id)
        data = json.loads(entry["changes"]) if entry else {}
        if entry is None or "merged_from" not in data:
            raise NotFoundError("merge", merge_id)
        kind, keep_id = entry["kind"], entry["record_id"]
        other_id = data["merged_from"][1]
        if _undone(tx, kind, keep_id, merge_id):
            raise ValidationError("merge", f"merge {merge_id} was undone already")
        current = crud.fetch_row(tx, kind, keep_id)
        if current["version"] != data["version"][1]:
            raise ConflictError(kind, keep_id, data["version"][1], current["version"])
        crud.restore_record(tx, kind, other_id, actor)
        for link, ids in (data["moved"][1] or {}).items():
            table, column = link.split(".")
            still = [
                r["id"]
                for r in tx.all(f"SELECT id FROM {table} WHERE {column} = :k", k=keep_id)
                if r["id"] in set(ids)
            ]
            if still:
                _repoint(tx, table, column, still, other_id, actor)
        _restore_fields(tx, kind, keep_id, data["restore"][0] or {}, actor)
        memberships = data.get("memberships", [None, None])[1]
        campaign_merge.undo_memberships(tx, memberships, keep_id, other_id)
        crud.audit(tx, "undo-merge", kind, keep_id, {"merge": [None, merge_id]}, actor)


def _undone(tx: Tx, kind: str, keep_id: int, merge_id: int) -> bool:
    for row in tx.all(
        "SELECT changes FROM audit_entry WHERE action = 'undo-merge' AND kind = :k "
        "AND record_id = :r",
        k=kind,
        r=keep_id,
    ):
        if json.loads(row["changes"]).get("merge", [None, None])[1] == merge_id:
            return True
    return False


_DATES = {"birthday"}
_TIMES = {"email_consent_at", "phone_consent_at"}


def _restore_fields(tx: Tx, kind: str, record_id: int, before: dict[str, Any], actor: str) -> None:
    columns: dict[str, Any] = {}
    methods: list[ContactMethod] | None = None
    for name, value in before.items():
        if name in ("emails", "phones"):
            methods = (methods or []) + [ContactMethod(k, v, label) for k, label, v in value]
        elif name in _DATES:
            columns[name] = to_date(value)
        elif name in _TIMES:
            columns[name] = to_datetime(value)
        else:
            columns[name] = value
    if columns:
        crud.update_record(tx, kind, record_id, None, columns, actor, action="undo-merge")
    if methods is not None or any(n in before for n in ("emails", "phones")):
        from smallcrm.store.contacts import update_contact_tx

        current = _methods(tx, record_id)
        restored = {
            "emails": [m for m in (methods or []) if m.kind == "email"]
            if "emails" in before
            else [m for m in current if m.kind == "email"],
            "phones": [m for m in (methods or []) if m.kind == "phone"]
            if "phones" in before
            else [m for m in current if m.kind == "phone"],
        }
        update_contact_tx(tx, record_id, None, restored, actor, action="undo-merge")
