"""``smallcrm filter`` from the shell, and ``--filter`` on ``list contacts`` and ``campaign
add-members`` (the consent rule and the "left out" message as with any other choice)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_results import Run, fails, ok
from typer.testing import CliRunner, Result

from smallcrm.cli import app


@pytest.fixture
def run(db_path: Path) -> Run:
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(app, ["--db", str(db_path), *args])

    ok(invoke("add", "account", "Acme"))
    for args in (
        ("Ann Able", "--email", "ann@example.com", "--email-opt-in", "--account", "Acme"),
        ("Bob Baker", "--email", "bob@example.com", "--email-opt-out", "--account", "Acme"),
        ("Cy Cole", "--email", "cy@example.com"),
        ("Dee Dean", "--email-opt-in"),
    ):
        ok(invoke("add", "contact", *args, "--tag", "customer"))
    ok(invoke("add", "campaign", "Spring offer 2026", "--code", "SPRING26", "--channel", "email"))
    return invoke


def test_save_list_show_and_delete(run: Run) -> None:
    out = ok(run("filter", "save", "Customers", "--tag", "Customer", "--consent", "email"))
    assert out == "Saved filter 'Customers': tag customer, email consent yes.\n"
    assert "exists already; --replace saves over it" in fails(
        run("filter", "save", "customers", "--tag", "vip")
    )
    ok(run("filter", "save", "acme", "--account", "Acme", "--lifecycle", "lead"))
    listed = ok(run("filter", "list"))
    assert "acme\taccount Acme, lifecycle lead\t" in listed and "Customers\ttag customer" in listed
    shown = json.loads(ok(run("filter", "show", "CUSTOMERS", "--json")))
    assert (shown["name"], shown["matches"], shown["version"]) == ("Customers", 2, 1)
    assert "Finds now: 2 contacts" in ok(run("filter", "show", "customers"))
    out = ok(run("filter", "save", "customers", "--tag", "customer", "--replace"))
    assert out.startswith("Replaced (version 2) filter 'customers'")
    assert "did you mean 'customers'?" in fails(run("filter", "show", "custmers"))
    assert ok(run("filter", "delete", "Customers")) == "Deleted filter 'customers'.\n"
    assert [f["name"] for f in json.loads(ok(run("filter", "list", "--json")))] == ["acme"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("x",), "criteria: say which contacts the filter keeps"),
        (("x", "--lifecycle", "fan"), "lifecycle: 'fan' is not a lifecycle stage"),
        (("x", "--consent", "fax"), "consent: 'fax' is not one of email, phone"),
        (("x", "--account", "Nowhere"), "no account matches 'Nowhere'"),
        (("x", "--since", "someday"), "--since"),
    ],
)
def test_wrong_input_is_one_line_naming_the_field(
    run: Run, args: tuple[str, ...], message: str
) -> None:
    assert message in fails(run("filter", "save", *args))
    assert json.loads(ok(run("filter", "list", "--json"))) == []


def test_list_contacts_with_a_saved_filter(run: Run) -> None:
    ok(run("filter", "save", "acme", "--account", "Acme"))
    found = json.loads(ok(run("list", "contacts", "--filter", "ACME", "--json")))
    assert sorted(c["name"] for c in found) == ["Ann Able", "Bob Baker"]
    found = json.loads(ok(run("list", "contacts", "--filter", "acme", "--json", "--owner", "x")))
    assert found == []
    same = json.loads(ok(run("list", "contacts", "--filter", "acme", "--account", "Acme",
                              "--json")))  # fmt: skip
    assert len(same) == 2
    ok(run("add", "account", "Other"))
    assert "--account: the filter 'acme' already keeps account Acme" in fails(
        run("list", "contacts", "--filter", "acme", "--account", "Other")
    )


def test_add_members_from_a_saved_filter_keeps_the_consent_rule(run: Run) -> None:
    ok(run("filter", "save", "customers", "--tag", "customer"))
    out = ok(run("campaign", "add-members", "SPRING26", "--filter", "customers"))
    assert "Added 1 to SPRING26 (members need email consent)." in out
    assert (
        "Left out 3: 1 email consent never given, 1 email consent withdrawn, "
        "1 no email address." in out
    )
    ok(run("add", "contact", "Eve Early", "--email", "eve@example.com", "--email-opt-in",
           "--tag", "customer"))  # fmt: skip
    out = ok(run("campaign", "add-members", "SPRING26", "--filter", "customers", "--search", "eve"))
    assert "Added 1 to SPRING26" in out  # the filter finds whoever matches now
    members = json.loads(ok(run("campaign", "members", "SPRING26", "--json")))
    assert [m["email"] for m in members["members"]] == ["ann@example.com", "eve@example.com"]
    assert "filter: no saved filter named 'custmers'; did you mean 'customers'?" in fails(
        run("campaign", "add-members", "SPRING26", "--filter", "custmers")
    )
