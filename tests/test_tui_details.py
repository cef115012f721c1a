"""Contact, account and interaction views, and the interactions and accounts lists."""

from __future__ import annotations

from textual.widgets import Input, Select
from tui_data import SIZE, Seeded, app_for

from smallcrm.screens.account_detail import AccountDetailScreen
from smallcrm.screens.account_form import AccountForm
from smallcrm.screens.accounts import AccountsScreen
from smallcrm.screens.contact_detail import ContactDetailScreen
from smallcrm.screens.contact_form import ContactForm
from smallcrm.screens.contacts import ContactsScreen
from smallcrm.screens.interaction_detail import InteractionDetailScreen
from smallcrm.screens.interactions import InteractionsScreen
from smallcrm.store import accounts, contacts, interactions
from smallcrm.store.db import Database
from smallcrm.store.errors import NotFoundError
from smallcrm.widgets.paged_table import PagedTable

pytest_plugins = ["tui_fixtures"]  # The fixed clock and the seeded database.


def option_texts(screen, list_id: str) -> list[str]:  # noqa: ANN001
    """The entries of one of a detail view's lists."""
    related = screen.query_one(f"#{list_id}")
    return [str(related.get_option_at_index(i).prompt) for i in range(related.option_count)]


async def test_contact_detail_shows_fields_timeline_deals_and_appointments(
    tui_db: Database, seeded: Seeded
) -> None:
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        app.open_record("contact", seeded.jana)
        await pilot.pause()
        screen = app.screen
        card = str(screen.query_one("#card").render())
        assert "Buyer at Acme GmbH" in card and "jana@acme.example" in card
        assert "+49 30 7654321" in card and "#vip" in card
        timeline = option_texts(screen, "timeline")
        assert timeline[0].startswith("2026-11-20 10:30") and "Discussed the renewal" in timeline[0]
        assert "follow-up Fri 2026-11-27" in timeline[0]
        assert "Sent the price list" in timeline[1], "newest first"
        assert "Acme renewal" in option_texts(screen, "deals")[0]
        assert "Fri 2026-11-27 14:00" in option_texts(screen, "appointments")[0]


async def test_g_opens_the_account_and_a_schedules_an_appointment(
    tui_db: Database, seeded: Seeded
) -> None:
    from smallcrm.screens.appointment_form import AppointmentForm

    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        app.open_record("contact", seeded.jana)
        await pilot.pause()
        await pilot.press("a")
        assert isinstance(app.screen, AppointmentForm)
        assert app.screen.contact_id == seeded.jana
        await pilot.press("escape")
        await pilot.press("g")
        assert isinstance(app.screen, AccountDetailScreen)
        assert app.screen.record_id == seeded.acme


async def test_account_detail_is_the_360_view(tui_db: Database, seeded: Seeded) -> None:
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3", "enter")
        screen = app.screen
        assert isinstance(screen, AccountDetailScreen)
        assert [t.split("  ")[0] for t in option_texts(screen, "people")] == [
            "Max Müller",
            "Jana Novak",
        ]
        total = str(screen.query_one("#pipeline-total").render())
        assert "Open pipeline 12,000.00 EUR" in total and "weighted 6,000.00 EUR" in total
        assert "Jana Novak" in option_texts(screen, "timeline")[0]
        assert "Demo at Acme" in option_texts(screen, "appointments")[0]
        await pilot.press("l", *"Site visit planned", "ctrl+s")
        await pilot.pause()
        logged = interactions.timeline(tui_db, account_id=seeded.acme, limit=1)[0]
        assert logged.subject == "Site visit planned" and logged.contact_id is None
        assert "Site visit planned" in option_texts(screen, "timeline")[0]


async def test_new_contact_from_an_account_is_linked(tui_db: Database, seeded: Seeded) -> None:
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3", "down", "enter", "n")
        assert isinstance(app.screen, ContactForm)
        await pilot.press(*"Sam Lee", "enter")
        await pilot.pause()
        assert any("Sam Lee" in t for t in option_texts(app.screen, "people"))
        sam = contacts.list_contacts(tui_db).items
        assert [c.account_id for c in sam if c.name == "Sam Lee"] == [seeded.harbor]


