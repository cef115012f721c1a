"""Imports read their file as they go, keep a bounded report, and lock nobody out (issue 11,
items 13 and 14).

The records of an import are written hidden, a chunk per short write transaction, and shown
once the whole file is in; these tests look between two chunks (through a wrapper around
``ImportSession._chunk``) to see what others see and to write as others would meanwhile.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smallcrm.store import contacts, search
from smallcrm.store.db import Database, open_database
from smallcrm.store.io import (
    ImportRejected,
    common,
    import_file,
    list_batches,
    publish,
    recovery,
    staging,
    undo_import,
)
from smallcrm.store.io.jsonio import read_json, stream_json
from smallcrm.store.io.vcard_lines import physical_lines, streamed_lines


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _people(count: int, start: int = 0) -> str:
    return "".join(
        f"Person{i},Crowd,p{i}@example.com,+49 151 {20000000 + i}\n"
        for i in range(start, start + count)
    )


HEADER = "First Name,Last Name,Email,Phone\n"


def _count(db: Database, sql: str, **params: Any) -> int:
    with db.read() as tx:
        return int(tx.scalar(sql, **params))


@pytest.fixture
def between_chunks(monkeypatch: pytest.MonkeyPatch) -> list[Callable[[int], None]]:
    """Hooks called with the chunk's number after each chunk of ten records is committed (the
    import counts a chunk's records then)."""
    monkeypatch.setattr(staging, "CHUNK", 10)
    hooks: list[Callable[[int], None]] = []

    class Counting(common.Ticker):
        chunks = 0

        def step(self, count: int = 1) -> None:
            super().step(count)
            Counting.chunks += 1
            for hook in hooks:
                hook(Counting.chunks)

    monkeypatch.setattr(staging, "Ticker", Counting)
    return hooks


# --- reading as it goes --------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    st.text(alphabet="AB: \r\n\t=", max_size=200),
    st.lists(st.integers(min_value=1, max_value=7), max_size=20),
)
def test_vcard_lines_read_in_pieces_are_the_lines_of_the_whole(text: str, cuts: list[int]) -> None:
    pieces, rest = [], text
    for cut in cuts:
        pieces.append(rest[:cut])
        rest = rest[cut:]
    pieces.append(rest)
    assert list(streamed_lines(pieces)) == physical_lines(text)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.fixed_dictionaries(
            {"name": st.text(min_size=1, max_size=12)},
            optional={"email": st.emails(), "tags": st.lists(st.text(max_size=5), max_size=3)},
        ),
        max_size=8,
    ),
    st.integers(min_value=1, max_value=9),
)
def test_json_read_in_pieces_gives_the_records_of_the_whole(records: list[Any], size: int) -> None:
    text = json.dumps({"kind": "contact", "records": records}, ensure_ascii=False, indent=1)
    whole = read_json(text)
    pieces = stream_json(lambda: iter([text[i : i + size] for i in range(0, len(text), size)]))
    assert [r.fields for r in pieces.records] == [r.fields for r in whole.records]


def test_json_errors_say_where_they_are_when_read_in_pieces() -> None:
    text = '[{"name": "A"},\n {"name": "B",\n  "email" 3}]'
    with pytest.raises(Exception, match="line 3 column 11: not valid JSON"):
        list(
            stream_json(
                lambda: iter(text[i : i + 4] for i in range(0, len(text), 4)), "contact"
            ).records
        )


def test_a_file_is_read_while_it_is_imported(db: Database, tmp_path: Path) -> None:
    """A broken row near the end is found after the rows before it were written (hidden): the
    file was never read whole first. Nothing is kept."""
    common_rows = _people(2500)
    path = _write(tmp_path, "late.csv", HEADER + common_rows + 'Late,Row,"x' + "y" * 100 + "\n")
    seen: list[tuple[int, int | None]] = []
    from smallcrm.store.io import importing

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(importing, "SMALL", 0)
        report = import_file(db, path, progress=lambda d, t: seen.append((d, t)), dry_run=True)
    assert report.total == 2501 and report.invalid == 1
    assert seen[0] == (0, None)  # not known before the file was read
    assert any(0 < done < 2501 and total for done, total in seen)  # estimated on the way
    assert seen[-1] == (2501, 2501)
    assert _count(db, "SELECT count(*) FROM contact") == 0


