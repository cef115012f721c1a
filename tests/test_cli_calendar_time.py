"""The shell and appointment time: the business's zone for new meetings, all-day days, and a
series from another zone, the same under every machine zone."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from machine_zones import MACHINE_ZONES, machine_zone
from typer.testing import CliRunner, Result

from smallcrm.cli import app
from smallcrm.store import settings

CALENDAR = "\r\n".join(
    [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//test//EN",
        "BEGIN:VEVENT",
        "UID:ny",
        "DTSTART;TZID=America/New_York:20260302T090000",
        "DTEND;TZID=America/New_York:20260302T100000",
        "RRULE:FREQ=WEEKLY;UNTIL=20260323T090000",
        "SUMMARY:NY weekly",
        "END:VEVENT",
        "BEGIN:VEVENT",
        "UID:day",
        "DTSTART;VALUE=DATE:20260323",
        "SUMMARY:Holiday",
        "END:VEVENT",
        "END:VCALENDAR",
        "",
    ]
)


@pytest.fixture(params=MACHINE_ZONES)
def machine(request: pytest.FixtureRequest) -> Iterator[str]:
    with machine_zone(request.param):
        yield request.param


def shell(db: Path, *args: str, zone: str, now: str = "2026-03-23T12:00") -> Result:
    """``smallcrm --db DB ARGS`` for a business in ``zone`` at ``now`` (its local time)."""
    env = {"SMALLCRM_TIMEZONE": zone, "SMALLCRM_NOW": now, "COLUMNS": "120"}
    result = CliRunner().invoke(app, ["--db", str(db), *args], env=env)
    settings.reload()
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture
def imported(db_path: Path, tmp_path: Path) -> Path:
    path = tmp_path / "cal.ics"
    path.write_text(CALENDAR, encoding="utf-8", newline="")
    shell(db_path, "import", str(path), zone="UTC")
    return db_path


@pytest.mark.parametrize(
    ("zone", "meeting"),
    [
        ("America/New_York", "09:00-10:00  NY weekly"),
        ("UTC", "13:00-14:00  NY weekly"),
        ("Asia/Kolkata", "18:30-19:30  NY weekly"),
    ],
)
def test_today_shows_the_series_at_its_own_clock_and_the_holiday_on_its_day(
    imported: Path, machine: str, zone: str, meeting: str
) -> None:
    out = shell(imported, "today", zone=zone).stdout
    assert "  all day  Holiday  [appointment 2]\n" in out
    assert f"  {meeting}  [appointment 1]\n" in out
    listed = shell(imported, "list", "appointments", zone=zone).stdout
    assert "Mon 2026-03-23\t\tHoliday" in listed
    agenda = json.loads(shell(imported, "today", "--json", zone=zone).stdout)["appointments"]
    day = next(a for a in agenda if a["appointment"]["all_day"])
    assert day["starts_at"] == "2026-03-23" and day["appointment"]["starts_at"] == "2026-03-23"


def test_the_day_before_and_after_show_no_holiday(imported: Path, machine: str) -> None:
    for now in ("2026-03-22T23:30", "2026-03-24T00:30"):
        for zone in ("America/Los_Angeles", "Asia/Kolkata"):
            assert "Holiday" not in shell(imported, "today", zone=zone, now=now).stdout


def test_a_new_meeting_gets_the_business_zone_and_keeps_it(db_path: Path, machine: str) -> None:
    made = json.loads(
        shell(db_path, "add", "meeting", "Stand-up", "2026-03-02", "9:00", "--repeat",
              "FREQ=WEEKLY;UNTIL=20260323", "--json", zone="Europe/Berlin").stdout
    )  # fmt: skip
    assert made["time_zone"] == "Europe/Berlin"
    assert made["rrule"] == "FREQ=WEEKLY;UNTIL=20260323T225959Z"  # the whole last day, Berlin
    shell(db_path, "edit", "appointment", "1", "start=2026-03-02 10:00", zone="America/New_York")
    after = json.loads(shell(db_path, "show", "appointment", "1", "--json", zone="UTC").stdout)
    assert after["time_zone"] == "Europe/Berlin"
    shown = shell(db_path, "show", "appointment", "1", zone="UTC").stdout
    assert "Europe/Berlin (repeats on its clock; times here are UTC)" in shown
    day = json.loads(
        shell(db_path, "add", "meeting", "Fair", "2026-03-10", "--all-day", "--json",
              zone="America/Los_Angeles").stdout
    )  # fmt: skip
    assert (day["starts_at"], day["all_day"]) == ("2026-03-10", True)
    listed = shell(db_path, "list", "appointments", zone="Asia/Kolkata").stdout
    assert "Tue 2026-03-10\t\tFair" in listed


def test_an_appointments_zone_can_be_changed_and_is_checked(db_path: Path) -> None:
    shell(db_path, "add", "meeting", "Call", "2026-03-02", "9:00", zone="UTC")
    out = shell(db_path, "edit", "appointment", "1", "time-zone=America/New_York", zone="UTC")
    assert "time-zone: UTC -> America/New_York" in out.stdout
    for value, message in (("Mars/Base", "is not a time zone"), ("", "cannot be empty")):
        env = {"SMALLCRM_TIMEZONE": "UTC", "SMALLCRM_NOW": "2026-03-01T12:00"}
        result = CliRunner().invoke(
            app, ["--db", str(db_path), "edit", "appointment", "1", f"time-zone={value}"], env=env
        )
        assert result.exit_code == 1 and message in result.stderr
        assert "Traceback" not in result.output
