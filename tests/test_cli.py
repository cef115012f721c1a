"""Every shell command through Typer's CliRunner on a temporary database, with a fixed clock.

The clock is Wednesday 2026-11-25 10:30 local time (``SMALLCRM_NOW``), so "fri" is
2026-11-27 and "yesterday 16:00" is Tue 2026-11-24 16:00.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from smallcrm.cli import app
from smallcrm.store import clock
from smallcrm.store.db import open_database

NOW = "2026-11-25T10:30:00"
Run = Callable[..., Result]


@pytest.fixture(autouse=True)
def _private_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never the user's data; a fixed clock, user and phone region."""
    monkeypatch.setenv("SMALLCRM_USER", "tester")
    monkeypatch.setenv("SMALLCRM_PHONE_REGION", "DE")
    monkeypatch.setenv("SMALLCRM_NOW", NOW)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("COLUMNS", "120")


@pytest.fixture
def db_file(db_path: Path) -> Path:
    return db_path


@pytest.fixture
def run(db_file: Path) -> Run:
    """Run ``smallcrm --db FILE ARGS...`` in-process."""
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(app, ["--db", str(db_file), *args])

    return invoke


@pytest.fixture
def crm(run: Run) -> Run:
    """A database with Acme GmbH, Jana Novak and Jan Berg at Acme, and the Acme renewal deal."""
    for args in (
        ("add", "account", "Acme GmbH", "--website", "acme.example", "--industry", "Machines"),
        ("add", "contact", "Jana Novak", "--email", "jana@example.com", "--phone",
         "+49 30 1234567", "--account", "acme", "--title", "Buyer", "--tag", "vip"),
        ("add", "contact", "Jan", "Berg", "--account", "1", "--email", "jan@berg.example"),
        ("add", "deal", "Acme renewal", "--account", "Acme", "--amount", "12000",
         "--stage", "proposal", "--close", "2026-12-31"),
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


# --- global options and the app ------------------------------------------------------------------


def test_version() -> None:
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.startswith("smallcrm ")


def test_help_lists_the_commands() -> None:
    out = ok(CliRunner().invoke(app, ["--help"]))
    for command in ("add", "log", "search", "list", "show", "today", "done", "delete", "demo"):
        assert command in out


def test_no_command_starts_the_app_with_the_database(
    monkeypatch: pytest.MonkeyPatch, db_file: Path
) -> None:
    import sys
    import types

    started: list[str | None] = []
    fake = types.ModuleType("smallcrm.app")
    fake.run_app = started.append  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "smallcrm.app", fake)
    ok(CliRunner().invoke(app, ["--db", str(db_file)]))
    ok(CliRunner().invoke(app, []))
    assert started == [str(db_file), None]


def test_unsupported_database_url_is_refused(run: Run) -> None:
    err = fails(CliRunner().invoke(app, ["--db", "mysql://x/crm", "today"]))
    assert "--db: mysql:// databases are not supported" in err


def test_database_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SMALLCRM_DB", str(tmp_path / "from-env.db"))
    ok(CliRunner().invoke(app, ["add", "account", "Env Ltd"]))
    assert (tmp_path / "from-env.db").exists()


# --- add -----------------------------------------------------------------------------------------


def test_add_contact_prints_one_line_with_its_id(crm: Run) -> None:
    out = ok(crm("add", "contact", "Petra Svoboda", "--phone", "030 7654321", "--tag", "a,b"))
    assert out == "Added contact 3: Petra Svoboda; +49 30 7654321; tags a b\n"


def test_add_contact_json(crm: Run) -> None:
    data = json.loads(ok(crm("add", "contact", "Eva Kral", "--email", "Eva@Kral.example",
                              "--account", "acme", "--json")))  # fmt: skip
    assert data["name"] == "Eva Kral"
    assert data["emails"] == [{"label": "work", "value": "eva@kral.example"}]
    assert data["account"] == "Acme GmbH"
    assert data["created_at"].startswith("20")


