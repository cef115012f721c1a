"""``smallcrm import``, ``export``, ``invite`` and ``history`` through Typer's CliRunner on a
temporary database, round trips through a second database, and a few real processes for exit
codes, stderr and JSON."""

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

FIXTURES = Path(__file__).resolve().parent.parent / "data" / "fixtures"
Run = Callable[..., Result]


@pytest.fixture(autouse=True)
def _private_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMALLCRM_NOW", "2026-11-25T10:30:00")
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.chdir(tmp_path)


def runner_for(db_file: Path) -> Run:
    """Run ``smallcrm --db FILE ARGS...`` in-process (``input`` feeds standard input)."""
    runner = CliRunner()

    def invoke(*args: str, input: str | bytes | None = None) -> Result:  # noqa: A002
        return runner.invoke(app, ["--db", str(db_file), *args], input=input)

    return invoke


@pytest.fixture
def run(new_database_url: Callable[[str], Path | str]) -> Run:
    return runner_for(new_database_url("crm.db"))


@pytest.fixture
def fresh(new_database_url: Callable[[str], Path | str]) -> Run:
    """A second, empty database for round trips."""
    return runner_for(new_database_url("fresh.db"))


@pytest.fixture
def crm(run: Run) -> Run:
    """Acme GmbH with Jana Novak (email, phone) and Jan Berg; a deal; a meeting with Jana."""
    for args in (
        ("add", "account", "Acme GmbH"),
        ("add", "contact", "Jana Novák", "--email", "jana@acme.example", "--phone",
         "+49 30 1234567", "--account", "acme", "--title", "Buyer", "--tag", "vip"),
        ("add", "contact", "Jan Berg", "--account", "acme", "--email", "jan@berg.example"),
        ("add", "deal", "Acme renewal", "--account", "acme", "--amount", "12000"),
        ("add", "meeting", "Renewal talk", "fri 14:00", "--with", "jana", "--where", "Office"),
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


def contact_names(run: Run) -> list[str]:
    return sorted(c["name"] for c in json.loads(ok(run("list", "contacts", "--json"))))


# --- import ----------------------------------------------------------------------------------


def test_dry_run_previews_columns_and_rows_and_writes_nothing(run: Run) -> None:
    out = ok(run("import", str(FIXTURES / "google_contacts.csv"), "--dry-run"))
    assert "E-mail 1 - Value -> email" in out
    assert "Ignored columns: Phonetic First Name" in out
    assert "line 2\tcreate\tcontact\tJana Novák\t" in out
    assert out.rstrip().endswith("(dry run: nothing was written)")
    assert contact_names(run) == []


def test_import_prints_the_summary_and_how_to_undo(run: Run) -> None:
    result = run("import", str(FIXTURES / "google_contacts.csv"))
    out = ok(result)
    assert out.splitlines() == [
        "google_contacts.csv: 5 records: 5 created, 0 updated, 0 unchanged, 0 invalid; "
        "2 accounts created on the way (import 1)",
        "Undo it with: smallcrm import undo 1",
    ]
    assert "Warnings:\n  line 6: birthday '--03-14' has no year" in result.stderr
    assert len(contact_names(run)) == 5
    again = ok(run("import", str(FIXTURES / "google_contacts.csv"), "--dry-run"))
    assert "0 created, 0 updated, 5 unchanged" in again
    assert "line 2\tskip\tcontact\tJana Novák\tunchanged (contact 1)" in again


def test_invalid_rows_reject_the_file_with_each_problem(run: Run) -> None:
    err = fails(run("import", str(FIXTURES / "invalid_rows.csv")))
    assert err.splitlines() == [
        "Error: 2 of 4 records are invalid, so nothing was imported:",
        "  line 3: name: is missing: the record has no first, last or full name",
        "  line 4: email: 'not-an-email' is not a valid email address: An email address must "
        "have an @-sign.",
        "Fix them, or import the 2 good ones with --skip-invalid.",
    ]
    assert contact_names(run) == []


def test_skip_invalid_imports_the_good_rows_and_lists_the_others(run: Run) -> None:
    result = run("import", str(FIXTURES / "invalid_rows.csv"), "--skip-invalid")
    assert "2 created, 0 updated, 0 unchanged, 2 invalid (import 1)" in ok(result)
    assert "Skipped 2 records (invalid):\n  line 3: name: is missing" in result.stderr
    assert contact_names(run) == ["Anna Smith", "Carla Rossi"]


def test_dry_run_of_a_file_that_would_be_refused_exits_1(run: Run) -> None:
    result = run("import", str(FIXTURES / "invalid_rows.csv"), "--dry-run")
    assert "line 4\tinvalid\tcontact\t\temail: 'not-an-email'" in result.stdout
    assert "The import would be refused: 2 records are invalid" in fails(result)
    ok(run("import", str(FIXTURES / "invalid_rows.csv"), "--dry-run", "--skip-invalid"))


def test_import_json_reports_for_scripts(run: Run) -> None:
    data = json.loads(ok(run("import", str(FIXTURES / "invalid_rows.csv"), "--skip-invalid",
                             "--json")))  # fmt: skip
    assert (data["batch"], data["created"], data["invalid"], data["committed"]) == (1, 2, 2, True)
    assert data["problems"][1] == {
        "where": "line 4",
        "line": 4,
        "field": "email",
        "reason": "'not-an-email' is not a valid email address: An email address must have "
        "an @-sign.",
    }
    assert data["rows"][0]["action"] == "created"
    rejected = run("import", str(FIXTURES / "invalid_rows.csv"), "--json")
    assert json.loads(rejected.stdout)["committed"] is False
    assert "nothing was imported" in fails(rejected)


def test_map_overrides_a_column_and_names_the_option_when_wrong(run: Run) -> None:
    out = ok(run("import", str(FIXTURES / "invalid_rows.csv"), "--dry-run", "--skip-invalid",
                 "--map", "Phone=notes"))  # fmt: skip
    assert "Phone -> notes" in out
    err = fails(run("import", str(FIXTURES / "invalid_rows.csv"), "--map", "Phone=colour"))
    assert err.startswith("Error: --map: 'colour' (for column 'Phone') is not a contact field")
    err = fails(run("import", str(FIXTURES / "invalid_rows.csv"), "--map", "Fax=phone"))
    assert err.startswith("Error: --map: the file has no column 'Fax'")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("missing.csv",), "Error: FILE: 'missing.csv' does not exist"),
        (("{fixtures}/broken_bad_encoding.csv",), "Error: FILE: line 3: byte 0x81 is not valid"),
        (("{fixtures}/calendar.ics", "--kind", "contacts"),
         "Error: --kind: a ics file holds appointments, not contacts"),
        (("{fixtures}/invalid_rows.csv", "--kind", "people2"),
         "Error: --kind: 'people2' is not a kind of record"),
        (("{fixtures}/invalid_rows.csv", "--format", "vcard"),
         "Error: FILE: invalid_rows.csv is not a vCard"),
        (("{fixtures}/invalid_rows.csv", "--format", "xls"),
         "Error: --format: 'xls' is not a file format"),
        (("{fixtures}/invalid_rows.csv", "--encoding", "klingon"),
         "Error: --encoding: 'klingon' is not a known text encoding"),
        (("{fixtures}/invalid_rows.csv", "--delimiter", ";;"),
         "Error: --delimiter: ';;' is not a single character"),
        (("{fixtures}/calendar.ics", "--map", "A=b"),
         "Error: --map: a column mapping only applies to CSV files"),
    ],
)  # fmt: skip
def test_bad_input_names_the_option(run: Run, args: tuple[str, ...], message: str) -> None:
    line = [arg.format(fixtures=FIXTURES) for arg in args]
    assert fails(run("import", *line)).startswith(message)


