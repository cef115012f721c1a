"""An import never turns one person into another: it matches on a stable identity (our own id,
an external id, an email or phone under a name that agrees), creates and reports a possible
duplicate otherwise, and never renames a record."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from smallcrm.cli import app
from smallcrm.store import accounts, contacts, interactions
from smallcrm.store.db import Database, open_database
from smallcrm.store.duplicates import find_duplicates
from smallcrm.store.io import export_records, import_file, undo_import
from smallcrm.store.io.identity import names_agree

ANNA_PHONE = "+49 30 1234567"

pytest_plugins = ["tui_fixtures"]  # the app's fixed clock, for the Pilot test


@pytest.fixture
def anna(db: Database) -> int:
    """Anna Adler with a phone, an email and a call."""
    created = contacts.create_contact(
        db, name="Anna Adler", phones=[ANNA_PHONE], emails=["anna@adler.example"], title="Buyer"
    )
    interactions.log_interaction(
        db,
        kind="call",
        subject="Talked about the renewal",
        contact_id=created.id,
        happened_at=datetime(2026, 11, 20, 10, tzinfo=UTC),
    )
    return created.id


def _csv(tmp_path: Path, text: str, name: str = "people.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _assert_anna_is_anna(db: Database, anna: int) -> None:
    kept = contacts.get_contact(db, anna)
    assert kept.name == "Anna Adler"
    assert [m.value for m in kept.emails] == ["anna@adler.example"]
    assert kept.title == "Buyer"
    calls = list(interactions.iter_interactions(db))
    assert [(i.contact_id, i.subject) for i in calls] == [(anna, "Talked about the renewal")]


def _pairs(db: Database, kind: str = "contact") -> set[tuple[int, int]]:
    return {tuple(sorted((p.keep_id, p.other_id))) for p in find_duplicates(db, kind)}  # type: ignore[misc]


# --- the rule ----------------------------------------------------------------------------------


def test_names_agree_when_the_words_of_one_are_all_in_the_other() -> None:
    assert names_agree("Anna Adler", "adler, anna")
    assert names_agree("Anna Adler", "Anna")
    assert names_agree("Dr. Anna Adler", "Anna Ádler")
    assert names_agree("Anna Adler", "anna@adler.example")  # a name made up from an email
    assert names_agree("Anna Adler", "+49 30 1234567")  # or from a number
    assert not names_agree("Anna Adler", "Ben Berger")
    assert not names_agree("Anna Adler", "Anna Berger")


# --- the report's case: a shared phone ---------------------------------------------------------


def test_a_shared_phone_under_another_name_is_a_new_contact(
    db: Database, anna: int, tmp_path: Path
) -> None:
    path = _csv(tmp_path, f"Name,Phone\nBen Berger,{ANNA_PHONE}\n")
    report = import_file(db, path)
    assert (report.created, report.updated, report.unchanged) == (1, 0, 0)
    _assert_anna_is_anna(db, anna)
    ben = contacts.get_contact(db, report.rows[0].record_id)  # type: ignore[arg-type]
    assert ben.name == "Ben Berger" and [m.value for m in ben.phones] == ["+49301234567"]
    assert [(d.record_id, d.other_id, d.reason) for d in report.duplicates] == [
        (ben.id, anna, "same phone +49301234567")
    ]
    assert any("may be a duplicate of contact" in w.reason for w in report.warnings)
    assert "1 possible duplicate to review" in report.summary()
    assert (anna, ben.id) in _pairs(db), "smallcrm duplicates lists the pair"
    undo_import(db, report.batch_id)  # type: ignore[arg-type]
    _assert_anna_is_anna(db, anna)


def test_dry_run_shows_the_possible_duplicate(db: Database, anna: int, tmp_path: Path) -> None:
    path = _csv(tmp_path, f"Name,Phone\nBen Berger,{ANNA_PHONE}\n")
    preview = import_file(db, path, dry_run=True)
    (row,) = preview.rows
    assert (row.action, row.reason) == ("created", f"possible duplicate of contact {anna}")
    assert [d.other_id for d in preview.duplicates] == [anna]
    assert len(list(contacts.iter_contacts(db))) == 1


def test_the_same_phone_and_name_is_the_same_person(
    db: Database, anna: int, tmp_path: Path
) -> None:
    """Re-importing a phone-only address book updates its people instead of doubling them."""
    path = _csv(tmp_path, f'Name,Phone,Job Title\n"Adler, Anna",{ANNA_PHONE},Head of purchasing\n')
    report = import_file(db, path)
    assert (report.created, report.updated) == (0, 1)
    assert report.rows[0].reason == "same phone +49301234567"
    assert contacts.get_contact(db, anna).title == "Head of purchasing"
    assert contacts.get_contact(db, anna).name == "Anna Adler"
    assert report.duplicates == ()


def test_a_shared_office_line_finds_the_person_named(
    db: Database, anna: int, tmp_path: Path
) -> None:
    with db.write() as tx:  # the service's own duplicate guard (where there is one) allows it
        ben_id = contacts.create_contact_tx(
            tx, {"name": "Ben Berger", "phones": [ANNA_PHONE]}, "tester"
        )
    path = _csv(tmp_path, f"Name,Phone,Job Title\nBen Berger,{ANNA_PHONE},Driver\n")
    report = import_file(db, path)
    assert (report.created, report.updated) == (0, 1)
    assert contacts.get_contact(db, ben_id).title == "Driver"
    _assert_anna_is_anna(db, anna)


def test_within_one_file_a_shared_phone_is_two_people(db: Database, tmp_path: Path) -> None:
    path = _csv(tmp_path, f"Name,Phone\nAnna Adler,{ANNA_PHONE}\nBen Berger,{ANNA_PHONE}\n")
    report = import_file(db, path)
    assert report.created == 2
    anna, ben = (row.record_id for row in report.rows)
    assert [(d.record_id, d.other_id) for d in report.duplicates] == [(ben, anna)]


# --- emails ------------------------------------------------------------------------------------


def test_an_email_under_another_name_is_a_new_contact(
    db: Database, anna: int, tmp_path: Path
) -> None:
    path = _csv(tmp_path, "Name,Email,Job Title\nBen Berger,anna@adler.example,Driver\n")
    report = import_file(db, path)
    assert (report.created, report.updated) == (1, 0)
    _assert_anna_is_anna(db, anna)
    ben = report.rows[0].record_id
    assert [(d.other_id, d.reason) for d in report.duplicates] == [
        (anna, "same email anna@adler.example")
    ]
    assert (anna, ben) in _pairs(db)


def test_an_email_under_the_same_name_updates_but_never_renames(
    db: Database, anna: int, tmp_path: Path
) -> None:
    path = _csv(tmp_path, "Name,Email,Job Title\nAnna Maria Adler,anna@adler.example,CFO\n")
    report = import_file(db, path)
    assert (report.created, report.updated) == (0, 1)
    assert report.rows[0].changed == ("title",)
    kept = contacts.get_contact(db, anna)
    assert (kept.name, kept.title) == ("Anna Adler", "CFO")
    (warning,) = [w.reason for w in report.warnings]
    assert "'Anna Maria Adler'" in warning and "'Anna Adler' was kept" in warning


def test_a_new_contact_with_an_existing_name_is_reported(
    db: Database, anna: int, tmp_path: Path
) -> None:
    path = _csv(tmp_path, "Name,Email\nAnna Adler,anna@elsewhere.example\n")
    report = import_file(db, path)
    assert report.created == 1
    assert [(d.other_id, d.reason) for d in report.duplicates] == [(anna, "same name")]
    assert (anna, report.rows[0].record_id) in _pairs(db)


# --- identities --------------------------------------------------------------------------------


def test_an_external_id_finds_the_record_but_never_renames_it(db: Database, tmp_path: Path) -> None:
    carl = contacts.create_contact(db, name="Carl Clausen", external_id="crm-7")
    path = _csv(tmp_path, "Name,External ID,Job Title\nKarl Klausen,crm-7,Owner\n")
    report = import_file(db, path)
    assert (report.created, report.updated) == (0, 1)
    kept = contacts.get_contact(db, carl.id)
    assert (kept.name, kept.title) == ("Carl Clausen", "Owner")
    assert any("was kept" in w.reason for w in report.warnings)


def _export(db: Database, kind: str, file_format: str) -> str:
    out = io.StringIO(newline="")
    export_records(db, kind, file_format, out)
    return out.getvalue()


@pytest.mark.parametrize("file_format", ["csv", "json"])
def test_reimporting_our_own_export_updates_instead_of_duplicating(
    db: Database, anna: int, tmp_path: Path, file_format: str
) -> None:
    carl = contacts.create_contact(db, name="Carl Nophone")  # nothing to match on but its id
    path = tmp_path / f"contacts.{file_format}"
    path.write_text(_export(db, "contact", file_format), encoding="utf-8")
    again = import_file(db, path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)

    text = path.read_text(encoding="utf-8").replace("Nophone", "Renamed")
    if file_format == "csv":
        text = text.replace(",Carl,Renamed,,", ",Carl,Renamed,Owner,")
    else:
        text = text.replace('"title": null', '"title": "Owner"', 1)
    path.write_text(text, encoding="utf-8")
    edited = import_file(db, path)
    assert edited.created == 0 and edited.updated >= 1
    kept = contacts.get_contact(db, carl.id)
    assert kept.name == "Carl Nophone", "an import never renames"
    assert any("'Carl Renamed'" in w.reason for w in edited.warnings)
    assert [r.reason for r in edited.rows if r.record_id == carl.id] == ["its smallcrm id"]


def test_our_own_export_from_another_database_is_not_matched_by_id(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = open_database(tmp_path / "other.db")
    monkeypatch.setenv("SMALLCRM_NOW", "2026-01-05T09:00:00+00:00")  # made on another day
    contacts.create_contact(other, name="Carl Nophone")
    monkeypatch.setenv("SMALLCRM_NOW", "2026-11-25T10:30:00+00:00")
    text = _export(other, "contact", "csv")
    other.close()
    dora = contacts.create_contact(db, name="Dora Here")  # id 1 here too
    report = import_file(db, _csv(tmp_path, text, "from-other.csv"))
    assert (report.created, report.updated) == (1, 0)
    assert contacts.get_contact(db, dora.id).name == "Dora Here"


# --- accounts ----------------------------------------------------------------------------------


def test_accounts_are_never_renamed_and_a_shared_website_is_reported(
    db: Database, tmp_path: Path
) -> None:
    acme = accounts.create_account(
        db, name="Acme GmbH", website="https://acme.example", external_id="a-1"
    )
    path = _csv(
        tmp_path,
        "Account Name,External ID,Website,Industry\n"
        "Acme Widgets,a-1,https://acme.example,Machinery\n"
        "Acme Holding,,www.acme.example,Finance\n",
        "accounts.csv",
    )
    report = import_file(db, path, "accounts")
    assert (report.created, report.updated) == (1, 1)
    kept = accounts.get_account(db, acme.id)
    assert (kept.name, kept.industry) == ("Acme GmbH", "Machinery")
    assert any("'Acme GmbH' was kept" in w.reason for w in report.warnings)
    holding = report.rows[1].record_id
    assert [(d.other_id, d.reason) for d in report.duplicates] == [
        (acme.id, "same website acme.example")
    ]
    assert (acme.id, holding) in _pairs(db, "account")
    again = import_file(db, _csv(tmp_path, _export(db, "account", "csv"), "own.csv"), "accounts")
    assert (again.created, again.updated) == (0, 0)


# --- the shell ---------------------------------------------------------------------------------


def test_shell_import_keeps_anna_and_points_at_duplicates(
    db: Database, anna: int, tmp_path: Path
) -> None:
    runner = CliRunner()
    path = _csv(tmp_path, f"Name,Phone\nBen Berger,{ANNA_PHONE}\n")
    base = ["--db", str(db.path if db.path else db.url)]
    preview = runner.invoke(app, [*base, "import", str(path), "--dry-run"])
    assert preview.exit_code == 0, preview.output
    assert "create" in preview.stdout and f"possible duplicate of contact {anna}" in preview.stdout
    assert "\tupdate\t" not in preview.stdout
    assert "may be a duplicate of contact" in preview.stderr
    done = runner.invoke(app, [*base, "import", str(path), "--json"])
    assert done.exit_code == 0, done.output
    data = json.loads(done.stdout)
    assert (data["created"], data["updated"]) == (1, 0)
    assert data["possible_duplicates"][0]["other_id"] == anna
    shown = runner.invoke(app, [*base, "show", "contact", str(anna)])
    assert "Contact 1: Anna Adler" in shown.stdout and "anna@adler.example" in shown.stdout
    pairs = runner.invoke(app, [*base, "duplicates"])
    assert "Anna Adler" in pairs.stdout and "Ben Berger" in pairs.stdout


def test_shell_import_as_a_real_process(db: Database, anna: int, tmp_path: Path) -> None:
    path = _csv(tmp_path, f"Name,Phone\nBen Berger,{ANNA_PHONE}\n")
    target = str(db.path if db.path else db.url)
    done = subprocess.run(
        [sys.executable, "-m", "smallcrm.cli", "--db", target, "import", str(path)],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "1 created, 0 updated" in done.stdout
    assert "1 possible duplicate to review" in done.stdout
    assert "Review the possible duplicates with: smallcrm duplicates" in done.stdout
    _assert_anna_is_anna(db, anna)


# --- the app -----------------------------------------------------------------------------------


async def test_app_import_preview_names_the_possible_duplicate(
    tui_db: Database, tmp_path: Path
) -> None:
    from textual.widgets import Input, OptionList
    from tui_data import SIZE, app_for

    anna = contacts.create_contact(tui_db, name="Anna Adler", phones=[ANNA_PHONE])
    path = _csv(tmp_path, f"Name,Phone\nBen Berger,{ANNA_PHONE}\n")
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("i")
        app.screen.query_one("#import-path", Input).value = str(path)
        await pilot.press("enter")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        preview = app.screen.query_one("#import-preview", OptionList)
        shown = "\n".join(
            str(preview.get_option_at_index(i).prompt) for i in range(preview.option_count)
        )
        assert "Would create 1 contact, update 0" in shown
        assert f"may be a duplicate of contact {anna.id}" in shown
        await pilot.press("ctrl+s")
        await pilot.pause()
        await app.workers.wait_for_complete()
    assert contacts.get_contact(tui_db, anna.id).name == "Anna Adler"
    assert sorted(c.name for c in contacts.iter_contacts(tui_db)) == ["Anna Adler", "Ben Berger"]
