"""Text that means something to SQL or to a calendar means only itself: a tag filter of ``%``
matches the tag ``%`` (which no record has), not every record; a repeat every minute or second
is refused the same way by the shell, the app's form (both call the store) and imports."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from smallcrm.cli.main import app
from smallcrm.store import appointments, contacts
from smallcrm.store.db import Database
from smallcrm.store.errors import ValidationError
from smallcrm.store.io import import_file
from smallcrm.store.listing import ListQuery, literal

START = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def test_literal_escapes_each_like_wildcard_and_the_escape_itself() -> None:
    assert literal("a%b_c\\d") == "a\\%b\\_c\\\\d"
    assert literal("plain") == "plain"


@pytest.fixture
def tagged(db: Database) -> Database:
    for name, tags in (("Ann Low", "a_b"), ("Ben Axb", "axb"), ("Cy Vip", "vip")):
        first, last = name.split()
        contacts.create_contact(db, first_name=first, last_name=last, tags=tags)
    return db


@pytest.mark.parametrize(
    ("tag", "names"),
    [
        ("%", []),
        ("_", []),
        ("\\", []),
        ("a%b", []),
        ("a_b", ["Ann Low"]),  # not "axb", which a wildcard _ would match too
        ("axb", ["Ben Axb"]),
        ("VIP", ["Cy Vip"]),
    ],
)
def test_a_tag_filter_matches_the_tag_literally(
    tagged: Database, tag: str, names: list[str]
) -> None:
    page = contacts.list_contacts(tagged, ListQuery(tag=tag))
    assert sorted(c.name for c in page.items) == names
    assert page.total == len(names)


def test_the_shell_tag_filter_is_literal_too(tagged: Database, db_path: Path) -> None:
    for tag in ("%", "_", "\\"):
        result = CliRunner().invoke(app, ["--db", str(db_path), "list", "contacts", "--tag", tag])
        assert result.exit_code == 0, result.output
        assert "Ann" not in result.output and "Cy Vip" not in result.output, (tag, result.output)


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=SECONDLY",
        "FREQ=MINUTELY",
        "FREQ=MINUTELY;INTERVAL=30",
        "RRULE:FREQ=SECONDLY;COUNT=5",
        "FREQ=HOURLY;BYMINUTE=0,30",
        "FREQ=DAILY;BYHOUR=9;BYMINUTE=0,15",
        "FREQ=WEEKLY;BYSECOND=0,1",
    ],
)
def test_the_store_refuses_a_repeat_more_often_than_hourly(db: Database, rule: str) -> None:
    with pytest.raises(ValidationError) as caught:
        appointments.create_appointment(db, title="Too often", starts_at=START, rrule=rule)
    assert caught.value.field == "rrule"
    assert "more often than hourly" in caught.value.message
    assert appointments.list_appointments(db).total == 0


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=HOURLY;COUNT=3",
        "FREQ=DAILY;BYHOUR=9,10",
        "FREQ=WEEKLY;BYDAY=MO",
        "FREQ=DAILY;BYMINUTE=0,30;BYSETPOS=1",  # one of the two times each day
    ],
)
def test_hourly_and_slower_repeats_are_kept(db: Database, rule: str) -> None:
    made = appointments.create_appointment(db, title="Fine", starts_at=START, rrule=rule)
    assert made.rrule == rule


def test_editing_an_appointment_to_repeat_every_minute_is_refused(db: Database) -> None:
    made = appointments.create_appointment(db, title="Standup", starts_at=START)
    with pytest.raises(ValidationError, match="more often than hourly"):
        appointments.update_appointment(db, made.id, None, rrule="FREQ=MINUTELY")
    assert appointments.get_appointment(db, made.id).rrule is None


@pytest.mark.parametrize("rule", ["FREQ=SECONDLY", "FREQ=MINUTELY"])
def test_the_shell_refuses_it_in_one_line(db: Database, db_path: Path, rule: str) -> None:
    line = ["add", "meeting", "Fast", "2026-12-01 10:00", "--repeat", rule]
    result = CliRunner().invoke(app, ["--db", str(db_path), *line])
    assert result.exit_code == 1
    assert result.output.strip() == (
        f"Error: --repeat: '{rule}' repeats more often than hourly; an appointment repeats at "
        "most every hour"
    )


CALENDAR = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//test//EN
BEGIN:VEVENT
UID:fast-1
DTSTART:20261202T100000Z
DTEND:20261202T110000Z
RRULE:FREQ=SECONDLY
EXDATE:20261202T100001Z
SUMMARY:Every second
END:VEVENT
BEGIN:VEVENT
UID:weekly-1
DTSTART:20261203T100000Z
DTEND:20261203T110000Z
RRULE:FREQ=WEEKLY;COUNT=4
SUMMARY:Weekly
END:VEVENT
END:VCALENDAR
"""


def test_an_imported_event_repeating_every_second_is_kept_once_with_a_warning(
    db: Database,
) -> None:
    report = import_file(db, io.StringIO(CALENDAR), file_format="ics")
    assert [w.reason for w in report.warnings] == [
        "RRULE FREQ=SECONDLY ignored: repeats more often than hourly; an appointment repeats "
        "at most every hour; kept as one event"
    ]
    found = {a.title: a for a in appointments.list_appointments(db).items}
    assert set(found) == {"Every second", "Weekly"}
    assert found["Every second"].rrule is None and found["Weekly"].rrule == "FREQ=WEEKLY;COUNT=4"
