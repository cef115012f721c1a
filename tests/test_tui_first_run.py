"""The app's first run asks for the phone region and the currency once; Esc skips; the answers
are the settings the shell reads too."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input, Static
from tui_data import SIZE, app_for

from smallcrm.screens.first_run import FirstRunScreen, example_number
from smallcrm.store import settings, validate
from smallcrm.store.db import Database

pytest_plugins = ["tui_fixtures"]


@pytest.fixture
def first_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No settings saved yet, and a locale that names no country (C.UTF-8)."""
    path = tmp_path / "config.toml"
    monkeypatch.setenv("SMALLCRM_CONFIG", str(path))
    monkeypatch.delenv("SMALLCRM_PHONE_REGION")
    monkeypatch.setenv("LANG", "C.UTF-8")
    settings.reload()
    return path


async def test_the_first_run_asks_and_the_answers_are_the_settings(
    tui_db: Database, first_run: Path
) -> None:
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, FirstRunScreen)
        await pilot.press("d", "e")
        example = str(screen.query_one("#first-run-example", Static).render())
        assert "is read as +49" in example
        await pilot.press("enter")  # on to the currency
        assert app.focused is screen.query_one("#currency", Input)
        screen.query_one("#currency", Input).value = ""
        await pilot.press(*"chf", "enter")
        await pilot.pause()
        assert not isinstance(app.screen, FirstRunScreen)
    assert (settings.phone_region(), settings.currency()) == ("DE", "CHF")
    assert validate.phone("phone", "030 5550104") == "+49305550104", "the shell reads it too"
    again = app_for(tui_db)
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert not isinstance(again.screen, FirstRunScreen), "asked once"


async def test_a_bad_answer_is_named_and_nothing_is_written(
    tui_db: Database, first_run: Path
) -> None:
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        await pilot.press("x", "x", "ctrl+s")
        error = str(screen.query_one("#first-run-error", Static).render())
        assert "'XX' is not a region" in error or "'xx' is not a region" in error
        assert app.screen is screen and not first_run.exists()


async def test_escape_skips_and_is_not_asked_again(tui_db: Database, first_run: Path) -> None:
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, FirstRunScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, FirstRunScreen)
    assert first_run.exists() and settings.is_configured()
    assert settings.phone_region() is None and settings.currency() == "EUR"


def test_example_numbers_for_a_few_regions() -> None:
    assert example_number("DE").endswith("+49 30 123456")
    assert "+1 " in example_number("US")
