"""Saved contact filters: names unique whatever their case, criteria checked field by field and
kept as versioned JSON, nothing half-written, and evaluated afresh each time they are used (the
contact list, a campaign's audience under the consent rules)."""

from __future__ import annotations

from typing import Any

import pytest

from smallcrm.store import accounts, campaigns, contacts, saved_filters
from smallcrm.store.campaign_audience import Selection, add_members, list_members
from smallcrm.store.db import Database
from smallcrm.store.errors import StoreError, ValidationError
from smallcrm.store.listing import ListQuery


def _people(db: Database) -> dict[str, int]:
    acme = accounts.create_account(db, name="Acme").id
    made = {}
    for name, tags, opt_in, extra in (
        ("Ann Able", "customer", True, {"account_id": acme, "lifecycle_stage": "customer"}),
        ("Bob Baker", "customer", False, {"account_id": acme}),
        ("Cy Cole", "customer", None, {"lifecycle_stage": "lead"}),
        ("Dee Dean", "prospect", True, {"lifecycle_stage": "lead"}),
    ):
        first = name.split()[0].lower()
        values: dict[str, Any] = {"tags": tags, "emails": [f"{first}@example.com"], **extra}
        if opt_in is not None:
            values["email_opt_in"] = opt_in
        made[first] = contacts.create_contact(db, name=name, **values).id
    made["acme"] = acme
    return made


def _names(db: Database, criteria: dict[str, Any]) -> list[str]:
    query = saved_filters.to_query(db, criteria, ListQuery(limit=50))
    return [c.name for c in contacts.list_contacts(db, query).items]


def test_names_are_unique_whatever_their_case_and_a_typo_gets_a_suggestion(db: Database) -> None:
    saved = saved_filters.save_filter(db, "Customers", {"tag": "customer"}, actor="jana")
    assert (saved.name, saved.version, saved.owner, saved.criteria) == (
        "Customers", 1, "jana", {"tag": "customer"},
    )  # fmt: skip
    with pytest.raises(ValidationError, match="'Customers' exists already; --replace"):
        saved_filters.save_filter(db, "CUSTOMERS", {"tag": "vip"})
    again = saved_filters.save_filter(db, "customers", {"tag": "vip"}, replace_existing=True)
    assert (again.id, again.name, again.version, again.criteria) == (saved.id, "customers", 2,
                                                                     {"tag": "vip"})  # fmt: skip
    with pytest.raises(ValidationError) as caught:
        saved_filters.get_filter(db, "custmers")
    assert (
        str(caught.value) == "filter: no saved filter named 'custmers'; did you mean 'customers'?"
    )
    assert saved_filters.get_filter(db, "  CUSTOMERS ").id == saved.id
    assert saved_filters.delete_filter(db, "Customers").name == "customers"
    with pytest.raises(ValidationError, match="none are saved yet"):
        saved_filters.get_filter(db, "customers")


@pytest.mark.parametrize(
    ("criteria", "field"),
    [
        ({}, "criteria"),
        ({"tag": ""}, "criteria"),
        ({"colour": "red"}, "colour"),
        ({"lifecycle": "fan"}, "lifecycle"),
        ({"email_opt_in": "maybe"}, "email consent"),
        ({"missing": "fax"}, "missing"),
        ({"quiet_days": 0}, "quiet days"),
        ({"account_id": 999}, "account"),
        ({"tag": "a b"}, "tag"),
        ({"since": "2026-12-01", "until": "2026-11-01"}, "until"),
    ],
)
def test_wrong_criteria_name_the_field_and_nothing_is_written(
    db: Database, criteria: dict[str, Any], field: str
) -> None:
    saved_filters.save_filter(db, "kept", {"tag": "customer"})
    for name, replace in (("new", False), ("kept", True)):
        with pytest.raises(ValidationError) as caught:
            saved_filters.save_filter(db, name, criteria, replace_existing=replace)
        assert caught.value.field == field
    assert [(f.name, f.criteria, f.version) for f in saved_filters.list_filters(db)] == [
        ("kept", {"tag": "customer"}, 1)
    ]


