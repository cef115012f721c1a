"""Resolving what a user typed to one record, and spotting likely duplicates (store.resolve)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smallcrm.store import lookalikes as la
from smallcrm.store import resolve as r
from smallcrm.store.accounts import create_account
from smallcrm.store.contacts import create_contact, delete_contact
from smallcrm.store.db import Database, open_database
from smallcrm.store.errors import AmbiguousError, NotFoundError, StoreError, ValidationError
from smallcrm.store.opportunities import create_opportunity


@pytest.fixture(autouse=True)
def _private_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never the user's data: database, user and phone region are fixed per test."""
    monkeypatch.setenv("SMALLCRM_USER", "tester")
    monkeypatch.setenv("SMALLCRM_PHONE_REGION", "DE")


@pytest.fixture
def crm(db_path: Path) -> Iterator[Database]:
    """A small CRM: two accounts, four contacts (two sharing a first name), one deal."""
    database = open_database(db_path)
    acme = create_account(
        database,
        allow_duplicate=True,
        name="Acme GmbH",
        website="acme.example",
        phone="+4930555000",
    )
    create_account(database, allow_duplicate=True, name="Janssen AG")
    create_contact(
        database,
        allow_duplicate=True,
        name="Jana Novák",
        emails=["jana@example.com"],
        phones=["+49 30 1234567"],
        account_id=acme.id,
    )
    create_contact(database, allow_duplicate=True, name="Jan Berg")
    create_contact(database, allow_duplicate=True, name="Jan Bergmann")
    create_contact(
        database, allow_duplicate=True, name="Petra Svoboda", emails=["petra@example.com"]
    )
    create_opportunity(database, name="Acme renewal", account_id=acme.id)
    yield database
    database.close()


# --- resolve -------------------------------------------------------------------------------------


def test_unique_name_prefix_resolves(crm: Database) -> None:
    hit = r.resolve(crm, "petra")
    assert (hit.kind, hit.record_id, hit.title) == ("contact", 4, "Petra Svoboda")


def test_accents_and_case_do_not_matter(crm: Database) -> None:
    assert r.resolve(crm, "NOVAK").title == "Jana Novák"
    assert r.resolve(crm, "novák jana").title == "Jana Novák"


def test_exact_name_wins_over_longer_names_it_starts(crm: Database) -> None:
    assert r.resolve(crm, "jan berg").record_id == 2
    assert r.resolve(crm, "Berg Jan").record_id == 2  # word order aside


def test_several_matches_raise_with_candidates(crm: Database) -> None:
    with pytest.raises(AmbiguousError) as caught:
        r.resolve(crm, "jan")
    titles = {hit.title for hit in caught.value.candidates}
    assert titles == {"Jana Novák", "Jan Berg", "Jan Bergmann"}


def test_candidates_span_kinds_when_both_are_asked_for(crm: Database) -> None:
    with pytest.raises(AmbiguousError) as caught:
        r.resolve(crm, "jan", ("contact", "account"))
    assert {hit.kind for hit in caught.value.candidates} == {"contact", "account"}


def test_no_match_raises_not_found(crm: Database) -> None:
    with pytest.raises(NotFoundError, match="zed"):
        r.resolve(crm, "zed")


def test_ids_in_every_form(crm: Database) -> None:
    assert r.resolve(crm, "3").title == "Jan Bergmann"
    assert r.resolve(crm, "#3").title == "Jan Bergmann"
    assert r.resolve(crm, "contact:3").title == "Jan Bergmann"
    assert r.resolve(crm, "account:2", ("contact", "account")).title == "Janssen AG"
    assert r.resolve(crm, "deal:1", ("opportunity",)).title == "Acme renewal"


def test_an_id_two_kinds_share_is_ambiguous(crm: Database) -> None:
    with pytest.raises(AmbiguousError) as caught:
        r.resolve(crm, "1", ("contact", "account"))
    assert {(h.kind, h.record_id) for h in caught.value.candidates} == {
        ("contact", 1),
        ("account", 1),
    }


def test_missing_id_raises_not_found(crm: Database) -> None:
    with pytest.raises(NotFoundError, match="with id 99"):
        r.resolve(crm, "99")


def test_wrong_kind_prefix_names_the_field(crm: Database) -> None:
    with pytest.raises(ValidationError) as caught:
        r.resolve(crm, "deal:1", ("contact",), field="--with")
    assert caught.value.field == "--with"
    assert "not a deal" in caught.value.message
    with pytest.raises(ValidationError, match="not a kind of record"):
        r.resolve(crm, "thing:4")


def test_email_and_phone_are_exact_lookups(crm: Database) -> None:
    assert r.resolve(crm, "Jana@Example.com").title == "Jana Novák"
    assert r.resolve(crm, "+49 30 1234567").title == "Jana Novák"
    assert r.resolve(crm, "030 1234567").title == "Jana Novák"  # region DE
    with pytest.raises(NotFoundError, match="email nobody@example.com"):
        r.resolve(crm, "nobody@example.com")


def test_trashed_records_are_not_resolved(crm: Database) -> None:
    delete_contact(crm, 4)
    with pytest.raises(NotFoundError):
        r.resolve(crm, "petra")
    with pytest.raises(NotFoundError):
        r.resolve(crm, "4")


def test_empty_or_wordless_input_is_a_validation_error(crm: Database) -> None:
    for text in ("", "   ", "\x00"):
        with pytest.raises(ValidationError, match="is empty"):
            r.resolve(crm, text, field="WHO")
    with pytest.raises(ValidationError, match="no letters or digits"):
        r.resolve(crm, "?!*")


