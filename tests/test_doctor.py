"""``doctor`` says what is actually wrong: a full disk, another user's read-only file, a lock,
or real damage; and each of those is never reported as one of the others.

The real conditions are made where the machine allows it: a 2 MiB tmpfs filled to the last
byte (root only), a database of root's opened as ``nobody`` through ``runuser`` (root only),
a lock held by another process. Elsewhere the same paths are driven by injecting the errors
SQLite and the file system raise (``ENOSPC``, ``SQLITE_IOERR_SHMSIZE``, ``SQLITE_READONLY``).
"""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
import subprocess
import sys
import sysconfig
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from smallcrm.cli import app
from smallcrm.store import contacts, doctor, health, maintenance
from smallcrm.store.db import Database, open_database

pytestmark = pytest.mark.sqlite_only

REPO = Path(__file__).resolve().parents[1]


def sqlite_error(message: str, code: int) -> sqlite3.OperationalError:
    """An error as SQLite raises it, with its (extended) result code."""
    exc = sqlite3.OperationalError(message)
    exc.sqlite_errorcode = code  # type: ignore[attr-defined]
    return exc


SHMSIZE = sqlite_error("disk I/O error", 4874)  # SQLITE_IOERR_SHMSIZE: the -shm cannot grow
READONLY = sqlite_error("attempt to write a readonly database", 8)


def smallcrm(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "smallcrm.cli", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        env=env,
    )


def fill(folder: Path) -> None:
    """Write a file in ``folder`` until its disk is full."""
    with (folder / "filler").open("wb", buffering=0) as out:
        try:
            while True:
                out.write(b"\0" * 4096)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 2 MiB file system of its own (a tmpfs; mounting needs root)."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    mount = tmp_path / "small-disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2M", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _crm(path: Path) -> Path:
    db = open_database(path)
    contacts.create_contact(db, name="Jana Novak", emails=["jana@example.com"])
    db.close()
    return path


# --- a full disk -------------------------------------------------------------------------------


def test_doctor_on_a_full_disk_says_the_disk_is_full_not_that_the_file_is_damaged(
    small_disk: Path,
) -> None:
    path = _crm(small_disk / "crm.db")
    fill(small_disk)

    listed = smallcrm("--db", str(path), "list", "contacts")
    assert listed.returncode == 1
    assert "smallcrm doctor says why and what to do" in listed.stderr

    result = smallcrm("--db", str(path), "doctor")
    assert result.returncode == 1
    assert f"FAIL space: the disk holding {small_disk} is full: 0 bytes free, and smallcrm " in (
        result.stdout
    )
    assert "needs about 3.9 MiB there" in result.stdout
    assert "repair: free at least 3.9 MiB on that disk" in result.stdout
    assert "ok   integrity: the database file is sound" in result.stdout
    assert "damaged" not in result.stdout and "restore" not in result.stdout
    assert result.stderr.startswith("Error: the database file is sound, but it cannot be used")

    (small_disk / "filler").unlink()
    assert smallcrm("--db", str(path), "doctor").returncode == 0


def test_a_backup_to_a_full_disk_says_the_destination_is_full(
    small_disk: Path, db_path: Path
) -> None:
    path = _crm(db_path)
    fill(small_disk)

    result = smallcrm("--db", str(path), "backup", str(small_disk))

    assert result.returncode == 1
    assert result.stderr.startswith(
        f"Error: not enough space on the disk holding {small_disk}: the backup needs about "
    )
    assert "back up elsewhere: smallcrm backup DEST" in result.stderr
    assert "cannot use the database" not in result.stderr
    assert sorted(p.name for p in small_disk.iterdir()) == ["filler"], "no partial file"
    assert smallcrm("--db", str(path), "doctor").returncode == 0, "the database is fine"


def test_a_restore_onto_a_full_disk_changes_nothing(small_disk: Path, db_path: Path) -> None:
    backup = _crm(db_path)
    path = _crm(small_disk / "crm.db")
    fill(small_disk)
    before = path.read_bytes()

    result = smallcrm("--db", str(path), "restore", str(backup), "--yes")

    assert result.returncode == 1
    assert f"Error: not enough space on the disk holding {small_disk}: the restore needs " in (
        result.stderr
    )
    assert result.stderr.rstrip().endswith("Nothing was changed.")
    assert path.read_bytes() == before
    # (Opening it to describe it left SQLite's -shm stub of a full disk; nothing of a restore.)
    assert not [p for p in small_disk.iterdir() if "restor" in p.name]


