"""Likely duplicates (scores, reasons, blocking at scale), merging field by field, and undo."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import pytest

from smallcrm.store import accounts, appointments, contacts, crud, interactions, opportunities
from smallcrm.store.db import Database
from smallcrm.store.duplicates import company_key, find_duplicates, name_key, website_key
from smallcrm.store.errors import ConflictError, NotFoundError, ValidationError
from smallcrm.store.merging import merge, merge_preview, undo_merge

WHEN = datetime(2026, 11, 2, 9, tzinfo=UTC)


def _pairs(db: Database, kind: str = "contact") -> dict[frozenset[str], object]:
    return {frozenset((p.keep_label, p.other_label)): p for p in find_duplicates(db, kind)}


def test_keys() -> None:
    assert name_key("Smith, Anna") == name_key("anna  SMITH") == "anna smith"
    assert name_key("Jana Novák") == "jana novak"
    assert company_key("ACME GmbH & Co. KG") == company_key("Acme") == "acme"
    assert website_key("https://www.Acme.example/about") == "acme.example"


def test_contacts_that_look_like_one_person(db: Database) -> None:
    acme = accounts.create_account(db, allow_duplicate=True, name="Acme GmbH")
    made = {
        key: contacts.create_contact(db, allow_duplicate=True, **values).id
        for key, values in {
            "anna": {"name": "Anna Smith", "emails": ["anna@acme.example"], "account_id": acme.id},
            "smith": {"name": "Smith, Anna", "account_id": acme.id},
            "initial": {"name": "A. Smith", "emails": ["Anna@Acme.example"]},
            "jon": {"name": "Jon Miller", "phones": ["+49 30 1234567"]},
            "jonathan": {"name": "Jonathan Miller", "phones": ["030 1234567"]},
            "novak": {"name": "Jana Novak", "account_id": acme.id},
            "nowak": {"name": "Jana Nowak", "account_id": acme.id},
            "other": {"name": "Unrelated Person"},
        }.items()
    }
    pairs = {frozenset((p.keep_id, p.other_id)): p for p in find_duplicates(db)}

    def pair(a: str, b: str) -> object:
        return pairs[frozenset((made[a], made[b]))]

    assert pair("anna", "initial").score == 95
    assert pair("anna", "initial").reasons == ("same email anna@acme.example",)
    assert pair("anna", "smith").score == 80  # "Smith, Anna" is the same name
    assert pair("anna", "smith").reasons == (
        "same name 'Anna Smith' / 'Anna Smith'",
        "same company",
    )
    assert pair("jon", "jonathan").score == 85
    assert pair("jon", "jonathan").reasons == ("same phone +49301234567",)
    assert pair("novak", "nowak").score == 70
    assert pair("novak", "nowak").reasons == (
        "similar names 'Jana Novak' / 'Jana Nowak'",
        "same company",
    )
    assert all(made["other"] not in key for key in pairs)
    scores = [p.score for p in find_duplicates(db)]
    assert scores == sorted(scores, reverse=True)


def test_the_fuller_record_is_suggested_to_keep(db: Database) -> None:
    thin = contacts.create_contact(
        db, allow_duplicate=True, name="Anna Smith", emails=["anna@example.com"]
    )
    full = contacts.create_contact(
        db, allow_duplicate=True, name="Anna Smith", emails=["anna@example.com"],
        phones=["+49 30 1234567"], title="CTO", city="Berlin",
    )  # fmt: skip
    (pair,) = find_duplicates(db)
    assert (pair.keep_id, pair.other_id) == (full.id, thin.id)
    assert pair.score == 100 and len(pair.reasons) == 2


def test_weak_matches_and_shared_office_lines(db: Database) -> None:
    contacts.create_contact(db, allow_duplicate=True, name="Jana Novak")
    contacts.create_contact(
        db, allow_duplicate=True, name="Jana Nowak"
    )  # similar, nothing else: 50
    for n in range(25):
        contacts.create_contact(
            db, allow_duplicate=True, name=f"Person {n} Office", phones=["+49 30 9999999"]
        )
    assert find_duplicates(db) == []
    assert [p.score for p in find_duplicates(db, min_score=50)] == [50]


def test_trashed_records_are_not_duplicates(db: Database) -> None:
    contacts.create_contact(
        db, allow_duplicate=True, name="Anna Smith", emails=["anna@example.com"]
    )
    gone = contacts.create_contact(
        db, allow_duplicate=True, name="Anna Smith", emails=["anna@example.com"]
    )
    contacts.delete_contact(db, gone.id)
    assert find_duplicates(db) == []


def test_account_duplicates(db: Database) -> None:
    accounts.create_account(
        db, allow_duplicate=True, name="ACME GmbH", website="https://www.acme.example"
    )
    accounts.create_account(db, allow_duplicate=True, name="Acme", website="acme.example/contact")
    accounts.create_account(db, allow_duplicate=True, name="Nordwerk AG", phone="+49 40 3012345")
    accounts.create_account(db, allow_duplicate=True, name="Nordwerk Logistik", phone="040 3012345")
    accounts.create_account(db, allow_duplicate=True, name="Something Else")
    pairs = _pairs(db, "account")
    acme = pairs[frozenset(("ACME GmbH", "Acme"))]
    assert acme.score == 90 and "same website acme.example" in acme.reasons
    assert pairs[frozenset(("Nordwerk AG", "Nordwerk Logistik"))].score == 85
    with pytest.raises(ValidationError, match="contacts or accounts"):
        find_duplicates(db, "interaction")


@pytest.mark.slow
def test_blocking_keeps_100k_contacts_usable(db: Database) -> None:
    """Bulk rows straight into the tables, then time the search for duplicates."""
    now = crud.now_utc()
    first = ["Anna", "Jana", "Jan", "Lukas", "Sophie", "Tomáš", "Zoë", "Björn", "Mehmet", "Olivia"]
    last = ["Smith", "Müller", "Novák", "Nowak", "Schmidt", "Schmitt", "Dubois", "Jensen"]
    rows = [
        {"id": i, "first_name": f"{first[i % 10]}{i % 97}", "last_name": f"{last[i % 8]}{i % 89}",
         "account_id": None, "created_at": now, "updated_at": now, "created_by": "t",
         "updated_by": "t", "version": 1, "tags": ""}
        for i in range(1, 100_001)
    ]  # fmt: skip
    methods = [
        {"contact_id": i, "kind": "email", "value": f"p{i % 99_990}@example.com", "label": "work"}
        for i in range(1, 100_001)
    ]
    with db.write() as tx:
        if db.dialect == "sqlite":
            for trigger in tx.all("SELECT name FROM sqlite_master WHERE type = 'trigger'"):
                tx.execute(f'DROP TRIGGER "{trigger["name"]}"')  # a throwaway database
        else:
            tx.execute("ALTER TABLE contact DISABLE TRIGGER USER")
            tx.execute("ALTER TABLE contact_method DISABLE TRIGGER USER")
        tx.executemany(
            "INSERT INTO contact (id, first_name, last_name, account_id, created_at, updated_at, "
            "created_by, updated_by, version, tags) VALUES (:id, :first_name, :last_name, "
            ":account_id, :created_at, :updated_at, :created_by, :updated_by, :version, :tags)",
            rows,
        )
        tx.executemany(
            "INSERT INTO contact_method (contact_id, kind, value, label, position) "
            "VALUES (:contact_id, :kind, :value, :label, 0)",
            methods,
        )
    started = time.perf_counter()
    found = find_duplicates(db, limit=None)
    elapsed = time.perf_counter() - started
    assert elapsed < 30, elapsed
    assert sum(1 for p in found if p.reasons[0].startswith("same email")) >= 10


# --- merge -------------------------------------------------------------------------------------


def _two(db: Database) -> tuple[int, int, dict[str, int]]:
    acme = accounts.create_account(db, allow_duplicate=True, name="Acme GmbH")
    keep = contacts.create_contact(
        db, allow_duplicate=True, name="Anna Smith", emails=["anna@acme.example"], title="CTO",
        tags="vip", notes="Keeps notes", account_id=acme.id,
    )  # fmt: skip
    other = contacts.create_contact(
        db, allow_duplicate=True, name="Smith, Anna",
        emails=["anna@home.example", "anna@acme.example"], phones=["+49 30 1234567"],
        title="Chief Technology Officer", city="Berlin",
        birthday="1980-03-14", tags="berlin", notes="Other notes", email_opt_in=True,
        email_consent_source="web form",
    )  # fmt: skip
    call = interactions.log_interaction(
        db, kind="call", subject="Call", contact_id=other.id, happened_at=WHEN
    )
    deal = opportunities.create_opportunity(db, name="Deal", contact_id=other.id)
    meeting = appointments.create_appointment(
        db, title="Meeting", starts_at=WHEN, duration=timedelta(hours=1), contact_id=other.id
    )
    trashed = interactions.log_interaction(db, kind="note", subject="Old", contact_id=other.id)
    interactions.delete_interaction(db, trashed.id)
    links = {"call": call.id, "deal": deal.id, "meeting": meeting.id, "trashed": trashed.id}
    return keep.id, other.id, links


def test_merge_preview_offers_each_field(db: Database) -> None:
    keep, other, _links = _two(db)
    choices = {c.field: c for c in merge_preview(db, keep, other)}
    assert choices["title"].default == "keep" and choices["title"].differs
    assert choices["city"].default == "other"  # filled from the other record
    assert choices["emails"].default == "both" and choices["notes"].default == "both"
    assert not choices["first_name"].differs


def test_merge_field_by_field_moves_everything_and_trashes_the_other(db: Database) -> None:
    keep, other, links = _two(db)
    result = merge(db, keep, other, {"title": "other", "emails": "both"}, actor="merger")
    merged = contacts.get_contact(db, keep)
    assert merged.title == "Chief Technology Officer" and merged.address.city == "Berlin"
    assert merged.birthday.isoformat() == "1980-03-14" and merged.account_name == "Acme GmbH"
    assert [m.value for m in merged.emails] == ["anna@acme.example", "anna@home.example"]
    assert [m.value for m in merged.phones] == ["+49301234567"]
    assert merged.tags == ("vip", "berlin") and merged.notes == "Keeps notes\n\nOther notes"
    assert merged.email_consent.opt_in is True and merged.email_consent.source == "web form"
    assert interactions.get_interaction(db, links["call"]).contact_id == keep
    assert opportunities.get_opportunity(db, links["deal"]).contact_id == keep
    assert appointments.get_appointment(db, links["meeting"]).contact_id == keep
    with db.read() as tx:
        trashed = tx.scalar("SELECT contact_id FROM interaction WHERE id = :i", i=links["trashed"])
        entry = tx.one("SELECT * FROM audit_entry WHERE id = :id", id=result.merge_id)
    assert trashed == keep
    assert (entry["action"], entry["kind"], entry["record_id"], entry["actor"]) == (
        "merge", "contact", keep, "merger",
    )  # fmt: skip
    assert json.loads(entry["changes"])["merged_from"] == [None, other]
    assert result.moved == {
        "interaction.contact_id": 2, "opportunity.contact_id": 1, "appointment.contact_id": 1,
    }  # fmt: skip
    assert contacts.get_contact(db, other, trashed=True).tracking.deleted_at is not None
    with pytest.raises(NotFoundError):
        contacts.get_contact(db, other)


def test_undo_merge_puts_everything_back(db: Database) -> None:
    keep, other, links = _two(db)
    before_keep = contacts.get_contact(db, keep)
    before_other = contacts.get_contact(db, other)
    result = merge(db, keep, other, {"title": "other", "tags": "other", "emails": "other"})
    undo_merge(db, result.merge_id)
    after_keep, after_other = contacts.get_contact(db, keep), contacts.get_contact(db, other)
    for field in ("title", "tags", "notes", "methods", "address", "birthday", "email_consent"):
        assert getattr(after_keep, field) == getattr(before_keep, field), field
        assert getattr(after_other, field) == getattr(before_other, field), field
    assert interactions.get_interaction(db, links["call"]).contact_id == other
    assert opportunities.get_opportunity(db, links["deal"]).contact_id == other
    assert appointments.get_appointment(db, links["meeting"]).contact_id == other
    with pytest.raises(ValidationError, match="undone already"):
        undo_merge(db, result.merge_id)


def test_undo_merge_refuses_when_the_kept_record_changed_since(db: Database) -> None:
    keep, other, _links = _two(db)
    result = merge(db, keep, other)
    contacts.update_contact(db, keep, None, title="Changed later")
    with pytest.raises(ConflictError):
        undo_merge(db, result.merge_id)
    with pytest.raises(NotFoundError):
        undo_merge(db, 99_999)


def test_merge_accounts_moves_their_contacts_and_deals(db: Database) -> None:
    keep = accounts.create_account(
        db, allow_duplicate=True, name="Acme GmbH", website="acme.example"
    )
    other = accounts.create_account(
        db, allow_duplicate=True, name="ACME", phone="+49 30 1234500", industry="Machines"
    )
    anna = contacts.create_contact(db, allow_duplicate=True, name="Anna Smith", account_id=other.id)
    deal = opportunities.create_opportunity(db, name="Deal", account_id=other.id)
    result = merge(db, keep.id, other.id, kind="account")
    merged = accounts.get_account(db, keep.id)
    assert (merged.name, merged.phone, merged.industry) == ("Acme GmbH", "+49301234500", "Machines")
    assert contacts.get_contact(db, anna.id).account_id == keep.id
    assert opportunities.get_opportunity(db, deal.id).account_id == keep.id
    undo_merge(db, result.merge_id)
    assert contacts.get_contact(db, anna.id).account_id == other.id
    assert accounts.get_account(db, keep.id).phone is None


@pytest.mark.parametrize(
    ("choices", "message"),
    [
        ({"shoe_size": "keep"}, "not a field that can be merged"),
        ({"title": "both"}, "is not one of keep, other"),
        ({"emails": "neither"}, "is not one of keep, other, both"),
    ],
)
def test_bad_merge_choices(db: Database, choices: dict[str, str], message: str) -> None:
    keep, other, _links = _two(db)
    with pytest.raises(ValidationError, match=message):
        merge(db, keep, other, choices)
    assert contacts.get_contact(db, other).name == "Anna Smith"  # nothing happened


def test_a_record_is_not_merged_with_itself_or_a_missing_one(db: Database) -> None:
    anna = contacts.create_contact(db, allow_duplicate=True, name="Anna Smith")
    with pytest.raises(ValidationError, match="itself"):
        merge(db, anna.id, anna.id)
    with pytest.raises(NotFoundError):
        merge(db, anna.id, 999)
