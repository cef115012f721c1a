"""Esc on a form with changes asks: save, discard or keep editing; nothing typed is lost."""

from __future__ import annotations

from textual.widgets import Input, TextArea
from tui_data import SIZE, Seeded, app_for

from smallcrm.screens.account_form import AccountForm
from smallcrm.screens.contact_form import ContactForm
from smallcrm.screens.contacts import ContactsScreen
from smallcrm.screens.unsaved import UnsavedChangesScreen, changed_fields
from smallcrm.store import accounts, contacts
from smallcrm.store.db import Database

pytest_plugins = ["tui_fixtures"]  # The fixed clock and the seeded database.


async def test_escape_on_an_untouched_form_leaves_at_once(tui_db: Database, seeded: Seeded) -> None:
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        assert isinstance(app.screen, ContactForm)
        await pilot.press("escape")
        assert isinstance(app.screen, ContactsScreen)
        # An existing record opened for editing and left as it was: no question either.
        await pilot.press("down", "down", "e")
        assert isinstance(app.screen, ContactForm)
        await pilot.pause()
        await pilot.press("escape")
        assert isinstance(app.screen, ContactsScreen)


async def test_keep_editing_returns_to_everything_typed(tui_db: Database, seeded: Seeded) -> None:
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", *"Zora Quillfeather")
        form = app.screen
        await pilot.press("escape")
        dialog = app.screen
        assert isinstance(dialog, UnsavedChangesScreen)
        assert dialog.fields == ["First name"]
        await pilot.press("escape")  # keep editing
        assert app.screen is form
        assert form.query_one("#first_name", Input).value == "Zora Quillfeather"
        await pilot.press("escape", "k")  # k keeps editing too
        assert app.screen is form
        await pilot.press("escape", "s")  # save from the question: the new contact opens
        assert not isinstance(app.screen, ContactForm | UnsavedChangesScreen)
        found = [c.name for c in contacts.list_contacts(tui_db).items]
        assert "Zora Quillfeather" in found


async def test_saving_from_the_question_keeps_the_form_on_a_refusal(
    tui_db: Database, seeded: Seeded
) -> None:
    """s runs the form's own save: a field the store refuses is marked, nothing is lost."""
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("down", "down", "e")  # Jana Novak
        form = app.screen
        assert isinstance(form, ContactForm)
        await pilot.pause()
        form.query_one("#first_name", Input).value = ""
        form.query_one("#last_name", Input).value = ""
        await pilot.pause()
        await pilot.press("escape", "s")
        assert app.screen is form
        assert form.query("Input.-field-error")
        assert contacts.get_contact(tui_db, seeded.jana).name == "Jana Novak"


async def test_the_second_escape_in_a_picker_asks_instead_of_discarding(
    tui_db: Database, seeded: Seeded
) -> None:
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", *"Paul Lang")
        form = app.screen
        form.query_one("#account_id").focus()
        await pilot.press(*"blue")
        picker = form.query_one("#account_id")
        assert picker.has_class("-open")
        await pilot.press("escape")  # closes the suggestions only
        assert app.screen is form and not picker.has_class("-open")
        await pilot.press("escape")
        assert isinstance(app.screen, UnsavedChangesScreen)
        await pilot.press("d")
        assert isinstance(app.screen, ContactsScreen)
        assert "Paul Lang" not in [c.name for c in contacts.list_contacts(tui_db).items]


async def test_notes_typed_in_a_text_area_count_as_changes(
    tui_db: Database, seeded: Seeded
) -> None:
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3", "n")
        form = app.screen
        assert isinstance(form, AccountForm)
        await pilot.pause()
        areas = list(form.query(TextArea))
        assert areas, "the account form has a notes area"
        areas[0].text = "Met at the fair"
        await pilot.press("escape")
        assert isinstance(app.screen, UnsavedChangesScreen)
        await pilot.press("d")
        assert accounts.list_accounts(tui_db).total == 2


def test_changed_fields_ignores_a_new_empty_field() -> None:
    before = {"name": "Ann", "phone": ""}
    assert changed_fields(before, {"name": "Ann", "phone": "", "extra": ""}) == []
    assert changed_fields(before, {"name": "Anna", "phone": "", "extra": None}) == ["name"]
    assert changed_fields(before, {"name": "Ann", "phone": "", "extra": "x"}) == ["extra"]
