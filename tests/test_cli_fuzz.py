"""Every shell command, driven with arbitrary text, huge numbers and far-off dates: never a
traceback, always exit 0, 1 or 2, and a command that fails writes nothing.

The commands are found by walking the Typer command tree (routed words such as ``import undo``
included), so a new command is covered without touching this file.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import typer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.main import get_command
from typer.testing import CliRunner

from smallcrm.cli.main import app, build_app
from smallcrm.store import accounts, appointments, contacts, interactions, kinds, opportunities
from smallcrm.store.db import open_database

pytestmark = pytest.mark.sqlite_only  # compares the database file before and after


def commands() -> list[tuple[tuple[str, ...], Any]]:
    """Every leaf command as (words, click command), routed subcommands included."""
    found: list[tuple[tuple[str, ...], Any]] = []

    def walk(command: Any, words: tuple[str, ...]) -> None:
        children = getattr(command, "commands", None)
        if children:
            for name, child in children.items():
                walk(child, (*words, name))
            return
        found.append((words, command))
        routed = getattr(command, "subcommands", None)
        if isinstance(routed, typer.Typer):
            walk(typer.main.get_group(routed), words)

    walk(get_command(app), ())
    return found


COMMANDS = commands()
# Options that do something slow and unrelated to parsing (load 1,500 sample records).
SKIPPED = {("demo", "--force")}
PATH_NAMES = {"file", "destination", "path", "output", "target"}

HUGE = [
    "9" * 23, str(2**63), str(2**63 - 1), str(2**64), "-1", "0", "-" + "9" * 30, "1e309",
    "nan", "inf", "3000000000", "1" * 5000,
]  # fmt: skip
DATES = [
    "0001-01-01", "0001-01-01 00:30", "9999-12-31", "9999-12-31 23:30", "2026-02-30",
    "1899-12-31", "3000-01-01", "today", "+999999d", "in 999999 years", "-999999w",
    "fri 25:00", "12/31/2026", "yesterday 16:00", "1.1.", "eom",
]  # fmt: skip
WORDS = [
    *kinds.words(), "contacts", "deals", "call", "email", "meeting", "note", "visit", "won",
    "lost", "proposal", "csv", "vcard", "json", "ical", "undo", "list", "backup", "currency",
    "timezone", "phone_region", "name=x", "stage=won", "amount=" + "9" * 30, "close=0001-01-01",
    "tags+=x", "FREQ=SECONDLY", "FREQ=DAILY;COUNT=" + "9" * 20, "FREQ=YEARLY;UNTIL=99991231",
    "2h", "999999h", "-1h", "99999999999999999999m", "contact:" + "9" * 23, "deal#0", "#1",
    "1", "2", "account:1", "x:1", "%", "_", "\\", "*", "", " ", "-", "jana", "Acme",
]  # fmt: skip
IDS = ["1", "2", "0", "#1", "contact:1", "deal:1", "account:1", "x:1", "contact:" + "9" * 23]
NUMBERS = ["1", "5", "100", "0", "-5", "3.5", "12k", "50%"]
REPEATS = [
    "FREQ=SECONDLY",
    "FREQ=MINUTELY;INTERVAL=5",
    "FREQ=HOURLY",
    "FREQ=WEEKLY;BYDAY=MO",
    "FREQ=DAILY;COUNT=" + "9" * 20,
    "FREQ=YEARLY;UNTIL=99991231",
    "RRULE:FREQ=DAILY",
    "W1 TH",
]
DURATIONS = ["2h", "45", "999999h", "-1h", "0", "99999999999999999999m", "1.5h", "2d"]
# What a parameter takes, by its name: most drawn values fit it, so the line gets past the
# parser and reaches the store; the rest are arbitrary.
HINTS: dict[str, list[str]] = {
    "kind": [*kinds.words(), *(kinds.get(n).plural for n in kinds.NAMES), "call", "note", "x"],
    "at": DATES, "follow_up": DATES, "close": DATES, "since": DATES, "until": DATES,
    "birthday": DATES, "when": DATES,
    "record_id": IDS + HUGE, "entry_id": IDS + HUGE, "batch": IDS + HUGE, "ref": IDS + HUGE,
    "keep": IDS + HUGE, "other": IDS + HUGE, "who": IDS + HUGE, "pick": IDS + HUGE,
    "deal": IDS + HUGE, "account": IDS + HUGE, "contact": IDS + HUGE, "with_": IDS + HUGE,
    "person": IDS + HUGE, "appointment": IDS + HUGE,
    "limit": NUMBERS + HUGE, "if_version": NUMBERS + HUGE, "probability": NUMBERS + HUGE,
    "reminder": NUMBERS + HUGE, "min_score": NUMBERS + HUGE, "days": NUMBERS + HUGE,
    "timeline": NUMBERS + HUGE, "amount": NUMBERS + HUGE, "duration": DURATIONS,
    "repeat": REPEATS, "tag": ["%", "_", "vip", "\\", "v%p"], "assignments": WORDS,
}  # fmt: skip
TEXT = st.text(st.characters(exclude_characters="\x00", exclude_categories=("Cs",)), max_size=24)
VALUES = st.one_of(TEXT, st.sampled_from(HUGE + DATES + WORDS), st.integers().map(str))
PATHS = st.sampled_from(
    ["-", "out.csv", "people.csv", "missing.vcf", "dir/x.csv", ".", "new.db", "sqlite:///x.db",
     "postgresql://u:pw@[::1/db", "mysql://h/db", "backups"]
) | st.text("abcxyz.-_", min_size=1, max_size=8)  # fmt: skip


def _is_path(param: Any) -> bool:
    return param.name in PATH_NAMES or "--output" in param.opts


@st.composite
def command_lines(draw: st.DrawFn) -> list[str]:
    """One command line: the words, each argument, and some of the options."""
    words, command = draw(st.sampled_from(COMMANDS))
    line = list(words)
    for param in command.params:
        if param.name == "help" or (words[0], param.opts[0]) in SKIPPED:
            continue
        hint = HINTS.get(param.name)
        values = PATHS if _is_path(param) else VALUES
        if hint and not _is_path(param):
            values = st.sampled_from(hint) | VALUES
        if param.param_type_name == "argument":
            count = draw(st.integers(0, 3)) if param.nargs == -1 else 1
            line += [draw(values) for _ in range(count)]
        elif draw(st.integers(0, 3)) == 0:
            line.append(param.opts[0])
            if not getattr(param, "is_flag", False):
                line.append(draw(values))
    return line


def fingerprint(db_file: Path) -> str:
    """A digest of everything the database holds."""
    with sqlite3.connect(db_file) as conn:
        return hashlib.sha256("\n".join(conn.iterdump()).encode()).hexdigest()


@pytest.fixture
def workspace(db_path: Path, tmp_path: Path) -> Iterator[Path]:
    """A small database and a folder to run in (files the commands write land there)."""
    db = open_database(db_path)
    acme = accounts.create_account(db, name="Acme GmbH")
    jana = contacts.create_contact(db, name="Jana Novak", account_id=acme.id, emails=["j@a.de"])
    opportunities.create_opportunity(db, name="Renewal", account_id=acme.id, amount="12k")
    interactions.log_interaction(db, kind="call", subject="Hello", contact_id=jana.id)
    appointments.create_appointment(
        db, title="Demo", starts_at=clock_now(), duration=timedelta(hours=1), contact_id=jana.id
    )
    db.close()
    folder = tmp_path / "work"
    folder.mkdir()
    (folder / "people.csv").write_text("Name,Email\nEve Red,eve@example.com\n", encoding="utf-8")
    cwd = Path.cwd()
    os.chdir(folder)
    try:
        yield db_path
    finally:
        os.chdir(cwd)


def clock_now() -> Any:
    from smallcrm.store import clock

    return clock.now()


@settings(
    max_examples=300,
    deadline=timedelta(seconds=20),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(line=command_lines())
def test_no_command_line_gives_a_traceback_or_half_a_change(
    workspace: Path, line: list[str]
) -> None:
    before = fingerprint(workspace)
    # As the console script does: only the command being run is built (the whole tree costs
    # Typer a third of a second per run).
    command = build_app(line[0], line[1] if len(line) > 1 else None)
    result = CliRunner().invoke(command, ["--db", str(workspace), *line])
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        line,
        result.output,
        result.exception,
    )
    assert "Traceback" not in result.output, (line, result.output)
    assert result.exit_code in (0, 1, 2), (line, result.exit_code, result.output)
    if result.exit_code != 0:
        assert fingerprint(workspace) == before, (line, "a failed command wrote", result.output)


# --- the command lines that gave tracebacks --------------------------------------------------

HUGE_ID = "99999999999999999999999"


@pytest.mark.parametrize(
    ("line", "code", "says"),
    [
        (["delete", "contact", HUGE_ID], 2, "Invalid value for 'ID'"),
        (["restore", "contact", HUGE_ID], 2, "Invalid value for 'ID'"),
        (["done", HUGE_ID], 2, "Invalid value for 'ID'"),
        (["import", "undo", HUGE_ID], 2, "Invalid value for 'BATCH'"),
        (["merge", "undo", "9223372036854775808"], 2, "Invalid value for 'MERGE_ID'"),
        (["edit", "contact", HUGE_ID, "name=x"], 1, "ID: '9999"),
        (["history", "contact", HUGE_ID], 1, "ID: '9999"),
        (["privacy", "export", HUGE_ID], 1, "PERSON: '9999"),
        (["log", "call", "--id", "contact:1", "1", "x", "--at", "0001-01-01"], 1, "--at: 0001"),
        (["add", "meeting", "Old", "0001-01-01 00:30"], 1, "WHEN: 0001-01-01 is out of range"),
        (
            ["add", "meeting", "Far", "9999-12-31 23:30", "--duration", "2h"],
            1,
            "--duration: ends after 9999-12-31",
        ),
        (["add", "meeting", "Last", "9999-12-31 22:00", "--duration", "1h"], 0, "Added"),
        (["add", "contact", "Old", "Timer", "--birthday", "1850-01-01"], 1, "--birthday: 1850"),
        (["add", "deal", "Old", "--account", "1", "--close", "1899-12-31"], 1, "--close: 1899"),
        (["list", "contacts", "--since", "1899-12-31"], 1, "--since: 1899-12-31"),
        (["list", "contacts", "--until", "9999-12-31"], 0, "Jana"),
        (["list", "interactions", "--until", "9999-12-31"], 0, "Hello"),
        (["history", "contact", "1" * 5000], 1, "ID: '1111"),
        (["import", "list", "--limit", HUGE_ID], 0, ""),
        (["history", "contact", "1", "--limit", HUGE_ID], 0, ""),
        (["init-shared", ".", "--group", str(2**64)], 1, "no group"),
    ],
)
def test_each_line_that_gave_a_traceback_now_says_what_is_accepted(
    workspace: Path, line: list[str], code: int, says: str
) -> None:
    before = fingerprint(workspace)
    result = CliRunner().invoke(app, ["--db", str(workspace), *line])
    assert result.exit_code == code, (result.output, result.exception)
    assert says in " ".join(result.output.split()), result.output
    assert "Traceback" not in result.output
    if code:
        assert fingerprint(workspace) == before


@pytest.mark.parametrize(
    ("target", "says"),
    [
        ("/dev/null", "--db: '/dev/null' is not a regular file"),
        ("/dev/full", "--db: '/dev/full' is not a regular file"),
        (".", "is a folder"),
        ("sqlite://u:pw@/x.db", "--db: a SQLite URL names a file and nothing else"),
    ],
)
def test_a_database_that_cannot_be_one_is_refused_in_one_line(
    tmp_path: Path, target: str, says: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # back where it was afterwards, for the tests that follow
    result = CliRunner().invoke(app, ["--db", target, "list", "contacts"])
    assert result.exit_code == 1 and result.output.count("\n") == 1, result.output
    assert says in result.output and "pw" not in result.output


def test_an_unexpected_error_is_one_line_and_names_the_way_to_the_details(
    monkeypatch: pytest.MonkeyPatch, workspace: Path
) -> None:
    from smallcrm.store import search

    def broken(*args: Any, **kwargs: Any) -> None:
        raise KeyError("oops")

    monkeypatch.setattr(search, "search", broken)
    result = CliRunner().invoke(app, ["--db", str(workspace), "search", "jana"])
    assert result.exit_code == 70 and "Traceback" not in result.output
    assert "unexpected KeyError: 'oops'" in result.output and "SMALLCRM_DEBUG=1" in result.output
    monkeypatch.setenv("SMALLCRM_DEBUG", "1")
    result = CliRunner().invoke(app, ["--db", str(workspace), "search", "jana"])
    assert isinstance(result.exception, KeyError), "the developer sees the traceback"
