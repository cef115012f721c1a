"""How campaign memberships follow the rest of the CRM: a won deal crediting a campaign (or a
lead becoming a customer) converts the members it was won with, in the same transaction, and
merging two contacts carries their memberships over without losing an opt-out."""

from __future__ import annotations

from typing import Any

import pytest

from smallcrm.store import accounts, campaigns, contacts, opportunities
from smallcrm.store.audit import history
from smallcrm.store.campaign_audience import Selection, add_members, list_members
from smallcrm.store.campaign_responses import read_results
from smallcrm.store.db import Database


@pytest.fixture
def spring(db: Database) -> campaigns.Campaign:
    return campaigns.create_campaign(db, name="Spring offer", code="SPRING26", channel="email")


def _person(db: Database, name: str, email: str, **values: Any) -> int:
    values = {"tags": "customer", "email_opt_in": True, **values}
    return contacts.create_contact(db, name=name, emails=[email], **values).id


def _statuses(db: Database, campaign_id: int) -> dict[str, str]:
    return {m.name: m.status for m in list_members(db, campaign_id).items}


def test_a_won_deal_converts_its_contact_and_the_colleagues_at_its_account(
    db: Database, spring: Any
) -> None:
    acme = accounts.create_account(db, name="Acme").id
    ann = _person(db, "Ann Able", "ann@acme.example", account_id=acme)
    _person(db, "Bob Baker", "bob@acme.example", account_id=acme)
    _person(db, "Cy Cole", "cy@other.example")
    _person(db, "Dee Dean", "dee@acme.example", account_id=acme)
    add_members(db, spring.id, Selection(tag="customer"))
    read_results(
        db, spring.id, "email,event\nbob@acme.example,click\ndee@acme.example,unsubscribe\n"
    )
    deal = opportunities.create_opportunity(
        db, name="Ann order", contact_id=ann, amount="900", campaign_id=spring.id
    )
    assert set(_statuses(db, spring.id).values()) == {"targeted", "responded", "opted_out"}
    opportunities.update_opportunity(db, deal.id, None, stage="won")
    assert _statuses(db, spring.id) == {
        "Ann Able": "converted", "Bob Baker": "converted", "Cy Cole": "targeted",
        "Dee Dean": "opted_out",  # an opt-out is final
    }  # fmt: skip
    entry = history(db, "campaign", spring.id)[-1]
    assert entry.action == "convert" and "converted 2 (deal 'Ann order' won)" in str(entry.changes)


def test_a_lost_or_open_deal_converts_nobody_and_crediting_a_won_one_later_does(
    db: Database, spring: Any
) -> None:
    ann = _person(db, "Ann Able", "ann@example.com")
    add_members(db, spring.id, Selection(tag="customer"))
    lost = opportunities.create_opportunity(
        db, name="Lost", contact_id=ann, stage="lost", lost_reason="price", campaign_id=spring.id
    )
    won = opportunities.create_opportunity(db, name="Won", contact_id=ann, stage="won")
    assert _statuses(db, spring.id) == {"Ann Able": "targeted"}
    assert lost.campaign_id == spring.id and won.campaign_id is None
    opportunities.update_opportunity(db, won.id, None, campaign_id=spring.id)
    assert _statuses(db, spring.id) == {"Ann Able": "converted"}


def test_a_deal_created_won_for_a_lead_converts_it(db: Database, spring: Any) -> None:
    eve = _person(db, "Eve Early", "eve@example.com", source_campaign_id=spring.id)
    add_members(db, spring.id, Selection(tag="customer"))
    opportunities.create_opportunity(db, name="Eve order", contact_id=eve, stage="won")
    assert _statuses(db, spring.id) == {"Eve Early": "converted"}


