"""CSV files as other programs write them: notes before the header (LinkedIn), ragged rows
(Outlook), organisation-only rows (Google), several addresses, PO box and region."""

from __future__ import annotations

from pathlib import Path

import pytest

from smallcrm.store import accounts, contacts
from smallcrm.store.db import Database
from smallcrm.store.errors import ValidationError
from smallcrm.store.io import ImportRejected, import_file, inspect_file
from smallcrm.store.io.csvio import read_csv
from smallcrm.store.io.importing import csv_header

LINKEDIN = (
    "Notes:\n"
    '"When exporting your connection data, you may notice that some of the email addresses are '
    "missing. You will only see email addresses for connections who have allowed their "
    "connections to see or download their email address using this setting "
    'https://www.linkedin.com/psettings/privacy/email, and more."\n'
    "\n"
    "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
    "Jana,Novák,https://www.linkedin.com/in/jananovak,jana@acme.example,Acme GmbH,"
    "Head of Purchasing,05 Mar 2024\n"
    'Petr,Svoboda,https://www.linkedin.com/in/petrsvoboda,,"Nordwerk AG",CTO,12 Jan 2023\n'
)


def _write(tmp_path: Path, text: str, name: str = "in.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _people(db: Database) -> dict[str, object]:
    return {c.name: c for c in contacts.iter_contacts(db)}


# --- the header after other text ----------------------------------------------------------------


def test_linkedin_connections_start_with_notes_before_the_header(
    db: Database, tmp_path: Path
) -> None:
    report = import_file(db, _write(tmp_path, LINKEDIN, "Connections.csv"))
    assert (report.created, report.invalid) == (2, 0)
    assert report.details["header_line"] == 4
    assert [(w.where, w.reason) for w in report.warnings] == [
        ("lines 1-3", "skipped: the header is on line 4, after 2 rows of other text ('Notes:')")
    ]
    jana = _people(db)["Jana Novák"]
    assert (jana.title, jana.account_name) == ("Head of Purchasing", "Acme GmbH")
    assert jana.emails[0].value == "jana@acme.example"
    assert "Website: https://www.linkedin.com/in/jananovak" in jana.notes
    assert _people(db)["Petr Svoboda"].emails == ()
    assert [row.where for row in report.rows] == ["line 5", "line 6"]
    assert "Connected On" in report.details["unmapped"]
    assert csv_header(_write(tmp_path, LINKEDIN))[:2] == ["First Name", "Last Name"]


def test_a_title_line_that_is_a_column_name_is_no_header() -> None:
    parsed = read_csv("Name\nFirst Name,Last Name,Email\nAnna,Smith,anna@example.com\n")
    assert parsed.details["header_line"] == 2 and parsed.records[0].fields is not None
    one_column = read_csv("Name\nAnna Smith\nBen Jones\n")
    assert one_column.details["header_line"] == 1 and len(one_column.records) == 2


def test_a_semicolon_file_with_a_title_line(db: Database, tmp_path: Path) -> None:
    text = "Kontakte Export 2024\nVorname;Nachname;E-Mail\nJörg;Weiß;joerg@example.de\n"
    report = import_file(db, _write(tmp_path, text))
    assert report.details["delimiter"] == ";" and report.created == 1
    assert "Jörg Weiß" in _people(db)


@pytest.mark.parametrize(
    "text",
    [
        "Foo,Bar\nname,x\nAnna,y\n",  # a data row naming a column is no header after a wider row
        "x\n" * 25 + "First Name,Last Name\nAnna,Smith\n",  # too far down
    ],
)
def test_without_a_header_within_reach_the_first_row_is_the_header(text: str) -> None:
    with pytest.raises(ValidationError, match="no column holds the contact's name"):
        read_csv(text)


def test_a_mapping_override_can_name_a_column_of_a_later_header(tmp_path: Path) -> None:
    text = "Report\nVollname,Mail\nAnna Smith,anna@example.com\n"
    parsed = inspect_file(_write(tmp_path, text), mapping=["Vollname=name"])
    assert parsed.details["header_line"] == 2
    assert parsed.records[0].fields is not None
    assert parsed.records[0].fields["name"][0].value == "Anna Smith"


# --- ragged rows ---------------------------------------------------------------------------------


def test_outlook_rows_with_fewer_cells_are_padded(db: Database, tmp_path: Path) -> None:
    text = (
        '"First Name","Last Name","E-mail Address","Business Phone","Notes","Categories"\r\n'
        '"Anna","Smith","anna@example.com"\r\n'
        '"Ben","Jones","ben@example.com","+49 30 1234567","Met in Berlin"\r\n'
        '"Carla","Rossi","carla@example.com","","","VIP"\r\n'
    )
    report = import_file(db, _write(tmp_path, text, encoding="cp1252"))
    assert (report.created, report.invalid) == (3, 0)
    assert _people(db)["Ben Jones"].notes == "Met in Berlin"
    assert _people(db)["Carla Rossi"].tags == ("vip",)


def test_a_short_last_row_of_a_file_without_a_final_line_break_is_cut_short(
    tmp_path: Path,
) -> None:
    parsed = read_csv("Name,Email,City\nAnna Smith,anna@example.com,Berlin\nBen Jones,ben@exa")
    problem = parsed.records[1].problem
    assert problem is not None and "ends in the middle of this row" in problem.reason
    assert parsed.records[0].problem is None
    complete = read_csv("Name,Email,City\nAnna Smith,anna@example.com")  # all but the city
    assert complete.records[0].problem is not None
    assert read_csv("Name,Email,City\nAnna Smith,anna@example.com\n").records[0].fields


def test_extra_cells_are_refused_naming_them(db: Database, tmp_path: Path) -> None:
    text = "Name,Email,City\nAnna Smith,anna@example.com,Berlin\nAcme, Inc,info@acme.example,X\n"
    with pytest.raises(ImportRejected) as caught:
        import_file(db, _write(tmp_path, text))
    problem = caught.value.report.problems[0]
    assert problem.where == "line 3"
    assert "has 4 cells but the header has 3" in problem.reason
    assert "'X' would have no column" in problem.reason and "unquoted" in problem.reason
    trailing = import_file(db, _write(tmp_path, "Name,Email\nAnna Smith,anna@example.com,,\n"))
    assert trailing.created == 1  # empty extra cells are what spreadsheets leave: no problem


# --- organisations, addresses --------------------------------------------------------------------


GOOGLE_ORG = (
    "First Name,Middle Name,Last Name,Nickname,File As,Organization Name,Organization Title,"
    "E-mail 1 - Label,E-mail 1 - Value,Phone 1 - Label,Phone 1 - Value,Phone 2 - Label,"
    "Phone 2 - Value,Address 1 - Street,Address 1 - City,Address 1 - PO Box,Address 1 - Region,"
    "Address 1 - Postal Code,Address 1 - Country\n"
    "Jana,,Novák,,,Acme Widgets,Buyer,* Work,jana@acme.example,,,,,,,,,,\n"
    ",,,,,Acme Widgets,,* Work,info@acme.example,Work,+1 212 555 0100,Fax,+1 212 555 0199,"
    "1 Main St,Albany,12,NY,12207,USA\n"
    ",,,,Polar Star,Polar Star,,,,,,,,,,,,,\n"
)


def test_organisation_only_rows_become_accounts(db: Database, tmp_path: Path) -> None:
    report = import_file(db, _write(tmp_path, GOOGLE_ORG))
    # Jana's row creates Acme Widgets on the way; the organisation's own row then fills it in.
    assert (report.created, report.updated, report.linked_created) == (2, 1, {"account": 1})
    assert [r.kind for r in report.rows] == ["contact", "account", "account"]
    assert set(_people(db)) == {"Jana Novák"}
    acme = next(a for a in accounts.iter_accounts(db) if a.name == "Acme Widgets")
    assert _people(db)["Jana Novák"].account_id == acme.id
    assert acme.phone == "+12125550100"
    assert acme.notes == "Phone (other): +1 212 555 0199\nEmail: info@acme.example"
    assert acme.address.one_line() == "1 Main St, PO Box 12, 12207 Albany, NY, USA"
    again = import_file(db, _write(tmp_path, GOOGLE_ORG))
    assert (again.created, again.updated) == (0, 0)


def test_a_file_of_organisations_only_is_accepted(db: Database, tmp_path: Path) -> None:
    text = "Organization Name,E-mail 1 - Value\nAcme Widgets,info@acme.example\n"
    report = import_file(db, _write(tmp_path, text))
    assert report.created == 1 and [a.name for a in accounts.iter_accounts(db)] == ["Acme Widgets"]


def test_further_addresses_go_to_the_notes(db: Database, tmp_path: Path) -> None:
    text = (
        "First Name,Last Name,Business Street,Business City,Business State,"
        "Business Postal Code,Home Street,Home City,Home Postal Code,Other PO Box,Other City\n"
        "Anna,Smith,1 Main St,Albany,NY,12207,2 Side St,Troy,12180,44,Berlin\n"
    )
    import_file(db, _write(tmp_path, text))
    anna = _people(db)["Anna Smith"]
    assert anna.address.one_line() == "1 Main St, 12207 Albany, NY"
    assert anna.notes == "Address (home): 2 Side St, 12180 Troy\nAddress (other): PO Box 44, Berlin"


def test_organisation_rows_of_googles_older_export(db: Database, tmp_path: Path) -> None:
    text = (
        "Name,Given Name,Family Name,Organization 1 - Name,Organization 1 - Title,"
        "E-mail 1 - Type,E-mail 1 - Value,Phone 1 - Type,Phone 1 - Value\n"
        "Jana Novák,Jana,Novák,Acme Widgets,Buyer,* Work,jana@acme.example,,\n"
        ",,,Polar Star LLC,,* Work,info@polarstar.example,Work,+1 212 555 0100 ext. 7\n"
    )
    report = import_file(db, _write(tmp_path, text))
    assert [(r.kind, r.label) for r in report.rows] == [
        ("contact", "Jana Novák"),
        ("account", "Polar Star LLC"),
    ]
    polar = next(a for a in accounts.iter_accounts(db) if a.name == "Polar Star LLC")
    assert (polar.phone, polar.notes) == ("+12125550100;ext=7", "Email: info@polarstar.example")