def test_add_contact_that_looks_like_an_existing_one_needs_force(crm: Run) -> None:
    err = fails(crm("add", "contact", "Petra Svoboda", "--email", "JANA@example.com"))
    assert "contact 1  Jana Novak  (same email jana@example.com)" in err
    assert "--force" in err
    err = fails(crm("add", "contact", "Jana Nowak"))
    assert "(similar name)" in err
    assert ok(crm("add", "contact", "Jana Nowak", "--force")).startswith("Added contact 3")


def test_add_contact_with_an_unknown_account(crm: Run) -> None:
    err = fails(crm("add", "contact", "Eva Kral", "--account", "Globex"))
    assert "no account matches 'Globex'" in err
    assert "To add it: smallcrm add account Globex" in err


def test_add_contact_with_an_ambiguous_account(crm: Run) -> None:
    ok(crm("add", "account", "Acme Logistics"))
    err = fails(crm("add", "contact", "Eva Kral", "--account", "acme"))
    assert "'acme' matches several accounts:" in err
    assert "account 1  Acme GmbH" in err
    assert "account 2  Acme Logistics" in err
    assert "Pick one with --account 1 (its id) or type a fuller name." in err
    assert ok(crm("add", "contact", "Eva Kral", "--account", "2")) == (
        "Added contact 3: Eva Kral, Acme Logistics\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--email", "jana@"), "--email: 'jana@' is not a valid email address"),
        (("--phone", "12"), "--phone: '12' is not a phone number"),
        (("--birthday", "31.2.1980"), "--birthday: 31.2.1980 is not a date"),
        (("--tag", "x" * 1001), "--tag: are too long together"),
    ],
)
def test_add_contact_errors_name_the_option(run: Run, args: tuple[str, ...], message: str) -> None:
    assert message in fails(run("add", "contact", "Eva Kral", *args))


def test_add_contact_without_a_name(run: Run) -> None:
    assert "Usage: smallcrm add contact" in run("add", "contact").output  # help, exit 2
    assert run("add", "contact").exit_code == 2
    assert "NAME: the contact needs a name" in fails(run("add", "contact", " "))


def test_add_account_and_its_duplicates(crm: Run) -> None:
    out = ok(crm("add", "account", "Globex", "--website", "globex.example", "--phone",
                 "+49 40 123456", "--industry", "Energy", "--city", "Hamburg"))  # fmt: skip
    assert out == ("Added account 2: Globex; Energy; globex.example; +49 40 123456; Hamburg\n")
    assert "(same name)" in fails(crm("add", "account", "ACME Inc."))
    assert "(same website acme.example)" in fails(
        crm("add", "account", "Road Runner", "--website", "www.acme.example")
    )
    assert "--website: 'not a site' is not a web address" in fails(
        crm("add", "account", "Road Runner", "--website", "not a site")
    )


def test_add_deal_echoes_stage_amount_and_close_date(crm: Run) -> None:
    out = ok(crm("add", "deal", "Service contract", "--contact", "jana", "--amount", "2.5k",
                 "--close", "eom"))  # fmt: skip
    assert out == (
        "Added deal 2: Service contract; Jana Novak (Acme GmbH); lead (10%); 2,500.00 EUR; "
        "closes Mon 2026-11-30\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--amount", "lots"), "--amount: 'lots' is not an amount"),
        (("--stage", "propsal"), "--stage: 'propsal' is not one of lead, qualified"),
        (("--close", "12/01"), "--close: '12/01' is ambiguous"),
        (("--probability", "120"), "--probability: 120 is out of range"),
        (("--stage", "lost"), "--lost-reason: is required when a deal is lost"),
        (("--currency", "euro"), "--currency: 'euro' is not a currency code"),
    ],
)
def test_add_deal_errors_name_the_option(crm: Run, args: tuple[str, ...], message: str) -> None:
    assert message in fails(crm("add", "deal", "Big one", *args))


def test_add_meeting_echoes_absolute_times(crm: Run) -> None:
    out = ok(crm("add", "meeting", "Demo", "fri", "14:00", "--duration", "1h", "--with", "jana",
                 "--where", "Acme office"))  # fmt: skip
    assert out == (
        "Added appointment 1: Demo; Fri 2026-11-27 14:00-15:00; with Jana Novak (Acme GmbH); "
        "at Acme office\n"
    )


