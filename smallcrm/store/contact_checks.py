"""The data-quality checks on contacts, as list filters (``ListQuery.extra``) so that the
dashboard's counts and the lists behind them are the same condition:

- ``missing``: ``"email"`` or ``"phone"``: contacts with no address of that kind;
- ``quiet_days``: contacts nothing was logged with for that many days (never: since they were
  added), read from the last-touch roll-up;
- ``shared_email``: contacts with an email address another contact has too (likely duplicates).

Saved filters add two more: ``lifecycle`` (a stage as stored) and ``search_ids`` (the contacts
a search found when the filter was applied).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from smallcrm.store import clock
from smallcrm.store import validate as v
from smallcrm.store.listing import Where

METHOD_KINDS = ("email", "phone")
NAMES = ("missing", "quiet_days", "shared_email")
LAST_TOUCH = (
    "coalesce((SELECT t.last_at FROM contact_touch t WHERE t.contact_id = {c}.id), {c}.created_at)"
)
SHARED_EMAILS = (
    "SELECT value FROM contact_method WHERE kind = 'email' "
    "GROUP BY value HAVING count(DISTINCT contact_id) > 1"
)


def missing(alias: str, kind: str) -> str:
    """SQL true for a contact with no address of ``kind`` (a literal from METHOD_KINDS)."""
    return (
        f"NOT EXISTS (SELECT 1 FROM contact_method m WHERE m.contact_id = {alias}.id "
        f"AND m.kind = '{kind}')"
    )


def add_filters(where: Where, extra: dict[str, Any], alias: str = "c") -> None:
    """AND the checks named in ``extra`` to a contact list's WHERE."""
    if extra.get("missing"):
        kind = v.choice("missing", extra["missing"], METHOD_KINDS)
        where.add(missing(alias, str(kind)))
    if extra.get("quiet_days"):
        days = v.whole_number("quiet_days", extra["quiet_days"], low=1, high=36_500)
        cutoff = clock.now_utc() - timedelta(days=int(days or 0))
        where.add(f"{LAST_TOUCH.format(c=alias)} < :quiet_cut", quiet_cut=cutoff)
    if extra.get("lifecycle"):
        where.add(f"{alias}.lifecycle_stage = :lifecycle", lifecycle=extra["lifecycle"])
    if extra.get("search_ids") is not None:
        # Ids a search found (whole numbers from our own index), written out: there may be
        # more than a statement takes parameters.
        ids = ", ".join(str(int(i)) for i in extra["search_ids"]) or "NULL"
        where.add(f"{alias}.id IN ({ids})")
    if extra.get("shared_email"):
        where.add(
            f"{alias}.id IN (SELECT contact_id FROM contact_method WHERE kind = 'email' "
            f"AND value IN ({SHARED_EMAILS}))"
        )


def describe(extra: dict[str, Any]) -> str:
    """The checks in force, in words: ``no email``, ``quiet 90+ days``, ``shared email``."""
    words = []
    if extra.get("missing"):
        words.append(f"no {extra['missing']}")
    if extra.get("quiet_days"):
        words.append(f"quiet {extra['quiet_days']}+ days")
    if extra.get("lifecycle"):
        words.append(f"lifecycle {extra['lifecycle'].replace('_', ' ')}")
    if extra.get("search"):
        words.append(f"search {extra['search']}")
    if extra.get("shared_email"):
        words.append("shared email")
    return ", ".join(words)
