"""Two people edit the same record in two apps on one database: the second save shows the
conflict screen, and keep mine, keep theirs and merge save what they promise."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input
from tui_data import NOW, SIZE, Seeded

from smallcrm.app import CrmApp, make_app
from smallcrm.screens.account_form import AccountForm
from smallcrm.screens.conflict import ConflictScreen
from smallcrm.screens.contact_detail import ContactDetailScreen
from smallcrm.screens.contact_form import ContactForm
from smallcrm.screens.help import HelpScreen
from smallcrm.screens.opportunity_form import OpportunityForm
from smallcrm.store import accounts, audit, contacts, opportunities
from smallcrm.store.db import Database

pytest_plugins = ["tui_fixtures"]


@asynccontextmanager
async def two_apps(
    first: Database, second: Database
) -> AsyncIterator[tuple[CrmApp, Pilot, CrmApp, Pilot]]:
    """Two apps running at once, each on its own connection."""
    app1, app2 = make_app(first, now=NOW), make_app(second, now=NOW)
    async with app1.run_test(size=SIZE) as p1, app2.run_test(size=SIZE) as p2:
        yield app1, p1, app2, p2


async def open_contact_form(app: CrmApp, pilot: Pilot, contact_id: int) -> ContactForm:
    """The contact's view, then e: the edit form."""
    app.open_record("contact", contact_id)
    await pilot.pause()
    assert isinstance(app.screen, ContactDetailScreen)
    await pilot.press("e")
    await pilot.pause()
    assert isinstance(app.screen, ContactForm)
    return app.screen


def type_into(form: ContactForm, **values: str) -> None:
    """Replace the text of some fields, as if typed."""
    for field, value in values.items():
        form.query_one(f"#{field}", Input).value = value


async def make_conflict(
    monkeypatch: pytest.MonkeyPatch,
    dbs: tuple[Database, Database, Seeded],
    app1: CrmApp,
    p1: Pilot,
    app2: CrmApp,
    p2: Pilot,
) -> ConflictScreen:
    """Ana and Bob open Jana; Ana saves a new city and title; Bob changes the city and the
    phone and saves: Bob sees the conflict screen."""
    jana = dbs[2].jana
    monkeypatch.setenv("SMALLCRM_USER", "ana")
    form1 = await open_contact_form(app1, p1, jana)
    monkeypatch.setenv("SMALLCRM_USER", "bob")
    form2 = await open_contact_form(app2, p2, jana)
    monkeypatch.setenv("SMALLCRM_USER", "ana")
    type_into(form1, city="Hamburg", title="Head of Buying")
    await p1.press("ctrl+s")
    await p1.pause()
    assert isinstance(app1.screen, ContactDetailScreen), "Ana's save went through"
    monkeypatch.setenv("SMALLCRM_USER", "bob")
    type_into(form2, city="Munich", phones="+49 89 111222")
    await p2.press("ctrl+s")
    await p2.pause()
    assert isinstance(app2.screen, ConflictScreen)
    return app2.screen


def table_rows(screen: ConflictScreen) -> list[list[str]]:
    """The conflict table's cells as text."""
    table = screen.query_one(DataTable)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


async def test_the_second_save_shows_who_changed_what(
    monkeypatch: pytest.MonkeyPatch, two_databases: tuple[Database, Database, Seeded]
) -> None:
    first, second, seeded = two_databases
    async with two_apps(first, second) as (app1, p1, app2, p2):
        screen = await make_conflict(monkeypatch, two_databases, app1, p1, app2, p2)
        who = str(screen.query_one("#conflict-who").render())
        assert "ana changed it at" in who and "City" in who and "Title" in who
        assert "You both changed 1 field" in who
        rows = {row[0]: row[1:] for row in table_rows(screen)}
        assert rows["⚠ City"] == ["Berlin", "Munich", "Hamburg", "yours"]
        assert rows["Title"] == ["Buyer", "Buyer", "Head of Buying", "theirs"]
        assert rows["Phones"][1] == "+49 89 111222" and rows["Phones"][3] == "yours"
        # Nothing of Bob's was written yet.
        assert contacts.get_contact(second, seeded.jana).address.city == "Hamburg"


async def test_keep_mine_writes_only_my_fields(
    monkeypatch: pytest.MonkeyPatch, two_databases: tuple[Database, Database, Seeded]
) -> None:
    first, second, seeded = two_databases
    async with two_apps(first, second) as (app1, p1, app2, p2):
        await make_conflict(monkeypatch, two_databases, app1, p1, app2, p2)
        await p2.press("m")
        await p2.pause()
        assert isinstance(app2.screen, ContactDetailScreen), "saved and closed"
    jana = contacts.get_contact(first, seeded.jana)
    assert jana.address.city == "Munich", "mine"
    assert jana.title == "Head of Buying", "theirs, never overwritten by keep mine"
    assert [p.value for p in jana.phones] == ["+4989111222"]
    latest = audit.history(first, "contact", seeded.jana)[-1]
    assert latest.actor == "bob" and set(latest.changes) <= {"city", "methods"}


