"""The calendar (week, month, agenda) and the appointment form, driven with Pilot at 80x24.

"Now" is Wed 2026-11-25 10:30 UTC (the local zone in these tests); the seeded "Demo at Acme"
is on Fri 2026-11-27 14:00-15:00.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from textual.widgets import Input, OptionList, Static
from tui_data import SIZE, Seeded, app_for

from smallcrm.app import CrmApp
from smallcrm.screens.appointment_form import AppointmentForm
from smallcrm.screens.calendar import CalendarScreen
from smallcrm.screens.confirm import ConfirmScreen
from smallcrm.screens.help import HelpScreen
from smallcrm.store import appointments, interactions
from smallcrm.store.db import Database
from smallcrm.store.errors import NotFoundError
from smallcrm.widgets.calendar_views import AgendaList, MonthGrid, WeekGrid

pytest_plugins = ["tui_fixtures"]  # The fixed clock and the seeded database.


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in November 2026 (UTC is the local zone here)."""
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


async def open_calendar(pilot) -> CalendarScreen:  # noqa: ANN001 - a Pilot
    """F6: the week view, cursor on today at the current hour."""
    await pilot.press("f6")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, CalendarScreen)
    return screen


def cell(app: CrmApp, day: date, hour: int) -> str:
    """The text of the week grid's slot for ``day`` at ``hour`` (-1: the all-day row)."""
    grid = app.screen.query_one(WeekGrid)
    for coordinate, slot in grid.cells.items():
        if slot == (day, hour):
            return str(grid.get_cell_at(coordinate))
    raise AssertionError(f"{day} {hour} is not in the grid")


def text_of(app: CrmApp, selector: str) -> str:
    """What a Static on the current screen shows."""
    return str(app.screen.query_one(selector, Static).render())


async def test_week_view_opens_on_today_with_todays_list_on_top(
    tui_db: Database, seeded: Seeded
) -> None:
    appointments.create_appointment(
        tui_db, title="Standup", starts_at=at(25, 9), duration=timedelta(minutes=15)
    )
    interactions.log_interaction(
        tui_db,
        kind="call",
        subject="Chase the quote",
        contact_id=seeded.olivia,
        happened_at=at(20, 9),
        follow_up_on=date(2026, 11, 24),
    )
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_calendar(pilot)
        today = screen.query_one("#cal-today", OptionList)
        assert today.border_title == ("Today, Wed 2026-11-25: 1 appointment, 1 follow-up due")
        lines = [str(today.get_option_at_index(i).prompt) for i in range(today.option_count)]
        assert "09:00-09:15" in lines[0] and "Standup" in lines[0]
        assert "Chase the quote" in lines[1] and "1 day overdue" in lines[1]
        assert text_of(app, "#cal-title").startswith("Week 48: Mon 2026-11-23 to Sun 2026-11-29")
        assert (screen.cursor, screen.hour) == (date(2026, 11, 25), 10)
        assert "Demo at" in cell(app, date(2026, 11, 27), 14)
        assert "|" not in cell(app, date(2026, 11, 27), 15), "it ends at 15:00"


async def test_create_a_recurring_appointment_in_a_slot_and_see_it_in_week_view(
    tui_db: Database, seeded: Seeded
) -> None:
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_calendar(pilot)
        await pilot.press("right", "down", "down", "down", "down")  # Thu 26, 14:00
        assert (screen.cursor, screen.hour) == (date(2026, 11, 26), 14)
        assert "Thu 2026-11-26 14:00: free" in text_of(app, "#cal-detail")
        await pilot.press("n")
        form = app.screen
        assert isinstance(form, AppointmentForm)
        assert form.query_one("#starts_at", Input).value == "Thu 2026-11-26 14:00"
        await pilot.press(*"Sync")
        await pilot.press("tab", "tab", "tab", "tab", "tab")  # start, length, all day, place
        await pilot.press("enter", "down", "down", "down", "enter")  # Repeat: weekly
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is screen
        saved = [a for a in appointments.list_appointments(tui_db).items if a.title == "Sync"]
        assert len(saved) == 1
        sync = saved[0]
        assert (sync.starts_at, sync.ends_at, sync.rrule) == (
            at(26, 14),
            at(26, 15),
            "FREQ=WEEKLY",
        )
        assert "Sync" in cell(app, date(2026, 11, 26), 14)
        await pilot.press("right_square_bracket")  # next week
        assert text_of(app, "#cal-title").startswith("Week 49: Mon 2026-11-30")
        assert "Sync" in cell(app, date(2026, 12, 3), 14)
        assert "(repeats)" in text_of(app, "#cal-detail")


