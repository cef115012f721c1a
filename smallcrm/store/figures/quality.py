"""How clean the data is: contacts with no email or no phone, email addresses two contacts
share (likely duplicates), and contacts nothing was logged with for 30, 60, 90 and 180 days
(active under 30, cooling from 30, dormant from 90). Each count is the same condition as the
contact list behind it (``contact_checks``)."""

from __future__ import annotations

from datetime import date, timedelta

from smallcrm.store import clock
from smallcrm.store.db import Tx
from smallcrm.store.figures.common import share
from smallcrm.store.figures.model import COUNT, PERCENT, Column, Drill, Figure, Filters, Line
from smallcrm.store.listing import ListQuery

QUIET_DAYS = (30, 60, 90, 180)


def _contacts(filters: Filters, **extra: object) -> Drill:
    return Drill("contact", ListQuery(owner=filters.owner, extra=dict(extra)))


def quality(tx: Tx, filters: Filters, today: date) -> Figure:
    """The counts, each with its share of the live contacts."""
    params: dict[str, object] = {"owner": filters.owner} if filters.owner else {}
    now = clock.now_utc()
    quiet = ", ".join(
        f"sum(CASE WHEN coalesce(q.last_at, q.created_at) < :q{days} THEN 1 ELSE 0 END) AS q{days}"
        for days in QUIET_DAYS
    )
    params.update({f"q{days}": now - timedelta(days=days) for days in QUIET_DAYS})
    # The roll-up holds each live contact's counts of addresses and latest touch, so that this
    # is one walk of one table; ``contact_checks`` holds the same conditions on the records.
    row = tx.row(
        "SELECT count(*) AS total, "
        "sum(CASE WHEN q.emails = 0 THEN 1 ELSE 0 END) AS no_email, "
        "sum(CASE WHEN q.phones = 0 THEN 1 ELSE 0 END) AS no_phone, sum(q.shared) AS shared, "
        f"{quiet} FROM contact_quality q" + (" WHERE q.owner = :owner" if filters.owner else ""),
        **params,
    )
    total = int(row["total"] or 0)
    shared = int(row["shared"] or 0)

    def line(label: str, count: int, drill: Drill) -> Line:
        return Line(label, (count, share(count, total)), drill=drill)

    lines = [
        line("no email", int(row["no_email"] or 0), _contacts(filters, missing="email")),
        line("no phone", int(row["no_phone"] or 0), _contacts(filters, missing="phone")),
        line("shared email", shared, _contacts(filters, shared_email=True)),
    ]
    for days in QUIET_DAYS:
        count = int(row[f"q{days}"] or 0)
        lines.append(line(f"quiet {days}+ days", count, _contacts(filters, quiet_days=days)))
    columns = (Column("contacts", COUNT), Column("share", PERCENT))
    note = f"of {total:,} contacts"
    return Figure("quality", "Data quality", columns, tuple(lines), (), "bars", None, note)
