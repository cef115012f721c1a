"""Properties of recurring appointments over random zones, starts, rules, UNTILs and EXDATEs.

- the occurrences are the same whatever the machine's zone (TZ=UTC, Europe/Berlin,
  America/New_York, Asia/Kolkata), and each falls on the series' own wall clock;
- a series cut by UNTIL (a UTC instant, a floating time or a date) keeps the occurrence at UNTIL;
- a skipped occurrence or day is gone, and only it;
- a series exported to iCalendar and imported again has the same occurrences.
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, available_timezones

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from machine_zones import MACHINE_ZONES, machine_zone

from smallcrm.store import appointments, clock, records
from smallcrm.store.db import Database
from smallcrm.store.io import import_file
from smallcrm.store.io.ical_write import write_ics

PROPERTY = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
ZONES = sorted(z for z in available_timezones() if not z.startswith(("SystemV/", "posix")))
FREQS = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")


@st.composite
def series(draw: st.DrawFn) -> dict[str, object]:
    """A random timed series: its zone, a wall-clock start in it, a rule with a COUNT."""
    zone = draw(st.sampled_from(ZONES))
    day = draw(st.dates(min_value=date(1990, 1, 1), max_value=date(2035, 12, 31)))
    wall = draw(st.times(min_value=time(0), max_value=time(23, 59)).map(lambda t: t.replace(
        second=0, microsecond=0)))  # fmt: skip
    freq = draw(st.sampled_from(FREQS))
    interval = draw(st.integers(1, 3))
    count = draw(st.integers(2, 8))
    return {
        "zone": zone,
        "start": clock.local_datetime(datetime.combine(day, wall), ZoneInfo(zone)),
        "rule": f"FREQ={freq};INTERVAL={interval};COUNT={count}",
        "count": count,
        "length": timedelta(minutes=draw(st.sampled_from([0, 30, 90, 24 * 60 + 15]))),
    }


def _create(
    db: Database, spec: dict[str, object], rule: str, **extra: object
) -> records.Appointment:
    length = spec["length"]
    assert isinstance(length, timedelta)
    return appointments.create_appointment(
        db,
        title="Series",
        starts_at=spec["start"],
        duration=length or None,
        rrule=rule,
        time_zone=spec["zone"],
        **extra,
    )


def _all(item: records.Appointment) -> list[datetime]:
    """Every occurrence of a short series (UTC instants)."""
    start = item.starts_at - timedelta(days=2)
    end = item.starts_at + timedelta(days=366 * 3 * 8 + 5)
    return [s.astimezone(UTC) for s, _ in appointments.expand(item, start, end)]


@PROPERTY
@given(spec=series())
def test_occurrences_do_not_depend_on_the_machine_zone(db: Database, spec: dict) -> None:
    item = _create(db, spec, spec["rule"])
    seen = []
    for name in MACHINE_ZONES:
        with machine_zone(name):
            seen.append(_all(appointments.get_appointment(db, item.id)))
    assert all(found == seen[0] for found in seen)
    assert len(seen[0]) == spec["count"]
    tz = ZoneInfo(spec["zone"])
    wall = spec["start"].astimezone(tz).time()
    for occurrence in seen[0]:
        local = occurrence.astimezone(tz)
        # On the series' wall clock: the same time of day, or moved on by a spring gap.
        assert local == clock.local_datetime(datetime.combine(local.date(), wall), tz) or (
            clock.local_datetime(datetime.combine(local.date() - timedelta(days=1), wall), tz)
            == local
        )


@PROPERTY
@given(spec=series(), data=st.data())
def test_no_occurrence_is_lost_at_until(db: Database, spec: dict, data: st.DataObject) -> None:
    every = _all(_create(db, spec, spec["rule"]))
    keep = data.draw(st.integers(1, len(every)))
    last = every[keep - 1].astimezone(ZoneInfo(spec["zone"]))
    form = data.draw(st.sampled_from(["utc", "floating", "date"]))
    until = {
        "utc": last.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ"),
        "floating": last.strftime("%Y%m%dT%H%M%S"),
        "date": last.strftime("%Y%m%d"),
    }[form]
    rule = spec["rule"].split(";COUNT=")[0] + f";UNTIL={until}"
    cut = _create(db, spec, rule)
    with machine_zone(data.draw(st.sampled_from(MACHINE_ZONES))):
        assert _all(appointments.get_appointment(db, cut.id)) == every[:keep]


@PROPERTY
@given(spec=series(), data=st.data())
def test_skipped_occurrences_and_days_are_gone(
    db: Database, spec: dict, data: st.DataObject
) -> None:
    every = _all(_create(db, spec, spec["rule"]))
    tz = ZoneInfo(spec["zone"])
    chosen = data.draw(st.sets(st.sampled_from(every), max_size=len(every) - 1))
    as_days = data.draw(st.booleans())
    skipped = [c.astimezone(tz).date() if as_days else c for c in chosen]
    item = _create(db, spec, spec["rule"], exdates=skipped)
    assert _all(item) == [e for e in every if e not in chosen]


@pytest.fixture
def other_db(new_database_url: object) -> Database:
    from smallcrm.store.db import open_database

    return open_database(new_database_url("other.db"))  # type: ignore[operator]


@PROPERTY
@given(spec=series(), data=st.data())
def test_an_exported_series_imports_with_the_same_occurrences(
    db: Database, other_db: Database, tmp_path_factory: pytest.TempPathFactory, spec: dict,
    data: st.DataObject,
) -> None:  # fmt: skip
    every = _all(_create(db, spec, spec["rule"]))
    form = data.draw(st.sampled_from(["count", "until", "skip"]))
    if form == "until":
        rule = spec["rule"].split(";COUNT=")[0] + f";UNTIL={every[-1]:%Y%m%dT%H%M%SZ}"
        item = _create(db, spec, rule)
    else:
        skip = [every[-1].astimezone(ZoneInfo(spec["zone"])).date()] if form == "skip" else []
        item = _create(db, spec, spec["rule"], exdates=skip)
    out = io.StringIO()
    with machine_zone(data.draw(st.sampled_from(MACHINE_ZONES))):
        write_ics(out, [appointments.get_appointment(db, item.id)])
    path = tmp_path_factory.mktemp("ics") / "one.ics"
    path.write_text(out.getvalue(), encoding="utf-8", newline="")
    with machine_zone(data.draw(st.sampled_from(MACHINE_ZONES))):
        report = import_file(other_db, path)
    assert report.created == 1 and not report.warnings, report.warnings
    copy = appointments.get_appointment(other_db, report.rows[0].record_id)
    assert _all(copy) == _all(item)
    # icalendar writes a zone that keeps UTC's clock (Africa/Abidjan) as UTC, the same instants
    assert copy.time_zone in (spec["zone"], "UTC")
