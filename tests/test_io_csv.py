"""CSV import: real exports, column mapping, bad rows, batches, undo, progress, fast paths."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from smallcrm.store import accounts, contacts, search
from smallcrm.store.db import Database, open_database
from smallcrm.store.errors import ValidationError
from smallcrm.store.io import (
    ImportRejected,
    export_records,
    get_batch,
    import_file,
    inspect_file,
    list_batches,
    parse_mapping,
    prepare,
    staging,
    undo_import,
)
from smallcrm.store.io.csvio import detect_delimiter, read_csv, safe_cell
from smallcrm.store.listing import ListQuery

FIXTURES = Path(__file__).resolve().parents[1] / "data" / "fixtures"


def _contacts(db: Database) -> dict[str, object]:
    return {c.name: c for c in contacts.iter_contacts(db)}


def _count(db: Database, table: str) -> int:
    with db.read() as tx:
        return int(tx.scalar(f"SELECT count(*) FROM {table}"))


def _write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


# --- real-world exports ------------------------------------------------------------------------


def test_google_contacts_export(db: Database) -> None:
    report = import_file(db, FIXTURES / "google_contacts.csv")
    assert (report.created, report.invalid, report.committed) == (5, 0, True)
    people = _contacts(db)
    jana = people["Jana Novák"]
    assert jana.title == "Head of Purchasing" and jana.account_name == "Acme GmbH"
    assert [(m.label, m.value) for m in jana.emails] == [
        ("work", "jana.novak@acme.example"),
        ("home", "jana@home.example"),
    ]
    assert [(m.label, m.value) for m in jana.phones] == [
        ("mobile", "+4915123456789"),
        ("work", "+49301234567"),
    ]
    assert jana.address.one_line() == "Hauptstraße 5, 10115 Berlin, Germany"
    assert str(jana.birthday) == "1985-07-02"
    assert jana.tags == ("customers",)
    assert jana.notes == "Met at the trade fair.\nPrefers email."
    tomas = people["Tomáš Dvořák"]
    assert [m.value for m in tomas.emails] == ["tomas@acme.example", "t.dvorak@acme.example"]
    assert tomas.birthday is None and "Birthday: 14 March" in tomas.notes
    assert any("no year" in w.reason and w.where == "line 6" for w in report.warnings)
    assert people["Zoë Brown"].tags == ("starred", "friends")
    assert "Website: https://zoe.example" in people["Zoë Brown"].notes
    assert people["Ирина Петрова"].account_name == "Полярная звезда ООО"
    assert report.linked_created == {"account": 2}


def test_outlook_export_in_windows_1252(db: Database) -> None:
    report = import_file(db, FIXTURES / "outlook_contacts.csv")
    assert report.details["encoding"] == "cp1252" and report.created == 3
    people = _contacts(db)
    juergen = people["Jürgen Müller"]
    assert juergen.title == "Geschäftsführer"  # "Title" (Dr.) is not the job title
    assert juergen.account_name == "Müller & Söhne KG"
    assert juergen.address.street == "Königstraße 12, Gebäude B"
    assert str(juergen.birthday) == "1962-03-14"
    assert juergen.tags == ("kunden", "vip")
    assert [m.label for m in juergen.phones] == ["work", "mobile"]  # the fax column is skipped
    francoise = people["Françoise Lefèvre"]
    assert francoise.birthday is None  # Outlook's 0/0/00
    assert francoise.address.one_line() == "12 rue de la Paix, 75002 Paris, France"
    assert [m.value for m in people["Seán O'Brien"].emails] == [
        "sean.obrien@widgets.example",
        "sean@home.example",
    ]


def test_hubspot_export_with_bom_consent_and_external_ids(db: Database) -> None:
    report = import_file(db, FIXTURES / "hubspot_bom.csv")
    assert report.details["encoding"] == "utf-8-sig" and report.created == 3
    people = _contacts(db)
    anna, ben = people["Anna Schmidt"], people["Ben Okafor"]
    assert anna.external_id == "101" and anna.owner == "jana" and anna.source == "Website"
    assert anna.email_consent.opt_in is True
    assert anna.email_consent.source == "import of hubspot_bom.csv"
    assert ben.email_consent.opt_in is False  # "Email Opt Out" = true
    assert "Phone (mobile): +44 7700 900123" in ben.notes
    assert any("not a valid number" in w.reason for w in report.warnings)
    assert people["Chloé Martin"].email_consent.opt_in is None


def test_semicolon_csv_from_german_excel(db: Database) -> None:
    report = import_file(db, FIXTURES / "excel_semicolon.csv")
    assert report.details["delimiter"] == ";" and report.details["encoding"] == "cp1252"
    joerg = _contacts(db)["Jörg Weiß"]
    assert str(joerg.birthday) == "1975-02-01"
    assert joerg.notes == "Kunde seit 2019; zahlt pünktlich"
    assert joerg.address.one_line() == "Maximilianstraße 3, 80539 München, Deutschland"
    assert _contacts(db)["Sabine Groß"].phones[0].value == "+49309876543"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a,b,c\n1,2,3", ","),
        ("a;b;c\n1;2;3", ";"),
        ("a\tb\tc\n", "\t"),
        ('"x,y";b;c\n', ";"),
        ("single\nrow", ","),
    ],
)
def test_delimiter_detection(text: str, expected: str) -> None:
    assert detect_delimiter(text) == expected


# --- bad input ---------------------------------------------------------------------------------


def test_invalid_rows_name_their_line_and_field(db: Database) -> None:
    with pytest.raises(ImportRejected) as caught:
        import_file(db, FIXTURES / "invalid_rows.csv")
    report = caught.value.report
    assert [(p.where, p.field) for p in report.problems] == [
        ("line 3", "name"),
        ("line 4", "email"),
    ]
    assert "not-an-email" in report.problems[1].reason
    assert "line 3: name:" in str(caught.value) and "skip_invalid" in str(caught.value)
    assert not report.committed and report.batch_id is None
    assert _count(db, "contact") == 0 and _count(db, "import_batch") == 0


def test_skip_invalid_imports_the_good_rows(db: Database) -> None:
    report = import_file(db, FIXTURES / "invalid_rows.csv", skip_invalid=True)
    assert (report.created, report.invalid, report.committed) == (2, 2, True)
    assert set(_contacts(db)) == {"Anna Smith", "Carla Rossi"}
    assert "Phone: 12" in _contacts(db)["Carla Rossi"].notes
    batch = get_batch(db, report.batch_id)
    assert (batch.created, batch.invalid) == (2, 2)


@pytest.mark.parametrize(
    ("name", "where", "words"),
    [
        ("broken_truncated.csv", "line 4", "has 3 cells but the header has 5"),
        ("broken_wrong_column_count.csv", "line 3", "has 5 cells but the header has 3"),
        ("broken_unbalanced_quotes.csv", "line 3", "never closed"),
    ],
)
def test_broken_files_are_reported_and_nothing_is_written(
    db: Database, name: str, where: str, words: str
) -> None:
    with pytest.raises(ImportRejected) as caught:
        import_file(db, FIXTURES / name)
    problem = caught.value.report.problems[0]
    assert problem.where == where and words in problem.reason
    assert _count(db, "contact") == 0


def test_bad_encoding_is_refused_with_its_line(db: Database) -> None:
    with pytest.raises(
        ValidationError, match=r"line 3: byte 0x81 .* neither UTF-8 nor Windows-1252"
    ):
        import_file(db, FIXTURES / "broken_bad_encoding.csv")


def test_a_given_encoding_is_used(db: Database, tmp_path: Path) -> None:
    path = _write(tmp_path, "latin.csv", "Name,Email\nBjörn Ås,bjorn@example.com\n", "latin-1")
    import_file(db, path, encoding="latin-1")
    assert "Björn Ås" in _contacts(db)
    with pytest.raises(ValidationError, match="not a known text encoding"):
        import_file(db, path, encoding="klingon")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "is empty"),
        ("   \n\n", "is empty"),
        ("Colour,Size\nred,XL\n", "no column holds the contact's name"),
    ],
)
def test_files_that_cannot_be_imported_at_all(
    db: Database, tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        import_file(db, _write(tmp_path, "x.csv", text))


# --- mapping -----------------------------------------------------------------------------------


def test_mapping_override(db: Database, tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "odd.csv",
        "Wer,Kontakt,Handy,Sonstiges\nAnna Weber,anna@example.com,+49 151 11111111,egal\n",
    )
    with pytest.raises(ValidationError, match="no column holds the contact's name"):
        import_file(db, path)
    report = import_file(
        db,
        path,
        mapping=["Wer=name", "Kontakt=email", "Handy=phone:mobile", "Sonstiges=skip"],
    )
    anna = _contacts(db)["Anna Weber"]
    assert anna.emails[0].value == "anna@example.com"
    assert anna.phones[0].label == "mobile"
    assert "Sonstiges -> (ignored)" in report.details["columns"]


@pytest.mark.parametrize(
    ("items", "message"),
    [
        (["no equals sign"], "is not HEADER=FIELD"),
        (["Nope=name"], "has no column 'Nope'"),
        (["Wer=shoe_size"], "is not a contact field"),
        (["Wer=name:home"], "only email and phone take a label"),
        (["Handy=phone:nonsense"], "is not a label"),
    ],
)
def test_bad_mappings_are_refused(
    db: Database, tmp_path: Path, items: list[str], message: str
) -> None:
    path = _write(tmp_path, "m.csv", "Wer,Handy\nAnna,+49 151 11111111\n")
    with pytest.raises(ValidationError, match=message):
        import_file(db, path, mapping=items)


def test_parse_mapping_accepts_a_dict_and_keeps_equals_in_headers() -> None:
    assert parse_mapping({"E-mail 1 - Value": "email"}) == {"E-mail 1 - Value": "email"}
    assert parse_mapping(["a=b=email"]) == {"a=b": "email"}


def test_inspect_file_previews_the_mapping_without_a_database(tmp_path: Path) -> None:
    parsed = inspect_file(FIXTURES / "google_contacts.csv")
    assert parsed.kind == "contact" and len(parsed.records) == 5
    assert "E-mail 1 - Value -> email" in parsed.details["columns"]
    # Region and PO box are read (kept with the city and the street) since they have no field.
    assert "Address 1 - Region -> region" in parsed.details["columns"]
    assert "Organization Department" in parsed.details["unmapped"]
    assert {"header": "Phone 1 - Value", "field": "phone", "label": None} in parsed.details[
        "mapping"
    ]


@pytest.mark.parametrize(
    ("fixture", "kind", "created"),
    [
        ("accounts.csv", "account", 2),
        ("interactions.csv", "interaction", 3),
        ("outlook_calendar.csv", "appointment", 2),
    ],
)
def test_other_kinds_are_recognised_from_their_headers(
    db: Database, fixture: str, kind: str, created: int
) -> None:
    contacts.create_contact(
        db, allow_duplicate=True, name="Jana Novák", emails=["jana.novak@acme.example"]
    )
    report = import_file(db, FIXTURES / fixture)
    assert (report.kind, report.created) == (kind, created)


def test_deals_link_their_account_and_contact(db: Database) -> None:
    jana = contacts.create_contact(
        db, allow_duplicate=True, name="Jana Novák", emails=["jana.novak@acme.example"]
    )
    report = import_file(db, FIXTURES / "pipedrive_deals.csv", "deals")
    assert report.created == 2 and report.linked_created == {"account": 2}
    from smallcrm.store.opportunities import iter_opportunities

    deals = {o.name: o for o in iter_opportunities(db)}
    assert deals["Acme expansion"].contact_id == jana.id
    assert deals["Acme expansion"].amount == Decimal("12000.50")
    assert deals["Acme expansion"].stage == "proposal"
    assert deals["Nordwerk pilot"].account_name == "Nordwerk AG"
    assert import_file(db, FIXTURES / "pipedrive_deals.csv", "deals").unchanged == 2


def test_interactions_refer_to_contacts_by_email_and_accounts_by_name(db: Database) -> None:
    jana = contacts.create_contact(
        db, allow_duplicate=True, name="Jana Novák", emails=["jana.novak@acme.example"]
    )
    import_file(db, FIXTURES / "interactions.csv")
    from smallcrm.store.interactions import iter_interactions

    found = {i.subject: i for i in iter_interactions(db)}
    assert found["Intro call"].contact_id == jana.id
    assert found["Intro call"].happened_at.isoformat() == "2026-11-02T09:00:00+00:00"
    assert found["Budget approved"].account_name == "Acme GmbH"
    again = import_file(db, FIXTURES / "interactions.csv")
    assert again.unchanged == 3 and again.created == 0


def test_an_unknown_contact_reference_is_a_row_problem(db: Database) -> None:
    with pytest.raises(ImportRejected) as caught:
        import_file(db, FIXTURES / "interactions.csv")
    assert caught.value.report.problems[0].field == "contact"
    assert "jana.novak@acme.example" in caught.value.report.problems[0].reason


# --- matching, re-import, dry run ----------------------------------------------------------------


def test_reimport_updates_instead_of_duplicating(db: Database, tmp_path: Path) -> None:
    first = import_file(db, FIXTURES / "google_contacts.csv")
    again = import_file(db, FIXTURES / "google_contacts.csv")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)
    assert _count(db, "contact") == 5 and first.batch_id != again.batch_id
    changed = _write(
        tmp_path,
        "changed.csv",
        "First Name,Last Name,E-mail 1 - Value,Phone 1 - Value,Organization Title,Labels\n"
        "Jana,Novák,JANA.NOVAK@acme.example,+49 170 9999999,Purchasing director,VIP\n",
    )
    report = import_file(db, changed)
    assert report.updated == 1 and report.rows[0].action == "updated"
    assert set(report.rows[0].changed) == {"title", "tags", "methods"}
    jana = _contacts(db)["Jana Novák"]
    assert jana.title == "Purchasing director"
    assert jana.tags == ("customers", "vip")  # tags are added to
    assert "+491709999999" in [m.value for m in jana.phones]
    assert len(jana.emails) == 2  # matched by email, nothing duplicated


def test_matching_by_phone_and_by_external_id(db: Database, tmp_path: Path) -> None:
    by_phone = contacts.create_contact(
        db, allow_duplicate=True, name="Old Name", phones=["+49 30 5551234"]
    )
    by_id = contacts.create_contact(db, allow_duplicate=True, name="Other", external_id="crm-7")
    path = _write(
        tmp_path,
        "ids.csv",
        "Name,Phone,External ID\nNew Name,030 5551234,\nRenamed,,crm-7\n",
    )
    report = import_file(db, path)
    # A shared phone under another name is someone else (a new contact, reported as a possible
    # duplicate); an external id is the record itself, but an import never renames it.
    assert (report.created, report.updated, report.unchanged) == (1, 0, 1)
    assert _count(db, "contact") == 3
    assert contacts.get_contact(db, by_phone.id).name == "Old Name"
    assert contacts.get_contact(db, by_id.id).name == "Other"
    assert [(d.other_id, d.reason) for d in report.duplicates] == [
        (by_phone.id, "same phone +49305551234")
    ]


def test_duplicates_within_one_file_become_one_contact(db: Database, tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "dups.csv",
        "Name,Email,Phone\n"
        "Anna Smith,anna@example.com,\n"
        "Anna Smith,anna@example.com,+49 30 1234567\n",
    )
    report = import_file(db, path)
    assert (report.created, report.updated) == (1, 1)
    anna = _contacts(db)["Anna Smith"]
    assert [m.value for m in anna.methods] == ["anna@example.com", "+49301234567"]
    undo_import(db, report.batch_id)
    assert _count(db, "contact") == 0  # created by the batch: deleted although changed again


def test_dry_run_previews_and_writes_nothing(db: Database) -> None:
    contacts.create_contact(
        db, allow_duplicate=True, name="Jana Novák", emails=["jana.novak@acme.example"]
    )
    before = {t: _count(db, t) for t in ("contact", "account", "audit_entry", "import_batch")}
    report = import_file(db, FIXTURES / "invalid_rows.csv", dry_run=True)
    assert report.dry_run and not report.committed and report.batch_id is None
    assert [(r.where, r.action) for r in report.rows] == [
        ("line 2", "created"),
        ("line 3", "invalid"),
        ("line 4", "invalid"),
        ("line 5", "created"),
    ]
    preview = import_file(db, FIXTURES / "google_contacts.csv", dry_run=True)
    assert (preview.created, preview.updated) == (4, 1)
    assert preview.summary().endswith("(dry run: nothing was written)")
    assert {t: _count(db, t) for t in before} == before


def test_preview_limit(db: Database) -> None:
    report = import_file(db, FIXTURES / "google_contacts.csv", dry_run=True, preview_limit=2)
    assert len(report.rows) == 2 and report.created == 5


# --- batches, audit, undo ----------------------------------------------------------------------


def test_import_is_one_audited_batch(db: Database) -> None:
    report = import_file(db, FIXTURES / "google_contacts.csv", actor="importer")
    batch = list_batches(db)[0]
    assert (batch.id, batch.source, batch.file_format, batch.kind) == (
        report.batch_id,
        "google_contacts.csv",
        "csv",
        "contact",
    )
    assert (batch.created, batch.actor, batch.undone) == (5, "importer", False)
    with db.read() as tx:
        actions = {r["action"] for r in tx.all("SELECT action FROM audit_entry")}
        summary = tx.one("SELECT * FROM audit_entry WHERE kind = 'import_batch'")
        items = tx.scalar("SELECT count(*) FROM import_batch_item WHERE batch_id = :b", b=batch.id)
    assert actions == {"import"}
    assert summary["action"] == "import" and summary["record_id"] == batch.id
    assert json.loads(summary["changes"])["created"] == [None, 5]
    assert items == 7  # five contacts and two accounts made on the way


def test_undo_deletes_what_was_created_and_restores_what_was_changed(
    db: Database, tmp_path: Path
) -> None:
    jana = contacts.create_contact(
        db,
        allow_duplicate=True,
        name="Jana Novák",
        emails=["jana.novak@acme.example"],
        title="Buyer",
        notes="Mine",
    )
    report = import_file(db, FIXTURES / "google_contacts.csv")
    assert report.updated == 1 and report.created == 4
    changed = contacts.get_contact(db, jana.id)
    assert changed.title == "Head of Purchasing" and len(changed.methods) == 4
    assert changed.notes.startswith("Mine\n\nMet at the trade fair.")
    undone = undo_import(db, report.batch_id)
    assert (undone.deleted, undone.restored, undone.trashed, undone.kept) == (6, 1, 0, 0)
    back = contacts.get_contact(db, jana.id)
    assert (back.title, back.notes, back.account_id) == ("Buyer", "Mine", None)
    assert [m.value for m in back.methods] == ["jana.novak@acme.example"]
    assert _count(db, "contact") == 1 and _count(db, "account") == 0
    assert get_batch(db, report.batch_id).undone
    assert search.search(db, "Dvořák") == []
    with pytest.raises(ValidationError, match="undone already"):
        undo_import(db, report.batch_id)


def test_undo_keeps_what_was_touched_after_the_import(db: Database) -> None:
    jana = contacts.create_contact(
        db, allow_duplicate=True, name="Jana Novák", emails=["jana.novak@acme.example"]
    )
    report = import_file(db, FIXTURES / "google_contacts.csv")
    zoe = _contacts(db)["Zoë Brown"]
    contacts.update_contact(db, zoe.id, None, title="Edited later")
    contacts.update_contact(db, jana.id, None, city="Prague")
    undone = undo_import(db, report.batch_id)
    # Zoë was edited; Acme GmbH is still Jana's account because her update was kept.
    assert (undone.trashed, undone.kept) == (2, 1)
    assert any("edited after the import" in n for n in undone.notes)
    assert any(n.startswith("account") and "trash" in n for n in undone.notes)
    assert contacts.get_contact(db, zoe.id, trashed=True).title == "Edited later"
    assert contacts.get_contact(db, jana.id).address.city == "Prague"


def test_undo_of_an_unknown_batch(db: Database) -> None:
    from smallcrm.store.errors import NotFoundError

    with pytest.raises(NotFoundError):
        undo_import(db, 999)


# --- interruption, progress, large files -------------------------------------------------------


@pytest.mark.parametrize("worker", [False, True])
def test_interrupting_leaves_nothing_half_imported(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, worker: bool
) -> None:
    import multiprocessing

    if worker:
        monkeypatch.setattr(prepare, "PARALLEL_MIN", 100)
        monkeypatch.setattr(prepare, "CHUNK", 50)
    rows = "".join(f"Person {i},p{i}@example.com\n" for i in range(300))
    path = _write(tmp_path, "many.csv", "Name,Email\n" + rows)
    calls: list[tuple[int, int | None]] = []

    def interrupt(done: int, total: int | None) -> None:
        calls.append((done, total))
        if done >= 150:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        import_file(db, path, progress=interrupt)
    assert calls[0] == (0, 300)
    assert _count(db, "contact") == 0 and _count(db, "import_batch") == 0
    assert _count(db, "audit_entry") == 0
    assert multiprocessing.active_children() == []  # the worker ended with the import


def test_progress_reaches_the_total(db: Database) -> None:
    seen: list[tuple[int, int | None]] = []
    import_file(db, FIXTURES / "google_contacts.csv", progress=lambda d, t: seen.append((d, t)))
    assert seen[0] == (0, 5) and seen[-1] == (5, 5)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


BULK = 500  # contacts: more than a chunk of hidden records, several worker chunks


def test_large_file_takes_the_fast_paths(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Search triggers deferred (500+ contacts) and validation in a worker process."""
    monkeypatch.setattr(prepare, "PARALLEL_MIN", 100)
    monkeypatch.setattr(prepare, "CHUNK", 150)
    monkeypatch.setattr(staging, "CHUNK", 200)
    rows = "".join(
        f"Person{i},Name{i % 7},p{i}@example.com,+49 151 {10000000 + i},Firma {i % 40}\n"
        for i in range(BULK + 100)
    )
    rows += ",,nameless@example.com,,\n"
    path = _write(tmp_path, "big.csv", "First Name,Last Name,Email,Mobile,Company\n" + rows)
    report = import_file(db, path, skip_invalid=True)
    total = BULK + 100
    assert (report.created, report.invalid) == (total, 1)
    assert report.problems[0].where == f"line {total + 2}"
    from smallcrm.store.search import check_index

    assert check_index(db)
    hits = search.search(db, f"p{total - 1}@example.com", kinds=("contact",))
    assert [h.title for h in hits] == [f"Person{total - 1} Name{(total - 1) % 7}"]
    assert search.search(db, "Firma 3", kinds=("contact",), per_kind=50)
    with db.read() as tx:
        if db.dialect == "sqlite":
            sql, wanted = "SELECT name FROM sqlite_master WHERE type='trigger'", "_insert"
        else:  # the triggers stay; the import's deferral setting is gone with its transaction
            assert tx.scalar("SELECT current_setting('smallcrm.defer_search', true)") in (None, "")
            sql, wanted = "SELECT tgname AS name FROM pg_trigger WHERE tgenabled = 'O'", ""
        names = {r["name"] for r in tx.all(sql)}
    assert {f"contact_search{wanted}", f"contact_method_search{wanted}"} <= names
    assert import_file(db, path, skip_invalid=True).unchanged == total


