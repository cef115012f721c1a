"""No input crashes a parser: each returns its result or raises the store's ValidationError."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smallcrm.store.db import Database, open_database
from smallcrm.store.errors import ValidationError
from smallcrm.store.io import import_file
from smallcrm.store.io.convert import Context, Item, to_draft
from smallcrm.store.io.csvio import read_csv
from smallcrm.store.io.ical import read_calendar
from smallcrm.store.io.jsonio import read_json
from smallcrm.store.io.mapping import FIELDS
from smallcrm.store.io.sources import decode
from smallcrm.store.io.values import NoYear, file_bool, file_date, file_datetime, method_label
from smallcrm.store.io.vcard import read_vcards

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CSV_ALPHABET = st.sampled_from(list("abcé,;\"\t\n\r '=+-@0123456789:.") + ["\x00", "ü", ":"])
HEADERS = st.sampled_from(
    ["First Name", "Last Name", "Name", "E-mail 1 - Value", "E-mail 1 - Label", "Phone",
     "Birthday", "Labels", "Company", "Notes", "Address 1 - City", "Email Opt Out", "x"]
)  # fmt: skip
VCARD_LINES = st.sampled_from(
    ["BEGIN:VCARD", "END:VCARD", "VERSION:3.0", "VERSION:4.0", "FN:Anna Smith", "N:Smith;Anna;;;",
     "N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:M=C3=BC;J=", "EMAIL;TYPE=work:a@example.com",
     "EMAIL:not-an-email", "TEL;TYPE=cell:+49 151 23456789", "TEL;VALUE=uri:tel:+1-555",
     "ADR;TYPE=home:;;Main St 1;Town;;12345;Land", "BDAY:--0314", "BDAY:19800314",
     "BDAY;VALUE=text:circa 1800", "CATEGORIES:a,b\\,c", "NOTE:x\\ny", "PHOTO;ENCODING=b:AAAA",
     "KIND:org", "ORG:Acme;Dept", "item1.X-ABLabel:_$!<Home>!$_", " folded", "=", "garbage",
     "UID:" + "u" * 250, 'TEL;TYPE="voice,cell":+49 30 1234567', ""]
)  # fmt: skip
ICAL_LINES = st.sampled_from(
    ["BEGIN:VCALENDAR", "END:VCALENDAR", "BEGIN:VEVENT", "END:VEVENT", "VERSION:2.0",
     "DTSTART:20261201T100000Z", "DTSTART;VALUE=DATE:20261201", "DTSTART:2026",
     "DTSTART;TZID=Europe/Berlin:20261201T100000", "DTSTART;TZID=Nowhere/Else:20261201T100000",
     "DTEND:20261201T110000Z", "DTEND:20251201T110000Z", "DURATION:PT1H", "DURATION:P99999999W",
     "RRULE:FREQ=WEEKLY;BYDAY=MO", "RRULE:FREQ=NEVER", "RRULE:FREQ=DAILY;UNTIL=20261231",
     "EXDATE:20261208T100000Z", "EXDATE;VALUE=DATE:", "SUMMARY:Meeting", "SUMMARY;;x:y",
     "UID:abc", "RECURRENCE-ID:20261208T100000Z", "BEGIN:VALARM", "TRIGGER:-PT15M",
     "END:VALARM", "ATTENDEE:mailto:a@example.com", "BEGIN:VTODO", "END:VTODO", " folded", ""]
)  # fmt: skip


@pytest.fixture(scope="module")
def shared_db(
    tmp_path_factory: pytest.TempPathFactory, sqlite_template: bytes
) -> Iterator[Database]:
    path = tmp_path_factory.mktemp("fuzz") / "fuzz.db"
    path.write_bytes(sqlite_template)
    database = open_database(path)
    yield database
    database.close()


@FAST
@given(st.binary(max_size=300))
def test_decode_any_bytes(data: bytes) -> None:
    try:
        text, encoding = decode(data)
    except ValidationError:
        return
    assert isinstance(text, str) and encoding in ("utf-8", "utf-8-sig", "utf-16", "cp1252")


@FAST
@given(
    st.lists(HEADERS, min_size=1, max_size=6),
    st.lists(st.lists(st.text(CSV_ALPHABET, max_size=12), max_size=7), max_size=6),
    st.text(CSV_ALPHABET, max_size=60),
)
def test_read_csv_any_text(headers: list[str], rows: list[list[str]], tail: str) -> None:
    text = ",".join(headers) + "\n" + "\n".join(",".join(r) for r in rows) + tail
    try:
        parsed = read_csv(text)
    except ValidationError:
        return
    for record in parsed.records:
        assert (record.fields is None) != (record.problem is None)
        assert record.where.startswith("line ")


@FAST
@given(st.lists(VCARD_LINES, max_size=25), st.sampled_from(["\r\n", "\n", "\r"]))
def test_read_vcards_any_lines(lines: list[str], newline: str) -> None:
    parsed = read_vcards(newline.join(lines))
    for record in parsed.records:
        assert (record.fields is None) != (record.problem is None)


@FAST
@given(st.lists(ICAL_LINES, max_size=30))
def test_read_calendar_any_lines(lines: list[str]) -> None:
    try:
        parsed = read_calendar("\r\n".join(lines))
    except ValidationError:
        return
    for record in parsed.records:
        assert (record.fields is None) != (record.problem is None)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=10,
)


@FAST
@given(
    st.lists(
        st.dictionaries(
            st.sampled_from(["first_name", "name", "emails", "phones", "tags", "birthday", "x"]),
            JSON_VALUES,
            max_size=5,
        )
        | JSON_VALUES,
        max_size=4,
    )
)
def test_read_json_any_records(records: list[object]) -> None:
    import json

    parsed = read_json(json.dumps({"kind": "contact", "records": records}))
    assert len(parsed.records) == len(records)


@FAST
@given(st.text(max_size=30))
def test_file_values_any_text(text: str) -> None:
    for reader in (file_date, file_datetime, file_bool):
        try:
            reader("field", text)
        except (ValidationError, NoYear):
            pass
    assert method_label(text) in (None, "work", "home", "mobile", "other")


VALUE = st.one_of(
    st.text(max_size=15),
    st.sampled_from(["2026-12-01", "--03-14", "yes", "no", "+49 30 1234567", "a@example.com",
                     "FREQ=WEEKLY", "12,000.50", "proposal", "call", "3/14/1980", "0/0/00"]),
    st.booleans(),
    st.integers(min_value=-(10**12), max_value=10**12),
)  # fmt: skip


@FAST
@given(
    st.sampled_from(sorted(FIELDS)),
    st.dictionaries(st.text(max_size=20), st.lists(VALUE, min_size=1, max_size=3), max_size=8),
    st.data(),
)
def test_converters_any_fields(kind: str, _noise: dict[str, object], data: st.DataObject) -> None:
    names = data.draw(st.lists(st.sampled_from(FIELDS[kind] + ("attendee",)), max_size=8))
    fields = {
        name: [Item(v) for v in data.draw(st.lists(VALUE, min_size=1, max_size=2))]
        for name in names
    }
    try:
        draft = to_draft(kind, fields, Context("fuzz.csv"))
    except ValidationError:
        return
    assert draft.kind == kind


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.sampled_from([".csv", ".vcf", ".ics", ".json", ".txt"]),
    st.lists(st.one_of(VCARD_LINES, ICAL_LINES, st.text(CSV_ALPHABET, max_size=30)), max_size=12),
    st.booleans(),
)
def test_import_file_any_content(
    shared_db: Database, tmp_path_factory: pytest.TempPathFactory, suffix: str,
    lines: list[str], skip_invalid: bool,
) -> None:  # fmt: skip
    path = Path(tmp_path_factory.mktemp("in")) / f"input{suffix}"
    path.write_text("\r\n".join(lines), encoding="utf-8")
    try:
        report = import_file(shared_db, path, skip_invalid=skip_invalid, dry_run=not skip_invalid)
    except ValidationError:
        return
    assert report.total == report.created + report.updated + report.unchanged + report.invalid
