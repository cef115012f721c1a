"""The app shell: five screens one key away, the tab bar, breadcrumbs, back, empty states."""

from __future__ import annotations

from tui_data import SIZE, Seeded, app_for

from smallcrm.screens.account_detail import AccountDetailScreen
from smallcrm.screens.accounts import AccountsScreen
from smallcrm.screens.contact_detail import ContactDetailScreen
from smallcrm.screens.contacts import ContactsScreen
from smallcrm.screens.interactions import InteractionsScreen
from smallcrm.store.db import Database
from smallcrm.widgets.breadcrumbs import Breadcrumbs
from smallcrm.widgets.tab_bar import TabBar

pytest_plugins = ["tui_fixtures"]  # The fixed clock and the seeded database.


def crumbs(app) -> str:  # noqa: ANN001 - any CrmApp
    """The breadcrumb trail's text on the current screen."""
    return app.screen.query_one(Breadcrumbs).text


async def test_starts_on_contacts_and_function_keys_switch_screens(
    tui_db: Database, seeded: Seeded
) -> None:
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, ContactsScreen)
        assert app.screen.query_one(TabBar).active == "contacts"
        await pilot.press("f3")
        assert isinstance(app.screen, AccountsScreen)
        assert crumbs(app) == "Accounts"
        assert app.screen.query_one(TabBar).active == "accounts"
        await pilot.press("f4")
        assert isinstance(app.screen, InteractionsScreen)
        await pilot.press("f2")
        assert isinstance(app.screen, ContactsScreen)


async def test_each_tab_keeps_its_own_trail(tui_db: Database, seeded: Seeded) -> None:
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3", "enter")  # Acme GmbH is the first account by name.
        assert isinstance(app.screen, AccountDetailScreen)
        assert crumbs(app) == "Accounts › Acme GmbH"
        await pilot.press("f2")
        assert isinstance(app.screen, ContactsScreen)
        await pilot.press("f3")
        assert isinstance(app.screen, AccountDetailScreen), "the account tab kept its place"


async def test_breadcrumbs_grow_with_each_step_and_esc_backspace_go_back(
    tui_db: Database, seeded: Seeded
) -> None:
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3", "enter")
        screen = app.screen
        assert isinstance(screen, AccountDetailScreen)
        # The account's contacts have the focus, by last name: Max Müller, Jana Novak.
        assert screen.focused is not None and screen.focused.id == "people"
        await pilot.press("down", "enter")
        assert isinstance(app.screen, ContactDetailScreen)
        await pilot.press("enter")  # The timeline has the focus: its newest entry.
        await pilot.pause()
        assert crumbs(app) == "Accounts › Acme GmbH › Jana Novak › Call 2026-11-20"
        await pilot.press("backspace")
        assert crumbs(app) == "Accounts › Acme GmbH › Jana Novak"
        await pilot.press("escape")
        assert crumbs(app) == "Accounts › Acme GmbH"
        await pilot.press("escape", "escape")  # The second Esc has nowhere to go: no error.
        assert isinstance(app.screen, AccountsScreen)


async def test_clicking_a_breadcrumb_goes_back_to_it(tui_db: Database, seeded: Seeded) -> None:
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3", "enter", "down", "enter")
        assert isinstance(app.screen, ContactDetailScreen)
        app.screen.action_back_to(0)
        await pilot.pause()
        assert isinstance(app.screen, AccountsScreen)


async def test_empty_database_says_what_to_do(tui_db: Database) -> None:
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        text = str(app.screen.query_one("#list-empty").render())
        assert "No contacts yet" in text
        assert "smallcrm demo" in text and "import a CSV, vCard or JSON file" in text
        assert not app.screen.query_one("#list-table").display
        await pilot.press("f3")
        assert "No accounts yet" in str(app.screen.query_one("#list-empty").render())
        await pilot.press("f4")
        assert "Nothing logged yet" in str(app.screen.query_one("#list-empty").render())


async def test_wide_terminal_shows_more_columns(tui_db: Database, seeded: Seeded) -> None:
    app = app_for(tui_db)
    async with app.run_test(size=(200, 60)) as pilot:
        await pilot.pause()
        header = app.screen.query_one("#list-table").render_line(0).text
        assert "City" in header and "Owner" in header and "Updated" in header
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        header = app.screen.query_one("#list-table").render_line(0).text
        assert "Owner" not in header and "Phone" in header
