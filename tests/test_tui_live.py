"""Live views: what another user (another connection) changes shows in an open app within a
moment, without stealing the focus, losing the cursor's record or what is being typed."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from textual.pilot import Pilot
from tui_data import NOW, SIZE, Seeded, seed

from smallcrm.app import CrmApp, make_app
from smallcrm.screens.contact_detail import ContactDetailScreen
from smallcrm.screens.contact_form import ContactForm
from smallcrm.screens.contacts import ContactsScreen
from smallcrm.screens.pipeline import PipelineScreen
from smallcrm.store import audit, contacts, interactions, opportunities
from smallcrm.store.db import Database, open_database
from smallcrm.widgets.paged_table import PagedTable
from smallcrm.widgets.search_bar import SearchBar

pytest_plugins = ["tui_fixtures"]

INTERVAL = 0.05  # the app looks for changes this often in these tests
SETTLE = 0.4  # long enough for several looks


@pytest.fixture
def two_databases(
    new_database_url: Callable[[str], Path | str], fixed_clock: None
) -> Iterator[tuple[Database, Database, Seeded]]:
    """The app's connection and another user's, to one seeded database."""
    target = new_database_url("live.db")
    mine, theirs = open_database(target), open_database(target)
    seeded = seed(mine)
    yield mine, theirs, seeded
    mine.close()
    theirs.close()


def live_app(db: Database) -> CrmApp:
    return make_app(db, now=NOW, live_interval=INTERVAL)


def option_texts(screen: ContactDetailScreen, list_id: str) -> list[str]:
    related = screen.query_one(f"#{list_id}")
    return [str(related.get_option_at_index(i).prompt) for i in range(related.option_count)]


async def settle(pilot: Pilot) -> None:
    await pilot.pause(SETTLE)


async def test_list_shows_a_new_contact_and_keeps_the_cursor_on_its_record(
    two_databases: tuple[Database, Database, Seeded],
) -> None:
    mine, theirs, seeded = two_databases
    app = live_app(mine)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ContactsScreen)
        table = screen.query_one(PagedTable)
        await pilot.press("j")
        on = table.current
        assert on is not None and table.total == 3
        # Sorted by name, a new "Aaron" comes first and pushes every row down.
        contacts.create_contact(theirs, allow_duplicate=True, name="Aaron Abel")
        await settle(pilot)
        assert table.total == 4
        assert table.current.id == on.id, "the cursor followed its record"
        assert app.focused is table
        assert "4 contacts" in str(screen.query_one("#list-status").render())


async def test_typing_in_the_search_bar_is_not_disturbed(
    two_databases: tuple[Database, Database, Seeded],
) -> None:
    mine, theirs, _ = two_databases
    app = live_app(mine)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+f", *"Jan")
        contacts.create_contact(theirs, allow_duplicate=True, name="Zoe Zander")
        await settle(pilot)
        bar = app.screen.query_one(SearchBar)
        assert app.focused is bar and bar.value == "Jan"
        assert app.screen.query_one(PagedTable).total == 4


async def test_detail_shows_a_logged_interaction_and_an_edit(
    two_databases: tuple[Database, Database, Seeded],
) -> None:
    mine, theirs, seeded = two_databases
    app = live_app(mine)
    async with app.run_test(size=SIZE) as pilot:
        app.open_record("contact", seeded.jana)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ContactDetailScreen)
        timeline = screen.query_one("#timeline")
        focused = app.focused
        interactions.log_interaction(
            theirs,
            kind="note",
            subject="Asked for a second quote",
            happened_at=NOW - timedelta(hours=1),
            contact_id=seeded.jana,
        )
        jana = contacts.get_contact(theirs, seeded.jana)
        contacts.update_contact(theirs, seeded.jana, jana.tracking.version, city="Potsdam")
        await settle(pilot)
        assert "Asked for a second quote" in option_texts(screen, "timeline")[0]
        assert "Potsdam" in str(screen.query_one("#card").render())
        assert app.focused is focused is timeline


async def test_a_change_seen_while_a_view_is_half_built_waits_for_it(
    two_databases: tuple[Database, Database, Seeded],
) -> None:
    """The timer may come between a screen's widgets being mounted or removed (on a busy
    machine it did, with a traceback): the app stays up, and the whole view shows the change."""
    mine, theirs, seeded = two_databases
    app = make_app(mine, now=NOW, live_interval=3600)  # the test looks itself
    async with app.run_test(size=SIZE) as pilot:
        app.open_record("contact", seeded.jana)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ContactDetailScreen)
        upcoming = screen.query_one("#appointments")
        await upcoming.remove()  # as while the screen is taken apart
        interactions.log_interaction(
            theirs, kind="note", subject="Seen later", happened_at=NOW, contact_id=seeded.jana
        )
        app.check_for_changes()
        assert app.is_running and app.screen is screen
        await screen.query_one("#detail-scroll").mount(upcoming)
        screen.reload()
        assert "Seen later" in option_texts(screen, "timeline")[0]


async def test_pipeline_shows_a_deal_moved_elsewhere(
    two_databases: tuple[Database, Database, Seeded],
) -> None:
    mine, theirs, seeded = two_databases
    app = live_app(mine)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f5")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, PipelineScreen)

        def column_of(deal_id: int) -> str | None:
            for column in screen.columns():
                if any(d.id == deal_id for d in column.deals):
                    return column.stage.name
            return None

        assert column_of(seeded.deal) == "proposal"
        deal = opportunities.get_opportunity(theirs, seeded.deal)
        opportunities.move_stage(theirs, seeded.deal, 1, expected_version=deal.tracking.version)
        await settle(pilot)
        assert column_of(seeded.deal) == "negotiation"


async def test_no_query_under_a_form_and_the_view_catches_up_after_it(
    monkeypatch: pytest.MonkeyPatch, two_databases: tuple[Database, Database, Seeded]
) -> None:
    mine, theirs, seeded = two_databases
    looks: list[object] = []
    real = audit.latest_change

    def counted(db: Database) -> tuple[int, int]:
        looks.append(db)
        return real(db)

    monkeypatch.setattr(audit, "latest_change", counted)
    app = live_app(mine)
    async with app.run_test(size=SIZE) as pilot:
        app.open_record("contact", seeded.jana)
        await pilot.pause()
        await pilot.press("e")
        assert isinstance(app.screen, ContactForm)
        looks.clear()
        interactions.log_interaction(
            theirs, kind="call", subject="Called about the invoice", contact_id=seeded.jana
        )
        await settle(pilot)
        assert looks == [], "nothing is read while the form is open"
        await pilot.press("escape")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ContactDetailScreen)
        assert "Called about the invoice" in option_texts(screen, "timeline")[0]
        assert looks, "looking again once the view is back"


async def test_live_refresh_can_be_turned_off(
    two_databases: tuple[Database, Database, Seeded],
) -> None:
    mine, theirs, _ = two_databases
    app = make_app(mine, now=NOW, live_interval=None)
    async with app.run_test(size=SIZE) as pilot:
        contacts.create_contact(theirs, allow_duplicate=True, name="Aaron Abel")
        await settle(pilot)
        assert app.screen.query_one(PagedTable).total == 3
