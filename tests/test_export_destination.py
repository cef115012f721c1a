"""Where an export may be written: never over the database, its companions or its backups,
never over a device, a pipe or a folder; through a temporary file, so that a failed write leaves
nothing behind. The same rule for the shell's ``-o`` and the app's save dialog."""

from __future__ import annotations

import errno
import json
import os
import stat
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input
from tui_data import SIZE, Seeded, app_for
from typer.testing import CliRunner

from smallcrm.cli import app
from smallcrm.screens.export_path import ExportPathScreen
from smallcrm.store.contacts import create_contact
from smallcrm.store.db import Database, open_database
from smallcrm.store.errors import ValidationError
from smallcrm.store.io.destination import check_destination, open_destination, write_file

pytestmark = pytest.mark.sqlite_only  # about the database file and its neighbours
pytest_plugins = ["tui_fixtures"]  # the app's fixed clock and seeded database

SQLITE_MAGIC = b"SQLite format 3\x00"


@pytest.fixture
def crm(db: Database) -> Database:
    create_contact(db, name="Anna Adler", emails=["anna@adler.example"])
    return db


def _intact(path: Path) -> None:
    assert path.read_bytes()[:16] == SQLITE_MAGIC, f"{path} was written over"
    reopened = open_database(path)
    with reopened.read() as tx:
        assert tx.scalar("SELECT count(*) FROM contact") == 1
    reopened.close()


def _device_copy(tmp_path: Path) -> Path:
    """A private copy of /dev/full (root only): writing over the real one would break it."""
    node = tmp_path / "full"
    try:
        os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 7))
    except PermissionError:
        pytest.skip("making a device node needs root")
    return node


def _protected(db: Database, tmp_path: Path) -> list[Path]:
    assert db.path is not None
    backups = db.path.parent / "backups"
    backups.mkdir()
    other = tmp_path / "other.sqlite"
    other.write_bytes(SQLITE_MAGIC + b"\0" * 100)
    link = tmp_path / "link-to-db.csv"
    link.symlink_to(db.path)
    return [
        db.path,
        Path(f"{db.path}-wal"),
        Path(f"{db.path}-shm"),
        Path(f"{db.path}-journal"),
        backups / "contacts.csv",
        tmp_path / "crm-20261125T101500Z.smallcrm-backup.db",
        other,
        link,
    ]


# --- the store ---------------------------------------------------------------------------------


def test_store_refuses_the_database_its_files_and_backups(crm: Database, tmp_path: Path) -> None:
    assert crm.path is not None
    for target in _protected(crm, tmp_path):
        with pytest.raises(ValidationError) as caught:
            check_destination(target, crm)
        assert caught.value.field == "output"
        with pytest.raises(ValidationError), open_destination(target, crm) as out:
            out.write("id,name\n")
    _intact(crm.path)


