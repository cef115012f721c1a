"""The persistent search bar, and the journey "find a contact and log a call"."""

from __future__ import annotations

from datetime import date

from textual.widgets import Input
from tui_data import SIZE, Seeded, app_for

from smallcrm.screens.account_detail import AccountDetailScreen
from smallcrm.screens.contact_detail import ContactDetailScreen
from smallcrm.screens.contacts import ContactsScreen
from smallcrm.screens.interaction_form import InteractionForm
from smallcrm.store import interactions
from smallcrm.store.db import Database
from smallcrm.widgets.date_field import DateField
from smallcrm.widgets.paged_table import PagedTable
from smallcrm.widgets.search_bar import SearchBar, SearchResults

pytest_plugins = ["tui_fixtures"]  # The fixed clock and the seeded database.


async def type_search(app, pilot, *keys: str) -> SearchResults:  # noqa: ANN001
    """Type into the focused search bar and wait for the worker's hits."""
    await pilot.press(*keys)
    await app.workers.wait_for_complete()
    await pilot.pause()
    return app.screen.query_one(SearchResults)


async def test_find_a_contact_from_the_search_bar_and_log_a_call(
    tui_db: Database, seeded: Seeded
) -> None:
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+f")
        assert isinstance(app.focused, SearchBar)
        hits = await type_search(app, pilot, *"jana")
        assert hits.display and hits.highlighted_hit().title == "Jana Novak"
        await pilot.press("enter")
        assert isinstance(app.screen, ContactDetailScreen)
        assert app.screen.record_id == seeded.jana
        await pilot.press("l")
        form = app.screen
        assert isinstance(form, InteractionForm) and form.form_title() == "Log a call"
        await pilot.press(*"Agreed on the new price")
        form.query_one("#follow_up_on", DateField).focus()
        await pilot.press(*"fri")
        assert form.query_one("#follow_up_on", DateField).border_subtitle == "→ Fri 2026-11-27"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ContactDetailScreen)
        logged = interactions.timeline(tui_db, contact_id=seeded.jana, limit=1)[0]
        assert (logged.kind, logged.subject) == ("call", "Agreed on the new price")
        assert logged.follow_up_on == date(2026, 11, 27)
        assert logged.account_id == seeded.acme, "the contact's account is linked"
        timeline = app.screen.query_one("#timeline")
        assert "Agreed on the new price" in str(timeline.get_option_at_index(0).prompt)


async def test_slash_searches_and_esc_returns_focus(tui_db: Database, seeded: Seeded) -> None:
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        grid = app.screen.query_one(PagedTable)
        assert app.focused is grid
        hits = await type_search(app, pilot, "slash", *"acme")
        assert isinstance(app.focused, SearchBar)
        kinds = [h.kind for h in hits.hit_map.values()]
        assert kinds[0] == "contact" and "account" in kinds and "opportunity" in kinds
        assert "Accounts" in str(hits.get_option_at_index(hits.option_count - 1).prompt) or any(
            "Accounts" in str(hits.get_option_at_index(i).prompt) for i in range(hits.option_count)
        )
        await pilot.press("escape")
        assert not hits.display
        assert app.focused is grid, "focus is back where it was"
        assert isinstance(app.screen, ContactsScreen)


async def test_down_moves_into_hits_and_enter_opens_the_chosen_kind(
    tui_db: Database, seeded: Seeded
) -> None:
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+f")
        hits = await type_search(app, pilot, *"acme gmbh")
        await pilot.press("down")
        assert app.focused is hits
        while hits.highlighted_hit().kind != "account":
            await pilot.press("down")
        await pilot.press("enter")
        assert isinstance(app.screen, AccountDetailScreen)
        assert app.screen.record_id == seeded.acme
        assert app.screen.query_one(SearchBar).value == "", "the search is cleared"
        await pilot.press("escape")
        assert isinstance(app.screen, ContactsScreen)


async def test_no_match_and_hostile_text(tui_db: Database, seeded: Seeded) -> None:
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+f")
        hits = await type_search(app, pilot, *'zzq" OR *')
        assert "No matches" in str(hits.get_option_at_index(0).prompt)
        await pilot.press("enter")  # Nothing to open: nothing happens.
        assert isinstance(app.screen, ContactsScreen)
        bar = app.screen.query_one(SearchBar)
        bar.value = ""
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not hits.display


async def test_slash_in_a_text_field_is_typed_not_a_search(
    tui_db: Database, seeded: Seeded
) -> None:
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", *"A/B")
        assert app.screen.query_one("#first_name", Input).value == "A/B"


async def test_ctrl_f_works_from_a_detail_screen(tui_db: Database, seeded: Seeded) -> None:
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        detail = app.screen
        before = app.focused
        await pilot.press("ctrl+f")
        await type_search(app, pilot, *"olivia")
        await pilot.press("enter")
        assert app.screen is not detail and app.screen.record_id == seeded.olivia
        await pilot.press("escape")
        assert app.screen is detail and app.focused is before
