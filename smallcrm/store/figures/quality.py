"""How clean the data is: contacts with no email or no phone, email addresses two contacts
share (likely duplicates), and contacts nothing was logged with for 30, 60, 90 and 180 days
(active under 30, cooling from 30, dormant from 90). Each count is the same condition as the
contact list behind it (``contact_checks``)."""

from __future__ import annotations

from datetime import date, timedelta

from smallcrm.store import clock, contact_checks
from smallcrm.store.db import Tx
from smallcrm.store.figures.common import share
from smallcrm.store.figures.model import COUNT, PERCENT, Column, Drill, Figure, Filters, Line
from smallcrm.store.listing import ListQuery

QUIET_DAYS = (30, 60, 90, 180)


def _contacts(filters: Filters, **extra: object) -> Drill:
    return Drill("contact", ListQuery(owner=filters.owner, extra=dict(extra)))


def quality(tx: Tx, filters: Filters, today: date) -> Figure:
    """The counts, each with its share of the live contacts."""
    owner = " AND c.owner = :owner" if filters.owner else ""
    params: dict[str, object] = {"owner": filters.owner} if filters.owner else {}
    now = clock.now_utc()
    quiet = ", ".join(
        f"sum(CASE WHEN coalesce(t.last_at, c.created_at) < :q{days} THEN 1 ELSE 0 END) AS q{days}"
        for days in QUIET_DAYS
    )
    params.update({f"q{days}": now - timedelta(days=days) for days in QUIET_DAYS})
    row = tx.row(
        "SELECT count(*) AS total, "
        f"sum(CASE WHEN {contact_checks.missing('c', 'email')} THEN 1 ELSE 0 END) AS no_email, "
        f"sum(CASE WHEN {contact_checks.missing('c', 'phone')} THEN 1 ELSE 0 END) AS no_phone, "
        f"{quiet} FROM contact c LEFT JOIN contact_touch t ON t.contact_id = c.id "
        f"WHERE c.deleted_at IS NULL{owner}",
        **params,
    )
    total = int(row["total"] or 0)
    shared = int(
        tx.scalar(
            "SELECT count(DISTINCT m.contact_id) FROM contact_method m JOIN contact c "
            f"ON c.id = m.contact_id AND c.deleted_at IS NULL{owner} WHERE m.kind = 'email' "
            f"AND m.value IN ({contact_checks.SHARED_EMAILS})",
            **({"owner": filters.owner} if filters.owner else {}),
        )
        or 0
    )

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
