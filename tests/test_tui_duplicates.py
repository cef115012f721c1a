"""The duplicates screen and the merge form: find, merge field by field, undo."""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual.pilot import Pilot
from tui_data import NOW, SIZE, Seeded, app_for

from smallcrm.app import CrmApp
from smallcrm.palette import CrmCommands
from smallcrm.screens.confirm import ConfirmScreen
from smallcrm.screens.duplicates import DuplicatesScreen
from smallcrm.screens.help import HelpScreen
from smallcrm.screens.merge_form import MergeForm
from smallcrm.store import accounts, contacts, interactions
from smallcrm.store.db import Database
from smallcrm.store.errors import NotFoundError
from smallcrm.widgets.paged_table import PagedTable

pytest_plugins = ["tui_fixtures"]  # The fixed clock and the seeded database.


def twin_of_jana(db: Database) -> tuple[int, int]:
    """A second record of Jana (same email, name the other way round) with a note of its own."""
    twin = contacts.create_contact(
        db,
        allow_duplicate=True,
        name="Novak, Jana",
        emails=["jana@acme.example", "jana@home.example"],
        city="Potsdam",
        tags="newsletter",
    )
    note = interactions.log_interaction(
        db,
        kind="note",
        subject="Met at the fair",
        happened_at=NOW - timedelta(days=30),
        contact_id=twin.id,
    )
    return twin.id, note.id


async def settle(app: CrmApp, pilot: Pilot) -> None:
    """Let the search for duplicates (a thread worker) finish."""
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def test_list_merge_and_undo(tui_db: Database, seeded: Seeded) -> None:
    twin, note = twin_of_jana(tui_db)
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("m")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, DuplicatesScreen)
        table = screen.query_one(PagedTable)
        assert table.total == 1
        pair = table.current
        assert {pair.keep_id, pair.other_id} == {seeded.jana, twin}
        assert any("same email jana@acme.example" in r for r in pair.reasons)
        assert "Duplicate contacts" in screen.trail()[-1][0]

        await pilot.press("enter")
        form = app.screen
        assert isinstance(form, MergeForm)
        if form.keep[0] != seeded.jana:
            await pilot.press("w")  # Keep the seeded record, merge the twin into it.
        assert form.keep[0] == seeded.jana
        assert form.picked["city"] == "keep" and form.picked["emails"] == "both"
        fields = [o.id for o in form.query_one("#merge-fields").options]
        form.query_one("#merge-fields").highlighted = fields.index("city")
        await pilot.press("o")  # Take Potsdam from the twin.
        assert form.picked["city"] == "other"
        form.query_one("#merge-fields").highlighted = fields.index("tags")
        await pilot.press("k")
        assert form.picked["tags"] == "keep"
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await pilot.pause()
        assert app.screen is screen and table.total == 0

        jana = contacts.get_contact(tui_db, seeded.jana)
        assert jana.address.city == "Potsdam" and jana.tags == ("vip",)
        assert {m.value for m in jana.emails} == {"jana@acme.example", "jana@home.example"}
        assert interactions.get_interaction(tui_db, note).contact_id == seeded.jana
        with pytest.raises(NotFoundError):
            contacts.get_contact(tui_db, twin)

        await pilot.press("u")
        await settle(app, pilot)
        assert contacts.get_contact(tui_db, twin).address.city == "Potsdam"
        assert contacts.get_contact(tui_db, seeded.jana).address.city == "Berlin"
        assert interactions.get_interaction(tui_db, note).contact_id == twin
        assert table.total == 1, "the pair is listed again"
        assert screen.check_action("undo", ()) is False


async def test_accounts_toggle_and_the_palette(tui_db: Database, seeded: Seeded) -> None:
    accounts.create_account(
        tui_db, allow_duplicate=True, name="ACME", website="https://www.acme.example"
    )
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        provider = CrmCommands(app.screen)
        hit = next(h for h in [h async for h in provider.search("duplicate contacts")])
        hit.command()
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, DuplicatesScreen)
        assert screen.query_one(PagedTable).total == 0
        assert "No likely duplicate contacts" in str(screen.query_one("#dup-empty").render())
        await pilot.press("a")
        await settle(app, pilot)
        assert screen.kind == "account"
        pair = screen.query_one(PagedTable).current
        assert {pair.keep_label, pair.other_label} == {"Acme GmbH", "ACME"}
        assert "same website acme.example" in pair.reasons


async def test_merge_form_help_and_cancel(tui_db: Database, seeded: Seeded) -> None:
    twin, _note = twin_of_jana(tui_db)
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("m")
        await settle(app, pilot)
        await pilot.press("enter")
        form = app.screen
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        assert "Merge two records" in app.screen.text
        assert {"Keep this", "Take other", "Both", "Swap", "Merge"} <= {
            row.description for row in app.screen.rows
        }
        await pilot.press("f1")
        assert app.screen is form
        await pilot.press("escape")
        assert isinstance(app.screen, DuplicatesScreen)
    assert contacts.get_contact(tui_db, twin).name == "Jana Novak", "Esc merges nothing"