def test_import_reads_standard_input_and_cp1252_with_a_delimiter(run: Run) -> None:
    csv_text = "Name\tEmail\nEva Kral\teva@kral.example\n"
    out = ok(run("import", "-", "--delimiter", "tab", input=csv_text))
    assert out.startswith("standard input: 1 record: 1 created")
    data = (FIXTURES / "excel_semicolon.csv").read_bytes()
    ok(run("import", "-", "--encoding", "cp1252", "--delimiter", ";", input=data))
    assert "Jörg Weiß" in contact_names(run)


def test_other_kinds_import_from_their_fixtures(run: Run) -> None:
    ok(run("import", str(FIXTURES / "accounts.csv")))
    ok(run("import", str(FIXTURES / "iphone_contacts.vcf")))
    ok(run("import", str(FIXTURES / "calendar.ics")))
    ok(run("import", str(FIXTURES / "pipedrive_deals.csv"), "--kind", "deals"))
    listed = {
        kind: len(json.loads(ok(run("list", kind, "--json"))))
        for kind in ("accounts", "contacts", "appointments", "deals")
    }
    assert all(listed.values()), listed


def test_ctrl_c_during_an_import_leaves_nothing(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    from smallcrm.store.io import staging

    real = staging.ImportSession.one
    calls: list[int] = []

    def interrupted(self: object, *args: object) -> None:
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        real(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(staging.ImportSession, "one", interrupted)
    result = run("import", str(FIXTURES / "google_contacts.csv"))
    assert fails(result, 130) == "Interrupted: nothing was imported.\n"
    monkeypatch.undo()
    assert contact_names(run) == []
    assert "No imports yet" in run("import", "list").stderr


def test_ctrl_c_just_after_the_commit_says_so(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    from smallcrm.store import io

    real = io.import_file

    def late(*args: object, **kwargs: object) -> object:
        real(*args, **kwargs)  # type: ignore[arg-type]
        raise KeyboardInterrupt

    monkeypatch.setattr(io, "import_file", late)
    err = fails(run("import", str(FIXTURES / "invalid_rows.csv"), "--skip-invalid"), 130)
    assert err == (
        "Interrupted after the import had finished (import 1); "
        "undo it with: smallcrm import undo 1\n"
    )


def test_a_terminal_gets_a_progress_bar_with_counts(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    from smallcrm.cli import feedback

    monkeypatch.setattr(feedback, "is_terminal", lambda stream: True)
    result = run("import", str(FIXTURES / "google_contacts.csv"))
    assert "Importing google_contacts.csv" in result.stderr
    assert "5/5" in result.stderr
    assert ok(result).startswith("google_contacts.csv: 5 records")


def test_the_progress_bar_is_silent_without_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from smallcrm.cli import feedback

    stream = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stream)
    with feedback.progress_bar("Importing x.csv") as progress:
        assert progress is None
    assert stream.getvalue() == ""


# --- import list / undo, and the words they share with import FILE ---------------------------


def test_import_list_and_undo(run: Run) -> None:
    assert fails(run("import", "undo", "1")).startswith("Error: no import 1. See the imports")
    assert run("import", "list").stderr.startswith("No imports yet.")
    ok(run("import", str(FIXTURES / "invalid_rows.csv"), "--skip-invalid"))
    ok(run("import", str(FIXTURES / "calendar.ics")))
    lines = ok(run("import", "list")).splitlines()
    assert lines[0].split("\t")[:4] == ["Batch", "When", "By", "File"]
    assert [line.split("\t")[3] for line in lines[1:]] == ["calendar.ics", "invalid_rows.csv"]
    batches = json.loads(ok(run("import", "list", "--json", "-n", "1")))
    assert [(b["batch"], b["kind"], b["created"], b["undone_at"]) for b in batches] == [
        (2, "appointment", 5, None)
    ]
    assert ok(run("import", "undo", "1")) == "import 1 undone: 2 deleted, 0 restored\n"
    assert contact_names(run) == []
    assert len(json.loads(ok(run("list", "appointments", "--json")))) == 5
    assert "BATCH: import 1 was undone already" in fails(run("import", "undo", "1"))
    assert json.loads(ok(run("import", "list", "--json")))[1]["undone_at"]


def test_a_file_named_like_a_subcommand_is_still_imported(run: Run, tmp_path: Path) -> None:
    text = (FIXTURES / "invalid_rows.csv").read_text()
    (tmp_path / "undo.csv").write_text(text)
    (tmp_path / "list").write_text(text)
    (tmp_path / "undo").write_text(text)
    assert "undo.csv: 4 records" in ok(run("import", "undo.csv", "--skip-invalid"))
    assert "list: 4 records" in ok(run("import", "./list", "--skip-invalid", "--dry-run"))
    assert "undo: 4 records" in ok(run("import", "undo", "--skip-invalid", "--dry-run"))
    assert ok(run("import", "list")).count("\n") == 2  # the header and import 1


def test_import_undo_without_a_batch_says_how(run: Run) -> None:
    err = fails(run("import", "undo"))
    assert err == (
        "Error: FILE: 'undo' does not exist\n"
        "To see the imports: smallcrm import list; to undo one: smallcrm import undo BATCH\n"
    )
    assert "Usage: smallcrm import undo [OPTIONS] {BATCH}" in ok(run("import", "undo", "--help"))
    assert "Usage: smallcrm import [OPTIONS] {FILE|-}" in ok(run("import", "--help"))


def test_routing_counts_positional_arguments() -> None:
    from smallcrm.cli.routing import positionals

    assert positionals(["12"], set()) == 1
    assert positionals(["--json", "-n", "3"], {"-n"}) == 0
    assert positionals(["-", "--kind", "contacts"], {"--kind"}) == 1
    assert positionals(["--", "-x", "y"], set()) == 2


# --- export ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "first"),
    [
        ("contacts", "id,first_name,last_name,"),
        ("accounts", "id,name,industry,"),
        ("deals", "id,name,account,"),
        ("interactions", "id,kind,direction,"),
        ("appointments", "id,title,starts_at,"),
    ],
)
def test_export_every_kind_as_csv_to_stdout(crm: Run, kind: str, first: str) -> None:
    result = crm("export", kind)
    assert ok(result).startswith(first)
    assert b"\r\n" in result.stdout_bytes  # CSV's own line ends, not translated


def test_export_to_a_file_takes_the_format_from_its_name(crm: Run, tmp_path: Path) -> None:
    out = ok(crm("export", "contacts", "-o", "people.vcf"))
    assert out == "Exported 2 contacts to people.vcf (vCard 4.0)\n"
    data = (tmp_path / "people.vcf").read_bytes()
    assert data.startswith(b"BEGIN:VCARD\r\nVERSION:4.0\r\n")
    assert b"\r\r\n" not in data
    assert "FN:Jana Novák" in data.decode("utf-8")
    assert (tmp_path / "people.vcf").stat().st_mode & 0o777 == 0o600
    ok(crm("export", "appointment", "-o", "cal.ics"))
    assert "SUMMARY:Renewal talk" in (tmp_path / "cal.ics").read_text(encoding="utf-8")
    records = json.loads(ok(crm("export", "deals", "--format", "json")))["records"]
    assert [r["name"] for r in records] == ["Acme renewal"]


def test_a_failed_export_keeps_the_previous_file(
    crm: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from smallcrm.store import io

    (tmp_path / "people.csv").write_text("old\n")

    def broken(db: object, kind: str, file_format: str, out: object, **kw: object) -> int:
        out.write("half a file")  # type: ignore[attr-defined]
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(io, "export_records", broken)
    err = fails(crm("export", "contacts", "-o", "people.csv"))
    assert err == "Error: -o: cannot write 'people.csv': no space left on device\n"
    assert (tmp_path / "people.csv").read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir() if "people" in p.name) == ["people.csv"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("contcts",), "Error: KIND: 'contcts' is not one of contacts, accounts, interactions, "
         "deals, appointments, cases, campaigns, all; did you mean contacts?"),
        (("deals", "-f", "vcard"), "Error: --format: vCard holds contacts and accounts only"),
        (("contacts", "-f", "ics"), "Error: --format: iCalendar holds appointments only"),
        (("all", "-f", "csv"), "Error: --format: the whole database is exported as JSON only"),
        (("contacts", "-o", "no/such/dir/x.csv"), "Error: -o: cannot write 'no/such/dir/x.csv'"),
    ],
)  # fmt: skip
def test_export_errors_name_the_option(crm: Run, args: tuple[str, ...], message: str) -> None:
    assert fails(crm("export", *args)).startswith(message)


