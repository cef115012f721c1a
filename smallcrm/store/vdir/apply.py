"""A phone's file applied to the CRM through the services, and what happens on a conflict.

A changed file is an edit based on the record's version the file was written from: the
service saves it only if the record is still at that version (optimistic locking, as every edit
in smallcrm). When somebody changed the record in the CRM since, the service refuses with a
ConflictError; the sync then keeps the CRM's values in the record and in the file, and puts the
phone's values that differ into the record's notes (dated and named as the phone's), so nothing
is lost and the user resolves it by editing the record. The message names the record and both
values of every field that differs.
"""

from __future__ import annotations

from typing import Any

from smallcrm.store import clock, formats
from smallcrm.store.db import Database, Tx
from smallcrm.store.errors import ConflictError

from .sides import Side


def edit(db: Database, side: Side, record_id: int, base: int, phone: Any, actor: str) -> str | None:
    """Apply a phone's changed file; the conflict message when the CRM changed it too."""
    try:
        with db.write() as tx:
            side.update_tx(tx, record_id, base, _values(tx, side, phone, actor), actor)
    except ConflictError:
        return _conflict(db, side, record_id, phone, actor)
    return None


def create(db: Database, side: Side, phone: Any, actor: str, owner: str | None) -> int:
    """A record from a file a phone added; owned by ``owner`` when syncing someone's own."""
    values = dict(phone.values)
    if phone.uid:
        values["external_id" if side.kind == "contact" else "uid"] = phone.uid
    if owner:
        values["owner"] = owner
    with db.write() as tx:
        return side.create_tx(tx, {**values, **_values(tx, side, phone, actor)}, actor)


def _values(tx: Tx, side: Side, phone: Any, actor: str) -> dict[str, Any]:
    values = dict(phone.values)
    if side.kind == "contact":
        values["account_id"] = _account(tx, phone.company, actor) if phone.company else None
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


def _conflict(db: Database, side: Side, record_id: int, phone: Any, actor: str) -> str | None:
    current = side.get(db, record_id)
    theirs = side.read(side.render(current, phone.extra))
    mine_words = side.shown(phone.values, phone.company)
    crm_words = side.shown(theirs.values, theirs.company)
    differ = [(k, mine_words[k], crm_words.get(k, "")) for k in mine_words]
    differ = [(k, mine, crm) for k, mine, crm in differ if mine != crm]
    if not differ:
        return None  # the phone says what the CRM says now
    when = formats.when(clock.now())
    kept = "; ".join(f"{k}: {mine or '(empty)'}" for k, mine, _crm in differ)
    note = f"Changed on a phone, not applied (the CRM record changed too; sync {when}): {kept}"
    notes = "\n\n".join(p for p in (current.notes, note) if p)
    with db.write() as tx:
        side.update_tx(tx, record_id, current.tracking.version, {"notes": notes}, actor)
    lines = [
        f"{side.kind} {record_id} ({side.title(current)}) was changed in the CRM and on a phone "
        "since the last sync; the CRM's values were kept and the phone's are in its notes:"
    ]
    for k, mine, crm in differ:
        lines.append(f"  {k}: phone {mine or '(empty)'}; CRM {crm or '(empty)'}")
    return "\n".join(lines)