def test_a_lead_who_becomes_a_customer_converts_in_its_source_campaign(
    db: Database, spring: Any
) -> None:
    fair = campaigns.create_campaign(db, name="Fair", code="FAIR", channel="event")
    eve = _person(db, "Eve Early", "eve@example.com", source_campaign_id=spring.id)
    add_members(db, spring.id, Selection(tag="customer"))
    add_members(db, fair.id, Selection(tag="customer"))
    contacts.update_contact(db, eve, None, lifecycle_stage="prospect")
    assert _statuses(db, spring.id) == {"Eve Early": "targeted"}
    contacts.update_contact(db, eve, None, lifecycle_stage="customer")
    assert _statuses(db, spring.id) == {"Eve Early": "converted"}
    assert _statuses(db, fair.id) == {"Eve Early": "targeted"}  # not the campaign that brought it


def _member_rows(db: Database, contact_id: int) -> dict[int, tuple[str, bool]]:
    with db.read() as tx:
        return {
            r["campaign_id"]: (r["status"], r["responded_at"] is not None)
            for r in tx.all(
                "SELECT campaign_id, status, responded_at FROM campaign_member "
                "WHERE contact_id = :c",
                c=contact_id,
            )
        }


def test_a_merge_carries_memberships_over_keeping_the_further_status(
    db: Database, spring: Any
) -> None:
    from smallcrm.store import merging

    fair = campaigns.create_campaign(db, name="Fair", code="FAIR", channel="event")
    news = campaigns.create_campaign(db, name="News", code="NEWS", channel="email")
    ann = _person(db, "Ann Able", "ann@example.com", source_campaign_id=fair.id)
    twin = _person(db, "Ann Able", "ann.able@example.org", tags="other", allow_duplicate=True)
    add_members(db, spring.id, Selection(tag="customer"))  # ann only
    add_members(db, news.id, Selection(tag="customer"))
    add_members(db, news.id, Selection(tag="other"))  # both in news
    add_members(db, fair.id, Selection(tag="other"))  # twin only
    read_results(db, spring.id, "email,event\nann@example.com,click\n")
    read_results(db, news.id, "email,event\nann@example.com,click\nann.able@example.org,sent\n")
    read_results(db, news.id, "email,event\nann.able@example.org,unsubscribe\n")
    before_ann, before_twin = _member_rows(db, ann), _member_rows(db, twin)
    merged = merging.merge(db, twin, ann)
    assert merged.moved["campaign.members"] == 2
    assert _member_rows(db, ann) == {}
    assert _member_rows(db, twin) == {
        spring.id: ("responded", True),  # moved as it was
        news.id: ("opted_out", True),  # the opt-out wins, the response is remembered
        fair.id: ("targeted", False),
    }
    kept = contacts.get_contact(db, twin)
    assert (kept.source_campaign_id, kept.lifecycle_stage) == (fair.id, "lead")
    assert kept.email_consent.opt_in is False  # the unsubscribe stands
    merging.undo_merge(db, merged.merge_id)
    assert _member_rows(db, ann) == before_ann and _member_rows(db, twin) == before_twin
    assert contacts.get_contact(db, twin).source_campaign_id is None


@pytest.mark.parametrize(
    ("mine", "theirs", "kept"),
    [
        ("targeted", "sent", "sent"),
        ("bounced", "sent", "bounced"),
        ("responded", "bounced", "responded"),
        ("converted", "responded", "converted"),
        ("converted", "opted_out", "opted_out"),
    ],
)
def test_two_memberships_of_one_campaign_become_the_further_one(
    db: Database, spring: Any, mine: str, theirs: str, kept: str
) -> None:
    from smallcrm.store import merging

    ann = _person(db, "Ann Able", "ann@example.com")
    twin = _person(db, "Ann Able", "ann.able@example.org", allow_duplicate=True)
    add_members(db, spring.id, Selection(tag="customer"))
    with db.write() as tx:
        for contact_id, status in ((twin, mine), (ann, theirs)):
            tx.execute(
                "UPDATE campaign_member SET status = :s WHERE contact_id = :c",
                s=status,
                c=contact_id,
            )
    merging.merge(db, twin, ann)
    assert _member_rows(db, twin)[spring.id][0] == kept
    assert [m.status for m in list_members(db, spring.id).items] == [kept]
