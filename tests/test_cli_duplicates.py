"""``smallcrm duplicates``, ``merge KEEP OTHER`` and ``merge undo MERGE_ID`` through Typer's
CliRunner on a temporary database."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from smallcrm.cli import app

Run = Callable[..., Result]


@pytest.fixture
def run(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> Run:
    monkeypatch.setenv("COLUMNS", "120")
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None) -> Result:  # noqa: A002
        return runner.invoke(app, ["--db", str(db_path), *args], input=input)

    return invoke


@pytest.fixture
def crm(run: Run) -> Run:
    """Anna Smith (1) and "Smith, Anna" (2) at Acme, a call with the second; Acme and ACME
    GmbH with the same website; Carl Jung alone."""
    for args in (
        ("add", "account", "Acme", "--website", "acme.example"),
        ("add", "contact", "Anna Smith", "--email", "anna@acme.example", "--account", "1",
         "--title", "Buyer"),
        ("add", "contact", "Smith, Anna", "--email", "ANNA@acme.example", "--phone",
         "+49 30 1234567", "--title", "Head of buying", "--force"),
        ("log", "call", "2", "Asked for a quote"),
        ("add", "account", "ACME GmbH", "--website", "https://www.acme.example/", "--force"),
        ("add", "contact", "Carl Jung"),
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


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Someone at a terminal answers the question (the answer comes from ``input``)."""
    monkeypatch.setattr("smallcrm.cli.feedback.stdin_is_terminal", lambda: True)


def test_duplicates_lists_pairs_with_score_and_reasons(crm: Run) -> None:
    result = crm("duplicates")
    lines = ok(result).splitlines()
    assert lines[0].split("\t") == ["Score", "Keep", "Name", "Other", "Name", "Why"]
    score, keep, _, other, _, why = lines[1].split("\t")
    assert (int(score) >= 95, {keep, other}) == (True, {"1", "2"})
    assert "same email anna@acme.example" in why
    assert "smallcrm merge KEEP OTHER" in result.stderr
    pairs = json.loads(ok(crm("duplicates", "--json")))
    assert pairs[0]["reasons"][0] == "same email anna@acme.example"
    assert {pairs[0]["keep"]["id"], pairs[0]["other"]["id"]} == {1, 2}
    accounts = json.loads(ok(crm("duplicates", "--accounts", "--json")))
    assert [(p["keep"]["name"], p["other"]["name"]) for p in accounts] in (
        [("Acme", "ACME GmbH")],
        [("ACME GmbH", "Acme")],
    )


def test_no_duplicates_says_so(run: Run) -> None:
    ok(run("add", "contact", "Carl Jung"))
    result = run("duplicates", "--min-score", "10")
    assert ok(result) == ""
    assert result.stderr == "No likely duplicate contacts (none scores 10 or more).\n"
    assert ok(run("duplicates", "--json")) == "[]\n"


def test_merge_shows_the_preview_and_refuses_without_a_terminal(crm: Run) -> None:
    result = crm("merge", "1", "2")
    out = result.stdout
    assert out.startswith("Merging contact 2 (Anna Smith) into contact 1 (Anna Smith):\n")
    assert "title\tBuyer\tHead of buying\tkeep" in out
    assert "account_id\tAcme (1)\t\tkeep" in out
    assert "phones\t\t+49301234567 (mobile)\tboth" in out
    assert "Moving to contact 1: 1 interaction" in out
    assert fails(result) == (
        "Error: merge changes two records, so it asks first, and there is no terminal to ask "
        "on; add --yes to merge without asking\n"
    )
    assert len(json.loads(ok(crm("list", "contacts", "--json")))) == 3


def test_merge_with_yes_takes_chosen_fields_and_moves_links(crm: Run) -> None:
    out = ok(crm("merge", "1", "2", "--take", "title=other", "--yes"))
    last = out.splitlines()[-1]
    assert last.startswith(
        "Merged contact 2 (Anna Smith) into contact 1 (Anna Smith) (moved 1 interaction); "
        "contact 2 is in the trash. Undo with: smallcrm merge undo "
    )
    kept = json.loads(ok(crm("show", "contact", "1", "--json")))
    assert kept["title"] == "Head of buying"
    assert [p["value"] for p in kept["phones"]] == ["+49301234567"]
    assert [i["subject"] for i in kept["timeline"]] == ["Asked for a quote"]
    merge_id = last.rsplit(" ", 1)[1]
    assert ok(crm("merge", "undo", merge_id)) == (
        f"Undid merge {merge_id}: contact 2 is back with its links; contact 1 is as it was before\n"
    )
    assert json.loads(ok(crm("show", "contact", "1", "--json")))["title"] == "Buyer"
    assert "was undone already" in fails(crm("merge", "undo", merge_id))


def test_merge_asks_at_a_terminal(crm: Run, terminal: None) -> None:
    declined = crm("merge", "1", "2", input="n\n")
    assert "Merge contact 2 (Anna Smith) into contact 1 (Anna Smith)? [y/N]" in declined.stderr
    assert fails(declined).endswith("Nothing was merged.\n")
    accepted = crm("merge", "1", "2", input="y\n")
    assert "Merged contact 2" in ok(accepted)
    assert len(json.loads(ok(crm("list", "contacts", "--json")))) == 2


def test_merge_accounts(crm: Run) -> None:
    out = ok(crm("merge", "acme", "ACME GmbH", "--accounts", "--take", "name", "--yes"))
    assert "Merged account 2 (ACME GmbH) into account 1 (Acme)" in out
    names = [a["name"] for a in json.loads(ok(crm("list", "accounts", "--json")))]
    assert names == ["ACME GmbH"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("1", "1"), "Error: OTHER: KEEP and OTHER are the same contact (1)"),
        (("1", "zed"), "Error: no contact matches 'zed'."),
        (("1", "2", "--take", "colour"), "Error: --take: 'colour' is not a field to merge; one of"),
        (("1", "2", "--take", "title=both"), "Error: --take: 'title=both': say title=keep or"),
        (("1", "2", "--take", "emails=mine"), "Error: --take: 'emails=mine': say emails=keep or "
         "other or both"),
    ],
)  # fmt: skip
def test_merge_errors(crm: Run, args: tuple[str, ...], message: str) -> None:
    assert fails(crm("merge", *args, "--yes")).startswith(message)


def test_an_ambiguous_name_offers_the_command_with_ids(crm: Run) -> None:
    err = fails(crm("merge", "carl", "anna smith"))
    assert err.endswith("Pick one with smallcrm merge 3 1 (its id) or type a fuller name.\n")


def test_merge_undo_errors(crm: Run) -> None:
    assert fails(crm("merge", "undo", "3")).startswith("Error: MERGE_ID: no merge 3;")
    assert "Missing argument 'MERGE_ID'" in fails(crm("merge", "undo"), 2)
    out = ok(crm("merge", "1", "2", "--yes"))
    merge_id = out.rsplit(" ", 1)[1].strip()
    ok(crm("delete", "contact", "1"))
    ok(crm("restore", "contact", "1"))
    err = fails(crm("merge", "undo", merge_id))
    assert err == (
        "Error: contact 1 was changed after the merge, so the merge cannot be undone without "
        "losing that change\n"
    )