async def test_keep_theirs_drops_my_edits_and_shows_theirs(
    monkeypatch: pytest.MonkeyPatch, two_databases: tuple[Database, Database, Seeded]
) -> None:
    first, second, seeded = two_databases
    before = len(audit.history(first, "contact", seeded.jana))
    async with two_apps(first, second) as (app1, p1, app2, p2):
        await make_conflict(monkeypatch, two_databases, app1, p1, app2, p2)
        await p2.press("t")
        await p2.pause()
        assert isinstance(app2.screen, ContactDetailScreen)
        card = str(app2.screen.query_one("#card").render())
        assert "Hamburg" in card and "Head of Buying" in card
    jana = contacts.get_contact(first, seeded.jana)
    assert (jana.address.city, jana.title) == ("Hamburg", "Head of Buying")
    assert [p.value for p in jana.phones] == ["+49307654321"]
    assert len(audit.history(first, "contact", seeded.jana)) == before + 1, "only Ana's save"


async def test_merge_field_by_field(
    monkeypatch: pytest.MonkeyPatch, two_databases: tuple[Database, Database, Seeded]
) -> None:
    first, second, seeded = two_databases
    async with two_apps(first, second) as (app1, p1, app2, p2):
        screen = await make_conflict(monkeypatch, two_databases, app1, p1, app2, p2)
        row = screen.query_one(DataTable).cursor_row
        assert table_rows(screen)[row][0] == "⚠ City", "starts on the field both changed"
        await p2.press("space")  # the city: theirs
        assert table_rows(screen)[row][-1] == "theirs"
        await p2.press("s")
        await p2.pause()
        assert isinstance(app2.screen, ContactDetailScreen)
    jana = contacts.get_contact(first, seeded.jana)
    assert jana.address.city == "Hamburg", "picked theirs"
    assert jana.title == "Head of Buying", "only they changed it"
    assert [p.value for p in jana.phones] == ["+4989111222"], "only I changed it"


async def test_escape_goes_back_to_the_form_and_a_new_change_asks_again(
    monkeypatch: pytest.MonkeyPatch, two_databases: tuple[Database, Database, Seeded]
) -> None:
    first, second, seeded = two_databases
    async with two_apps(first, second) as (app1, p1, app2, p2):
        await make_conflict(monkeypatch, two_databases, app1, p1, app2, p2)
        await p2.press("f1")
        assert isinstance(app2.screen, HelpScreen)
        assert "Keep mine" in app2.screen.help_title or "Keep mine" in str(app2.screen.rows)
        await p2.press("escape")
        await p2.press("escape")
        form = app2.screen
        assert isinstance(form, ContactForm)
        assert form.query_one("#city", Input).value == "Munich", "input intact"
        # Somebody saves yet again while Bob decides: keep mine meets a new conflict.
        await p2.press("ctrl+s")
        await p2.pause()
        assert isinstance(app2.screen, ConflictScreen)
        monkeypatch.setenv("SMALLCRM_USER", "carla")
        current = contacts.get_contact(first, seeded.jana)
        contacts.update_contact(first, seeded.jana, current.tracking.version, city="Bremen")
        monkeypatch.setenv("SMALLCRM_USER", "bob")
        await p2.press("m")
        await p2.pause()
        again = app2.screen
        assert isinstance(again, ConflictScreen), "a third person's change asks again"
        assert "carla changed it" in str(again.query_one("#conflict-who").render())
        rows = {row[0]: row[1:] for row in table_rows(again)}
        assert rows["⚠ City"][:3] == ["Hamburg", "Munich", "Bremen"]
        await p2.press("m")
        await p2.pause()
        assert isinstance(app2.screen, ContactDetailScreen)
    assert contacts.get_contact(first, seeded.jana).address.city == "Munich"


