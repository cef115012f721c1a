"""Snapshots of the key screens at 80x24, on fixed data with a fixed clock.

Update after an intended change with ``pytest tests/test_tui_snapshots.py --snapshot-update``
and look at the new SVGs before committing them.
"""

from __future__ import annotations

from tui_data import SIZE, app_for, press_steady, seed

from smallcrm.store.db import Database

pytest_plugins = ["tui_fixtures"]  # The fixed clock and the seeded database.


def test_contacts_list(snap_compare, tui_db: Database) -> None:  # noqa: ANN001
    seed(tui_db, extra_people=30)
    assert snap_compare(app_for(tui_db), terminal_size=SIZE, press=["j", "j"])


def test_contact_detail(snap_compare, tui_db: Database) -> None:  # noqa: ANN001
    ids = seed(tui_db)
    app = app_for(tui_db)

    async def open_jana(pilot) -> None:  # noqa: ANN001
        app.open_record("contact", ids.jana)
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=open_jana)


def test_help_overlay(snap_compare, tui_db: Database) -> None:  # noqa: ANN001
    seed(tui_db)

    async def open_help(pilot) -> None:  # noqa: ANN001
        await press_steady(pilot, "f1")

    assert snap_compare(app_for(tui_db), terminal_size=SIZE, run_before=open_help)


def test_contact_form_with_error(snap_compare, tui_db: Database) -> None:  # noqa: ANN001
    seed(tui_db)
    keys = ["n", *"Lena", "tab", *"Schulz", "tab", "tab", "tab", "tab", *"lena-at", "ctrl+s"]

    async def fill_in(pilot) -> None:  # noqa: ANN001
        await press_steady(pilot, *keys)

    assert snap_compare(app_for(tui_db), terminal_size=SIZE, run_before=fill_in)


def test_empty_database(snap_compare, tui_db: Database) -> None:  # noqa: ANN001
    assert snap_compare(app_for(tui_db), terminal_size=SIZE)