def test_vcard_round_trip_gives_back_the_same_contacts(crm: Run, fresh: Run) -> None:
    cards = ok(crm("export", "contacts", "--format", "vcard"))
    ok(fresh("import", "-", input=cards.encode("utf-8")))
    keys = ("name", "title", "account", "emails", "phones", "tags")
    before = [{k: c[k] for k in keys} for c in json.loads(ok(crm("list", "contacts", "--json")))]
    after = [{k: c[k] for k in keys} for c in json.loads(ok(fresh("list", "contacts", "--json")))]
    assert after == before
    assert "0 created, 0 updated, 2 unchanged" in ok(fresh("import", "-", input=cards))


def test_csv_and_ics_round_trips(crm: Run, fresh: Run, tmp_path: Path) -> None:
    ok(crm("export", "contacts", "-o", "people.csv"))
    ok(crm("export", "appointments", "-o", "calendar.ics"))
    ok(fresh("import", "people.csv"))
    ok(fresh("import", "calendar.ics"))
    assert contact_names(fresh) == contact_names(crm)
    meeting = json.loads(ok(fresh("list", "appointments", "--json")))[0]
    original = json.loads(ok(crm("list", "appointments", "--json")))[0]
    assert (meeting["title"], meeting["starts_at"], meeting["location"]) == (
        original["title"],
        original["starts_at"],
        original["location"],
    )


