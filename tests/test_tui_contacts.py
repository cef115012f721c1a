"""The contacts list and the contact form: paging, keys, sort, filters, delete/undo, and the
journey "add a contact with a validation error, then fix it".
"""

from __future__ import annotations

from textual.widgets import Input
from tui_data import SIZE, Seeded, app_for, seed

from smallcrm.screens.confirm import ConfirmScreen
from smallcrm.screens.contact_detail import ContactDetailScreen
from smallcrm.screens.contact_form import ContactForm
from smallcrm.screens.contacts import ContactsScreen
from smallcrm.screens.filter_form import FilterForm
from smallcrm.screens.unsaved import UnsavedChangesScreen
from smallcrm.store import contacts
from smallcrm.store.db import Database
from smallcrm.store.listing import ListQuery
from smallcrm.widgets.paged_table import PagedTable

pytest_plugins = ["tui_fixtures"]  # The fixed clock and the seeded database.


def table(app) -> PagedTable:  # noqa: ANN001
    """The list's table on the current screen."""
    return app.screen.query_one(PagedTable)


async def test_list_pages_from_the_database_and_moves_with_the_keys(tui_db: Database) -> None:
    seed(tui_db, extra_people=250)
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        grid = table(app)
        assert grid.total == 253
        assert len(grid._pages) == 1, "only the first page is read at start-up"  # noqa: SLF001
        assert grid.current.name == "Anna Adler000"
        await pilot.press("j", "j", "k", "down")
        assert grid.cursor == 2
        await pilot.press("pagedown")
        assert grid.cursor == 2 + grid.rows_visible
        await pilot.press("end")
        assert grid.cursor == 252
        assert grid.current.name == "Jana Novak"  # By last name, Novak comes last.
        assert len(grid._pages) <= 3  # noqa: SLF001
        await pilot.press("pageup", "home")
        assert grid.cursor == 0
        await pilot.press("enter")
        assert isinstance(app.screen, ContactDetailScreen)
        assert app.screen.record_id == grid.current.id


async def test_rows_past_the_middle_read_from_the_end_match_the_forward_order(
    tui_db: Database,
) -> None:
    seed(tui_db, extra_people=250)
    forward = [c.id for c in contacts.list_contacts(tui_db, ListQuery(limit=1000)).items]
    app = app_for(tui_db)
    async with app.run_test(size=SIZE):
        grid = table(app)
        assert [grid.record_at(i).id for i in range(grid.total)] == forward
        grid.reload(keep_cursor=False)
        assert [grid.record_at(i).id for i in reversed(range(grid.total))] == forward[::-1]


async def test_a_reload_after_a_deletion_keeps_the_end_of_the_list_right(tui_db: Database) -> None:
    seed(tui_db, extra_people=250)
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("end")
        grid = table(app)
        contacts.delete_contact(tui_db, grid.current.id)  # Someone else deletes it.
        grid.reload()
        forward = [c.id for c in contacts.list_contacts(tui_db, ListQuery(limit=1000)).items]
        assert grid.total == len(forward) == 252
        assert [grid.record_at(i).id for i in range(200, 252)] == forward[200:]


async def test_sort_reverse_and_status_line(tui_db: Database, seeded: Seeded) -> None:
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        grid = table(app)
        assert [grid.record_at(i).name for i in range(3)] == [
            "Olivia Brown",
            "Max Müller",
            "Jana Novak",
        ]
        await pilot.press("s")  # Next sortable column: account.
        status = str(app.screen.query_one("#list-status").render())
        assert "by account ▲" in status and "3 contacts" in status
        assert grid.current.account_name == "Acme GmbH"
        await pilot.press("r")
        assert grid.current.account_name == "Blue Harbor Ltd"
        assert "by account ▼" in str(app.screen.query_one("#list-status").render())


async def test_filter_by_owner_and_clear(tui_db: Database, seeded: Seeded) -> None:
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f")
        assert isinstance(app.screen, FilterForm)
        await pilot.press(*"tester", "ctrl+s")
        assert isinstance(app.screen, ContactsScreen)
        grid = table(app)
        assert grid.total == 2
        assert "owner tester" in str(app.screen.query_one("#list-status").render())
        await pilot.press("x")
        assert grid.total == 3


async def test_filter_with_no_match_says_so(tui_db: Database, seeded: Seeded) -> None:
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f", *"nobody", "enter")
        text = str(app.screen.query_one("#list-empty").render())
        assert "No contacts match these filters" in text