async def test_overlapping_appointments_are_flagged(tui_db: Database, seeded: Seeded) -> None:
    appointments.create_appointment(
        tui_db, title="Call Max", starts_at=at(25, 15), duration=timedelta(hours=1)
    )
    appointments.create_appointment(
        tui_db, title="Visit", starts_at=at(25, 15, 30), duration=timedelta(hours=1)
    )
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_calendar(pilot)
        assert "! 2 overlapping" in text_of(app, "#cal-title")
        slot = cell(app, date(2026, 11, 25), 15)
        assert slot.startswith("!") and "+1" in slot
        await pilot.press(*["down"] * 5)
        assert screen.hour == 15
        assert "overlaps" in text_of(app, "#cal-detail") and "(+1 more)" in text_of(
            app, "#cal-detail"
        )
        await pilot.press("enter")  # two in the slot: which one?
        choice = app.screen
        assert choice.query_one(OptionList).option_count == 3  # both, and "new here"
        await pilot.press("down", "enter")
        assert isinstance(app.screen, AppointmentForm)
        assert app.screen.query_one("#title", Input).value == "Visit"


async def test_month_and_agenda_views_and_moving_by_period(
    tui_db: Database, seeded: Seeded
) -> None:
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_calendar(pilot)
        await pilot.press("m")
        assert isinstance(screen.current_view(), MonthGrid)
        assert text_of(app, "#cal-title").startswith("November 2026")
        await pilot.press("right", "right")  # Fri 27
        await pilot.pause()  # The grid tells the screen its new cell by a message.
        assert "14:00-15:00 Demo at Acme" in text_of(app, "#cal-detail")
        await pilot.press("down")  # a week on: Fri 4 December, still on the grid
        assert screen.cursor == date(2026, 12, 4)
        assert text_of(app, "#cal-title").startswith("December 2026")
        await pilot.press("t")
        assert screen.cursor == date(2026, 11, 25)
        await pilot.press("pagedown")
        assert text_of(app, "#cal-title").startswith("December 2026")
        await pilot.press("t", "enter")  # Enter on a day opens its week
        assert isinstance(screen.current_view(), WeekGrid)
        await pilot.press("a")
        agenda = screen.query_one(AgendaList)
        assert agenda.has_focus
        assert text_of(app, "#cal-title").startswith("Agenda: Wed 2026-11-25 to Tue 2026-12-08")
        lines = [str(o.prompt) for o in agenda.options]
        assert lines[0] == "Fri 2026-11-27" and "Demo at Acme · Jana Novak" in lines[1]
        await pilot.press("enter")
        assert isinstance(app.screen, AppointmentForm)
        assert app.screen.appointment_id == seeded.demo


