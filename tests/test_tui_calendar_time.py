"""The app's calendar and form with a business in New York: all-day entries on their date,
new appointments in the business's zone, edits keep an appointment's own zone; the same under
every machine zone."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from machine_zones import MACHINE_ZONES, machine_zone
from textual.widgets import Input
from tui_data import SIZE, app_for

from smallcrm.screens.appointment_form import AppointmentForm
from smallcrm.screens.calendar import CalendarScreen
from smallcrm.store import appointments, clock, settings
from smallcrm.store.db import Database
from smallcrm.widgets.calendar_views import AgendaList, WeekGrid

pytest_plugins = ["tui_fixtures"]
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture(params=MACHINE_ZONES)
def new_york_db(
    request: pytest.FixtureRequest, tui_db: Database, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Database]:
    """The test database, a business in New York, and the machine in each of four zones."""
    monkeypatch.setenv("SMALLCRM_TIMEZONE", "America/New_York")
    settings.reload()
    with machine_zone(request.param):
        yield tui_db
    settings.reload()


def week_cell(screen: CalendarScreen, day: date, hour: int) -> str:
    grid = screen.query_one(WeekGrid)
    for coordinate, slot in grid.cells.items():
        if slot == (day, hour):
            return str(grid.get_cell_at(coordinate))
    raise AssertionError(f"{day} {hour} is not in the grid")


async def test_all_day_entries_sit_on_their_date(new_york_db: Database) -> None:
    appointments.create_appointment(
        new_york_db, title="Holiday", starts_at=date(2026, 11, 26), all_day=True
    )
    appointments.create_appointment(
        new_york_db,
        title="Fair",
        starts_at=date(2026, 11, 27),
        ends_at=date(2026, 11, 29),
        all_day=True,
    )
    app = app_for(new_york_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f6")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CalendarScreen)
        row = WeekGrid.ALL_DAY_ROW
        assert "Holiday" in week_cell(screen, date(2026, 11, 26), row)
        assert "Holiday" not in week_cell(screen, date(2026, 11, 25), row)
        assert "Holiday" not in week_cell(screen, date(2026, 11, 27), row)
        assert [
            d for d in range(23, 30) if "Fair" in week_cell(screen, date(2026, 11, d), row)
        ] == [
            27,
            28,
        ]
        await pilot.press("a")
        lines = [str(o.prompt) for o in screen.query_one(AgendaList).options]
        holiday = lines.index("Thu 2026-11-26")
        assert "Holiday" in lines[holiday + 1]


async def test_the_form_makes_appointments_in_the_business_zone_and_keeps_their_own(
    new_york_db: Database,
) -> None:
    berlin = appointments.create_appointment(
        new_york_db,
        title="Berlin call",
        starts_at=datetime(2026, 11, 27, 15, tzinfo=BERLIN),
        duration=timedelta(hours=1),
        rrule="FREQ=WEEKLY",
        time_zone="Europe/Berlin",
    )
    app = app_for(new_york_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f6")
        await pilot.pause()
        await pilot.press("n")
        form = app.screen
        assert isinstance(form, AppointmentForm)
        await pilot.press(*"Sync")
        await pilot.press("ctrl+s")
        await pilot.pause()
        saved = [a for a in appointments.iter_appointments(new_york_db) if a.title == "Sync"]
        assert saved[0].time_zone == "America/New_York"
        screen = app.screen
        assert isinstance(screen, CalendarScreen)
        screen.move_to(date(2026, 11, 27), 9)  # 15:00 in Berlin is 09:00 here
        await pilot.pause()
        assert "Berlin" in week_cell(screen, date(2026, 11, 27), 9)
        await pilot.press("enter")
        form = app.screen
        assert isinstance(form, AppointmentForm)
        assert form.query_one("#starts_at", Input).value == "Fri 2026-11-27 09:00"
        form.query_one("#location", Input).value = "Video"
        await pilot.press("ctrl+s")
        await pilot.pause()
    again = appointments.get_appointment(new_york_db, berlin.id)
    assert (again.location, again.time_zone) == ("Video", "Europe/Berlin")
    assert again.starts_at == berlin.starts_at
    assert clock.zone_name() == "America/New_York"