def test_a_name_must_be_given_and_not_too_long(db: Database) -> None:
    for name in ("", "   ", "x" * 81):
        with pytest.raises(ValidationError, match="name: "):
            saved_filters.save_filter(db, name, {"tag": "customer"})


def test_the_criteria_are_stored_as_versioned_json_and_a_newer_format_is_refused(
    db: Database,
) -> None:
    saved_filters.save_filter(db, "leads", {"lifecycle": "Lead", "email_opt_in": "yes"})
    with db.read() as tx:
        stored = tx.scalar("SELECT criteria FROM saved_filter")
    assert stored == '{"email_opt_in": true, "lifecycle": "lead", "v": 1}'
    with db.write() as tx:
        tx.execute("UPDATE saved_filter SET criteria = :c", c='{"v": 2, "tag": "x"}')
    with pytest.raises(StoreError, match="saved by a newer smallcrm"):
        saved_filters.get_filter(db, "leads")


def test_each_criterion_filters_the_contact_list(db: Database) -> None:
    made = _people(db)
    assert _names(db, {"tag": "customer"}) == ["Ann Able", "Bob Baker", "Cy Cole"]
    assert _names(db, {"account_id": made["acme"]}) == ["Ann Able", "Bob Baker"]
    assert _names(db, {"lifecycle": "lead"}) == ["Cy Cole", "Dee Dean"]
    assert _names(db, {"email_opt_in": True, "tag": "customer"}) == ["Ann Able"]
    assert _names(db, {"email_opt_in": False}) == ["Bob Baker"]
    assert _names(db, {"search": "baker"}) == ["Bob Baker"]
    assert _names(db, {"search": "nobody-at-all"}) == []
    assert (
        saved_filters.describe(
            {
                "tag": "customer",
                "account_id": 1,
                "email_opt_in": True,
                "lifecycle": "former_customer",
            },
            "Acme",
        )
        == "tag customer, account Acme, lifecycle former customer, email consent yes"
    )


def test_a_saved_filter_finds_whoever_matches_when_it_is_used(db: Database) -> None:
    made = _people(db)
    saved_filters.save_filter(db, "customers", {"tag": "customer"})
    spring = campaigns.create_campaign(db, name="Spring", code="SPRING", channel="email")
    contacts.update_contact(db, made["dee"], None, tags="customer")
    done = add_members(db, spring.id, Selection(saved="Customers"))
    assert done.added == 2  # Ann and Dee: the consent rule still applies
    assert done.left_out == {"email consent never given": 1, "email consent withdrawn": 1}
    assert [m.name for m in list_members(db, spring.id).items] == ["Ann Able", "Dee Dean"]


def test_a_saved_filter_combines_with_the_other_choices(db: Database) -> None:
    made = _people(db)
    saved_filters.save_filter(db, "leads", {"lifecycle": "lead"})
    saved_filters.save_filter(db, "found", {"search": "example"})
    spring = campaigns.create_campaign(db, name="Spring", code="SPRING", channel="email")
    done = add_members(db, spring.id, Selection(tag="customer", saved="leads"))
    assert (done.added, done.left_out) == (0, {"email consent never given": 1})  # Cy only
    done = add_members(db, spring.id, Selection(account_id=made["acme"], saved="found"))
    assert (done.added, done.left_out) == (1, {"email consent withdrawn": 1})  # Ann, not Bob
    done = add_members(db, spring.id, Selection(search="dean", saved="found"))
    assert done.added == 1 and [m.name for m in list_members(db, spring.id).items] == [
        "Ann Able", "Dee Dean",
    ]  # fmt: skip
    with pytest.raises(ValidationError, match="did you mean 'leads'"):
        add_members(db, spring.id, Selection(saved="lead"))


def test_saving_what_a_list_shows(db: Database) -> None:
    made = _people(db)
    query = ListQuery(
        tag="customer", account_id=made["acme"],
        extra={"email_opt_in": True, "account_name": "Acme", "contact_name": ""},
    )  # fmt: skip
    criteria = saved_filters.criteria_of(query)
    assert criteria == {"tag": "customer", "account_id": made["acme"], "email_opt_in": True}
    saved = saved_filters.save_filter(db, "acme customers", criteria)
    assert _names(db, saved.criteria) == ["Ann Able"]