async def test_filter_form_shows_bad_date_on_its_field(tui_db: Database, seeded: Seeded) -> None:
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f")
        form = app.screen
        form.query_one("#since", Input).value = "someday"
        await pilot.pause()
        await pilot.press("ctrl+s")
        assert app.screen is form, "a bad date keeps the form open"
        assert form.query_one("#since").has_class("-field-error")
        assert "someday" in str(form.query_one("#form-error").render())


async def test_add_contact_with_validation_error_then_fix(tui_db: Database, seeded: Seeded) -> None:
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        form = app.screen
        assert isinstance(form, ContactForm)
        await pilot.press(*"Lena")
        form.query_one("#last_name", Input).focus()
        await pilot.press(*"Schulz")
        form.query_one("#emails", Input).focus()
        await pilot.press(*"lena-at-example")
        form.query_one("#city", Input).focus()
        await pilot.press(*"Hamburg")
        await pilot.press("ctrl+s")
        # Still the form, the email field marked and focused, everything typed kept.
        assert app.screen is form
        emails = form.query_one("#emails", Input)
        assert emails.has_class("-field-error") and app.focused is emails
        assert "lena-at-example" in str(emails.border_subtitle)
        assert form.query_one("#first_name", Input).value == "Lena"
        assert form.query_one("#city", Input).value == "Hamburg"
        assert contacts.list_contacts(tui_db).total == 3, "nothing saved"
        # Fix it and save: the new contact opens.
        emails.value = ""
        await pilot.press(*"lena@example.com")
        assert not emails.has_class("-field-error")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ContactDetailScreen)
        saved = contacts.get_contact(tui_db, app.screen.record_id)
        assert (saved.name, saved.address.city) == ("Lena Schulz", "Hamburg")
        assert [m.value for m in saved.emails] == ["lena@example.com"]
        assert "Lena Schulz" in app.screen.query_one("#crm-crumbs").text


async def test_escape_cancels_the_form_without_a_trace(tui_db: Database, seeded: Seeded) -> None:
    """Esc on a filled form asks first (it used to discard silently); d discards."""
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", *"Ghost", "escape")
        assert isinstance(app.screen, UnsavedChangesScreen)
        await pilot.press("d")
        assert isinstance(app.screen, ContactsScreen)
        assert contacts.list_contacts(tui_db).total == 3


async def test_edit_contact_changes_only_what_was_typed(tui_db: Database, seeded: Seeded) -> None:
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("down", "down", "e")  # Jana Novak
        form = app.screen
        assert isinstance(form, ContactForm) and form.contact.name == "Jana Novak"
        form.query_one("#title", Input).value = "Head of Purchasing"
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, ContactsScreen)
        jana = contacts.get_contact(tui_db, seeded.jana)
        assert jana.title == "Head of Purchasing"
        assert jana.tracking.version == 2
        assert jana.email_consent.opt_in is None, "consent untouched"


async def test_account_picker_completes_and_links(tui_db: Database, seeded: Seeded) -> None:
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", *"Paul Lang")
        form = app.screen
        form.query_one("#account_id").focus()
        await pilot.press(*"blue")
        picker = form.query_one("#account_id")
        assert picker.has_class("-open")
        await pilot.press("enter")  # Picks the suggestion rather than saving.
        assert app.screen is form
        assert picker.record_id == seeded.harbor
        await pilot.press("enter")
        await pilot.pause()
        paul = contacts.get_contact(tui_db, app.screen.record_id)
        assert paul.account_name == "Blue Harbor Ltd"


async def test_delete_asks_then_undo_restores(tui_db: Database, seeded: Seeded) -> None:
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("d")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        assert contacts.list_contacts(tui_db).total == 3, "n keeps the contact"
        await pilot.press("d", "y")
        assert contacts.list_contacts(tui_db).total == 2
        assert table(app).total == 2
        assert "Olivia Brown" not in [table(app).record_at(i).name for i in range(2)]
        await pilot.press("ctrl+z")
        assert contacts.list_contacts(tui_db).total == 3
        assert table(app).total == 3
        assert app.trashed == []


async def test_enter_on_contact_opens_it_and_esc_returns(tui_db: Database, seeded: Seeded) -> None:
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "enter")
        assert isinstance(app.screen, ContactDetailScreen)
        assert app.screen.record_id == seeded.max
        await pilot.press("escape")
        assert isinstance(app.screen, ContactsScreen)
        assert table(app).cursor == 1, "the cursor stays where it was"


def test_list_query_state_starts_sorted_by_name() -> None:
    assert ContactsScreen().query_state == ListQuery(sort="name")
