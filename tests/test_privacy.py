"""Privacy: everything held about a person, and an erasure that leaves no trace of them."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from smallcrm.store import (
    accounts,
    appointments,
    contacts,
    interactions,
    opportunities,
    resolve,
    search,
)
from smallcrm.store.db import Database
from smallcrm.store.errors import NotFoundError
from smallcrm.store.io import import_file
from smallcrm.store.listing import ListQuery
from smallcrm.store.merging import merge
from smallcrm.store.privacy import erase_person, export_person, text_columns

WHEN = datetime(2026, 11, 2, 9, tzinfo=UTC)
# What must be gone: her names, emails and phone numbers, in any spelling that was stored.
TRACES = (
    "ottilie",
    "quaxmeyer",
    "o.quaxmeyer@example.com",
    "ottilie@private.example",
    "+49305551234",
    "49305551234",
    "30 5551234",
    "5551234",
    "crm-ottilie-77",
)


def _person(db: Database, tmp_path: Path) -> dict[str, int]:
    """Ottilie Quaxmeyer, known through an import, a merge, history and other records."""
    acme = accounts.create_account(db, allow_duplicate=True, name="Acme GmbH")
    csv = tmp_path / "people.csv"
    csv.write_text(
        "First Name,Last Name,E-mail,Phone,Company,External ID,Email Opt In\n"
        "Ottilie,Quaxmeyer,o.quaxmeyer@example.com,+49 30 5551234,Acme GmbH,crm-ottilie-77,yes\n",
        encoding="utf-8",
    )
    import_file(db, csv)
    ottilie = resolve.find_by_method(db, "email", "o.quaxmeyer@example.com")[0]
    contacts.update_contact(
        db, ottilie, None, title="Buyer", street="Ottilienweg 3", city="Berlin",
        notes="Ottilie prefers calls", birthday="1971-05-06",
    )  # fmt: skip
    duplicate = contacts.create_contact(
        db,
        allow_duplicate=True,
        name="Quaxmeyer, Ottilie",
        emails=["ottilie@private.example"],
        tags="private",
    )
    merge(db, ottilie, duplicate.id, {"emails": "both"})
    call = interactions.log_interaction(
        db, kind="call", subject="Call with Ottilie Quaxmeyer", body="Ottilie wants 3 offers",
        contact_id=ottilie, happened_at=WHEN, duration_minutes=20,
    )  # fmt: skip
    deal = opportunities.create_opportunity(
        db, name="Quaxmeyer kitchen", contact_id=ottilie, amount="5000", next_step="Call Ottilie"
    )
    meeting = appointments.create_appointment(
        db, title="Visit Ottilie", starts_at=WHEN, duration=timedelta(hours=1),
        location="Ottilienweg 3, Berlin", contact_id=ottilie,
    )  # fmt: skip
    colleague = contacts.create_contact(
        db, allow_duplicate=True, name="Bob Baker", account_id=acme.id,
        notes="Referred by Ottilie Quaxmeyer (o.quaxmeyer@example.com, +49 30 5551234)",
    )  # fmt: skip
    account_call = interactions.log_interaction(
        db, kind="meeting", subject="Acme review", account_id=acme.id, happened_at=WHEN
    )
    return {
        "ottilie": ottilie,
        "duplicate": duplicate.id,
        "call": call.id,
        "deal": deal.id,
        "meeting": meeting.id,
        "colleague": colleague.id,
        "account_call": account_call.id,
        "acme": acme.id,
    }


def test_export_person_holds_everything(db: Database, tmp_path: Path) -> None:
    ids = _person(db, tmp_path)
    data = export_person(db, ids["ottilie"])
    json.dumps(data)  # plain JSON data
    person = data["contact"]
    assert (person["first_name"], person["last_name"], person["title"]) == (
        "Ottilie", "Quaxmeyer", "Buyer",
    )  # fmt: skip
    assert [e["value"] for e in person["emails"]] == [
        "o.quaxmeyer@example.com",
        "ottilie@private.example",
    ]
    assert person["phones"] == [{"label": "mobile", "value": "+49305551234"}]
    assert person["email_opt_in"] is True and person["birthday"] == "1971-05-06"
    assert person["account"] == "Acme GmbH"
    assert [c["id"] for c in data["merged_contacts"]] == [ids["duplicate"]]
    assert [i["id"] for i in data["interactions"]] == [ids["call"]]
    assert [o["id"] for o in data["opportunities"]] == [ids["deal"]]
    assert [a["id"] for a in data["appointments"]] == [ids["meeting"]]
    actions = {(h["kind"], h["action"]) for h in data["history"]}
    assert {("contact", "import"), ("contact", "update"), ("contact", "merge")} <= actions
    assert ("interaction", "create") in actions
    assert data["imports"][0]["source"] == "people.csv"
    with pytest.raises(NotFoundError):
        export_person(db, 999)


def _every_text(db: Database) -> list[tuple[str, str, str]]:
    """(table, column, value) of every text value in every table, the search index's too."""
    if db.dialect == "postgresql":
        return _every_text_postgresql(db)
    found: list[tuple[str, str, str]] = []
    with db.read() as tx:
        names = [r["name"] for r in tx.all("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in names:
            for column in tx.all(f"PRAGMA table_info({table})"):
                for row in tx.all(f'SELECT "{column["name"]}" AS v FROM "{table}"'):
                    value = row["v"]
                    if isinstance(value, bytes):
                        value = value.decode("utf-8", "replace")
                    if isinstance(value, str):
                        found.append((table, column["name"], value))
        tx.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.vocab USING fts5vocab(main, search_fts, 'row')"
        )
        found += [("search_fts", "term", r["term"]) for r in tx.all("SELECT term FROM temp.vocab")]
    return found


def _every_text_postgresql(db: Database) -> list[tuple[str, str, str]]:
    """Every value of every column as text, the search index's tsvector lexemes included."""
    found: list[tuple[str, str, str]] = []
    with db.read() as tx:
        columns = tx.all(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema()"
        )
        for table, column in columns:
            for row in tx.all(f'SELECT "{column}"::text AS v FROM "{table}"'):
                if row["v"] is not None:
                    found.append((table, column, row["v"]))
    return found


def test_erasure_leaves_no_trace_in_any_table_or_the_search_index(
    db: Database, tmp_path: Path
) -> None:
    ids = _person(db, tmp_path)
    assert any("quaxmeyer" in v.lower() for _t, _c, v in _every_text(db))
    report = erase_person(db, ids["ottilie"], actor="dpo")
    assert (report.contacts, report.interactions, report.appointments, report.opportunities) == (
        2, 1, 1, 1,
    )  # fmt: skip
    leftovers = [
        (table, column, value)
        for table, column, value in _every_text(db)
        for trace in TRACES
        if trace in value.lower()
    ]
    assert leftovers == []
    assert search.search(db, "Quaxmeyer") == [] and search.search(db, "ottilie") == []
    from smallcrm.store.search import check_index

    assert check_index(db)


def test_erasure_keeps_the_business_figures_and_says_it_happened(
    db: Database, tmp_path: Path
) -> None:
    ids = _person(db, tmp_path)
    erase_person(db, ids["ottilie"], actor="dpo")
    call = interactions.get_interaction(db, ids["call"])
    assert (call.subject, call.body, call.contact_id) == (
        "Interaction with an erased contact", None, None,
    )  # fmt: skip
    assert call.kind == "call" and call.duration_minutes == 20 and call.happened_at == WHEN
    assert call.account_id == ids["acme"]  # the business's figures still add up
    deal = opportunities.get_opportunity(db, ids["deal"])
    assert deal.contact_id is None and deal.amount == Decimal(5000)
    assert deal.name == "[erased] kitchen" and deal.next_step == "Call [erased]"
    meeting = appointments.get_appointment(db, ids["meeting"])
    assert (meeting.title, meeting.location, meeting.contact_id) == (
        "Appointment with an erased contact", None, None,
    )  # fmt: skip
    bob = contacts.get_contact(db, ids["colleague"])
    assert bob.notes == "Referred by [erased] ([erased], [erased])"
    assert interactions.get_interaction(db, ids["account_call"]).subject == "Acme review"
    with db.read() as tx:
        erase = tx.one("SELECT * FROM audit_entry WHERE action = 'erase' AND kind = 'contact'")
        history = tx.all(
            "SELECT action, changes FROM audit_entry WHERE kind = 'contact' AND record_id = :id",
            id=ids["ottilie"],
        )
    assert (erase["actor"], erase["record_id"]) == ("dpo", ids["ottilie"])
    assert json.loads(erase["changes"]) == {
        "erased": [None, {"contacts": 2, "interactions": 1, "appointments": 1, "opportunities": 1}]
    }
    assert {r["action"] for r in history} >= {"import", "update", "merge", "erase"}
    assert all(r["changes"] == "{}" for r in history if r["action"] != "erase")
    with pytest.raises(NotFoundError):
        contacts.get_contact(db, ids["ottilie"])


def test_erasure_does_not_scrub_names_other_contacts_bear(db: Database) -> None:
    anna = contacts.create_contact(
        db, allow_duplicate=True, name="Anna Quaxmeyer", emails=["aq@example.com"]
    )
    contacts.create_contact(
        db, allow_duplicate=True, name="Anna Smith", notes="Sister of Anna Quaxmeyer"
    )
    contacts.create_contact(
        db, allow_duplicate=True, name="Karl Berg", notes="Anna from the front desk"
    )
    erase_person(db, anna.id)
    notes = {c.name: c.notes for c in contacts.iter_contacts(db)}
    assert notes == {
        "Anna Smith": "Sister of [erased]",
        "Karl Berg": "Anna from the front desk",  # Anna Smith is still "Anna"
    }


def test_consent_is_filterable(db: Database) -> None:
    contacts.create_contact(
        db, allow_duplicate=True, name="Yes Person", email_opt_in=True, email_consent_source="form"
    )
    contacts.create_contact(db, allow_duplicate=True, name="No Person", email_opt_in=False)
    contacts.create_contact(db, allow_duplicate=True, name="Unasked Person")
    opted = contacts.list_contacts(db, ListQuery(extra={"email_opt_in": True}))
    assert [c.name for c in opted.items] == ["Yes Person"]
    assert opted.items[0].email_consent.describe().startswith("yes (")


def test_text_columns_cover_every_table(db: Database) -> None:
    with db.read() as tx:
        columns = text_columns(tx)
    assert "changes" in columns["audit_entry"] and "notes" in columns["contact"]
    assert "source" in columns["import_batch"] and "title" in columns["search_doc"]
    assert not any(name.startswith("search_fts") for name in columns)
