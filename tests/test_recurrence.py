"""Appointment time: each appointment's own zone, all-day days, UNTIL, skipped and extra dates.

Every test here gives the same answer whatever the machine's zone: the key ones run under
TZ=UTC, Europe/Berlin, America/New_York and Asia/Kolkata.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from machine_zones import MACHINE_ZONES, machine_zone

from smallcrm.store import appointments, clock, settings
from smallcrm.store.db import Database
from smallcrm.store.errors import ValidationError

NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture(params=MACHINE_ZONES)
def machine(request: pytest.FixtureRequest) -> Iterator[str]:
    """Each of the four machine zones in turn."""
    with machine_zone(request.param):
        yield request.param


def business(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """The business's zone (the ``timezone`` setting) is ``name`` from now on."""
    monkeypatch.setenv("SMALLCRM_TIMEZONE", name)
    settings.reload()


def span(day: date) -> tuple[datetime, datetime]:
    return appointments.day_bounds(day)


def starts(db: Database, first: date, last: date) -> list[datetime]:
    start, _ = span(first)
    _, end = span(last)
    return [o.starts_at for o in appointments.occurrences(db, start, end)]


# --- a series repeats on its own zone's clock ---------------------------------------------------


@pytest.mark.parametrize("shown_in", ["UTC", "Europe/Berlin", "Asia/Kolkata"])
def test_a_new_york_weekly_meeting_stays_at_nine_new_york_time_across_both_changes(
    db: Database, machine: str, shown_in: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    business(monkeypatch, shown_in)
    appointments.create_appointment(
        db,
        title="NY weekly",
        starts_at=datetime(2026, 3, 2, 9, tzinfo=NEW_YORK),
        duration=timedelta(hours=1),
        rrule="FREQ=WEEKLY",
        time_zone="America/New_York",
    )
    found = starts(db, date(2026, 3, 1), date(2026, 11, 30))
    assert len(found) == 40
    assert {s.astimezone(NEW_YORK).strftime("%a %H:%M") for s in found} == {"Mon 09:00"}
    offsets = {s.astimezone(UTC).hour for s in found}
    assert offsets == {14, 13}  # 09:00 EST, then 09:00 EDT after 8 March, EST after 1 November
    assert all(s.tzinfo is not None and s.utcoffset() == clock.local(s).utcoffset() for s in found)


def test_new_appointments_get_the_business_zone_and_keep_it(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    business(monkeypatch, "Europe/Berlin")
    meeting = appointments.create_appointment(
        db, title="Stand-up", starts_at=clock.at(date(2026, 12, 1)), rrule="FREQ=DAILY"
    )
    assert meeting.time_zone == "Europe/Berlin"
    business(monkeypatch, "America/New_York")
    edited = appointments.update_appointment(db, meeting.id, None, title="Daily stand-up")
    assert edited.time_zone == "Europe/Berlin"
    with pytest.raises(ValidationError, match="time zone"):
        appointments.update_appointment(db, meeting.id, None, time_zone="Mars/Olympus")


def test_gaps_and_repeated_hours_follow_rfc_5545(db: Database, machine: str) -> None:
    """02:30 does not exist on 8 March 2026 in New York: that occurrence is at 03:30 EDT.
    01:30 happens twice on 1 November: the occurrence is the first (EDT)."""
    appointments.create_appointment(
        db,
        title="Night",
        starts_at=datetime(2026, 3, 7, 2, 30, tzinfo=NEW_YORK),
        rrule="FREQ=DAILY;COUNT=3",
        time_zone="America/New_York",
    )
    appointments.create_appointment(
        db,
        title="Early",
        starts_at=datetime(2026, 10, 31, 1, 30, tzinfo=NEW_YORK),
        rrule="FREQ=DAILY;COUNT=2",
        time_zone="America/New_York",
    )
    found = starts(db, date(2026, 3, 1), date(2026, 11, 30))
    assert [s.astimezone(UTC).strftime("%m-%d %H:%M") for s in found] == [
        "03-07 07:30",
        "03-08 07:30",  # 03:30 EDT: the wall time moved on by the gap
        "03-09 06:30",
        "10-31 05:30",
        "11-01 05:30",  # 01:30 EDT, the first of the two
    ]


# --- all-day entries are days ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "shown_in", ["UTC", "America/Los_Angeles", "Asia/Kolkata", "Pacific/Kiritimati"]
)
def test_an_all_day_entry_is_on_its_day_in_every_zone(
    db: Database, machine: str, shown_in: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry = appointments.create_appointment(
        db, title="Holiday", starts_at=date(2006, 1, 2), all_day=True
    )
    business(monkeypatch, shown_in)
    again = appointments.get_appointment(db, entry.id)
    assert clock.local(again.starts_at).date() == date(2006, 1, 2)
    assert [o.appointment.id for o in appointments.occurrences(db, *span(date(2006, 1, 2)))] == [
        entry.id
    ]
    assert appointments.occurrences(db, *span(date(2006, 1, 1))) == []
    assert appointments.occurrences(db, *span(date(2006, 1, 3))) == []
    with db.read() as tx:
        stored = tx.scalar("SELECT starts_at FROM appointment WHERE id = :id", id=entry.id)
    assert str(stored).startswith("2006-01-02 00:00:00")  # 00:00 UTC of the day, no zone


def test_an_all_day_date_and_time_names_the_day_written_in_it(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    business(monkeypatch, "America/New_York")
    typed = clock.at(date(2026, 12, 24))  # what the shell and the app pass: local midnight
    entry = appointments.create_appointment(
        db, title="Eve", starts_at=typed, ends_at=typed + timedelta(days=2), all_day=True
    )
    assert clock.local(entry.starts_at).date() == date(2026, 12, 24)
    assert clock.local(entry.ends_at).date() == date(2026, 12, 26)
    # Saving the record back unchanged changes nothing (the conversion is idempotent).
    same = appointments.update_appointment(
        db, entry.id, None, starts_at=entry.starts_at, ends_at=entry.ends_at, all_day=True
    )
    assert same.tracking.version == 1


def test_a_yearly_all_day_series_keeps_its_day(db: Database, machine: str) -> None:
    appointments.create_appointment(
        db,
        title="Birthday",
        starts_at=date(2020, 2, 29),
        all_day=True,
        rrule="FREQ=YEARLY;UNTIL=20280229",
    )
    found = starts(db, date(2020, 1, 1), date(2030, 12, 31))
    assert [clock.local(s).date() for s in found] == [date(2020, 2, 29), date(2024, 2, 29),
                                                       date(2028, 2, 29)]  # fmt: skip


def test_switching_all_day_on_and_off_keeps_the_day(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    business(monkeypatch, "America/Los_Angeles")
    meeting = appointments.create_appointment(
        db, title="Offsite", starts_at=clock.at(date(2026, 12, 3)) + timedelta(hours=22)
    )
    whole = appointments.update_appointment(db, meeting.id, None, all_day=True)
    assert clock.local(whole.starts_at).date() == date(2026, 12, 3)
    back = appointments.update_appointment(db, meeting.id, None, all_day=False)
    assert back.starts_at == clock.at(date(2026, 12, 3))


# --- UNTIL, skipped days and extra dates ---------------------------------------------------------


@pytest.mark.parametrize(
    "until", ["20260323T090000", "20260323", "20260323T130000Z", "20260323T140000Z"]
)
def test_until_keeps_the_last_occurrence(db: Database, machine: str, until: str) -> None:
    """A floating UNTIL is read on the series' own clock, a date means that whole day."""
    meeting = appointments.create_appointment(
        db,
        title="NY weekly",
        starts_at=datetime(2026, 3, 2, 9, tzinfo=NEW_YORK),
        rrule=f"FREQ=WEEKLY;UNTIL={until}",
        time_zone="America/New_York",
    )
    assert meeting.rrule and meeting.rrule.split("UNTIL=")[1][:16].endswith("Z")
    found = starts(db, date(2026, 3, 1), date(2026, 4, 30))
    assert [s.astimezone(NEW_YORK).day for s in found] == [2, 9, 16, 23]


def test_a_skipped_day_removes_that_days_occurrence(db: Database, machine: str) -> None:
    meeting = appointments.create_appointment(
        db,
        title="NY weekly",
        starts_at=datetime(2026, 3, 2, 9, tzinfo=NEW_YORK),
        rrule="FREQ=WEEKLY;COUNT=4",
        time_zone="America/New_York",
        exdates=[date(2026, 3, 9), datetime(2026, 3, 16, 9, tzinfo=NEW_YORK)],
    )
    assert meeting.exdates == (date(2026, 3, 9), datetime(2026, 3, 16, 13, tzinfo=UTC))
    found = starts(db, date(2026, 3, 1), date(2026, 4, 30))
    assert [s.astimezone(NEW_YORK).day for s in found] == [2, 23]


def test_extra_dates_add_occurrences(db: Database, machine: str) -> None:
    appointments.create_appointment(
        db,
        title="Review",
        starts_at=datetime(2026, 3, 2, 9, tzinfo=NEW_YORK),
        duration=timedelta(hours=1),
        rdates=[datetime(2026, 2, 20, 15, tzinfo=NEW_YORK), date(2026, 3, 20)],
        time_zone="America/New_York",
    )
    found = starts(db, date(2026, 2, 1), date(2026, 4, 30))
    assert [s.astimezone(NEW_YORK).strftime("%m-%d %H:%M") for s in found] == [
        "02-20 15:00",  # before the first start: a series with extra dates is always read
        "03-02 09:00",
        "03-20 09:00",  # a day: at the series' time of day
    ]


@pytest.mark.parametrize("shown_in", ["America/New_York", "Asia/Kolkata"])
def test_series_at_the_ends_of_the_calendar_expand_and_export_without_error(
    db: Database, shown_in: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    from smallcrm.store.io import export_records

    business(monkeypatch, shown_in)
    last = appointments.create_appointment(
        db, title="Last", starts_at=date(9999, 12, 31), all_day=True, rrule="FREQ=DAILY"
    )
    late = appointments.create_appointment(
        db,
        title="Late",
        starts_at=clock.at(date(9999, 12, 30)) + timedelta(hours=10),
        duration=timedelta(hours=3),
        rrule="FREQ=DAILY;UNTIL=99991231",
    )
    # (Year 1 cannot be stored in SQLite yet: the first days are tried on a record in memory.)
    first = dataclasses.replace(last, starts_at=datetime(1, 1, 2, tzinfo=UTC), rrule="FREQ=WEEKLY")
    assert str(late.rrule).startswith("FREQ=DAILY;UNTIL=99991231T")
    end = datetime(9999, 12, 31, 23, 59, tzinfo=UTC)
    for item in (last, late):
        assert appointments.expand(item, datetime(9999, 12, 1, tzinfo=UTC), end)
    assert appointments.expand(first, datetime(1, 1, 1, tzinfo=UTC), datetime(1, 2, 1, tzinfo=UTC))
    out = io.StringIO()
    assert export_records(db, "appointments", "ics", out) == 2
    assert "DTSTART;VALUE=DATE:99991231" in out.getvalue()
