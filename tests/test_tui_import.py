"""The import screen and the list of past imports: read, map, preview, import, stop, undo."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Checkbox, Input, OptionList, Select, Static
from tui_data import SIZE, Seeded, app_for

from smallcrm.app import CrmApp
from smallcrm.palette import CrmCommands
from smallcrm.screens.confirm import ConfirmScreen
from smallcrm.screens.contacts import ContactsScreen
from smallcrm.screens.import_batches import ImportBatchesScreen
from smallcrm.screens.import_screen import ImportScreen
from smallcrm.screens.import_work import ImportStopped
from smallcrm.store import contacts, resolve
from smallcrm.store.db import Database
from smallcrm.store.io import import_file, list_batches
from smallcrm.store.listing import ListQuery

FIXTURES = Path(__file__).resolve().parents[1] / "data" / "fixtures"

pytest_plugins = ["tui_fixtures"]  # The fixed clock and the seeded database.


def contact_names(db: Database) -> set[str]:
    """Every live contact's name."""
    return {c.name for c in contacts.list_contacts(db, ListQuery(limit=1000)).items}


def text_of(app: CrmApp, selector: str) -> str:
    """What a Static (or the preview list) on the current screen shows."""
    widget = app.screen.query_one(selector)
    if isinstance(widget, OptionList):
        return "\n".join(
            str(widget.get_option_at_index(i).prompt) for i in range(widget.option_count)
        )
    assert isinstance(widget, Static)
    return str(widget.render())


async def settle(app: CrmApp, pilot: Pilot) -> None:
    """Let the thread workers finish and the screen catch up with what they reported."""
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def read(app: CrmApp, pilot: Pilot, path: Path) -> ImportScreen:
    """Type a path into the import screen's File field and press Enter."""
    screen = app.screen
    assert isinstance(screen, ImportScreen)
    screen.query_one("#import-path", Input).value = str(path)
    await pilot.press("enter")
    await settle(app, pilot)
    return screen


async def test_csv_dry_run_then_import_then_undo(tui_db: Database, seeded: Seeded) -> None:
    before = contact_names(tui_db)
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("i")
        screen = await read(app, pilot, FIXTURES / "google_contacts.csv")
        info = text_of(app, "#import-info")
        assert "CSV" in info and "utf-8" in info and "comma" in info and "5 contacts" in info
        assert screen.query_one("#map-0", Select).value == "first_name"
        assert "Would create 5 contacts" in text_of(app, "#import-preview")
        assert "line 6" in text_of(app, "#import-preview"), "notes name their line"
        assert contact_names(tui_db) == before, "a dry run writes nothing"

        await pilot.press("ctrl+s")
        await settle(app, pilot)
        imported = contact_names(tui_db) - before
        assert len(imported) == 5 and "Jana Novák" in imported
        batch = list_batches(tui_db)[0]
        assert batch.created == 5 and f"import {batch.id}" in text_of(app, "#import-preview")
        assert "5 records" in text_of(app, "#import-rate")

        await pilot.press("u")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(app, pilot)
        assert contact_names(tui_db) == before
        assert list_batches(tui_db)[0].undone
        assert f"Import {batch.id} undone" in str(screen.query_one("#import-preview").border_title)
        await pilot.press("escape")
        assert isinstance(app.screen, ContactsScreen)


@pytest.mark.parametrize(
    ("name", "phrase"),
    [
        ("broken_bad_encoding.csv", "neither UTF-8 nor Windows-1252"),
        ("no_such_file.csv", "does not exist"),
    ],
)
async def test_a_bad_file_shows_a_clear_error(
    tui_db: Database, seeded: Seeded, name: str, phrase: str
) -> None:
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("i")
        await read(app, pilot, FIXTURES / name)
        info = app.screen.query_one("#import-info", Static)
        assert info.has_class("-error") and phrase in text_of(app, "#import-info")
        assert app.screen.check_action("run_import", ()) is False, "nothing to import"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert list_batches(tui_db) == []


async def test_bad_rows_are_listed_and_block_until_skipped(
    tui_db: Database, seeded: Seeded
) -> None:
    before = contact_names(tui_db)
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("i")
        screen = await read(app, pilot, FIXTURES / "invalid_rows.csv")
        preview = text_of(app, "#import-preview")
        assert "2 bad" in preview
        assert "line 3" in preview and "name: is missing" in preview
        assert "line 4" in preview and "'not-an-email' is not a valid email" in preview
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "Skip bad rows" in text_of(app, "#import-info")
        assert contact_names(tui_db) == before, "all or nothing by default"
        screen.query_one("#import-skip", Checkbox).value = True
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert contact_names(tui_db) - before == {"Anna Smith", "Carla Rossi"}


async def test_columns_can_be_mapped_when_none_is_recognised(
    tui_db: Database, seeded: Seeded, tmp_path: Path
) -> None:
    odd = tmp_path / "kunden.csv"
    odd.write_text("Kunde;Post\nLena Schulz;lena@example.com\n", encoding="utf-8")
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("i")
        screen = await read(app, pilot, odd)
        assert "no column holds the contact's name" in text_of(app, "#import-info")
        name = screen.query_one("#map-0", Select)
        assert name.value == "-", "every column is offered even though none maps to a name"
        name.value = "name"
        await settle(app, pilot)
        assert screen.mapping == {"Kunde": "name"}
        assert "Would create 1 contact" in text_of(app, "#import-preview")
        screen.query_one("#map-1", Select).value = "email"
        await settle(app, pilot)
        assert screen.mapping == {"Kunde": "name", "Post": "email"}
        await pilot.press("ctrl+s")
        await settle(app, pilot)
    (found,) = resolve.find_by_method(tui_db, "email", "lena@example.com")
    assert contacts.get_contact(tui_db, found).name == "Lena Schulz"


async def test_past_imports_list_and_undo(tui_db: Database, seeded: Seeded) -> None:
    report = import_file(tui_db, FIXTURES / "invalid_rows.csv", skip_invalid=True)
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        provider = CrmCommands(app.screen)
        hit = next(h for h in [h async for h in provider.search("import contacts")])
        hit.command()
        await pilot.pause()
        assert isinstance(app.screen, ImportScreen)
        await pilot.press("ctrl+o")
        assert isinstance(app.screen, ImportBatchesScreen)
        listing = text_of(app, "#batches-list")
        assert f"Import {report.batch_id}" in listing and "invalid_rows.csv" in listing
        await pilot.press("u", "y")
        await settle(app, pilot)
        assert "Anna Smith" not in contact_names(tui_db)
        assert "undone" in text_of(app, "#batches-list")
        assert app.screen.check_action("undo", ()) is False, "an import is undone once"


async def test_stopping_an_import_leaves_nothing_behind(tui_db: Database, seeded: Seeded) -> None:
    """What Esc does during an import: the progress callback raises, the import rolls back."""
    screen = ImportScreen()
    stop = threading.Event()
    progress = screen._progress(screen.serial, stop)  # noqa: SLF001
    stop.set()
    with pytest.raises(ImportStopped):
        import_file(tui_db, FIXTURES / "google_contacts.csv", progress=progress)
    assert list_batches(tui_db) == []
    assert len(contact_names(tui_db)) == 3
