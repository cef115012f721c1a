"""Lists of cases: the cases screen's pages, ``smallcrm list cases``, and the cases at risk and
breached that ``today`` shows.

Open cases come first, the soonest due first and those whose clock stands (waiting on the
customer) after them, then resolved and closed ones, newest first. Filters arrive in
``ListQuery.extra``: ``status`` (one or several), ``priority``, ``breached`` (a target missed
and still counting), ``at_risk`` (less than a quarter of a target left, or missed), ``open``.
Each page is one walk of an index over the open cases' deadlines (``models.ServiceCase``); how
a case stands (``0h35 left``) is worked out for the page's rows alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from smallcrm.store import business_time, case_clock, clock, crud, records, rows
from smallcrm.store import validate as v
from smallcrm.store.case_targets import PRIORITIES
from smallcrm.store.db import Database, Tx
from smallcrm.store.listing import ListQuery, Where, iter_pages, window

KIND = "service_case"
_SELECT = (
    "SELECT s.*, trim(c.first_name || ' ' || c.last_name) AS contact_name, "
    "a.name AS account_name FROM service_case s "
    "LEFT JOIN contact c ON c.id = s.contact_id LEFT JOIN account a ON a.id = s.account_id"
)
_OPEN = "s.deleted_at IS NULL AND s.resolved_at IS NULL"
# The order of the open cases' index, then the done ones newest first.
_ORDERS = {
    "sla": "(s.resolved_at IS NOT NULL), (s.due_at IS NULL), s.due_at, s.id",
    "open": "(s.due_at IS NULL), s.due_at, s.id",
    "number": "s.id",
    "created": "s.created_at, s.id",
}


def standing_of(plan: business_time.Schedule, row: Any, now: datetime) -> records.CaseStanding:
    """How a case row stands against its promise at ``now``."""
    found = case_clock.standing(plan, case_clock.of(row), now)
    minutes = int(found.amount.total_seconds() // 60)
    return records.CaseStanding(found.state, minutes, found.target, found.at_risk, found.text())


def _records(rows_found: Iterable[Any]) -> list[records.Case]:
    plan, now = business_time.schedule(), clock.now_utc()
    return [rows.case(row, standing_of(plan, row, now)) for row in rows_found]


def get_tx(tx: Tx, case_id: int, *, trashed: bool = False) -> records.Case:
    """One case read inside an open transaction."""
    crud.fetch_row(tx, KIND, case_id, trashed=trashed)
    return _records([tx.one(f"{_SELECT} WHERE s.id = :id", id=case_id)])[0]


def _where(query: ListQuery, now: datetime) -> tuple[Where, bool]:
    """The filters, and whether they keep to open cases (the index's own condition)."""
    extra = query.extra
    where = Where()
    where.add("s.deleted_at IS NULL")
    statuses = _statuses(extra.get("status"))
    only_open = bool(extra.get("open") or extra.get("breached") or extra.get("at_risk"))
    only_open = only_open or bool(statuses and set(statuses) <= set(case_clock.OPEN_STATUSES))
    if only_open:
        where.add("s.resolved_at IS NULL")
    if statuses:
        names = {f"status{i}": s for i, s in enumerate(statuses)}
        where.add(f"s.status IN ({', '.join(':' + n for n in names)})", **names)
    if extra.get("priority"):
        priority = v.choice("priority", extra["priority"], PRIORITIES)
        where.add("s.priority = :priority", priority=priority)
    if extra.get("breached"):
        where.add("s.due_at <= :now", now=now)
    elif extra.get("at_risk"):
        where.add("s.risk_at <= :now", now=now)
    if query.owner:
        where.add("s.owner = :owner", owner=query.owner)
    if extra.get("user"):  # a user's cases: assigned to them, or opened by them and unassigned
        where.add("coalesce(s.owner, s.created_by) = :user", user=extra["user"])
    for key in ("contact_id", "account_id"):
        value = getattr(query, key)
        if value is not None:
            where.add(f"s.{key} = :{key}", **{key: value})
    return where, only_open


def _statuses(value: Any) -> list[str]:
    if not value:
        return []
    words = [value] if isinstance(value, str) else list(value)
    return [str(v.choice("status", word, case_clock.STATUSES)) for word in words]


def _order(query: ListQuery, only_open: bool) -> str:
    key = query.sort or ("open" if only_open else "sla")
    if key == "open" and not only_open:
        key = "sla"
    if key not in _ORDERS:
        from smallcrm.store.errors import ValidationError

        raise ValidationError("sort", f"cannot sort cases by {key!r}; one of sla, number, created")
    direction = " DESC" if query.descending else ""
    return "ORDER BY " + ", ".join(part + direction for part in _ORDERS[key].split(", "))


def list_cases(db: Database, query: ListQuery | None = None) -> records.Page[records.Case]:
    """One page of cases (open ones first, the soonest due first) with the total."""
    query = query or ListQuery()
    limit_sql, limit_params = window(query)
    now = clock.now_utc()
    where, only_open = _where(query, now)
    order = _order(query, only_open)
    with db.read() as tx:
        total = tx.scalar(f"SELECT count(*) FROM service_case s {where.sql}", **where.params)
        ids = f"SELECT s.id FROM service_case s {where.sql} {order}{limit_sql}"
        found = tx.all(f"{_SELECT} WHERE s.id IN ({ids}) {order}", **where.params, **limit_params)
    return records.Page(_records(found), int(total), query.offset, query.limit or len(found))


def iter_cases(db: Database, query: ListQuery | None = None) -> Iterator[records.Case]:
    """Every matching case, a page at a time."""
    return iter_pages(lambda q: list_cases(db, q), query or ListQuery(limit=None))


def age_text(case: records.Case, now: datetime | None = None) -> str:
    """How long ago a case was opened, in wall-clock time: ``35m``, ``5h``, ``3d``."""
    moment = now or clock.now_utc()
    seconds = max(0, int((moment - case.tracking.created_at).total_seconds()))
    if seconds < 3600:
        return f"{seconds // 60}m"
    if seconds < 86400:
        return f"{seconds // 3600}h"
    return f"{seconds // 86400}d"


def needing_attention(
    db: Database, limit: int = 20, owner: str | None = None
) -> list[records.Case]:
    """Open cases breached or at risk (less than a quarter of a target left), the most
    overdue first: what ``today`` lists."""
    extra = {"at_risk": True}
    return list_cases(db, ListQuery(limit=limit, owner=owner, extra=extra)).items


def users_needing_attention(db: Database, user: str, limit: int) -> records.Page[records.Case]:
    """``user``'s open cases breached or at risk, the most overdue first (their cases are those
    assigned to them, or opened by them and assigned to no one, as their reminders have it)."""
    return list_cases(db, ListQuery(limit=limit, extra={"at_risk": True, "user": user}))
