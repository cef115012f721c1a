"""Restoring the database from a backup: under write load, and as ``smallcrm restore FILE``.

``smallcrm restore KIND ID`` brings a record back from the trash; one argument is a backup
file (``smallcrm.cli.routing`` tells the two apart). The command checks the file before
replacing anything, keeps the database it replaces and says where, refuses PostgreSQL, bad
files and a database still open elsewhere, and asks first unless ``--yes``. ``doctor`` says how
to repair what it finds, even for a file too damaged to open.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from smallcrm.cli import app
from smallcrm.store import contacts, doctor, maintenance, search
from smallcrm.store.db import open_database

pytestmark = pytest.mark.sqlite_only

CHILD = Path(__file__).with_name("writer_child.py")


@pytest.fixture
def crm(new_sqlite_database: Callable[[str], Path]) -> Path:
    """A database file with two contacts and a backup of it in backups/ beside it."""
    path = new_sqlite_database("crm.db")
    db = open_database(path)
    contacts.create_contact(
        db, allow_duplicate=True, name="Jana Novak", emails=["jana@example.com"]
    )
    contacts.create_contact(db, allow_duplicate=True, name="Jan Berg")
    maintenance.backup(db)
    db.close()
    return path


def _backup(crm: Path) -> Path:
    return maintenance.list_backups(crm.parent / "backups", crm.stem)[-1]


def _run(crm: Path, *args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(app, ["--db", str(crm), *args], input=stdin)


def _names(path: Path) -> list[str]:
    db = open_database(path)
    try:
        return sorted(contact.name for contact in contacts.iter_contacts(db))
    finally:
        db.close()


def _fingerprint(folder: Path) -> dict[str, str]:
    """Every file of the folder and a hash of its bytes: "nothing was changed" to the byte."""
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def _add_after_backup(crm: Path) -> None:
    db = open_database(crm)
    contacts.create_contact(db, allow_duplicate=True, name="After Backup")
    db.close()


# --- restoring ---------------------------------------------------------------------------------


def test_restore_file_puts_the_backup_back_and_keeps_the_database_it_replaces(crm: Path) -> None:
    _add_after_backup(crm)
    backup = _backup(crm)

    result = _run(crm, "restore", str(backup), "--yes")

    assert result.exit_code == 0, result.output
    assert (
        f"Replace  {crm}\n         3 contacts, 0 accounts, 0 deals; last change " in result.stdout
    )
    assert f"with     {backup}\n         2 contacts, 0 accounts, 0 deals" in result.stdout
    assert f"Restored {crm} from {backup} (checked: sound)." in result.stdout
    kept = Path(result.stdout.split("kept as ", 1)[1].split(";", 1)[0])
    assert kept.parent == crm.parent and kept.name.startswith("crm.before-restore-")
    assert f"to go back: smallcrm restore {kept}" in result.stdout
    assert _names(crm) == ["Jan Berg", "Jana Novak"]
    assert _names(kept) == ["After Backup", "Jan Berg", "Jana Novak"]
    assert stat.S_IMODE(crm.stat().st_mode) == 0o600

    back = _run(crm, "restore", str(kept), "--yes")  # and the way back it printed works
    assert back.exit_code == 0, back.output
    assert _names(crm) == ["After Backup", "Jan Berg", "Jana Novak"]


def test_restore_backup_in_words_and_the_trash_restore_beside_it(crm: Path) -> None:
    result = _run(crm, "restore", "backup", str(_backup(crm)), "-y")
    assert result.exit_code == 0 and "Restored" in result.stdout, result.output
    db = open_database(crm)
    contacts.delete_contact(db, 2)
    db.close()
    assert _run(crm, "restore", "contact", "2").stdout == "Restored contact 2 (Jan Berg)\n"


def test_without_a_terminal_restore_needs_yes_and_changes_nothing(crm: Path) -> None:
    _add_after_backup(crm)
    before = _fingerprint(crm.parent)

    result = _run(crm, "restore", str(_backup(crm)))

    assert result.exit_code == 1
    assert "there is no terminal to ask on; add --yes to restore without asking" in result.stderr
    assert _fingerprint(crm.parent) == before


def test_restore_asks_first(crm: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("smallcrm.cli.feedback.stdin_is_terminal", lambda: True)
    _add_after_backup(crm)
    before = _fingerprint(crm.parent)

    declined = _run(crm, "restore", str(_backup(crm)), stdin="n\n")
    assert declined.exit_code == 1 and "Nothing was restored." in declined.stderr
    assert "Replace the database with the backup (the current one is kept aside)?" in (
        declined.output
    )
    assert _fingerprint(crm.parent) == before

    accepted = _run(crm, "restore", str(_backup(crm)), stdin="y\n")
    assert accepted.exit_code == 0, accepted.output
    assert _names(crm) == ["Jan Berg", "Jana Novak"]


def test_restore_into_a_missing_database_file_asks_to_create_it(
    crm: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("smallcrm.cli.feedback.stdin_is_terminal", lambda: True)
    fresh = tmp_path / "elsewhere" / "new.db"  # a mistyped --db, say
    declined = _run(fresh, "restore", str(_backup(crm)), stdin="n\n")
    assert declined.exit_code == 1 and "(no such file yet)" in declined.stdout
    assert f"There is no database at {fresh}; create it from the backup?" in declined.output
    assert not fresh.parent.exists()

    made = _run(fresh, "restore", str(_backup(crm)), "--yes")
    assert made.exit_code == 0, made.output
    assert "kept as" not in made.stdout  # there was nothing to keep
    assert _names(fresh) == ["Jan Berg", "Jana Novak"]


def _damaged_copies(crm: Path, folder: Path) -> dict[str, Path]:
    folder.mkdir()
    backup = _backup(crm)
    garbage = folder / "garbage.db"
    garbage.write_bytes(os.urandom(8192))
    notes = folder / "notes.txt"
    notes.write_text("Jana Novak, jana@example.com\n")
    other = folder / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x)")
    conn.close()
    cut = folder / "cut.db"
    cut.write_bytes(backup.read_bytes()[: backup.stat().st_size // 3])
    newer = folder / "newer.db"
    newer.write_bytes(backup.read_bytes())
    with sqlite3.connect(newer) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.close()
    return {"garbage": garbage, "notes": notes, "other": other, "cut": cut, "newer": newer}


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("garbage", "is not a sound backup: it is not a database file"),
        ("notes", "is not a sound backup: it is not a database file"),
        ("other", "is not a sound backup: it is a database, but not a smallcrm one"),
        ("cut", "is not a sound backup: the file is damaged (cut short or overwritten)"),
        ("newer", "was made by a newer smallcrm (schema 9999; this one knows up to"),
    ],
)
def test_restore_refuses_a_file_that_is_not_a_sound_backup(
    crm: Path, tmp_path: Path, case: str, message: str
) -> None:
    source = _damaged_copies(crm, tmp_path / "files")[case]
    before = _fingerprint(crm.parent)

    result = _run(crm, "restore", str(source), "--yes")

    assert result.exit_code == 1, result.output
    assert result.stderr.startswith(f"Error: FILE: {source} ")
    assert message in result.stderr and "Nothing was changed." in result.stderr
    assert "Traceback" not in result.output
    assert _fingerprint(crm.parent) == before


def test_restore_typos_get_a_pointer(crm: Path) -> None:
    before = _fingerprint(crm.parent)
    typo = _run(crm, "restore", str(crm.parent / "backups" / "crm-2026.db"), "--yes")
    assert typo.exit_code == 1
    assert f"no file {crm.parent / 'backups' / 'crm-2026.db'}" in typo.stderr
    assert f"The newest backup of this database is {_backup(crm)}" in typo.stderr

    folder = _run(crm, "restore", str(crm.parent / "backups"), "--yes")
    assert folder.exit_code == 1 and f"the newest backup there is {_backup(crm)}" in folder.stderr

    itself = _run(crm, "restore", str(crm), "--yes")
    assert itself.exit_code == 1 and "is the database itself" in itself.stderr

    no_id = _run(crm, "restore", "contact")
    assert no_id.exit_code == 1
    assert "To bring a record back from the trash give its kind and id: smallcrm restore " in (
        no_id.stderr
    )
    assert "smallcrm restore contact ID" in no_id.stderr
    kind_typo = _run(crm, "restore", "contatc", "2")
    assert kind_typo.exit_code == 1 and "KIND: 'contatc' is not one of contact" in kind_typo.stderr
    assert _fingerprint(crm.parent) == before


def test_restore_refuses_on_postgresql_without_connecting(crm: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["--db", "postgresql+psycopg://nobody@127.0.0.1:1/none", "restore", str(_backup(crm))],
    )
    assert result.exit_code == 1
    assert "this database is on a PostgreSQL server" in result.stderr
    assert "pg_restore" in result.stderr


def test_restore_refuses_while_someone_has_the_database_open(crm: Path) -> None:
    before = _fingerprint(crm.parent)
    someone = open_database(crm)  # the app left open in another session
    try:
        result = _run(crm, "restore", str(_backup(crm)), "--yes")
    finally:
        someone.close()
    assert result.exit_code == 1
    assert "is open in another program" in result.stderr and "Nothing was changed" in (
        result.stderr
    )
    assert _fingerprint(crm.parent) == before
    assert _run(crm, "restore", str(_backup(crm)), "--yes").exit_code == 0


def test_a_restored_shared_database_stays_shared(crm: Path) -> None:
    crm.chmod(0o660)
    result = _run(crm, "restore", str(_backup(crm)), "--yes")
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(crm.stat().st_mode) == 0o660


def test_restore_help_explains_both_forms(crm: Path) -> None:
    general = _run(crm, "restore", "--help")
    assert general.exit_code == 0
    text = " ".join(general.stdout.split())
    assert "smallcrm restore contact 12: contact 12 back from the trash" in text
    assert "smallcrm restore FILE: the database replaced by a backup" in text
    assert "it asks first unless --yes" in text
    specific = _run(crm, "restore", "backup.db", "--help")
    assert specific.exit_code == 0
    text = " ".join(specific.stdout.split())
    assert "Replace the database with a backup" in text and "--yes" in text
    assert "kept beside it as NAME.before-restore-TIME.db" in text
    listing = _run(crm, "--help").stdout
    assert "Bring a record back from the trash (KIND ID), or the database" in listing


def test_restore_as_a_real_command(crm: Path, tmp_path: Path) -> None:
    env = dict(os.environ, SMALLCRM_DB=str(crm), XDG_DATA_HOME=str(tmp_path / "xdg"))
    _add_after_backup(crm)
    command = [sys.executable, "-m", "smallcrm.cli", "restore", str(_backup(crm))]
    refused = subprocess.run(
        command, capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL, check=False
    )
    assert refused.returncode == 1 and "add --yes" in refused.stderr
    assert "Traceback" not in refused.stderr
    done = subprocess.run(
        [*command, "--yes"], capture_output=True, text=True, env=env, check=False, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert _names(crm) == ["Jan Berg", "Jana Novak"]


# --- doctor --------------------------------------------------------------------------------------


def _damage(path: Path, offset: int, size: int) -> None:
    with path.open("r+b") as out:
        out.seek(offset)
        out.write(b"\xa5" * size)


def test_doctor_names_the_backup_to_restore_for_a_damaged_file(crm: Path) -> None:
    _damage(crm, 4096 * 3, 4096 * 4)
    # A process of its own, as from a shell: in-process, CliRunner keeps the failed command's
    # traceback and with it the database the command opened, which restore would refuse.
    result = subprocess.run(
        [sys.executable, "-m", "smallcrm.cli", "--db", str(crm), "doctor"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 1
    assert "FAIL integrity: the file is damaged" in result.stdout
    assert (
        f"repair: restore the newest good backup: smallcrm restore {_backup(crm)} "
        "(the damaged file is kept aside)"
    ) in result.stdout
    assert result.stderr == "Error: the database needs repair (see above)\n"

    restored = _run(crm, "restore", str(_backup(crm)), "--yes")  # the advice works
    assert restored.exit_code == 0, restored.output
    kept = Path(restored.stdout.split("kept as ", 1)[1].split(";", 1)[0])
    assert kept.exists(), "the damaged file is kept aside, byte for byte"
    assert "FAIL" not in _run(crm, "doctor").stdout


def test_doctor_on_a_file_too_damaged_to_open_still_says_what_to_do(
    new_sqlite_database: Callable[[str], Path],
) -> None:
    path = new_sqlite_database("lost.db")
    _damage(path, 0, 100)
    result = _run(path, "doctor")
    assert result.exit_code == 1
    assert "FAIL integrity: it is not a database file (or its first page is damaged)" in (
        result.stdout
    )
    assert f"sqlite3 {path} .recover | sqlite3 recovered.db" in result.stdout
    assert "smallcrm restore recovered.db" in result.stdout


# --- a backup taken under write load, then restored ---------------------------------------------


def _editor(path: Path) -> subprocess.Popen[str]:
    child = subprocess.Popen(
        [sys.executable, str(CHILD), "edits", str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None and child.stdout.readline() == "editing\n"
    return child


def _consistent(path: Path) -> int:
    """Check a copy is one moment of the database: every edited contact's counter, version
    and audit trail agree. Returns the number of edits it holds."""
    db = open_database(path)
    try:
        assert search.check_index(db)
        with db.read() as tx:
            rows = tx.all(
                "SELECT c.notes, c.version, (SELECT count(*) FROM audit_entry a WHERE "
                "a.kind = 'contact' AND a.record_id = c.id AND a.action = 'update') AS audited "
                "FROM contact c"
            )
            calls = int(tx.scalar("SELECT count(*) FROM interaction"))
    finally:
        db.close()
    for row in rows:
        assert row["version"] == 1 + int(row["notes"]) == 1 + row["audited"]
    return sum(int(row["notes"]) for row in rows) + calls


@pytest.mark.slow
def test_backups_taken_while_three_processes_write_restore_to_a_sound_database(
    tmp_path: Path, new_sqlite_database: Callable[[str], Path]
) -> None:
    path = new_sqlite_database("busy.db")
    db = open_database(path)
    for i in range(4):
        contacts.create_contact(db, allow_duplicate=True, name=f"Edited {i}", notes="0")
    editors = [_editor(path) for _ in range(3)]
    try:
        copies = []
        for _ in range(3):
            time.sleep(0.15)
            copies.append(maintenance.backup(db, tmp_path / "backups"))
    finally:
        for editor in editors:
            editor.kill()
            editor.communicate(timeout=30)
    db.close()

    edits = [_consistent(copy) for copy in copies]
    for copy in copies:
        assert maintenance.integrity_problems(copy) == []
    assert edits[0] < edits[1] < edits[2], "the writers kept writing between the backups"

    kept = maintenance.restore(path, copies[1])
    assert _consistent(path) == edits[1]
    assert _consistent(kept) >= edits[2], "the database it replaced is kept whole"
    restored = open_database(path)
    assert [f.check for f in doctor.doctor(restored) if not f.ok] == []
    contacts.create_contact(
        restored, allow_duplicate=True, name="After Restore"
    )  # and it takes writes again
    restored.close()
