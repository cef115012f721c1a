"""What an interrupted restore leaves beside the database is removed on the next start, and a
restore that is still running is never tidied away; a restore without room changes nothing."""

from __future__ import annotations

import errno
import hashlib
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from smallcrm.cli import app
from smallcrm.store import contacts, doctor, health, leftovers, maintenance
from smallcrm.store.db import open_database
from smallcrm.store.errors import StoreError, ValidationError

pytestmark = pytest.mark.sqlite_only

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def crm(tmp_path: Path) -> Path:
    """A database with two contacts and a backup of it in backups/ beside it."""
    path = tmp_path / "crm.db"
    db = open_database(path)
    contacts.create_contact(db, name="Jana Novak")
    contacts.create_contact(db, name="Jan Berg")
    maintenance.backup(db)
    db.close()
    return path


def _backup(crm: Path) -> Path:
    return maintenance.list_backups(crm.parent / "backups", crm.stem)[-1]


def _beside(crm: Path) -> list[str]:
    """The files beside the database other than itself, its side files and backups/."""
    ignored = {crm.name, f"{crm.name}-wal", f"{crm.name}-shm", "backups"}
    return sorted(p.name for p in crm.parent.iterdir() if p.name not in ignored)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _as_a_killed_restore_left_them(crm: Path) -> list[str]:
    """The files a restore killed while keeping the old database aside leaves (as seen after
    SIGKILL): the staged backup, and the half-made copy of the database with its journal."""
    staged = leftovers.staged_path(crm)
    shutil.copyfile(_backup(crm), staged)
    Path(f"{staged}-journal").write_bytes(b"\0" * 512)
    kept = leftovers.kept_path(crm)
    kept.write_bytes(crm.read_bytes()[:8192])
    Path(f"{kept}-journal").write_bytes(b"\0" * 512)
    return [staged.name, f"{staged.name}-journal", kept.name, f"{kept.name}-journal"]


def test_a_killed_restore_is_tidied_up_when_the_database_is_next_opened(crm: Path) -> None:
    before = _digest(crm)
    assert _beside(crm) == []
    assert sorted(_as_a_killed_restore_left_them(crm)) == _beside(crm)

    result = subprocess.run(
        [sys.executable, "-m", "smallcrm.cli", "--db", str(crm), "list", "contacts"],
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert _beside(crm) == []
    assert _digest(crm) == before or maintenance.integrity_problems(crm) == []
    db = open_database(crm)
    assert sorted(c.name for c in contacts.iter_contacts(db)) == ["Jan Berg", "Jana Novak"]
    db.close()


HOLD = """
import sys, time
from pathlib import Path
from smallcrm.store import leftovers
with leftovers.restoring(Path(sys.argv[1])) as staged:
    staged.write_bytes(b"half a backup")
    leftovers.kept_path(Path(sys.argv[1])).write_bytes(b"half a copy")
    print("restoring", flush=True)
    time.sleep(60)
"""


def test_a_running_restore_is_left_alone(crm: Path) -> None:
    restore = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(crm)], stdout=subprocess.PIPE, text=True, cwd=REPO
    )
    try:
        assert restore.stdout is not None and restore.stdout.readline() == "restoring\n"
        running = ["crm.db.restoring", "crm.db.restoring-kept"]
        assert _beside(crm) == running

        db = open_database(crm)  # a start while it runs
        findings = {f.check: f for f in doctor.doctor(db)}
        db.close()
        assert _beside(crm) == running, "the running restore's files stay"
        assert findings["restore"].detail.startswith("a restore of this database is running")
        with pytest.raises(ValidationError, match="another restore of .* is running"):
            maintenance.restore(crm, _backup(crm))
        assert _beside(crm) == running
    finally:
        restore.kill()  # killed: its files stay behind, as after a crash
        restore.communicate(timeout=30)

    assert _beside(crm) == running
    open_database(crm).close()
    assert _beside(crm) == []


def _cut_short_copy(crm: Path, name: str) -> None:
    """What versions before this one left when killed while keeping the database aside: the
    copy under its final name, part written, with its hot journal (taken from a copy in the
    middle of being written, as SIGKILL would leave it)."""
    scratch = crm.parent / "scratch.db"
    conn = sqlite3.connect(scratch, isolation_level=None)
    conn.execute("PRAGMA cache_size = 1")  # pages reach the file before the commit
    conn.execute("BEGIN")
    conn.execute("CREATE TABLE t (x)")
    conn.executemany("INSERT INTO t VALUES (?)", [("x" * 500,)] * 200)
    shutil.copyfile(scratch, crm.parent / name)
    shutil.copyfile(f"{scratch}-journal", crm.parent / f"{name}-journal")
    conn.execute("ROLLBACK")
    conn.close()
    scratch.unlink()


def test_an_older_versions_cut_short_copy_is_rolled_back_and_removed(crm: Path) -> None:
    cut = "crm.before-restore-20261125T101500000000Z.db"
    whole = "crm.before-restore-20261124T101500000000Z.db"
    _cut_short_copy(crm, cut)
    shutil.copyfile(_backup(crm), crm.parent / whole)  # a complete one, from a good restore
    assert _beside(crm) == [whole, cut, f"{cut}-journal"]

    result = CliRunner().invoke(app, ["--db", str(crm), "doctor"])

    assert result.exit_code == 0, result.output
    assert f"ok   leftovers: removed what an interrupted restore left: {cut}, {cut}-journal" in (
        result.stdout
    )
    assert _beside(crm) == [whole]


def test_doctor_names_leftovers_it_cannot_remove(
    crm: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = _as_a_killed_restore_left_them(crm)
    monkeypatch.setattr(leftovers, "_unlink", lambda path: False)  # another user's files, say
    result = CliRunner().invoke(app, ["--db", str(crm), "doctor"])
    assert result.exit_code == 1
    assert "FAIL leftovers: an interrupted restore left files that could not be removed: " in (
        result.stdout
    )
    stay = " ".join(str(crm.parent / name) for name in sorted(names))
    assert f"repair: remove them (nothing uses them): rm {stay}" in result.stdout


# --- no room to restore ----------------------------------------------------------------------


def test_a_restore_without_room_is_refused_before_writing(
    crm: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _digest(crm)
    monkeypatch.setattr(health, "free_space", lambda folder: 64 * 1024)
    with pytest.raises(StoreError) as raised:
        maintenance.restore(crm, _backup(crm))
    assert str(raised.value).startswith(
        f"not enough space on the disk holding {crm.parent}: the restore needs about "
    )
    assert "and 64 KiB are free. It needs room for the backup and for a copy" in str(raised.value)
    assert _digest(crm) == before and _beside(crm) == []


def test_a_disk_that_fills_during_a_restore_leaves_the_database_as_it_was(
    crm: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _digest(crm)
    copy = maintenance._copy

    def fills_up(source: Path, target: Path, **options: object) -> None:
        if target == leftovers.kept_path(crm):  # the backup is staged; keeping the old fails
            target.write_bytes(b"\0" * 4096)
            raise OSError(errno.ENOSPC, "No space left on device")
        copy(source, target, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(maintenance, "_copy", fills_up)
    with pytest.raises(StoreError, match=r"ran full while writing the restore .* Nothing was"):
        maintenance.restore(crm, _backup(crm))
    assert _digest(crm) == before
    assert _beside(crm) == [], "neither the staged backup nor the half copy stays"
