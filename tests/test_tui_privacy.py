"""Consent on the contact and in the list's filter; exporting and erasing a person."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from textual.widgets import Input, Select
from tui_data import SIZE, Seeded, app_for

from smallcrm.screens.contact_detail import ContactDetailScreen, export_path
from smallcrm.screens.contacts import ContactsScreen
from smallcrm.screens.erase_confirm import EraseConfirmScreen
from smallcrm.screens.export_path import ExportPathScreen
from smallcrm.screens.filter_form import FilterForm
from smallcrm.store import contacts, interactions
from smallcrm.store.db import Database
from smallcrm.store.errors import NotFoundError
from smallcrm.store.search import search
from smallcrm.widgets.paged_table import PagedTable

pytest_plugins = ["tui_fixtures"]  # The fixed clock and the seeded database.


def agree_to_email(db: Database, contact_id: int) -> None:
    """Record that the person agreed to emails on a web form."""
    c = contacts.get_contact(db, contact_id)
    contacts.update_contact(
        db, c.id, c.tracking.version, email_opt_in=True, email_consent_source="web form"
    )


async def test_consent_shows_on_the_contact(tui_db: Database, seeded: Seeded) -> None:
    agree_to_email(tui_db, seeded.jana)
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        app.open_record("contact", seeded.jana)
        await pilot.pause()
        card = str(app.screen.query_one("#card").render())
        assert "Email consent  yes (2026-11-25, web form)" in card
        assert "Phone consent  not asked" in card


async def test_contacts_filter_on_email_consent(tui_db: Database, seeded: Seeded) -> None:
    agree_to_email(tui_db, seeded.jana)
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f")
        form = app.screen
        assert isinstance(form, FilterForm)
        form.query_one("#email_opt_in", Select).value = True
        await pilot.press("ctrl+s")
        screen = app.screen
        assert isinstance(screen, ContactsScreen)
        table = screen.query_one(PagedTable)
        assert table.total == 1 and table.current.id == seeded.jana
        assert "email consent yes" in str(screen.query_one("#list-status").render())
        assert screen.check_action("clear_filters", ()) is True
        await pilot.press("f")
        assert app.screen.query_one("#email_opt_in", Select).value is True, "kept in the form"
        await pilot.press("escape", "x")
        assert table.total == 3


async def test_export_a_persons_data(
    tui_db: Database, seeded: Seeded, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        app.open_record("contact", seeded.jana)
        await pilot.pause()
        await pilot.press("x")
        dialog = app.screen
        assert isinstance(dialog, ExportPathScreen)
        assert dialog.query_one(Input).value == "~/smallcrm-export-jana-novak.json"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ContactDetailScreen)
        saved = tmp_path / "smallcrm-export-jana-novak.json"
        data = json.loads(saved.read_text(encoding="utf-8"))
        assert data["contact"]["first_name"] == "Jana"
        assert {i["subject"] for i in data["interactions"]} >= {"Discussed the renewal"}
        assert stat.S_IMODE(saved.stat().st_mode) == 0o600, "personal data: owner only"

        saved.write_text("old", encoding="utf-8")
        await pilot.press("x", "enter")
        assert app.screen is not dialog and isinstance(app.screen, ExportPathScreen)
        assert "exists" in str(app.screen.query_one("#export-error").render())
        assert saved.read_text(encoding="utf-8") == "old", "not replaced without asking"
        await pilot.press("enter")
        await pilot.pause()
        assert json.loads(saved.read_text(encoding="utf-8"))["contact"]["id"] == seeded.jana


async def test_export_to_a_missing_folder_says_so(tui_db: Database, seeded: Seeded) -> None:
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        app.open_record("contact", seeded.jana)
        await pilot.pause()
        await pilot.press("x")
        app.screen.query_one(Input).value = "/no/such/folder/jana.json"
        await pilot.press("enter")
        assert isinstance(app.screen, ExportPathScreen), "the dialog stays open"
        assert "Could not save" in str(app.screen.query_one("#export-error").render())


async def test_erase_a_person_from_the_detail_view(tui_db: Database, seeded: Seeded) -> None:
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("end", "enter")  # Jana Novak comes last by name.
        assert isinstance(app.screen, ContactDetailScreen)
        assert app.screen.record_id == seeded.jana
        await pilot.press("E")
        confirm = app.screen
        assert isinstance(confirm, EraseConfirmScreen)
        detail = str(confirm.query_one("#confirm-detail").render())
        assert "Cannot be undone" in detail and "[erased]" in detail
        assert "2 interactions and 1 appointment are kept" in detail
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, ContactsScreen), "back to the list"
        assert app.screen.query_one(PagedTable).total == 2
    with pytest.raises(NotFoundError):
        contacts.get_contact(tui_db, seeded.jana)
    with pytest.raises(NotFoundError):
        contacts.get_contact(tui_db, seeded.jana, trashed=True)
    assert search(tui_db, "Novak") == []
    kept = interactions.get_interaction(tui_db, seeded.renewal_call)
    assert kept.contact_id is None and "Novak" not in (kept.subject or "")


def test_export_path_suggests_a_file_named_after_the_person() -> None:
    assert export_path("Jana Novák") == "~/smallcrm-export-jana-novák.json"
    assert export_path("O'Brien, Seán") == "~/smallcrm-export-o-brien-seán.json"
    assert export_path("***") == "~/smallcrm-export-person.json"


def _holds_jana(path: Path) -> bool:
    return b"novak" in path.read_bytes().lower()


@pytest.mark.sqlite_only
@pytest.mark.parametrize(("keys", "choice"), [((), "scrub"), (("k",), "keep"), (("d",), "delete")])
async def test_erasing_says_which_backups_hold_them_and_offers_the_same_choice(
    tui_db: Database, seeded: Seeded, keys: tuple[str, ...], choice: str
) -> None:
    from smallcrm.store import maintenance

    backups = [maintenance.backup(tui_db) for _ in range(2)]
    assert all(_holds_jana(p) for p in backups)
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        app.open_record("contact", seeded.jana)
        await pilot.pause()
        await pilot.press("E")
        confirm = app.screen
        assert isinstance(confirm, EraseConfirmScreen)
        said = str(confirm.query_one("#erase-backups").render())
        assert said.startswith("2 backups made before still hold them (2026-11-25 10:30 to ")
        assert "Backups written elsewhere with smallcrm backup DEST are not searched." in said
        assert confirm.backup_choice == "scrub", "scrubbing is the default"
        await pilot.press(*keys)
        assert confirm.backup_choice == choice
        notes: list[str] = []
        app.notify = lambda message, **kw: notes.append(message)  # type: ignore[method-assign]
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, ContactsScreen)
    with pytest.raises(NotFoundError):
        contacts.get_contact(tui_db, seeded.jana)
    heading = {
        "scrub": "Scrubbed them from 2 backups (each checked).",
        "keep": "2 backups still hold them, kept as asked.",
        "delete": "Deleted 2 backups that held them.",
    }[choice]
    assert any(heading in note for note in notes)
    if choice == "delete":
        assert not any(p.exists() for p in backups)
    else:
        assert [_holds_jana(p) for p in backups] == [choice == "keep"] * 2


async def test_erasing_without_backups_says_none_hold_them(
    tui_db: Database, seeded: Seeded
) -> None:
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        app.open_record("contact", seeded.jana)
        await pilot.pause()
        await pilot.press("E")
        confirm = app.screen
        assert isinstance(confirm, EraseConfirmScreen)
        assert not confirm.query("#erase-backups") and not confirm.query("RadioSet")
        detail = str(confirm.query_one("#confirm-detail").render())
        if tui_db.path is not None:
            assert "• No backup smallcrm keeps holds them (backups written elsewhere" in detail
        else:
            assert "• No backup smallcrm keeps holds them (dumps of this PostgreSQL" in detail
        assert confirm.check_action("backups", ("scrub",)) is False
        await pilot.press("n")
        assert isinstance(app.screen, ContactDetailScreen)
    assert contacts.get_contact(tui_db, seeded.jana).name == "Jana Novak"
