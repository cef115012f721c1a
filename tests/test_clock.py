"""One clock: ``SMALLCRM_NOW`` and ``pin()`` fix "now" for the store, the shell and the app alike;
local times are the business's zone whatever the machine's."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smallcrm.store import clock, contacts
from smallcrm.store.db import Database


def test_the_suite_runs_on_a_pinned_clock() -> None:
    assert clock.now() == datetime(2026, 11, 25, 10, 30, tzinfo=UTC)
    assert clock.today() == date(2026, 11, 25)


def test_records_are_stamped_by_the_one_clock(db: Database) -> None:
    jana = contacts.create_contact(db, name="Jana Novak")
    assert jana.tracking.created_at == datetime(2026, 11, 25, 10, 30, tzinfo=UTC)
    clock.pin(datetime(2027, 1, 2, 3, 4, tzinfo=UTC))
    changed = contacts.update_contact(db, jana.id, None, title="Buyer")
    assert changed.tracking.updated_at == datetime(2027, 1, 2, 3, 4, tzinfo=UTC)


def test_a_naive_now_is_read_in_the_business_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMALLCRM_TIMEZONE", "Europe/Berlin")
    monkeypatch.setenv("SMALLCRM_NOW", "2026-07-01T09:00")
    assert clock.now() == datetime(2026, 7, 1, 9, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    assert clock.now_utc() == datetime(2026, 7, 1, 7, 0, tzinfo=UTC)


def test_a_bad_now_is_named() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "smallcrm.cli", "today"],
        env={**os.environ, "SMALLCRM_NOW": "yesterday-ish"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "SMALLCRM_NOW: 'yesterday-ish' is not a date and time" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("machine", ["UTC", "America/New_York", "Asia/Kolkata", "Pacific/Chatham"])
def test_the_machines_zone_does_not_move_the_business_day(
    monkeypatch: pytest.MonkeyPatch, machine: str
) -> None:
    monkeypatch.setenv("TZ", machine)
    time.tzset()
    try:
        monkeypatch.setenv("SMALLCRM_TIMEZONE", "Europe/Berlin")
        monkeypatch.setenv("SMALLCRM_NOW", "2026-11-25T23:30:00+00:00")
        assert clock.today() == date(2026, 11, 26), "already Thursday in Berlin"
        assert clock.day_bounds(date(2026, 11, 26))[0] == datetime(2026, 11, 25, 23, 0, tzinfo=UTC)
    finally:
        monkeypatch.undo()
        time.tzset()


def test_without_a_setting_the_machines_zone_counts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SMALLCRM_TIMEZONE")
    monkeypatch.setenv("TZ", "Asia/Kolkata")
    assert clock.zone_name() == "Asia/Kolkata"


@given(
    st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2100, 1, 1)),
    st.sampled_from(["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "UTC"]),
)
def test_a_wall_clock_time_always_names_a_real_instant(naive: datetime, name: str) -> None:
    zone = ZoneInfo(name)
    aware = clock.local_datetime(naive, zone)
    back = aware.astimezone(UTC).astimezone(zone)
    assert back.replace(tzinfo=None) == aware.replace(tzinfo=None), "a time that exists"
    assert timedelta(0) <= aware.replace(tzinfo=None) - naive <= timedelta(hours=1), (
        "a time in a spring gap moves on by the gap, never back"
    )


@pytest.mark.one_database  # the clock is read the same way whichever database is open
def test_the_suite_passes_a_year_ahead_on_the_machines_clock() -> None:
    """No test reads the real clock: the ones about dates pass with the machine a year on."""
    faketime = "/usr/bin/faketime"
    if not os.path.exists(faketime):
        pytest.skip("faketime is not installed")
    result = subprocess.run(
        [faketime, "-f", "+365d", sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "tests/test_cli.py", "-k", "today or log or follow"],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parent.parent,  # whatever folder another test left us in
        env={k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")},
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-2000:]
