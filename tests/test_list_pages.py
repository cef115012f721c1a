"""Deals and appointments page by page: every page, from the front or read from the end, is the
matching slice of the whole list, whatever the sort and direction."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from smallcrm.store import accounts, appointments, opportunities
from smallcrm.store.db import Database
from smallcrm.store.listing import ListQuery

NAMES = ("Böhm", "Braun", "bauer", "Bode", "Zorn", "Abel", "Braun")  # ties on purpose


@pytest.fixture
def crm(db: Database) -> Database:
    account = accounts.create_account(db, allow_duplicate=True, name="Acme")
    for n in range(23):
        name = NAMES[n % len(NAMES)]
        opportunities.create_opportunity(
            db,
            name=f"{name} deal",
            account_id=account.id if n % 3 else None,
            amount=Decimal(100 * (n % 4)),
            expected_close=date(2027, 1, 1 + n % 5) if n % 4 else None,
        )
        appointments.create_appointment(
            db,
            title=f"{name} visit",
            location=NAMES[n % 3] if n % 2 else None,
            starts_at=datetime(2026, 12, 1, 9, tzinfo=UTC) + timedelta(hours=n % 6),
        )
    gone = opportunities.list_opportunities(db, ListQuery(limit=1)).items[0]
    opportunities.delete_opportunity(db, gone.id)
    return db


def _pages(lister: Callable[..., Any], sort: str, descending: bool, **filters: Any) -> None:
    whole = lister(None, ListQuery(limit=100, sort=sort, descending=descending, **filters))
    ids = [r.id for r in whole.items]
    assert len(ids) > 10
    for size in (5, 7):
        for offset in range(0, whole.total + 2):
            query = ListQuery(
                offset=offset, limit=size, sort=sort, descending=descending, **filters
            )
            page = lister(None, query)
            assert [r.id for r in page.items] == ids[offset : offset + size], (sort, offset)
            assert page.total == whole.total == len(ids)


@pytest.mark.parametrize("descending", [False, True])
def test_every_deal_page_is_its_slice(crm: Database, descending: bool) -> None:
    def lister(_: None, query: ListQuery) -> Any:
        return opportunities.list_opportunities(crm, query)

    for sort in opportunities.SORTS:
        _pages(lister, sort, descending)
    _pages(lister, "name", descending, open_only=True)
    _pages(lister, "amount", descending, stage="lead")


@pytest.mark.parametrize("descending", [False, True])
def test_every_appointment_page_is_its_slice(crm: Database, descending: bool) -> None:
    def lister(_: None, query: ListQuery) -> Any:
        return appointments.list_appointments(crm, query)

    for sort in appointments.SORTS:
        _pages(lister, sort, descending)
    _pages(lister, "title", descending, since=date(2026, 12, 1))
