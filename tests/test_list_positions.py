"""Deep list pages read from remembered places in the sort order (``store/positions.py``) are
exactly the pages a plain OFFSET reads: by every sort, both ways, at every depth, and still
after records are added, trashed, restored, renamed or re-sorted, by this session or another."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from smallcrm.store import accounts, appointments, contacts, interactions, opportunities, positions
from smallcrm.store.db import Database, open_database
from smallcrm.store.listing import ListQuery, order_by

KINDS = ("interaction", "contact", "opportunity", "appointment")
NAMES = ("Böhm", "Braun", "bauer", "Bode", "Zorn", "Abel", "Braun", "Ærø")  # ties on purpose
# kind -> (list service, SORTS, default sort key, alias)
LISTS: dict[str, tuple[Callable[..., Any], dict[str, str], str, str]] = {
    "interaction": (interactions.list_interactions, interactions.SORTS, "when", "i"),
    "contact": (contacts.list_contacts, contacts.SORTS, "name", "c"),
    "opportunity": (opportunities.list_opportunities, opportunities.SORTS, "close", "o"),
    "appointment": (appointments.list_appointments, appointments.SORTS, "start", "p"),
    "account": (accounts.list_accounts, accounts.SORTS, "name", "a"),
}


@pytest.fixture
def small_steps(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Anchors every 4 rows and no list too short for them, so a test-sized list uses them."""
    monkeypatch.setattr(positions, "STEP", 4)
    monkeypatch.setattr(positions, "SMALL", 6)
    yield


@pytest.fixture
def crm(db: Database, small_steps: None) -> Database:
    acme = accounts.create_account(db, allow_duplicate=True, name="Acme")
    zeta = accounts.create_account(db, allow_duplicate=True, name="Zeta")
    people = []
    for n in range(26):
        person = contacts.create_contact(
            db,
            allow_duplicate=True,
            first_name=NAMES[(n * 3) % len(NAMES)],
            last_name=NAMES[n % len(NAMES)],
            city=NAMES[n % 3] if n % 4 else None,
            account_id=(acme, zeta, None)[n % 3].id if n % 3 < 2 else None,  # type: ignore[union-attr]
        )
        people.append(person)
    start = datetime(2026, 11, 1, 9, tzinfo=UTC)
    for n in range(40):
        interactions.log_interaction(
            db,
            kind=("call", "email", "meeting", "note")[n % 4],
            subject=f"{NAMES[n % len(NAMES)]} talk",
            contact_id=people[n % 7].id,
            account_id=acme.id if n % 5 else None,
            happened_at=start + timedelta(hours=n % 9),
            follow_up_on=date(2026, 12, 1 + n % 3) if n % 6 == 0 else None,
        )
    for n in range(24):
        opportunities.create_opportunity(
            db,
            name=f"{NAMES[n % len(NAMES)]} deal",
            account_id=acme.id if n % 3 else None,
            amount=Decimal(100 * (n % 4)),
            expected_close=date(2027, 1, 1 + n % 5) if n % 4 else None,
        )
        appointments.create_appointment(
            db,
            title=f"{NAMES[n % len(NAMES)]} visit",
            location=NAMES[n % 3] if n % 2 else None,
            starts_at=start + timedelta(hours=n % 6),
        )
    return db


def _reference(db: Database, kind: str, query: ListQuery) -> list[int]:
    """The page's ids by a plain OFFSET query over the live rows."""
    _lister, sorts, default, alias = LISTS[kind]
    with db.read() as tx:
        found = tx.all(
            f"SELECT {alias}.id FROM {kind} {alias} WHERE {alias}.deleted_at IS NULL "
            f"{order_by(query, sorts, default, alias)} LIMIT :n OFFSET :o",
            n=query.limit,
            o=query.offset,
        )
        total = tx.scalar(f"SELECT count(*) FROM {kind} WHERE deleted_at IS NULL")
    return [int(row[0]) for row in found] + [int(total)]


def _check_every_page(db: Database, kind: str) -> None:
    lister, sorts, _default, _alias = LISTS[kind]
    total = lister(db, ListQuery(limit=1)).total
    depths = {
        0,
        1,
        3,
        total // 3,
        total // 2,
        total // 2 + 1,
        total - 7,
        total - 1,
        total,
        total + 2,
    }
    for key in sorts:
        for descending in (False, True):
            for offset in sorted(d for d in depths if d >= 0):
                for size in (1, 5):
                    query = ListQuery(offset=offset, limit=size, sort=key, descending=descending)
                    page = lister(db, query)
                    assert [r.id for r in page.items] + [page.total] == _reference(
                        db, kind, query
                    ), (kind, key, descending, offset, size)


def _remembered(db: Database) -> int:
    return sum(len(anchors.places) for anchors in positions._CACHE.get(db, {}).values())


@pytest.mark.parametrize("kind", KINDS)
def test_every_page_is_the_offset_page(crm: Database, kind: str) -> None:
    _check_every_page(crm, kind)
    assert _remembered(crm) > 0  # the pages came from anchors, not from a plain OFFSET