async def test_enter_opens_an_appointment_and_saves_changes(
    tui_db: Database, seeded: Seeded
) -> None:
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await open_calendar(pilot)
        await pilot.press("right", "right", *["down"] * 4, "enter")  # Fri 27, 14:00
        form = app.screen
        assert isinstance(form, AppointmentForm)
        assert form.query_one("#starts_at", Input).value == "Fri 2026-11-27 14:00"
        assert form.query_one("#duration", Input).value == "1h"
        form.query_one("#location", Input).value = "Room 2"
        form.query_one("#starts_at", Input).value = "fri 16:00"
        await pilot.press("ctrl+s")
        await pilot.pause()
        demo = appointments.get_appointment(tui_db, seeded.demo)
        assert (demo.location, demo.starts_at, demo.ends_at) == (
            "Room 2",
            at(27, 16),
            at(27, 17),
        )
        assert "Demo at" in cell(app, date(2026, 11, 27), 16)
        assert app.screen.hour == 16, "the cursor follows the appointment"


async def test_delete_asks_and_ctrl_z_brings_it_back(tui_db: Database, seeded: Seeded) -> None:
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await open_calendar(pilot)
        await pilot.press("right", "right", *["down"] * 4, "d")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        appointments.get_appointment(tui_db, seeded.demo)  # still there
        await pilot.press("d", "y")
        await pilot.pause()
        try:
            appointments.get_appointment(tui_db, seeded.demo)
            raise AssertionError("the appointment should be in the trash")
        except NotFoundError:
            pass
        assert cell(app, date(2026, 11, 27), 14) == ""
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert "Demo at" in cell(app, date(2026, 11, 27), 14)


async def test_skip_one_occurrence_of_a_repeating_appointment(
    tui_db: Database, seeded: Seeded
) -> None:
    standup = appointments.create_appointment(
        tui_db,
        title="Standup",
        starts_at=at(23, 9),
        duration=timedelta(minutes=15),
        rrule="FREQ=DAILY",
    )
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await open_calendar(pilot)
        assert "Standup" in cell(app, date(2026, 11, 29), 9), "repeats every day"
        await pilot.press("up", "s")  # Wed 25, 09:00
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await pilot.pause()
        assert appointments.get_appointment(tui_db, standup.id).exdates == (at(25, 9),)
        assert cell(app, date(2026, 11, 25), 9) == ""
        assert "Standup" in cell(app, date(2026, 11, 26), 9)


async def test_a_due_follow_up_is_done_from_the_list_on_top(
    tui_db: Database, seeded: Seeded
) -> None:
    due = interactions.log_interaction(
        tui_db,
        kind="email",
        subject="Send the offer",
        contact_id=seeded.olivia,
        happened_at=at(20, 9),
        follow_up_on=date(2026, 11, 25),
    )
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_calendar(pilot)
        screen.query_one("#cal-today", OptionList).focus()
        await pilot.pause()
        await pilot.press("c")
        assert interactions.get_interaction(tui_db, due.id).follow_up_done
        assert "0 follow-ups due" in screen.query_one("#cal-today").border_title


async def test_appointment_form_errors_inline_and_esc_leaves_no_trace(
    tui_db: Database, seeded: Seeded
) -> None:
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await open_calendar(pilot)
        await pilot.press("n", *"Lunch")
        form = app.screen
        start = form.query_one("#starts_at", Input)
        start.value = "blorp"
        await pilot.pause()
        assert "could not read" in start.border_subtitle, "the field says it as you type"
        await pilot.press("ctrl+s")
        assert app.screen is form and start.has_class("-field-error") and start.has_focus
        assert form.query_one("#title", Input).value == "Lunch"
        start.value = "tomorrow noon"
        form.query_one("#duration", Input).value = "11:00"  # an end before the start
        await pilot.pause()
        await pilot.press("ctrl+s")
        duration = form.query_one("#duration", Input)
        assert app.screen is form and duration.has_class("-field-error")
        duration.value = "45"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        lunch = [a for a in appointments.list_appointments(tui_db).items if a.title == "Lunch"]
        assert [(a.starts_at, a.ends_at) for a in lunch] == [(at(26, 12), at(26, 12, 45))]
        await pilot.press("n", *"Nope", "escape", "d")  # asked first: d discards
        assert isinstance(app.screen, CalendarScreen)
        titles = {a.title for a in appointments.list_appointments(tui_db).items}
        assert "Nope" not in titles