def test_add_meeting_with_an_account_and_a_deal_notes_overlaps(crm: Run) -> None:
    ok(crm("add", "meeting", "Demo", "fri", "14:00", "--duration", "1h"))
    result = crm("add", "meeting", "Review", "fri", "at", "2:30pm", "--duration", "30",
                 "--with", "acme gmbh", "--deal", "renewal", "--json")  # fmt: skip
    data = json.loads(ok(result))
    assert data["account"] == "Acme GmbH"
    assert data["deal_id"] == 1
    assert data["starts_at"].startswith("2026-11-27T14:30:00")
    assert "Note: it overlaps appointment 1: Demo, Fri 2026-11-27 14:00-15:00" in result.stderr


def test_add_meeting_in_the_past_is_noted(crm: Run) -> None:
    result = crm("add", "meeting", "Breakfast", "today", "8:00")
    assert "Fri" not in ok(result)
    assert "Note: that start time is in the past." in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("Demo", "fry", "14:00"), "WHEN: could not read 'fry' as a date"),
        (("Demo", "fri", "25:00"), "WHEN: 25:00 is not a time: hours go from 0 to 23"),
        (("Demo", "with", "jana", "fri"), "a title of several words goes in quotes"),
        (("Demo", "fri", "--duration", "forever"), "--duration: could not read 'forever'"),
        (("Demo", "fri", "--repeat", "SOMETIMES"), "--repeat: 'SOMETIMES' is not a recurrence"),
        (("Demo", "fri", "--with", "nobody"), "no contact or account matches 'nobody'"),
        (("  ", "fri"), "TITLE: say what it is"),
    ],
)
def test_add_meeting_errors(crm: Run, args: tuple[str, ...], message: str) -> None:
    assert message in fails(crm("add", "meeting", *args))


def test_add_without_a_kind_shows_help(run: Run) -> None:
    result = run("add")
    assert result.exit_code == 2
    assert "contact" in result.output


# --- log -----------------------------------------------------------------------------------------


def test_log_call_with_time_and_follow_up(crm: Run) -> None:
    out = ok(crm("log", "call", "jana", "Discussed", "renewal", "--at", "yesterday 16:00",
                 "--follow-up", "fri"))  # fmt: skip
    assert out == (
        "Logged call 1 with Jana Novak (Acme GmbH) on Tue 2026-11-24 16:00: Discussed renewal; "
        "follow up Fri 2026-11-27\n"
    )


@pytest.mark.parametrize("kind", ["call", "email", "meeting", "note", "visit", "vis"])
def test_log_every_kind_now_by_default(crm: Run, kind: str) -> None:
    out = ok(crm("log", kind, "acme", "Checked in"))
    assert out.startswith(f"Logged {'visit' if kind == 'vis' else kind} 1 with Acme GmbH on ")
    assert "Wed 2026-11-25 10:30" in out


def test_log_json_with_deal_duration_and_direction(crm: Run) -> None:
    data = json.loads(ok(crm("log", "call", "jan berg", "Quote", "--deal", "renewal",
                             "--duration", "1h30", "--direction", "in", "--body", "Long talk",
                             "--json")))  # fmt: skip
    assert (data["kind"], data["contact"], data["deal_id"]) == ("call", "Jan Berg", 1)
    assert (data["duration_minutes"], data["direction"], data["body"]) == (
        90,
        "inbound",
        "Long talk",
    )


def test_log_ambiguous_name_lists_candidates_and_id_picks(crm: Run) -> None:
    ok(crm("add", "account", "Janssen AG"))
    err = fails(crm("log", "call", "jan", "Hello"))
    assert "'jan' matches several contacts or accounts:" in err
    assert "contact 2  Jan Berg" in err
    assert "account 2  Janssen AG" in err
    assert "Pick one with --id contact:" in err
    assert "with Janssen AG" in ok(crm("log", "call", "jan", "Hello", "--id", "account:2"))
    assert "with Jan Berg" in ok(crm("log", "call", "jan berg", "Hello"))


