"""Erasing a person from the backups that still hold them: finding those backups, scrubbing
them (nothing of the person left in any file, -wal or search index; each backup still sound
and restorable) or deleting them; and never touching a backup that does not hold them."""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from smallcrm.store import clock, contacts, interactions, maintenance, privacy_backups
from smallcrm.store.db import Database, open_database
from smallcrm.store.errors import StoreError

pytestmark = pytest.mark.sqlite_only

# Planted: her name, both emails she had, her phone number and words of her notes.
PLANTED = ("ottilie", "quaxmeyer", "o.quaxmeyer@", "ottilie@old.", "5551234", "zwiebelkuchen")
WHEN = datetime(2026, 11, 2, 9, tzinfo=UTC)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _traces_in_file(path: Path) -> list[str]:
    """Planted strings in a file's bytes and in its -wal, -shm and -journal, if any."""
    found = []
    for suffix in ("", "-wal", "-shm", "-journal"):
        side = Path(f"{path}{suffix}")
        if side.exists():
            data = side.read_bytes().lower()
            found += [f"{side.name}: {s}" for s in PLANTED if s.encode() in data]
    return found


def _traces_in_index(path: Path) -> list[str]:
    """Planted strings among the terms of a copy's search index."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        conn.execute("CREATE VIRTUAL TABLE temp.v USING fts5vocab(main, search_fts, 'row')")
        terms = [row[0] for row in conn.execute("SELECT term FROM temp.v")]
    finally:
        conn.close()
    return [t for t in terms for s in PLANTED if s.split("@")[0].strip(".") in t]


def _names(path: Path) -> list[str]:
    db = open_database(path)
    try:
        return sorted(c.name for c in contacts.iter_contacts(db))
    finally:
        db.close()


@pytest.fixture
def history(db: Database, db_path: Path) -> dict[str, Path | int]:
    """Backups from before Ottilie, with her, after her email changed; a restore's kept copy."""
    bob = contacts.create_contact(db, name="Bob Baker", notes="Bob likes cake")
    before = maintenance.backup(db)
    ottilie = contacts.create_contact(
        db, name="Ottilie Quaxmeyer", emails=["ottilie@old.example"], phones=["+49 30 5551234"],
        notes="Zwiebelkuchen recipe",
    )  # fmt: skip
    interactions.log_interaction(
        db, kind="call", subject="Call with Ottilie Quaxmeyer", body="Ottilie: Zwiebelkuchen",
        contact_id=ottilie.id, happened_at=WHEN,
    )  # fmt: skip
    with_her = maintenance.backup(db)
    current = contacts.get_contact(db, ottilie.id)
    contacts.update_contact(
        db, ottilie.id, current.tracking.version, emails=["o.quaxmeyer@example.com"]
    )
    contacts.update_contact(
        db, bob.id, 1, notes="Bob likes cake; met Ottilie Quaxmeyer (o.quaxmeyer@example.com)"
    )
    newest = maintenance.backup(db)
    db.close()
    kept = maintenance.restore(db_path, newest)  # the database it replaced is kept beside it
    return {"before": before, "with_her": with_her, "newest": newest, "kept": kept,
            "ottilie": ottilie.id}  # fmt: skip


def test_the_backups_holding_her_are_found(db_path: Path, history: dict) -> None:
    db = open_database(db_path)
    holding = privacy_backups.find_backups_holding(db, history["ottilie"])
    db.close()
    assert holding.paths == (history["with_her"], history["newest"], history["kept"])
    assert holding.unsearched == (
        "backups written elsewhere with smallcrm backup DEST are not searched"
    )


def test_scrubbing_leaves_nothing_of_her_in_any_backup(db_path: Path, history: dict) -> None:
    untouched = _digest(history["before"])
    assert len(_traces_in_file(history["with_her"])) == 5, "the planted strings are found"
    assert _traces_in_index(history["newest"]), "in the search index too"
    db = open_database(db_path)
    done = privacy_backups.erase_everywhere(db, history["ottilie"], backups="scrub")
    db.close()

    assert done.backups.scrubbed == [history["with_her"], history["newest"], history["kept"]]
    assert done.backups.lines()[0] == "Scrubbed them from 3 backups (each checked):"
    assert _digest(history["before"]) == untouched, "a backup without her is left alone"
    everything = [db_path, *sorted((db_path.parent / "backups").iterdir()), history["kept"]]
    assert [t for path in everything for t in _traces_in_file(path)] == []
    assert [t for path in everything for t in _traces_in_index(path)] == []
    for path in everything[1:]:
        maintenance.check_backup(path)  # sound, and still restorable
        assert _names(path) == ["Bob Baker"]
    restored = open_database(history["newest"])
    bob = contacts.list_contacts(restored).items[0]
    restored.close()
    assert bob.notes == "Bob likes cake; met [erased] ([erased])"
    assert sorted(p.name for p in db_path.parent.iterdir() if "scrubbing" in p.name) == []