# --- export ------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["=SUM(A1)", "+49 30", "-2", "@cmd", "\tx", "\rx", "\x00=1"])
def test_formula_cells_are_neutralised(text: str) -> None:
    cell = safe_cell(text)
    assert cell.startswith("'") and "\x00" not in cell


@pytest.mark.parametrize("text", ["'@", "''=x", "'-1", "'hello", "'"])
def test_a_value_starting_with_a_quote_reads_back_unchanged(text: str) -> None:
    # "'@" would otherwise read back as "@": the quote looks like the export's own guard.
    parsed = read_csv(f"First Name\r\n{safe_cell(text)}\r\n")
    assert parsed.records[0].fields is not None
    assert parsed.records[0].fields["first_name"][0].value == text


def test_csv_export_is_spreadsheet_safe_and_imports_back_unchanged(
    db: Database, tmp_path: Path, new_sqlite_database: Callable[[str], Path]
) -> None:
    acme = accounts.create_account(db, allow_duplicate=True, name='=HYPERLINK("http://evil")')
    contacts.create_contact(
        db,
        allow_duplicate=True,
        name="Anna Smith",
        emails=["anna@example.com", "home:a@home.example"],
        phones=["+49 30 1234567"],
        account_id=acme.id,
        notes="-starts with a minus\nsecond line",
        tags="vip, key-account",
        birthday="1980-03-14",
        email_opt_in=True,
        email_consent_source="web form",
    )
    out = io.StringIO()
    assert export_records(db, "contacts", "csv", out) == 1
    text = out.getvalue()
    assert "'=HYPERLINK" in text and "'-starts with a minus" in text
    path = _write(tmp_path, "export.csv", text)
    other = open_database(new_sqlite_database("other.db"))
    report = import_file(other, path)
    assert report.created == 1 and report.linked_created == {"account": 1}
    original, copy = _contacts(db)["Anna Smith"], _contacts(other)["Anna Smith"]
    for attribute in ("methods", "notes", "tags", "birthday", "address", "account_name"):
        assert getattr(copy, attribute) == getattr(original, attribute), attribute
    assert copy.email_consent.opt_in is True and copy.email_consent.source == "web form"
    assert copy.email_consent.at == original.email_consent.at
    other.close()