def test_log_errors(crm: Run) -> None:
    assert "KIND: 'chat' is not one of call, email, meeting, note, visit" in fails(
        crm("log", "chat", "jana", "Hi")
    )
    assert "is in the future" in fails(crm("log", "call", "jana", "Hi", "--at", "tomorrow"))
    assert "--follow-up: Mon 2026-11-23 is in the past" in fails(
        crm("log", "call", "jana", "Hi", "--follow-up", "2026-11-23")
    )
    assert "--follow-up: could not read 'fry'" in fails(
        crm("log", "call", "jana", "Hi", "--follow-up", "fry")
    )
    err = fails(crm("log", "call", "jnaa", "Hi"))
    assert "no contact or account matches 'jnaa'. Did you mean: Jana Novak (contact 1)?" in err
    assert "no contact with id 99" in fails(crm("log", "call", "contact:99", "Hi"))
    assert "Missing argument" in fails(crm("log", "call", "jana"), code=2)


# --- search, list --------------------------------------------------------------------------------


def test_search_plain_text_is_tab_separated(crm: Run) -> None:
    lines = ok(crm("search", "jan")).splitlines()
    assert lines[0] == "Kind\tID\tTitle\tDetail"
    assert {line.split("\t")[2] for line in lines[1:]} == {"Jan Berg", "Jana Novak"}


def test_search_json_and_kinds(crm: Run) -> None:
    data = json.loads(ok(crm("search", "acme", "--json")))
    assert {(h["kind"], h["id"]) for h in data} >= {("account", 1), ("deal", 1)}
    data = json.loads(ok(crm("search", "acme", "--kind", "deal", "--json")))
    assert data == [
        {"kind": "deal", "id": 1, "title": "Acme renewal", "detail": "proposal Acme GmbH"}
    ]
    assert "--kind: 'people' is not one of" in fails(crm("search", "x", "--kind", "people"))


def test_search_without_matches(crm: Run) -> None:
    result = crm("search", "zzz")
    assert ok(result) == ""
    assert "No matches for 'zzz'." in result.stderr
    assert json.loads(ok(crm("search", '"; DROP', "--json"))) == []


@pytest.mark.parametrize(
    ("kind", "header"),
    [
        ("contacts", "ID\tName\tTitle\tAccount\tEmail\tPhone\tTags"),
        ("accounts", "ID\tName\tIndustry\tCity\tPhone\tWebsite\tTags"),
        ("deals", "ID\tName\tAccount\tStage\tAmount\tProb\tClose\tOwner"),
    ],
)
def test_list_plain_has_a_header(crm: Run, kind: str, header: str) -> None:
    assert ok(crm("list", kind)).splitlines()[0] == header


def test_list_contacts_filters_and_limit(crm: Run) -> None:
    out = ok(crm("list", "contacts", "--tag", "vip"))
    assert [line.split("\t")[1] for line in out.splitlines()[1:]] == ["Jana Novak"]
    out = ok(crm("list", "contacts", "--account", "acme", "--sort", "first_name", "--desc"))
    assert [line.split("\t")[1] for line in out.splitlines()[1:]] == ["Jana Novak", "Jan Berg"]
    assert len(ok(crm("list", "contacts", "--limit", "1")).splitlines()) == 2
    assert "Invalid value for '--limit'" in fails(crm("list", "contacts", "--limit", "0"), code=2)
    assert "--sort: cannot sort by 'size'; one of name," in fails(
        crm("list", "contacts", "--sort", "size")
    )


def test_list_json_is_one_array_with_stable_keys(crm: Run) -> None:
    data = json.loads(ok(crm("list", "contacts", "--json")))
    assert [c["name"] for c in data] == ["Jan Berg", "Jana Novak"]
    assert list(data[0]) == [
        "id", "name", "first_name", "last_name", "title", "account_id", "account", "emails",
        "phones", "address", "birthday", "source", "owner", "tags", "notes", "email_consent",
        "phone_consent", "external_id", "created_at", "created_by", "updated_at", "updated_by",
        "version",
    ]  # fmt: skip
    deals = json.loads(ok(crm("list", "deals", "--json")))
    assert deals[0]["amount"] == "12000.00"
    assert deals[0]["expected_close"] == "2026-12-31"
    assert json.loads(ok(crm("list", "appointments", "--json"))) == []


