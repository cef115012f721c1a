"""Snapshots of the main screens at 80x24, each opened with its key, on the seeded data and the
fixed clock: the lists, the pipeline's table, the calendar's agenda, the search drop-down and
the command palette. (The contacts list is in test_tui_snapshots.py, the pipeline board and
the calendar's week and month with their tests.)

Update after an intended change with ``pytest tests/test_snapshots_screens.py
--snapshot-update`` and look at the new SVGs before committing them.
"""

from __future__ import annotations

from datetime import timedelta

from test_tui_pipeline import add_deals
from tui_data import NOW, Seeded, app_for, snapshot

from smallcrm.store import appointments
from smallcrm.store.db import Database

pytest_plugins = ["tui_fixtures"]  # The fixed clock and the seeded database.


def test_accounts_list(snap_compare, tui_db: Database, seeded: Seeded) -> None:  # noqa: ANN001
    assert snapshot(snap_compare, app_for(tui_db), "f3")


def test_interactions_list(snap_compare, tui_db: Database, seeded: Seeded) -> None:  # noqa: ANN001
    assert snapshot(snap_compare, app_for(tui_db), "f4")


def test_pipeline_table(snap_compare, tui_db: Database, seeded: Seeded) -> None:  # noqa: ANN001
    add_deals(tui_db, seeded.acme)
    assert snapshot(snap_compare, app_for(tui_db), "f5", "v")


def test_calendar_agenda(snap_compare, tui_db: Database, seeded: Seeded) -> None:  # noqa: ANN001
    monday = NOW.replace(hour=9, minute=0) - timedelta(days=2)
    appointments.create_appointment(
        tui_db,
        title="Standup",
        starts_at=monday,
        duration=timedelta(minutes=15),
        rrule="FREQ=WEEKLY;BYDAY=MO,WE,FR",
    )
    appointments.create_appointment(
        tui_db,
        title="Trade fair",
        starts_at=NOW.replace(hour=0, minute=0) + timedelta(days=7),
        duration=timedelta(days=2),
        all_day=True,
    )
    assert snapshot(snap_compare, app_for(tui_db), "f6", "a")


def test_search_drop_down(snap_compare, tui_db: Database, seeded: Seeded) -> None:  # noqa: ANN001
    assert snapshot(snap_compare, app_for(tui_db), "ctrl+f", *"acme")


def test_command_palette(snap_compare, tui_db: Database, seeded: Seeded) -> None:  # noqa: ANN001
    # A word typed: before that the palette lists Textual's commands and ours in the order
    # their providers happen to answer, which differs from run to run.
    assert snapshot(snap_compare, app_for(tui_db), "ctrl+p", *"log")
