"""``smallcrm privacy export PERSON`` and ``smallcrm privacy erase PERSON`` through Typer's
CliRunner on a temporary database, and the erase question as a real process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from smallcrm.cli import app

Run = Callable[..., Result]


@pytest.fixture
def db_file(db_path: Path) -> Path:
    return db_path


@pytest.fixture
def run(db_file: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Run:
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None) -> Result:  # noqa: A002
        return runner.invoke(app, ["--db", str(db_file), *args], input=input)

    return invoke


@pytest.fixture
def crm(run: Run) -> Run:
    """Jana Novak (1) with two calls and a deal; Jan Berg (2) whose notes mention Jana."""
    for args in (
        ("add", "account", "Acme GmbH"),
        ("add", "contact", "Jana Novak", "--email", "jana@acme.example", "--phone",
         "+49 30 1234567", "--account", "acme"),
        ("add", "contact", "Jan Berg", "--notes", "Works with Jana Novak (jana@acme.example)"),
        ("log", "call", "jana", "Discussed the renewal", "--body", "Jana wants a discount"),
        ("log", "call", "jana", "Sent the quote"),
        ("add", "deal", "Acme renewal", "--account", "acme", "--contact", "jana"),
    ):  # fmt: skip
        result = run(*args)
        assert result.exit_code == 0, result.output
    return run


def ok(result: Result) -> str:
    assert result.exit_code == 0, result.output
    return result.stdout


def fails(result: Result, code: int = 1) -> str:
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    return result.stderr


def test_export_writes_everything_held_as_json(crm: Run, tmp_path: Path) -> None:
    data = json.loads(ok(crm("privacy", "export", "jana@acme.example")))
    assert data["format"] == "smallcrm-person"
    assert (data["contact"]["first_name"], data["contact"]["account"]) == ("Jana", "Acme GmbH")
    assert [i["subject"] for i in data["interactions"]] == [
        "Discussed the renewal",
        "Sent the quote",
    ]
    assert [o["name"] for o in data["opportunities"]] == ["Acme renewal"]
    assert {e["action"] for e in data["history"]} >= {"create"}
    out = ok(crm("privacy", "export", "novak", "-o", "jana.json"))
    assert out == (
        "Wrote everything held about Jana Novak (contact 1) to jana.json: 2 interactions, "
        "1 deal, 0 appointments, 4 history entries\n"
    )
    saved = json.loads((tmp_path / "jana.json").read_text(encoding="utf-8"))
    assert saved["contact"] == data["contact"]
    assert (tmp_path / "jana.json").stat().st_mode & 0o777 == 0o600


def test_export_reaches_a_contact_in_the_trash_by_id(crm: Run) -> None:
    ok(crm("delete", "contact", "1"))
    assert fails(crm("show", "contact", "jana")).startswith("Error: no contact matches 'jana'.")
    data = json.loads(ok(crm("privacy", "export", "1")))
    assert data["contact"]["deleted_at"]
    err = fails(crm("privacy", "export", "9"))
    assert err == "Error: PERSON: no contact with id 9 (not in the trash either)\n"
    assert fails(crm("privacy", "export", "zed")).startswith("Error: no contact matches 'zed'.")
    shown_help = crm("privacy", "export")
    assert shown_help.exit_code == 2
    assert "Usage: smallcrm privacy export [OPTIONS] {PERSON}" in shown_help.stdout


def test_erase_refuses_without_a_terminal_and_erases_nothing(crm: Run) -> None:
    result = crm("privacy", "erase", "jana")
    assert result.stdout.splitlines()[:2] == [
        "This erases Jana Novak (contact 1) for good:",
        "  the contact with jana@acme.example, +49301234567",
    ]
    assert "  2 interactions and 0 appointments: kept for your figures, anonymised" in result.stdout
    assert fails(result) == (
        "Error: erasing cannot be undone, so it asks first, and there is no terminal to ask on; "
        "add --yes to erase without asking\n"
    )
    assert json.loads(ok(crm("show", "contact", "1", "--json")))["name"] == "Jana Novak"


def test_erase_asks_at_a_terminal(crm: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("smallcrm.cli.feedback.stdin_is_terminal", lambda: True)
    declined = crm("privacy", "erase", "jana", input="\n")
    assert "Erase Jana Novak (contact 1) for good? [y/N]" in declined.stderr
    assert fails(declined).endswith("Nothing was erased.\n")
    accepted = crm("privacy", "erase", "jana", input="y\n")
    assert ok(accepted).splitlines()[-1].startswith("Erased Jana Novak: contact 1 erased: ")


def test_erase_with_yes_leaves_no_trace_in_the_shell(crm: Run) -> None:
    out = ok(crm("privacy", "erase", "1", "--yes"))
    assert "2 interactions and 0 appointments anonymised" in out.splitlines()[-1]
    assert ok(crm("search", "jana", "--json")) == "[]\n"
    assert "Novak" not in ok(crm("export", "all"))
    assert "jana@acme.example" not in ok(crm("export", "interactions"))
    history = json.loads(ok(crm("history", "contact", "1", "--json")))
    assert history[-1]["action"] == "erase"
    assert "Jana" not in json.dumps(history)
    assert fails(crm("privacy", "erase", "1", "--yes")).startswith("Error: PERSON: no contact")


def test_erase_question_as_a_process_without_a_terminal(db_file: Path, crm: Run) -> None:
    env = dict(os.environ, SMALLCRM_DB=str(db_file))
    done = subprocess.run(
        [sys.executable, "-m", "smallcrm.cli", "privacy", "erase", "jana"],
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr.startswith("Error: erasing cannot be undone, so it asks first")
    assert "Traceback" not in done.stderr


# --- the backups that still hold them -----------------------------------------------------------


def _backups(folder: Path) -> list[Path]:
    return sorted((folder / "backups").glob("*.smallcrm-backup.db"))


def _holding_jana(path: Path) -> bool:
    return b"novak" in path.read_bytes().lower() or b"jana@acme" in path.read_bytes()


@pytest.fixture
def backed_up(crm: Run, db_file: Path) -> list[Path]:
    """Two backups holding Jana."""
    ok(crm("backup"))
    ok(crm("log", "call", "jana", "Another call"))
    ok(crm("backup"))
    backups = _backups(db_file.parent)
    assert len(backups) == 2 and all(_holding_jana(p) for p in backups)
    return backups


@pytest.mark.sqlite_only
def test_erase_lists_the_backups_holding_them_before_asking(
    crm: Run, backed_up: list[Path]
) -> None:
    result = crm("privacy", "erase", "jana")
    lines = result.stdout.splitlines()
    at = lines.index(
        "2 backups made before still hold them (they can be scrubbed, deleted or kept):"
    )
    assert lines[at + 1 : at + 4] == [
        f"  {backed_up[0]}",
        f"  {backed_up[1]}",
        "  (backups written elsewhere with smallcrm backup DEST are not searched)",
    ]
    assert lines[at + 4].startswith("It cannot be undone.")
    fails(result)
    assert all(_holding_jana(p) for p in backed_up), "nothing changed"


@pytest.mark.sqlite_only
def test_erase_with_yes_scrubs_the_backups(crm: Run, backed_up: list[Path]) -> None:
    out = ok(crm("privacy", "erase", "jana", "--yes"))
    assert out.splitlines()[-3:] == [
        "Scrubbed them from 2 backups (each checked):",
        f"  {backed_up[0]}",
        f"  {backed_up[1]}",
    ]
    assert not any(_holding_jana(p) for p in backed_up)
    assert "Jan Berg" in ok(crm("--db", str(backed_up[0]), "list", "contacts"))


@pytest.mark.sqlite_only
def test_erase_can_delete_the_old_backups_or_keep_them(
    crm: Run, backed_up: list[Path], db_file: Path
) -> None:
    ok(crm("add", "contact", "Eva Ernst", "--email", "eva@example.com"))
    kept = ok(crm("privacy", "erase", "eva", "--yes", "--keep-backups"))  # none to keep
    assert "No backup that smallcrm keeps holds them." in kept
    assert kept.splitlines()[-1].startswith("Erased Eva Ernst: ")

    out = ok(crm("privacy", "erase", "jana", "--yes", "--delete-old-backups"))
    assert out.splitlines()[-3] == "Deleted 2 backups that held them:"
    assert _backups(db_file.parent) == []


@pytest.mark.sqlite_only
def test_erase_keeps_the_backups_only_when_told_and_says_so(
    crm: Run, backed_up: list[Path]
) -> None:
    out = ok(crm("privacy", "erase", "jana", "--yes", "--keep-backups"))
    assert out.splitlines()[-3:] == [
        "2 backups still hold them, kept as asked:",
        f"  {backed_up[0]}",
        f"  {backed_up[1]}",
    ]
    assert all(_holding_jana(p) for p in backed_up)


@pytest.mark.sqlite_only
def test_erase_asks_what_to_do_with_the_backups_at_a_terminal(
    crm: Run, backed_up: list[Path], monkeypatch: pytest.MonkeyPatch, db_file: Path
) -> None:
    monkeypatch.setattr("smallcrm.cli.feedback.stdin_is_terminal", lambda: True)
    result = crm("privacy", "erase", "jana", input="y\nshred\nd\n")
    assert (
        "The 2 backups holding them: scrub them, delete them, or keep them as they are? "
        "(scrub, delete, keep) [scrub]:"
    ) in result.stderr
    assert "Please answer scrub, delete or keep." in result.stderr
    assert ok(result).splitlines()[-3] == "Deleted 2 backups that held them:"
    assert _backups(db_file.parent) == []


def test_erase_backup_choices_exclude_each_other(crm: Run) -> None:
    result = crm("privacy", "erase", "jana", "--yes", "--keep-backups", "--scrub-backups")
    assert result.exit_code == 2
    assert "choose one of --scrub-backups, --delete-old-backups and --keep-backups" in (
        result.output
    )
    assert json.loads(ok(crm("show", "contact", "1", "--json")))["name"] == "Jana Novak"


@pytest.mark.sqlite_only
def test_erase_as_a_process_scrubs_the_backups(db_file: Path, backed_up: list[Path]) -> None:
    env = dict(os.environ, SMALLCRM_DB=str(db_file))
    done = subprocess.run(
        [sys.executable, "-m", "smallcrm.cli", "privacy", "erase", "jana", "--yes"],
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Scrubbed them from 2 backups (each checked):" in done.stdout
    assert not any(_holding_jana(p) for p in backed_up)


@pytest.mark.sqlite_only
def test_erase_asks_about_one_backup_in_the_singular(
    crm: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    ok(crm("backup"))
    monkeypatch.setattr("smallcrm.cli.feedback.stdin_is_terminal", lambda: True)
    result = crm("privacy", "erase", "jana", input="y\n\n")
    assert "1 backup made before still holds them (they can be scrubbed, deleted or kept):" in (
        result.stdout
    )
    assert "The backup holding them: scrub it, delete it, or keep it as it is?" in result.stderr
    assert "Scrubbed them from 1 backup (each checked):" in ok(result)
