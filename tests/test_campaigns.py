"""Campaigns in the store: the record itself, its audience under the consent rules, the
mail-merge file, results files (unsubscribes that stick), leads, attribution and the figures."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from smallcrm.store import campaigns, contacts, opportunities
from smallcrm.store.audit import history
from smallcrm.store.campaign_audience import Selection, add_members, list_members
from smallcrm.store.campaign_export import export_audience
from smallcrm.store.campaign_figures import campaign_figures, columns
from smallcrm.store.campaign_responses import read_results
from smallcrm.store.db import Database
from smallcrm.store.errors import NotFoundError, ValidationError
from smallcrm.store.io import import_file
from smallcrm.store.search import check_index, search


def _people(db: Database) -> dict[str, int]:
    """Customers with every state of email consent, and one with phone consent only."""
    made = {}
    for name, email, opt_in, phone_opt_in in (
        ("Ann Able", "ann@example.com", True, None),
        ("Bob Baker", "bob@example.com", False, None),
        ("Cy Cole", "cy@example.com", None, None),
        ("Dee Dean", None, True, None),
        ("Fay Fone", None, None, True),
    ):
        values: dict[str, Any] = {"name": name, "tags": "customer"}
        if email:
            values["emails"] = [email]
        if opt_in is not None:
            values["email_opt_in"] = opt_in
        if phone_opt_in is not None:
            values.update(phone_opt_in=True, phones=["+49 30 1234567"])
        made[name.split()[0].lower()] = contacts.create_contact(db, **values).id
    return made


@pytest.fixture
def spring(db: Database) -> campaigns.Campaign:
    return campaigns.create_campaign(
        db, name="Spring offer 2026", code="spring26", channel="email", budget_cents="500",
        starts_on="2026-03-01", ends_on="2026-04-30",
    )  # fmt: skip


def test_a_campaign_is_stored_versioned_audited_and_found(db: Database, spring: Any) -> None:
    assert (spring.code, spring.channel, spring.status) == ("SPRING26", "email", "planning")
    assert spring.budget == Decimal("500")
    changed = campaigns.update_campaign(db, spring.id, 1, cost_cents="400", status="active")
    assert (changed.cost, changed.status, changed.tracking.version) == (Decimal(400), "active", 2)
    actions = [entry.action for entry in history(db, "campaign", spring.id)]
    assert actions == ["create", "update"]
    assert [(h.kind, h.record_id) for h in search(db, "spring26")] == [("campaign", spring.id)]
    campaigns.delete_campaign(db, spring.id)
    assert search(db, "spring") == []
    campaigns.restore_campaign(db, spring.id)
    assert campaigns.find_campaign(db, "Spring26").id == spring.id
    assert check_index(db)


@pytest.mark.parametrize(
    ("values", "field", "accepted"),
    [
        ({"channel": "fax"}, "channel", "email, newsletter"),
        ({"status": "done"}, "status", "planning, active, inactive, complete"),
        ({"code": "x y"}, "code", "2 to 20 letters"),
        ({"budget_cents": "lots"}, "budget", "12k"),
        ({"starts_on": "2026-05-01", "ends_on": "2026-04-01"}, "end", "before the start"),
        ({"starts_on": "someday"}, "start", ""),
        ({"name": " "}, "name", "required"),
    ],
)
def test_wrong_input_names_the_field_and_what_is_accepted(
    db: Database, values: dict[str, Any], field: str, accepted: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        campaigns.create_campaign(db, **{"name": "Offer", **values})
    assert caught.value.field == field
    assert accepted in str(caught.value)


def test_codes_are_unique_and_made_up_when_missing(db: Database, spring: Any) -> None:
    with pytest.raises(ValidationError, match="SPRING26 is taken by campaign"):
        campaigns.create_campaign(db, name="Again", code="Spring26")
    assert campaigns.create_campaign(db, name="Trade fair 2027").code == "TRADEFAIR202"
    assert campaigns.create_campaign(db, name="Trade fair 2027").code == "TRADEFAIR202-2"
    with pytest.raises(NotFoundError, match="no campaign 'nope'; campaigns: SPRING26"):
        campaigns.find_campaign(db, "nope")


def test_members_need_the_consent_of_the_channel(db: Database, spring: Any) -> None:
    people = _people(db)
    added = add_members(db, "SPRING26", Selection(tag="customer"))
    assert added.added == 1
    assert added.left_out == {
        "email consent withdrawn": 1,
        "email consent never given": 2,
        "no email address": 1,
    }
    assert [m.contact_id for m in list_members(db, spring.id).items] == [people["ann"]]
    again = add_members(db, "SPRING26", Selection(tag="customer"))
    assert again.added == 0 and again.left_out["already in the audience"] == 1


def test_an_asked_for_consent_is_needed_too(db: Database) -> None:
    people = _people(db)
    fair = campaigns.create_campaign(db, name="Fair", code="FAIR", channel="event")
    calls = campaigns.create_campaign(db, name="Calls", code="CALLS", channel="phone")
    assert add_members(db, "FAIR", Selection(tag="customer")).added == 5  # nobody addressed
    with_consent = add_members(db, "CALLS", Selection(tag="customer", consent=("email",)))
    assert with_consent.added == 0 and with_consent.needed == ("email", "phone")
    assert add_members(db, "CALLS", Selection(tag="customer")).added == 1
    assert [m.contact_id for m in list_members(db, calls.id).items] == [people["fay"]]
    assert list_members(db, fair.id).total == 5


def test_members_by_account_owner_and_search(db: Database, spring: Any) -> None:
    from smallcrm.store.accounts import create_account

    acme = create_account(db, name="Acme")
    for name, extra in (("Gil Green", {"account_id": acme.id}), ("Hal Hill", {"owner": "sam"})):
        contacts.create_contact(
            db, name=name, emails=[f"{name.split()[0].lower()}@example.com"], email_opt_in=True,
            **extra,
        )  # fmt: skip
    assert add_members(db, spring.id, Selection(account_id=acme.id)).added == 1
    assert add_members(db, spring.id, Selection(owner="sam")).added == 1
    assert add_members(db, spring.id, Selection(search="gil")).left_out == {
        "already in the audience": 1
    }
    with pytest.raises(ValidationError, match="say whom to add"):
        add_members(db, spring.id, Selection())


def test_the_mail_merge_file_holds_only_who_may_be_reached_now(db: Database, spring: Any) -> None:
    people = _people(db)
    zoe = contacts.create_contact(
        db, name="Zoe Zed", emails=["zoe@example.com"], email_opt_in=True, tags="customer"
    )
    add_members(db, spring.id, Selection(tag="customer"))
    contacts.update_contact(db, zoe.id, None, email_opt_in=False)  # withdrawn after joining
    out = io.StringIO()
    written = export_audience(db, "SPRING26", out)
    lines = out.getvalue().splitlines()
    assert written.written == 1 and written.left_out == {"email consent withdrawn": 1}
    assert lines[0].startswith("email,first_name,last_name")
    assert lines[1].startswith("ann@example.com,Ann,Able")
    assert ",yes," in lines[1] and ",no," in lines[1]  # consent given, not opted out
    cards = io.StringIO()
    export_audience(db, "SPRING26", cards, "vcard")
    assert cards.getvalue().count("BEGIN:VCARD") == 1
    assert "X-SMALLCRM-EMAIL-CONSENT:yes" in cards.getvalue()
    assert "zoe@" not in out.getvalue() + cards.getvalue()
    assert people["ann"]


def test_an_unsubscribe_withdraws_consent_in_the_same_transaction_and_audit(
    db: Database, spring: Any
) -> None:
    people = _people(db)
    add_members(db, spring.id, Selection(tag="customer"))
    done = read_results(db, "SPRING26", "email,event\nann@example.com,unsubscribe\n")
    assert done.unsubscribed == 1 and done.statuses == {"opted_out": 1}
    ann = contacts.get_contact(db, people["ann"])
    assert ann.email_consent.opt_in is False
    assert ann.email_consent.source == "unsubscribed via campaign SPRING26"
    entry = history(db, "contact", ann.id)[-1]
    assert entry.action == "unsubscribe"
    assert entry.changes["email_opt_in"] == [True, False]
    assert list_members(db, spring.id).items[0].status == "opted_out"
    out = io.StringIO()
    assert export_audience(db, "SPRING26", out).written == 0


def test_a_later_import_never_undoes_an_unsubscribe(
    db: Database, spring: Any, tmp_path: Path
) -> None:
    people = _people(db)
    add_members(db, spring.id, Selection(tag="customer"))
    read_results(db, "SPRING26", "email,event\nann@example.com,unsubscribed\n")
    old_list = tmp_path / "old_list.csv"
    old_list.write_text("Name,Email,Email opt in\nAnn Able,ann@example.com,yes\n")
    import_file(db, old_list, "contacts")
    ann = contacts.get_contact(db, people["ann"])
    assert ann.email_consent.opt_in is False
    assert add_members(db, spring.id, Selection(tag="customer")).added == 0
    # Nor does an edit without the new consent's source; with one, it is the person's word.
    with pytest.raises(ValidationError, match="record the person's new consent"):
        contacts.update_contact(db, ann.id, None, email_opt_in=True)
    again = contacts.update_contact(
        db, ann.id, None, email_opt_in=True, email_consent_source="phone call 2026-11-20"
    )
    assert again.email_consent.opt_in is True


def test_responses_move_members_up_and_make_leads(db: Database, spring: Any) -> None:
    people = _people(db)
    add_members(db, spring.id, Selection(tag="customer"))
    text = "Recipient;Event\nANN@example.com;click\nann@example.com;bounce\nnobody@x.org;reply\n"
    done = read_results(db, spring.id, text)
    assert done.statuses == {"responded": 1} and done.unknown == 1 and done.leads == 1
    ann = contacts.get_contact(db, people["ann"])
    assert (ann.lifecycle_stage, ann.source_campaign_id) == ("lead", spring.id)
    assert list_members(db, spring.id).items[0].status == "responded"  # the bounce came later


def test_attribution_and_figures(db: Database, spring: Any) -> None:
    campaigns.update_campaign(db, spring.id, None, cost_cents="400")
    eve = contacts.create_contact(db, name="Eve Early", source_campaign_id=spring.id)
    assert eve.lifecycle_stage == "lead"
    won = opportunities.create_opportunity(
        db, name="Eve order", contact_id=eve.id, amount="2000", stage="won"
    )
    assert won.campaign_id == spring.id
    other = opportunities.create_opportunity(db, name="Other", contact_id=eve.id, campaign_id=None)
    assert other.campaign_id is None
    assert opportunities.update_opportunity(db, other.id, None, campaign_id=spring.id).campaign_id
    _people(db)
    add_members(db, spring.id, Selection(tag="customer"))
    read_results(db, "SPRING26", "email,event\nann@example.com,delivered\n")
    figures = campaign_figures(db)[0]
    assert (figures.members, figures.sent, figures.leads) == (1, 1, 1)
    assert (figures.deals_opened, figures.deals_won, figures.revenue) == (2, 1, Decimal(2000))
    assert figures.cost_per_lead == Decimal(400) and figures.cost_per_won == Decimal(400)
    assert figures.roi == Decimal("400.0")
    assert columns(figures) == {
        "Name": "Spring offer 2026", "Ch": "eml", "Status": "planning", "Sent": "1",
        "Resp%": "0%", "Leads": "1", "Won": "1 2k", "ROI": "400%",
    }  # fmt: skip
    with pytest.raises(ValidationError, match="lifecycle stage; one of lead, prospect"):
        contacts.update_contact(db, eve.id, None, lifecycle_stage="fan")
    assert contacts.update_contact(
        db, eve.id, None, lifecycle_stage="former customer"
    ).lifecycle_stage == "former_customer"  # fmt: skip


def test_a_merge_keeps_an_unsubscribe_of_either_contact(db: Database, spring: Any) -> None:
    from smallcrm.store import merging

    people = _people(db)
    add_members(db, spring.id, Selection(tag="customer"))
    read_results(db, spring.id, "email,event\nann@example.com,unsubscribe\n")
    twin = contacts.create_contact(
        db, name="Ann Able", emails=["ann.able@example.org"], email_opt_in=True,
        allow_duplicate=True,
    )  # fmt: skip
    merged = merging.merge(db, twin.id, people["ann"])
    kept = contacts.get_contact(db, twin.id)
    assert kept.email_consent.opt_in is False
    assert kept.email_consent.source == "unsubscribed via campaign SPRING26"
    merging.undo_merge(db, merged.merge_id)
    assert contacts.get_contact(db, twin.id).email_consent.opt_in is True


def test_a_response_still_counts_after_an_opt_out(db: Database, spring: Any) -> None:
    _people(db)
    add_members(db, spring.id, Selection(tag="customer"))
    read_results(db, spring.id, "email,event\nann@example.com,click\nann@example.com,unsubscribe\n")
    figures = campaign_figures(db, spring.id)[0]
    assert (figures.sent, figures.responses, figures.opted_out) == (1, 1, 1)
    assert figures.response_rate == Decimal("100.0")
