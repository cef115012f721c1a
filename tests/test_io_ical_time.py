"""iCalendar time on import and export: TZIDs (known, custom, missing), all-day dates, UNTIL,
EXDATE;VALUE=DATE, RDATE and vCalendar 1.0 rules. The files are written here in the shapes of
real exports (Google, Outlook, Thunderbird, old phones); the key tests run under four machine
zones and must agree."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from machine_zones import MACHINE_ZONES, machine_zone

from smallcrm.store import appointments, clock, settings
from smallcrm.store.db import Database
from smallcrm.store.io import ImportReport, export_records, import_file

NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture(params=MACHINE_ZONES)
def machine(request: pytest.FixtureRequest) -> Iterator[str]:
    """Each of the four machine zones in turn."""
    with machine_zone(request.param):
        yield request.param


def business(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.setenv("SMALLCRM_TIMEZONE", name)
    settings.reload()


def calendar(*events: str, head: str = "VERSION:2.0\nPRODID:-//test//EN") -> str:
    body = "\n".join(f"BEGIN:VEVENT\n{e.strip()}\nEND:VEVENT" for e in events)
    return f"BEGIN:VCALENDAR\n{head}\n{body}\nEND:VCALENDAR\n".replace("\n", "\r\n")


def load(db: Database, tmp_path: Path, text: str, name: str = "in.ics") -> ImportReport:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8", newline="")
    return import_file(db, path)


def days_of(db: Database, first: date, last: date, zone: ZoneInfo = NEW_YORK) -> list[str]:
    start, end = appointments.day_bounds(first)[0], appointments.day_bounds(last)[1]
    return [
        o.starts_at.astimezone(zone).strftime("%m-%d %H:%M")
        for o in appointments.occurrences(db, start, end)
    ]


def warnings_of(report: ImportReport) -> list[str]:
    return [w.reason for w in report.warnings]


NY_WEEKLY = """
UID:ny-weekly@example.com
DTSTART;TZID=America/New_York:20260302T090000
DTEND;TZID=America/New_York:20260302T100000
RRULE:FREQ=WEEKLY;UNTIL=20260323T090000
SUMMARY:NY weekly
"""


def test_a_new_york_series_keeps_new_york_time_on_a_utc_machine(
    db: Database, tmp_path: Path, machine: str
) -> None:
    """The issue's case: after the change to summer time it stays at 9:00 New York time, and
    its floating UNTIL (9:00 on the 23rd, New York time) keeps the last occurrence."""
    report = load(db, tmp_path, calendar(NY_WEEKLY))
    assert report.created == 1 and not report.warnings
    meeting = appointments.get_appointment(db, report.rows[0].record_id)
    assert meeting.time_zone == "America/New_York"
    assert meeting.rrule == "FREQ=WEEKLY;UNTIL=20260323T130000Z"
    found = days_of(db, date(2026, 3, 1), date(2026, 4, 30))
    assert found == ["03-02 09:00", "03-09 09:00", "03-16 09:00", "03-23 09:00"]
    utc = days_of(db, date(2026, 3, 1), date(2026, 4, 30), ZoneInfo("UTC"))
    assert utc == ["03-02 14:00", "03-09 13:00", "03-16 13:00", "03-23 13:00"]


@pytest.mark.parametrize("shown_in", ["America/New_York", "America/Los_Angeles", "Asia/Kolkata"])
def test_an_all_day_event_lists_on_its_date_and_exports_as_a_date(
    db: Database, tmp_path: Path, machine: str, shown_in: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    business(monkeypatch, shown_in)
    load(db, tmp_path, calendar("UID:day\nDTSTART;VALUE=DATE:20060102\nSUMMARY:Holiday"))
    (holiday,) = appointments.occurrences(db, *appointments.day_bounds(date(2006, 1, 2)))
    assert holiday.appointment.all_day
    assert clock.local(holiday.starts_at).date() == date(2006, 1, 2)
    out = io.StringIO()
    export_records(db, "appointments", "ics", out)
    assert "DTSTART;VALUE=DATE:20060102\r\n" in out.getvalue()
    assert "DTEND;VALUE=DATE:20060103\r\n" in out.getvalue()


def test_a_skipped_date_removes_that_days_occurrence_of_a_timed_series(
    db: Database, tmp_path: Path, machine: str
) -> None:
    text = calendar(
        NY_WEEKLY.replace("UNTIL=20260323T090000", "COUNT=4") + "EXDATE;VALUE=DATE:20260309"
    )
    load(db, tmp_path, text)
    assert days_of(db, date(2026, 3, 1), date(2026, 4, 30)) == [
        "03-02 09:00", "03-16 09:00", "03-23 09:00"
    ]  # fmt: skip
    out = io.StringIO()
    export_records(db, "appointments", "ics", out)
    assert "EXDATE;TZID=America/New_York:20260309T090000" in out.getvalue()


def test_extra_dates_are_kept(db: Database, tmp_path: Path, machine: str) -> None:
    text = calendar(
        """