def test_the_whole_database_round_trips_through_a_backup(crm: Run, fresh: Run) -> None:
    out = ok(crm("export", "all", "-o", "backup.json"))
    assert out.startswith("Exported the whole database to backup.json: ")
    assert "smallcrm --db NEW.db import backup.json" in out
    assert "created" in ok(fresh("import", "backup.json"))
    for kind in ("contacts", "accounts", "deals", "appointments"):
        assert ok(fresh("list", kind, "--json")) == ok(crm("list", kind, "--json"))
    assert fails(crm("import", "backup.json")).startswith("Error: --db: already holds records")


# --- invite ----------------------------------------------------------------------------------


def test_invite_writes_an_ics_request_for_the_contact(crm: Run, tmp_path: Path) -> None:
    text = ok(crm("invite", "1", "--from", "me@example.com"))
    unfolded = text.replace("\r\n ", "")
    assert "METHOD:REQUEST" in text
    assert "mailto:jana@acme.example" in unfolded
    assert "ORGANIZER:mailto:me@example.com" in unfolded
    out = ok(crm("invite", "renewal talk", "-o", "invite.ics"))
    assert out == (
        "Wrote the invitation to Renewal talk (appointment 1) to invite.ics; "
        "send it to jana@acme.example\n"
    )
    assert (tmp_path / "invite.ics").read_bytes().startswith(b"BEGIN:VCALENDAR\r\n")


