"""Snapshots of F1's help at 80x24 over a record's view, a form, the pipeline and the calendar,
each opened with the keys a user presses, on the seeded data and the fixed clock. (The help over
the contacts list is in test_tui_snapshots.py.)

Update after an intended change with ``pytest tests/test_snapshots_help.py --snapshot-update``
and look at the new SVGs before committing them.
"""

from __future__ import annotations

from tui_data import Seeded, app_for, snapshot

from smallcrm.store.db import Database

pytest_plugins = ["tui_fixtures"]  # The fixed clock and the seeded database.


def test_help_on_a_contact(snap_compare, tui_db: Database, seeded: Seeded) -> None:  # noqa: ANN001
    # Jana Novak comes last by name.
    assert snapshot(snap_compare, app_for(tui_db), "end", "enter", "f1")


def test_help_on_a_form(snap_compare, tui_db: Database, seeded: Seeded) -> None:  # noqa: ANN001
    assert snapshot(snap_compare, app_for(tui_db), "n", "f1")


def test_help_on_the_calendar(snap_compare, tui_db: Database, seeded: Seeded) -> None:  # noqa: ANN001
    assert snapshot(snap_compare, app_for(tui_db), "f6", "f1")


def test_help_on_the_pipeline(snap_compare, tui_db: Database, seeded: Seeded) -> None:  # noqa: ANN001
    assert snapshot(snap_compare, app_for(tui_db), "f5", "f1")
