"""The app keeps pace with typing and starts fast: one frame per search keystroke, one read of
the first list, and nothing before the first frame that can come after it."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets._footer import FooterKey
from tui_data import NOW, SIZE, Seeded, app_for

import smallcrm
from smallcrm.app import CrmApp, make_app
from smallcrm.screens.contacts import ContactsScreen
from smallcrm.store import reminders
from smallcrm.store.db import Database
from smallcrm.store.listing import ListQuery
from smallcrm.widgets import search_bar
from smallcrm.widgets.search_bar import SearchBar, SearchResults

pytest_plugins = ["tui_fixtures"]  # The fixed clock and the seeded database.

Frame = tuple[str, str]  # (the search bar's text, the text the hits shown are for)


def record_frames(app: CrmApp) -> list[Frame]:
    """What each frame drawn from now on showed of the search."""
    frames: list[Frame] = []
    display = app._display
    bar = app.screen.query_one(SearchBar)
    results = app.screen.query_one(SearchResults)

    def recorded(screen: object, renderable: object) -> None:
        display(screen, renderable)  # type: ignore[arg-type]
        frames.append((bar.value, results.query_text))

    app._display = recorded  # type: ignore[method-assign]
    return frames


async def type_slowly(app: CrmApp, pilot: Pilot[object], text: str) -> None:
    for char in text:
        await pilot.press(char)
        await app.workers.wait_for_complete()
        await pilot.pause()


async def test_a_typed_letter_and_its_hits_are_drawn_in_one_frame(
    tui_db: Database, seeded: Seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    # However slow the machine, the letter waits for its hits here.
    monkeypatch.setattr(search_bar, "HOLD_SECONDS", 30.0, raising=False)
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+f")
        await pilot.pause()
        frames = record_frames(app)
        await type_slowly(app, pilot, "jana")
        typed = [frame for frame in frames if frame[0]]
        assert {value for value, _shown in typed} == {"j", "ja", "jan", "jana"}
        # Never a letter on screen without its hits (the frame before them used to be drawn).
        assert all(value == shown for value, shown in typed), typed
        assert app._batch_count == 0, "the screen's updates are not held any more"


async def test_the_hold_starts_with_the_keystroke_itself(tui_db: Database, seeded: Seeded) -> None:
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+f")
        await pilot.pause()
        bar = app.screen.query_one(SearchBar)
        bar.insert_text_at_cursor("j")  # what a key does
        # Held already, before the bar redraws itself: no frame with the letter alone.
        assert app._batch_count == 1
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app._batch_count == 0
        assert app.screen.query_one(SearchResults).query_text == "j"


async def test_a_slow_search_shows_the_letter_first(
    tui_db: Database, seeded: Seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search_bar, "HOLD_SECONDS", 0.05, raising=False)
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        bar = app.screen.query_one(SearchBar)
        find = bar.find

        def slow(text: str) -> list:  # type: ignore[type-arg]
            time.sleep(0.5)
            return find(text)

        bar.find = slow
        await pilot.press("ctrl+f")
        await pilot.pause()
        frames = record_frames(app)
        await type_slowly(app, pilot, "j")
        assert ("j", "") in frames, "the letter was drawn while the search still ran"
        assert frames[-1] == ("j", "j")
        assert app._batch_count == 0


async def test_the_first_screen_reads_its_list_once(
    tui_db: Database, seeded: Seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads: list[ListQuery] = []
    fetch = ContactsScreen.fetch

    def counted(self: ContactsScreen, query: ListQuery):  # type: ignore[no-untyped-def]
        reads.append(query)
        return fetch(self, query)

    monkeypatch.setattr(ContactsScreen, "fetch", counted)
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert len(reads) == 1, "shown for the first time: read once, not again on resume"
        await pilot.press("enter")  # a contact's page on top
        await pilot.pause()
        await pilot.press("escape")  # back: the list may have changed meanwhile
        await pilot.pause()
        assert isinstance(app.screen, ContactsScreen)
        assert len(reads) == 2


async def test_the_footer_keeps_its_keys_while_the_bindings_stay_the_same(
    tui_db: Database, seeded: Seeded
) -> None:
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        keys = list(app.screen.query(FooterKey))
        assert keys and all(key.has_class("-compact") for key in keys)
        assert any(key.description == "New" for key in keys)
        screen = app.screen
        assert isinstance(screen, ContactsScreen)
        screen.reload()  # re-reads the list and refreshes the bindings: the same keys
        await pilot.pause()
        await pilot.pause()
        assert list(app.screen.query(FooterKey)) == keys, "not rebuilt"
        screen.apply_filters(ListQuery(owner="nobody"))  # now x clears the filter
        await pilot.pause()
        await pilot.pause()
        shown = [key.description for key in app.screen.query(FooterKey)]
        assert "Clear filters" in shown and "Clear filters" not in [k.description for k in keys]


async def test_reminders_are_looked_up_off_the_ui_thread(
    tui_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    # At 100,000 appointments a look takes 0.3-0.7 s: on the UI thread, keys waited for it.
    threads: list[threading.Thread] = []
    upcoming = reminders.upcoming

    def traced(*args: object, **kwargs: object) -> list[reminders.Reminder]:
        threads.append(threading.current_thread())
        return upcoming(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(reminders, "upcoming", traced)
    app = make_app(tui_db, now=NOW, live_interval=0.05)
    async with app.run_test(size=SIZE):
        for _ in range(60):
            await asyncio.sleep(0.05)
            if threads:
                break
        await app.workers.wait_for_complete()
    assert threads, "the app looked for due reminders"
    assert threading.main_thread() not in threads


PROBE = """
import json, sys
from pathlib import Path
import smallcrm.app
from smallcrm.app import CrmApp
from smallcrm.store.db import open_database

class Probe(CrmApp):
    CSS_PATH = str(Path(smallcrm.app.__file__).with_name("app.tcss"))

    def on_ready(self):
        print(json.dumps({"modules": sorted(sys.modules), "screen": type(self.screen).__name__}))
        self.exit()

Probe(open_database(sys.argv[1])).run(headless=True, size=(80, 24))
"""


def test_the_first_frame_waits_for_nothing_it_does_not_show(db_path: Path | str) -> None:
    # The first-run questions, an unsaved form's offer, the database's permissions, the
    # reminders and the date parser come after the first frame; the list's hidden "Updated"
    # column needs no time zone, so the settings file is not read before it either.
    env = {**os.environ, "PYTHONPATH": str(Path(smallcrm.__file__).parent.parent)}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(db_path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=True,
    )
    shown = json.loads(done.stdout.strip().splitlines()[-1])
    assert shown["screen"] == "ContactsScreen"
    loaded = set(shown["modules"])
    later = {
        "smallcrm.screens.first_run",
        "smallcrm.screens.draft_offer",
        "smallcrm.store.team",
        "smallcrm.store.reminders",
        "smallcrm.store.dates",
        "smallcrm.store.settings",
        "tomllib",
    }
    assert not loaded & later, sorted(loaded & later)
