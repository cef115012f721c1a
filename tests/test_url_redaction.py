"""A PostgreSQL password never reaches the user's screen, a log or a traceback: not in URL
parsing errors, not from ``migrate-to`` or ``doctor``, whatever characters it holds."""

from __future__ import annotations

import logging
import os
import string
import subprocess
import sys
import traceback
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from smallcrm.cli import app
from smallcrm.store import urls
from smallcrm.store.db import open_database, redact, redact_url
from smallcrm.store.errors import StoreError

pytest.importorskip("psycopg")

# Segments the test can look for in any output: upper case letters and digits, which no message
# of ours or of libpq's spells in a row of four. Parsers cut passwords at the separators, so
# each segment is checked on its own too (a fragment is a leak as well).
SEGMENT = st.text(alphabet=string.ascii_uppercase + string.digits, min_size=4, max_size=8)
SEPARATOR = st.sampled_from(list("@/?#[]%: !&=+;,'\"\\$^{}|`~<>"))
SLOW = settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))


@pytest.fixture(autouse=True)
def _forget_passwords() -> Iterator[None]:
    """The passwords these tests make up are not redacted from other tests' messages."""
    before = set(urls._SECRETS)
    yield
    urls._SECRETS.clear()
    urls._SECRETS.update(before)


@st.composite
def passwords(draw: st.DrawFn) -> str:
    """Passwords of letters and digits with the characters URLs trip on between them."""
    parts = draw(st.lists(SEGMENT, min_size=1, max_size=3))
    text = draw(st.sampled_from(["", "%", "@", "/"]))
    for part in parts:
        text += part + draw(SEPARATOR)
    return text


def _segments(password: str) -> list[str]:
    pieces = [password]
    current = ""
    for char in password:
        if char.isalnum():
            current += char
        else:
            pieces.append(current)
            current = ""
    pieces.append(current)
    return [p for p in pieces if len(p) >= 4]


def _urls(password: str) -> list[str]:
    """URLs a user might type: well formed, unescaped, a bad escape, a broken IPv6 host."""
    escaped = quote(password, safe="")
    return [
        f"postgresql+psycopg://crm:{escaped}@127.0.0.1:1/crm",
        f"postgresql+psycopg://crm:{password}@127.0.0.1:1/crm",
        f"postgresql+psycopg://crm:{escaped}%zz@127.0.0.1:1/crm",
        f"postgresql+psycopg://crm:{escaped}@[::1/crm",
        f"postgresql://crm@127.0.0.1:1/crm?password={escaped}",
        f"postgres://crm:{password}@[::1:1/crm",
    ]


def _assert_hidden(text: str, password: str) -> None:
    for piece in _segments(password):
        assert piece not in text, f"{piece!r} (of {password!r}) leaked: {text}"
    assert quote(password, safe="") not in text


def _failure_text(url: str) -> str:
    """Everything a failed open could show: the message and the whole traceback."""
    with pytest.raises(StoreError) as caught:
        open_database(url)
    return str(caught.value) + "".join(traceback.format_exception(caught.value))


# --- the store ---------------------------------------------------------------------------------


def test_redact_url_hides_the_password_of_any_url() -> None:
    assert redact_url("postgresql+psycopg://crm:s3cret@db.example:5432/crm") == (
        "postgresql+psycopg://crm:***@db.example:5432/crm"
    )
    assert redact_url("postgresql+psycopg://crm:p@ss/w@rd@db/crm") == (
        "postgresql+psycopg://crm:***@db/crm"
    )
    assert redact_url("postgresql://db/crm?sslmode=require&password=s3cret") == (
        "postgresql://db/crm?sslmode=require&password=***"
    )
    assert redact_url("postgresql://db.example/crm") == "postgresql://db.example/crm"
    assert redact_url("/srv/crm.db") == "/srv/crm.db"