def test_pick_chooses_among_the_candidates(crm: Database) -> None:
    assert r.resolve(crm, "jan", ("contact", "account"), pick="account:2").title == "Janssen AG"
    # Contact 2 and account 2 both exist, but only the contact matches "jan berg".
    assert r.resolve(crm, "jan berg", ("contact", "account"), pick="2").kind == "contact"
    with pytest.raises(ValidationError, match="not an id"):
        r.resolve(crm, "jan", pick="Jan Berg")


def test_exact_name_is_found_behind_many_newer_similar_names(db_path: Path) -> None:
    database = open_database(db_path)
    create_contact(database, allow_duplicate=True, name="Jan Berg")
    now = datetime.now(UTC)
    with database.write() as tx:
        tx.executemany(
            "INSERT INTO contact (first_name, last_name, tags, created_at, updated_at, "
            "created_by, updated_by, version) VALUES ('Jan', :last, '', :now, :now, 't', 't', 1)",
            [{"last": f"Berg{i:03d}", "now": now} for i in range(250)],
        )
    assert r.resolve(database, "jan berg").record_id == 1
    database.close()


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(max_size=40), pick=st.none() | st.text(max_size=12))
def test_any_input_resolves_or_raises_a_store_error(
    crm: Database, text: str, pick: str | None
) -> None:
    try:
        hit = r.resolve(crm, text, ("contact", "account", "opportunity"), field="WHO", pick=pick)
    except StoreError as exc:
        assert str(exc)
    else:
        assert hit.kind in ("contact", "account", "opportunity")
        assert hit.record_id > 0


@settings(max_examples=80, deadline=None)
@given(text=st.text(alphabet=st.characters(codec="utf-8"), max_size=30))
def test_suggest_and_duplicates_never_crash(
    tmp_path_factory: pytest.TempPathFactory, text: str
) -> None:
    database = _shared_db(tmp_path_factory)
    assert all(hit.kind == "contact" for hit in la.suggest(database, text, ("contact",)))
    for dup in la.find_duplicates(database, "account", text):
        assert dup.reason in ("same name", "similar name")


_DATABASES: dict[str, Database] = {}


def _shared_db(factory: pytest.TempPathFactory) -> Database:
    if "db" not in _DATABASES:
        database = open_database(factory.mktemp("shared") / "crm.db")
        create_contact(database, allow_duplicate=True, name="Jana Novak")
        create_account(database, allow_duplicate=True, name="Acme GmbH")
        _DATABASES["db"] = database
    return _DATABASES["db"]


# --- suggestions -------------------------------------------------------------------------------


def test_suggest_offers_close_names(crm: Database) -> None:
    assert [h.title for h in la.suggest(crm, "jnaa", ("contact",))][:1] == ["Jana Novák"]
    assert la.suggest(crm, "qqqqq", ("contact",)) == []


# --- duplicates --------------------------------------------------------------------------------


def test_same_email_or_phone_is_a_duplicate(crm: Database) -> None:
    found = la.find_duplicates(crm, "contact", "Someone Else", emails=["JANA@example.com"])
    assert [(d.hit.record_id, d.reason) for d in found] == [(1, "same email jana@example.com")]
    found = la.find_duplicates(crm, "contact", "Someone Else", phones=["030 1234567"])
    assert found[0].reason == "same phone +49301234567"


def test_similar_or_reordered_name_is_a_duplicate(crm: Database) -> None:
    assert la.find_duplicates(crm, "contact", "Jana Nowak")[0].reason == "similar name"
    assert la.find_duplicates(crm, "contact", "Novak, Jana")[0].reason == "same name"
    assert la.find_duplicates(crm, "contact", "Jana Smith") == []


def test_account_legal_forms_and_websites(crm: Database) -> None:
    assert la.find_duplicates(crm, "account", "ACME Inc.")[0].hit.title == "Acme GmbH"
    found = la.find_duplicates(crm, "account", "Road Runner", website="https://www.acme.example/")
    assert found[0].reason == "same website acme.example"
    found = la.find_duplicates(crm, "account", "Road Runner", phones=["+49 30 555000"])
    assert found[0].reason == "same phone +4930555000"
    assert la.find_duplicates(crm, "account", "Globex") == []


def test_invalid_email_in_duplicate_check_names_the_field(crm: Database) -> None:
    with pytest.raises(ValidationError) as caught:
        la.find_duplicates(crm, "contact", "X", emails=["not-an-address"])
    assert caught.value.field == "email"


def test_duplicates_are_only_checked_for_people_and_companies(crm: Database) -> None:
    with pytest.raises(ValueError, match="contacts and accounts"):
        la.find_duplicates(crm, "opportunity", "Acme renewal")


@pytest.mark.parametrize(
    ("new", "old", "same"),
    [
        ("Jana Novak", "Jana Nowak", True),
        ("Jana Novak", "Novak Jana", True),
        ("Jana Novak", "Petra Novak", False),
        ("Jan", "Jana Novak", False),
    ],
)
def test_similar_name_for_contacts(new: str, old: str, same: bool) -> None:
    assert la.similar_name("contact", new, old) is same


def test_account_key_drops_legal_forms() -> None:
    assert la.account_key("Acme GmbH & Co. KG") == ("acme",)
    assert la.account_key("GmbH") == ("gmbh",)  # a name made only of a legal form keeps it
