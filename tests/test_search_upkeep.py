"""SQLite's search index is merged back into one segment in short steps, with the same hits.

Every write transaction adds a segment to FTS5's index; a long-lived database gathers many and
searching slows. ``search_upkeep.merge`` joins them, after an import and in ``doctor --repair``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from smallcrm.cli import app
from smallcrm.store import contacts, interactions, search, search_upkeep
from smallcrm.store.db import Database
from smallcrm.store.io import import_file

pytestmark = pytest.mark.sqlite_only  # PostgreSQL's GIN indexes keep themselves

TERMS = ("jan", "jan z", "zylinski", "muller", "ller", "4567", "call", "j", "qxzvy")


def _fragment(db: Database, count: int = 40) -> None:
    """Records added one by one, each in its own transaction, as months of use add them."""
    for n in range(count):
        made = contacts.create_contact(
            db,
            allow_duplicate=True,
            first_name=("Jan", "Jürgen", "Anna", "Søren")[n % 4],
            last_name=("Zylinski", "Weißmüller", "Mueller", "Ærø")[n % 4],
            phones=[f"+49 30 12345{n:02d}"],
        )
        interactions.log_interaction(
            db, contact_id=made.id, kind="call", subject=f"Call {n} with Jan Zorn"
        )


def _hits(db: Database) -> dict[str, list[tuple[str, int]]]:
    return {t: [(h.kind, h.record_id) for h in search.search(db, t)] for t in TERMS}


def test_a_fragmented_index_is_merged_with_the_same_hits(db: Database) -> None:
    _fragment(db)
    before = search_upkeep.segments(db)
    hits = _hits(db)
    assert before is not None and before > 4, "each write left a segment"

    assert search_upkeep.merge(db) is True

    assert search_upkeep.segments(db) == 2, "one segment for each of the two indexes"
    assert _hits(db) == hits
    assert search.check_index(db)
    assert search_upkeep.merge(db) is True, "a merged index has nothing left to do"


def test_merging_stops_when_its_time_is_up(db: Database) -> None:
    _fragment(db, 10)
    before = search_upkeep.segments(db)

    assert search_upkeep.merge(db, seconds=0) is False
    assert search_upkeep.segments(db) == before


def test_an_import_leaves_the_index_merged(db: Database, tmp_path: Path) -> None:
    _fragment(db, 10)
    source = tmp_path / "people.csv"
    rows = "".join(f"Ida,Nowak{n},ida{n}@example.org\n" for n in range(30))
    source.write_text("first_name,last_name,email\n" + rows, encoding="utf-8")

    import_file(db, source, "contacts")

    assert search_upkeep.segments(db) == 2
    assert [h.title for h in search.search(db, "nowak29", kinds=("contact",))] == ["Ida Nowak29"]


def test_doctor_names_the_pieces_and_repair_merges_them(db: Database, db_path: Path) -> None:
    _fragment(db, 60)
    pieces = search_upkeep.segments(db)
    assert pieces is not None and pieces > 8
    runner = CliRunner()

    result = runner.invoke(app, ["--db", str(db_path), "doctor"])
    assert result.exit_code == 0, result.output
    assert f"in {pieces} pieces" in result.output

    result = runner.invoke(app, ["--db", str(db_path), "doctor", "--repair"])
    assert result.exit_code == 0 and "Merged the search index." in result.output
    assert "ok   search index: the search index matches the records\n" in result.output
    assert search_upkeep.segments(db) == 2


@pytest.mark.parametrize(
    ("block", "count"),
    [
        (None, 0),
        (bytes([0, 0, 0, 1, 2, 3, 7]), 3),  # cookie, 2 levels, 3 segments, write counter
        (b"\x00\x00\x00\x01\xff\x00\x00\x01" + bytes([1, 0x81, 0x00, 5]), 128),  # newer format
    ],
)
def test_the_segment_count_is_read_from_the_structure_record(
    block: bytes | None, count: int
) -> None:
    assert search_upkeep._segments_of(block) == count


def test_an_import_into_a_merged_index_merges_nothing(db: Database, tmp_path: Path) -> None:
    """A merge rewrites the whole index: a few new segments are left for later."""
    _fragment(db, 10)
    search_upkeep.merge(db)
    source = tmp_path / "one.csv"
    source.write_text("first_name,last_name\nIda,Nowak\n", encoding="utf-8")

    import_file(db, source, "contacts")

    assert 2 < (search_upkeep.segments(db) or 0) <= search_upkeep.MANY_SEGMENTS


def test_the_import_lets_go_of_its_lock_before_merging(
    db: Database, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A kill while the index is merged after an import leaves no lock file: the import, done,
    has removed it before the merge starts."""
    _fragment(db, 30)
    assert search_upkeep.fragmented(db)
    source = tmp_path / "people.csv"
    source.write_text("first_name,last_name\nIda,Nowak\n", encoding="utf-8")
    locks_seen: list[list[str]] = []
    merge = search_upkeep.merge

    def looking(database: Database, seconds: float | None = None) -> bool:
        locks_seen.append([path.name for path in db_path.parent.glob("*.lock")])
        return merge(database, seconds)

    monkeypatch.setattr(search_upkeep, "merge", looking)
    import_file(db, source, "contacts")

    assert locks_seen == [[]]