def test_scrubbing_keeps_each_backups_name_mode_and_time(db_path: Path, history: dict) -> None:
    path = history["with_her"]
    path.chmod(0o640)
    before = path.stat()
    db = open_database(db_path)
    privacy_backups.erase_everywhere(db, history["ottilie"], backups="scrub")
    db.close()
    after = path.stat()
    assert (after.st_mode, after.st_mtime_ns) == (before.st_mode, before.st_mtime_ns)
    assert after.st_ino != before.st_ino, "a checked copy took its place"


def test_deleting_removes_only_the_backups_holding_her(db_path: Path, history: dict) -> None:
    db = open_database(db_path)
    done = privacy_backups.erase_everywhere(db, history["ottilie"], backups="delete")
    db.close()
    assert done.backups.deleted == [history["with_her"], history["newest"], history["kept"]]
    assert list((db_path.parent / "backups").iterdir()) == [history["before"]]
    assert not history["kept"].exists()


def test_keeping_lists_them_and_changes_none(db_path: Path, history: dict) -> None:
    paths = [history["with_her"], history["newest"], history["kept"]]
    digests = [_digest(p) for p in paths]
    db = open_database(db_path)
    done = privacy_backups.erase_everywhere(db, history["ottilie"], backups="keep")
    db.close()
    assert done.backups.kept == paths
    assert done.backups.lines() == [
        "3 backups still hold them, kept as asked:",
        *[f"  {p}" for p in paths],
    ]
    assert [_digest(p) for p in paths] == digests


def test_a_backup_that_cannot_be_scrubbed_stops_before_the_database_is_erased(
    db_path: Path, history: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(path: Path) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(privacy_backups, "_compact", full)
    newest = _digest(history["newest"])
    db = open_database(db_path)
    with pytest.raises(StoreError, match="could not scrub the backup .*nothing was erased"):
        privacy_backups.erase_everywhere(db, history["ottilie"], backups="scrub")
    assert contacts.get_contact(db, history["ottilie"]).name == "Ottilie Quaxmeyer"
    db.close()
    assert _digest(history["newest"]) == newest
    assert not [p for p in history["newest"].parent.iterdir() if "scrubbing" in p.name]


def test_an_id_taken_by_someone_else_in_a_backup_is_not_erased(tmp_path: Path) -> None:
    path = tmp_path / "crm.db"
    db = open_database(path)
    first = contacts.create_contact(db, name="Karl Early")
    copy = maintenance.backup(db)
    with db.write() as tx:  # purged, and SQLite reuses the largest id
        tx.execute("DELETE FROM contact WHERE id = :id", id=first.id)
    clock.pin(datetime(2026, 11, 26, 8, tzinfo=UTC))  # a day later (the conftest clock stands)
    later = contacts.create_contact(db, name="Lena Later", emails=["lena@example.com"])
    assert later.id == first.id
    holding = privacy_backups.find_backups_holding(db, later.id)
    assert holding.paths == ()
    privacy_backups.settle(
        privacy_backups.BackupsHolding(holding.traces, (copy,)), "scrub", actor="dpo"
    )
    db.close()
    assert _names(copy) == ["Karl Early"]


def test_an_abandoned_scrub_copy_is_removed(db_path: Path, history: dict) -> None:
    work = history["with_her"].with_name(history["with_her"].name + ".scrubbing")
    work.write_bytes(history["with_her"].read_bytes())  # as a killed erasure left it
    Path(f"{work}-journal").write_bytes(b"\0" * 512)
    db = open_database(db_path)
    privacy_backups.find_backups_holding(db, history["ottilie"])
    db.close()
    assert not work.exists() and not Path(f"{work}-journal").exists()


def test_an_unknown_choice_is_refused(db: Database) -> None:
    person = contacts.create_contact(db, name="Jana Novak")
    with pytest.raises(StoreError, match="choose one of scrub, delete, keep"):
        privacy_backups.erase_everywhere(db, person.id, backups="shred")
    assert contacts.get_contact(db, person.id).name == "Jana Novak"


def test_what_was_done_reads_right_for_one_backup_and_for_several() -> None:
    one, two = [Path("a.db")], [Path("a.db"), Path("b.db")]
    lines = privacy_backups.BackupOutcome
    assert lines("keep", kept=one).lines() == [
        "1 backup still holds them, kept as asked:",
        "  a.db",
    ]
    assert lines("keep", kept=two).lines()[0] == "2 backups still hold them, kept as asked:"
    assert lines("scrub", scrubbed=one).lines()[0] == "Scrubbed them from 1 backup (each checked):"
    assert lines("delete", deleted=two).lines()[0] == "Deleted 2 backups that held them:"
    assert lines("keep").lines() == []
