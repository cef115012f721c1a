"""Reminder times across daylight-saving changes, in several zones, whatever the machine's
zone: a series' reminder comes its minutes before each occurrence on the series' own clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smallcrm.store import appointments, clock, reminders
from smallcrm.store.db import Database
from tests.machine_zones import MACHINE_ZONES, machine_zone

ZONES = ("Europe/Berlin", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "UTC")


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    zone=st.sampled_from(ZONES),
    business=st.sampled_from(ZONES),
    first=st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 12, 1)),
    hour=st.integers(min_value=0, max_value=23),
    minutes=st.sampled_from([0, 5, 15, 60, 24 * 60]),
    week=st.integers(min_value=0, max_value=60),
)
def test_weekly_series_reminds_on_its_own_clock(
    db: Database,
    monkeypatch: pytest.MonkeyPatch,
    zone: str,
    business: str,
    first: date,
    hour: int,
    minutes: int,
    week: int,
) -> None:
    monkeypatch.setenv("SMALLCRM_TIMEZONE", business)
    tz = ZoneInfo(zone)
    start = clock.local_datetime(datetime.combine(first, time(hour, 30)), tz)
    made = appointments.create_appointment(
        db, title="Weekly", starts_at=start, rrule="FREQ=WEEKLY", reminder_minutes=minutes,
        time_zone=zone, owner=f"u{week}-{first}-{hour}-{zone}-{minutes}",
    )  # fmt: skip
    occurs = clock.local_datetime(
        datetime.combine(first + timedelta(weeks=week), time(hour, 30)), tz
    )
    due_at = occurs - timedelta(minutes=minutes)
    user = made.owner or ""
    found = reminders.due(db, user, due_at)
    mine = [r for r in found if r.record_id == made.id]
    assert [r.starts_at for r in mine][-1:] == [occurs]
    assert mine[-1].due_at == due_at
    assert mine[-1].due_at.utcoffset() == clock.local(due_at).utcoffset()  # business zone
    assert [
        r for r in reminders.due(db, user, due_at - timedelta(seconds=1)) if r.starts_at == occurs
    ] == []


@pytest.mark.parametrize("machine", MACHINE_ZONES)
def test_follow_up_time_is_the_business_clock_on_any_machine(
    db: Database, monkeypatch: pytest.MonkeyPatch, machine: str
) -> None:
    from smallcrm.store import contacts, interactions

    monkeypatch.setenv("SMALLCRM_TIMEZONE", "Europe/Berlin")
    with machine_zone(machine):
        jana = contacts.create_contact(db, first_name="Jana", last_name="Novak")
        interactions.log_interaction(
            db, kind="call", subject="x", happened_at=datetime(2026, 3, 28, 9, tzinfo=UTC),
            follow_up_on=date(2026, 3, 29), contact_id=jana.id,
        )  # fmt: skip
        # 2026-03-29 is the spring change in Berlin: 09:00 there is 07:00 UTC
        at = datetime(2026, 3, 29, 7, tzinfo=UTC)
        assert reminders.due(db, "tester", at - timedelta(seconds=1)) == []
        [found] = reminders.due(db, "tester", at)
        assert found.due_at == at
        assert found.expires_at == datetime(2026, 3, 29, 22, tzinfo=UTC)
