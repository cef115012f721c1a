"""iCalendar: time zones, recurrences, exceptions, all-day events, export, invitations, samples."""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from smallcrm.store import appointments, contacts
from smallcrm.store.db import Database
from smallcrm.store.errors import ValidationError
from smallcrm.store.io import ImportRejected, export_records, import_file, invitation
from smallcrm.store.io.ical import read_calendar

FIXTURES = Path(__file__).resolve().parents[1] / "data" / "fixtures"
INTEROP = Path(__file__).resolve().parents[2] / "shared" / "interop" / "ics"
needs_interop = pytest.mark.skipif(
    not INTEROP.is_dir(), reason="the shared interop samples (../shared/interop) are not here"
)
BERLIN = ZoneInfo("Europe/Berlin")

# Broken on purpose in the icalendar project's suite: the whole file is refused.
REFUSED = {
    "fuzz_testcase_0_char_in_component_name.ics": "NUL bytes",
    "fuzz_testcase_invalid_month.ics": "is not an iCalendar file",
    "fuzz_testcase_vtimezone_lone_cr.ics": "is not an iCalendar file",
    "issue_104_broken_calendar.ics": "not a readable iCalendar file",
    "parsing_error_in_UTC_offset.ics": "not a readable iCalendar file",
    "small_bad_calendar.ics": "cut short",
    "pr_480_summary_with_colon.ics": "cut short",
    "timezone_same_start_and_offset.ics": "cut short",
    "issue_82_expected_output.ics": "is not an iCalendar file",
    "issue_178_component_with_invalid_name_represented.ics": "is not an iCalendar file",
    "issue_178_custom_component_contains_other.ics": "is not an iCalendar file",
}
# Broken events (a field that cannot be read): reported, and nothing imported.
BROKEN_EVENTS = {
    "broken_ical.ics": "starts_at",
    "broken_dtstart.ics": "starts_at",
    "invalid_duration.ics": "ends_at",
    "parsing_error.ics": "exdates",
    "issue_1081_invalid_start_and_end.ics": "starts_at",
    "issue_1081_invalid_start_valid_end.ics": "starts_at",
    "issue_1081_invalid_rrule_freq.ics": "rrule",
    "issue_165_missing_event.ics": "rrule",
    "pacific_fiji.ics": "starts_at",
    "rfc_7529.ics": "rrule",  # Chinese, Ethiopic and Hebrew calendars: no RRULE here for them
}
# Well-formed calendars whose events import whole (count of appointments).
GOOD = {
    "example.ics": 3,
    "america_new_york.ics": 1,
    "multiple_timezones.ics": 3,
    "timezoned.ics": 1,
    "issue_1231_recurrence.ics": 1,
    "issue_313_globally_unique_tzid.ics": 3,
    "issue_722_timezone_transition_ambiguity.ics": 4,
    "calendar_with_unicode.ics": None,
    "issue_1050_empty_calendar.ics": 0,
    "issue_1050_timezone_only_calendar.ics": 0,
    "issue_27_multiple_periods_in_freebusy_one_freebusy.ics": 0,
}


def _appointments(db: Database) -> dict[str, object]:
    return {a.title: a for a in appointments.iter_appointments(db)}


def test_calendar_with_time_zones_recurrence_and_exceptions(db: Database) -> None:
    jana = contacts.create_contact(
        db, allow_duplicate=True, name="Jana Novák", emails=["jana.novak@acme.example"]
    )
    report = import_file(db, FIXTURES / "calendar.ics")
    assert (report.created, report.invalid) == (5, 0)
    assert [w.reason for w in report.warnings] == ["1 to-dos not imported (only events are)"]
    found = _appointments(db)
    standup = found["Weekly stand-up"]
    assert standup.starts_at == datetime(2026, 10, 5, 9, tzinfo=BERLIN)
    assert standup.ends_at - standup.starts_at == timedelta(minutes=30)
    assert standup.rrule == "FREQ=WEEKLY;UNTIL=20261231T230000Z;BYDAY=MO"
    assert standup.reminder_minutes == 10 and standup.location == "Room 4"
    assert standup.notes == "Agenda:\n- numbers\n- blockers"
    skipped = {d.astimezone(BERLIN) for d in standup.exdates}
    assert skipped == {
        datetime(2026, 10, 12, 9, tzinfo=BERLIN),
        datetime(2026, 10, 19, 9, tzinfo=BERLIN),
        datetime(2026, 10, 26, 9, tzinfo=BERLIN),  # replaced by the moved occurrence
    }
    moved = found["Weekly stand-up (moved)"]
    assert moved.starts_at == datetime(2026, 10, 26, 11, tzinfo=BERLIN) and moved.rrule is None
    fair = found["Trade fair"]
    assert fair.all_day and fair.starts_at.astimezone().hour == 0
    assert (fair.ends_at - fair.starts_at).days == 3
    call = found["Call with New York"]
    assert call.starts_at == datetime(2026, 12, 3, 15, tzinfo=UTC)
    assert call.ends_at - call.starts_at == timedelta(minutes=45)
    assert call.contact_id == jana.id  # the attendee is a known contact
    birthday = found["Jana's birthday"]
    assert birthday.all_day and birthday.rrule == "FREQ=YEARLY" and birthday.ends_at is None


