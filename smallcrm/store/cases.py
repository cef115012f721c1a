"""Customer service cases: create, change, move through their statuses, trash and restore.

A case's number is its id: short, sequential, easy to say on the phone ("case 12"). The rules
of its clocks are in ``case_clock``; this module applies them in the same transaction as each
change, so the shell, the app and an interaction logged on the case all get the same answer.
Lists and reports are in ``case_lists`` and ``case_report``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from smallcrm.store import business_time, case_clock, case_lists, crud, records, settings
from smallcrm.store import validate as v
from smallcrm.store.case_targets import PRIORITIES
from smallcrm.store.db import Database, Tx, to_datetime
from smallcrm.store.errors import ValidationError
from smallcrm.store.kinds import Services

KIND = "service_case"
ACTIONS = ("waiting", "open", "resolve", "close", "reopen")


def clean(values: Mapping[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """Validate case input into column values (status changes go through ``change_status``)."""
    data = dict(values)
    out: dict[str, Any] = {}
    if "subject" in data or not partial:
        out["subject"] = v.text("subject", data.pop("subject", None), required=True, max_length=300)
    if "description" in data:
        out["description"] = v.long_text("description", data.pop("description"))
    for key, allowed, default in (
        ("priority", PRIORITIES, "normal"),
        ("case_type", case_clock.TYPES, "question"),
        ("channel", case_clock.CHANNELS, "phone"),
    ):
        if key in data or not partial:
            out[key] = v.choice(key, data.pop(key, None) or default, allowed)
    if "owner" in data:
        out["owner"] = v.text("owner", data.pop("owner"), max_length=120)
    for key in ("contact_id", "account_id"):
        if key in data:
            out[key] = data.pop(key)
    if data:
        raise ValidationError(next(iter(data)), "is not a case field")
    return out


def _check_links(tx: Tx, data: dict[str, Any], current: Any | None) -> None:
    for key, table in (("contact_id", "contact"), ("account_id", "account")):
        ref = data.get(key)
        if ref is not None and not crud.is_live(tx, table, ref):
            raise ValidationError(table, f"no {table} with id {ref}")
    if data.get("contact_id") is not None and "account_id" not in data:
        data["account_id"] = tx.scalar(
            "SELECT account_id FROM contact WHERE id = :id", id=data["contact_id"]
        )
    contact = data.get("contact_id", current["contact_id"] if current else None)
    account = data.get("account_id", current["account_id"] if current else None)
    if contact is None and account is None:
        raise ValidationError("contact", "a case needs a contact or an account")


def _targets(priority: str) -> tuple[timedelta, timedelta]:
    return settings.case_targets().of(priority)


def create_case_tx(
    tx: Tx, values: Mapping[str, Any], actor: str, *, at: datetime | None = None
) -> int:
    """Open a case inside an open write transaction; returns its number. Its clocks start
    ``at`` (now unless given: a case written down after the call came in)."""
    data = clean(values)
    _check_links(tx, data, None)
    now = at or crud.now_utc()
    clock = case_clock.start(business_time.schedule(), _targets(data["priority"]), now)
    return crud.insert_record(tx, KIND, {**data, "status": "new", **clock}, actor)


def create_case(db: Database, actor: str | None = None, **values: Any) -> records.Case:
    """Open a case and return it."""
    with db.write() as tx:
        case_id = create_case_tx(tx, values, actor or crud.current_user())
        return case_lists.get_tx(tx, case_id)


def get_case(db: Database, case_id: int) -> records.Case:
    """One case by its number."""
    with db.read() as tx:
        return case_lists.get_tx(tx, case_id)


def update_case(
    db: Database,
    case_id: int,
    expected_version: int | None,
    /,
    actor: str | None = None,
    **changes: Any,
) -> records.Case:
    """Change a case if nobody saved it since ``expected_version``; a ``status`` (with a
    ``close_reason`` to close) moves it as ``change_status`` does."""
    with db.write() as tx:
        update_case_tx(tx, case_id, expected_version, changes, actor or crud.current_user())
        return case_lists.get_tx(tx, case_id)


def update_case_tx(
    tx: Tx,
    case_id: int,
    expected_version: int | None,
    changes: Mapping[str, Any],
    actor: str,
) -> bool:
    """Change a case inside an open write transaction; True if anything changed."""
    data = dict(changes)
    status = data.pop("status", None)
    reason = data.pop("close_reason", None)
    cleaned = clean(data, partial=True)
    current = crud.fetch_row(tx, KIND, case_id)
    _check_links(tx, cleaned, current)
    if "priority" in cleaned and cleaned["priority"] != current["priority"]:
        clock = case_clock.of(current)
        now = crud.now_utc()
        plan = business_time.schedule()
        cleaned.update(case_clock.retarget(plan, clock, _targets(cleaned["priority"]), now))
    if status is not None or reason is not None:
        action = _action_for(str(status or "closed"), reason)
        cleaned.update(_moved(current, action, reason, crud.now_utc()))
    diff = crud.update_record(tx, KIND, case_id, expected_version, cleaned, actor)
    return bool(diff)


def _action_for(status: str, reason: Any) -> str:
    """The status change a stored status names (``edit case 12 status=resolved``)."""
    word = v.choice("status", status, case_clock.STATUSES)
    return {"new": "open", "open": "open", "waiting": "waiting", "resolved": "resolve"}.get(
        str(word), "close"
    )


def _moved(current: Any, action: str, reason: Any, at: datetime) -> dict[str, Any]:
    """The columns a status change writes: the new status and the clocks (``case_clock``)."""
    plan = business_time.schedule()
    clock = case_clock.of(current)
    status = current["status"]
    if action == "close":
        word = v.choice("reason", reason, case_clock.REASONS)
        if status == "closed":
            return {"close_reason": word}
        return {"status": "closed", "close_reason": word, **case_clock.resolve(plan, clock, at)}
    if reason is not None:
        raise ValidationError("reason", "goes with close only (done, rejected or duplicate)")
    if action == "resolve":
        if status == "closed":
            raise ValidationError("status", "the case is closed; reopen it first")
        return {"status": "resolved", "close_reason": None, **case_clock.resolve(plan, clock, at)}
    if status in ("resolved", "closed"):
        if action == "waiting":
            raise ValidationError("status", f"the case is {status}; reopen it first")
        return {"status": "open", "close_reason": None, **case_clock.reopen(plan, clock, at)}
    if action == "reopen":
        raise ValidationError("status", f"the case is {_said(status)}, not resolved or closed")
    if action == "waiting":
        return {"status": "waiting", **case_clock.pause(plan, clock, at)}
    return {"status": "open", **case_clock.resume(plan, clock, at)}


def _said(status: str) -> str:
    return "waiting on the customer" if status == "waiting" else status


def change_status(
    db: Database,
    case_id: int,
    action: str,
    *,
    reason: str | None = None,
    expected_version: int | None = None,
    actor: str | None = None,
) -> records.Case:
    """Move a case: ``waiting`` (on the customer: the clocks stop), ``open`` (they run
    again), ``resolve``, ``close`` with a reason (done, rejected, duplicate), ``reopen``."""
    with db.write() as tx:
        change_status_tx(
            tx, case_id, action, actor or crud.current_user(), reason=reason,
            expected_version=expected_version,
        )  # fmt: skip
        return case_lists.get_tx(tx, case_id)


def change_status_tx(
    tx: Tx,
    case_id: int,
    action: str,
    actor: str,
    *,
    reason: str | None = None,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> None:
    """``change_status`` inside an open write transaction, as of ``at`` (default now)."""
    chosen = v.choice("action", action, ACTIONS)
    current = crud.fetch_row(tx, KIND, case_id)
    changes = _moved(current, str(chosen), reason, at or crud.now_utc())
    crud.update_record(tx, KIND, case_id, expected_version, changes, actor)


def on_interaction_tx(
    tx: Tx, case_id: int, kind: str, direction: str | None, at: Any, actor: str
) -> None:
    """What an interaction logged on a case does to it: the customer's reply starts a
    waiting case's clocks again and reopens a resolved one; the first call, email or visit
    from staff is its first response (and opens a new case)."""
    current = crud.fetch_row(tx, KIND, case_id)
    when = to_datetime(at)
    plan = business_time.schedule()
    status = current["status"]
    changes: dict[str, Any] = {}
    if direction == case_clock.FROM_CUSTOMER:
        if status in ("waiting", "resolved"):
            changes = _moved(current, "open", None, when)
    elif kind in case_clock.RESPONSES and current["first_response_at"] is None:
        if status in case_clock.OPEN_STATUSES:
            changes = case_clock.respond(plan, case_clock.of(current), when)
            changes["status"] = "open" if status == "new" else status
    if changes:
        crud.update_record(tx, KIND, case_id, None, changes, actor)


def linked_parties(tx: Tx, case_id: int) -> tuple[int | None, int | None]:
    """The (contact, account) of a live case, for an interaction logged on it."""
    if not crud.is_live(tx, KIND, case_id):
        raise ValidationError("case", f"no case with number {case_id}")
    row = tx.one(f"SELECT contact_id, account_id FROM {KIND} WHERE id = :id", id=case_id)
    assert row is not None  # live, as checked above in this transaction
    return row["contact_id"], row["account_id"]


def delete_case(
    db: Database,
    case_id: int,
    expected_version: int | None = None,
    actor: str | None = None,
) -> None:
    """Move a case to the trash."""
    with db.write() as tx:
        crud.trash_record(tx, KIND, case_id, actor or crud.current_user(), expected_version)


def restore_case(db: Database, case_id: int, actor: str | None = None) -> records.Case:
    """Bring a case back from the trash."""
    with db.write() as tx:
        crud.restore_record(tx, KIND, case_id, actor or crud.current_user())
        return case_lists.get_tx(tx, case_id)


def title(record: records.Case) -> str:
    """The words that name a case in messages (``#12 Sensor offline``)."""
    return f"#{record.id} {record.subject}"


SERVICES: Services[records.Case] = Services(
    get=get_case,
    update=update_case,
    delete=delete_case,
    restore=restore_case,
    list=case_lists.list_cases,
    iter=case_lists.iter_cases,
    title=title,
)
