"""A record's history is one key away in its view: who did what, when, old -> new values."""

from __future__ import annotations

import pytest
from textual.widgets import OptionList
from tui_data import SIZE, Seeded, app_for

from smallcrm.screens.appointment_form import AppointmentForm
from smallcrm.screens.contact_detail import ContactDetailScreen
from smallcrm.screens.help import HelpScreen
from smallcrm.screens.history import HistoryScreen
from smallcrm.store import contacts
from smallcrm.store.db import Database

pytest_plugins = ["tui_fixtures"]


def entry_texts(screen: HistoryScreen) -> list[str]:
    box = screen.query_one("#history-entries", OptionList)
    return [str(box.get_option_at_index(i).prompt) for i in range(box.option_count)]


async def test_h_shows_the_contacts_history_newest_first(
    monkeypatch: pytest.MonkeyPatch, tui_db: Database, seeded: Seeded
) -> None:
    jana = contacts.get_contact(tui_db, seeded.jana)
    monkeypatch.setenv("SMALLCRM_USER", "ana")
    jana = contacts.update_contact(tui_db, jana.id, jana.tracking.version, city="Hamburg")
    monkeypatch.setenv("SMALLCRM_USER", "bob")
    contacts.update_contact(tui_db, jana.id, jana.tracking.version, title="Head of Buying")
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        app.open_record("contact", seeded.jana)
        await pilot.pause()
        await pilot.press("h")
        screen = app.screen
        assert isinstance(screen, HistoryScreen)
        texts = entry_texts(screen)
        assert len(texts) == 3
        assert "bob  changed" in texts[0] and "title: Buyer → Head of Buying" in texts[0]
        assert "ana  changed" in texts[1] and "city: Berlin → Hamburg" in texts[1]
        assert "tester  created it" in texts[2] and "first name: Jana" in texts[2]
        assert texts[0].startswith("Wed 2026-11-25")
        status = str(screen.query_one("#history-status").render())
        assert status == "History of contact Jana Novak: 3 entries, newest first"
        assert "History" in str(screen.query_one("#crm-crumbs").render())
        assert app.focused is screen.query_one("#history-entries")
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape", "escape")
        assert isinstance(app.screen, ContactDetailScreen)


async def test_every_record_view_opens_its_history(tui_db: Database, seeded: Seeded) -> None:
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        for kind, record_id in (
            ("account", seeded.acme),
            ("opportunity", seeded.deal),
            ("interaction", seeded.renewal_call),
        ):
            app.open_record(kind, record_id)
            await pilot.pause()
            await pilot.press("h")
            screen = app.screen
            assert isinstance(screen, HistoryScreen)
            assert (screen.kind, screen.record_id) == (kind, record_id)
            assert "created it" in entry_texts(screen)[-1]
            if kind == "opportunity":
                assert "amount: 12,000.00" in entry_texts(screen)[-1], "cents as money"
            await pilot.press("escape", "escape")
        # An appointment's view is its form, where h is a letter: Ctrl+O there.
        app.open_record("appointment", seeded.demo)
        await pilot.pause()
        assert isinstance(app.screen, AppointmentForm)
        await pilot.press("ctrl+o")
        screen = app.screen
        assert isinstance(screen, HistoryScreen) and screen.kind == "appointment"
        assert "title: Demo at Acme" in entry_texts(screen)[0]
        await pilot.press("escape")
        assert isinstance(app.screen, AppointmentForm)


async def test_help_of_a_record_view_lists_the_history_key(
    tui_db: Database, seeded: Seeded
) -> None:
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        app.open_record("contact", seeded.jana)
        await pilot.pause()
        await pilot.press("f1")
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        assert any(row.keys == "h" and row.description == "History" for row in help_screen.rows)
