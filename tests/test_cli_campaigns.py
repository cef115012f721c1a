"""Campaigns from the shell, and consent as the law: no command path adds or exports a contact
without the consent the channel needs, and an unsubscribe is never undone by an import. The
results-file parser is fuzzed with hypothesis.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_results import Run, fails, ok
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner, Result

from smallcrm.cli import app
from smallcrm.store.campaign_responses import EVENTS, parse_results
from smallcrm.store.errors import ValidationError

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture
def run(db_path: Path) -> Run:
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(app, ["--db", str(db_path), *args])

    for args in (
        ("Ann Able", "--email", "ann@example.com", "--email-opt-in", "--consent-source", "form"),
        ("Bob Baker", "--email", "bob@example.com", "--email-opt-out"),
        ("Cy Cole", "--email", "cy@example.com"),
        ("Dee Dean", "--email-opt-in"),
    ):
        ok(invoke("add", "contact", *args, "--tag", "customer"))
    ok(invoke("add", "campaign", "Spring offer 2026", "--code", "SPRING26", "--channel", "email",
              "--budget", "500", "--start", "2026-03-01", "--end", "2026-04-30"))  # fmt: skip
    return invoke


def test_add_campaign_prints_it_and_wrong_input_names_the_field(run: Run) -> None:
    shown = json.loads(ok(run("show", "campaign", "spring26", "--json")))
    assert (shown["code"], shown["budget"], shown["starts_on"]) == (
        "SPRING26",
        "500.00",
        "2026-03-01",
    )
    assert "channel: 'fax' is not one of email, newsletter" in fails(
        run("add", "campaign", "X", "--channel", "fax")
    )
    assert "end: 2026-04-01 is before the start" in fails(
        run("add", "campaign", "X", "--start", "2026-05-01", "--end", "2026-04-01")
    )
    assert "CAMPAIGN: no campaign 'NOPE'" in fails(run("campaign", "members", "NOPE"))
    assert "SPRING26" in ok(run("list", "campaigns"))


def test_add_members_says_how_many_were_left_out_and_why(run: Run) -> None:
    out = ok(run("campaign", "add-members", "SPRING26", "--tag", "customer", "--consent", "email"))
    assert "Added 1 to SPRING26 (members need email consent)." in out
    assert (
        "Left out 3: 1 email consent never given, 1 email consent withdrawn, "
        "1 no email address." in out
    )
    members = json.loads(ok(run("campaign", "members", "SPRING26", "--json")))
    assert [m["email"] for m in members["members"]] == ["ann@example.com"]


@pytest.mark.parametrize(
    "selection",
    [
        ("--tag", "customer"),
        ("--search", "example"),
        ("--owner", "nobody-owns-these"),
        ("--tag", "customer", "--consent", "phone"),
    ],
)
def test_no_command_path_adds_or_exports_a_contact_without_consent(
    run: Run, tmp_path: Path, selection: tuple[str, ...]
) -> None:
    ok(run("add", "campaign", "Calls", "--code", "CALLS", "--channel", "phone"))
    for code in ("SPRING26", "CALLS"):
        ok(run("campaign", "add-members", code, *selection))
        members = json.loads(ok(run("campaign", "members", code, "--json", "--limit", "100")))
        for member in members["members"]:
            consent = "email_opt_in" if code == "SPRING26" else "phone_opt_in"
            assert member[consent] is True, member
        for file_format in ("csv", "vcard"):
            out = tmp_path / f"{code}.{file_format}"
            ok(run("campaign", "export", code, "-o", str(out), "--format", file_format))
            text = out.read_text(encoding="utf-8")
            for absent in ("bob@", "cy@", "Dee Dean"):
                assert absent not in text
    # The one who consented, withdrawn since: gone from the next file.
    ok(run("edit", "contact", "1", "email-opt-in=no"))
    out = tmp_path / "after.csv"
    ok(run("campaign", "export", "SPRING26", "-o", str(out)))
    assert "ann@" not in out.read_text(encoding="utf-8")


def test_an_unsubscribe_is_never_undone_by_an_import(run: Run, tmp_path: Path) -> None:
    ok(run("campaign", "add-members", "SPRING26", "--tag", "customer"))
    results = tmp_path / "results.csv"
    results.write_text("email,event\nann@example.com,unsubscribe\nghost@example.com,click\n")
    out = ok(run("campaign", "responses", "SPRING26", str(results)))
    assert "SPRING26: 1 opted out." in out
    assert "1 email consent withdrawn (unsubscribed)" in out
    assert "1 addresses of no contact" in out
    history = ok(run("history", "contact", "1"))
    assert "unsubscribe" in history and "unsubscribed via campaign SPRING26" in history
    old = tmp_path / "old.csv"
    old.write_text(
        "Name,Email,Email opt in,Email consent source\nAnn Able,ann@example.com,yes,old\n"
    )
    ok(run("import", str(old), "--kind", "contacts"))
    ann = json.loads(ok(run("show", "contact", "1", "--json")))
    assert ann["email_consent"]["opt_in"] is False
    assert "record the person's new consent" in fails(
        run("edit", "contact", "1", "email-opt-in=yes")
    )
    ok(run("edit", "contact", "1", "email-opt-in=yes", "consent-source=phone call 2026-11-20"))
    assert json.loads(ok(run("show", "contact", "1", "--json")))["email_consent"]["opt_in"]


def test_leads_attribution_and_the_report(run: Run) -> None:
    ok(run("add", "contact", "Eve Early", "--email", "eve@example.com", "--campaign", "SPRING26"))
    ok(
        run(
            "add",
            "deal",
            "Eve order",
            "--contact",
            "Eve Early",
            "--amount",
            "2000",
            "--stage",
            "won",
        )
    )
    ok(run("add", "deal", "Other", "--contact", "Eve Early", "--amount", "100"))
    ok(run("edit", "campaign", "1", "cost=400"))
    ok(run("add", "campaign", "Fair", "--code", "FAIR", "--channel", "event"))
    ok(run("edit", "deal", "2", "campaign=FAIR"))
    report = json.loads(ok(run("report", "campaigns", "--json")))
    assert report["attribution"] == "single-touch"
    spring = next(c for c in report["campaigns"] if c["code"] == "SPRING26")
    assert (spring["leads"], spring["deals_opened"], spring["deals_won"]) == (1, 1, 1)
    assert (spring["revenue"], spring["cost_per_lead"], spring["roi_percent"]) == (
        "2000.00", "400.00", "400.0",
    )  # fmt: skip
    fair = next(c for c in report["campaigns"] if c["code"] == "FAIR")
    assert fair["deals_opened"] == 1 and fair["roi_percent"] is None
    table = ok(run("report", "campaigns"))
    assert "Resp%" in table and "400%" in table
    shown = ok(run("show", "campaign", "SPRING26"))
    assert "ROI:" in shown and "400%" in shown


# --- the results file ------------------------------------------------------------------------

_EMAIL = st.from_regex(r"[a-z0-9]{1,8}@[a-z]{1,8}\.(com|org)", fullmatch=True)
_EVENT = st.sampled_from(sorted(EVENTS))


@FAST
@given(st.lists(st.tuples(_EMAIL, _EVENT), max_size=20), st.sampled_from([",", ";", "\t"]))
def test_results_files_read_back_what_was_written(
    rows: list[tuple[str, str]], delimiter: str
) -> None:
    text = f"Email{delimiter}Event\n" + "".join(f"{e}{delimiter}{v}\n" for e, v in rows)
    found = parse_results(text)
    assert found.problems == []
    assert [(r.email, r.status) for r in found.responses] == [(e, EVENTS[v]) for e, v in rows]


@FAST
@given(st.text(max_size=300))
def test_any_text_is_read_or_refused_with_one_clear_error(text: str) -> None:
    try:
        found = parse_results(text)
    except ValidationError as exc:
        assert exc.field == "results"
        return
    for response in found.responses:
        assert "@" in response.email and response.status in EVENTS.values()


def test_winning_a_deal_or_becoming_a_customer_converts_the_member(run: Run) -> None:
    ok(run("add", "contact", "Eve Early", "--email", "eve@example.com", "--email-opt-in",
           "--tag", "customer", "--campaign", "SPRING26"))  # fmt: skip
    ok(run("campaign", "add-members", "SPRING26", "--tag", "customer"))
    ok(run("add", "deal", "Ann order", "--contact", "Ann Able", "--amount", "900"))
    ok(run("edit", "deal", "1", "campaign=SPRING26"))

    def statuses() -> dict[str, str]:
        found = json.loads(ok(run("campaign", "members", "SPRING26", "--json")))["members"]
        return {m["email"]: m["status"] for m in found}

    assert statuses() == {"ann@example.com": "targeted", "eve@example.com": "targeted"}
    ok(run("edit", "deal", "1", "stage=won", "reason=price"))
    assert statuses() == {"ann@example.com": "converted", "eve@example.com": "targeted"}
    ok(run("edit", "contact", "Eve Early", "lifecycle=customer"))
    assert statuses() == {"ann@example.com": "converted", "eve@example.com": "converted"}
