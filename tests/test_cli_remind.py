"""``smallcrm remind --due/--next``, ``today --brief`` and doctor's reminder warning, as a user
runs them (subprocesses: the delivery command is a real program)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from smallcrm.store import appointments, contacts, interactions
from smallcrm.store.db import open_database

pytestmark = pytest.mark.sqlite_only
NOW = datetime(2026, 11, 25, 10, 30, tzinfo=UTC)


@pytest.fixture
def env(db_path: Path, tmp_path: Path) -> dict[str, str]:
    db = open_database(db_path)
    jana = contacts.create_contact(db, first_name="Jana", last_name="Novak")
    appointments.create_appointment(
        db, title="Demo; $(touch pwned)", starts_at=NOW + timedelta(minutes=10),
        reminder_minutes=15, contact_id=jana.id,
    )  # fmt: skip
    for n in range(12):
        interactions.log_interaction(
            db, kind="call", subject=f"Call {n}", happened_at=NOW,
            follow_up_on=NOW.date() - timedelta(days=n % 3), contact_id=jana.id,
        )  # fmt: skip
    db.close()
    return {**os.environ, "SMALLCRM_DB": str(db_path), "SMALLCRM_NOW": NOW.isoformat()}


def smallcrm(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "smallcrm.cli", *args],
        capture_output=True, text=True, env=env, timeout=60, check=False, cwd=env["HOME_DIR"]
        if "HOME_DIR" in env else None,
    )  # fmt: skip


def test_remind_due_prints_each_once(env: dict[str, str]) -> None:
    first = smallcrm(env, "remind", "--due")
    assert first.returncode == 0, first.stderr
    lines = first.stdout.splitlines()
    assert len(lines) == 13
    assert lines[0].startswith("Follow up:") or "Demo" in "".join(lines)
    assert "10:40 Demo; $(touch pwned) with Jana Novak (in 10 min) [appointment 1]" in lines
    assert smallcrm(env, "remind", "--due").stdout == ""


def test_remind_due_hands_text_to_the_command_without_a_shell(
    env: dict[str, str], tmp_path: Path
) -> None:
    script = tmp_path / "deliver.py"
    script.write_text("import sys\nopen(sys.argv[1], 'a').write(repr(sys.argv[2:]) + '\\n')\n")
    out = tmp_path / "got.txt"
    env = {
        **env,
        "SMALLCRM_REMINDER_COMMAND": f"{sys.executable} {script} {out}",
        "HOME_DIR": str(tmp_path),
    }
    done = smallcrm(env, "remind", "--due")
    assert done.returncode == 0, done.stderr
    got = out.read_text().splitlines()
    assert len(got) == 13
    assert "['10:40 Demo; $(touch pwned) with Jana Novak (in 10 min) [appointment 1]']" in got
    assert not (tmp_path / "pwned").exists()


def test_a_failing_command_is_reported_and_tried_again(env: dict[str, str]) -> None:
    failing = {**env, "SMALLCRM_REMINDER_COMMAND": "false"}
    done = smallcrm(failing, "remind", "--due")
    assert done.returncode == 1
    assert "Not delivered" in done.stderr and "false exited with 1" in done.stderr
    assert "Traceback" not in done.stderr
    missing = {**env, "SMALLCRM_REMINDER_COMMAND": "no-such-notifier-x"}
    assert "no such command" in smallcrm(missing, "remind", "--due").stderr
    assert len(smallcrm(env, "remind", "--due").stdout.splitlines()) == 13


def test_remind_next_is_one_line(env: dict[str, str]) -> None:
    done = smallcrm(env, "remind", "--next")
    meeting = "10:40 Demo; $(touch pwned) with Jana Novak (in 10 min)"
    assert done.stdout == f"{meeting} | 12 follow-ups due\n"


def test_remind_needs_due_or_next(env: dict[str, str]) -> None:
    done = smallcrm(env, "remind")
    assert done.returncode == 1 and "--due" in done.stderr


def test_today_brief_fits_ten_lines(env: dict[str, str]) -> None:
    done = smallcrm(env, "today", "--brief")
    lines = done.stdout.splitlines()
    assert len(lines) == 10, done.stdout
    assert lines[0] == "Wed 25 Nov: 1 appointment, 12 follow-ups due (8 overdue)"
    assert "10:40 Demo" in lines[1]
    assert "2 d overdue" in lines[2]  # overdue first
    assert lines[-1] == "  ... 5 more: smallcrm today"
    other = smallcrm({**env, "SMALLCRM_USER": "someone-else"}, "today", "--brief")
    assert other.stdout == "Wed 25 Nov: 0 appointments, 0 follow-ups due\n"


def test_doctor_warns_when_remind_due_never_ran(env: dict[str, str]) -> None:
    done = smallcrm(env, "doctor")
    assert "warn reminders: 13 due" in done.stdout
    assert "remind --due" in done.stdout and "*/5 * * * *" in done.stdout
    smallcrm(env, "remind", "--due")
    assert "warn reminders" not in smallcrm(env, "doctor").stdout


def test_remind_due_imports_no_textual(env: dict[str, str]) -> None:
    code = (
        "import sys; sys.argv = ['smallcrm', 'remind', '--due']\n"
        "from smallcrm.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "assert 'textual' not in sys.modules and 'sqlmodel' not in sys.modules, 'heavy'\n"
    )
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_follow_up_time_setting(env: dict[str, str], tmp_path: Path) -> None:
    env = {**env, "SMALLCRM_CONFIG": str(tmp_path / "c.toml")}
    assert "follow_up_time: 09:00" in " ".join(smallcrm(env, "config", "show").stdout.split())
    shown = json.loads(smallcrm(env, "config", "show", "--json").stdout)
    assert shown["follow_up_time"]["value"] == "09:00"
    assert smallcrm(env, "config", "set", "follow_up_time", "8.30").returncode == 0
    assert "08:30" in (tmp_path / "c.toml").read_text()
    wrong = smallcrm(env, "config", "set", "follow_up_time", "25:00")
    assert wrong.returncode == 1 and "time of day" in wrong.stderr


def test_a_title_that_names_the_person_is_not_followed_by_them_again(
    env: dict[str, str],
) -> None:
    db = open_database(Path(env["SMALLCRM_DB"]))
    appointments.create_appointment(
        db, title="Call with Jana Novak", starts_at=NOW + timedelta(minutes=5),
        reminder_minutes=10, contact_id=1,
    )  # fmt: skip
    db.close()
    brief = smallcrm(env, "today", "--brief").stdout
    assert "10:35 Call with Jana Novak [appointment 2]" in brief, brief
    assert "10:40 Demo; $(touch pwned) with Jana Novak [appointment 1]" in brief
    due = smallcrm(env, "remind", "--due").stdout
    assert "10:35 Call with Jana Novak (in 5 min) [appointment 2]" in due.splitlines(), due