def test_invite_errors_and_notes(crm: Run) -> None:
    assert fails(crm("invite", "1", "--from", "me@")).startswith("Error: --from: 'me@' is not")
    assert fails(crm("invite", "9")).startswith("Error: no appointment with id 9.")
    ok(crm("add", "meeting", "Team lunch", "tomorrow 12:00"))
    result = crm("invite", "2")
    assert "BEGIN:VEVENT" in ok(result)
    assert result.stderr.startswith("Note: appointment 2 has no contact with an email address")


# --- history ---------------------------------------------------------------------------------


def test_history_shows_each_change_oldest_first(crm: Run) -> None:
    ok(crm("delete", "contact", "2"))
    ok(crm("restore", "contact", "2"))
    out = ok(crm("history", "contact", "jan berg"))
    lines = out.splitlines()
    assert lines[0] == "History of contact 2 (Jan Berg): 3 entries"
    assert [line.split()[-1] for line in lines if line.startswith(("Mon", "Wed"))] == [
        "create",
        "delete",
        "restore",
    ]
    assert "  first name:" in out and "  emails and phones:" in out
    entries = json.loads(ok(crm("history", "contact", "2", "--json", "-n", "2")))
    assert [e["action"] for e in entries] == ["delete", "restore"]
    assert entries[0]["kind"] == "contact"