@pytest.fixture
def in_berlin(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The business is in Berlin: smallcrm expands series on its wall clock."""
    monkeypatch.setenv("SMALLCRM_TIMEZONE", "Europe/Berlin")
    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_occurrences_of_an_imported_series_skip_the_exceptions(
    db: Database, in_berlin: None
) -> None:
    import_file(db, FIXTURES / "calendar.ics")
    start, end = datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 11, 3, tzinfo=UTC)
    seen = [
        o.starts_at.astimezone(BERLIN).strftime("%m-%d %H:%M")
        for o in appointments.occurrences(db, start, end)
        if o.appointment.title.startswith("Weekly")
    ]
    assert seen == ["10-05 09:00", "10-26 11:00", "11-02 09:00"]


def test_reimporting_a_calendar_changes_nothing(db: Database) -> None:
    import_file(db, FIXTURES / "calendar.ics")
    again = import_file(db, FIXTURES / "calendar.ics")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)


def test_a_broken_event_is_reported(db: Database) -> None:
    with pytest.raises(ImportRejected) as caught:
        import_file(db, FIXTURES / "broken_event.ics")
    problem = caught.value.report.problems[0]
    assert problem.where == "event 2 (line 10)" and problem.field == "starts_at"
    assert appointments.list_appointments(db).total == 0
    assert import_file(db, FIXTURES / "broken_event.ics", skip_invalid=True).created == 1


# --- export ------------------------------------------------------------------------------------


def _calendar(db: Database) -> None:
    jana = contacts.create_contact(
        db, allow_duplicate=True, name="Jana Novák", emails=["jana@acme.example"]
    )
    weekly = appointments.create_appointment(
        db,
        title="Stand-up",
        starts_at=datetime(2026, 10, 5, 9, tzinfo=BERLIN),
        duration=timedelta(minutes=30),
        rrule="FREQ=WEEKLY;BYDAY=MO",
        reminder_minutes=15,
        location="Room 4",
        notes="Bring numbers, please; thanks",
        contact_id=jana.id,
    )
    appointments.update_appointment(
        db, weekly.id, None, exdates=[datetime(2026, 10, 12, 9, tzinfo=BERLIN)]
    )
    appointments.create_appointment(
        db,
        title="Trade fair",
        starts_at=datetime(2027, 3, 10).astimezone(),
        ends_at=datetime(2027, 3, 13).astimezone(),
        all_day=True,
    )
    appointments.create_appointment(
        db, title="Single", starts_at=datetime(2026, 12, 3, 15, tzinfo=UTC), all_day=False
    )


def test_export_is_a_calendar_other_programs_read(db: Database, in_berlin: None) -> None:
    from icalendar import Calendar

    _calendar(db)
    out = io.StringIO()
    assert export_records(db, "appointments", "ics", out) == 3
    text = out.getvalue()
    assert text.startswith("BEGIN:VCALENDAR\r\n") and "PRODID:-//smallcrm//smallcrm//EN" in text
    assert "BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin" in text
    assert "DTSTART;TZID=Europe/Berlin:20261005T090000" in text
    assert "RRULE:FREQ=WEEKLY;BYDAY=MO" in text
    assert "EXDATE;TZID=Europe/Berlin:20261012T090000" in text
    assert "DTSTART;VALUE=DATE:20270310" in text and "DTEND;VALUE=DATE:20270313" in text
    assert "TRIGGER:-PT15M" in text
    calendar = Calendar.from_ical(text)
    events = calendar.walk("VEVENT")
    assert len(events) == 3 and all(not e.errors for e in events)
    assert all(e.get("UID") and e.get("DTSTAMP") for e in events)


def test_export_then_import_gives_back_the_same_appointments(
    db: Database, tmp_path: Path, new_sqlite_database: Callable[[str], Path], in_berlin: None
) -> None:
    from smallcrm.store.db import open_database

    _calendar(db)
    out = io.StringIO()
    export_records(db, "appointments", "ics", out)
    path = tmp_path / "export.ics"
    path.write_text(out.getvalue(), encoding="utf-8", newline="")
    other = open_database(new_sqlite_database("copy.db"))
    assert import_file(other, path).created == 3
    before, after = _appointments(db), _appointments(other)
    for title, original in before.items():
        copy = after[title]
        for field in ("starts_at", "ends_at", "all_day", "rrule", "exdates", "location", "notes"):
            assert getattr(copy, field) == getattr(original, field), (title, field)
        assert copy.reminder_minutes == original.reminder_minutes
    assert import_file(db, path).unchanged == 3  # the same UIDs: nothing new
    other.close()


def test_invitation_for_one_appointment(db: Database, in_berlin: None) -> None:
    from icalendar import Calendar

    _calendar(db)
    standup = _appointments(db)["Stand-up"]
    text = invitation(
        db, standup.id, organizer_email="Sales@Example.com", organizer_name="Sam Sales"
    )
    calendar = Calendar.from_ical(text)
    assert calendar["METHOD"] == "REQUEST"
    event = calendar.walk("VEVENT")[0]
    assert str(event["ORGANIZER"]) == "mailto:sales@example.com"
    assert event["ORGANIZER"].params["CN"] == "Sam Sales"
    attendee = event["ATTENDEE"]
    assert str(attendee) == "mailto:jana@acme.example"
    assert attendee.params["CN"] == "Jana Novák" and attendee.params["RSVP"] == "TRUE"
    assert str(event["UID"]).startswith(f"appointment-{standup.id}-")
    single = _appointments(db)["Single"]
    plain = Calendar.from_ical(invitation(db, single.id))
    assert "ATTENDEE" not in plain.walk("VEVENT")[0] and "ORGANIZER" not in plain.walk("VEVENT")[0]
    with pytest.raises(ValidationError, match="organizer"):
        invitation(db, single.id, organizer_email="not an email")


# --- public samples ----------------------------------------------------------------------------


@needs_interop
@pytest.mark.parametrize("name", sorted(REFUSED))
def test_public_broken_files_are_refused(db: Database, name: str) -> None:
    with pytest.raises(ValidationError, match=REFUSED[name]):
        import_file(db, INTEROP / name)
    assert appointments.list_appointments(db).total == 0


@needs_interop
@pytest.mark.parametrize("name", sorted(BROKEN_EVENTS))
def test_public_broken_events_are_reported(db: Database, name: str) -> None:
    with pytest.raises(ImportRejected) as caught:
        import_file(db, INTEROP / name)
    assert caught.value.report.problems[0].field == BROKEN_EVENTS[name]
    assert appointments.list_appointments(db).total == 0


@needs_interop
@pytest.mark.parametrize("name", sorted(GOOD))
def test_public_good_files_import(db: Database, name: str) -> None:
    report = import_file(db, INTEROP / name)
    assert report.committed and not report.problems
    if GOOD[name] is not None:
        assert report.created == GOOD[name]


@needs_interop
def test_every_public_sample_imports_or_is_refused_cleanly(db: Database) -> None:
    """No sample crashes the importer: each imports, or fails with the store's error."""
    outcomes: dict[str, str] = {}
    for path in sorted(INTEROP.glob("*.ics")):
        try:
            report = import_file(db, path, dry_run=True)
            outcomes[path.name] = "problems" if report.problems else "ok"
        except ValidationError:
            outcomes[path.name] = "refused"
    assert set(outcomes.values()) <= {"ok", "problems", "refused"}
    assert outcomes["example.ics"] == "ok" and outcomes["broken_ical.ics"] == "problems"
    assert sum(1 for o in outcomes.values() if o == "ok") >= 40


def test_reader_needs_a_whole_calendar() -> None:
    with pytest.raises(ValidationError, match="cut short"):
        read_calendar("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nEND:VEVENT\r\n")
    with pytest.raises(ValidationError, match="without its BEGIN"):
        read_calendar("BEGIN:VCALENDAR\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
