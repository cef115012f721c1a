"""Interactions: the calls, emails, meetings, notes and visits on each timeline."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date, datetime
from functools import partial
from typing import Any

from smallcrm.store import cases, clock, crud, listing, positions, records, rows
from smallcrm.store import validate as v
from smallcrm.store.db import Database, Tx
from smallcrm.store.errors import ValidationError
from smallcrm.store.kinds import Services
from smallcrm.store.listing import (
    ListQuery,
    Where,
    iter_pages,
    order_by,
    window,
)

SORTS = {
    "when": "i.happened_at",
    "kind": "i.kind",
    "subject": "i.subject_key",
    "contact": "i.contact_key",
    "account": "i.account_key",
    "follow_up": "i.follow_up_on?",
}
_SELECT = (
    "SELECT i.*, trim(c.first_name || ' ' || c.last_name) AS contact_name, "
    "a.name AS account_name FROM interaction i "
    "LEFT JOIN contact c ON c.id = i.contact_id LEFT JOIN account a ON a.id = i.account_id"
)
_SOURCE = positions.Source("interaction", "i", _SELECT, SORTS, "when")


def clean(values: Mapping[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """Validate interaction input into column values."""
    data = dict(values)
    out: dict[str, Any] = {}
    if "kind" in data or not partial:
        out["kind"] = v.choice("kind", data.pop("kind", None), v.INTERACTION_KINDS)
    if "direction" in data:
        out["direction"] = v.choice(
            "direction", data.pop("direction"), v.DIRECTIONS, required=False
        )
    if "subject" in data or not partial:
        out["subject"] = v.text("subject", data.pop("subject", None), max_length=300) or ""
    if "body" in data:
        out["body"] = v.long_text("body", data.pop("body"))
    if "happened_at" in data or not partial:
        when = data.pop("happened_at", None) or crud.now_utc()
        out["happened_at"] = v.moment("happened_at", when)
    if "duration_minutes" in data:
        out["duration_minutes"] = v.whole_number(
            "duration_minutes", data.pop("duration_minutes"), low=0, high=24 * 60 * 7
        )
    for key in ("contact_id", "account_id", "opportunity_id", "case_id"):
        if key in data:
            out[key] = data.pop(key)
    if "follow_up_on" in data:
        out["follow_up_on"] = v.day("follow_up_on", data.pop("follow_up_on"))
    if "follow_up_done" in data:
        out["follow_up_done"] = bool(data.pop("follow_up_done"))
    elif not partial:
        out["follow_up_done"] = False
    if not partial and not out["subject"] and not out.get("body"):
        raise ValidationError("subject", "is required: say in a few words what happened")
    if data:
        raise ValidationError(next(iter(data)), "is not an interaction field")
    return out


def _check_links(tx: Tx, data: dict[str, Any]) -> None:
    """Links must point at live records; a contact's account is filled in when not given,
    and so are a case's contact and account."""
    if data.get("case_id") is not None:
        contact_id, account_id = cases.linked_parties(tx, data["case_id"])
        if data.get("contact_id") is None and data.get("account_id") is None:
            data.update(contact_id=contact_id, account_id=account_id)
    for key, table in (
        ("contact_id", "contact"),
        ("account_id", "account"),
        ("opportunity_id", "opportunity"),
    ):
        ref = data.get(key)
        if ref is not None and not crud.is_live(tx, table, ref):
            raise ValidationError(table, f"no {table} with id {ref}")
    if data.get("contact_id") is not None and data.get("account_id") is None:
        data["account_id"] = tx.scalar(
            "SELECT account_id FROM contact WHERE id = :id", id=data["contact_id"]
        )
    if data.get("opportunity_id") is not None and data.get("account_id") is None:
        data["account_id"] = tx.scalar(
            "SELECT account_id FROM opportunity WHERE id = :id", id=data["opportunity_id"]
        )


def _get(tx: Tx, interaction_id: int, *, trashed: bool = False) -> records.Interaction:
    crud.fetch_row(tx, "interaction", interaction_id, trashed=trashed)
    return rows.interaction(tx.one(f"{_SELECT} WHERE i.id = :id", id=interaction_id))