def test_history_of_a_deal_an_import_and_records_that_are_gone(crm: Run) -> None:
    assert "History of deal 1 (Acme renewal): 1 entry" in ok(crm("history", "deal", "1"))
    ok(crm("import", str(FIXTURES / "invalid_rows.csv"), "--skip-invalid"))
    ok(crm("import", "undo", "1"))
    out = ok(crm("history", "import", "1"))
    assert out.startswith("History of import 1 (invalid_rows.csv): 2 entries")
    assert "undo-import" in out
    ok(crm("delete", "contact", "2"))
    assert "(no longer in the database, or in the trash)" in ok(crm("history", "contact", "2"))
    assert fails(crm("history", "contact", "99")) == (
        "Error: no contact with id 99, and no history for that id\n"
    )
    assert fails(crm("history", "colour", "1")).startswith("Error: KIND: 'colour' is not one of")
    assert fails(crm("history", "contact", "zed")).startswith("Error: no contact matches 'zed'.")


# --- as real processes -----------------------------------------------------------------------


@pytest.fixture
def env(tmp_path: Path, new_database_url: Callable[[str], Path | str]) -> dict[str, str]:
    values = dict(os.environ)
    values.update(
        SMALLCRM_DB=str(new_database_url("proc.db")),
        SMALLCRM_USER="tester",
        SMALLCRM_PHONE_REGION="DE",
        XDG_DATA_HOME=str(tmp_path / "xdg"),
    )
    return values


def smallcrm(
    env: dict[str, str], *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "smallcrm.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        input=stdin,
        timeout=60,
        check=False,
    )


def test_processes_exit_codes_stderr_and_json(env: dict[str, str]) -> None:
    rejected = smallcrm(env, "import", str(FIXTURES / "invalid_rows.csv"))
    assert (rejected.returncode, rejected.stdout) == (1, "")
    assert rejected.stderr.startswith("Error: 2 of 4 records are invalid, so nothing was imported")
    assert "  line 3: name: is missing" in rejected.stderr
    done = smallcrm(env, "import", "-", "--json", stdin="Name,Email\nEva Kral,eva@kral.example\n")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["created"] == 1
    cards = smallcrm(env, "export", "contacts", "-f", "vcard")
    assert (cards.returncode, cards.stderr) == (0, "")
    assert "FN:Eva Kral\r\n" in cards.stdout.replace("\n", "\r\n").replace("\r\r", "\r")
    usage = smallcrm(env, "export")
    assert usage.returncode == 2
    assert "Traceback" not in usage.stderr


def test_the_console_script_builds_only_the_import_command(env: dict[str, str]) -> None:
    code = (
        "import sys\n"
        "import smallcrm.cli.main as m\n"
        "real = m.build_app\n"
        "def spy(only=None, sub=None):\n"
        "    print('BUILT', only, sub)\n"
        "    return real(only, sub)\n"
        "m.build_app = spy\n"
        "sys.argv = ['smallcrm', 'import', 'undo', '7']\n"
        "m.main()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
    )
    assert done.stdout.splitlines()[0] == "BUILT import undo"
    assert done.stderr.startswith("Error: no import 7.")


def test_quick_add_does_not_load_the_data_commands(env: dict[str, str]) -> None:
    code = (
        "import sys\n"
        "sys.argv = ['smallcrm', 'add', 'contact', 'Ada Lovelace', '--force']\n"
        "from smallcrm.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith('smallcrm')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
    )
    loaded = done.stdout.splitlines()[-1]
    data_commands = ("dataio", "imports", "import_batches", "import_report", "exports", "invite")
    for module in (*data_commands, "routing", "duplicates", "privacy", "history", "feedback", "io"):
        assert f".{module}'" not in loaded, module
