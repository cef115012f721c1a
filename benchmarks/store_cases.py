"""The newer cases of ``store_bench.py``: spellings, parts of words, ranking, every sort.

Kept apart from the runner so each file stays one idea: ``store_bench.py`` measures and prints,
this module says what is measured.

- spellings: the same names typed the ways people type them on keyboards without the letters
  (``muller``, ``mueller``, ``müller``; ``weiss``; ``soren``, ``aero``);
- parts: three or more letters from inside a name, an email or a phone number;
- ranking: where a newly added "Jan Zylinski" comes for ``jan z`` and ``zylinski`` (the note
  says its place; the figure is the search's time);
- sorts: one page of each list by each of its sort keys, first, middle and deep, each read the
  way the app and ``smallcrm list`` read it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from smallcrm.store import accounts, appointments, contacts, interactions, opportunities, search
from smallcrm.store.db import Database
from smallcrm.store.listing import ListQuery

SPELLINGS = ("weiss", "weißm", "muller", "mueller", "müller", "juergen", "soren", "aero")
PARTS = ("4567", "mann", "sson", "ller")
NEWCOMER = ("Jan", "Zylinski")
RANKED = ("jan z", "zylinski")
SORT_TARGET_MS = 10.0

# kind -> (list service, its sort keys, the default query)
LISTS: dict[str, tuple[Callable[..., Any], dict[str, str], ListQuery]] = {
    "contacts": (contacts.list_contacts, contacts.SORTS, ListQuery()),
    "accounts": (accounts.list_accounts, accounts.SORTS, ListQuery()),
    "deals": (opportunities.list_opportunities, opportunities.SORTS, ListQuery()),
    "interactions": (interactions.list_interactions, interactions.SORTS, ListQuery()),
    "appointments": (appointments.list_appointments, appointments.SORTS, ListQuery()),
}


def newcomer(db: Database) -> int:
    """The id of "Jan Zylinski", added (once) as the newest contact of the database."""
    first, last = NEWCOMER
    with db.read() as tx:
        found = tx.scalar(
            "SELECT max(id) FROM contact WHERE first_name = :f AND last_name = :l "
            "AND deleted_at IS NULL",
            f=first,
            l=last,
        )
    if found:
        return int(found)
    made = contacts.create_contact(
        db, first_name=first, last_name=last, allow_duplicate=True, actor="bench"
    )
    return made.id


def place(db: Database, text: str, record_id: int) -> str:
    """Where the contact ``record_id`` comes among the contact hits for ``text``."""
    hits = search.search(db, text, kinds=("contact",), per_kind=5)
    ids = [hit.record_id for hit in hits]
    return f"newcomer #{ids.index(record_id) + 1}" if record_id in ids else "newcomer not in top 5"


def sort_cases(
    db: Database, lists: tuple[str, ...] = tuple(LISTS)
) -> list[tuple[str, Callable[[], Any], str]]:
    """(name, action, note) for one page of each of ``lists`` by every sort key, at four
    depths: the first page, the middle, 90 % in and the last."""
    cases = []
    for label in lists:
        lister, sorts, base = LISTS[label]
        total = lister(db, ListQuery(limit=1, descending=base.descending)).total
        # Pages past the middle are read from the end, so the middle is the deepest skip.
        depths = (
            ("first", 0),
            ("middle", total // 2),
            ("deep", total * 9 // 10),
            ("last", max(0, total - 50)),
        )
        for depth, offset in depths:
            for key in sorts:
                query = ListQuery(offset=offset, limit=50, sort=key)
                cases.append(
                    (
                        f"{label} by {key} {depth}",
                        lambda q=query, f=lister: f(db, q),
                        f"offset {offset:,} of {total:,}",
                    )
                )
    return cases