def test_export_filters_and_rejects_formats_a_kind_cannot_have(db: Database) -> None:
    contacts.create_contact(db, allow_duplicate=True, name="Tagged One", tags="vip")
    contacts.create_contact(db, allow_duplicate=True, name="Plain Two")
    out = io.StringIO()
    assert export_records(db, "contact", "csv", out, query=ListQuery(limit=None, tag="vip")) == 1
    with pytest.raises(ValidationError, match="vCard holds contacts and accounts only"):
        export_records(db, "deals", "vcard", io.StringIO())
    with pytest.raises(ValidationError, match="iCalendar holds appointments only"):
        export_records(db, "contacts", "ics", io.StringIO())
    with pytest.raises(ValidationError, match="not a file format"):
        export_records(db, "contacts", "xlsx", io.StringIO())
    with pytest.raises(ValidationError, match="not a kind of record"):
        export_records(db, "widgets", "csv", io.StringIO())


def test_every_kind_exports_to_csv_and_reimports_as_unchanged(db: Database, tmp_path: Path) -> None:
    jana = contacts.create_contact(
        db, allow_duplicate=True, name="Jana Novák", emails=["jana.novak@acme.example"]
    )
    import_file(db, FIXTURES / "pipedrive_deals.csv", "deals")
    import_file(db, FIXTURES / "interactions.csv")
    import_file(db, FIXTURES / "calendar.ics")
    assert jana.id
    for kind in ("accounts", "opportunities", "interactions", "appointments", "contacts"):
        out = io.StringIO()
        written = export_records(db, kind, "csv", out)
        report = import_file(db, _write(tmp_path, f"{kind}.csv", out.getvalue()), kind)
        assert report.total == written and report.unchanged == written, (kind, report.rows[:3])


def test_imports_from_a_threaded_program_validate_in_process(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A TUI imports from a worker thread: no process is forked then."""
    import threading

    monkeypatch.setattr(prepare, "PARALLEL_MIN", 10)
    rows = "".join(f"Person {i},p{i}@example.com\n" for i in range(50))
    path = _write(tmp_path, "threaded.csv", "Name,Email\n" + rows)
    forked: list[bool] = []
    original = prepare._from_worker
    monkeypatch.setattr(
        prepare, "_from_worker", lambda *args: forked.append(True) or original(*args)
    )
    results: list[object] = []
    thread = threading.Thread(target=lambda: results.append(import_file(db, path)))
    thread.start()
    thread.join()
    assert results[0].created == 50 and forked == []