def test_full_disk_injected_the_database_cannot_be_opened(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _crm(db_path)
    monkeypatch.setattr(health, "free_space", lambda folder: 0)

    def full(self: Database) -> None:
        raise SHMSIZE

    monkeypatch.setattr(Database, "_connect_sqlite", full)
    result = CliRunner().invoke(app, ["--db", str(db_path), "doctor"])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[1].startswith(f"FAIL space: the disk holding {db_path.parent} is full: 0 bytes")
    assert lines[3] == "ok   integrity: the database file is sound"
    assert "damaged" not in result.stdout


def test_a_nearly_full_disk_is_a_warning(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(health, "free_space", lambda folder: 1024 * 1024)
    space = {f.check: f for f in doctor.doctor(db)}["space"]
    assert space.ok
    assert space.detail.startswith("only 1.0 MiB free on the disk holding")
    assert "changes may fail soon" in space.detail


def test_a_check_stopped_by_a_full_disk_is_not_a_failure_of_its_own(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    import smallcrm.store.search as search

    def cannot(db: Database) -> bool:
        raise sqlite_error("database or disk is full", 13)

    monkeypatch.setattr(search, "check_index", cannot)
    found = {f.check: f for f in doctor.doctor(db)}["search index"]
    assert (found.ok, found.checked, found.blocked_by) == (True, False, "space")
    assert found.detail == "not checked: the disk is full (see space)"


# --- another user's database -------------------------------------------------------------------


def _as_nobody() -> list[str]:
    """The command line running smallcrm as ``nobody`` (skips unless root and runnable)."""
    if os.geteuid() != 0 or shutil.which("runuser") is None:
        pytest.skip("running a command as another user needs root and runuser")
    paths = f"{REPO}:{sysconfig.get_paths()['purelib']}"
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    for python in (sys.executable, f"/usr/bin/python{version}", f"/usr/local/bin/python{version}"):
        command = ["runuser", "-u", "nobody", "--", "env", "-i", f"PYTHONPATH={paths}",
                   "HOME=/tmp", "SMALLCRM_NOW=2026-11-25T10:30:00+00:00",
                   "SMALLCRM_TIMEZONE=UTC", python]  # fmt: skip
        probe = subprocess.run([*command, "-c", "import smallcrm.cli"], capture_output=True)
        if probe.returncode == 0:
            return [*command, "-m", "smallcrm.cli"]
    pytest.skip("no Python interpreter that nobody may run")


@pytest.fixture
def shared_tmp() -> Iterator[Path]:
    """A folder every user may enter (pytest's own is its owner's only)."""
    folder = Path(tempfile.mkdtemp(prefix="smallcrm-doctor-", dir="/tmp"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.parametrize("layout", ["read-only file", "read-only folder"])
def test_doctor_on_another_users_read_only_database(shared_tmp: Path, layout: str) -> None:
    nobody = _as_nobody()
    path = _crm(shared_tmp / "crm.db")
    if layout == "read-only file":
        shared_tmp.chmod(0o1777)  # nobody may make the -wal and -shm files, not change crm.db
        path.chmod(0o444)
    else:
        path.chmod(0o644)

    result = subprocess.run(
        [*nobody, "--db", str(path), "doctor"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 1, result.stderr
    mode = "-r--r--r--" if layout == "read-only file" else "-rw-r--r--"
    assert (
        f"FAIL access: you (nobody) may not change {path}: it belongs to root:root with mode {mode}"
    ) in result.stdout
    assert "repair: run smallcrm as root (sudo -u root smallcrm ...)" in result.stdout
    assert f"to only read it, work on a copy: cp {path} ~/" in result.stdout
    assert "ok   integrity: the database file is sound" in result.stdout
    assert "FAIL search index" not in result.stdout and "--repair" not in result.stdout
    assert "damaged" not in result.stdout
    if layout == "read-only file":
        assert "skip search index: not checked: it needs to write to the database (see access)" in (
            result.stdout
        )


def test_a_read_only_search_check_is_not_an_index_out_of_step(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    import smallcrm.store.search as search

    def refused(db: Database) -> bool:
        raise READONLY

    monkeypatch.setattr(search, "check_index", refused)
    monkeypatch.setattr(health, "access_problem", lambda path: ("you may not", "ask"))
    found = {f.check: f for f in doctor.doctor(db)}
    assert found["search index"].detail == (
        "not checked: it needs to write to the database (see access)"
    )
    assert not found["access"].ok and found["access"].detail == "you may not"


def test_the_search_check_raises_what_is_not_an_index_out_of_step(db: Database) -> None:
    from smallcrm.store.search import check_index

    contacts.create_contact(db, name="Jana Novak")
    assert check_index(db)
    with db.read() as tx:
        tx.execute("PRAGMA query_only = ON")  # writes now fail as on a read-only file
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        check_index(db)


def test_doctor_says_who_may_use_the_database(db: Database) -> None:
    access = {f.check: f for f in doctor.doctor(db)}["access"]
    me = health.user_name(os.geteuid())
    assert access.ok
    assert access.detail == (
        f"you ({me}) may read and change crm.db and create its -wal and -shm files beside it"
    )


# --- a lock ------------------------------------------------------------------------------------

HOLD_LOCK = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("PRAGMA locking_mode = EXCLUSIVE")
conn.execute("BEGIN EXCLUSIVE")
conn.execute("UPDATE contact SET notes = 'held'")
print("locked", flush=True)
time.sleep(60)
"""


@pytest.mark.slow
def test_doctor_on_a_locked_database_names_the_lock(db_path: Path) -> None:
    path = _crm(db_path)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
        result = smallcrm("--db", str(path), "doctor")
    finally:
        holder.kill()
        holder.communicate(timeout=30)
    assert result.returncode == 1
    assert "FAIL lock: another program holds crm.db locked, so it could not be checked; " in (
        result.stdout
    )
    assert f"(pid {holder.pid})" in result.stdout
    assert "skip integrity: not checked: another program holds the database locked (see lock)" in (
        result.stdout
    )
    assert "damaged" not in result.stdout and "smallcrm restore" not in result.stdout
    assert "needs repair" not in result.stderr
    assert smallcrm("--db", str(path), "doctor").returncode == 0


# --- the failure sorting itself ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("exc", "kind"),
    [
        (sqlite_error("database disk image is malformed", 11), "damage"),
        (sqlite_error("file is not a database", 26), "damage"),
        (sqlite_error("database is locked", 5), "busy"),
        (sqlite_error("database or disk is full", 13), "full"),
        (SHMSIZE, "io"),
        (READONLY, "access"),
        (sqlite_error("unable to open database file", 14), "access"),
        (sqlite_error("no such table: alembic_version", 1), "damage"),
        (OSError(errno.ENOSPC, "No space left on device"), "full"),
        (OSError(errno.EACCES, "Permission denied"), "access"),
        (sqlite3.OperationalError("database is locked"), "busy"),
    ],
)
def test_failures_are_sorted_by_their_sqlite_code(exc: BaseException, kind: str) -> None:
    assert health.trouble(exc) == kind


def test_sizes_read_as_people_read_them() -> None:
    assert [health.size_text(n) for n in (0, 1, 1023, 250_000, 4_128_768, 5 * 2**30)] == [
        "0 bytes", "1 byte", "1023 bytes", "244 KiB", "3.9 MiB", "5.0 GiB",
    ]  # fmt: skip


# --- checking never loosens this process's hold on the database --------------------------------

OTHER_WRITER = """
import sys
from smallcrm.store import contacts
from smallcrm.store.db import open_database
db = open_database(sys.argv[1])
contacts.create_contact(db, allow_duplicate=True, name="Other Process")
db.close()
"""


def test_checks_keep_this_process_hold_so_another_leaves_the_wal_alone(
    db: Database, db_path: Path
) -> None:
    """Reading the database file with ``open()`` would drop this process's locks: another
    process closing its connection would take itself for the last one and delete the ``-wal``
    and ``-shm`` under this process's open connection (a damaged view, lost writes)."""
    contacts.create_contact(db, name="Jana Novak")
    assert health.page_size(db_path) == 4096
    assert health.working_space(db_path) > health.SHM_BYTES
    assert [f.check for f in doctor.doctor(db) if not f.ok] == []

    done = subprocess.run(
        [sys.executable, "-c", OTHER_WRITER, str(db_path)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert Path(f"{db_path}-wal").exists(), "the other process took itself for the last one"
    assert {c.name for c in contacts.iter_contacts(db)} == {"Jana Novak", "Other Process"}
    contacts.create_contact(db, name="Max Mustermann")
    db.close()
    assert maintenance.integrity_problems(db_path) == []
    reopened = open_database(db_path)
    assert len(list(contacts.iter_contacts(reopened))) == 3
    reopened.close()


def test_the_page_size_is_read_from_any_database_or_assumed() -> None:
    with tempfile.TemporaryDirectory() as folder:
        big = Path(folder) / "big.db"
        conn = sqlite3.connect(big)
        conn.execute("PRAGMA page_size = 65536")
        conn.execute("CREATE TABLE t (x)")
        conn.close()
        assert health.page_size(big) == 65536
        assert health.page_size(Path(folder) / "missing.db") == 4096
        (Path(folder) / "text.db").write_text("not a database at all, just some words")
        assert health.page_size(Path(folder) / "text.db") == 4096