def test_list_deals_interactions_and_appointments_filters(crm: Run) -> None:
    ok(crm("log", "call", "jana", "First", "--at", "2026-11-20 9:00", "--follow-up", "today"))
    ok(crm("log", "note", "jan berg", "Second", "--deal", "renewal"))
    ok(crm("add", "meeting", "Demo", "fri", "14:00", "--with", "jana"))
    assert "Acme renewal" in ok(crm("list", "deals", "--stage", "prop", "--open"))
    assert "No deals match." in crm("list", "deals", "--stage", "won").stderr
    out = ok(crm("list", "interactions"))
    assert [line.split("\t")[4] for line in out.splitlines()[1:]] == ["Second", "First"]
    out = ok(crm("list", "interactions", "--kind", "call", "--open", "--contact", "jana"))
    assert "First" in out and "Second" not in out
    out = ok(crm("list", "interactions", "--deal", "renewal", "--since", "2026-11-21"))
    assert "Second" in out and "First" not in out
    assert "Fri 2026-11-27 14:00" in ok(crm("list", "appointments", "--since", "today"))
    assert "--since: could not read 'someday'" in fails(
        crm("list", "appointments", "--since", "someday")
    )


def test_list_accepts_singular_and_store_words(crm: Run) -> None:
    assert "Acme renewal" in ok(crm("list", "opportunities"))
    assert "Jana Novak" in ok(crm("list", "contact"))


# --- show ----------------------------------------------------------------------------------------


def test_show_contact_with_timeline(crm: Run) -> None:
    ok(crm("log", "call", "jana", "Discussed renewal", "--at", "yesterday 16:00"))
    out = ok(crm("show", "contact", "jana"))
    assert out.startswith("Contact 1: Jana Novak\n")
    assert "  Phone:         +49 30 1234567 (mobile)\n" in out
    assert "Timeline\nID\tWhen" in out
    assert "Tue 2026-11-24 16:00\tcall\tJana Novak (Acme GmbH)\tDiscussed renewal" in out


def test_show_account_and_deal(crm: Run) -> None:
    out = ok(crm("show", "account", "1"))
    assert "Open pipeline: 12,000.00 (weighted 6,000.00)" in out
    assert "Contacts (2)" in out and "Deals (1)" in out
    assert "Timeline: nothing logged yet" in out
    out = ok(crm("show", "deal", "renewal"))
    assert "Stage:          proposal (50%)" in out
    assert "Expected close: Thu 2026-12-31" in out


def test_show_json(crm: Run) -> None:
    ok(crm("log", "note", "acme", "Visited"))
    data = json.loads(ok(crm("show", "account", "acme", "--json")))
    assert [c["name"] for c in data["contacts"]] == ["Jan Berg", "Jana Novak"]
    assert data["open_pipeline"] == {"total": "12000.00", "weighted": "6000.00"}
    assert data["timeline"][0]["subject"] == "Visited"
    data = json.loads(ok(crm("show", "contact", "jan berg", "--json")))
    assert data["deals"] == [] and data["timeline"] == []
    data = json.loads(ok(crm("show", "deal", "1", "--json", "--timeline", "0")))
    assert data["stage"] == "proposal" and data["timeline"] == []


def test_show_ambiguous_and_missing(crm: Run) -> None:
    err = fails(crm("show", "contact", "jan"))
    assert "Pick one with smallcrm show contact 2 (its id) or type a fuller name." in err
    assert "no deal with id 7" in fails(crm("show", "deal", "7"))
    assert "no account matches 'initech'" in fails(crm("show", "account", "initech"))


# --- today, done ---------------------------------------------------------------------------------


def _age_deals(db_file: Path, days: int) -> None:
    database = open_database(db_file)
    with database.write() as tx:
        tx.execute(
            "UPDATE opportunity SET updated_at = :old", old=clock.now_utc() - timedelta(days=days)
        )
    database.close()


def test_today_when_nothing_is_due(run: Run) -> None:
    out = ok(run("today"))
    assert out == "Today, Wed 2026-11-25\nNothing scheduled, nothing due, no quiet deals.\n"


