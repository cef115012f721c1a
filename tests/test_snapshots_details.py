"""Snapshots of the record views at 80x24, each opened from its list with the keys a user
presses, on the seeded data and the fixed clock: account, deal, interaction, appointment (its
view is its form) and a record's history. (The contact's view is in test_tui_snapshots.py.)

Update after an intended change with ``pytest tests/test_snapshots_details.py
--snapshot-update`` and look at the new SVGs before committing them.
"""

from __future__ import annotations

import pytest
from tui_data import Seeded, app_for, snapshot

from smallcrm.store import contacts
from smallcrm.store.db import Database

pytest_plugins = ["tui_fixtures"]  # The fixed clock and the seeded database.


def test_account_detail(snap_compare, tui_db: Database, seeded: Seeded) -> None:  # noqa: ANN001
    assert snapshot(snap_compare, app_for(tui_db), "f3", "enter")  # Acme GmbH comes first


def test_deal_detail(snap_compare, tui_db: Database, seeded: Seeded) -> None:  # noqa: ANN001
    # The board's third column is "proposal", where the seeded deal is.
    assert snapshot(snap_compare, app_for(tui_db), "f5", "right", "right", "enter")


def test_interaction_detail(snap_compare, tui_db: Database, seeded: Seeded) -> None:  # noqa: ANN001
    # Newest first: the call with its follow-up.
    assert snapshot(snap_compare, app_for(tui_db), "f4", "enter")


def test_appointment_view(snap_compare, tui_db: Database, seeded: Seeded) -> None:  # noqa: ANN001
    # The week opens at 10:00 on Wednesday; the demo is on Friday at 14:00.
    keys = ["f6", "right", "right", *["down"] * 4, "enter"]
    assert snapshot(snap_compare, app_for(tui_db), *keys)


def test_contact_history(
    snap_compare,  # noqa: ANN001
    monkeypatch: pytest.MonkeyPatch,
    tui_db: Database,
    seeded: Seeded,
) -> None:
    jana = contacts.get_contact(tui_db, seeded.jana)
    monkeypatch.setenv("SMALLCRM_USER", "ana")
    jana = contacts.update_contact(tui_db, jana.id, jana.tracking.version, city="Hamburg")
    monkeypatch.setenv("SMALLCRM_USER", "bob")
    contacts.update_contact(tui_db, jana.id, jana.tracking.version, title="Head of Buying")
    # Jana Novak comes last by name.
    assert snapshot(snap_compare, app_for(tui_db), "end", "enter", "h")
