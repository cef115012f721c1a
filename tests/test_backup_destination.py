"""``smallcrm backup X`` never writes over the database it copies nor into a device: a
mistyped destination is refused in one line, before anything is written."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from smallcrm.cli import app
from smallcrm.store import contacts, maintenance
from smallcrm.store.db import Database
from smallcrm.store.errors import ValidationError

pytestmark = pytest.mark.sqlite_only  # backups copy the SQLite file


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def filled(db: Database) -> Database:
    contacts.create_contact(db, name="Jana Novak")
    return db


@pytest.mark.parametrize(
    ("suffix", "what"),
    [("", "the database itself"), ("-wal", "-wal file"), ("-shm", "-shm file")],
)
def test_a_backup_over_the_database_or_its_companions_is_refused(
    filled: Database, db_path: Path, suffix: str, what: str
) -> None:
    target = Path(f"{db_path}{suffix}")
    before = _digest(db_path)
    with pytest.raises(ValidationError) as refused:
        maintenance.backup(filled, target)
    assert refused.value.field == "destination" and what in refused.value.message
    assert _digest(db_path) == before
    assert [c.name for c in contacts.list_contacts(filled).items] == ["Jana Novak"]


def test_a_link_to_the_database_is_the_database(
    filled: Database, db_path: Path, tmp_path: Path
) -> None:
    soft = tmp_path / "soft.db"
    soft.symlink_to(db_path)
    hard = tmp_path / "hard.db"
    os.link(db_path, hard)
    for link in (soft, hard):
        with pytest.raises(ValidationError, match="is the database itself"):
            maintenance.backup(filled, link)


@pytest.mark.parametrize("device", ["/dev/full", "/dev/null"])
def test_a_device_is_no_destination(filled: Database, device: str) -> None:
    with pytest.raises(ValidationError) as refused:
        maintenance.backup(filled, Path(device))
    assert refused.value.message.startswith(
        f"cannot write a backup to '{device}': it is a device, not a folder or a file."
    )
    assert "the database was not changed" in refused.value.message


def test_a_new_file_and_a_folder_still_take_a_backup(filled: Database, tmp_path: Path) -> None:
    assert maintenance.backup(filled, tmp_path / "copy.db") == tmp_path / "copy.db"
    folder = tmp_path / "usb"
    folder.mkdir()
    assert maintenance.backup(filled, folder).parent == folder


@pytest.mark.parametrize(
    ("destination", "says"),
    [
        ("{db}", "Error: DEST: '{db}' is the database itself; back up to a folder"),
        ("{db}-wal", "Error: DEST: '{db}-wal' is the database's -wal file"),
        ("/dev/full", "Error: DEST: cannot write a backup to '/dev/full': it is a device"),
    ],
)
def test_the_backup_command_refuses_in_one_line(
    filled: Database, db_path: Path, destination: str, says: str
) -> None:
    before = _digest(db_path)
    target = destination.format(db=db_path)
    result = CliRunner().invoke(app, ["--db", str(db_path), "backup", target])
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith(says.format(db=db_path)), result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.output
    assert "cannot use the database" not in result.stderr
    assert _digest(db_path) == before
