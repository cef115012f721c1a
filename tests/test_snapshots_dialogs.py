"""Snapshots of the dialogs and tools at 80x24, each opened with the keys a user presses, on the
seeded data and the fixed clock: the won/lost reason, the delete confirmation, the duplicates
screen and the merge form, the import screen's preview and the past imports, the erase
confirmation, the export of a person's data, the choice between appointments at one time and
the conflict screen.

Update after an intended change with ``pytest tests/test_snapshots_dialogs.py
--snapshot-update`` and look at the new SVGs before committing them.
"""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from test_tui_conflict import type_into
from test_tui_duplicates import twin_of_jana
from test_tui_import import FIXTURES
from textual.pilot import Pilot
from tui_data import NOW, Seeded, app_for, snapshot

from smallcrm.app import make_app
from smallcrm.screens.contact_form import ContactForm
from smallcrm.screens.merge_form import MergeForm
from smallcrm.store import appointments, contacts
from smallcrm.store.db import Database
from smallcrm.store.io import common, import_file

pytest_plugins = ["tui_fixtures"]  # The fixed clock, the seeded database, two connections.

JANA = ("f2", "end", "enter")  # Jana Novak comes last by name: her view
PROPOSAL = ("f5", "right", "right")  # the board's column with the seeded deal


def test_won_reason(snap_compare, tui_db: Database, seeded: Seeded) -> None:  # noqa: ANN001
    assert snapshot(snap_compare, app_for(tui_db), *PROPOSAL, "w", *"Best fit")


def test_lost_reason(snap_compare, tui_db: Database, seeded: Seeded) -> None:  # noqa: ANN001
    assert snapshot(snap_compare, app_for(tui_db), *PROPOSAL, "x")


def test_delete_confirmation(snap_compare, tui_db: Database, seeded: Seeded) -> None:  # noqa: ANN001
    assert snapshot(snap_compare, app_for(tui_db), "d")  # Olivia Brown comes first by name


def test_duplicates(snap_compare, tui_db: Database, seeded: Seeded) -> None:  # noqa: ANN001
    twin_of_jana(tui_db)
    assert snapshot(snap_compare, app_for(tui_db), "m")


def test_merge_form(snap_compare, tui_db: Database, seeded: Seeded) -> None:  # noqa: ANN001
    twin_of_jana(tui_db)
    app = app_for(tui_db)

    async def keep_jana(pilot: Pilot[object]) -> None:
        await pilot.press("m")
        await app.workers.wait_for_complete()
        await pilot.press("enter")
        assert isinstance(app.screen, MergeForm)
        if app.screen.keep[0] != seeded.jana:
            await pilot.press("w")  # keep the seeded record, merge the twin into it

    assert snapshot(snap_compare, app, before=keep_jana)


def test_import_preview(
    snap_compare,  # noqa: ANN001
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    tui_db: Database,
    seeded: Seeded,
) -> None:
    # The file typed as a name in the folder the app runs in, so the picture holds no
    # machine's path; and a fixed quarter second for the dry run, so its rate holds still.
    folder = tmp_path / "files"
    folder.mkdir()
    shutil.copy(FIXTURES / "google_contacts.csv", folder)
    monkeypatch.chdir(folder)
    monkeypatch.setattr(common.Clock, "seconds", lambda self: 0.25)
    keys = ["i", *"google_contacts.csv", "enter"]
    assert snapshot(snap_compare, app_for(tui_db), *keys)


def test_past_imports(
    snap_compare,  # noqa: ANN001
    monkeypatch: pytest.MonkeyPatch,
    tui_db: Database,
    seeded: Seeded,
) -> None:
    monkeypatch.chdir(FIXTURES)
    import_file(tui_db, Path("invalid_rows.csv"), skip_invalid=True)
    assert snapshot(snap_compare, app_for(tui_db), "i", "ctrl+o")


@pytest.mark.sqlite_only  # what it says of backups differs on PostgreSQL
def test_erase_confirmation(snap_compare, tui_db: Database, seeded: Seeded) -> None:  # noqa: ANN001
    assert snapshot(snap_compare, app_for(tui_db), *JANA, "E")


def test_export_person(snap_compare, tui_db: Database, seeded: Seeded) -> None:  # noqa: ANN001
    assert snapshot(snap_compare, app_for(tui_db), *JANA, "x")


def test_occurrence_choice(snap_compare, tui_db: Database, seeded: Seeded) -> None:  # noqa: ANN001
    # Two appointments at 10:00 today, where the week's cursor opens: e asks which one.
    for title in ("Call Max", "Visit Harbor"):
        appointments.create_appointment(
            tui_db, title=title, starts_at=NOW.replace(minute=0), duration=timedelta(hours=1)
        )
    assert snapshot(snap_compare, app_for(tui_db), "f6", "e")


def test_conflict(
    snap_compare,  # noqa: ANN001
    monkeypatch: pytest.MonkeyPatch,
    two_databases: tuple[Database, Database, Seeded],
) -> None:
    """Bob opens Jana's form; Ana saves a new city and title meanwhile; Bob changes the city
    and the phone and saves: the conflict screen."""
    first, second, seeded = two_databases
    app = make_app(second, now=NOW, live_interval=None)

    async def conflict(pilot: Pilot[object]) -> None:
        monkeypatch.setenv("SMALLCRM_USER", "bob")
        await pilot.press(*JANA, "e")
        form = app.screen
        assert isinstance(form, ContactForm)
        monkeypatch.setenv("SMALLCRM_USER", "ana")
        jana = contacts.get_contact(first, seeded.jana)
        changes = {"city": "Hamburg", "title": "Head of Buying"}
        contacts.update_contact(first, jana.id, jana.tracking.version, **changes)
        monkeypatch.setenv("SMALLCRM_USER", "bob")
        type_into(form, city="Munich", phones="+49 89 111222")
        await pilot.press("ctrl+s")

    assert snapshot(snap_compare, app, before=conflict)