def test_store_refuses_what_is_not_a_regular_file(crm: Database, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    stdout_like = tmp_path / "stdout"
    stdout_like.symlink_to(fifo)  # /dev/stdout is a link to whatever the output is
    dangling = tmp_path / "dangling.csv"
    dangling.symlink_to(tmp_path / "nowhere.csv")
    cases = {
        fifo: "it is a pipe, not a regular file",
        stdout_like: "it is a pipe, not a regular file",
        tmp_path: "it is a folder",
        dangling: "points to nothing",
        tmp_path / "no" / "such.csv": "does not exist",
    }
    for target, reason in cases.items():
        with pytest.raises(ValidationError) as caught:
            check_destination(target, crm)
        assert reason in caught.value.message, (target, caught.value.message)
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_store_refuses_standard_output_by_name(crm: Database, tmp_path: Path) -> None:
    """``/dev/stdout`` of a shell that redirected to a file leads to that regular file."""
    redirected = tmp_path / "log.txt"
    redirected.write_text("the shell's log\n")
    with redirected.open("a") as log:
        for name in ("/dev/stdout", f"/proc/self/fd/{log.fileno()}", f"/dev/fd/{log.fileno()}"):
            with pytest.raises(ValidationError, match="not a regular file"):
                check_destination(name, crm)
    assert redirected.read_text() == "the shell's log\n"


def test_store_refuses_a_device(crm: Database, tmp_path: Path) -> None:
    device = _device_copy(tmp_path)
    with pytest.raises(ValidationError, match="not a regular file"):
        write_file(device, "id\n", crm)
    assert stat.S_ISCHR(device.stat().st_mode), "the device node is still a device"


def test_store_writes_whole_private_files_through_a_temporary(
    crm: Database, tmp_path: Path
) -> None:
    target = tmp_path / "people.csv"
    target.write_text("old\n")
    target.chmod(0o644)
    with open_destination(target, crm) as out:
        out.write("id,name\n")
        assert target.read_text() == "old\n", "replaced only when complete"
    assert target.read_text() == "id,name\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    link = tmp_path / "latest.csv"
    link.symlink_to(target)
    write_file(link, "id,name\n1,Anna\n", crm)
    assert link.is_symlink() and target.read_text() == "id,name\n1,Anna\n"
    assert sorted(p.name for p in tmp_path.iterdir() if "part" in p.name) == []


def test_store_write_error_is_one_line_and_leaves_nothing(crm: Database, tmp_path: Path) -> None:
    kept, new = tmp_path / "kept.csv", tmp_path / "new.csv"
    kept.write_text("previous export\n")
    for target in (kept, new):
        with pytest.raises(ValidationError) as caught, open_destination(target, crm) as out:
            out.write("id,name\n")
            raise OSError(errno.ENOSPC, "No space left on device")
        assert caught.value.message == f"cannot write {str(target)!r}: no space left on device"
    assert kept.read_text() == "previous export\n"
    assert not new.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


def test_store_keeps_a_refusal_from_the_exporter(crm: Database, tmp_path: Path) -> None:
    target = tmp_path / "x.vcf"
    with pytest.raises(ValidationError, match="vCard"), open_destination(target, crm):
        raise ValidationError("format", "vCard holds contacts only")
    assert list(tmp_path.glob("*x.vcf*")) == []


# --- the shell ---------------------------------------------------------------------------------


def _cli(db: Database, *args: str) -> Any:
    return CliRunner().invoke(app, ["--db", str(db.path), *args])


def test_export_over_the_database_is_refused(crm: Database, tmp_path: Path) -> None:
    assert crm.path is not None
    for target in _protected(crm, tmp_path):
        result = _cli(crm, "export", "contacts", "-o", str(target))
        assert result.exit_code == 1, result.output
        assert result.stderr.startswith("Error: -o: "), result.stderr
        assert len(result.stderr.splitlines()) == 1
    _intact(crm.path)


def test_every_command_writing_a_named_file_refuses_the_database(crm: Database) -> None:
    assert crm.path is not None
    from smallcrm.store.appointments import create_appointment

    create_appointment(crm, title="Demo", starts_at=datetime(2026, 11, 27, 14, tzinfo=UTC))
    target = str(crm.path)
    for args in (
        ("export", "all", "-o", target),
        ("export", "contacts", "--format", "json", "--output", target),
        ("invite", "1", "-o", target),
        ("privacy", "export", "1", "-o", target),
    ):
        result = _cli(crm, *args)
        assert result.exit_code == 1, (args, result.output)
        assert "-o: " in result.stderr and "database" in result.stderr, result.stderr
    _intact(crm.path)


# What each command that writes a named file needs before that option.
NEEDS = {
    ("export",): ("all",),
    ("invite",): ("1",),
    ("privacy", "export"): ("1",),
    ("campaign", "export"): ("SPRING26",),
}


def _file_writers() -> list[tuple[tuple[str, ...], str]]:
    """Every shell command with an option naming a file it writes, and that option: found in
    the command tree, so that a new command cannot write over the database unnoticed."""
    import typer

    found: list[tuple[tuple[str, ...], str]] = []

    def walk(command: Any, path: tuple[str, ...]) -> None:
        if hasattr(command, "commands"):
            for name, sub in command.commands.items():
                walk(sub, (*path, name))
            return
        for param in command.params:
            opts = getattr(param, "opts", ())
            written = [o for o in ("-o", "--html") if o in opts]  # as the refusals name them
            if written or "--output" in opts:
                found.append((path, (written or ["--output"])[0]))

    walk(typer.main.get_command(app), ())
    return found


def test_no_command_writes_a_named_file_over_the_database(crm: Database) -> None:
    assert crm.path is not None
    from smallcrm.store.appointments import create_appointment

    create_appointment(crm, title="Demo", starts_at=datetime(2026, 11, 27, 14, tzinfo=UTC))
    assert _cli(crm, "add", "campaign", "Spring offer", "--code", "SPRING26").exit_code == 0
    writers = _file_writers()
    assert {("campaign", "export"), ("report", "all"), ("export",)} <= {p for p, _ in writers}
    for path, option in writers:
        args = (*path, *NEEDS.get(path, ()), option, str(crm.path))
        result = _cli(crm, *args)
        assert result.exit_code == 1, (args, result.output)
        assert f"{option}: " in result.stderr and "database" in result.stderr, (args, result.stderr)
    _intact(crm.path)


def test_export_to_a_device_or_pipe_is_refused(crm: Database, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    result = _cli(crm, "export", "contacts", "-o", str(fifo))
    assert result.exit_code == 1, result.output
    assert "not a regular file" in result.stderr and "-o - " in result.stderr
    device = _device_copy(tmp_path)
    result = _cli(crm, "export", "contacts", "-o", str(device))
    assert result.exit_code == 1, result.output
    assert stat.S_ISCHR(device.stat().st_mode)


def test_export_dash_writes_standard_output(crm: Database) -> None:
    result = _cli(crm, "export", "contacts", "-o", "-", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["records"][0]["first_name"] == "Anna"


def test_export_write_error_is_one_line(
    crm: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from smallcrm.store.io import csvio

    def full_disk(out: Any, columns: Any, rows: Any) -> int:
        out.write("id,first_name\n")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(csvio, "write_csv", full_disk)
    target = tmp_path / "people.csv"
    result = _cli(crm, "export", "contacts", "-o", str(target))
    assert result.exit_code == 1, result.output
    assert result.stderr == (f"Error: -o: cannot write {str(target)!r}: no space left on device\n")
    assert list(tmp_path.glob("*people*")) == []


def test_export_over_the_database_as_a_real_process(crm: Database, tmp_path: Path) -> None:
    assert crm.path is not None
    crm.close()
    for target in (str(crm.path), f"{crm.path}-wal"):
        done = subprocess.run(
            [sys.executable, "-m", "smallcrm.cli", "--db", str(crm.path), "export", "contacts"]
            + ["-o", target],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 1, done.stderr
        assert done.stderr.startswith("Error: -o: ") and "Traceback" not in done.stderr
    _intact(crm.path)


# --- the app -----------------------------------------------------------------------------------


async def test_app_save_dialog_refuses_the_database_and_devices(
    tui_db: Database, seeded: Seeded, tmp_path: Path
) -> None:
    """The privacy export's dialog asks the store's rule before "exists, Enter again"."""
    assert tui_db.path is not None
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        app.open_record("contact", seeded.jana)
        await pilot.pause()
        await pilot.press("x")
        dialog = app.screen
        assert isinstance(dialog, ExportPathScreen)
        for target, reason in (
            (tui_db.path, "is the database"),
            (Path(f"{tui_db.path}-wal"), "is the database"),
            (fifo, "not a regular file"),
        ):
            dialog.query_one(Input).value = str(target)
            await pilot.press("enter", "enter")  # a second Enter must not replace it either
            await pilot.pause()
            assert app.screen is dialog, "the dialog stays open"
            shown = str(dialog.query_one("#export-error").render())
            assert "Could not save" in shown and reason in shown, shown
        dialog.query_one(Input).value = str(tmp_path / "jana.json")
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is not dialog
    assert tui_db.path.read_bytes()[:16] == SQLITE_MAGIC
    assert json.loads((tmp_path / "jana.json").read_text())["contact"]["first_name"] == "Jana"
    assert stat.S_ISFIFO(fifo.stat().st_mode)
