"""Text from the data never drives the terminal from the shell: every control character in a
name, a note or a title is made visible on the way out (stored values stay as they are), and
JSON escapes them so scripts still read the stored value."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
from pathlib import Path

import pytest
from hostile_data import NOTES, PAYLOAD, Planted, plant, raw_controls
from typer.testing import CliRunner, Result

from smallcrm.cli import app
from smallcrm.store import contacts
from smallcrm.store.db import open_database


@pytest.fixture
def planted(db_path: Path) -> Planted:
    db = open_database(db_path)
    try:
        return plant(db)
    finally:
        db.close()


def run(db_path: Path, *args: str) -> Result:
    return CliRunner().invoke(app, ["--db", str(db_path), *args])


def commands(p: Planted) -> list[tuple[str, ...]]:
    """Every command that prints the planted text, one way or another."""
    return [
        *(("list", kind) for kind in ("contacts", "accounts", "deals", "interactions")),
        ("list", "appointments"),
        ("show", "contact", str(p.contact)),
        ("show", "account", str(p.account)),
        ("show", "deal", str(p.deal)),
        ("show", "interaction", str(p.interaction)),
        ("show", "appointment", str(p.appointment)),
        ("search", "eve"),
        ("search", "acme"),
        ("today",),
        ("history", "contact", str(p.contact)),
        ("history", "deal", str(p.deal)),
        ("export", "contacts", "-o", "-"),
        ("export", "contacts", "--format", "vcard", "-o", "-"),
        ("export", "accounts", "-o", "-"),
        ("export", "deals", "-o", "-"),
        ("export", "interactions", "-o", "-"),
        ("export", "appointments", "--format", "ical", "-o", "-"),
        ("show", "contact", "Eve"),  # two people called Eve: the ambiguity lists both
        ("show", "contact", f"Nobody {PAYLOAD}"),  # echoed in the error
        ("edit", "contact", str(p.contact), "title=Chief"),
        ("delete", "contact", str(p.contact)),
    ]


def test_no_raw_control_character_reaches_stdout_or_stderr(db_path: Path, planted: Planted) -> None:
    db = open_database(db_path)
    contacts.create_contact(db, allow_duplicate=True, name=f"Eve {PAYLOAD}Blue")
    db.close()
    for args in commands(planted):
        result = run(db_path, *args)
        assert result.exception is None or isinstance(result.exception, SystemExit), args
        for stream in (result.stdout, result.stderr):
            assert raw_controls(stream) == [], (args, stream)
        assert "␛" in result.stdout + result.stderr, (args, "the planted text is shown visibly")


def strings(value: object) -> list[str]:
    """Every string in a parsed JSON value."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        return [text for item in value for text in strings(item)]
    return []


def test_the_stored_value_is_unchanged_and_json_carries_it_escaped(
    db_path: Path, planted: Planted
) -> None:
    for args in (
        ("show", "contact", str(planted.contact), "--json"),
        ("list", "contacts", "--json"),
        ("search", "eve", "--json"),
        ("history", "contact", str(planted.contact), "--json"),
    ):
        result = run(db_path, *args)
        assert result.exit_code == 0, result.output
        assert raw_controls(result.stdout.replace("\n", "")) == [], args
        assert any(PAYLOAD in text for text in strings(json.loads(result.stdout))), args
    shown = json.loads(run(db_path, "show", "contact", str(planted.contact), "--json").stdout)
    assert shown["notes"] == NOTES + " (edited)"


def test_multi_line_notes_keep_their_line_breaks(db_path: Path, planted: Planted) -> None:
    out = run(db_path, "show", "contact", str(planted.contact)).stdout
    assert "first line ␛[31m␛]0;X␇␛]52;c;QUJD␇<U+009B>31m<U+202E>" in out
    assert "second\tline" in out


def test_an_exported_file_keeps_the_data_exactly(
    db_path: Path, planted: Planted, tmp_path: Path
) -> None:
    target = tmp_path / "contacts.csv"  # db_path is a URL on PostgreSQL
    assert run(db_path, "export", "contacts", "-o", str(target)).exit_code == 0
    assert f"{PAYLOAD}Red" in target.read_text(encoding="utf-8")


# --- on a real terminal --------------------------------------------------------------------------

SGR = __import__("re").compile(r"\x1b\[[0-9;]*m")  # rich's own styling


def on_terminal(db_path: Path, *args: str) -> bytes:
    """The bytes ``smallcrm ARGS`` writes to a pseudo-terminal (stdout and stderr)."""
    main, child = pty.openpty()
    env = {**os.environ, "COLUMNS": "100", "LINES": "40", "TERM": "xterm-256color"}
    env.pop("NO_COLOR", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "smallcrm.cli", "--db", str(db_path), *args],
        stdin=child,
        stdout=child,
        stderr=child,
        env=env,
        close_fds=True,
    )
    os.close(child)
    received = b""
    while True:
        ready, _, _ = select.select([main], [], [], 30)
        if not ready:
            break
        try:
            chunk = os.read(main, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        received += chunk
    process.wait(timeout=30)
    os.close(main)
    return received


@pytest.mark.parametrize(
    "args",
    [
        ("list", "contacts"),
        ("show", "contact", "1"),
        ("search", "eve"),
        ("history", "contact", "1"),
        ("show", "contact", "Nobody\x1b]0;X\x07"),
        ("export", "contacts", "-o", "-"),
    ],
)
def test_on_a_terminal_only_rich_styling_is_written(
    db_path: Path, planted: Planted, args: tuple[str, ...]
) -> None:
    # The terminal's line discipline writes each line feed as CR LF.
    text = on_terminal(db_path, *args).decode("utf-8").replace("\r\r\n", "\n")
    assert "␛" in text, text
    assert raw_controls(SGR.sub("", text)) == [], text


def test_an_import_report_shows_the_problem_values_visibly(db_path: Path, tmp_path: Path) -> None:
    source = tmp_path / f"people{PAYLOAD}.csv"
    source.write_text(
        f"Name,Email,Notes\nEve {PAYLOAD}Red,eve@example.com,{PAYLOAD}\n"
        f"Bad {PAYLOAD}Row,not-an-email{PAYLOAD},x\n",
        encoding="utf-8",
    )
    for args in (
        ("import", str(source), "--dry-run"),
        ("import", str(source)),
        ("import", str(source), "--skip-invalid"),
        ("import", "list"),
    ):
        result = run(db_path, *args)
        assert result.exception is None or isinstance(result.exception, SystemExit), args
        assert raw_controls(result.stdout + result.stderr) == [], (args, result.output)