async def test_account_and_deal_forms_resolve_conflicts_too(
    monkeypatch: pytest.MonkeyPatch, two_databases: tuple[Database, Database, Seeded]
) -> None:
    first, second, seeded = two_databases
    async with two_apps(first, second) as (app1, p1, app2, p2):
        monkeypatch.setenv("SMALLCRM_USER", "bob")
        account = accounts.get_account(second, seeded.acme)
        await app2.push_screen(AccountForm(account))
        form = app2.screen
        monkeypatch.setenv("SMALLCRM_USER", "ana")
        accounts.update_account(first, seeded.acme, account.tracking.version, industry="Hardware")
        monkeypatch.setenv("SMALLCRM_USER", "bob")
        form.query_one("#city", Input).value = "Potsdam"
        await p2.press("ctrl+s")
        await p2.pause()
        assert isinstance(app2.screen, ConflictScreen)
        await p2.press("s")  # nothing both changed: the merge keeps both
        await p2.pause()
        saved = accounts.get_account(first, seeded.acme)
        assert (saved.industry, saved.address.city) == ("Hardware", "Potsdam")

        await app2.push_screen(OpportunityForm(seeded.deal))
        deal_form = app2.screen
        deal = opportunities.get_opportunity(first, seeded.deal)
        monkeypatch.setenv("SMALLCRM_USER", "ana")
        opportunities.update_opportunity(first, seeded.deal, deal.tracking.version, amount="15000")
        monkeypatch.setenv("SMALLCRM_USER", "bob")
        deal_form.query_one("#amount", Input).value = "13000"
        deal_form.query_one("#next_step", Input).value = "Call the CFO"
        await p2.press("ctrl+s")
        await p2.pause()
        assert isinstance(app2.screen, ConflictScreen)
        rows = {row[0]: row[1:] for row in table_rows(app2.screen)}
        assert rows["⚠ Amount"][:3] == ["12000", "13000", "15000"]
        assert "ana changed it at Wed 2026-11-25 10:30: Amount" in str(
            app2.screen.query_one("#conflict-who").render()
        )
        assert app2.screen.query_one("#conflict-dialog").border_title.startswith("This deal")
        await p2.press("t")
        await p2.pause()
    saved_deal = opportunities.get_opportunity(first, seeded.deal)
    assert saved_deal.amount == 15000 and saved_deal.next_step is None


async def test_a_form_opened_on_an_old_copy_starts_from_the_stored_version(
    monkeypatch: pytest.MonkeyPatch, two_databases: tuple[Database, Database, Seeded]
) -> None:
    first, second, seeded = two_databases
    stale = contacts.get_contact(second, seeded.jana)
    contacts.update_contact(first, seeded.jana, stale.tracking.version, title="CEO")
    async with two_apps(first, second) as (_app1, _p1, app2, p2):
        await app2.push_screen(ContactForm(stale))
        form = app2.screen
        assert form.query_one("#title", Input).value == "CEO"
        form.query_one("#city", Input).value = "Leipzig"
        await p2.press("ctrl+s")
        await p2.pause()
        assert not isinstance(app2.screen, ConflictScreen), "nothing to resolve"
    saved = contacts.get_contact(first, seeded.jana)
    assert (saved.title, saved.address.city) == ("CEO", "Leipzig")


async def test_every_edit_form_reads_back_what_it_shows(tui_db: Database, seeded: Seeded) -> None:
    """Right after opening, each edit form's fields hold exactly ``field_values`` of its record:
    otherwise a field the user never touched would count as "mine" in a conflict."""
    from smallcrm.screens.appointment_form import AppointmentForm
    from smallcrm.screens.interaction_form import InteractionForm
    from smallcrm.store import interactions

    app = make_app(tui_db, now=NOW, live_interval=None)
    async with app.run_test(size=SIZE) as pilot:
        forms = [
            ContactForm(contacts.get_contact(tui_db, seeded.jana)),
            AccountForm(accounts.get_account(tui_db, seeded.acme)),
            InteractionForm(interactions.get_interaction(tui_db, seeded.renewal_call)),
            OpportunityForm(seeded.deal),
            AppointmentForm(seeded.demo),
        ]
        for form in forms:
            await app.push_screen(form)
            await pilot.pause()
            record = form.edited_record()
            expected = form.field_values(record)
            assert form.read_fields(list(expected)) == expected, type(form).__name__
            assert form.RECORD_KIND and form.since_entry > 0
            form.dismiss(None)
            await pilot.pause()


async def test_appointment_conflict_keeps_mine_and_their_other_fields(
    monkeypatch: pytest.MonkeyPatch, two_databases: tuple[Database, Database, Seeded]
) -> None:
    from smallcrm.screens.appointment_form import AppointmentForm
    from smallcrm.store import appointments

    first, second, seeded = two_databases
    async with two_apps(first, second) as (_app1, _p1, app2, p2):
        await app2.push_screen(AppointmentForm(seeded.demo))
        form = app2.screen
        demo = appointments.get_appointment(first, seeded.demo)
        monkeypatch.setenv("SMALLCRM_USER", "ana")
        appointments.update_appointment(
            first, seeded.demo, demo.tracking.version, location="Room 2", notes="Bring slides"
        )
        monkeypatch.setenv("SMALLCRM_USER", "bob")
        form.query_one("#location", Input).value = "Room 5"
        await p2.press("ctrl+s")
        await p2.pause()
        screen = app2.screen
        assert isinstance(screen, ConflictScreen)
        rows = {row[0]: row[1:] for row in table_rows(screen)}
        assert rows["⚠ Location"][:3] == ["Acme office", "Room 5", "Room 2"]
        assert rows["Notes"][:3] == ["(empty)", "(empty)", "Bring slides"]
        await p2.press("m")
        await p2.pause()
    saved = appointments.get_appointment(first, seeded.demo)
    assert (saved.location, saved.notes) == ("Room 5", "Bring slides")
