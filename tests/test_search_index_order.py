"""SQLite's search index numbers its rows newest first within each kind (read forwards, fast)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from smallcrm.store import (
    accounts,
    appointments,
    campaigns,
    cases,
    contacts,
    interactions,
    opportunities,
    search,
)
from smallcrm.store import kinds as registry
from smallcrm.store.db import Database
from smallcrm.store.search_tiers import doc_of_fts, fts_range, fts_rowid

pytestmark = pytest.mark.sqlite_only  # PostgreSQL reads its ids off a b-tree either way round


def _fill(db: Database, copies: int = 3, *, campaigns_too: bool = True) -> None:
    for n in range(copies):
        account = accounts.create_account(db, allow_duplicate=True, name=f"Review Works {n}")
        contacts.create_contact(
            db, allow_duplicate=True, name=f"Rita Review{n}", account_id=account.id
        )
        opportunities.create_opportunity(db, name=f"Review deal {n}", account_id=account.id)
        interactions.log_interaction(
            db, kind="call", subject=f"Review call {n}", account_id=account.id
        )
        appointments.create_appointment(
            db, title=f"Review meeting {n}", starts_at=datetime(2026, 12, 1 + n, 9, tzinfo=UTC)
        )
        cases.create_case(db, subject=f"Review case {n}", account_id=account.id)
        if campaigns_too:  # a later migration than 0013 added them: going back removes them
            campaigns.create_campaign(db, name=f"Review campaign {n}", channel="email")


def _rows(db: Database) -> tuple[set[int], set[int], set[int], set[int]]:
    with db.read() as tx:
        documents = {r[0] for r in tx.all("SELECT id FROM search_doc")}
        parted = {r[0] for r in tx.all("SELECT id FROM search_doc WHERE parts IS NOT NULL")}
        # Through MATCH: a plain scan of an FTS5 table reads its content, not the index.
        indexed = {r[0] for r in tx.all("SELECT rowid FROM search_fts('review')")}
        parts = {r[0] for r in tx.all("SELECT rowid FROM search_fts_parts('review')")}
    return documents, parted, indexed, parts


def test_rowids_count_down_from_the_newest_record_of_each_kind(db: Database) -> None:
    _fill(db)
    documents, parted, indexed, parts = _rows(db)
    assert indexed == {fts_rowid(d) for d in documents}
    assert parts == {fts_rowid(d) for d in parted} and parted
    for kind in registry.KINDS:
        low, high = fts_range(kind.name)
        mine = sorted(d for d in documents if d // search.SPAN == kind.search_code)
        rowids = [fts_rowid(d) for d in mine]
        assert len(mine) == 3 and all(low <= r < high for r in rowids)
        assert rowids == sorted(rowids, reverse=True)  # newer record, lower rowid
        assert [doc_of_fts(r) for r in rowids] == mine


def test_the_sql_mapping_agrees_with_python(db: Database) -> None:
    _fill(db, copies=1)
    expression = search.doc_of_fts_sql("rowid")
    with db.read() as tx:
        pairs = tx.all(f"SELECT rowid, {expression} AS doc FROM search_fts('review')")
    assert pairs and all(doc_of_fts(rowid) == doc for rowid, doc in pairs)


def test_each_kind_lists_its_newest_matches_first(db: Database) -> None:
    _fill(db, copies=7)
    hits = search.search(db, "review", per_kind=5)
    for kind in registry.SEARCH_ORDER:
        titles = [h.title for h in hits if h.kind == kind]
        assert len(titles) == 5, kind
        assert [t[-1] for t in titles] == ["6", "5", "4", "3", "2"], (kind, titles)


def test_a_rebuild_and_a_way_back_keep_the_numbering(db: Database) -> None:
    from alembic import command

    from smallcrm.store import migrate

    _fill(db, campaigns_too=False)
    before = _rows(db)
    search.rebuild_index(db)
    assert _rows(db) == before and search.check_index(db)
    engine = migrate.make_engine(db.url)
    with engine.begin() as connection:
        command.downgrade(migrate.alembic_config(connection), "0012")
    engine.dispose()
    documents, parted, indexed, parts = _rows(db)
    assert indexed == documents and parts == parted  # 0012: rowid = document id
    assert search.check_index(db)
    migrate.upgrade(db.url)
    assert _rows(db) == before and search.check_index(db)
    assert [h.title for h in search.search(db, "rita", kinds=("contact",))][0] == "Rita Review2"