async def test_form_from_a_contact_links_the_contact_and_its_account(
    tui_db: Database, seeded: Seeded
) -> None:
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await open_calendar(pilot)
        app.push_screen(AppointmentForm(contact_id=seeded.jana, start=at(30, 11)))
        await pilot.pause()
        await pilot.press(*"Visit", "ctrl+s")
        await pilot.pause()
        visit = next(a for a in appointments.list_appointments(tui_db).items if a.title == "Visit")
        assert (visit.contact_id, visit.account_id, visit.starts_at) == (
            seeded.jana,
            seeded.acme,
            at(30, 11),
        )


async def test_f1_shows_the_help_of_the_calendar_and_its_form(
    tui_db: Database, seeded: Seeded
) -> None:
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await open_calendar(pilot)
        for opener, screen_type, keys in (
            ((), CalendarScreen, {"New", "Month", "Agenda", "Today"}),
            (("n",), AppointmentForm, {"Save", "Cancel"}),
        ):
            await pilot.press(*opener)
            assert isinstance(app.screen, screen_type)
            await pilot.press("f1")
            help_screen = app.screen
            assert isinstance(help_screen, HelpScreen)
            assert help_screen.text == screen_type.HELP
            assert keys <= {row.description for row in help_screen.rows}
            await pilot.press("f1")
            assert isinstance(app.screen, screen_type)


def test_week_view_snapshot(snap_compare, tui_db: Database, seeded: Seeded) -> None:  # noqa: ANN001
    appointments.create_appointment(
        tui_db,
        title="Standup",
        starts_at=at(23, 9),
        duration=timedelta(minutes=15),
        rrule="FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
    )
    appointments.create_appointment(
        tui_db, title="Call Max", starts_at=at(25, 11), duration=timedelta(hours=1)
    )
    appointments.create_appointment(
        tui_db, title="Visit Harbor", starts_at=at(25, 11, 30), duration=timedelta(hours=2)
    )
    appointments.create_appointment(
        tui_db, title="Trade fair", starts_at=at(26, 0), duration=timedelta(days=2), all_day=True
    )
    assert snap_compare(app_for(tui_db), press=["f6"], terminal_size=SIZE)


def test_month_view_snapshot(snap_compare, tui_db: Database, seeded: Seeded) -> None:  # noqa: ANN001
    appointments.create_appointment(
        tui_db,
        title="Review",
        starts_at=at(12, 10),
        duration=timedelta(hours=1),
        rrule="FREQ=WEEKLY",
    )
    assert snap_compare(app_for(tui_db), press=["f6", "m"], terminal_size=SIZE)


async def test_a_narrow_week_keeps_every_day_number_whole(tui_db: Database, seeded: Seeded) -> None:
    """At 60x20 the day headings shorten their names, never their numbers (was ``Mon 0``)."""
    app = app_for(tui_db)
    async with app.run_test(size=(60, 20)) as pilot:
        await open_calendar(pilot)
        grid = app.screen.query_one(WeekGrid)
        headings = [str(column.label) for column in grid.columns.values()]
        assert len(headings) == 7
        week = [date(2026, 11, 23) + timedelta(days=n) for n in range(7)]
        for heading, day in zip(headings, week, strict=True):
            assert f"{day.day:02d}" in heading, headings
        widths = [column.width for column in grid.columns.values()]
        assert all(len(h) <= w for h, w in zip(headings, widths, strict=True)), widths


def test_day_labels_shorten_the_name_first() -> None:
    from smallcrm.widgets.calendar_views import day_label

    monday = date(2026, 11, 2)
    assert [day_label(monday, w) for w in (6, 5, 4, 3, 2)] == [
        "Mon 02",
        "Mo 02",
        "M02",
        "M02",
        "02",
    ]
