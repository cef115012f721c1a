"""Which database a command opens: an empty ``--db`` or ``SMALLCRM_DB`` is refused (never the
default database in its place), and folders are created only for the default location."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from smallcrm.cli import app
from smallcrm.store.db import default_database_path, open_database, resolve_url
from smallcrm.store.errors import StoreError, ValidationError

pytestmark = pytest.mark.sqlite_only  # about SQLite files and folders


def _default_file(tmp_path: Path) -> Path:
    return tmp_path / "xdg-data" / "smallcrm" / "smallcrm.db"


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "smallcrm.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


# --- an empty value ----------------------------------------------------------------------------


def test_store_refuses_an_empty_db_value(tmp_path: Path) -> None:
    for value in ("", "   "):
        with pytest.raises(ValidationError) as caught:
            resolve_url(value)
        assert caught.value.field == "db"
        assert "empty" in caught.value.message
    assert not _default_file(tmp_path).exists()


def test_store_refuses_an_empty_environment_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SMALLCRM_DB", "")
    with pytest.raises(ValidationError) as caught:
        open_database(None)
    assert caught.value.field == "SMALLCRM_DB"
    assert "unset SMALLCRM_DB" in caught.value.message
    assert not _default_file(tmp_path).exists()


def test_shell_refuses_an_empty_db_option(tmp_path: Path) -> None:
    for args in (["--db", ""], ["--db="]):
        result = CliRunner().invoke(app, [*args, "list", "contacts"])
        assert result.exit_code == 1, result.output
        assert result.stderr.startswith("Error: --db: is empty"), result.stderr
        assert "Traceback" not in result.output
    assert not _default_file(tmp_path).exists()


def test_shell_refuses_an_empty_environment_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SMALLCRM_DB", "")
    result = CliRunner().invoke(app, ["list", "contacts"])
    assert result.exit_code == 1, result.output
    assert "SMALLCRM_DB: is set but empty" in result.stderr
    assert not _default_file(tmp_path).exists()


def test_empty_db_as_real_processes(tmp_path: Path) -> None:
    env = dict(os.environ, XDG_DATA_HOME=str(tmp_path / "xdg-data"))
    for args in (
        ("--db", "", "list", "contacts"),
        ("--db", "", "search", "anna"),  # the quick search path, without Typer
        ("--db", "", "add", "contact", "Anna Adler"),
    ):
        done = _run(*args, env=env)
        assert done.returncode == 1, done.stderr
        assert "--db: is empty" in done.stderr
        assert "Traceback" not in done.stderr
    env["SMALLCRM_DB"] = ""
    done = _run("add", "contact", "Anna Adler", env=env)
    assert done.returncode == 1, done.stderr
    assert "SMALLCRM_DB: is set but empty" in done.stderr
    assert not _default_file(tmp_path).exists()


# --- folders -----------------------------------------------------------------------------------


def test_store_does_not_create_missing_folders(tmp_path: Path) -> None:
    for target in (tmp_path / "missing" / "dir" / "a.db", f"sqlite:///{tmp_path}/gone/a.db"):
        with pytest.raises(StoreError) as caught:
            open_database(target)
        assert "does not exist; create it first" in str(caught.value)
    assert list(tmp_path.iterdir()) == []


def test_store_creates_the_default_location(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SMALLCRM_DB")
    assert not default_database_path().parent.exists()
    open_database(None).close()
    assert default_database_path() == _default_file(tmp_path)
    assert _default_file(tmp_path).is_file()


def test_shell_names_the_missing_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["--db", "missing/dir/a.db", "list", "contacts"])
    assert result.exit_code == 1, result.output
    assert result.stderr == (
        f"Error: the folder {tmp_path / 'missing' / 'dir'} does not exist; create it first\n"
    )
    assert not (tmp_path / "missing").exists()
    monkeypatch.setenv("SMALLCRM_DB", str(tmp_path / "nowhere" / "crm.db"))
    result = CliRunner().invoke(app, ["add", "contact", "Anna Adler"])
    assert result.exit_code == 1, result.output
    assert "does not exist; create it first" in result.stderr
    assert not (tmp_path / "nowhere").exists()


def test_missing_folder_as_a_real_process(tmp_path: Path) -> None:
    env = dict(os.environ, XDG_DATA_HOME=str(tmp_path / "xdg-data"))
    done = subprocess.run(
        [sys.executable, "-m", "smallcrm.cli", "--db", "missing/dir/a.db", "list", "contacts"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert "missing/dir does not exist; create it first" in done.stderr
    assert not (tmp_path / "missing").exists()