def test_today_lists_agenda_follow_ups_and_quiet_deals(crm: Run, db_file: Path) -> None:
    ok(crm("add", "meeting", "Standup", "today", "9:00", "--duration", "15", "--with", "jana"))
    ok(crm("log", "call", "jana", "Send quote", "--at", "2026-11-20 10:00", "--follow-up",
           "today"))  # fmt: skip
    _age_deals(db_file, 40)
    out = ok(crm("today"))
    assert "Appointments (1):\n  09:00-09:15  Standup; with Jana Novak (Acme GmbH)" in out
    assert "Follow-ups due (1):\n  1: Jana Novak (Acme GmbH): Send quote (call, today)" in out
    assert "Mark one done with: smallcrm done ID" in out
    assert "Deals with no activity for 30 days (1):\n  1: Acme renewal (Acme GmbH)" in out
    data = json.loads(ok(crm("today", "--json")))
    assert data["date"] == "2026-11-25"
    assert [len(data[k]) for k in ("appointments", "follow_ups", "stale_deals")] == [1, 1, 1]
    assert "Deals with no activity" not in ok(crm("today", "--days", "60"))


def test_today_points_at_the_quiet_deals_only(crm: Run, db_file: Path) -> None:
    """The "N more" hint of quiet deals lists those deals, not every open one."""
    for number in range(9):
        ok(crm("add", "deal", f"Old deal {number}", "--account", "Acme", "--stage", "proposal"))
    _age_deals(db_file, 40)
    ok(crm("add", "deal", "Fresh deal", "--account", "Acme", "--stage", "proposal"))
    ok(crm("log", "call", "jana", "About it", "--deal", "Old deal 0"))
    out = ok(crm("today"))
    assert "Deals with no activity for 30 days (9):" in out
    assert "... 1 more: smallcrm list deals --quiet 30" in out
    listed = ok(crm("list", "deals", "--quiet", "30"))
    names = [line.split("\t")[1] for line in listed.splitlines()[1:]]
    assert len(names) == 9 and "Fresh deal" not in names and "Old deal 0" not in names
    assert "Acme renewal" in names
    assert "Old deal" in ok(crm("list", "deals", "--quiet", "30", "--json"))
    refused = crm("list", "deals", "--quiet", "0")
    assert refused.exit_code == 2 and "--quiet" in refused.output


def test_today_counts_overdue_and_cuts_long_sections(crm: Run, db_file: Path) -> None:
    for day in range(10):
        ok(crm("log", "note", "jana", f"Task {day}", "--at", "2026-11-01 9:00", "--follow-up",
               "today"))  # fmt: skip
    result = CliRunner().invoke(
        app, ["--db", str(db_file), "today"], env={"SMALLCRM_NOW": "2026-11-27T09:00:00"}
    )
    out = ok(result)
    assert "Follow-ups due (10, 10 overdue):" in out
    assert "(note, 2 days overdue)" in out
    assert "... 2 more: smallcrm list interactions --open --sort follow_up --asc" in out


def test_done_marks_a_follow_up(crm: Run) -> None:
    ok(crm("log", "call", "jana", "Send quote", "--follow-up", "fri"))
    ok(crm("log", "note", "jana", "No follow-up"))
    assert ok(crm("done", "1")).startswith("Done: call 1 with Jana Novak")
    assert ok(crm("done", "1")).startswith("Already done: call 1")
    assert "ID: note 2 has no follow-up to mark done" in fails(crm("done", "2"))
    assert "no interaction 9" in fails(crm("done", "9"))
    assert "Invalid value for 'ID'" in fails(crm("done", "x"), code=2)


# --- delete, restore, demo ----------------------------------------------------------------------


def test_delete_and_restore(crm: Run) -> None:
    out = ok(crm("delete", "contact", "2"))
    assert out == (
        "Moved contact 2 (Jan Berg) to the trash; undo with: smallcrm restore contact 2\n"
    )
    assert "no contact matches 'jan berg'" in fails(crm("show", "contact", "jan berg"))
    assert ok(crm("restore", "contact", "2")) == "Restored contact 2 (Jan Berg)\n"
    assert ok(crm("delete", "deal", "1")).startswith("Moved deal 1 (Acme renewal)")
    assert ok(crm("restore", "deal", "1")) == "Restored deal 1 (Acme renewal)\n"
    assert "KIND: 'person' is not one of" in fails(crm("delete", "person", "1"))
    assert "no contact 2 in the trash" in fails(crm("restore", "contact", "2"))