UID:review
DTSTART;TZID=America/New_York:20260302T090000
DTEND;TZID=America/New_York:20260302T100000
RDATE;TZID=America/New_York:20260310T110000,20260320T090000
RDATE;VALUE=PERIOD:20260401T130000Z/PT1H
RDATE;VALUE=PERIOD:20260402T130000Z/PT3H
RDATE;VALUE=TIME:083000
RDATE:
SUMMARY:Review
"""
    )
    report = load(db, tmp_path, text)
    assert report.created == 1
    assert warnings_of(report) == [
        "RDATE 2026-04-02 13:00 lasts 3:00:00: kept as long as the event",
        "RDATE 08:30:00 has no day; not kept",
    ]
    assert days_of(db, date(2026, 3, 1), date(2026, 4, 30)) == [
        "03-02 09:00", "03-10 11:00", "03-20 09:00", "04-01 09:00", "04-02 09:00"
    ]  # fmt: skip


def test_a_zone_the_file_defines_under_its_own_name_becomes_an_iana_zone(
    db: Database, tmp_path: Path, machine: str
) -> None:
    vtimezone = """BEGIN:VTIMEZONE
TZID:{name}
BEGIN:DAYLIGHT
DTSTART:20070311T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU
TZOFFSETFROM:-0500
TZOFFSETTO:-0400
END:DAYLIGHT
BEGIN:STANDARD
DTSTART:20071104T020000
RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU
TZOFFSETFROM:-0400
TZOFFSETTO:-0500
END:STANDARD
END:VTIMEZONE"""
    for name, uid in (("acme_America/New_York", "named"), ("Acme Eastern", "unnamed")):
        event = NY_WEEKLY.replace("America/New_York", name).replace("ny-weekly", uid)
        head = "VERSION:2.0\nPRODID:-//test//EN\n" + vtimezone.format(name=name)
        report = load(db, tmp_path, calendar(event, head=head), f"{uid}.ics")
        found = appointments.get_appointment(db, report.rows[0].record_id)
        assert found.starts_at == datetime(2026, 3, 2, 14, tzinfo=UTC)
        if uid == "named":
            assert found.time_zone == "America/New_York" and not report.warnings
        else:  # no name inside: a zone on the same clock, and the import says which
            assert warnings_of(report) == [
                f"time zone 'Acme Eastern' is not a zone name smallcrm knows; read as "
                f"{found.time_zone}"
            ]
            ny = [datetime(2026, m, 1, tzinfo=UTC).astimezone(NEW_YORK).utcoffset() for m in
                  range(1, 13)]  # fmt: skip
            own = ZoneInfo(found.time_zone)
            assert [datetime(2026, m, 1, tzinfo=UTC).astimezone(own).utcoffset() for m in
                    range(1, 13)] == ny  # fmt: skip


def test_floating_times_follow_the_calendars_zone_or_the_business(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, machine: str
) -> None:
    business(monkeypatch, "Europe/Berlin")
    event = "UID:{uid}\nDTSTART:20260302T090000\nRRULE:FREQ=DAILY;COUNT=2\nSUMMARY:{uid}"
    google = calendar(event.format(uid="g"), head="VERSION:2.0\nX-WR-TIMEZONE:America/New_York")
    plain = calendar(event.format(uid="p"))
    missing = calendar(event.format(uid="m").replace("DTSTART:", "DTSTART;TZID=Nowhere:"))
    found = {}
    for name, text in (("g", google), ("p", plain), ("m", missing)):
        report = load(db, tmp_path, text, f"{name}.ics")
        found[name] = (appointments.get_appointment(db, report.rows[0].record_id), report)
    assert found["g"][0].time_zone == "America/New_York"
    assert found["g"][0].starts_at == datetime(2026, 3, 2, 14, tzinfo=UTC)
    assert found["p"][0].time_zone == "Europe/Berlin"
    assert found["p"][0].starts_at == datetime(2026, 3, 2, 8, tzinfo=UTC)
    assert warnings_of(found["m"][1]) == [
        "time zone 'Nowhere' is neither a known zone nor defined in the file; "
        "its times are read as Europe/Berlin time"
    ]


def test_what_cannot_be_kept_is_said(db: Database, tmp_path: Path) -> None:
    text = calendar(
        NY_WEEKLY + "RRULE:FREQ=DAILY\nEXRULE:FREQ=WEEKLY;BYDAY=MO",
        "UID:ny-weekly@example.com\nRECURRENCE-ID;RANGE=THISANDFUTURE;TZID=America/New_York:"
        "20260309T090000\nDTSTART;TZID=America/New_York:20260309T100000\nSUMMARY:Later",
    )
    report = load(db, tmp_path, text)
    assert warnings_of(report) == [
        "2 RRULEs: only the first is kept",
        "EXRULE (a rule for skipped occurrences) is not kept",
        "RANGE=THISANDFUTURE is not kept: only the one occurrence it names is changed",
    ]


# --- export ---------------------------------------------------------------------------------------


def test_export_writes_each_appointment_in_its_own_zone(
    db: Database, machine: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    business(monkeypatch, "Europe/Berlin")
    appointments.create_appointment(
        db, title="Berlin", starts_at=datetime(2026, 12, 1, 9, tzinfo=ZoneInfo("Europe/Berlin"))
    )
    appointments.create_appointment(
        db,
        title="NY",
        starts_at=datetime(2026, 12, 1, 9, tzinfo=NEW_YORK),
        time_zone="America/New_York",
        rrule="FREQ=WEEKLY",
        rdates=[date(2026, 12, 3)],
    )
    appointments.create_appointment(
        db, title="UTC", starts_at=datetime(2026, 12, 1, 9, tzinfo=UTC), time_zone="UTC"
    )
    out = io.StringIO()
    export_records(db, "appointments", "ics", out)
    text = out.getvalue()
    assert "DTSTART;TZID=Europe/Berlin:20261201T090000" in text
    assert "DTSTART;TZID=America/New_York:20261201T090000" in text
    assert "RDATE;TZID=America/New_York:20261203T090000" in text
    assert "DTSTART:20261201T090000Z" in text
    assert "TZID:Europe/Berlin" in text and "TZID:America/New_York" in text


def test_an_export_imports_back_the_same_on_another_machine(
    db: Database, tmp_path: Path, new_database_url: object
) -> None:
    from smallcrm.store.db import open_database

    with machine_zone("Asia/Kolkata"):
        load(db, tmp_path, calendar(NY_WEEKLY, "UID:day\nDTSTART;VALUE=DATE:20060102\nSUMMARY:Day"))
        out = io.StringIO()
        export_records(db, "appointments", "ics", out)
    other = open_database(new_database_url("other.db"))  # type: ignore[operator]
    with machine_zone("America/New_York"):
        assert load(other, tmp_path, out.getvalue(), "back.ics").created == 2
        assert days_of(other, date(2006, 1, 1), date(2026, 4, 30)) == days_of(
            db, date(2006, 1, 1), date(2026, 4, 30)
        )
    other.close()


def test_a_moved_all_day_occurrence_is_skipped_on_its_day(db: Database, tmp_path: Path) -> None:
    text = calendar(
        "UID:b\nDTSTART;VALUE=DATE:20260702\nRRULE:FREQ=YEARLY;COUNT=3\nSUMMARY:Birthday",
        "UID:b\nRECURRENCE-ID;VALUE=DATE:20270702\nDTSTART;VALUE=DATE:20270703\nSUMMARY:Party",
    )
    load(db, tmp_path, text)
    found = [
        (o.appointment.title, clock.local(o.starts_at).date())
        for o in appointments.occurrences(
            db, datetime(2026, 1, 1, tzinfo=UTC), datetime(2029, 1, 1, tzinfo=UTC)
        )
    ]
    assert found == [
        ("Birthday", date(2026, 7, 2)),
        ("Party", date(2027, 7, 3)),
        ("Birthday", date(2028, 7, 2)),
    ]


@pytest.mark.parametrize("file_format", ["csv", "json"])
def test_csv_and_json_exports_carry_zones_days_and_extra_dates(
    db: Database, tmp_path: Path, new_database_url: object, file_format: str
) -> None:
    from smallcrm.store.db import open_database

    with machine_zone("America/New_York"):
        load(
            db,
            tmp_path,
            calendar(
                NY_WEEKLY + "RDATE;VALUE=DATE:20260401\nEXDATE;VALUE=DATE:20260309",
                "UID:day\nDTSTART;VALUE=DATE:20060102\nSUMMARY:Day",
            ),
        )
        out = io.StringIO()
        export_records(db, "appointments", file_format, out)
    assert "2006-01-02" in out.getvalue() and "America/New_York" in out.getvalue()
    other = open_database(new_database_url("other.db"))  # type: ignore[operator]
    with machine_zone("Asia/Kolkata"):
        assert load(other, tmp_path, out.getvalue(), f"back.{file_format}").created == 2
        copy = {a.title: a for a in appointments.iter_appointments(other)}
        assert copy["NY weekly"].time_zone == "America/New_York"
        assert copy["NY weekly"].rdates == (date(2026, 4, 1),)
        assert copy["NY weekly"].exdates == (date(2026, 3, 9),)
        assert days_of(other, date(2006, 1, 1), date(2026, 4, 30)) == days_of(
            db, date(2006, 1, 1), date(2026, 4, 30)
        )
    other.close()
