"""vCard round trips: every card has a UID that finds its record again, accounts are
organisation cards, notes keep their line breaks as ``\\n``."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from smallcrm.store import accounts, contacts
from smallcrm.store.db import Database, open_database
from smallcrm.store.io import export_records, import_file
from smallcrm.store.io.own_uid import record_uid


def _export(db: Database, kind: str, tmp_path: Path, version: str = "4.0") -> Path:
    out = io.StringIO()
    export_records(db, kind, "vcard", out, vcard_version=version)
    path = tmp_path / f"{kind}-{version}.vcf"
    path.write_text(out.getvalue(), encoding="utf-8", newline="")
    return path


@pytest.mark.parametrize("version", ["3.0", "4.0"])
def test_our_own_export_finds_contacts_without_email_or_phone(
    db: Database, tmp_path: Path, version: str
) -> None:
    irina = contacts.create_contact(db, name="Ирина Петрова", notes="No email, no phone")
    contacts.create_contact(db, name="Jana Novák", external_id="urn:uuid:42")
    path = _export(db, "contacts", tmp_path, version)
    text = path.read_text(encoding="utf-8")
    assert f"UID:{record_uid('contact', irina.id, irina.tracking.created_at)}" in text
    assert "UID:urn:uuid:42" in text
    report = import_file(db, path)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 2)
    assert contacts.get_contact(db, irina.id).external_id is None  # found by id, not stored


def test_a_made_up_uid_of_another_database_is_kept_and_matches_next_time(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    contacts.create_contact(db, name="Ирина Петрова")
    path = _export(db, "contacts", tmp_path)
    other = open_database(tmp_path / "other.db")
    monkeypatch.setenv("SMALLCRM_NOW", "2026-11-25T10:30:00.000001+00:00")
    contacts.create_contact(other, name="Somebody Else")  # id 1 there: made a moment later
    assert import_file(other, path).created == 1
    assert import_file(other, path).unchanged == 1
    assert contacts.list_contacts(other).total == 2
    other.close()


def test_an_imported_cards_uid_matches_it_on_the_next_import(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "card.vcf"
    card = "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:abc-123\r\nFN:Petr Svoboda\r\n{}END:VCARD\r\n"
    path.write_text(card.format(""), encoding="utf-8")
    assert import_file(db, path).created == 1
    path.write_text(card.format("EMAIL:petr@example.com\r\n"), encoding="utf-8")
    report = import_file(db, path)
    assert (report.created, report.updated) == (0, 1)
    (petr,) = contacts.iter_contacts(db)
    assert petr.external_id == "abc-123" and petr.emails[0].value == "petr@example.com"


@pytest.mark.parametrize(
    ("version", "marker"), [("4.0", "KIND:org"), ("3.0", "X-ABShowAs:COMPANY")]
)
def test_accounts_export_as_organisation_cards(
    db: Database, tmp_path: Path, version: str, marker: str
) -> None:
    acme = accounts.create_account(
        db,
        name="Acme; Söhne, GmbH",
        industry="Machinery",
        website="https://acme.example",
        phone="+49 30 1234567",
        street="Hauptstraße 5",
        postal_code="10115",
        city="Berlin",
        country="Germany",
        tags="customer, vip",
        notes="Two lines\nof notes",
    )
    accounts.create_account(db, name="Polar Star", external_id="ps-1")
    path = _export(db, "accounts", tmp_path, version)
    text = path.read_text(encoding="utf-8")
    assert text.count(marker) == 2 and "UID:ps-1" in text
    assert import_file(db, path).unchanged == 2
    other = open_database(tmp_path / f"copy-{version}.db")
    report = import_file(other, path)
    assert (report.created, report.warnings) == (2, ())
    copy = next(a for a in accounts.iter_accounts(other) if a.name == acme.name)
    for field in ("industry", "website", "phone", "address", "tags", "notes"):
        assert getattr(copy, field) == getattr(acme, field), field
    assert contacts.list_contacts(other).total == 0
    other.close()


def test_organisation_cards_are_read_by_another_implementation(db: Database) -> None:
    vobject = pytest.importorskip("vobject")
    accounts.create_account(db, name="Acme GmbH", phone="+49 30 1234567")
    for version in ("3.0", "4.0"):
        out = io.StringIO()
        export_records(db, "accounts", "vcard", out, vcard_version=version)
        (card,) = list(vobject.readComponents(out.getvalue()))
        assert card.fn.value == "Acme GmbH" and card.org.value == ["Acme GmbH"]


def test_notes_keep_their_line_breaks_as_newlines(db: Database, tmp_path: Path) -> None:
    contacts.create_contact(db, name="Jana Novák", notes="Windows\r\nline\rold Mac\nUnix")
    (jana,) = contacts.iter_contacts(db)
    assert jana.notes == "Windows\nline\nold Mac\nUnix"
    path = tmp_path / "qp.vcf"
    path.write_bytes(
        b"BEGIN:VCARD\r\nVERSION:2.1\r\nN:Smith;Anna;;;\r\n"
        b"NOTE;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:First line=0D=0ASecond=\r\n line=0D=0A\r\n"
        b"END:VCARD\r\n"
    )
    import_file(db, path)
    anna = next(c for c in contacts.iter_contacts(db) if c.first_name == "Anna")
    assert anna.notes == "First line\nSecond line"
    exported = _export(db, "contacts", tmp_path)
    assert "NOTE:First line\\nSecond line\r\n" in exported.read_bytes().decode("utf-8")
    assert import_file(db, exported).unchanged == 2
    assert "\r" not in "".join(c.notes or "" for c in contacts.iter_contacts(db))
