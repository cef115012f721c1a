"""A user's day in a few lines, for ``smallcrm today --brief`` at login: today's appointments
and the follow-ups due or overdue that are theirs (an appointment is its owner's, else its
creator's; a follow-up is whoever logged it's, as reminders have it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from smallcrm.store import appointments, records, rows
from smallcrm.store.db import Database


@dataclass(frozen=True)
class Brief:
    """What ``today --brief`` shows: the first few of each list and how many there are."""

    day: date
    appointments: list[records.Occurrence]
    follow_ups: list[records.Interaction]  # overdue first
    follow_up_count: int
    overdue_count: int


def brief(db: Database, user: str, day: date, limit: int = 10) -> Brief:
    """``user``'s appointments on ``day`` and open follow-ups due by then (``limit`` each)."""
    start, end = appointments.day_bounds(day)
    mine = [
        occ
        for occ in appointments.occurrences(db, start, end)
        if (occ.appointment.owner or occ.appointment.tracking.created_by) == user
    ]
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
    return Brief(
        day, mine[:limit], [rows.interaction(r) for r in found], counts["n"], counts["late"]
    )
