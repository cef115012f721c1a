"""An import's change to a record that is already here: worked out, kept for later, applied.

While an import reads its file, the records it changes stay as they are for everyone: what the
file says about each is kept with the batch (an ``import_batch_item`` with action ``pending``
and the file's cleaned values in ``before``) and applied when the whole file is in
(``publish.py``). The change is then worked out again against the record as it is at that
moment, so an edit someone made meanwhile is kept wherever the file has nothing to say, and the
batch remembers the values the import replaced, for undo.

A matched record keeps its name (an import never renames anyone, see ``identity.py``); emails,
phones and tags are added to the ones it has; notes are added to, not replaced.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from smallcrm.store import accounts, appointments, contacts, interactions, opportunities
from smallcrm.store import validate as v
from smallcrm.store.db import Tx, to_datetime
from smallcrm.store.records import ContactMethod

from .ical_uid import smallcrm_uid
from .identity import full_name, name_kept_warning
from .matching import consent_changes, differences, name_key
from .own_uid import drop_own_uid

RAW_KEYS = {"amount_cents": "amount"}  # clean() output key -> the input key it came from
UPDATE = {
    "account": accounts.update_account_tx,
    "opportunity": opportunities.update_opportunity_tx,
    "interaction": interactions.update_interaction_tx,
    "appointment": appointments.update_appointment_tx,
}


@dataclass
class Change:
    """What an import changes in one record: ``changes`` for its service, the old values for
    undo (``before``), the names of the changed fields, and a warning for the report."""

    changes: dict[str, Any] = field(default_factory=dict)
    before: dict[str, Any] = field(default_factory=dict)
    changed: tuple[str, ...] = ()
    warning: str | None = None


def contact_change(tx: Tx, row: Any, cleaned: dict[str, Any]) -> Change:
    """The change the file's ``cleaned`` values make to the contact ``row`` (names kept)."""
    contact_id = row["id"]
    drop_own_uid("contact", row, cleaned)
    given = full_name(cleaned)
    for key in ("first_name", "last_name"):  # an import never renames anyone
        cleaned.pop(key, None)
    change = Change(warning=name_kept_warning("contact", contact_id, full_name(row), given))
    changes, before = differences(row, cleaned, tags_merge=True)
    consent_changes(row, cleaned, changes, before)
    old = [
        ContactMethod(m["kind"], m["value"], m["label"])
        for m in tx.all(
            "SELECT kind, label, value FROM contact_method WHERE contact_id = :id "
            "ORDER BY kind, position",
            id=contact_id,
        )
    ]
    known = {(m.kind, m.value) for m in old}
    added = [m for m in cleaned.get("methods", []) if (m.kind, m.value) not in known]
    change.before = {"columns": before}
    if added:
        merged = old + added
        changes["emails"] = [m for m in merged if m.kind == "email"]
        changes["phones"] = [m for m in merged if m.kind == "phone"]
        change.before["methods"] = [[m.kind, m.label, m.value] for m in old]
    change.changes = changes
    changed = tuple(k for k in changes if k not in ("emails", "phones"))
    change.changed = changed + (("methods",) if added else ())
    return change


def record_change(
    tx: Tx,
    kind: str,
    row: Any,
    cleaned: dict[str, Any],
    values: dict[str, Any],
    stages: tuple[str, ...],
) -> Change:
    """The change the file makes to an account, deal, interaction or appointment ``row``."""
    record_id = row["id"]
    drop_own_uid(kind, row, cleaned)
    for key in ("contact_id", "account_id"):
        if key in values:
            cleaned[key] = values[key]
    change = Change()
    if kind == "account" and "name" in cleaned:  # an import never renames an account
        given = cleaned.pop("name")
        if name_key(given) != name_key(row["name"]):
            change.warning = name_kept_warning(kind, record_id, row["name"], given)
    if kind == "appointment" and row["uid"] is None:
        if cleaned.get("uid") == smallcrm_uid(row["id"], to_datetime(row["created_at"])):
            del cleaned["uid"]  # the UID our own export made up for it
    if kind == "opportunity" and cleaned.get("stage"):
        cleaned["stage"] = v.choice("stage", cleaned["stage"], stages)
    if kind == "appointment" and cleaned.get("rrule"):
        cleaned["rrule"] = str(cleaned["rrule"]).strip().upper().removeprefix("RRULE:")
    changes, before = differences(row, cleaned, tags_merge=kind == "account")
    for key, value in changes.items():
        source_key = RAW_KEYS.get(key, key)
        change.changes[source_key] = value if key == "tags" else values.get(source_key, value)
    change.before = {"columns": before}
    change.changed = tuple(changes)
    return change


def apply_change(tx: Tx, kind: str, record_id: int, change: Change, actor: str) -> None:
    """Write ``change`` to the record, with "import" in its history."""
    if kind == "contact":
        contacts.update_contact_tx(tx, record_id, None, change.changes, actor, action="import")
    else:
        UPDATE[kind](tx, record_id, None, change.changes, actor, action="import")


def stage_names(tx: Tx) -> tuple[str, ...]:
    """The pipeline's stages in order (a deal's stage is compared as stored)."""
    return tuple(r["name"] for r in tx.all("SELECT name FROM stage ORDER BY position"))


# --- what is kept for later --------------------------------------------------------------------


def payload(cleaned: dict[str, Any], values: dict[str, Any] | None = None) -> str:
    """The file's values for a change applied later, as JSON (dates and methods tagged)."""
    return json.dumps({"cleaned": cleaned, "values": values or {}}, default=_tagged)


def unpacked(text: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(cleaned, values)`` back from ``payload``."""
    data = json.loads(text, object_hook=_untagged)
    return data["cleaned"], data["values"]


def _tagged(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"$t": value.isoformat()}
    if isinstance(value, date):
        return {"$d": value.isoformat()}
    if isinstance(value, ContactMethod):
        return {"$m": [value.kind, value.value, value.label]}
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"cannot keep a {type(value).__name__} for later")


def _untagged(data: dict[str, Any]) -> Any:
    if len(data) == 1:
        ((tag, raw),) = data.items()
        if tag == "$t":
            return datetime.fromisoformat(raw)
        if tag == "$d":
            return date.fromisoformat(raw)
        if tag == "$m":
            return ContactMethod(*raw)
    return data
