"""vCard: phone and desktop address books in, 3.0 and 4.0 out, round trips, broken cards."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from smallcrm.store import accounts, contacts
from smallcrm.store.db import Database
from smallcrm.store.errors import ValidationError
from smallcrm.store.io import ImportRejected, export_records, import_file, inspect_file
from smallcrm.store.io.own_uid import record_uid
from smallcrm.store.io.vcard import contact_vcard, fold, read_vcards

FIXTURES = Path(__file__).resolve().parents[1] / "data" / "fixtures"
INTEROP = Path(__file__).resolve().parents[2] / "shared" / "interop" / "vcard"
needs_interop = pytest.mark.skipif(
    not INTEROP.is_dir(), reason="the shared interop samples (../shared/interop) are not here"
)
# Files the samples' own project marks as broken, or that are symlinks stored as text.
BROKEN_SAMPLES = {
    "vcards__unparsable.vcf": "ends without END:VCARD",
    "minimal.abook__minimal.vcf": "is not a vCard",
    "nick.abook__joe.vcf": "is not a vCard",
    "nick.abook__nickname.vcf": "is not a vCard",
    "test.abook__contact1.vcf": "is not a vCard",
    "test.abook__contact2.vcf": "is not a vCard",
    "test.abook__text-bday.vcf": "is not a vCard",
}


def _people(db: Database) -> dict[str, object]:
    return {c.name: c for c in contacts.iter_contacts(db)}


def test_iphone_export(db: Database) -> None:
    report = import_file(db, FIXTURES / "iphone_contacts.vcf")
    assert (report.created, report.invalid) == (3, 0)
    assert report.linked_created == {"account": 1}
    jana = _people(db)["Jana Novák"]
    assert jana.account_name == "Acme GmbH" and jana.title == "Head of Purchasing"
    assert [(m.label, m.value) for m in jana.emails] == [
        ("work", "jana.novak@acme.example"),
        ("home", "jana@private.example"),  # from item1.X-ABLabel
    ]
    assert [(m.label, m.value) for m in jana.phones] == [
        ("mobile", "+4915123456789"),
        ("work", "+49301234567"),
    ]
    assert jana.address.one_line() == "Hauptstraße 5, 10115 Berlin, Germany"
    assert jana.birthday == date(1985, 7, 2) and jana.tags == ("customers", "vip")
    assert jana.notes == "Met at the trade fair.\nPrefers email, not calls."
    assert any(w.reason == "photo not imported" for w in report.warnings)
    tomas = _people(db)["Tomáš Dvořák"]
    assert tomas.birthday is None and "Birthday: 14 March" in tomas.notes  # X-APPLE-OMIT-YEAR
    polar = next(a for a in accounts.iter_accounts(db) if a.name == "Polar Star LLC")
    assert (polar.phone, polar.website) == ("+12125550100", "https://polarstar.example")


def test_android_2_1_with_quoted_printable(db: Database) -> None:
    import_file(db, FIXTURES / "android_contacts.vcf")
    juergen = _people(db)["Jürgen Müller"]
    assert juergen.address.one_line() == "Königstraße 12, 70173 Stuttgart, Deutschland"
    assert juergen.notes == "Sehr langer Kommentar, der über mehrere Zeilen geht."
    assert [(m.label, m.value) for m in juergen.phones] == [
        ("mobile", "+491701234567"),
        ("work", "+497111234567"),
    ]
    assert juergen.emails[0].label == "home"
    assert _people(db)["Anna Smith"].notes == "Fax: +44 20 7946 0001"


def test_desktop_4_0_with_non_latin_names_and_an_organisation(db: Database) -> None:
    report = import_file(db, FIXTURES / "desktop_v4.vcf")
    assert (report.created, report.linked_created) == (3, {})
    giorgos = _people(db)["Γιώργος Παπαδόπουλος"]
    assert giorgos.phones[0].value == "+306941234567"  # tel: URI
    assert giorgos.birthday == date(1979, 12, 24)
    assert giorgos.external_id == "urn:uuid:4fbe8971-0bc3-424c-9c26-36c3e1eff6b1"
    assert giorgos.notes == "Two lines\nof notes."
    taro = _people(db)["太郎 山田"]
    assert taro.birthday is None and "Birthday: circa 1980" in taro.notes
    assert [a.name for a in accounts.iter_accounts(db)] == ["Nordwerk AG"]


def test_a_broken_card_is_reported_by_position_and_the_others_still_read(db: Database) -> None:
    with pytest.raises(ImportRejected) as caught:
        import_file(db, FIXTURES / "broken_cards.vcf")
    problems = caught.value.report.problems
    assert [p.where for p in problems] == ["card 2 (line 7)"]
    assert "line 10" in problems[0].reason
    assert contacts.list_contacts(db).total == 0
    report = import_file(db, FIXTURES / "broken_cards.vcf", skip_invalid=True)
    # Card 4 has no name but an email address: it is named after it (it was refused before).
    assert set(_people(db)) == {"Good First", "Good Third", "Nameless"} and report.invalid == 1
    assert any(w.where == "card 4 (line 17)" and "named 'Nameless'" in w.reason
               for w in report.warnings)  # fmt: skip


def test_a_truncated_file_is_reported(db: Database) -> None:
    report = import_file(db, FIXTURES / "truncated.vcf", dry_run=True)
    assert report.problems[0].where == "card 2 (line 5)"
    assert "END:VCARD" in report.problems[0].reason


def test_vcard_files_hold_contacts_only(db: Database) -> None:
    with pytest.raises(ValidationError, match="holds contacts, not appointments"):
        import_file(db, FIXTURES / "desktop_v4.vcf", "appointments")


def test_reimporting_a_vcard_changes_nothing(db: Database) -> None:
    import_file(db, FIXTURES / "iphone_contacts.vcf")
    again = import_file(db, FIXTURES / "iphone_contacts.vcf")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)


# --- writing -----------------------------------------------------------------------------------


def _rich(db: Database) -> None:
    acme = accounts.create_account(db, allow_duplicate=True, name="Acme; Söhne, GmbH")
    contacts.create_contact(
        db,
        allow_duplicate=True,
        name="Jana Novák",
        title="Head of Purchasing",
        account_id=acme.id,
        emails=["jana@acme.example", "home:jana@home.example"],
        phones=["+49 151 23456789", "work:+49 30 1234567"],
        street="Hauptstraße 5",
        postal_code="10115",
        city="Berlin",
        country="Germany",
        birthday="1985-07-02",
        tags="customers, vip",
        notes="Line one, with comma; and semicolon\nLine two \\ backslash " + "x" * 120,
        external_id="uid-42",
    )
    contacts.create_contact(db, allow_duplicate=True, name="山田 太郎", emails=["taro@example.jp"])
    contacts.create_contact(db, allow_duplicate=True, name="Ирина Петрова")


FIELDS = ("first_name", "last_name", "title", "account_name", "methods", "address", "birthday")


@pytest.mark.parametrize("version", ["3.0", "4.0"])
def test_export_then_import_gives_back_the_same_contacts(
    db: Database, tmp_path: Path, new_sqlite_database: Callable[[str], Path], version: str
) -> None:
    from smallcrm.store.db import open_database

    _rich(db)
    out = io.StringIO()
    assert export_records(db, "contacts", "vcard", out, vcard_version=version) == 3
    path = tmp_path / "export.vcf"
    path.write_text(out.getvalue(), encoding="utf-8", newline="")
    other = open_database(new_sqlite_database("copy.db"))
    report = import_file(other, path)
    assert report.created == 3 and not report.problems and not report.warnings
    before, after = _people(db), _people(other)
    assert set(before) == set(after)
    for name, original in before.items():
        copy = after[name]
        for field in (*FIELDS, "tags", "notes"):
            assert getattr(copy, field) == getattr(original, field), (name, field)
        # Every card has a UID: a contact without an external id gets one made up, which the
        # other database keeps as the external id, so importing the file again matches it.
        made_up = record_uid("contact", original.id, original.tracking.created_at)
        assert copy.external_id == (original.external_id or made_up)
    again = import_file(other, path)
    assert (again.created, again.unchanged) == (0, 3)
    other.close()


def test_exported_lines_are_folded_and_escaped(db: Database) -> None:
    _rich(db)
    jana = _people(db)["Jana Novák"]
    text = contact_vcard(jana, "4.0")
    lines = text.split("\r\n")
    assert all(len(line.encode()) <= 75 for line in lines)
    assert "ORG:Acme\\; Söhne\\, GmbH" in text
    assert "BDAY:19850702" in text and "BDAY:1985-07-02" in contact_vcard(jana, "3.0")
    assert "EMAIL;TYPE=INTERNET,WORK:jana@acme.example" in contact_vcard(jana, "3.0")
    assert text.endswith("END:VCARD\r\n")


def test_exported_vcards_are_read_by_another_implementation(db: Database) -> None:
    vobject = pytest.importorskip("vobject")
    _rich(db)
    for version in ("3.0", "4.0"):
        out = io.StringIO()
        export_records(db, "contacts", "vcard", out, vcard_version=version)
        cards = list(vobject.readComponents(out.getvalue()))
        assert len(cards) == 3
        jana = next(c for c in cards if c.fn.value == "Jana Novák")
        assert jana.org.value == ["Acme; Söhne, GmbH"]
        assert [e.value for e in jana.email_list] == ["jana@acme.example", "jana@home.example"]
        assert jana.note.value.startswith("Line one, with comma; and semicolon\nLine two \\")


def test_fold_never_splits_a_character() -> None:
    line = "NOTE:" + "ä" * 100
    folded = fold(line)
    assert all(len(part.encode()) <= 75 for part in folded.split("\r\n"))
    assert folded.replace("\r\n ", "") == line


def test_unsupported_version_is_refused(db: Database) -> None:
    with pytest.raises(ValidationError, match="3.0 or 4.0"):
        export_records(db, "contacts", "vcard", io.StringIO(), vcard_version="2.1")


# --- public samples ----------------------------------------------------------------------------


@needs_interop
@pytest.mark.parametrize(
    "name", sorted(p.name for p in INTEROP.glob("*.vcf")) if INTEROP.is_dir() else []
)
def test_public_samples(db: Database, name: str) -> None:
    path = INTEROP / name
    if name in BROKEN_SAMPLES:
        with pytest.raises(ValidationError, match=BROKEN_SAMPLES[name]):
            import_file(db, path)
        assert contacts.list_contacts(db).total == 0
        return
    report = import_file(db, path)
    assert report.committed and report.created == 1 and not report.problems


@needs_interop
def test_public_sample_details() -> None:
    def fields(name: str) -> dict[str, list[object]]:
        record = inspect_file(INTEROP / name).records[0]
        return {k: [i.value for i in v] for k, v in record.fields.items()}

    assert fields("vcards__post.vcf")["street"] == ["Main Street 1", "Ext"]
    assert fields("vcards__tel-value-uri.vcf")["phone"] == ["67545678"]
    assert fields("vcards__altid.vcf")["first_name"] == ["one"]  # the first of two N
    assert fields("vcards__korean-c.vcf")["name"] == ["최유림"]
    assert inspect_file(INTEROP / "vcards__org.vcf").records[0].kind == "account"


def test_reader_counts_cards_and_text_outside_cards() -> None:
    parsed = read_vcards("junk\r\nBEGIN:VCARD\r\nFN:A\r\nEND:VCARD\r\n")
    assert [r.where for r in parsed.records] == ["line 1", "card 2 (line 2)"]
    assert parsed.records[0].problem is not None and parsed.records[1].fields is not None
