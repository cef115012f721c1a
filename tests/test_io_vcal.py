"""vCalendar 1.0 (old phones, Palm, Lotus Notes): rules converted to RFC 5545 or refused with a
warning, the file's TZ and DAYLIGHT honoured, all-day entries written as 00:00 to 23:59."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from dateutil.rrule import rrulestr
from hypothesis import given, settings
from hypothesis import strategies as st

from smallcrm.store import appointments, clock
from smallcrm.store import settings as app_settings
from smallcrm.store.db import Database
from smallcrm.store.io import import_file
from smallcrm.store.io.vcal_rules import NotConvertible, convert, looks_like_vcal


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("W1 TH", "FREQ=WEEKLY;BYDAY=TH"),
        (
            "W2 MO WE FR 19941224T000000Z",
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE,FR;UNTIL=19941224T000000Z",
        ),
        ("W1 TU$ TH #3", "FREQ=WEEKLY;BYDAY=TU,TH;COUNT=3"),
        ("YD1 1 100 #5 19990102T000000Z", "FREQ=YEARLY;BYYEARDAY=1,100;UNTIL=19990102T000000Z"),
        ("D1 #4", "FREQ=DAILY;COUNT=4"),
        ("D2 #0", "FREQ=DAILY;INTERVAL=2"),
        ("D1 1000 1400 #10", "FREQ=DAILY;BYHOUR=10,14;BYMINUTE=0;COUNT=10"),
        ("MP1 1+ MO", "FREQ=MONTHLY;BYDAY=1MO"),
        ("MP2 1+ 1- FR #3", "FREQ=MONTHLY;INTERVAL=2;BYDAY=1FR,-1FR;COUNT=3"),
        ("MP1 1+ SU 1- SA 20261231", "FREQ=MONTHLY;BYDAY=1SU,-1SA;UNTIL=20261231"),
        ("MD1 15", "FREQ=MONTHLY;BYMONTHDAY=15"),
        ("MD1 1 LD #12", "FREQ=MONTHLY;BYMONTHDAY=1,-1;COUNT=12"),
        ("MD1 7- #12", "FREQ=MONTHLY;BYMONTHDAY=-7;COUNT=12"),
        ("YM1", "FREQ=YEARLY"),
        ("YM1 6 7 #10", "FREQ=YEARLY;BYMONTH=6,7;COUNT=10"),
        ("YD3 1 100 200 #10", "FREQ=YEARLY;INTERVAL=3;BYYEARDAY=1,100,200;COUNT=10"),
    ],
)
def test_vcalendar_rules_convert(rule: str, expected: str) -> None:
    assert looks_like_vcal(rule)
    assert convert(rule) == expected
    rrulestr(expected, dtstart=datetime(2026, 1, 1, 9), ignoretz=True)


@pytest.mark.parametrize(
    ("rule", "why"),
    [
        ("M30 #5", "every few minutes"),
        ("MP6 1+ MO #5 D1 #5", "nests one rule"),
        ("W1 TU 1200 TH 1130 #10", "different time"),
        ("D1 0930 1000 #3", "different minutes"),
        ("W1 XX", "not weekdays"),
        ("YM1 13", "between 1 and 12"),
        ("MP1 1+ #3", "has no weekday"),
    ],
)
def test_rules_rfc_5545_cannot_say_are_refused_with_the_reason(rule: str, why: str) -> None:
    with pytest.raises(NotConvertible, match=why):
        convert(rule)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(["D", "W", "MP", "MD", "YM", "YD", "M", "X"]).map(lambda h: h + "1"),
            st.sampled_from(["MO", "TH", "1+", "2-", "LD", "$", "#0", "#5", "15", "7-", "1230"]),
            st.from_regex(r"\d{8}(T\d{6}Z?)?", fullmatch=True),
            st.text(max_size=6),
        ),
        max_size=7,
    )
)
def test_any_rule_text_converts_to_a_valid_rule_or_is_refused(words: list[str]) -> None:
    text = " ".join(words)
    try:
        rule = convert(text)
    except NotConvertible:
        return
    rrulestr(rule.replace("Z", ""), dtstart=datetime(2026, 1, 1, 9), ignoretz=True)


PHONE = """BEGIN:VCALENDAR\r
VERSION:1.0\r
PRODID:-//Nokia Mobile Phones//EN\r
TZ:+01\r
DAYLIGHT:TRUE;+02;20260329T010000Z;20261025T010000Z;CET;CEST\r
BEGIN:VEVENT\r
UID:w\r
SUMMARY:Thursday team\r
DTSTART:20260108T090000\r
DTEND:20260108T100000\r
RRULE:W1 TH #5\r
EXDATE:20260115T090000;20260122T090000\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:m\r
SUMMARY:Month start\r
DTSTART:20260105T080000Z\r
RRULE:MP1 1+ MO 20260401T000000Z\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:d\r
SUMMARY:Anniversary\r
DTSTART:20260710T000000\r
DTEND:20260710T235900\r
RRULE:YM1 #0\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:x\r
SUMMARY:Shifts\r
DTSTART:20260106T120000\r
RRULE:W1 TU 1200 TH 1130 #10\r
END:VEVENT\r
END:VCALENDAR\r
"""


@pytest.mark.parametrize("shown_in", ["Europe/Berlin", "America/New_York"])
def test_a_phones_vcalendar_file_imports_with_its_rules(
    db: Database, tmp_path: Path, shown_in: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SMALLCRM_TIMEZONE", shown_in)
    app_settings.reload()
    path = tmp_path / "phone.vcs"
    path.write_text(PHONE, encoding="utf-8", newline="")
    report = import_file(db, path)
    assert report.created == 4
    assert [w.reason for w in report.warnings] == [
        "the vCalendar 1.0 repeat rule 'W1 TU 1200 TH 1130 #10' cannot be kept (it gives each "
        "day a different time); imported as a one-off event"
    ]
    found = {a.title: a for a in appointments.iter_appointments(db)}
    team = found["Thursday team"]
    assert team.rrule == "FREQ=WEEKLY;BYDAY=TH;COUNT=5"
    assert team.starts_at == datetime(2026, 1, 8, 8, tzinfo=UTC)  # 09:00 at the file's +01
    assert len(team.exdates) == 2
    assert found["Month start"].rrule == "FREQ=MONTHLY;BYDAY=1MO;UNTIL=20260401T000000Z"
    anniversary = found["Anniversary"]
    assert anniversary.all_day and clock.local(anniversary.starts_at).date() == date(2026, 7, 10)
    assert found["Shifts"].rrule is None
    start, end = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 3, 1, tzinfo=UTC)
    thursdays = [
        o.starts_at.astimezone(UTC).strftime("%m-%d %H:%M")
        for o in appointments.occurrences(db, start, end)
        if o.appointment.title == "Thursday team"
    ]
    assert thursdays == ["01-08 08:00", "01-29 08:00", "02-05 08:00"]
