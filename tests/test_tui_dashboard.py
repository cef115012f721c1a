"""The dashboard (F9) driven as a user would at 80x24: the tiles fill from a worker with the
very figures the shell's reports print, Enter on a line opens the list behind it, the filter
keys, its own help, and one snapshot."""

from __future__ import annotations

import json

from textual.widgets import OptionList
from tui_data import SIZE, Seeded, app_for, press_steady, snapshot
from typer.testing import CliRunner

from smallcrm.cli import app as cli_app
from smallcrm.screens.cases import CasesScreen
from smallcrm.screens.contacts import ContactsScreen
from smallcrm.screens.dashboard import DashboardScreen
from smallcrm.screens.dashboard_filter import DashboardFilterScreen
from smallcrm.screens.help import HelpScreen
from smallcrm.screens.pipeline import PipelineScreen
from smallcrm.store import contacts, figures
from smallcrm.store.db import Database
from smallcrm.store.figures import present
from smallcrm.widgets.figure_tile import FigureTile, bar

pytest_plugins = ["tui_fixtures"]


def tile(screen: DashboardScreen, key: str) -> FigureTile:
    return screen.query_one(f"#tile-{key}", FigureTile)


async def open_dashboard(pilot) -> DashboardScreen:  # noqa: ANN001
    await press_steady(pilot, "f9")
    screen = pilot.app.screen
    assert isinstance(screen, DashboardScreen)
    return screen


async def test_tiles_show_the_store_figures(tui_db: Database, seeded: Seeded) -> None:
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_dashboard(pilot)
        assert [f.key for f in screen.figures] == [t.key for t in figures.TILES]
        assert screen.figures == figures.compute(tui_db)
        for figure in screen.figures:
            assert tile(screen, figure.key).figure == figure
            assert tile(screen, figure.key).query_one(OptionList).option_count == len(figure.lines)


async def test_screen_and_shell_print_the_same_numbers(tui_db: Database, seeded: Seeded) -> None:
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_dashboard(pilot)
        shown = {f.key: present.as_data(f) for f in screen.figures}
    runner = CliRunner()
    for name, tiles in figures.reports().items():
        result = runner.invoke(
            cli_app, ["--db", str(tui_db.path or tui_db.url), "report", name, "--json"]
        )
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout) == [shown[t.key] for t in tiles], name


async def test_enter_on_a_stage_opens_its_deals(tui_db: Database, seeded: Seeded) -> None:
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_dashboard(pilot)
        assert app.focused is tile(screen, "pipeline").query_one(OptionList)
        await press_steady(pilot, "enter")  # the first stage: lead
        assert isinstance(app.screen, PipelineScreen)
        assert app.screen.filters.stage == "lead"
        await press_steady(pilot, "escape")
        assert app.screen is screen


async def test_enter_on_no_email_lists_those_contacts(tui_db: Database, seeded: Seeded) -> None:
    contacts.create_contact(tui_db, first_name="Nomail", last_name="Person")
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_dashboard(pilot)
        tile(screen, "quality").query_one(OptionList).focus()
        await press_steady(pilot, "home", "enter")
        listed = app.screen
        assert isinstance(listed, ContactsScreen)
        expected = by_label(screen, "quality")["no email"]
        assert listed.table.total == expected and expected >= 1
        assert "no email" in listed.status_text()


async def test_enter_on_breached_cases(tui_db: Database, seeded: Seeded) -> None:
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_dashboard(pilot)
        tile(screen, "cases").query_one(OptionList).focus()
        await press_steady(pilot, "down", "enter")
        assert isinstance(app.screen, CasesScreen)
        assert app.screen.query_state.extra.get("breached") is True


def by_label(screen: DashboardScreen, key: str) -> dict[str, object]:
    figure = next(f for f in screen.figures if f.key == key)
    return {line.label: line.values[0] for line in figure.lines}


async def test_filter_keys(tui_db: Database, seeded: Seeded) -> None:
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_dashboard(pilot)
        await press_steady(pilot, "m")
        assert screen.filters.owner == "tester" or screen.filters.owner
        assert screen.figures == figures.compute(tui_db, None, screen.filters)
        await press_steady(pilot, "p")
        assert screen.filters.since is not None
        assert screen.figures[0].key == "pipeline"
        await press_steady(pilot, "x")
        assert screen.filters.owner is None and screen.filters.since is None
        await press_steady(pilot, "f")
        assert isinstance(app.screen, DashboardFilterScreen)
        await pilot.click("#owner")
        await press_steady(pilot, *"jana", "ctrl+s")
        assert app.screen is screen and screen.filters.owner == "jana"
        assert "owner jana" in str(screen.query_one("#dash-status").render())


async def test_help_is_the_dashboards(tui_db: Database, seeded: Seeded) -> None:
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await open_dashboard(pilot)
        await press_steady(pilot, "f1")
        assert isinstance(app.screen, HelpScreen)
        assert "weighted" in app.screen.text and "smallcrm report pipeline" in app.screen.text


def test_bars_read_without_colour() -> None:
    assert bar(50, 100, 10) == "█████"
    assert bar(55, 100, 10) == "█████▌"
    assert bar(80, 100, 10, inner=20) == "██░░░░░░"
    assert bar(0, 0, 10) == ""


def test_dashboard_snapshot(snap_compare, tui_db: Database, seeded: Seeded) -> None:  # noqa: ANN001
    assert snapshot(snap_compare, app_for(tui_db), "f9")


async def test_first_frame_comes_before_the_figures(
    tui_db: Database, seeded: Seeded, monkeypatch
) -> None:  # noqa: ANN001
    import threading

    release = threading.Event()
    real = figures.compute

    def held(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        release.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(figures, "compute", held)
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f9")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, DashboardScreen) and screen.figures == []
        assert "reading" in str(screen.query_one("#dash-status").render())
        release.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert [f.key for f in screen.figures] == [t.key for t in figures.TILES]
