"""Property tests for the vCard and CSV readers: any folding, any line ends (CR, LF, CRLF,
CR CR LF), any text in the values: no crash, and what was written is read back."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smallcrm.store.io.csvio import read_csv, write_csv
from smallcrm.store.io.mapping import guess_kind, map_columns
from smallcrm.store.io.vcard import contact_vcard, read_vcards
from smallcrm.store.io.vcard_write import account_vcard
from smallcrm.store.records import Account, Address, Consent, Contact, ContactMethod, Tracking

FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NEWLINES = st.sampled_from(["\r\n", "\n", "\r", "\r\r\n"])
# Any text but NUL (no file format carries it) and surrogates (not encodable as UTF-8).
TEXT = st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"))
LINE = TEXT.map(lambda t: " ".join(t.split()))  # as the store keeps a name or a title
WORDS = LINE.filter(bool)
STAMP = datetime(2026, 11, 25, 10, 30, tzinfo=UTC)
TRACKING = Tracking(STAMP, STAMP, "tester", "tester", 1)


def _contact(first: str, last: str, title: str, notes: str, tags: list[str]) -> Contact:
    return Contact(
        id=7, first_name=first, last_name=last, title=title, account_id=None,
        account_name=None, methods=(ContactMethod("email", "a@example.com", "work"),),
        address=Address(), birthday=None, source=None, owner=None, tags=tuple(tags),
        notes=notes, email_consent=Consent(), phone_consent=Consent(), tracking=TRACKING,
    )  # fmt: skip


def _refold(text: str, cuts: list[int], newlines: list[str]) -> str:
    """Unfold ``text``'s CRLF lines, fold each again at the given places (in characters),
    and end each physical line with the next of ``newlines``."""
    out: list[str] = []
    for index, line in enumerate(text.replace("\r\n ", "").split("\r\n")):
        pieces, start = [], 0
        for cut in sorted({c % max(len(line), 1) for c in cuts if 0 < c % max(len(line), 1)}):
            pieces.append(line[start:cut])
            start = cut
        pieces.append(line[start:])
        for number, piece in enumerate(pieces):
            out.append(("" if number == 0 else " ") + piece)
            out.append(newlines[(index + number) % len(newlines)])
    return "".join(out)


def _one(text: str) -> str:
    return re.sub(r"\r\n|\r", "\n", text).strip()


@FAST
@given(
    WORDS, WORDS, LINE, TEXT, st.lists(WORDS, max_size=3),
    st.lists(st.integers(1, 200), max_size=6), st.lists(NEWLINES, min_size=1, max_size=4),
)  # fmt: skip
def test_vcard_round_trip_with_any_folding_and_line_ends(
    first: str, last: str, title: str, notes: str, tags: list[str],
    cuts: list[int], newlines: list[str],
) -> None:  # fmt: skip
    card = contact_vcard(_contact(first, last, title, notes, tags), "4.0")
    parsed = read_vcards(_refold(card, cuts, newlines))
    (record,) = parsed.records
    assert record.problem is None, record.problem
    fields = {key: [item.value for item in items] for key, items in record.fields.items()}
    if record.kind == "account":  # a person whose name happens to be the organisation's
        return
    assert fields["first_name"] == [first] and fields["last_name"] == [last]
    assert fields.get("title", [""]) == [title]
    assert fields.get("notes", [""]) == [_one(notes)] or not _one(notes)
    if [t for t in tags if "," not in t]:
        assert fields["tags"][0] == [t.strip() for t in tags if t.strip()]
    assert fields["external_id"] == ["contact-7-20261125T103000Z@smallcrm"]


@FAST
@given(WORDS, TEXT, st.lists(st.integers(1, 120), max_size=4), st.lists(NEWLINES, min_size=1))
def test_organisation_cards_round_trip(
    name: str, notes: str, cuts: list[int], newlines: list[str]
) -> None:
    account = Account(7, name, None, None, None, Address(), None, (), notes, TRACKING)
    for version in ("3.0", "4.0"):
        (record,) = read_vcards(_refold(account_vcard(account, version), cuts, newlines)).records
        assert record.kind == "account" and record.fields is not None
        assert [i.value for i in record.fields["name"]] == [name]


VCARD_PIECES = st.one_of(
    TEXT,
    st.sampled_from(
        ["BEGIN:VCARD", "END:VCARD", "VERSION:2.1", "FN:", "N:;;;;", "EMAIL:", "TEL:", "ORG:",
         "PHOTO;ENCODING=BASE64:", "NOTE;ENCODING=QUOTED-PRINTABLE:", "=", " ", "\t", "item1.",
         "X-ABLabel:", "ADR:", ";ext=", "tel:", "mailto:", "KIND:org", "ROLE:", "IMPP:", ","]
    ),
)  # fmt: skip


@FAST
@given(st.lists(VCARD_PIECES, max_size=30), st.lists(NEWLINES, min_size=1, max_size=3))
def test_read_vcards_never_crashes(pieces: list[str], newlines: list[str]) -> None:
    text = "".join(p + newlines[i % len(newlines)] for i, p in enumerate(pieces))
    parsed = read_vcards(text)
    for record in parsed.records:
        assert (record.fields is None) != (record.problem is None)


CELL = TEXT.filter(lambda t: not t.lstrip().startswith("'"))


def _no_column_name(text: str) -> bool:
    """A line of notes, not a one-column header (which would rightly be taken as one)."""
    return not any(c.field for c in map_columns([text], guess_kind([text])))


@FAST
@given(
    st.lists(st.tuples(WORDS, CELL, CELL), min_size=1, max_size=5),
    st.lists(
        TEXT.filter(lambda t: "," not in t and '"' not in t and _no_column_name(t)), max_size=3
    ),
)
def test_csv_round_trip_with_any_text_and_notes_before_the_header(
    rows: list[tuple[str, str, str]], preamble: list[str]
) -> None:
    out = io.StringIO()
    columns = ["First Name", "Notes", "City"]
    write_csv(out, columns, [dict(zip(columns, row, strict=True)) for row in rows])
    lines = [p for p in preamble if p.strip() and not re.search(r"[\r\n]", p)]
    text = "".join(line + "\r\n" for line in lines) + out.getvalue()
    parsed = read_csv(text)
    assert len(parsed.records) == len(rows)
    for record, (first, notes, city) in zip(parsed.records, rows, strict=True):
        assert record.fields is not None, record.problem
        got = {key: items[0].value for key, items in record.fields.items()}
        assert got.get("first_name", got.get("name")) == first.replace("\x00", "").strip()
        assert got.get("notes", "") == notes.strip()
        assert got.get("city", "") == city.strip()


@FAST
@given(st.lists(st.lists(TEXT, max_size=6), max_size=8), NEWLINES)
def test_read_csv_with_ragged_rows_never_crashes(rows: list[list[str]], newline: str) -> None:
    out = io.StringIO()
    csv.writer(out, lineterminator=newline).writerows([["Name", "Email", "Phone"], *rows])
    try:
        parsed = read_csv(out.getvalue())
    except Exception as exc:  # noqa: BLE001 - only the store's own errors may come out
        assert type(exc).__name__ == "ValidationError", exc
        return
    for record in parsed.records:
        assert (record.fields is None) != (record.problem is None)