def log_interaction_tx(tx: Tx, values: Mapping[str, Any], actor: str) -> int:
    """Log an interaction inside an open write transaction; returns its id."""
    data = clean(values)
    _check_links(tx, data)
    if data.get("contact_id") is None and data.get("account_id") is None:
        raise ValidationError("contact", "an interaction needs a contact or an account")
    interaction_id = crud.insert_record(tx, "interaction", data, actor)
    if data.get("case_id") is not None:
        _on_case(tx, data, actor)
    return interaction_id


def _on_case(tx: Tx, data: Mapping[str, Any], actor: str) -> None:
    """What logging it on a case does to the case (a first response, a customer's reply)."""
    cases.on_interaction_tx(
        tx, data["case_id"], data["kind"], data.get("direction"), data["happened_at"], actor
    )


def log_interaction(db: Database, actor: str | None = None, **values: Any) -> records.Interaction:
    """Log a call, email, meeting, note or visit and return it."""
    with db.write() as tx:
        interaction_id = log_interaction_tx(tx, values, actor or crud.current_user())
        return _get(tx, interaction_id)


def get_interaction(db: Database, interaction_id: int) -> records.Interaction:
    """One interaction by id."""
    with db.read() as tx:
        return _get(tx, interaction_id)


def update_interaction(
    db: Database,
    interaction_id: int,
    expected_version: int | None,
    /,
    actor: str | None = None,
    **changes: Any,
) -> records.Interaction:
    """Change an interaction if nobody saved it since ``expected_version``."""
    with db.write() as tx:
        update_interaction_tx(
            tx, interaction_id, expected_version, changes, actor or crud.current_user()
        )
        return _get(tx, interaction_id)


def update_interaction_tx(
    tx: Tx,
    interaction_id: int,
    expected_version: int | None,
    changes: Mapping[str, Any],
    actor: str,
    *,
    action: str = "update",
) -> bool:
    """Change an interaction inside an open write transaction; True if anything changed."""
    data = clean(changes, partial=True)
    _check_links(tx, data)
    changed = crud.update_record(
        tx, "interaction", interaction_id, expected_version, data, actor, action=action
    )
    if "case_id" in changed and data["case_id"] is not None:  # logged on a case afterwards
        _on_case(tx, crud.fetch_row(tx, "interaction", interaction_id), actor)
    return bool(changed)


def complete_follow_up(
    db: Database,
    interaction_id: int,
    expected_version: int | None = None,
    actor: str | None = None,
) -> records.Interaction:
    """Mark an interaction's follow-up as done."""
    return update_interaction(db, interaction_id, expected_version, actor, follow_up_done=True)


def delete_interaction(
    db: Database,
    interaction_id: int,
    expected_version: int | None = None,
    actor: str | None = None,
) -> None:
    """Move an interaction to the trash."""
    with db.write() as tx:
        crud.trash_record(
            tx, "interaction", interaction_id, actor or crud.current_user(), expected_version
        )


def restore_interaction(
    db: Database, interaction_id: int, actor: str | None = None
) -> records.Interaction:
    """Bring an interaction back from the trash."""
    with db.write() as tx:
        crud.restore_record(tx, "interaction", interaction_id, actor or crud.current_user())
        return _get(tx, interaction_id)


def _where(query: ListQuery) -> Where:
    where = Where()
    where.add("i.deleted_at IS NULL")
    for key in ("contact_id", "account_id", "opportunity_id"):
        value = getattr(query, key)
        if value is not None:
            where.add(f"i.{key} = :{key}", **{key: value})
    if query.extra.get("case_id") is not None:
        where.add("i.case_id = :case_id", case_id=query.extra["case_id"])
    if query.kind:
        where.add("i.kind = :kind", kind=query.kind)
    if query.owner:
        where.add("i.created_by = :owner", owner=query.owner)
    if query.since:
        where.add("i.happened_at >= :since", since=_midnight(v.day("since", query.since)))
    last = v.day("until", query.until) if query.until else None
    if last is not None and last < v.OPEN_END:  # else: no end
        where.add("i.happened_at < :until", until=_midnight(last, 1))
    if query.open_only:
        where.add("i.follow_up_on IS NOT NULL AND i.follow_up_done = FALSE")
    return where


