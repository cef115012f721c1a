"""A user's day in a few lines, for ``smallcrm today --brief`` at login: today's appointments,
the follow-ups due or overdue and the service cases breached or at risk that are theirs (an
appointment or a case is its owner's, else its creator's; a follow-up is whoever logged it's,
as reminders have it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from smallcrm.store import appointments, case_lists, records, rows
from smallcrm.store.db import Database


@dataclass(frozen=True)
class Brief:
    """What ``today --brief`` shows: the first few of each list and how many there are."""

    day: date
    appointments: list[records.Occurrence]
    follow_ups: list[records.Interaction]  # overdue first
    follow_up_count: int
    overdue_count: int
    cases: list[records.Case] = field(default_factory=list)  # the most overdue first
    case_count: int = 0


def brief(db: Database, user: str, day: date, limit: int = 10) -> Brief:
    """``user``'s appointments on ``day``, open follow-ups due by then and cases breached or at
    risk now (``limit`` each)."""
    start, end = appointments.day_bounds(day)
    mine = appointments.occurrences(db, start, end, user=user)
    where = (
        "FROM interaction i WHERE i.follow_up_on IS NOT NULL AND i.follow_up_done = FALSE "
        "AND i.deleted_at IS NULL AND i.follow_up_on <= :day AND i.created_by = :user"
    )
    with db.read() as tx:
        counts = tx.row(
            f"SELECT count(*) AS n, count(CASE WHEN i.follow_up_on < :day THEN 1 END) AS late "
            f"{where}",
            day=day,
            user=user,
        )
        found = tx.all(
            "SELECT i.*, trim(c.first_name || ' ' || c.last_name) AS contact_name, "
            "a.name AS account_name FROM interaction i "
            "LEFT JOIN contact c ON c.id = i.contact_id "
            "LEFT JOIN account a ON a.id = i.account_id "
            f"WHERE i.id IN (SELECT i.id {where}) ORDER BY i.follow_up_on, i.id LIMIT :n",
            day=day,
            user=user,
            n=limit,
        )
    cases = case_lists.users_needing_attention(db, user, limit)
    return Brief(
        day,
        mine[:limit],
        [rows.interaction(r) for r in found],
        counts["n"],
        counts["late"],
        cases.items,
        cases.total,
    )
