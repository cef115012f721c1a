"""The date/time/duration grammar shared by the CLI and the TUI (smallcrm.store.dates)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smallcrm.store.dates import (
    describe,
    parse_date,
    parse_datetime,
    parse_duration,
    parse_time,
)
from smallcrm.store.errors import ValidationError

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 25, 10, 30, tzinfo=BERLIN)  # a Wednesday
D = date  # keeps the tables on one line each


def at(day: date) -> datetime:
    """A fixed ``now`` on ``day`` at 10:30 Berlin time."""
    return datetime(day.year, day.month, day.day, 10, 30, tzinfo=BERLIN)


# --- parse_date: good values, relative to NOW (Wed 2026-11-25) -------------------------------

DATES_FROM_NOW = [
    ("today", D(2026, 11, 25)),
    ("tod", D(2026, 11, 25)),
    ("TODAY", D(2026, 11, 25)),
    ("  Tomorrow  ", D(2026, 11, 26)),
    ("tmr", D(2026, 11, 26)),
    ("tmrw", D(2026, 11, 26)),
    ("tom", D(2026, 11, 26)),
    ("yesterday", D(2026, 11, 24)),
    # weekdays: strictly after today, so "wed" on a Wednesday is next week
    ("mon", D(2026, 11, 30)),
    ("tue", D(2026, 12, 1)),
    ("tues", D(2026, 12, 1)),
    ("wed", D(2026, 12, 2)),
    ("wednesday", D(2026, 12, 2)),
    ("thu", D(2026, 11, 26)),
    ("thurs", D(2026, 11, 26)),
    ("fri", D(2026, 11, 27)),
    ("Friday", D(2026, 11, 27)),
    ("sat", D(2026, 11, 28)),
    ("sun", D(2026, 11, 29)),
    ("monday", D(2026, 11, 30)),
    ("next fri", D(2026, 11, 27)),
    ("next wed", D(2026, 12, 2)),
    ("next  Monday", D(2026, 11, 30)),
    ("last fri", D(2026, 11, 20)),
    ("last wed", D(2026, 11, 18)),
    ("last tue", D(2026, 11, 24)),
    ("last thu", D(2026, 11, 19)),
    ("last sunday", D(2026, 11, 22)),
    ("next week", D(2026, 11, 30)),
    ("NEXT   week", D(2026, 11, 30)),
    ("next month", D(2026, 12, 1)),
    ("next year", D(2027, 1, 1)),
    ("in 0 days", D(2026, 11, 25)),
    ("in 1 day", D(2026, 11, 26)),
    ("in 3 days", D(2026, 11, 28)),
    ("  in   3   days ", D(2026, 11, 28)),
    ("in 1 week", D(2026, 12, 2)),
    ("in 2 weeks", D(2026, 12, 9)),
    ("in 1 month", D(2026, 12, 25)),
    ("in 3 months", D(2027, 2, 25)),
    ("in 1 year", D(2027, 11, 25)),
    ("in 2 years", D(2028, 11, 25)),
    ("3 days ago", D(2026, 11, 22)),
    ("1 day ago", D(2026, 11, 24)),
    ("1 week ago", D(2026, 11, 18)),
    ("2 months ago", D(2026, 9, 25)),
    ("1 year ago", D(2025, 11, 25)),
    ("+3d", D(2026, 11, 28)),
    ("+2w", D(2026, 12, 9)),
    ("+1m", D(2026, 12, 25)),
    ("+1y", D(2027, 11, 25)),
    ("-2d", D(2026, 11, 23)),
    ("-1m", D(2026, 10, 25)),
    ("+3", D(2026, 11, 28)),
    ("-1", D(2026, 11, 24)),
    ("+0", D(2026, 11, 25)),
    ("+10D", D(2026, 12, 5)),
    ("eom", D(2026, 11, 30)),
    ("eow", D(2026, 11, 29)),
    ("eoy", D(2026, 12, 31)),
    ("som", D(2026, 11, 1)),
    ("bom", D(2026, 11, 1)),
    ("2026-12-01", D(2026, 12, 1)),
    ("2026-12-1", D(2026, 12, 1)),
    ("2027-1-5", D(2027, 1, 5)),
    ("1999-01-31", D(1999, 1, 31)),
    ("1.12.", D(2026, 12, 1)),
    ("01.12.", D(2026, 12, 1)),
    ("1.1.", D(2026, 1, 1)),
    ("1.12.2026", D(2026, 12, 1)),
    ("1.12.26", D(2026, 12, 1)),
    ("31.12.99", D(2099, 12, 31)),
    ("29.2.2028", D(2028, 2, 29)),
    ("2028-02-29", D(2028, 2, 29)),
    ("2000-02-29", D(2000, 2, 29)),
    ("Fri 2026-11-27", D(2026, 11, 27)),
    ("fri, 27.11.2026", D(2026, 11, 27)),
    ("friday 27.11.", D(2026, 11, 27)),
]


@pytest.mark.parametrize(("text", "expected"), DATES_FROM_NOW)
def test_parse_date_relative_to_a_wednesday(text: str, expected: date) -> None:
    assert parse_date(text, NOW) == expected


# --- parse_date: boundaries that depend on when "now" is ------------------------------------

DATES_AT_BOUNDARIES = [
    # on a Friday, "fri" is next week's Friday
    (D(2026, 11, 27), "fri", D(2026, 12, 4)),
    (D(2026, 11, 27), "next fri", D(2026, 12, 4)),
    (D(2026, 11, 27), "last fri", D(2026, 11, 20)),
    (D(2026, 11, 27), "eow", D(2026, 11, 29)),
    # on a Sunday, eow is today and next week is tomorrow
    (D(2026, 11, 29), "eow", D(2026, 11, 29)),
    (D(2026, 11, 29), "sun", D(2026, 12, 6)),
    (D(2026, 11, 29), "next week", D(2026, 11, 30)),
    (D(2026, 11, 29), "mon", D(2026, 11, 30)),
    # on a Monday, next week is a full week away
    (D(2026, 11, 30), "next week", D(2026, 12, 7)),
    (D(2026, 11, 30), "last mon", D(2026, 11, 23)),
    (D(2026, 11, 30), "eom", D(2026, 11, 30)),
    (D(2026, 11, 30), "eow", D(2026, 12, 6)),
    # year rollover
    (D(2026, 12, 15), "next month", D(2027, 1, 1)),
    (D(2026, 12, 15), "+1m", D(2027, 1, 15)),
    (D(2026, 12, 15), "in 1 month", D(2027, 1, 15)),
    (D(2026, 12, 15), "eoy", D(2026, 12, 31)),
    (D(2026, 12, 31), "tomorrow", D(2027, 1, 1)),
    (D(2026, 12, 31), "next month", D(2027, 1, 1)),
    (D(2026, 12, 31), "next year", D(2027, 1, 1)),
    (D(2026, 12, 31), "eom", D(2026, 12, 31)),
    (D(2026, 12, 31), "eoy", D(2026, 12, 31)),
    (D(2026, 12, 31), "next week", D(2027, 1, 4)),
    (D(2027, 1, 1), "yesterday", D(2026, 12, 31)),
    (D(2027, 1, 1), "last fri", D(2026, 12, 25)),
    (D(2027, 1, 1), "1 month ago", D(2026, 12, 1)),
    # month ends and leap years
    (D(2026, 2, 10), "eom", D(2026, 2, 28)),
    (D(2028, 2, 10), "eom", D(2028, 2, 29)),
    (D(2100, 2, 10), "eom", D(2100, 2, 28)),
    (D(2000, 2, 10), "eom", D(2000, 2, 29)),
    (D(2026, 4, 10), "eom", D(2026, 4, 30)),
    (D(2026, 1, 31), "+1m", D(2026, 2, 28)),
    (D(2026, 1, 31), "in 1 month", D(2026, 2, 28)),
    (D(2028, 1, 31), "+1m", D(2028, 2, 29)),
    (D(2028, 2, 29), "+1y", D(2029, 2, 28)),
    (D(2028, 2, 29), "1 year ago", D(2027, 2, 28)),
    (D(2026, 3, 31), "1 month ago", D(2026, 2, 28)),
    (D(2026, 2, 28), "tomorrow", D(2026, 3, 1)),
    (D(2028, 2, 28), "tomorrow", D(2028, 2, 29)),
    (D(2026, 2, 15), "som", D(2026, 2, 1)),
    # day.month. is always this year
    (D(2027, 6, 1), "1.12.", D(2027, 12, 1)),
    (D(2027, 6, 1), "1.1.", D(2027, 1, 1)),
    (D(2028, 6, 1), "29.2.", D(2028, 2, 29)),
    # the calendar edges still work where the result exists
    (D(9999, 12, 31), "today", D(9999, 12, 31)),
    (D(9999, 12, 31), "eoy", D(9999, 12, 31)),
    (D(1, 1, 1), "tomorrow", D(1, 1, 2)),
]


@pytest.mark.parametrize(("today", "text", "expected"), DATES_AT_BOUNDARIES)
def test_parse_date_at_boundaries(today: date, text: str, expected: date) -> None:
    assert parse_date(text, at(today)) == expected


# --- parse_date: bad values ------------------------------------------------------------------

BAD_DATES = [
    ("", "no date given"),
    ("   ", "no date given"),
    ("fry", "could not read 'fry' as a date; try today, tomorrow, fri"),
    ("12/01/2026", "write 2026-12-01 or 1.12.2026"),
    ("1/12", "ambiguous"),
    ("2026-02-30", "2026-02-30 is not a date: February 2026 has no day 30"),
    ("2026-02-29", "February 2026 has no day 29 (it has 28 days)"),
    ("2100-02-29", "February 2100 has no day 29"),
    ("29.2.2027", "February 2027 has no day 29"),
    ("31.4.", "31.4. is not a date: April 2026 has no day 31"),
    ("32.1.", "January 2026 has no day 32"),
    ("0.1.", "January 2026 has no day 0"),
    ("2026-04-00", "April 2026 has no day 0"),
    ("2026-13-01", "there is no month 13"),
    ("2026-00-10", "there is no month 0"),
    ("1.13.2026", "there is no month 13"),
    ("0000-01-01", "years go from 1 to 9999"),
    ("1.12", "end with a dot: 1.12."),
    ("next", "could not read"),
    ("last", "could not read"),
    ("next fry", "could not read"),
    ("next day", "could not read"),
    ("this fri", "could not read"),
    ("in days", "could not read"),
    ("in 3 fortnights", "could not read"),
    ("in -3 days", "could not read"),
    ("in 3", "could not read"),
    ("3 days", "could not read"),
    ("+d", "could not read"),
    ("++3", "could not read"),
    ("+3x", "could not read"),
    ("+ 3d", "could not read"),
    ("26-12-01", "could not read"),
    ("20261201", "could not read"),
    ("1.12.123", "could not read"),
    ("2026-12-01T10:00", "could not read"),
    ("tomorrow 10:00", "could not read"),
    ("thu 2026-11-27", "2026-11-27 is a Friday, not a Thursday"),
    ("fri next week", "could not read"),
    ("x" * 100, "…"),
]


@pytest.mark.parametrize(("text", "fragment"), BAD_DATES)
def test_parse_date_rejects(text: str, fragment: str) -> None:
    with pytest.raises(ValidationError, match=re.escape(fragment)) as caught:
        parse_date(text, NOW, field="expected_close")
    assert caught.value.field == "expected_close"


def test_parse_date_error_message_in_full() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_date("fry", NOW)
    assert caught.value.field == "date"
    assert caught.value.message == (
        "could not read 'fry' as a date; "
        "try today, tomorrow, fri, next week, in 3 days, +2w, eom, 2026-12-01 or 1.12."
    )


BEYOND_THE_CALENDAR = [
    (D(9999, 12, 31), "tomorrow"),
    (D(9999, 12, 31), "next year"),
    (D(9999, 12, 31), "next month"),
    (D(9999, 12, 31), "next week"),
    (D(9999, 12, 31), "+1m"),
    (D(9999, 12, 31), "sat"),
    (D(1, 1, 1), "yesterday"),
    (D(1, 1, 1), "last fri"),
    (D(1, 1, 1), "1 year ago"),
    (D(2026, 11, 25), "+999999y"),
    (D(2026, 11, 25), "-999999d"),
    (D(2026, 11, 25), "in 999999 years"),
    (D(2026, 11, 25), "999999 months ago"),
]


@pytest.mark.parametrize(("today", "text"), BEYOND_THE_CALENDAR)
def test_parse_date_beyond_the_calendar(today: date, text: str) -> None:
    with pytest.raises(ValidationError, match="too far away"):
        parse_date(text, at(today))


def test_parse_date_uses_the_local_date_of_now() -> None:
    # 23:30 UTC on the 25th is already the 26th in Berlin
    late = datetime(2026, 11, 25, 23, 30, tzinfo=UTC)
    assert parse_date("today", late) == D(2026, 11, 25)
    assert parse_date("today", late.astimezone(BERLIN)) == D(2026, 11, 26)


# --- parse_time ------------------------------------------------------------------------------

GOOD_TIMES = [
    ("15:00", time(15, 0)),
    ("9:30", time(9, 30)),
    ("09:30", time(9, 30)),
    ("0:00", time(0, 0)),
    ("00:00", time(0, 0)),
    ("23:59", time(23, 59)),
    ("15:00:30", time(15, 0, 30)),
    ("3pm", time(15, 0)),
    ("3 pm", time(15, 0)),
    ("3PM", time(15, 0)),
    (" 3  pm ", time(15, 0)),
    ("3:30pm", time(15, 30)),
    ("3:30 pm", time(15, 30)),
    ("3am", time(3, 0)),
    ("3 p.m.", time(15, 0)),
    ("3 a.m.", time(3, 0)),
    ("12am", time(0, 0)),
    ("12:30am", time(0, 30)),
    ("12pm", time(12, 0)),
    ("12:45pm", time(12, 45)),
    ("11:59pm", time(23, 59)),
    ("1am", time(1, 0)),
    ("noon", time(12, 0)),
    ("NOON", time(12, 0)),
    ("midnight", time(0, 0)),
    ("15h", time(15, 0)),
    ("0h", time(0, 0)),
    ("15h30", time(15, 30)),
    ("9h05", time(9, 5)),
]


@pytest.mark.parametrize(("text", "expected"), GOOD_TIMES)
def test_parse_time(text: str, expected: time) -> None:
    assert parse_time(text) == expected


BAD_TIMES = [
    ("", "no time given"),
    ("24:00", "hours go from 0 to 23"),
    ("23:60", "minutes go from 00 to 59"),
    ("15:00:60", "seconds go from 00 to 59"),
    ("13pm", "with am/pm the hour goes from 1 to 12 (or write 13:00 without pm)"),
    ("0am", "with am/pm the hour goes from 1 to 12"),
    ("0pm", "with am/pm the hour goes from 1 to 12"),
    ("25pm", "with am/pm the hour goes from 1 to 12"),
    ("3:60pm", "minutes go from 00 to 59"),
    ("24h", "hours go from 0 to 23"),
    ("15h60", "minutes go from 00 to 59"),
    ("15.30", "write 15:30 with a colon"),
    ("930", "write 9:30 with a colon"),
    ("1530", "write 15:30 with a colon"),
    ("9:5", "could not read"),
    ("15", "could not read"),
    ("pm", "could not read"),
    ("3 o'clock", "could not read"),
    ("-1:00", "could not read"),
    ("9:30 foo", "could not read"),
    ("tomorrow", "could not read 'tomorrow' as a time; try 15:00"),
    ("123:00", "could not read"),
]


@pytest.mark.parametrize(("text", "fragment"), BAD_TIMES)
def test_parse_time_rejects(text: str, fragment: str) -> None:
    with pytest.raises(ValidationError, match=re.escape(fragment)) as caught:
        parse_time(text, field="starts")
    assert caught.value.field == "starts"


# --- parse_datetime --------------------------------------------------------------------------

GOOD_DATETIMES = [
    ("fri 14:00", datetime(2026, 11, 27, 14, 0)),
    ("tomorrow 3pm", datetime(2026, 11, 26, 15, 0)),
    ("tomorrow 3 pm", datetime(2026, 11, 26, 15, 0)),
    ("Tomorrow  3:30 P.M.", datetime(2026, 11, 26, 15, 30)),
    ("2026-12-01 15:30", datetime(2026, 12, 1, 15, 30)),
    ("yesterday 16:00", datetime(2026, 11, 24, 16, 0)),
    ("1.12. 9:30", datetime(2026, 12, 1, 9, 30)),
    ("1.12.2026 9:30", datetime(2026, 12, 1, 9, 30)),
    ("2026-12-01T15:30", datetime(2026, 12, 1, 15, 30)),
    ("2026-12-01t15:30:45", datetime(2026, 12, 1, 15, 30, 45)),
    ("fri at 14:00", datetime(2026, 11, 27, 14, 0)),
    ("at 3pm", datetime(2026, 11, 25, 15, 0)),
    ("15:00", datetime(2026, 11, 25, 15, 0)),
    ("8:00", datetime(2026, 11, 25, 8, 0)),
    ("noon", datetime(2026, 11, 25, 12, 0)),
    ("midnight", datetime(2026, 11, 25, 0, 0)),
    ("fri", datetime(2026, 11, 27, 9, 0)),
    ("today", datetime(2026, 11, 25, 9, 0)),
    ("next week", datetime(2026, 11, 30, 9, 0)),
    ("2026-12-01", datetime(2026, 12, 1, 9, 0)),
    ("in 2 weeks 10:00", datetime(2026, 12, 9, 10, 0)),
    ("3 days ago 16:00", datetime(2026, 11, 22, 16, 0)),
    ("next fri 9am", datetime(2026, 11, 27, 9, 0)),
    ("eom 17:00", datetime(2026, 11, 30, 17, 0)),
    ("+2d 8:15", datetime(2026, 11, 27, 8, 15)),
    ("tom noon", datetime(2026, 11, 26, 12, 0)),
    ("wed 15h", datetime(2026, 12, 2, 15, 0)),
    ("Fri 2026-11-27 14:00", datetime(2026, 11, 27, 14, 0)),
    # offsets are converted into now's zone
    ("2026-12-01T15:30Z", datetime(2026, 12, 1, 16, 30)),
    ("2026-12-01T15:30+00:00", datetime(2026, 12, 1, 16, 30)),
    ("2026-12-01T15:30-0500", datetime(2026, 12, 1, 21, 30)),
    ("2026-07-01T12:00+02:00", datetime(2026, 7, 1, 12, 0)),
]


@pytest.mark.parametrize(("text", "expected"), GOOD_DATETIMES)
def test_parse_datetime(text: str, expected: datetime) -> None:
    found = parse_datetime(text, NOW)
    assert found == expected.replace(tzinfo=BERLIN)
    assert found.tzinfo is BERLIN


def test_parse_datetime_default_time_applies_to_dates_only() -> None:
    five = time(17, 0)
    assert parse_datetime("fri", NOW, default_time=five) == datetime(
        2026, 11, 27, 17, tzinfo=BERLIN
    )
    assert parse_datetime("fri 8:00", NOW, default_time=five).hour == 8
    assert parse_datetime("8:00", NOW, default_time=five).hour == 8


def test_parse_datetime_takes_the_offset_of_the_day_it_lands_on() -> None:
    # now is in winter (CET, +01:00); a summer date gets CEST (+02:00)
    summer = parse_datetime("2026-07-01 12:00", NOW)
    assert summer.utcoffset() == timedelta(hours=2)
    assert NOW.utcoffset() == timedelta(hours=1)


def test_parse_datetime_keeps_the_zone_of_now() -> None:
    utc_now = datetime(2026, 11, 25, 10, 30, tzinfo=UTC)
    found = parse_datetime("2026-12-01T15:30+01:00", utc_now)
    assert found == datetime(2026, 12, 1, 14, 30, tzinfo=UTC)
    assert found.tzinfo is UTC


BAD_DATETIMES = [
    ("", "no date or time given"),
    ("fry 14:00", "could not read 'fry' as a date; try today"),
    ("fry", "could not read 'fry' as a date and time; try fri 14:00"),
    ("fri 25:00", "25:00 is not a time: hours go from 0 to 23"),
    ("tomorrow 13pm", "with am/pm the hour goes from 1 to 12"),
    ("12/01/2026 15:00", "write 2026-12-01 or 1.12.2026"),
    ("12/01/2026", "write 2026-12-01 or 1.12.2026"),
    ("blah", "could not read 'blah' as a date and time"),
    ("fri at", "could not read"),
    ("at", "could not read"),
    ("14:00 fri", "could not read"),
    ("fri 14:00 15:00", "could not read"),
    ("2026-02-30 10:00", "February 2026 has no day 30"),
    ("2026-02-30", "February 2026 has no day 30"),
    ("2026-12-01T25:00", "hours go from 0 to 23"),
    ("2026-12-01T1530", "write 15:30 with a colon"),
    ("2026-12-32T10:00", "December 2026 has no day 32"),
    ("2026-12-01T10:00+25:00", "not a UTC offset"),
    ("0001-01-01T00:30+01:00", "too far away"),
    ("thu 2026-11-27 10:00", "is a Friday, not a Thursday"),
]


@pytest.mark.parametrize(("text", "fragment"), BAD_DATETIMES)
def test_parse_datetime_rejects(text: str, fragment: str) -> None:
    with pytest.raises(ValidationError, match=re.escape(fragment)) as caught:
        parse_datetime(text, NOW, field="happened_at")
    assert caught.value.field == "happened_at"


# --- parse_duration --------------------------------------------------------------------------

GOOD_DURATIONS = [
    ("1h", timedelta(hours=1)),
    ("90m", timedelta(minutes=90)),
    ("90min", timedelta(minutes=90)),
    ("90 min", timedelta(minutes=90)),
    ("90 mins", timedelta(minutes=90)),
    ("90 minutes", timedelta(minutes=90)),
    ("1 minute", timedelta(minutes=1)),
    ("1h30", timedelta(minutes=90)),
    ("1h30m", timedelta(minutes=90)),
    ("1h 30m", timedelta(minutes=90)),
    ("1h 30", timedelta(minutes=90)),
    ("1 hour 30 minutes", timedelta(minutes=90)),
    ("1H30M", timedelta(minutes=90)),
    ("1.5h", timedelta(minutes=90)),
    ("1,5h", timedelta(minutes=90)),
    ("0.5h", timedelta(minutes=30)),
    ("45", timedelta(minutes=45)),
    (" 45 ", timedelta(minutes=45)),
    ("1", timedelta(minutes=1)),
    ("2d", timedelta(days=2)),
    ("1 day", timedelta(days=1)),
    ("2 days", timedelta(days=2)),
    ("1d2h", timedelta(days=1, hours=2)),
    ("1d 2h 30m", timedelta(days=1, hours=2, minutes=30)),
    ("1d 2h 30", timedelta(days=1, hours=2, minutes=30)),
    ("2 hours", timedelta(hours=2)),
    ("1 hr", timedelta(hours=1)),
    ("2hrs", timedelta(hours=2)),
    ("1h0", timedelta(hours=1)),
    ("0h30", timedelta(minutes=30)),
    ("1.5m", timedelta(seconds=90)),
]


@pytest.mark.parametrize(("text", "expected"), GOOD_DURATIONS)
def test_parse_duration(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


BAD_DURATIONS = [
    ("", "no duration given"),
    ("  ", "no duration given"),
    ("0", "no time at all"),
    ("0m", "no time at all"),
    ("0h0m", "no time at all"),
    ("0.0h", "no time at all"),
    ("-1h", "is negative"),
    ("-45", "is negative"),
    ("h", "could not read 'h' as a duration; try 45 (minutes)"),
    ("1x", "could not read"),
    ("1h30x", "could not read"),
    ("30m1h", "could not read"),
    ("2d 30", "could not read"),
    ("1.5.h", "could not read"),
    ("1:30", "could not read"),
    ("abc", "could not read"),
    ("1h-30", "could not read"),
    ("1w", "could not read"),
]


@pytest.mark.parametrize(("text", "fragment"), BAD_DURATIONS)
def test_parse_duration_rejects(text: str, fragment: str) -> None:
    with pytest.raises(ValidationError, match=re.escape(fragment)) as caught:
        parse_duration(text, field="length")
    assert caught.value.field == "length"


# --- describe --------------------------------------------------------------------------------

DESCRIPTIONS = [
    (datetime(2026, 11, 27, 14, 0, tzinfo=BERLIN), "Fri 2026-11-27 14:00"),
    (datetime(2026, 11, 27, 9, 5, 59, tzinfo=BERLIN), "Fri 2026-11-27 09:05"),
    (datetime(2026, 11, 30, 0, 0), "Mon 2026-11-30 00:00"),
    (date(2026, 11, 27), "Fri 2026-11-27"),
    (date(2026, 11, 29), "Sun 2026-11-29"),
    (date(1, 1, 1), "Mon 0001-01-01"),
]


@pytest.mark.parametrize(("value", "expected"), DESCRIPTIONS)
def test_describe(value: date | datetime, expected: str) -> None:
    assert describe(value) == expected


# --- properties ------------------------------------------------------------------------------

FAST = settings(max_examples=150, deadline=None, database=None)

GRAMMAR_WORDS = [
    "today", "tod", "tomorrow", "tom", "yesterday", "next", "last", "in", "ago", "at", "day",
    "days", "weeks", "month", "years", "fri", "sun", "mon", "week", "eom", "eow", "eoy", "som",
    "noon", "midnight", "pm", "am", "p.m.", "h", "m", "d", "min", "hours", "+", "-", ".", ":",
    "/", ",", "t", "z", "0", "1", "3", "12", "13", "24", "29", "31", "60", "99", "2026", "0000",
    "9999", "+3d", "-2w", "+1m", "+1y", "15:00", "3pm", "1.12.", "31.4.", "2026-02-29",
    "2026-12-01t15:30", "+01:00", "1h30", "1.5h", "999999", "+999999y",
]  # fmt: skip

near_grammar = st.one_of(
    st.text(),
    st.lists(st.sampled_from(GRAMMAR_WORDS), min_size=1, max_size=4).map(" ".join),
    st.lists(st.sampled_from(GRAMMAR_WORDS), min_size=1, max_size=4).map("".join),
    st.from_regex(
        r"[+-]?[0-9]{1,8}[.:/hmdwy-]?[0-9]{0,4}[.:-]?[0-9]{0,5}[a-z ]{0,3}", fullmatch=True
    ),
)
any_now = st.datetimes(timezones=st.sampled_from([UTC, BERLIN]))


@FAST
@given(text=near_grammar, now=any_now)
def test_parse_date_never_fails_unexpectedly(text: str, now: datetime) -> None:
    try:
        assert type(parse_date(text, now)) is date
    except ValidationError as error:
        assert error.field == "date" and error.message


@FAST
@given(text=near_grammar)
def test_parse_time_never_fails_unexpectedly(text: str) -> None:
    try:
        assert type(parse_time(text)) is time
    except ValidationError as error:
        assert error.field == "time" and error.message


@FAST
@given(text=near_grammar, now=any_now)
def test_parse_datetime_never_fails_unexpectedly(text: str, now: datetime) -> None:
    try:
        found = parse_datetime(text, now)
    except ValidationError as error:
        assert error.field == "when" and error.message
    else:
        assert type(found) is datetime
        assert found.tzinfo is now.tzinfo


@FAST
@given(text=near_grammar)
def test_parse_duration_never_fails_unexpectedly(text: str) -> None:
    try:
        assert parse_duration(text) > timedelta(0)
    except ValidationError as error:
        assert error.field == "duration" and error.message


@FAST
@given(day=st.dates())
def test_iso_dates_round_trip(day: date) -> None:
    assert parse_date(day.isoformat(), NOW) == day


@FAST
@given(day=st.dates(min_value=date(1000, 1, 1)))
def test_day_month_year_dates_round_trip(day: date) -> None:
    assert parse_date(f"{day.day}.{day.month}.{day.year}", NOW) == day


@FAST
@given(day=st.dates())
def test_described_dates_read_back(day: date) -> None:
    assert parse_date(describe(day), NOW) == day


@FAST
@given(day=st.dates(), hour=st.integers(0, 23), minute=st.integers(0, 59))
def test_described_datetimes_read_back(day: date, hour: int, minute: int) -> None:
    value = datetime.combine(day, time(hour, minute), tzinfo=BERLIN)
    assert parse_datetime(describe(value), NOW) == value


@FAST
@given(hour=st.integers(0, 23), minute=st.integers(0, 59))
def test_clock_times_round_trip_in_both_notations(hour: int, minute: int) -> None:
    expected = time(hour, minute)
    twelve = hour % 12 or 12
    suffix = "am" if hour < 12 else "pm"
    assert parse_time(f"{hour}:{minute:02d}") == expected
    assert parse_time(f"{twelve}:{minute:02d}{suffix}") == expected
    assert parse_time(f"{hour}h{minute:02d}") == expected


@FAST
@given(hours=st.integers(0, 999), minutes=st.integers(0, 59))
def test_hour_minute_durations_add_up(hours: int, minutes: int) -> None:
    expected = timedelta(hours=hours, minutes=minutes)
    if expected:
        assert parse_duration(f"{hours}h{minutes}") == expected
        assert parse_duration(f"{hours * 60 + minutes}") == expected


@FAST
@given(offset=st.integers(-3000, 3000))
def test_day_offsets_agree_with_in_and_ago(offset: int) -> None:
    expected = NOW.date() + timedelta(days=offset)
    assert parse_date(f"{offset:+d}d", NOW) == expected
    phrase = f"in {offset} days" if offset >= 0 else f"{-offset} days ago"
    assert parse_date(phrase, NOW) == expected
