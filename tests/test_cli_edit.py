"""``smallcrm edit KIND ID FIELD=VALUE ...`` through Typer's CliRunner, on every kind.

The clock is Wednesday 2026-11-25 10:30 local time, so "eom" is 2026-11-30 and "fri 15:00"
is 2026-11-27 15:00.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from smallcrm.cli import app
from smallcrm.store import clock
from smallcrm.store.accounts import create_account, get_account
from smallcrm.store.appointments import create_appointment, get_appointment
from smallcrm.store.audit import history
from smallcrm.store.contacts import create_contact, get_contact
from smallcrm.store.db import Database, open_database
from smallcrm.store.interactions import get_interaction, log_interaction
from smallcrm.store.opportunities import create_opportunity, get_opportunity, update_opportunity

NOW = "2026-11-25T10:30:00"
Run = Callable[..., Result]


@pytest.fixture(autouse=True)
def _clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMALLCRM_NOW", NOW)
    monkeypatch.setenv("COLUMNS", "120")


@pytest.fixture
def crm(db_path: Path) -> dict[str, int]:
    """Acme GmbH with Jana Novak, a deal, a call and a meeting; their ids by name."""
    database = open_database(db_path)
    acme = create_account(
        database, allow_duplicate=True, name="Acme GmbH", website="acme.example", tags=["customer"]
    )
    beta = create_account(database, allow_duplicate=True, name="Beta AG")
    jana = create_contact(
        database,
        allow_duplicate=True,
        name="Jana Novak",
        title="Buyer",
        account_id=acme.id,
        emails=["jana@example.com"],
        tags=["vip"],
    )
    deal = create_opportunity(
        database, name="Acme renewal", account_id=acme.id, amount="12000", stage="proposal"
    )
    start = clock.local(datetime.fromisoformat("2026-11-26T14:00:00"))
    call = log_interaction(
        database, kind="call", subject="Discussed renewal", contact_id=jana.id, happened_at=start
    )
    meeting = create_appointment(
        database, title="Demo", starts_at=start, duration=timedelta(hours=1), contact_id=jana.id
    )
    database.close()
    return {
        "acme": acme.id,
        "beta": beta.id,
        "jana": jana.id,
        "deal": deal.id,
        "call": call.id,
        "meeting": meeting.id,
    }


@pytest.fixture
def run(db_path: Path) -> Run:
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(app, ["--db", str(db_path), *args])

    return invoke


def ok(result: Result) -> str:
    assert result.exit_code == 0, result.output
    return result.stdout


def fails(result: Result) -> str:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    return result.stderr


# --- each kind -----------------------------------------------------------------------------


def test_edit_deal_stage_amount_and_close_as_add_deal_takes_them(
    run: Run, crm: dict[str, int], db: Database
) -> None:
    out = ok(run("edit", "deal", str(crm["deal"]), "stage=won", "amount=5k", "close=eom"))

    deal = get_opportunity(db, crm["deal"])
    assert (deal.stage, deal.amount) == ("won", Decimal("5000"))
    assert deal.expected_close == date(2026, 11, 30)
    assert deal.tracking.version == 2
    assert f"Updated deal {crm['deal']} (Acme renewal), now version 2:" in out
    assert "  stage: proposal -> won" in out
    assert "  amount: 12000.00 -> 5000.00" in out
    assert "  probability: 50 -> 100" in out  # derived changes are shown too


def test_edit_contact_title_with_spaces_and_list_operators(
    run: Run, crm: dict[str, int], db: Database
) -> None:
    out = ok(
        run(
            "edit", "contact", str(crm["jana"]), "title=Head of Buying",
            "email+=home:jana@home.example", "tag+=fair", "account=beta",
        )
    )  # fmt: skip

    jana = get_contact(db, crm["jana"])
    assert jana.title == "Head of Buying"
    assert [(m.value, m.label) for m in jana.emails] == [
        ("jana@example.com", "work"),
        ("jana@home.example", "home"),
    ]
    assert jana.tags == ("vip", "fair")
    assert jana.account_id == crm["beta"]
    assert "  title: Buyer -> Head of Buying" in out
    assert "  account: Acme GmbH -> Beta AG" in out

    ok(run("edit", "contact", str(crm["jana"]), "email-=jana@example.com", "tag="))
    jana = get_contact(db, crm["jana"])
    assert [m.value for m in jana.emails] == ["jana@home.example"]
    assert jana.tags == ()


def test_edit_account_website_and_tags(run: Run, crm: dict[str, int], db: Database) -> None:
    out = ok(run("edit", "account", str(crm["acme"]), "website=acme.example.org", "tags=a,b"))

    acme = get_account(db, crm["acme"])
    assert acme.website and "acme.example.org" in acme.website
    assert acme.tags == ("a", "b")
    assert "  tag: customer -> a, b" in out


def test_edit_interaction_time_duration_and_follow_up(
    run: Run, crm: dict[str, int], db: Database
) -> None:
    ok(
        run(
            "edit", "interaction", str(crm["call"]), "at=yesterday 16:00", "duration=20",
            "follow-up=fri", "subject=Renewal agreed",
        )
    )  # fmt: skip

    call = get_interaction(db, crm["call"])
    assert call.happened_at == clock.local(datetime.fromisoformat("2026-11-24T16:00:00"))
    assert call.duration_minutes == 20
    assert call.follow_up_on == date(2026, 11, 27)
    assert call.subject == "Renewal agreed"


def test_edit_appointment_new_start_keeps_its_length(
    run: Run, crm: dict[str, int], db: Database
) -> None:
    ok(run("edit", "appointment", str(crm["meeting"]), "start=fri 15:00", "where=Acme office"))

    meeting = get_appointment(db, crm["meeting"])
    assert meeting.starts_at == clock.local(datetime.fromisoformat("2026-11-27T15:00:00"))
    assert meeting.ends_at == meeting.starts_at + timedelta(hours=1)
    assert meeting.location == "Acme office"

    ok(run("edit", "appointment", str(crm["meeting"]), "duration=90m"))
    meeting = get_appointment(db, crm["meeting"])
    assert meeting.ends_at == meeting.starts_at + timedelta(minutes=90)


def test_edit_by_name_and_json_output(run: Run, crm: dict[str, int]) -> None:
    data = json.loads(ok(run("edit", "deal", "acme renewal", "next-step=Send offer", "--json")))

    assert data["id"] == crm["deal"]
    assert data["next_step"] == "Send offer"
    assert data["version"] == 2


def test_same_values_change_nothing(run: Run, crm: dict[str, int], db: Database) -> None:
    out = ok(run("edit", "deal", str(crm["deal"]), "stage=proposal"))

    assert "Nothing to change" in out
    assert get_opportunity(db, crm["deal"]).tracking.version == 1


# --- errors --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "ref", "assignment", "message"),
    [
        ("deal", "deal", "stage=wonn", "stage: 'wonn' is not one of lead, qualified"),
        ("deal", "deal", "close=someday", "close: could not read 'someday' as a date"),
        ("deal", "deal", "amount=lots", "amount:"),
        ("deal", "deal", "stage=lost", "lost-reason: is required when a deal is lost"),
        ("contact", "jana", "email=not-an-email", "email:"),
        ("contact", "jana", "name=", "name: is required"),
        ("account", "acme", "website=bad..url", "website:"),
        ("interaction", "call", "duration=forever", "duration:"),
        ("appointment", "meeting", "repeat=SOMETIMES", "repeat:"),
        ("appointment", "meeting", "all-day=maybe", "all-day: 'maybe' is not yes or no"),
    ],
)
def test_validation_errors_name_the_field_and_save_nothing(
    run: Run, crm: dict[str, int], db: Database, kind: str, ref: str, assignment: str, message: str
) -> None:
    err = fails(run("edit", kind, str(crm[ref]), assignment))

    assert err.startswith(f"Error: {message}")
    entries = history(db, "opportunity" if kind == "deal" else kind, crm[ref])
    assert [e.action for e in entries] == ["create"]


def test_unknown_field_lists_the_fields_of_that_kind(run: Run, crm: dict[str, int]) -> None:
    err = fails(run("edit", "deal", str(crm["deal"]), "stag=won"))

    assert "stag: a deal has no such field. Did you mean stage?" in err
    assert "Fields of a deal: name, account, contact, amount, currency, stage" in err


def test_words_that_are_not_assignments_are_refused(run: Run, crm: dict[str, int]) -> None:
    err = fails(run("edit", "contact", str(crm["jana"]), "title=Head", "of", "Buying"))
    assert "'of' is not FIELD=VALUE; quote a value with spaces" in err

    err = fails(run("edit", "deal", str(crm["deal"]), "stage+=won"))
    assert "stage: += and -= work on lists" in err

    err = fails(run("edit", "deal", str(crm["deal"]), "stage=won", "stage=lost"))
    assert "stage: given twice" in err


def test_missing_record(run: Run, crm: dict[str, int]) -> None:
    err = fails(run("edit", "deal", "999", "stage=won"))
    assert "no deal with id 999" in err


# --- versions and conflicts ----------------------------------------------------------------


def test_if_version_conflict_says_who_changed_what_and_saves_nothing(
    run: Run, crm: dict[str, int], db: Database
) -> None:
    update_opportunity(db, crm["deal"], 1, actor="ana", stage="negotiation")

    err = fails(run("edit", "deal", str(crm["deal"]), "amount=1", "--if-version", "1"))

    assert "deal 1 was changed by someone else since version 1 (it is now at version 2)" in err
    assert "nothing was saved" in err
    assert "ana  update: " in err and "stage proposal -> negotiation" in err
    assert "--if-version 2" in err
    deal = get_opportunity(db, crm["deal"])
    assert deal.amount == Decimal("12000") and deal.tracking.version == 2


def test_if_version_that_matches_saves(run: Run, crm: dict[str, int], db: Database) -> None:
    ok(run("edit", "deal", str(crm["deal"]), "amount=1", "--if-version", "1"))

    assert get_opportunity(db, crm["deal"]).amount == Decimal("1")


def test_show_json_gives_the_version_edit_checks(run: Run, crm: dict[str, int]) -> None:
    shown = json.loads(ok(run("show", "deal", str(crm["deal"]), "--json")))
    ok(run("edit", "deal", str(crm["deal"]), "amount=1", "--if-version", str(shown["version"])))

    err = fails(run("edit", "deal", str(crm["deal"]), "amount=2", "--if-version", "1"))
    assert "since version 1 (it is now at version 2)" in err
    assert "(version 2)" in ok(run("show", "deal", str(crm["deal"])))


def test_audit_entry_names_the_acting_user(
    run: Run, crm: dict[str, int], db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SMALLCRM_USER", "mia")
    ok(run("edit", "contact", str(crm["jana"]), "title=Head of Buying"))

    entry = history(db, "contact", crm["jana"])[-1]
    assert (entry.actor, entry.action) == ("mia", "update")
    assert entry.changes == {"title": ["Buyer", "Head of Buying"]}
    assert get_contact(db, crm["jana"]).tracking.updated_by == "mia"
