"""Snapshots of the forms at 80x24, each opened with the keys a user presses, on the seeded data
and the fixed clock: the record forms (new and edit), the log form, the appointment form (new,
and with a repeat rule), the three filter forms, a field the store rejected and the first-run
questions. (The new-contact form with an error is in test_tui_snapshots.py.)

Update after an intended change with ``pytest tests/test_snapshots_forms.py --snapshot-update``
and look at the new SVGs before committing them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tui_data import Seeded, app_for, snapshot

from smallcrm.store import settings
from smallcrm.store.db import Database

pytest_plugins = ["tui_fixtures"]  # The fixed clock and the seeded database.

JANA = ("f2", "end", "enter")  # Jana Novak comes last by name: her view


def test_contact_form_edit(snap_compare, tui_db: Database, seeded: Seeded) -> None:  # noqa: ANN001
    assert snapshot(snap_compare, app_for(tui_db), *JANA, "e")


def test_account_form_edit(snap_compare, tui_db: Database, seeded: Seeded) -> None:  # noqa: ANN001
    assert snapshot(snap_compare, app_for(tui_db), "f3", "enter", "e")  # Acme GmbH


def test_deal_form_new(snap_compare, tui_db: Database, seeded: Seeded) -> None:  # noqa: ANN001
    # In the board's second column: the new deal starts as qualified.
    assert snapshot(snap_compare, app_for(tui_db), "f5", "right", "n", *"Pilot")


def test_deal_form_with_error(snap_compare, tui_db: Database, seeded: Seeded) -> None:  # noqa: ANN001
    # Saved without a name: the store's error shows on the name field.
    assert snapshot(snap_compare, app_for(tui_db), "f5", "n", "ctrl+s")


def test_log_form(snap_compare, tui_db: Database, seeded: Seeded) -> None:  # noqa: ANN001
    keys = [*JANA, "l", *"Agreed on the new price"]
    assert snapshot(snap_compare, app_for(tui_db), *keys)


def test_appointment_form_new(snap_compare, tui_db: Database, seeded: Seeded) -> None:  # noqa: ANN001
    # The week opens at 10:00 today: the new appointment starts there.
    assert snapshot(snap_compare, app_for(tui_db), "f6", "n", *"Lunch with Max")


def test_appointment_form_repeating(snap_compare, tui_db: Database, seeded: Seeded) -> None:  # noqa: ANN001
    keys = [
        *("f6", "right", "down", "down", "down", "down", "n"),  # Thu 26, 14:00
        *"Sync",
        *("tab",) * 5,  # start, duration, all day, location, repeat
        *("enter", *("down",) * 7, "enter"),  # Repeat: the custom rule
        *("tab", "tab"),  # reminder, the rule
        *"FREQ=WEEKLY;BYDAY=MO,TH;COUNT=10",
    ]
    assert snapshot(snap_compare, app_for(tui_db), *keys)


def test_contacts_filter(snap_compare, tui_db: Database, seeded: Seeded) -> None:  # noqa: ANN001
    assert snapshot(snap_compare, app_for(tui_db), "f", *"tester")


def test_interactions_filter(snap_compare, tui_db: Database, seeded: Seeded) -> None:  # noqa: ANN001
    assert snapshot(snap_compare, app_for(tui_db), "f4", "f")


def test_pipeline_filter(snap_compare, tui_db: Database, seeded: Seeded) -> None:  # noqa: ANN001
    assert snapshot(snap_compare, app_for(tui_db), "f5", "f")


def test_first_run(
    snap_compare,  # noqa: ANN001
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    tui_db: Database,
    seeded: Seeded,
) -> None:
    # No settings saved yet, and a locale that names no country: the app asks.
    monkeypatch.setenv("SMALLCRM_CONFIG", str(tmp_path / "missing" / "config.toml"))
    monkeypatch.delenv("SMALLCRM_PHONE_REGION")
    monkeypatch.setenv("LANG", "C.UTF-8")
    settings.reload()
    assert snapshot(snap_compare, app_for(tui_db), *"de")
