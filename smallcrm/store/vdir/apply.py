"""A phone's file applied to the CRM through the services, merged when the CRM changed too.

A changed file is an edit based on the record's version the file was written from: the
service saves it only if the record is still at that version (optimistic locking, as every edit
in smallcrm). When somebody changed the record in the CRM since, the service refuses with a
ConflictError, and the edit is merged the way the app merges two people's edits
(``store/conflicts.py``), field by field from three versions: the file as the last sync wrote
it (the base), the phone's file and the record as it is now. A field only the phone changed
takes the phone's value; a field only the CRM changed keeps the CRM's; a field both changed to
different values keeps the CRM's, and the phone's value goes into the record's notes (dated,
named as the phone's), so nothing is lost and the user settles it by editing the record. Such
a conflict is reported with the record and both values of each of those fields.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from smallcrm.store import clock, conflicts, formats
from smallcrm.store.db import Database, Tx
from smallcrm.store.errors import ConflictError, NotFoundError

from .sides import Side

# Field names as a conflict message says them (the others are said as they are).
_WORDS = {
    "first_name": "first name",
    "last_name": "last name",
    "postal_code": "postal code",
    "emails": "email",
    "phones": "phone",
    "company": "account",
    "starts_at": "start",
    "ends_at": "end",
    "all_day": "all day",
    "rrule": "repeats",
    "reminder_minutes": "reminder (minutes)",
}


def edit(
    db: Database,
    side: Side,
    record_id: int,
    base: tuple[int, bytes | None],
    phone: Any,
    actor: str,
) -> str | None:
    """Apply a phone's changed file written from ``base`` (the record's version and the text
    written then); the conflict message when the phone and the CRM changed a field both."""
    version, text = base
    try:
        with db.write() as tx:
            values = _values(tx, _fields(side, phone), actor)
            side.update_tx(tx, record_id, version, values, actor)
    except ConflictError:
        return _merge(db, side, record_id, text, phone, actor)
    return None


def create(db: Database, side: Side, phone: Any, actor: str, owner: str | None) -> int:
    """A record from a file a phone added; owned by ``owner`` when syncing someone's own."""
    values = _fields(side, phone)
    if phone.uid:
        values["external_id" if side.kind == "contact" else "uid"] = phone.uid
    if owner:
        values["owner"] = owner
    with db.write() as tx:
        return side.create_tx(tx, _values(tx, values, actor), actor)


def holding(db: Database, side: Side, uid: str | None) -> int | None:
    """The live record whose file has the UID ``uid``: its external id (its UID), or the
    UID smallcrm made up for it."""
    if not uid:
        return None
    column = "external_id" if side.kind == "contact" else "uid"
    with db.read() as tx:
        found = tx.scalar(
            f"SELECT id FROM {side.kind} WHERE {column} = :uid AND deleted_at IS NULL "
            "ORDER BY id LIMIT 1",
            uid=uid,
        )
    if found is not None:
        return int(found)
    made = re.fullmatch(rf"{side.kind}-(\d{{1,18}})-\S+@smallcrm", uid)
    if made is None:
        return None
    try:
        record = side.get(db, int(made[1]))
    except NotFoundError:
        return None
    return record.id if side.read(side.render(record, None)).uid == uid else None


def _values(tx: Tx, values: dict[str, Any], actor: str) -> dict[str, Any]:
    """Values for the service: a card's organisation as the account of that name."""
    values = dict(values)
    if "company" in values:
        company = values.pop("company")
        values["account_id"] = _account(tx, company, actor) if company else None
    return values


def _account(tx: Tx, name: str, actor: str) -> int:
    """The live account called ``name`` (case aside), created when there is none."""
    from smallcrm.store import accounts

    found = tx.scalar(
        "SELECT id FROM account WHERE lower(name) = lower(:name) AND deleted_at IS NULL "
        "ORDER BY id LIMIT 1",
        name=name,
    )
    if found is not None:
        return int(found)
    return accounts.create_account_tx(tx, {"name": name}, actor)


def _fields(side: Side, read: Any) -> dict[str, Any]:
    """What a file says, by field, a card's organisation included."""
    fields = dict(read.values)
    if side.kind == "contact":
        fields["company"] = read.company
    return fields


def _merge(
    db: Database, side: Side, record_id: int, text: bytes | None, phone: Any, actor: str
) -> str | None:
    current = side.get(db, record_id)
    theirs = _fields(side, side.read(side.render(current, phone.extra)))
    mine = _fields(side, phone)
    # Without the text written (a folder synced before it was kept) every difference counts.
    base = _fields(side, side.read(text)) if text else dict.fromkeys(mine)
    both = [d for d in conflicts.differences(base, mine, theirs) if d.conflicting]
    resolved = conflicts.merged(base, mine, theirs, {d.field: conflicts.THEIRS for d in both})
    save = conflicts.to_save(resolved, theirs)
    if both:
        kept = "; ".join(f"{_WORDS.get(d.field, d.field)}: {_word(d.mine)}" for d in both)
        when = formats.when(clock.now())
        note = f"Changed on a phone, not applied (changed in the CRM too; sync {when}): {kept}"
        save["notes"] = "\n\n".join(p for p in (resolved.get("notes"), note) if p)
    if save:
        with db.write() as tx:
            values = _values(tx, save, actor)
            side.update_tx(tx, record_id, current.tracking.version, values, actor)
    if not both:
        return None
    lines = [
        f"{side.kind} {record_id} ({side.title(current)}) was changed in the CRM and on a phone "
        "since the last sync; the CRM's values were kept and the phone's are in its notes:"
    ]
    for diff in both:
        name = _WORDS.get(diff.field, diff.field)
        lines.append(f"  {name}: phone {_word(diff.mine)}; CRM {_word(diff.theirs)}")
    return "\n".join(lines)


def _word(value: Any) -> str:
    if value in (None, "", []):
        return "(empty)"
    if isinstance(value, datetime):
        return formats.when(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple) and not isinstance(value, str):
        return ", ".join(f"{v[1]} ({v[0]})" if isinstance(v, tuple) else str(v) for v in value)
    return str(value)
