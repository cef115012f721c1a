"""Backups under write load, restores that check first, and the doctor's checks."""

from __future__ import annotations

import errno
import multiprocessing
import os
import sqlite3
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from smallcrm.store import contacts, doctor, maintenance
from smallcrm.store.db import Database, open_database
from smallcrm.store.errors import StoreError, ValidationError

# Backups, restores and the doctor work on the SQLite file; on PostgreSQL they refuse and point
# at pg_dump (tests/test_postgres.py checks that).
pytestmark = pytest.mark.sqlite_only


def _keep_writing(path: str, count: int) -> None:
    database = open_database(path)
    for i in range(count):
        contacts.create_contact(database, allow_duplicate=True, name=f"Writer {i}")
    database.close()


def test_backup_while_another_process_writes(db: Database, db_path: Path) -> None:
    contacts.create_contact(db, allow_duplicate=True, name="Jana Novak")
    writer = multiprocessing.get_context("spawn").Process(
        target=_keep_writing, args=(str(db_path), 150)
    )
    writer.start()
    copies = [maintenance.backup(db) for _ in range(3)]
    writer.join()
    assert writer.exitcode == 0
    for copy in copies:
        assert maintenance.integrity_problems(copy) == []
        assert stat.S_IMODE(copy.stat().st_mode) == 0o600
        restored = open_database(copy)
        assert contacts.list_contacts(restored).total >= 1
        restored.close()


def test_backup_rotation_keeps_the_newest(db: Database, tmp_path: Path) -> None:
    folder = tmp_path / "b"
    folder.mkdir()
    start = datetime(2026, 11, 25, tzinfo=UTC)
    made = [
        maintenance.backup(db, folder, keep=3, now=start + timedelta(minutes=i)) for i in range(5)
    ]
    assert maintenance.list_backups(folder, "crm") == made[2:]


def test_restore_checks_first_and_keeps_the_previous(
    db: Database, db_path: Path, tmp_path: Path
) -> None:
    contacts.create_contact(db, allow_duplicate=True, name="Before Backup")
    copy = maintenance.backup(db)
    contacts.create_contact(db, allow_duplicate=True, name="After Backup")
    db.close()
    broken = tmp_path / "broken.db"
    broken.write_bytes(b"this is not a database" * 100)
    with pytest.raises(ValidationError, match="not a sound backup"):
        maintenance.restore(db_path, broken)
    kept = maintenance.restore(db_path, copy)
    restored = open_database(db_path)
    assert [c.name for c in contacts.list_contacts(restored).items] == ["Before Backup"]
    aside = open_database(kept)
    assert contacts.list_contacts(aside).total == 2
    restored.close()
    aside.close()


def test_doctor_finds_and_repairs_a_stale_index(db: Database) -> None:
    from smallcrm.store.search import rebuild_index

    contacts.create_contact(db, allow_duplicate=True, name="Jana Novak")
    assert all(f.ok for f in doctor.doctor(db))
    with db.write() as tx:
        tx.execute("DELETE FROM search_fts WHERE rowid IN (SELECT fts_id FROM search_fts_rows)")
    findings = {f.check: f for f in doctor.doctor(db)}
    assert not findings["search index"].ok
    assert "doctor --repair" in (findings["search index"].repair or "")
    rebuild_index(db)
    assert all(f.ok for f in doctor.doctor(db))


def test_backup_is_one_standalone_file(db: Database, tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    copy = maintenance.backup(db, folder)
    assert sorted(p.name for p in folder.iterdir()) == [copy.name]


def test_backup_and_doctor_commands(db: Database, db_path: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from smallcrm.cli import app

    runner = CliRunner()
    contacts.create_contact(db, allow_duplicate=True, name="Jana Novak")
    result = runner.invoke(
        app, ["--db", str(db_path), "backup", str(tmp_path / "b"), "--keep", "1"]
    )
    assert result.exit_code == 0 and "checked: sound" in result.output
    result = runner.invoke(app, ["--db", str(db_path), "doctor"])
    assert result.exit_code == 0 and "ok   search index" in result.output
    with db.write() as tx:
        tx.execute("DELETE FROM search_fts WHERE rowid IN (SELECT fts_id FROM search_fts_rows)")
    contacts.create_contact(db, allow_duplicate=True, name="After Damage")
    result = runner.invoke(app, ["--db", str(db_path), "doctor"])
    assert result.exit_code == 1 and "doctor --repair" in result.output
    result = runner.invoke(app, ["--db", str(db_path), "doctor", "--repair"])
    assert result.exit_code == 0 and "Rebuilt the search index" in result.output


def test_backups_of_a_private_database_are_private(db: Database, db_path: Path) -> None:
    copy = maintenance.backup(db)

    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    assert stat.S_IMODE(copy.parent.stat().st_mode) == 0o700


def test_backups_of_a_team_database_are_the_teams(db: Database, db_path: Path) -> None:
    os.chmod(db_path, 0o660)
    old_umask = os.umask(0o077)
    try:
        copy = maintenance.backup(db)
    finally:
        os.umask(old_umask)

    assert stat.S_IMODE(copy.stat().st_mode) == 0o660
    assert copy.stat().st_gid == db_path.stat().st_gid
    assert stat.S_IMODE(copy.parent.stat().st_mode) == 0o2770


# --- a destination without room ----------------------------------------------------------------


def _fills_up(error: BaseException) -> object:
    """A copy that writes part of the file, then finds the disk full, as on a real one."""

    def copy(source: Path, target: Path, **_: object) -> None:
        target.write_bytes(b"SQLite format 3\0" + b"\0" * 8000)
        Path(f"{target}-journal").write_bytes(b"\0" * 512)
        raise error

    return copy


FULL = sqlite3.OperationalError("database or disk is full")
FULL.sqlite_errorcode = 13  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "error", [OSError(errno.ENOSPC, "No space left on device"), FULL], ids=["ENOSPC", "SQLITE_FULL"]
)
def test_a_backup_to_a_full_disk_names_the_destination_and_leaves_nothing(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: BaseException
) -> None:
    folder = tmp_path / "usb"
    folder.mkdir()
    monkeypatch.setattr(maintenance, "_copy", _fills_up(error))
    with pytest.raises(StoreError) as raised:
        maintenance.backup(db, folder)
    message = str(raised.value)
    assert message.startswith(f"the disk holding {folder} ran full while writing the backup")
    assert message.endswith(
        "Free some space there, or back up elsewhere: smallcrm backup DEST. Nothing was written "
        "there, and the database was not changed."
    )
    assert list(folder.iterdir()) == [], "no partial file, no journal"


def test_a_backup_is_refused_before_writing_when_it_would_not_fit(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from smallcrm.store import health

    monkeypatch.setattr(health, "free_space", lambda folder: 100 * 1024)
    destination = tmp_path / "usb" / "new-folder"
    with pytest.raises(StoreError, match=r"the backup needs about \d+ KiB there, and 100 KiB"):
        maintenance.backup(db, destination)
    assert not destination.exists()


def test_the_backup_command_on_a_full_destination_does_not_blame_the_database(
    db: Database, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from smallcrm.cli import app

    monkeypatch.setattr(maintenance, "_copy", _fills_up(FULL))
    result = CliRunner().invoke(app, ["--db", str(db_path), "backup", str(tmp_path / "usb")])
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"Error: the disk holding {tmp_path / 'usb'} ran full while writing the backup"
    )
    assert "cannot use the database" not in result.stderr
    assert list((tmp_path / "usb").iterdir()) == []
