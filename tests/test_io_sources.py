"""Where an import comes from: files, standard input, streams; encodings and formats."""

from __future__ import annotations

import codecs
import io
import sys
from pathlib import Path

import pytest

from smallcrm.store import contacts
from smallcrm.store.db import Database
from smallcrm.store.errors import ValidationError
from smallcrm.store.io import export_records, import_file
from smallcrm.store.io.sources import SourceText, decode, detect_format, read_source

FIXTURES = Path(__file__).resolve().parents[1] / "data" / "fixtures"
CSV = "Name,Email\nBjörn Åsberg,bjorn@example.com\n"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (CSV.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + CSV.encode("utf-8"), "utf-8-sig"),
        (CSV.encode("cp1252"), "cp1252"),
        (codecs.BOM_UTF16_LE + CSV.encode("utf-16-le"), "utf-16"),
        (codecs.BOM_UTF16_BE + CSV.encode("utf-16-be"), "utf-16"),
    ],
)
def test_encodings_are_detected(data: bytes, encoding: str) -> None:
    text, used = decode(data)
    assert used == encoding and text == CSV


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"Name\nA\x81B\n", "line 2: byte 0x81 is not valid cp1252"),
        (b"PK\x03\x04\x00\x00binary", "line 1: contains NUL bytes"),
    ],
)
def test_undecodable_bytes_are_refused(data: bytes, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        decode(data)


def test_standard_input(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    stdin = io.TextIOWrapper(io.BytesIO(CSV.encode("cp1252")), encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", stdin)
    report = import_file(db, "-")
    assert report.source == "standard input" and report.details["encoding"] == "cp1252"
    assert contacts.list_contacts(db).items[0].name == "Björn Åsberg"


def test_text_and_binary_streams(db: Database) -> None:
    assert import_file(db, io.StringIO(CSV), "contacts").created == 1
    binary = io.BytesIO((FIXTURES / "desktop_v4.vcf").read_bytes())
    assert import_file(db, binary).file_format == "vcard"


def test_missing_and_folder_paths(db: Database, tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="does not exist"):
        import_file(db, tmp_path / "nope.csv")
    with pytest.raises(ValidationError, match="is a folder"):
        import_file(db, tmp_path)


def _source(text: str, extension: str) -> SourceText:
    return SourceText(f"file{extension}", text, "utf-8", extension)


@pytest.mark.parametrize(
    ("text", "extension", "expected"),
    [
        ("BEGIN:VCARD\r\nFN:A\r\nEND:VCARD", ".csv", "vcard"),  # the content says so
        ("\ufeff  BEGIN:VCALENDAR\r\n", ".txt", "ics"),
        ('{"records": []}', "", "json"),
        ("a,b\n1,2", ".tsv", "csv"),
        ("a,b\n1,2", "", "csv"),
    ],
)
def test_format_from_content_and_name(text: str, extension: str, expected: str) -> None:
    assert detect_format(_source(text, extension)) == expected


@pytest.mark.parametrize(
    ("text", "extension", "explicit", "message"),
    [
        ("a,b\n1,2", ".vcf", None, "file.vcf is not a vCard"),
        ("", ".ics", None, "its first line is nothing"),
        ("a,b", ".json", None, "is not JSON"),
        ("BEGIN:VCARD", ".csv", "ics", "is not an iCalendar file"),
        ("a,b", ".csv", "xlsx", "not a file format"),
    ],
)
def test_format_mismatches_are_refused(
    text: str, extension: str, explicit: str | None, message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        detect_format(_source(text, extension), explicit)


def test_read_source_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "Contacts.CSV"
    path.write_bytes(CSV.encode())
    source = read_source(path)
    assert (source.name, source.extension, source.encoding) == ("Contacts.CSV", ".csv", "utf-8")


def test_export_reports_progress(db: Database) -> None:
    for n in range(3):
        contacts.create_contact(db, allow_duplicate=True, name=f"Person {n}")
    seen: list[tuple[int, int | None]] = []
    export_records(db, "contacts", "json", io.StringIO(), progress=lambda d, t: seen.append((d, t)))
    assert seen[0] == (0, 3) and seen[-1] == (3, 3)
