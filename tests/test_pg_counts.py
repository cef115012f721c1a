"""Live record counts stay exact through every way records change, on both databases; on
PostgreSQL each committed write leaves no unfolded count change, and concurrent writers neither
lose a change nor deadlock."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest

from smallcrm.store import contacts, interactions, listing, merging, privacy, rollups, transfer
from smallcrm.store.db import Database, open_database
from smallcrm.store.io import import_file, undo_import


def counted(db: Database, kind: str = "contact") -> int:
    with db.read() as tx:
        return listing.live_count(tx, kind)


def exact(db: Database) -> None:
    """Every kind's count equals its table's, and nothing is left to fold (PostgreSQL)."""
    from smallcrm.store import kinds

    with db.read() as tx:
        for kind in kinds.NAMES:
            rows = tx.scalar(f"SELECT count(*) FROM {kind} WHERE deleted_at IS NULL")
            assert listing.live_count(tx, kind) == rows, kind
        if db.dialect == "postgresql":
            assert tx.scalar("SELECT count(*) FROM record_count_change") == 0
    assert rollups.finding(db).ok


def test_create_trash_restore_and_erase(db: Database) -> None:
    before = counted(db)
    made = [
        contacts.create_contact(db, allow_duplicate=True, name=f"P {i}").id or 0 for i in range(5)
    ]
    assert counted(db) == before + 5
    exact(db)
    contacts.delete_contact(db, made[0])
    contacts.delete_contact(db, made[1])
    assert counted(db) == before + 3
    contacts.restore_contact(db, made[1])
    assert counted(db) == before + 4
    privacy.erase_person(db, made[2])
    interactions.log_interaction(db, kind="call", subject="hi", contact_id=made[3])
    exact(db)


def test_a_rolled_back_transaction_changes_no_count(db: Database) -> None:
    before = counted(db)
    with pytest.raises(RuntimeError), db.write() as tx:
        contacts.create_contact_tx(tx, {"first_name": "Gone"}, "me")
        assert listing.live_count(tx, "contact") == before + 1  # a writer sees its own
        raise RuntimeError("undo")
    assert counted(db) == before
    exact(db)


def test_import_of_thousands_and_its_undo(db: Database, tmp_path: Path) -> None:
    before = counted(db)
    path = tmp_path / "people.csv"
    rows = [f"P{i},Q{i},p{i}@x.org" for i in range(3000)]
    path.write_text("First Name,Last Name,E-mail 1 - Value\n" + "\n".join(rows) + "\n")
    report = import_file(db, path)
    assert report.created == 3000
    assert counted(db) == before + 3000
    exact(db)
    undo_import(db, report.batch_id or 0)
    assert counted(db) == before
    exact(db)


def test_merge_of_contacts(db: Database) -> None:
    one = contacts.create_contact(db, first_name="Anna", last_name="Adler", emails=["a@x.org"])
    two = contacts.create_contact(
        db, first_name="Anna", last_name="Adler", emails=["a@x.org"], allow_duplicate=True
    )
    before = counted(db)
    merging.merge(db, one.id or 0, two.id or 0)
    assert counted(db) == before - 1
    exact(db)


def test_migrate_to_keeps_counts(db: Database, tmp_path: Path) -> None:
    source = open_database(tmp_path / "source.db")
    try:
        for i in range(20):
            contacts.create_contact(source, allow_duplicate=True, name=f"S {i}")
        contacts.delete_contact(source, 3)
        with db.write() as tx:  # the fixture database may hold nothing to copy onto
            for kind in reversed(transfer.TABLES):
                tx.execute(f"DELETE FROM {kind}")
        transfer.copy_database(source, db)
    finally:
        source.close()
    assert counted(db) == 19
    exact(db)


def test_doctor_finds_and_repairs_a_wrong_count(db: Database) -> None:
    contacts.create_contact(db, allow_duplicate=True, name="One Person")
    with db.write() as tx:
        tx.execute("UPDATE record_count SET live = live + 7 WHERE kind = 'contact'")
    found = rollups.finding(db)
    assert not found.ok and "record_count" in found.detail
    rollups.rebuild_all(db)
    exact(db)


def _add_and_trash(url: str, rounds: int) -> int:
    database = open_database(url)
    try:
        for i in range(rounds):
            made = contacts.create_contact(database, allow_duplicate=True, name=f"W {i}")
            if i % 2:
                contacts.delete_contact(database, made.id or 0)
    finally:
        database.close()
    return rounds - rounds // 2


@pytest.mark.slow
def test_concurrent_writers_keep_the_count_exact(db: Database, db_path: Path) -> None:
    before = counted(db)
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(2) as pool:
        kept = pool.starmap(_add_and_trash, [(str(db_path), 60)] * 2)
    assert counted(db) == before + sum(kept)
    exact(db)
