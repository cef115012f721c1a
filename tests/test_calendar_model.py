"""The calendar's arithmetic and the deal and duration texts, without an app."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from smallcrm.store.errors import ValidationError
from smallcrm.store.records import Appointment, Occurrence, Tracking
from smallcrm.widgets import calendar_model as cal
from smallcrm.widgets.deal_card import compact_amount, format_amount
from smallcrm.widgets.duration_field import length_text, read_end


@pytest.fixture(autouse=True)
def utc_zone(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """UTC as the local zone, so local days are predictable."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def occurrence(start: datetime, end: datetime | None, *, all_day: bool = False) -> Occurrence:
    """An occurrence of a throwaway appointment."""
    stamp = datetime(2026, 1, 1, tzinfo=UTC)
    appointment = Appointment(
        id=1, title="x", starts_at=start, ends_at=end, all_day=all_day, location=None,
        notes=None, contact_id=None, contact_name=None, account_id=None, account_name=None,
        opportunity_id=None, rrule=None, exdates=(), reminder_minutes=None, owner=None,
        tracking=Tracking(stamp, stamp, "t", "t", 1),
    )  # fmt: skip
    return Occurrence(appointment, start, end)


def test_weeks_start_on_monday_and_a_month_grid_has_six() -> None:
    assert cal.week_start(date(2026, 11, 29)) == date(2026, 11, 23)
    weeks = cal.month_weeks(date(2026, 11, 25))
    assert len(weeks) == 6 and all(len(w) == 7 for w in weeks)
    assert weeks[0][0] == date(2026, 10, 26) and weeks[-1][-1] == date(2026, 12, 6)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
        (date(2026, 3, 31), -13, date(2025, 2, 28)),
    ],
)
def test_shift_month_clamps_to_shorter_months(day: date, months: int, expected: date) -> None:
    assert cal.shift_month(day, months) == expected


def test_periods_and_steps_per_view() -> None:
    wed = date(2026, 11, 25)
    assert cal.period("week", wed) == cal.Period(date(2026, 11, 23), date(2026, 11, 30))
    assert len(cal.period("agenda", wed).days) == cal.AGENDA_DAYS
    assert cal.step("week", wed, -1) == date(2026, 11, 18)
    assert cal.step("month", wed, 1) == date(2026, 12, 25)
    assert cal.step("agenda", wed, 1) == wed + timedelta(days=cal.AGENDA_DAYS)


def test_occurrences_fall_into_days_and_slots() -> None:
    meeting = occurrence(
        datetime(2026, 11, 25, 9, 30, tzinfo=UTC), datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    )
    fair = occurrence(
        datetime(2026, 11, 26, tzinfo=UTC), datetime(2026, 11, 28, tzinfo=UTC), all_day=True
    )
    days = cal.by_day([meeting, fair])
    assert set(days) == {date(2026, 11, 25), date(2026, 11, 26), date(2026, 11, 27)}
    assert cal.by_slot([meeting, fair]) == {(date(2026, 11, 25), 9): [meeting]}
    assert cal.continuing([meeting]) == {(date(2026, 11, 25), 10), (date(2026, 11, 25), 11)}
    assert cal.span_text(meeting) == "09:30-12:00" and cal.span_text(fair) == "all day"


@pytest.mark.parametrize("zone", ["America/New_York", "Asia/Kolkata", "Pacific/Kiritimati"])
def test_an_all_day_occurrence_covers_its_own_days_in_every_zone(
    zone: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from smallcrm.store import clock, settings

    monkeypatch.setenv("SMALLCRM_TIMEZONE", zone)
    settings.reload()
    # As the store gives it (the business's midnights), and as 00:00 UTC of the same days.
    local = occurrence(clock.at(date(2026, 11, 26)), clock.at(date(2026, 11, 28)), all_day=True)
    utc = occurrence(
        datetime(2026, 11, 26, tzinfo=UTC), datetime(2026, 11, 28, tzinfo=UTC), all_day=True
    )
    for fair in (local, utc):
        assert cal.days_covered(fair) == [date(2026, 11, 26), date(2026, 11, 27)]
        assert set(cal.by_day([fair])) == {date(2026, 11, 26), date(2026, 11, 27)}
    settings.reload()


def test_a_night_shift_covers_both_days_but_an_end_at_midnight_does_not() -> None:
    night = occurrence(
        datetime(2026, 11, 25, 22, tzinfo=UTC), datetime(2026, 11, 26, 2, tzinfo=UTC)
    )
    evening = occurrence(
        datetime(2026, 11, 25, 22, tzinfo=UTC), datetime(2026, 11, 26, 0, tzinfo=UTC)
    )
    assert cal.days_covered(night) == [date(2026, 11, 25), date(2026, 11, 26)]
    assert cal.days_covered(evening) == [date(2026, 11, 25)]


@pytest.mark.parametrize(
    ("text", "end"),
    [
        ("1h30", datetime(2026, 11, 25, 15, 30, tzinfo=UTC)),
        ("45", datetime(2026, 11, 25, 14, 45, tzinfo=UTC)),
        ("15:30", datetime(2026, 11, 25, 15, 30, tzinfo=UTC)),
        ("fri 16:00", datetime(2026, 11, 27, 16, 0, tzinfo=UTC)),
        ("", None),
    ],
)
def test_duration_or_end(text: str, end: datetime | None) -> None:
    assert read_end(text, datetime(2026, 11, 25, 14, tzinfo=UTC)) == end


@pytest.mark.parametrize(("text", "words"), [("13:00", "not after the start"), ("zz", "15:30")])
def test_duration_or_end_errors_say_what_is_wrong(text: str, words: str) -> None:
    with pytest.raises(ValidationError) as error:
        read_end(text, datetime(2026, 11, 25, 14, tzinfo=UTC))
    assert error.value.field == "duration" and words in error.value.message


def test_texts_for_lengths_and_money() -> None:
    assert [length_text(timedelta(minutes=m)) for m in (45, 90, 1440, 1500)] == [
        "45m",
        "1h 30m",
        "1d",
        "1d 1h",
    ]
    assert format_amount(Decimal("12000.00"), "EUR") == "12,000 EUR"
    assert format_amount(Decimal("8500.50")) == "8,500.50"
    assert [compact_amount(Decimal(n)) for n in (950, 12500, 3_200_000)] == ["950", "12.5k", "3.2M"]