def test_redact_hides_every_spelling_of_the_password() -> None:
    url = "postgresql+psycopg://crm:S%40CRET%2F1@db/crm"
    text = 'bad "S%40CRET%2F1", decoded S@CRET/1, escaped S%40CRET%2F1'
    assert "CRET" not in redact(text, url)


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://u:SECRETPW@[::1/db",
        "postgresql+psycopg://u:SECR%zzETPW@localhost/db",
        "postgresql+psycopg://u:SECR@ETPW@127.0.0.1:1/db",
        "postgresql+psycopg://u:SECR/ETPW@127.0.0.1:1/db",
        "postgresql+psycopg://u:SECRETPW@127.0.0.1:1/db",
        "postgresql+psycopg://u:SECRETPW@127.0.0.1:99999/db",
        "postgresql://u@127.0.0.1:1/db?password=SECRETPW",
    ],
)
def test_failed_opens_never_show_the_password(url: str) -> None:
    text = _failure_text(url)
    assert "SECRETPW" not in text and "ETPW" not in text, text
    assert "***" in text or "password" not in text


def test_bad_urls_say_what_is_wrong() -> None:
    assert "%40" in _failure_text("postgresql+psycopg://u:SECR@ETPW@127.0.0.1:1/db")
    assert "%2F" in _failure_text("postgresql+psycopg://u:SECR/ETPW@127.0.0.1:1/db")
    assert "%25" in _failure_text("postgresql+psycopg://u:SECR%zzETPW@localhost/db")


@SLOW
@given(password=passwords())
def test_no_store_error_carries_a_password(password: str) -> None:
    for url in _urls(password):
        _assert_hidden(_failure_text(url), password)


def test_driver_logs_are_redacted(caplog: pytest.LogCaptureFixture) -> None:
    url = "postgresql+psycopg://u:SECRETPW@127.0.0.1:1/db"
    with pytest.raises(StoreError):
        open_database(url)
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("psycopg").warning("connecting to %s", url)
        logging.getLogger("sqlalchemy.engine").warning("url %s", url)
    assert caplog.records
    assert "SECRETPW" not in caplog.text


# --- the shell ---------------------------------------------------------------------------------


@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
@given(password=passwords())
def test_no_failing_command_prints_a_password(password: str) -> None:
    runner = CliRunner()
    for url in _urls(password)[:4]:
        for args in (["--db", url, "doctor"], ["migrate-to", url]):
            result = runner.invoke(app, args)
            assert result.exit_code in (1, 2), (args, result.output)
            assert "Traceback" not in result.output
            _assert_hidden(result.output, password)


def test_real_processes_never_print_the_password(tmp_path: Path) -> None:
    env = dict(os.environ, SMALLCRM_DB=str(tmp_path / "here.db"))
    for url in (
        "postgresql+psycopg://u:SECRETPW@[::1/db",
        "postgresql+psycopg://u:SECR%zzETPW@localhost/db",
        "postgresql+psycopg://u:SECR@ETPW@127.0.0.1:1/db",
    ):
        for args in (
            ("--db", url, "list", "contacts"),
            ("--db", url, "doctor"),
            ("migrate-to", url),
        ):
            done = subprocess.run(
                [sys.executable, "-m", "smallcrm.cli", *args],
                capture_output=True,
                text=True,
                env=env,
                timeout=60,
                check=False,
            )
            assert done.returncode == 1, done.stderr
            output = done.stdout + done.stderr
            assert "ETPW" not in output and "Traceback" not in output, output
            assert output.startswith("Error: "), output


@pytest.mark.postgres_only
def test_migrate_to_a_server_with_a_password_of_special_characters(
    db_path: str, tmp_path: Path
) -> None:
    """The password reaches the server intact (the migrations' engine too) and is never shown."""
    scheme, rest = db_path.split("://", 1)
    user, _, host = rest.partition("@")
    target = f"{scheme}://{user}:{quote('S@C/R?E#T%', safe='')}@{host}"
    source = tmp_path / "source.db"
    runner = CliRunner()
    assert runner.invoke(app, ["--db", str(source), "add", "contact", "Anna Adler"]).exit_code == 0
    copied = runner.invoke(app, ["--db", str(source), "migrate-to", target])
    assert copied.exit_code == 0, copied.output
    again = runner.invoke(app, ["--db", str(source), "migrate-to", target])
    assert again.exit_code == 1
    for output in (copied.output, again.output):
        assert ":***@" in output
        assert "S@C" not in output and "S%40C" not in output
