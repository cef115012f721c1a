"""The kinds registry: every kind of record is reachable from search, ``show``, ``edit``,
``delete``/``restore``, ``history``, ``list``, export and the app's palette, in the words the
registry gives it. A new kind that misses one of them fails here."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from tui_data import SIZE, app_for
from typer.testing import CliRunner, Result

from smallcrm.cli import app as cli_app
from smallcrm.cli import views
from smallcrm.cli.edit_values import READERS
from smallcrm.screens.details import DETAIL_SCREENS
from smallcrm.store import (
    accounts,
    appointments,
    campaigns,
    cases,
    contacts,
    interactions,
    kinds,
    opportunities,
)
from smallcrm.store.db import Database
from smallcrm.store.errors import ValidationError
from smallcrm.store.search import search

pytest_plugins = ["tui_fixtures"]  # tui_db: a database on the fixed clock

TITLES = {
    "contact": "Zyxcontact Person",
    "account": "Zyxaccount Ltd",
    "opportunity": "Zyxdeal renewal",
    "interaction": "Zyxinteraction",
    "appointment": "Zyxappointment",
    "service_case": "Zyxcase sensor offline",
    "campaign": "Zyxcampaign spring offer",
}
KIND_IDS = [k.name for k in kinds.KINDS]


def _one_of_each(db: Database) -> dict[str, int]:
    """One record of every kind, titled as in ``TITLES``."""
    account = accounts.create_account(db, name=TITLES["account"])
    contact = contacts.create_contact(db, name=TITLES["contact"], account_id=account.id)
    deal = opportunities.create_opportunity(db, name=TITLES["opportunity"], account_id=account.id)
    call = interactions.log_interaction(
        db, kind="call", subject=TITLES["interaction"], contact_id=contact.id
    )
    start = datetime(2026, 11, 27, 14, 0, tzinfo=UTC)
    meeting = appointments.create_appointment(
        db, title=TITLES["appointment"], starts_at=start, ends_at=start + timedelta(hours=1)
    )
    case = cases.create_case(db, subject=TITLES["service_case"], contact_id=contact.id)
    campaign = campaigns.create_campaign(db, name=TITLES["campaign"], code="ZYX")
    return {
        "contact": contact.id,
        "account": account.id,
        "opportunity": deal.id,
        "interaction": call.id,
        "appointment": meeting.id,
        "service_case": case.id,
        "campaign": campaign.id,
    }


@pytest.fixture
def records(db: Database) -> dict[str, int]:
    return _one_of_each(db)


@pytest.fixture
def shell(db_path: Path) -> Any:
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        result = runner.invoke(cli_app, ["--db", str(db_path), *args])
        assert "Traceback" not in result.output
        return result

    return invoke


def _ok(result: Result) -> str:
    assert result.exit_code == 0, result.output
    return result.stdout


def test_the_registry_is_complete() -> None:
    codes = [k.search_code for k in kinds.KINDS]
    assert len(set(codes)) == len(codes), "each kind has its own range of the search index"
    assert sorted(kinds.SEARCH_ORDER) == sorted(kinds.NAMES)
    for kind in kinds.KINDS:
        services = kind.services
        for verb in ("get", "update", "delete", "restore", "list", "iter", "title"):
            assert callable(getattr(services, verb)), f"{kind.name} has no {verb}"
        assert kind.name in views.JSON_OF, f"the shell cannot print a {kind.word} as JSON"
        assert kind.name in views.LINE_OF, f"the shell cannot print a {kind.word} on a line"
        assert kind.name in DETAIL_SCREENS, f"the app has no screen for a {kind.word}"
        for field in kind.fields:
            known = field.reader in READERS or field.reader in (
                kinds.TEXT, kinds.LIST, kinds.YES_NO, kinds.RAW, kinds.LENGTH
            )  # fmt: skip
            assert known, f"edit cannot read {kind.word}.{field.name} ({field.reader})"
        assert len({f.name for f in kind.fields}) == len(kind.fields)


def test_the_registry_knows_every_link_between_kinds() -> None:
    """Merging and undoing an import find what points at a record through ``links``: a foreign
    key to a kind's table that the registry does not list would be left pointing at a record
    that is gone."""
    from sqlmodel import SQLModel

    import smallcrm.store.models  # noqa: F401  (declares the tables)

    declared = set()
    for table in SQLModel.metadata.tables.values():
        for key in table.foreign_keys:
            if table.name in kinds.NAMES and key.column.table.name in kinds.NAMES:
                declared.add((table.name, key.parent.name, key.column.table.name))
    listed = {(k.name, column, target) for k in kinds.KINDS for column, target in k.links.items()}
    assert listed == declared
    assert ("interaction", "contact_id") in kinds.referenced_by("contact")


@pytest.mark.parametrize("name", KIND_IDS)
def test_every_word_of_a_kind_names_it(name: str) -> None:
    kind = kinds.get(name)
    for word in (kind.word, kind.plural, kind.name, *kind.aliases, kind.word.upper()):
        assert kinds.from_word(word) is kind
    with pytest.raises(ValidationError, match="is not one of"):
        kinds.from_word("widget")


def test_a_close_miss_gets_a_suggestion() -> None:
    with pytest.raises(ValidationError, match="did you mean contact"):
        kinds.from_word("contcat")


@pytest.mark.parametrize("name", KIND_IDS)
def test_search_finds_every_kind(db: Database, records: dict[str, int], name: str) -> None:
    hits = search(db, TITLES[name].split()[0])
    assert (name, records[name]) in {(h.kind, h.record_id) for h in hits}


@pytest.mark.parametrize("name", KIND_IDS)
def test_the_shell_reaches_every_kind(
    records: dict[str, int], shell: Any, tmp_path: Path, name: str
) -> None:
    kind = kinds.get(name)
    record_id = str(records[name])
    title = TITLES[name]
    assert title in _ok(shell("show", kind.word, record_id))
    assert json.loads(_ok(shell("show", kind.word, record_id, "--json")))["id"] == records[name]
    assert title in _ok(shell("list", kind.plural, "--limit", "50"))
    field = next(f for f in kind.fields if f.reader == kinds.TEXT)
    edited = _ok(shell("edit", kind.word, record_id, f"{field.name}=Zyx edited"))
    assert f"Updated {kind.word} {record_id}" in edited
    history = _ok(shell("history", kind.word, record_id))
    assert f"History of {kind.word} {record_id}" in history
    assert "Moved" in _ok(shell("delete", kind.word, record_id))
    assert f"Restored {kind.word} {record_id}" in _ok(shell("restore", kind.word, record_id))
    out = tmp_path / f"{kind.plural}.json"
    _ok(shell("export", kind.plural, "-o", str(out)))
    assert "Zyx" in out.read_text(encoding="utf-8")


@pytest.mark.one_database  # the palette's search is the store's, tested on both
@pytest.mark.parametrize("name", KIND_IDS)
async def test_the_palette_opens_every_kind(tui_db: Database, name: str) -> None:
    from textual.command import CommandList, CommandPalette

    records = _one_of_each(tui_db)
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*TITLES[name].split()[0])
        await pilot.pause(0.4)
        hits = app.screen.query_one(CommandList)
        prompts = [str(hits.get_option_at_index(i).prompt) for i in range(hits.option_count)]
        wanted = f"Open {kinds.get(name).word}: "
        chosen = next(i for i, text in enumerate(prompts) if wanted in text)
        for _ in range(chosen):
            await pilot.press("down")
        await pilot.press("enter")
        await pilot.pause(0.2)
        expected = type(DETAIL_SCREENS[name](records[name]))
        assert isinstance(app.screen, expected)
