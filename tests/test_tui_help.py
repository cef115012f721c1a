"""F1 on every screen and form: that place's help, built from its live bindings."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Markdown
from tui_data import SIZE, Seeded, app_for

from smallcrm.screens.help import HelpScreen, help_markdown, key_rows
from smallcrm.store.db import Database

# (keys to get there, a phrase of that screen's HELP, a key description only it has)
PLACES = [
    (["f2"], "Every person you deal with", "Filter"),
    (["f3"], "Every company you work with", "Filter"),
    (["f4"], "Everything logged, newest first", "Open follow-ups"),
    (["f2", "down", "down", "enter"], "Everything about one person", "Log"),
    (["f3", "enter"], "Everything about one company", "New deal"),
    (["f2", "down", "down", "enter", "enter"], "One entry of a timeline", "Follow-up done"),
    (["f2", "n"], "Add or change a person", "Save"),
    (["f3", "n"], "Add or change a company", "Save"),
    (["f4", "n"], "Write down what happened", "Save"),
    (["f2", "f"], "Narrow the list down", "Save"),
    (["f2", "d"], "Confirm or cancel", "Yes"),
    (["f2", "i"], "Bring contacts (or accounts", "Past imports"),
    (["f2", "i", "ctrl+o"], "The imports made into this database", "New import"),
    (["f2", "m"], "probably the same person", "Look again"),
    (["f2", "down", "down", "enter", "x"], "Save an export to a file", "Save"),
    (["f2", "down", "down", "enter", "E"], "erasing a person's data", "Yes"),
]

pytest_plugins = ["tui_fixtures"]  # The fixed clock and the seeded database.


@pytest.mark.parametrize(("keys", "phrase", "key_text"), PLACES)
async def test_f1_shows_the_help_of_where_you_are(
    tui_db: Database, seeded: Seeded, keys: list[str], phrase: str, key_text: str
) -> None:
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*keys)
        await app.workers.wait_for_complete()  # The duplicates screen looks in a thread.
        await pilot.pause()
        place = app.screen
        focused = app.focused
        await pilot.press("f1")
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        assert phrase in help_screen.text
        descriptions = [row.description for row in help_screen.rows]
        assert key_text in descriptions
        assert "Help" in descriptions
        await pilot.press("f1")
        assert app.screen is place and app.focused is focused, "F1 closes, focus returns"


async def test_help_is_searchable_and_esc_closes(tui_db: Database, seeded: Seeded) -> None:
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f1")
        help_screen = app.screen
        assert isinstance(help_screen.focused, Input)
        await pilot.press(*"trash")
        shown = help_screen.query_one(Markdown).source
        assert "Ctrl+Z" in shown and "**Change or delete:**" in shown
        assert "**Sort:**" not in shown
        keys = shown.split("## Keys that work here")[1].split("## How to")[0]
        assert "- `n` New" not in keys, "keys that do not mention the words are hidden"
        assert "- `d / del` Delete: Move to the trash" in keys
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_key_list_follows_check_action(tui_db: Database, seeded: Seeded) -> None:
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        rows = {row.description for row in key_rows(app.screen)}
        assert "Clear filters" not in rows, "no filter set: x does not apply"
        assert "Back" not in rows, "the first screen of a tab has no way back"
        assert "Undo delete" not in rows
        await pilot.press("f", *"tester", "enter")
        rows = {row.description for row in key_rows(app.screen)}
        assert "Clear filters" in rows


def test_help_markdown_filters_paragraphs_and_keys() -> None:
    from smallcrm.screens.help import KeyRow

    rows = [KeyRow("n", "New", "this screen"), KeyRow("d / delete", "Delete", "this screen")]
    text = "Purpose here.\n\n**Add:** press n.\n\n**Remove:** press d."
    full = help_markdown("Things", text, rows, [])
    assert full.index("Purpose here") < full.index("## Keys") < full.index("**Add:**")
    only = help_markdown("Things", text, rows, ["delete"])
    assert "- `d / delete` Delete *(this screen)*" in only and "- `n`" not in only
    assert "**Add:**" not in only


async def test_arrows_and_page_keys_scroll_the_help_from_its_search_field(
    tui_db: Database, seeded: Seeded
) -> None:
    """F1 puts the focus in the search field; Down and PgDn still move the page at once."""
    from textual.containers import VerticalScroll

    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f2", "f1")
        help_screen = app.screen
        assert isinstance(help_screen.focused, Input)
        page = help_screen.query_one("#help-scroll", VerticalScroll)
        await pilot.pause()
        assert page.max_scroll_y > 0, "the contacts help is longer than the screen"
        await pilot.press("down", "down")
        assert page.scroll_y == 2
        await pilot.press("pagedown")
        assert page.scroll_y > 2
        await pilot.press("pageup", "up", "up")
        assert page.scroll_y == 0
        assert isinstance(help_screen.focused, Input), "typing still searches"