def _reshuffle(db: Database) -> None:
    """Changes that move rows in every sort: adds, trash, restore, renames, re-sorting edits."""
    first = contacts.list_contacts(db, ListQuery(limit=3)).items
    contacts.update_contact(db, first[0].id, None, last_name="Aaberg", city="Zürich")
    contacts.delete_contact(db, first[1].id)
    contacts.create_contact(db, allow_duplicate=True, first_name="Jan", last_name="Mittel")
    met = interactions.list_interactions(db, ListQuery(limit=4)).items
    interactions.update_interaction(db, met[0].id, None, subject="Aardvark", kind="visit")
    interactions.update_interaction(db, met[1].id, None, follow_up_on=date(2026, 12, 30))
    interactions.delete_interaction(db, met[2].id)
    interactions.restore_interaction(db, met[2].id)
    interactions.delete_interaction(db, met[3].id)
    interactions.log_interaction(db, kind="call", subject="Mid", contact_id=first[2].id)
    deals = opportunities.list_opportunities(db, ListQuery(limit=2)).items
    opportunities.update_opportunity(db, deals[0].id, None, expected_close=None, amount=5)
    opportunities.delete_opportunity(db, deals[1].id)
    seen = appointments.list_appointments(db, ListQuery(limit=2)).items
    appointments.update_appointment(db, seen[0].id, None, title="Zzz", location="Aachen")
    appointments.delete_appointment(db, seen[1].id)


def test_no_stale_page_after_changes(crm: Database) -> None:
    for kind in KINDS:
        _check_every_page(crm, kind)
    _reshuffle(crm)
    for kind in KINDS:
        _check_every_page(crm, kind)


def test_no_stale_page_after_another_session_writes(crm: Database, db_path: Path) -> None:
    for kind in KINDS:
        _check_every_page(crm, kind)
    other = open_database(db_path)
    try:
        _reshuffle(other)
    finally:
        other.close()
    for kind in KINDS:
        _check_every_page(crm, kind)


def _stamp(db: Database, kind: str) -> Any:
    with db.read() as tx:
        return positions.counted(tx, kind)[1]


def test_stamp_changes_only_with_the_order(db: Database) -> None:
    person = contacts.create_contact(db, allow_duplicate=True, first_name="A", last_name="B")
    logged = interactions.log_interaction(db, kind="call", subject="S", contact_id=person.id)
    before = _stamp(db, "interaction")
    interactions.update_interaction(db, logged.id, None, body="notes only")
    assert _stamp(db, "interaction") == before  # nothing any sort reads changed
    interactions.update_interaction(db, logged.id, None, subject="T")
    renamed = _stamp(db, "interaction")
    assert renamed != before
    contacts.update_contact(db, person.id, None, last_name="C")  # its interactions' contact key
    assert _stamp(db, "interaction") != renamed
    trashed = _stamp(db, "interaction")
    interactions.delete_interaction(db, logged.id)
    assert _stamp(db, "interaction") != trashed


def test_every_sorted_column_changes_the_stamp() -> None:
    """The revision's triggers watch every column a sort of a listed kind reads."""
    revision = importlib.import_module("smallcrm.store.migrations.versions.0024_list_stamps")
    for kind in KINDS:
        _lister, sorts, _default, alias = LISTS[kind]
        read = {
            part.strip().rstrip("?").removeprefix(f"{alias}.")
            for spec in sorts.values()
            for part in spec.split(",")
        }
        assert read <= set(revision.SORTED[kind].split()), kind


def test_filtered_and_short_lists_use_plain_offsets(db: Database) -> None:
    for n in range(5):
        contacts.create_contact(db, allow_duplicate=True, first_name=f"P{n}", last_name="Q")
    page = contacts.list_contacts(db, ListQuery(offset=2, limit=2))
    assert len(page.items) == 2
    assert _remembered(db) == 0  # five contacts: far below positions.SMALL


@pytest.mark.parametrize("descending", [False, True])
def test_every_account_page_is_the_offset_page(db: Database, descending: bool) -> None:
    """Accounts choose a page's ids from the sort's index and read deep pages from the end."""
    for n in range(17):
        accounts.create_account(
            db,
            allow_duplicate=True,
            name=f"{NAMES[n % len(NAMES)]} {n % 3}",
            industry=NAMES[n % 4] if n % 3 else None,
            city=NAMES[n % 5],
        )
    gone = accounts.list_accounts(db, ListQuery(limit=1)).items[0]
    accounts.delete_account(db, gone.id)
    for key in accounts.SORTS:
        for offset in range(0, 18):
            query = ListQuery(offset=offset, limit=5, sort=key, descending=descending)
            page = accounts.list_accounts(db, query)
            expected = _reference(db, "account", query)
            assert [a.id for a in page.items] + [page.total] == expected, (key, offset)
    filtered = accounts.list_accounts(db, ListQuery(extra={"industry": NAMES[1]}))
    assert filtered.total == len(filtered.items) > 0