async def test_edit_and_delete_an_account_from_its_view(tui_db: Database, seeded: Seeded) -> None:
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3", "down", "enter", "e")
        form = app.screen
        assert isinstance(form, AccountForm)
        form.query_one("#website", Input).value = "not a site"
        await pilot.pause()  # Let the Changed message through, as typing would.
        await pilot.press("ctrl+s")
        assert form.query_one("#website").has_class("-field-error")
        form.query_one("#website", Input).value = "harbor.example"
        await pilot.press("ctrl+s")
        assert accounts.get_account(tui_db, seeded.harbor).website == "harbor.example"
        assert isinstance(app.screen, AccountDetailScreen)
        await pilot.press("d", "y")
        assert isinstance(app.screen, AccountsScreen)
        try:
            accounts.get_account(tui_db, seeded.harbor)
            raise AssertionError("the account should be in the trash")
        except NotFoundError:
            pass
        assert app.screen.query_one(PagedTable).total == 1
        await pilot.press("ctrl+z")
        assert accounts.get_account(tui_db, seeded.harbor).name == "Blue Harbor Ltd"
        assert app.screen.query_one(PagedTable).total == 2


async def test_interaction_detail_completes_its_follow_up(tui_db: Database, seeded: Seeded) -> None:
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        app.open_record("interaction", seeded.renewal_call)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, InteractionDetailScreen)
        assert "Fri 2026-11-27 (open)" in str(screen.query_one("#card").render())
        await pilot.press("c")
        assert interactions.get_interaction(tui_db, seeded.renewal_call).follow_up_done
        assert "(done)" in str(screen.query_one("#card").render())
        assert "Follow-up done" not in {
            b.binding.description for b in screen.active_bindings.values()
        }
        await pilot.press("g")
        assert isinstance(app.screen, ContactDetailScreen)


async def test_interactions_list_newest_first_with_follow_up_toggle(
    tui_db: Database, seeded: Seeded
) -> None:
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f4")
        assert isinstance(app.screen, InteractionsScreen)
        grid = app.screen.query_one(PagedTable)
        assert [grid.record_at(i).subject for i in range(2)] == [
            "Discussed the renewal",
            "Sent the price list",
        ]
        await pilot.press("o")
        assert grid.total == 1
        assert "open follow-ups" in str(app.screen.query_one("#list-status").render())
        await pilot.press("o", "f")
        app.screen.query_one("#kind", Select).value = "email"
        await pilot.press("ctrl+s")
        assert grid.total == 1 and grid.current.kind == "email"


async def test_log_from_the_interactions_list_needs_a_contact_or_account(
    tui_db: Database, seeded: Seeded
) -> None:
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f4", "n", *"Cold call", "ctrl+s")
        form = app.screen
        assert "needs a contact or an account" in str(form.query_one("#form-error").render())
        assert form.query_one("#contact_id").has_class("-field-error")
        form.query_one("#contact_id").focus()
        await pilot.press(*"olivia", "enter")  # Picks Olivia Brown from the suggestions.
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, InteractionsScreen)
        assert app.screen.query_one(PagedTable).total == 3
        newest = interactions.timeline(tui_db, contact_id=seeded.olivia)[0]
        assert newest.subject == "Cold call" and newest.account_id == seeded.harbor


async def test_a_deleted_record_closes_its_view(tui_db: Database, seeded: Seeded) -> None:
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        app.open_record("contact", seeded.max)
        await pilot.pause()
        contacts.delete_contact(tui_db, seeded.max)  # Someone else deletes it meanwhile.
        app.screen.reload()
        await pilot.pause()
        assert isinstance(app.screen, ContactsScreen)


async def test_deleting_from_a_view_warns_of_nothing_gone(tui_db: Database, seeded: Seeded) -> None:
    """The view closes after its own deletion without the "is gone" warning meant for records
    someone else deleted; the toast offers undo."""
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f2")
        app.open_record("contact", seeded.jana)
        await pilot.pause()
        assert isinstance(app.screen, ContactDetailScreen)
        await pilot.press("d", "y")
        await pilot.pause()
        assert isinstance(app.screen, ContactsScreen)
        messages = [n.message for n in app._notifications]
        assert not [m for m in messages if "is gone" in m], messages
        assert any("trash" in m.lower() for m in messages), messages
