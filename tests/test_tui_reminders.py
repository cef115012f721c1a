"""A due reminder shows over whatever screen is open, with a bell, within 2 s of its time, for
the user it belongs to; o opens it, s/h/t snooze it, d marks it done."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from textual.pilot import Pilot
from tui_data import NOW, SIZE

from smallcrm.app import CrmApp, make_app
from smallcrm.screens.appointment_form import AppointmentForm
from smallcrm.screens.reminder import ReminderScreen
from smallcrm.store import appointments, clock, reminders
from smallcrm.store.db import Database

DUE = NOW + timedelta(minutes=5)


def _app(db: Database, monkeypatch: pytest.MonkeyPatch) -> tuple[CrmApp, list[int]]:
    appointments.create_appointment(
        db, title="Demo at Acme", starts_at=NOW + timedelta(minutes=20), reminder_minutes=15
    )
    app = make_app(db, now=NOW, live_interval=0.05)
    rings: list[int] = []
    monkeypatch.setattr(app, "bell", lambda: rings.append(1))
    return app, rings


async def _wait_for_reminder(pilot: Pilot, seconds: float = 2.0) -> bool:
    for _ in range(int(seconds / 0.05)):
        await asyncio.sleep(0.05)
        await pilot.pause()
        if isinstance(pilot.app.screen, ReminderScreen):
            return True
    return False


async def test_reminder_shows_with_a_bell_at_its_time(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, rings = _app(db, monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        assert not await _wait_for_reminder(pilot, 0.3)
        clock.pin(DUE)
        assert await _wait_for_reminder(pilot)
        assert rings == [1]
        assert "Demo at Acme" in str(app.screen.query_one("#reminder-text").render())
        await pilot.press("d")
        await pilot.pause()
        assert not isinstance(app.screen, ReminderScreen)
        assert reminders.due(db, "tester", DUE) == []
        clock.pin(DUE + timedelta(minutes=1))
        assert not await _wait_for_reminder(pilot, 0.5)


async def test_snooze_shows_it_again(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    app, rings = _app(db, monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        clock.pin(DUE)
        assert await _wait_for_reminder(pilot)
        await pilot.press("s")
        await pilot.pause()
        assert not isinstance(app.screen, ReminderScreen)
        clock.pin(DUE + timedelta(minutes=9))
        assert not await _wait_for_reminder(pilot, 0.5)
        clock.pin(DUE + timedelta(minutes=10))
        assert await _wait_for_reminder(pilot)
        assert rings == [1, 1]


async def test_reminder_shows_over_a_form_and_opens_the_appointment(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, _rings = _app(db, monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        app.open_new("contact")
        await pilot.pause()
        form = app.screen
        clock.pin(DUE)
        assert await _wait_for_reminder(pilot)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is form  # closed: the form is as it was
        await pilot.press("escape")  # leave the form
        await pilot.pause()
        assert not await _wait_for_reminder(pilot, 0.3)  # shown once


async def test_o_opens_it(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    app, _rings = _app(db, monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        clock.pin(DUE)
        assert await _wait_for_reminder(pilot)
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, AppointmentForm)
        assert app.screen.appointment_id == 1


async def test_another_users_reminder_is_not_shown(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    appointments.create_appointment(
        db, title="Theirs", starts_at=NOW + timedelta(minutes=20), reminder_minutes=15, owner="ana"
    )
    app = make_app(db, now=NOW, live_interval=0.05)
    async with app.run_test(size=SIZE) as pilot:
        clock.pin(DUE)
        assert not await _wait_for_reminder(pilot, 0.5)


async def test_several_due_at_once_ring_once_and_lead_to_today(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A morning's follow-ups (or the first start after a while) are one dialog, not one to
    close after another: it counts them and Enter shows them on Today."""
    from smallcrm.screens.reminder import RemindersDueScreen
    from smallcrm.screens.today import TodayScreen

    app, rings = _app(db, monkeypatch)
    for title in ("Call Jana", "Send the quote", "Site visit", "Review"):
        appointments.create_appointment(
            db, title=title, starts_at=NOW + timedelta(minutes=20), reminder_minutes=15
        )
    async with app.run_test(size=SIZE) as pilot:
        clock.pin(DUE)
        for _ in range(40):
            await asyncio.sleep(0.05)
            await pilot.pause()
            if isinstance(app.screen, RemindersDueScreen):
                break
        assert isinstance(app.screen, RemindersDueScreen)
        assert rings == [1]
        text = str(app.screen.query_one("#reminders-text").render())
        assert "5 reminders are due" in text and "and 2 more" in text
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, TodayScreen)
        clock.pin(DUE + timedelta(minutes=1))
        assert not await _wait_for_reminder(pilot, 0.5)
        assert rings == [1]
