"""Cases from the shell: add, log on one, move it, list the breached ones, the report, today,
and one clear line (never a traceback) for what is typed wrong.

The clock stands at Wednesday 2026-11-25 10:30 UTC; working hours mon-fri 09:00-17:00.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from smallcrm.cli import app

Run = Callable[..., Result]


@pytest.fixture
def run(db_path: Path) -> Run:
    runner = CliRunner()

    def invoke(*args: str, now: str | None = None) -> Result:
        env = {"SMALLCRM_NOW": now} if now else None
        return runner.invoke(app, ["--db", str(db_path), *args], env=env)

    ok(invoke("add", "contact", "Jana Novak", "--email", "jana@example.com"))
    return invoke


def ok(result: Result) -> str:
    assert result.exit_code == 0, result.output
    return result.stdout


def fails(result: Result, code: int = 1) -> str:
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    return result.stderr


def test_add_case_log_on_it_and_move_it(run: Run) -> None:
    added = ok(run("add", "case", "Sensor offline", "--contact", "jana", "--priority", "high"))
    assert added.startswith("Opened case 1 (high, new) with Jana Novak: Sensor offline")
    assert "response 4h left" in added
    logged = ok(run("log", "call", "--case", "1", "Called back", now="2026-11-25T11:10:00+00:00"))
    assert "Called back" in logged and "Jana Novak" in logged
    shown = json.loads(ok(run("show", "case", "1", "--json")))
    assert shown["status"] == "open" and shown["sla"]["text"] == "15h20 left"
    assert [i["subject"] for i in shown["interactions"]] == ["Called back"]
    waiting = ok(run("case", "1", "waiting"))
    assert "(high, waiting)" in waiting
    replied = ok(run("log", "email", "--case", "1", "--from-customer", "Logs attached", "--json"))
    assert json.loads(replied)["direction"] == "inbound"
    assert json.loads(ok(run("show", "case", "1", "--json")))["status"] == "open"
    assert "(high, resolved)" in ok(run("case", "1", "resolve"))
    assert "(high, closed (done))" in ok(run("case", "1", "close", "--reason", "done"))
    assert "(high, open)" in ok(run("case", "1", "reopen"))


def test_list_cases_breached_as_json(run: Run) -> None:
    ok(run("add", "case", "Press down", "--contact", "jana", "--priority", "urgent"))
    ok(run("add", "case", "Question", "--contact", "jana", "--priority", "low"))
    later = "2026-11-25T12:00:00+00:00"
    breached = json.loads(ok(run("list", "cases", "--breached", "--json", now=later)))
    assert [(c["id"], c["sla"]["text"]) for c in breached] == [(1, "0h30 over")]
    table = ok(run("list", "cases", now=later))
    assert table.splitlines()[0].split("\t")[:7] == [
        "#", "P", "Status", "Subject", "Contact", "Age", "SLA"
    ]  # fmt: skip
    assert "No cases match." in run("list", "cases", "--status", "closed").stderr


def test_report_cases(run: Run) -> None:
    ok(run("add", "case", "Press down", "--contact", "jana", "--priority", "urgent"))
    ok(run("log", "call", "--case", "1", "On it", now="2026-11-25T11:00:00+00:00"))
    data = json.loads(ok(run("report", "cases", "--since", "90d", "--json")))
    urgent = next(p for p in data["priorities"] if p["priority"] == "urgent")
    assert urgent["first_response"] == {
        "cases": 1, "median_minutes": 30, "p90_minutes": 30, "share_met": 1.0
    }  # fmt: skip
    assert data["open_by_age"]["under 1 day"] == 1
    text = ok(run("report", "cases", "--since", "2026-11-01"))
    assert "urgent\t1\t0h30\t0h30\t100%" in text


def test_today_lists_cases_at_risk_and_breached(run: Run) -> None:
    ok(run("add", "case", "Press down", "--contact", "jana", "--priority", "urgent"))
    ok(run("add", "case", "Question", "--contact", "jana", "--priority", "low"))
    text = ok(run("today", now="2026-11-25T11:20:00+00:00"))
    assert "Cases breached or at risk (1, 0 breached):" in text
    assert "1: Press down (Jana Novak), urgent, response 0h10 left" in text
    data = json.loads(ok(run("today", "--json", now="2026-11-25T12:00:00+00:00")))
    assert [c["id"] for c in data["cases"]] == [1]


@pytest.mark.parametrize(
    ("args", "message", "code"),
    [
        (("add", "case", "X", "--contact", "jana", "--priority", "huge"),
         "priority: 'huge' is not one of low, normal, high, urgent", 1),
        (("add", "case", "X"), "--contact or --account: a case needs the customer", 1),
        (("add", "case", "X", "--contact", "jana", "--type", "moan"),
         "case_type: 'moan' is not one of question, incident, problem", 1),
        (("case", "1", "close"), "--reason: closing a case needs a reason", 1),
        (("case", "1", "close", "--reason", "meh"), "reason: 'meh' is not one of done", 1),
        (("case", "1", "later"), "action: 'later' is not one of waiting, open, resolve", 1),
        (("case", "1", "reopen"), "the case is new, not resolved or closed", 1),
        (("case", "99", "resolve"), "99", 1),
        (("log", "call", "--case", "99", "Hello"), "99", 1),
        (("list", "cases", "--priority", "top"), "priority: 'top' is not one of", 1),
        (("report", "cases", "--since", "soon"), "--since", 1),
        (("case", "1", "frobnicate"), "is not one of waiting, open, resolve", 1),
    ],
)  # fmt: skip
def test_wrong_input_gets_one_clear_line(
    run: Run, args: tuple[str, ...], message: str, code: int
) -> None:
    ok(run("add", "case", "Sensor offline", "--contact", "jana"))
    result = run(*args)
    error = fails(result, code)
    assert message in error
    if code == 1:
        assert len(error.strip().splitlines()) == 1


def test_case_targets_setting(run: Run, tmp_path: Path, db_path: Path) -> None:
    env = {"SMALLCRM_CONFIG": str(tmp_path / "c.toml")}
    runner = CliRunner()
    shown = json.loads(ok(runner.invoke(app, ["config", "show", "--json"], env=env)))
    assert shown["case_targets"]["value"] == "urgent 1h/8h; high 4h/2d; normal 8h/5d; low 2d/10d"
    ok(runner.invoke(app, ["config", "set", "case_targets", "urgent 30m/4h"], env=env))
    assert "urgent 30m/4h; high 4h/2d" in ok(runner.invoke(app, ["config", "show"], env=env))
    wrong = runner.invoke(app, ["config", "set", "case_targets", "urgent soon"], env=env)
    assert "is not a priority with its targets" in fails(wrong)
    from smallcrm.store import settings

    settings.reload()
    line = ["--db", str(db_path), "add", "case", "Press down", "--contact", "jana"]
    added = ok(runner.invoke(app, [*line, "--priority", "urgent"], env=env))
    assert "response 0h30 left" in added


def test_cases_are_exported_not_imported(run: Run, tmp_path: Path) -> None:
    ok(run("add", "case", "Sensor offline", "--contact", "jana"))
    out = tmp_path / "cases.json"
    ok(run("export", "cases", "-o", str(out)))
    assert "Sensor offline" in out.read_text(encoding="utf-8")
    error = fails(run("import", str(out)))
    assert "cases are not imported from files" in error
    table = tmp_path / "cases.csv"
    table.write_text("subject,contact\nHello,Jana\n", encoding="utf-8")
    assert "add one with smallcrm add case" in fails(run("import", str(table), "--kind", "case"))


def test_an_entry_logged_on_a_case_says_so(run: Run) -> None:
    ok(run("add", "case", "Sensor offline", "--contact", "jana"))
    entry = json.loads(ok(run("log", "note", "--case", "1", "Checked the logs", "--json")))
    assert entry["case_id"] == 1 and entry["contact"] == "Jana Novak"
    shown = json.loads(ok(run("show", "case", "1", "--json")))
    assert shown["status"] == "new"  # a note is no first response


def test_a_contacts_timeline_marks_what_was_logged_on_a_case(run: Run) -> None:
    ok(run("add", "case", "Sensor offline", "--contact", "jana"))
    ok(run("log", "call", "--case", "1", "Called back"))
    ok(run("log", "note", "jana", "Not about the case"))
    shown = ok(run("show", "contact", "jana"))
    assert "[case 1] Called back" in shown
    assert "Not about the case" in shown and "[case 1] Not about" not in shown


def test_case_with_only_its_number_shows_it(run: Run) -> None:
    ok(run("add", "case", "Sensor offline", "--contact", "jana"))
    assert ok(run("case", "1")) == ok(run("show", "case", "1"))


def test_a_contacts_timeline_shows_where_a_case_was_opened(run: Run) -> None:
    ok(run("add", "case", "Sensor offline", "--contact", "jana"))
    shown = ok(run("show", "contact", "jana"))
    assert "#1 opened: Sensor offline (new)" in shown
    data = json.loads(ok(run("show", "contact", "jana", "--json")))
    assert [c["id"] for c in data["cases_opened"]] == [1]
    assert all("kind" in entry for entry in data["timeline"])  # interactions only
