"""Drafts of forms: kept while typing, per user, offered back on the next start, gone once the
form is saved or left; a dropped connection (SIGHUP) mid-form loses nothing."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import BACKEND
from textual.widgets import Input
from tui_data import SIZE, Seeded, app_for

from smallcrm.screens.contact_form import ContactForm
from smallcrm.screens.contacts import ContactsScreen
from smallcrm.screens.draft_offer import DraftOfferScreen
from smallcrm.screens.unsaved import UnsavedChangesScreen
from smallcrm.store import contacts, drafts
from smallcrm.store.db import Database

pytest_plugins = ["tui_fixtures"]  # The fixed clock and the seeded database.


def test_a_draft_is_kept_per_user_and_form_and_replaced(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SMALLCRM_USER", "anna")
    drafts.keep(db, "contact:new", "New contact: Zora", {"first_name": "Zora"})
    drafts.keep(db, "contact:new", "New contact: Zora Q", {"first_name": "Zora Q"})
    drafts.keep(db, "opportunity:7", "Edit deal: Big", {"name": "Big", "amount": "12000"})
    mine = drafts.pending(db)
    assert sorted(d.form for d in mine) == ["contact:new", "opportunity:7"]
    zora = next(d for d in mine if d.form == "contact:new")
    assert zora.fields == {"first_name": "Zora Q"} and zora.record_id is None
    deal = next(d for d in mine if d.kind == "opportunity")
    assert deal.record_id == 7
    monkeypatch.setenv("SMALLCRM_USER", "ben")
    assert drafts.pending(db) == [], "another user's drafts are not offered"
    monkeypatch.setenv("SMALLCRM_USER", "anna")
    drafts.discard(db, "contact:new")
    assert [d.form for d in drafts.pending(db)] == ["opportunity:7"]


def test_a_damaged_draft_is_skipped(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMALLCRM_USER", "anna")
    drafts.keep(db, "contact:new", "New contact", {"first_name": "A"})
    with db.write() as tx:
        tx.execute("UPDATE form_draft SET fields = 'not json'")
    assert drafts.pending(db) == []


async def test_typing_is_kept_and_offered_back_on_the_next_start(
    tui_db: Database, seeded: Seeded
) -> None:
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", *"Zora", "tab", *"Quillfeather")
        await pilot.pause(drafts_delay())
        kept = drafts.pending(tui_db)
        assert [d.form for d in kept] == ["contact:new"]
        assert kept[0].title == "New contact: Zora Quillfeather"
    # The app is gone without saving (as with a dropped connection); the next start asks.
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        offer = app.screen
        assert isinstance(offer, DraftOfferScreen)
        assert "Zora Quillfeather" in offer.draft.title
        await pilot.press("c")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, ContactForm)
        assert form.query_one("#first_name", Input).value == "Zora"
        assert form.query_one("#last_name", Input).value == "Quillfeather"
        await pilot.press("ctrl+s")
        await pilot.pause()
        names = [c.name for c in contacts.list_contacts(tui_db).items]
        assert "Zora Quillfeather" in names
        assert drafts.pending(tui_db) == [], "saving forgets the draft"


async def test_discard_later_and_leaving_the_form(tui_db: Database, seeded: Seeded) -> None:
    drafts.keep(tui_db, "contact:new", "New contact: Zora", {"first_name": "Zora"})
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, DraftOfferScreen)
        await pilot.press("escape")  # later: offered again next time
        assert isinstance(app.screen, ContactsScreen)
        assert len(drafts.pending(tui_db)) == 1
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("d")
        assert drafts.pending(tui_db) == []
        # A form typed into and then discarded on purpose leaves no draft either.
        await pilot.press("n", *"Ghost")
        await pilot.pause(drafts_delay())
        assert len(drafts.pending(tui_db)) == 1
        await pilot.press("escape")
        assert isinstance(app.screen, UnsavedChangesScreen)
        await pilot.press("d")
        assert drafts.pending(tui_db) == []


async def test_an_edit_draft_reopens_on_its_record(tui_db: Database, seeded: Seeded) -> None:
    form_key = drafts.form_key("contact", seeded.jana)
    drafts.keep(tui_db, form_key, "Edit contact: Jana", {"title": "Head of Purchasing"})
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("c")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, ContactForm) and form.contact is not None
        assert form.contact.id == seeded.jana
        assert form.query_one("#title", Input).value == "Head of Purchasing"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert contacts.get_contact(tui_db, seeded.jana).title == "Head of Purchasing"


def drafts_delay() -> float:
    """Long enough for the form to have kept what was typed."""
    from smallcrm.screens.drafts import KEEP_AFTER

    return KEEP_AFTER + 0.7


@pytest.mark.slow
@pytest.mark.skipif(BACKEND != "sqlite", reason="reads the draft straight from the file")
def test_a_dropped_connection_keeps_the_form(tmp_path: Path) -> None:
    """The app in a pseudo-terminal, killed by SIGHUP (what sshd sends when the link drops) in
    the middle of a new contact: what was typed is in the database for the next start."""
    import fcntl
    import struct
    import termios

    database = tmp_path / "crm.db"
    config = tmp_path / "config.toml"
    config.write_text('currency = "EUR"\nphone_region = "DE"\ntimezone = "UTC"\n')
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    env.update(TERM="xterm-256color", SMALLCRM_CONFIG=str(config), SMALLCRM_USER="field")
    primary, secondary = os.openpty()
    fcntl.ioctl(secondary, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    app = subprocess.Popen(
        [sys.executable, "-m", "smallcrm.cli", "--db", str(database)],
        stdin=secondary,
        stdout=secondary,
        stderr=secondary,
        env=env,
        start_new_session=True,
        # As in a login session: a test run started under nohup would pass SIGHUP on ignored.
        preexec_fn=lambda: signal.signal(signal.SIGHUP, signal.SIG_DFL),
    )
    os.close(secondary)
    os.set_blocking(primary, False)

    def drain() -> None:
        try:
            while os.read(primary, 65536):
                pass
        except OSError:
            pass

    def kept() -> list[tuple[str, str]]:
        if not database.exists():
            return []
        with sqlite3.connect(database) as con:
            try:
                return con.execute("SELECT form, fields FROM form_draft").fetchall()
            except sqlite3.OperationalError:
                return []

    try:
        deadline = time.monotonic() + 60
        typed = False
        while time.monotonic() < deadline:
            drain()
            if not typed and database.exists():
                time.sleep(3)  # the first screen painted (the file is made on open)
                drain()
                os.write(primary, b"n")
                time.sleep(1.5)
                os.write(primary, b"Zora Quillfeather")
                typed = True
            if kept():
                break
            time.sleep(0.3)
        os.killpg(app.pid, signal.SIGHUP)
        app.wait(timeout=30)
    finally:
        if app.poll() is None:
            app.kill()
        os.close(primary)
    rows = kept()
    assert rows and rows[0][0] == "contact:new"
    assert json.loads(rows[0][1])["first_name"] == "Zora Quillfeather"
