"""Phone extensions: typed, imported from vCards and CSV, shown, found and exported back."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from typer.testing import CliRunner

from smallcrm.cli import app
from smallcrm.store import accounts, contacts
from smallcrm.store import validate as v
from smallcrm.store.db import Database
from smallcrm.store.errors import ValidationError
from smallcrm.store.io import export_records, import_file


@pytest.mark.parametrize(
    "typed",
    [
        "+1 212 555 0100 x12",
        "+1 212 555 0100x12",
        "+1 212 555 0100 ext. 12",
        "+1 (212) 555-0100 extension 12",
        "+1-212-555-0100;ext=12",
        "+1 212 555 0100,12",
        "+1 212 555 0100 #12",
        "+12125550100;ext=12",
    ],
)
def test_an_extension_is_kept_with_the_number(typed: str) -> None:
    stored = v.phone("phone", typed)
    assert stored == "+12125550100;ext=12"
    assert v.format_phone(stored) == "+1 212-555-0100 ext. 12"


def test_numbers_without_an_extension_are_unchanged() -> None:
    assert v.phone("phone", "+49 30 1234567") == "+49301234567"
    assert v.phone("phone", "+49 30 1234567 Durchwahl 12") == "+49301234567;ext=12"
    for bad in ("+1 212 555 0100 xyz", "+1 212 555 0100 y12", "+1 212 555 0100 x12345678901"):
        with pytest.raises(ValidationError, match="is not a phone number"):
            v.phone("phone", bad)


def test_typed_in_the_shell_shown_and_found(tmp_path: Path) -> None:
    runner = CliRunner()

    def run(*args: str) -> str:
        result = runner.invoke(app, ["--db", str(tmp_path / "x.db"), *args])
        assert result.exit_code == 0, result.output
        return result.stdout

    run("add", "contact", "Jana Novák", "--phone", "+1 212 555 0100 x12")
    assert "+1 212-555-0100 ext. 12" in run("show", "contact", "jana")
    assert "Jana Novák" in run("show", "contact", "+12125550100")  # the main number finds her


def test_vcard_tel_uri_extension_in_and_out(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "in.vcf"
    path.write_text(
        "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Jana Novák\r\n"
        "TEL;VALUE=uri;TYPE=work:tel:+1-212-555-0100;ext=102\r\n"
        "TEL;TYPE=cell:+1 212 555 0199 ext. 7\r\nEND:VCARD\r\n",
        encoding="utf-8",
    )
    import_file(db, path)
    (jana,) = contacts.iter_contacts(db)
    assert [m.value for m in jana.phones] == ["+12125550100;ext=102", "+12125550199;ext=7"]
    for version, line in (
        ("4.0", "TEL;VALUE=uri;TYPE=work:tel:+12125550100;ext=102"),
        ("3.0", "TEL;TYPE=WORK:+12125550100 ext. 102"),
    ):
        out = io.StringIO()
        export_records(db, "contacts", "vcard", out, vcard_version=version)
        assert line in out.getvalue().splitlines()
        path.write_text(out.getvalue(), encoding="utf-8", newline="")
        again = import_file(db, path)
        assert (again.created, again.updated, again.unchanged) == (0, 0, 1)


def test_csv_round_trip_keeps_extensions(db: Database, tmp_path: Path) -> None:
    contacts.create_contact(
        db, name="Jana Novák", phones=["work:+1 212 555 0100 x12", "+49 151 23456789"]
    )
    accounts.create_account(db, name="Acme", phone="+1 212 555 0100 ext 9")
    for kind in ("contacts", "accounts"):
        out = io.StringIO()
        export_records(db, kind, "csv", out)
        path = tmp_path / f"{kind}.csv"
        path.write_text(out.getvalue(), encoding="utf-8", newline="")
        report = import_file(db, path, kind)
        assert (report.created, report.updated, report.unchanged) == (0, 0, 1)
        assert not report.warnings
    (jana,) = contacts.iter_contacts(db)
    assert [m.value for m in jana.phones] == ["+12125550100;ext=12", "+4915123456789"]
    assert next(iter(accounts.iter_accounts(db))).phone == "+12125550100;ext=9"