def test_delete_every_kind(crm: Run) -> None:
    ok(crm("log", "note", "jana", "Hi"))
    ok(crm("add", "meeting", "Demo", "fri", "10:00"))
    assert "(note: Hi)" in ok(crm("delete", "interaction", "1"))
    assert "(Demo)" in ok(crm("delete", "appointment", "1"))
    assert "(Acme GmbH)" in ok(crm("delete", "account", "1"))


def test_demo_loads_sample_data(monkeypatch: pytest.MonkeyPatch, run: Run) -> None:
    import sys
    import types

    from smallcrm.store.errors import ValidationError

    calls: list[bool] = []

    def load_demo(db: object, force: bool = False) -> dict[str, int]:
        calls.append(force)
        if not force and len(calls) > 1:
            raise ValidationError("database", "is not empty")
        return {"contacts": 12, "accounts": 4}

    fake = types.ModuleType("smallcrm.store.demo")
    fake.load_demo = load_demo  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "smallcrm.store.demo", fake)
    assert "12 contacts, 4 accounts" in ok(run("demo"))
    assert "is not empty (add --force to load it anyway)" in fails(run("demo"))
    ok(run("demo", "--force"))
    assert calls == [False, False, True]


# --- the console script's lazy command tree ----------------------------------------------------


def test_command_words_skip_global_options() -> None:
    from smallcrm.cli.main import command_words

    assert command_words(["--db", "x.db", "add", "contact", "Jana"]) == ("add", "contact")
    assert command_words(["today"]) == ("today", None)
    assert command_words(["--version"]) == (None, None)


def test_main_builds_only_the_command_it_runs(
    monkeypatch: pytest.MonkeyPatch, db_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import importlib

    main_module = importlib.import_module("smallcrm.cli.main")
    built: list[tuple[str | None, str | None]] = []
    real = main_module.build_app

    def spy(only: str | None = None, sub: str | None = None) -> object:
        built.append((only, sub))
        return real(only, sub)

    monkeypatch.setattr(main_module, "build_app", spy)
    monkeypatch.setattr("sys.argv", ["smallcrm", "--db", str(db_file), "add", "account", "Acme"])
    with pytest.raises(SystemExit) as caught:
        main_module.main()
    assert caught.value.code == 0
    assert built == [("add", "account")]
    assert capsys.readouterr().out == "Added account 1: Acme\n"


# --- the quick search path (no Typer) gives what the Typer command gives ------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("search", "jan"),
        ("search", "acme", "--json"),
        ("search", "acme", "-k", "deal", "--kind", "acc", "-n", "1"),
        ("search", "zzz"),
        ("search", "x", "--kind", "people"),
        ("search", "jana", "novak", "--json"),
    ],
)
def test_quick_search_matches_the_typer_command(
    crm: Run, db_file: Path, args: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    from smallcrm.cli.quick import run_quick

    typer_result = crm(*args)
    code = run_quick(["--db", str(db_file), *args])
    captured = capsys.readouterr()
    assert code == typer_result.exit_code
    assert captured.out == typer_result.stdout
    assert captured.err == typer_result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("search",),
        ("search", "--help"),
        ("search", "jan", "-n", "500"),
        ("search", "jan", "--limit"),
        ("search", "--", "-x"),
        ("--version",),
        ("today",),
        ("--db", "x.db", "list", "contacts"),
    ],
)
def test_anything_but_a_plain_search_is_left_to_typer(args: tuple[str, ...]) -> None:
    from smallcrm.cli.quick import parse_search, run_quick

    assert parse_search(list(args)) is None
    assert run_quick(list(args)) is None


def test_quick_search_parses_global_db_and_options() -> None:
    from smallcrm.cli.quick import SearchArgs, parse_search

    assert parse_search(["--db", "a.db", "search", "jan", "novak", "-k", "contact", "--json"]) == (
        SearchArgs("a.db", ["jan", "novak"], ["contact"], 10, True)
    )
