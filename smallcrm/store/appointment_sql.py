"""How appointments are read for a window of time, and how their occurrences are flagged when
they clash: the SQL side of ``appointments.occurrences``."""

from __future__ import annotations

from datetime import datetime, timedelta

from smallcrm.store import records
from smallcrm.store.db import Tx

SELECT = (
    "SELECT p.*, trim(c.first_name || ' ' || c.last_name) AS contact_name, "
    "a.name AS account_name FROM appointment p "
    "LEFT JOIN contact c ON c.id = p.contact_id LEFT JOIN account a ON a.id = p.account_id"
)
# One-offs longer than this are listed by an index of their own (migration 0014); a window's
# other one-offs start at most this long before it. ``LONG_SQL`` is that index's condition, word
# for word, so that the planner sees the query implies it.
LONG = timedelta(days=2)
LONG_SQL = {
    "sqlite": "p.ends_at > datetime(p.starts_at, '+2 days')",
    "postgresql": "p.ends_at - p.starts_at > interval '2 days'",
}
# SQLite reads the few series faster in table order than through an index on another column.
_SERIES_HINT = {"sqlite": " NOT INDEXED"}


def overlapping(tx: Tx, where: list[str], *, linked: bool = False) -> str:
    """The appointments that may overlap ``:start``-``:end`` in three parts, each read through
    an index (one query with the parts OR-ed walked every appointment before the window's end):
    the series, the one-offs starting from ``:reach`` on, and the long ones starting before.
    ``linked``: ``where`` picks a contact's or an account's, whose index reads the series."""
    common = " AND ".join(where)
    hint = "" if linked else _SERIES_HINT.get(tx.dialect, "")
    one_off = "p.rrule IS NULL AND p.rdates = '' AND coalesce(p.ends_at, p.starts_at) >= :start"
    return (
        f"{SELECT.replace('appointment p', 'appointment p' + hint, 1)} WHERE {common} "
        "AND (p.rrule IS NOT NULL OR p.rdates <> '') AND (p.rdates <> '' OR p.starts_at < :end) "
        f"UNION ALL {SELECT} WHERE {common} AND {one_off} "
        "AND p.starts_at >= :reach AND p.starts_at < :end "
        f"UNION ALL {SELECT} WHERE {common} AND {one_off} "
        f"AND {LONG_SQL[tx.dialect]} AND p.starts_at < :reach"
    )


def flag_overlaps(
    spans: list[tuple[datetime, datetime | None, records.Appointment]],
) -> list[records.Occurrence]:
    """Timed occurrences that share any minute are flagged (all-day ones never clash)."""
    clashing: set[int] = set()
    latest_end: datetime | None = None
    latest_index = -1
    for index, (when, until, appt) in enumerate(spans):
        if appt.all_day or until is None:
            continue
        if latest_end is not None and when < latest_end:
            clashing.update({index, latest_index})
        if latest_end is None or until > latest_end:
            latest_end, latest_index = until, index
    return [
        records.Occurrence(appt, when, until, overlaps=index in clashing)
        for index, (when, until, appt) in enumerate(spans)
    ]
