"""Several processes writing the same records at once: no lost update, no "database is locked"."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest

from smallcrm.store import contacts
from smallcrm.store.db import Database, open_database

WORKERS = 4
ROUNDS = 50


def _increment_version_field(path: str, contact_id: int, rounds: int) -> int:
    """Read-modify-write the contact's notes counter ``rounds`` times; return failures."""
    database = open_database(path)
    failures = 0
    for _ in range(rounds):
        with database.write() as tx:
            current = int(tx.scalar("SELECT notes FROM contact WHERE id = :id", id=contact_id))
            tx.execute(
                "UPDATE contact SET notes = :n WHERE id = :id", n=str(current + 1), id=contact_id
            )
    database.close()
    return failures


def _update_via_service(path: str, contact_id: int, rounds: int) -> int:
    """Each round: read with its version, then save; a conflict is retried with a fresh read."""
    from smallcrm.store.errors import ConflictError

    database = open_database(path)
    conflicts = 0
    done = 0
    while done < rounds:
        current = contacts.get_contact(database, contact_id)
        tags = set(current.tags)
        try:
            contacts.update_contact(
                database,
                contact_id,
                current.tracking.version,
                notes=str(int(current.notes or 0) + 1),
                tags=sorted(tags),
            )
            done += 1
        except ConflictError:
            conflicts += 1
    database.close()
    return conflicts


@pytest.mark.slow
def test_concurrent_read_modify_write_loses_nothing(db: Database, db_path: Path) -> None:
    jana = contacts.create_contact(db, allow_duplicate=True, name="Jana Novak", notes="0")
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(WORKERS) as pool:
        pool.starmap(_increment_version_field, [(str(db_path), jana.id, ROUNDS)] * WORKERS)
    assert contacts.get_contact(db, jana.id).notes == str(WORKERS * ROUNDS)


@pytest.mark.slow
def test_concurrent_service_updates_conflict_instead_of_overwriting(
    db: Database, db_path: Path
) -> None:
    jana = contacts.create_contact(db, allow_duplicate=True, name="Jana Novak", notes="0")
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(WORKERS) as pool:
        pool.starmap(_update_via_service, [(str(db_path), jana.id, ROUNDS)] * WORKERS)
    final = contacts.get_contact(db, jana.id)
    assert final.notes == str(WORKERS * ROUNDS)
    assert final.tracking.version == 1 + WORKERS * ROUNDS