def test_the_report_keeps_a_sample_and_counts_the_rest(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(common, "SAMPLE", 5)
    bad = "".join(f"Bad{i},Row,not-an-email-{i},\n" for i in range(12))
    path = _write(tmp_path, "bad.csv", HEADER + _people(3) + bad)
    with pytest.raises(ImportRejected) as caught:
        import_file(db, path)
    report = caught.value.report
    assert len(report.problems) == 5 and report.problems_total == 12 == report.invalid
    assert [p.line for p in report.problems] == [5, 6, 7, 8, 9]
    assert "and 9 more" in str(caught.value)
    report = import_file(db, path, skip_invalid=True)
    assert (report.created, len(report.problems), report.problems_total) == (3, 5, 12)


def test_possible_duplicates_are_counted_beyond_the_sample(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(common, "SAMPLE", 4)
    rows = "".join(f"Anna,Adler,a{i}@example.com,\n" for i in range(10))
    report = import_file(db, _write(tmp_path, "annas.csv", HEADER + rows))
    assert report.created == 10 and len(report.duplicates) == 4
    assert report.duplicates_total == 9 and "9 possible duplicates" in report.summary()
    assert len(report.warnings) == 4 and report.warnings_total == 9


def test_chunks_are_sized_to_hold_the_lock_briefly() -> None:
    """A slow chunk (a busy machine) makes the next ones smaller, down to a floor; a quick one
    lets them grow back to the most; the file's last chunk says nothing about the pace."""
    hold, most, least = staging.HOLD, staging.CHUNK, staging.MIN_CHUNK
    assert staging.next_size(most, most, hold / 4) == most
    assert staging.next_size(most, most, hold * 10) == most // 10
    assert staging.next_size(most // 10, most // 10, hold / 10) == most
    assert staging.next_size(most, most, hold * 10_000) == least
    assert staging.next_size(most, 3, hold * 10_000) == most


def test_a_slow_chunk_makes_the_next_ones_smaller(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(staging, "CHUNK", 40)
    monkeypatch.setattr(staging, "MIN_CHUNK", 5)
    monkeypatch.setattr(staging, "HOLD", 0.001)  # every chunk is slower than that
    sizes: list[int] = []
    real = staging.ImportSession._chunk

    def counted(self: staging.ImportSession, tx: Any, chunk: list[Any]) -> None:
        sizes.append(len(chunk))
        real(self, tx, chunk)

    monkeypatch.setattr(staging.ImportSession, "_chunk", counted)
    report = import_file(db, _write(tmp_path, "crowd.csv", HEADER + _people(100)))
    assert report.created == 100 and sum(sizes) == 100
    # The last chunk holds what is left of the file, however few.
    assert sizes[0] == 40 and sizes[1] < 40 and min(sizes[1:-1], default=5) >= 5


# --- hidden until the whole file is in -----------------------------------------------------------


def test_records_stay_hidden_until_the_whole_file_is_in(
    db: Database, db_path: Path, tmp_path: Path, between_chunks: list[Callable[[int], None]]
) -> None:
    other = open_database(db_path)
    seen: list[tuple[int, int, bool]] = []

    def look(_chunk: int) -> None:
        seen.append(
            (
                contacts.list_contacts(other).total,
                len(search.search(other, "Crowd", kinds=("contact",))),
                bool(list_batches(other)),
            )
        )

    between_chunks.append(look)
    report = import_file(db, _write(tmp_path, "crowd.csv", HEADER + _people(35)))
    assert report.created == 35 and seen and set(seen) == {(0, 0, False)}
    assert contacts.list_contacts(other).total == 35
    assert search.search(other, "Person7 Crowd", kinds=("contact",))
    other.close()


def test_hidden_records_cannot_be_restored_or_changed(
    db: Database, db_path: Path, tmp_path: Path, between_chunks: list[Callable[[int], None]]
) -> None:
    from smallcrm.store.errors import NotFoundError

    other = open_database(db_path)
    tried: list[str] = []

    def poke(_chunk: int) -> None:
        hidden = _count(other, "SELECT min(id) FROM contact")
        for attempt in (
            lambda: contacts.restore_contact(other, hidden),
            lambda: contacts.get_contact(other, hidden, trashed=True),
            lambda: contacts.update_contact(other, hidden, None, notes="x"),
        ):
            with pytest.raises(NotFoundError):
                attempt()
            tried.append("refused")

    between_chunks.append(poke)
    import_file(db, _write(tmp_path, "crowd.csv", HEADER + _people(15)))
    assert tried and contacts.list_contacts(other).total == 15
    other.close()


def test_a_contact_added_meanwhile_is_matched_not_copied(
    db: Database, db_path: Path, tmp_path: Path, between_chunks: list[Callable[[int], None]]
) -> None:
    other = open_database(db_path)

    def add_person3(chunk: int) -> None:
        if chunk == 1:  # Person3 of the file is in the first chunk, hidden
            contacts.create_contact(other, name="Person3 Crowd", emails=["p3@example.com"])

    between_chunks.append(add_person3)
    report = import_file(db, _write(tmp_path, "crowd.csv", HEADER + _people(25)))
    found = list(contacts.iter_contacts(other))
    assert len(found) == 25 and report.created == 24 and report.updated == 1
    person3 = next(c for c in found if c.name == "Person3 Crowd")
    assert [p.value for p in person3.phones] == ["+4915120000003"]  # the file's phone went in
    assert any("added by someone else" in w.reason for w in report.warnings)
    undo_import(db, report.batch_id)
    assert [c.name for c in contacts.list_contacts(other).items] == ["Person3 Crowd"]
    other.close()


def test_an_edit_made_meanwhile_is_kept(
    db: Database, db_path: Path, tmp_path: Path, between_chunks: list[Callable[[int], None]]
) -> None:
    anna = contacts.create_contact(db, name="Anna Adler", emails=["anna@example.com"])
    other = open_database(db_path)

    def edit(chunk: int) -> None:
        if chunk == 1:
            current = contacts.get_contact(other, anna.id)
            contacts.update_contact(other, anna.id, current.tracking.version, notes="met today")

    between_chunks.append(edit)
    rows = "Anna,Adler,anna@example.com,+49 30 1234567\n" + _people(20)
    report = import_file(db, _write(tmp_path, "anna.csv", HEADER + rows))
    assert report.updated == 1
    now = contacts.get_contact(other, anna.id)
    assert now.notes == "met today" and [p.value for p in now.phones] == ["+49301234567"]
    undone = undo_import(db, report.batch_id)
    assert undone.restored == 1
    assert contacts.get_contact(other, anna.id).phones == ()
    assert contacts.get_contact(other, anna.id).notes == "met today"
    other.close()


def test_a_contact_deleted_meanwhile_is_not_changed(
    db: Database, db_path: Path, tmp_path: Path, between_chunks: list[Callable[[int], None]]
) -> None:
    anna = contacts.create_contact(db, name="Anna Adler", emails=["anna@example.com"])
    other = open_database(db_path)
    between_chunks.append(lambda chunk: chunk == 1 and contacts.delete_contact(other, anna.id))
    rows = "Anna,Adler,anna@example.com,+49 30 1234567\n" + _people(20)
    report = import_file(db, _write(tmp_path, "anna.csv", HEADER + rows))
    assert (report.updated, report.unchanged) == (0, 1)
    assert any("deleted while the file was imported" in w.reason for w in report.warnings)
    assert contacts.get_contact(other, anna.id, trashed=True).phones == ()
    other.close()


# --- abandoned imports ----------------------------------------------------------------------------


def test_an_import_abandoned_while_reading_is_taken_back(
    db: Database, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(staging, "CHUNK", 10)
    monkeypatch.setattr(recovery, "discard", lambda *_args: None)  # as if the process died
    from smallcrm.store.io import engine

    monkeypatch.setattr(engine, "discard", lambda *_args: None)

    def die(done: int, _total: int | None) -> None:
        if done >= 20:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        import_file(db, _write(tmp_path, "crowd.csv", HEADER + _people(300)), progress=die)
    assert _count(db, "SELECT count(*) FROM contact") >= 20  # hidden, left behind
    monkeypatch.undo()
    reopened = open_database(db_path)
    assert _count(reopened, "SELECT count(*) FROM contact") == 0
    assert _count(reopened, "SELECT count(*) FROM import_batch") == 0
    assert _count(reopened, "SELECT count(*) FROM audit_entry") == 0
    assert not list(tmp_path.glob("*.lock"))
    reopened.close()


def test_an_import_abandoned_after_its_commit_is_finished(
    db: Database, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from smallcrm.store.io import engine

    monkeypatch.setattr(publish, "CHUNK", 7)
    calls = [0]
    real = publish._flip

    def flip_then_die(*args: Any) -> None:
        calls[0] += 1
        if calls[0] == 3:
            raise SystemExit("killed")
        real(*args)

    monkeypatch.setattr(publish, "_flip", flip_then_die)
    monkeypatch.setattr(engine, "_published", lambda *a: publish.publish(a[0], a[1].recheck))
    with pytest.raises(SystemExit):
        import_file(db, _write(tmp_path, "crowd.csv", HEADER + _people(30)))
    assert 0 < contacts.list_contacts(db).total < 30  # half shown: the process died here
    monkeypatch.undo()
    reopened = open_database(db_path)
    assert contacts.list_contacts(reopened).total == 30
    (batch,) = list_batches(reopened)
    assert (batch.created, batch.finished_at is not None) == (30, True)
    assert search.check_index(reopened)
    undo_import(reopened, batch.id)
    assert contacts.list_contacts(reopened).total == 0
    reopened.close()


def test_an_import_still_running_is_left_alone(db: Database, db_path: Path, tmp_path: Path) -> None:
    """Opening the database during an import does not take the import for abandoned."""
    opened: list[int] = []

    def open_meanwhile(done: int, _total: int | None) -> None:
        if 0 < done < 300 and not opened:
            other = open_database(db_path)
            opened.append(_count(other, "SELECT count(*) FROM import_batch"))
            other.close()

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(staging, "CHUNK", 50)
        report = import_file(
            db, _write(tmp_path, "crowd.csv", HEADER + _people(300)), progress=open_meanwhile
        )
    assert opened == [1] and report.created == 300
    assert contacts.list_contacts(db).total == 300