def _midnight(day: date | None, plus_days: int = 0) -> datetime:
    """Local midnight of a day, as an aware datetime (dates are the user's calendar days)."""
    from datetime import timedelta

    assert day is not None
    return clock.at(day + timedelta(days=plus_days))


def list_interactions(
    db: Database, query: ListQuery | None = None
) -> records.Page[records.Interaction]:
    """One page of interactions (newest first unless sorted otherwise) with the total."""
    query = query or ListQuery(descending=True)
    window(query)  # refuses a bad offset or limit before anything is read
    with db.read() as tx:
        where = _where(query)
        stamp = None
        if len(where.parts) == 1:  # only "not in the trash": the count the triggers keep
            total, stamp = positions.counted(tx, "interaction")
        else:
            total = tx.scalar(f"SELECT count(*) FROM interaction i {where.sql}", **where.params)
        fallback = partial(listing.page_rows, tx, query, total, _page)
        found = positions.read_page(db, tx, _SOURCE, query, (total, stamp), fallback)
    items = [rows.interaction(row) for row in found]
    return records.Page(items, total, query.offset, query.limit or len(items))


def _page(tx: Tx, query: ListQuery) -> list[Any]:
    """The page's ids first (joining only for a sort by name), then their rows."""
    where = _where(query)
    order = order_by(query, SORTS, "when", "i")
    joined = ""
    if "c." in order:
        joined += " LEFT JOIN contact c ON c.id = i.contact_id"
    if "a." in order:
        joined += " LEFT JOIN account a ON a.id = i.account_id"
    limit_sql, limit_params = window(query)
    ids = f"SELECT i.id FROM interaction i{joined} {where.sql} {order}{limit_sql}"
    return tx.all(f"{_SELECT} WHERE i.id IN ({ids}) {order}", **where.params, **limit_params)


def iter_interactions(
    db: Database, query: ListQuery | None = None
) -> Iterator[records.Interaction]:
    """Every matching interaction, a page at a time."""
    return iter_pages(
        lambda q: list_interactions(db, q), query or ListQuery(limit=None, descending=True)
    )


def timeline(
    db: Database,
    *,
    contact_id: int | None = None,
    account_id: int | None = None,
    opportunity_id: int | None = None,
    case_id: int | None = None,
    limit: int = 20,
) -> list[records.Interaction]:
    """The latest interactions of a contact, an account, a deal or a case, newest first."""
    query = ListQuery(
        contact_id=contact_id,
        account_id=account_id,
        opportunity_id=opportunity_id,
        limit=limit,
        descending=True,
        extra={"case_id": case_id} if case_id is not None else {},
    )
    where = _where(query)
    with db.read() as tx:
        found = tx.all(
            f"{_SELECT} {where.sql} ORDER BY i.happened_at DESC, i.id DESC LIMIT :n",
            **where.params,
            n=limit,
        )
    return [rows.interaction(row) for row in found]


def follow_ups_due(db: Database, today: date, limit: int = 50) -> list[records.Interaction]:
    """Open follow-ups due today or overdue, oldest first."""
    with db.read() as tx:
        found = tx.all(
            f"{_SELECT} WHERE i.follow_up_on IS NOT NULL AND i.follow_up_done = FALSE "
            "AND i.follow_up_on <= :today AND i.deleted_at IS NULL "
            "ORDER BY i.follow_up_on, i.id LIMIT :n",
            today=today,
            n=limit,
        )
    return [rows.interaction(row) for row in found]


def title(record: records.Interaction) -> str:
    """The words that name a interaction in messages."""
    return f"{record.kind}: {record.subject}"


SERVICES: Services[records.Interaction] = Services(
    get=get_interaction,
    update=update_interaction,
    delete=delete_interaction,
    restore=restore_interaction,
    list=list_interactions,
    iter=iter_interactions,
    title=title,
)
