"""The shell commands as real processes: exit codes, stderr, JSON on stdout, what they import,
and a reader that goes away (``| head``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

NOW = "2026-11-25T10:30:00"
HEAVY = {"textual", "sqlalchemy", "sqlmodel", "alembic", "rich", "email_validator"}


@pytest.fixture
def env(tmp_path: Path, db_path: Path) -> dict[str, str]:
    """The environment of every process: a private database, user, region and clock."""
    values = dict(os.environ)
    values.update(
        SMALLCRM_DB=str(db_path),
        SMALLCRM_USER="tester",
        SMALLCRM_PHONE_REGION="DE",
        SMALLCRM_NOW=NOW,
        XDG_DATA_HOME=str(tmp_path / "xdg"),
    )
    return values


def smallcrm(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m smallcrm.cli ARGS`` (the console script's own entry point)."""
    return subprocess.run(
        [sys.executable, "-m", "smallcrm.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


@pytest.fixture
def crm(env: dict[str, str]) -> dict[str, str]:
    """A database with Acme GmbH and two contacts whose names start with "jan" (made through
    the store in-process: a subprocess each would triple the time of these tests)."""
    from smallcrm.store.accounts import create_account
    from smallcrm.store.contacts import create_contact
    from smallcrm.store.db import open_database

    database = open_database(env["SMALLCRM_DB"])
    acme = create_account(database, allow_duplicate=True, name="Acme GmbH")
    create_contact(
        database,
        allow_duplicate=True,
        name="Jana Novak",
        account_id=acme.id,
        emails=["jana@example.com"],
    )
    create_contact(database, allow_duplicate=True, name="Jan Berg", account_id=acme.id)
    database.close()
    return env


def test_success_prints_to_stdout_only(crm: dict[str, str]) -> None:
    done = smallcrm(crm, "log", "call", "jana", "Discussed renewal", "--follow-up", "fri")
    assert done.returncode == 0
    assert done.stdout == (
        "Logged call 1 with Jana Novak (Acme GmbH) on Wed 2026-11-25 10:30: Discussed renewal; "
        "follow up Fri 2026-11-27\n"
    )
    assert done.stderr == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("add", "contact", "Eva", "--email", "eva@"), "Error: --email: 'eva@' is not a valid"),
        (("log", "call", "zed", "Hi"), "Error: no contact or account matches 'zed'."),
        (("log", "call", "jan", "Hi"), "Error: 'jan' matches several contacts or accounts:"),
        (("show", "deal", "4"), "Error: no deal with id 4."),
        (("add", "contact", "Jana Novak"), "Error: this looks like a contact you have:"),
        (("--db", "mysql://h/db", "today"), "Error: --db: mysql:// databases are not supported"),
    ],
)
def test_expected_failures_exit_1_with_a_message(
    crm: dict[str, str], args: tuple[str, ...], message: str
) -> None:
    done = smallcrm(crm, *args)
    assert done.returncode == 1
    assert done.stderr.startswith(message)
    assert "Traceback" not in done.stderr
    assert done.stdout == ""


def test_ambiguity_lists_ids_and_how_to_pick(crm: dict[str, str]) -> None:
    done = smallcrm(crm, "log", "call", "jan", "Hi")
    assert done.stderr.splitlines()[1:] == [
        "  contact 2  Jan Berg  (Acme GmbH)",
        "  contact 1  Jana Novak  (jana@example.com Acme GmbH)",
        "Pick one with --id 2 (its id) or type a fuller name.",
    ]
    picked = smallcrm(crm, "log", "call", "jan", "Hi", "--id", "2")
    assert picked.stdout.startswith("Logged call 1 with Jan Berg (Acme GmbH)")


@pytest.mark.parametrize(
    "args",
    [("lst", "contacts"), ("add", "contact"), ("list", "contacts", "--limit", "x"), ("log",)],
)
def test_usage_errors_exit_2(crm: dict[str, str], args: tuple[str, ...]) -> None:
    done = smallcrm(crm, *args)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr


def test_json_output_parses(crm: dict[str, str]) -> None:
    listed = json.loads(smallcrm(crm, "list", "contacts", "--json").stdout)
    assert [c["name"] for c in listed] == ["Jan Berg", "Jana Novak"]
    found = json.loads(smallcrm(crm, "search", "acme", "--json").stdout)
    assert [(h["kind"], h["id"]) for h in found] == [("contact", 2), ("contact", 1), ("account", 1)]
    assert found[2] == {"kind": "account", "id": 1, "title": "Acme GmbH", "detail": ""}
    today = json.loads(smallcrm(crm, "today", "--json").stdout)
    assert today["date"] == "2026-11-25"
    empty = smallcrm(crm, "list", "deals", "--json")
    assert (empty.returncode, json.loads(empty.stdout)) == (0, [])


def test_console_script_runs(crm: dict[str, str]) -> None:
    script = Path(sys.executable).parent / "smallcrm"
    if not script.exists():
        pytest.skip("the console script is not installed next to this Python")
    done = subprocess.run(
        [str(script), "search", "jana"], capture_output=True, text=True, env=crm, check=False
    )
    assert done.returncode == 0
    assert "Jana Novak" in done.stdout


def _modules_after(env: dict[str, str], *args: str) -> set[str]:
    """Top-level packages imported by one run of the command."""
    code = (
        "import atexit, sys\n"
        "atexit.register(lambda: sys.stderr.write('MODULES ' + ' '.join(sys.modules) + '\\n'))\n"
        f"sys.argv = ['smallcrm', *{list(args)!r}]\n"
        "from smallcrm.cli import main\n"
        "main()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
    )
    assert done.returncode == 0, done.stderr
    line = next(x for x in done.stderr.splitlines() if x.startswith("MODULES "))
    return {name.split(".")[0] for name in line.split()[1:]}


@pytest.mark.parametrize(
    "args",
    [
        ("add", "contact", "Petra Svoboda", "--email", "petra@example.com", "--phone",
         "+49 30 7654321", "--force"),
        ("log", "note", "jana", "Quick note"),
        ("search", "jan"),
        ("list", "contacts"),
    ],
)  # fmt: skip
def test_shell_commands_stay_off_heavy_imports(crm: dict[str, str], args: tuple[str, ...]) -> None:
    assert not _modules_after(crm, *args) & HEAVY


def test_plain_search_skips_typer_and_pydantic(crm: dict[str, str]) -> None:
    loaded = _modules_after(crm, "search", "jan", "--json")
    assert not loaded & (HEAVY | {"pydantic", "typer"})


def test_a_reader_that_goes_away_stops_the_list_quietly(crm: dict[str, str]) -> None:
    from smallcrm.store.db import open_database

    database = open_database(crm["SMALLCRM_DB"])
    with database.write() as tx:
        tx.executemany(
            "INSERT INTO contact (first_name, last_name, tags, created_at, updated_at, "
            "created_by, updated_by, version) VALUES ('Person', :last, '', "
            "'2026-01-01 00:00:00.000000', '2026-01-01 00:00:00.000000', 't', 't', 1)",
            [{"last": f"N{n:05d}"} for n in range(5000)],
        )
    database.close()
    done = subprocess.run(
        f"{sys.executable} -m smallcrm.cli list contacts | head -n 2",
        shell=True,
        capture_output=True,
        text=True,
        env=crm,
        check=False,
    )
    assert done.stdout.splitlines()[0].startswith("ID\tName")
    assert len(done.stdout.splitlines()) == 2
    assert "Traceback" not in done.stderr
    assert "BrokenPipe" not in done.stderr
