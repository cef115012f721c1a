"""Search: accents, prefixes, kinds, trash, ranking, and input that must never raise."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smallcrm.store import accounts, appointments, contacts, interactions, opportunities, search
from smallcrm.store import kinds as registry
from smallcrm.store.db import Database


@pytest.fixture
def crm(db: Database) -> Database:
    acme = accounts.create_account(db, allow_duplicate=True, name="Acme GmbH", industry="Machinery")
    contacts.create_contact(
        db,
        allow_duplicate=True,
        name="Anna Müller",
        emails=["anna@acme.example"],
        account_id=acme.id,
    )
    contacts.create_contact(db, allow_duplicate=True, name="Jana Novák", account_id=acme.id)
    contacts.create_contact(
        db, allow_duplicate=True, name="Jan Zimmerman", emails=["jz@example.org"]
    )
    contacts.create_contact(db, allow_duplicate=True, name="Janine Janssen")
    opportunities.create_opportunity(db, name="Acme renewal", account_id=acme.id)
    interactions.log_interaction(
        db, kind="call", subject="Discussed renewal pricing", account_id=acme.id
    )
    appointments.create_appointment(
        db, title="Demo at Acme", starts_at=datetime(2026, 12, 1, 14, tzinfo=UTC)
    )
    return db


def test_accent_insensitive(crm: Database) -> None:
    assert [h.title for h in search.search(crm, "muller")] == ["Anna Müller"]
    assert [h.title for h in search.search(crm, "Novak")] == ["Jana Novák"]
    assert [h.title for h in search.search(crm, "MÜLL")] == ["Anna Müller"]


def test_prefixes_and_ranking_put_name_matches_first(crm: Database) -> None:
    titles = [h.title for h in search.search(crm, "jan", kinds=("contact",))]
    assert titles[0] == "Jan Zimmerman"
    assert set(titles) == {"Jan Zimmerman", "Jana Novák", "Janine Janssen"}


def test_all_kinds_grouped(crm: Database) -> None:
    hits = search.search(crm, "acme")
    kinds = [h.kind for h in hits]
    assert kinds == sorted(kinds, key=registry.SEARCH_ORDER.index)
    assert {"contact", "account", "opportunity", "appointment"} <= set(kinds)
    account = next(h for h in hits if h.kind == "account")
    assert account.open_command == f"smallcrm show account {account.record_id}"
    assert search.search(crm, "pricing")[0].kind == "interaction"


def test_email_and_multi_word(crm: Database) -> None:
    assert [h.title for h in search.search(crm, "jz@example")] == ["Jan Zimmerman"]
    assert [h.title for h in search.search(crm, "jan zimm")] == ["Jan Zimmerman"]
    assert search.search(crm, "jan nomatch") == []


def test_names_only_ignores_details(crm: Database) -> None:
    assert search.search(crm, "acme", kinds=("contact",), names_only=True) == []


def test_trashed_and_changed_records(crm: Database) -> None:
    hit = search.search(crm, "janine")[0]
    contacts.delete_contact(crm, hit.record_id)
    assert search.search(crm, "janine") == []
    contacts.restore_contact(crm, hit.record_id)
    contacts.update_contact(crm, hit.record_id, None, last_name="Smith")
    assert search.search(crm, "janssen") == []
    assert [h.title for h in search.search(crm, "smith")] == ["Janine Smith"]
    account = search.search(crm, "acme", kinds=("account",))[0]
    accounts.update_account(crm, account.record_id, None, name="Zenith AG")
    assert "Zenith AG" in search.search(crm, "novak")[0].detail
    assert search.check_index(crm)


@pytest.mark.parametrize(
    "text",
    [
        '"',
        "'",
        "*",
        "-",
        "-jan",
        "NEAR(a b)",
        "a AND OR NOT",
        "\x00",
        "",
        "   ",
        "jan*",
        "(",
        "col:jan",
        "^jan",
        "a" * 10_000,
        "😀",
        "jan\x00ina",
        "title: x",
        "{title}: y",
    ],
)
def test_hostile_input_never_raises(crm: Database, text: str) -> None:
    assert isinstance(search.search(crm, text), list)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text())
def test_any_text_returns_hits_or_none(crm: Database, text: str) -> None:
    for hit in search.search(crm, text):
        assert hit.kind in registry.NAMES


def test_index_rebuild_repairs(crm: Database) -> None:
    with crm.write() as tx:
        if crm.dialect == "sqlite":
            tx.execute(
                "DELETE FROM search_fts WHERE rowid IN (SELECT fts_id FROM search_fts_rows LIMIT 1)"
            )
        else:  # the tsvector is generated from search_doc: lose a document instead
            tx.execute("DELETE FROM search_doc WHERE kind = 'contact'")
    assert not search.check_index(crm)
    search.rebuild_index(crm)
    assert search.check_index(crm)
    assert search.search(crm, "muller")
