"""Today in three keys: from any screen F7 shows today's appointments and every follow-up due or
overdue, overdue first, the first row under the cursor; Enter opens it, d marks it done, s/h/t
snooze it; the palette finds it by "today" and "due"; F1 describes its keys as bound."""

from __future__ import annotations

import re
from datetime import date, timedelta

from textual.binding import Binding
from textual.command import CommandList, CommandPalette
from tui_data import NOW, SIZE, Seeded, app_for, snapshot, steady

from smallcrm.screens.calendar import CalendarScreen
from smallcrm.screens.contact_detail import ContactDetailScreen
from smallcrm.screens.contacts import ContactsScreen
from smallcrm.screens.help import HelpScreen
from smallcrm.screens.interaction_detail import InteractionDetailScreen
from smallcrm.screens.today import TodayList, TodayScreen
from smallcrm.store import appointments, interactions, reminders
from smallcrm.store import today as agenda
from smallcrm.store.db import Database
from smallcrm.widgets.tab_bar import TabBar

pytest_plugins = ["tui_fixtures"]  # The fixed clock and the seeded database.


def _day(db: Database, seeded: Seeded) -> dict[str, int]:
    """A day with something in each place: overdue follow-ups, appointments before, during
    and after now (10:30), a follow-up due today, and another user's follow-up."""
    late = interactions.log_interaction(
        db,
        kind="call",
        subject="Send the quote",
        happened_at=NOW - timedelta(days=9),
        contact_id=seeded.olivia,
        follow_up_on=date(2026, 11, 23),
    )
    older = interactions.log_interaction(
        db,
        kind="email",
        subject="Chase the invoice",
        happened_at=NOW - timedelta(days=12),
        contact_id=seeded.max,
        follow_up_on=date(2026, 11, 20),
    )
    due = interactions.log_interaction(
        db,
        kind="email",
        subject="Ask about the pilot",
        happened_at=NOW - timedelta(days=2),
        contact_id=seeded.max,
        follow_up_on=date(2026, 11, 25),
    )
    interactions.log_interaction(
        db,
        kind="note",
        subject="Not mine",
        happened_at=NOW - timedelta(days=2),
        contact_id=seeded.jana,
        follow_up_on=date(2026, 11, 24),
        actor="ana",
    )
    standup = appointments.create_appointment(
        db, title="Standup", starts_at=NOW.replace(hour=9), duration=timedelta(minutes=15)
    )
    call = appointments.create_appointment(
        db,
        title="Call Max",
        starts_at=NOW.replace(hour=14),
        duration=timedelta(hours=1),
        contact_id=seeded.max,
    )
    review = appointments.create_appointment(
        db,
        title="Review",
        starts_at=NOW.replace(hour=10, minute=20),
        duration=timedelta(minutes=30),
        reminder_minutes=15,
    )
    return {
        "late": late.id,
        "older": older.id,
        "due": due.id,
        "standup": standup.id,
        "call": call.id,
        "review": review.id,
    }


def _rows(app: object) -> list[agenda.Item]:
    screen = app.screen  # type: ignore[attr-defined]
    assert isinstance(screen, TodayScreen)
    return list(screen.rows.values())


# --- the store ----------------------------------------------------------------------------------


def test_the_day_lists_overdue_first_then_today_in_time_order(
    tui_db: Database, seeded: Seeded
) -> None:
    ids = _day(tui_db, seeded)
    day = agenda.my_day(tui_db, "tester", NOW)
    assert [section.key for section in day.sections] == ["overdue", "today", "cases"]
    shown = [(item.kind, item.record_id, item.status) for item in day.items]
    assert shown == [
        ("interaction", ids["older"], "overdue"),
        ("interaction", ids["late"], "overdue"),
        ("appointment", ids["standup"], "past"),
        ("appointment", ids["review"], "now"),
        ("appointment", ids["call"], "next"),
        ("interaction", ids["due"], "due"),
    ]
    assert agenda.counts(day) == (3, 3, 2)
    assert "Not mine" not in {item.title for item in day.items}, "another user's follow-up"


def test_an_appointment_without_a_due_reminder_cannot_be_snoozed(
    tui_db: Database, seeded: Seeded
) -> None:
    import pytest

    from smallcrm.store.errors import ValidationError

    ids = _day(tui_db, seeded)
    rows = {(item.kind, item.record_id): item for item in agenda.my_day(tui_db, "tester").items}
    assert rows[("appointment", ids["review"])].snoozable, "its reminder came due at 10:05"
    call = rows[("appointment", ids["call"])]
    assert not call.snoozable, "no reminder set"
    with pytest.raises(ValidationError):
        agenda.snooze(tui_db, call, "10m")


# --- three keys from anywhere -------------------------------------------------------------------

# Screens a user is on, and the keys that got them there.
PLACES = [
    ("contacts", (), ContactsScreen),
    ("a contact's view", ("f2", "down", "down", "enter"), ContactDetailScreen),
    ("calendar", ("f6",), CalendarScreen),
]


async def test_f7_shows_today_from_any_screen_with_the_first_row_under_the_cursor(
    tui_db: Database, seeded: Seeded
) -> None:
    ids = _day(tui_db, seeded)
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        for name, keys, place in PLACES:
            await pilot.press(*keys)
            await steady(pilot)
            assert isinstance(app.screen, place), name
            pressed = ["f7"]  # the keys counted from here
            await pilot.press(*pressed)
            await steady(pilot)
            assert isinstance(app.screen, TodayScreen), name
            box = app.screen.query_one(TodayList)
            assert box.has_focus, name
            first = app.screen.chosen()
            assert first is not None and first.record_id == ids["older"], name
            assert first.status == agenda.OVERDUE
            await pilot.press("enter")
            pressed.append("enter")
            await steady(pilot)
            assert isinstance(app.screen, InteractionDetailScreen), name
            assert app.screen.record_id == ids["older"]
            assert len(pressed) <= 3, f"{name}: {pressed}"
            await pilot.press("escape", "f2")
            await steady(pilot)


async def test_d_marks_the_highlighted_follow_up_done_and_the_next_row_takes_its_place(
    tui_db: Database, seeded: Seeded
) -> None:
    ids = _day(tui_db, seeded)
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f7", "d")  # two keys from anywhere
        await steady(pilot)
        assert interactions.get_interaction(tui_db, ids["older"]).follow_up_done
        assert [row.record_id for row in _rows(app)][0] == ids["late"]
        chosen = app.screen.chosen()  # type: ignore[attr-defined]
        assert chosen is not None and chosen.record_id == ids["late"]


async def test_s_h_t_snooze_the_highlighted_follow_up(tui_db: Database, seeded: Seeded) -> None:
    ids = _day(tui_db, seeded)
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f7", "s")
        await steady(pilot)
        first = app.screen.chosen()  # type: ignore[attr-defined]
        assert first is not None and first.record_id == ids["older"]
        assert first.status == agenda.SNOOZED
        assert first.snoozed_until == NOW + timedelta(minutes=10)
        due_now = {r.record_id for r in reminders.due(tui_db, "tester", NOW)}
        assert ids["older"] not in due_now, "snoozed: not due until 10:40"
        later = {r.record_id for r in reminders.due(tui_db, "tester", NOW + timedelta(minutes=10))}
        assert ids["older"] in later
        await pilot.press("h")
        await steady(pilot)
        assert app.screen.chosen().snoozed_until == NOW + timedelta(hours=1)  # type: ignore[attr-defined]
        await pilot.press("t")
        await steady(pilot)
        first = app.screen.chosen()  # type: ignore[attr-defined]
        assert first.status == agenda.LATER, "until tomorrow: still open, not reminded today"
        assert not interactions.get_interaction(tui_db, ids["older"]).follow_up_done
        assert ids["older"] not in {r.record_id for r in reminders.due(tui_db, "tester", NOW)}


async def test_an_appointment_done_or_snoozed_from_today(tui_db: Database, seeded: Seeded) -> None:
    ids = _day(tui_db, seeded)
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f7")
        await steady(pilot)
        screen = app.screen
        assert isinstance(screen, TodayScreen)
        keys = list(screen.rows)
        box = screen.query_one(TodayList)
        box.highlighted = [o.id for o in box.options].index(
            next(k for k in keys if k.startswith(f"appointment:{ids['call']}:"))
        )
        await pilot.pause()
        assert screen.check_action("snooze", ("10m",)) is None, "no reminder: shown disabled"
        await pilot.press("s")
        await steady(pilot)
        assert screen.chosen().status == agenda.NEXT  # type: ignore[union-attr]
        await pilot.press("d")
        await steady(pilot)
        assert screen.chosen().status == agenda.DONE  # type: ignore[union-attr]
        box.highlighted = [o.id for o in box.options].index(
            next(k for k in keys if k.startswith(f"appointment:{ids['review']}:"))
        )
        await pilot.press("s")
        await steady(pilot)
        assert screen.chosen().status == agenda.SNOOZED  # type: ignore[union-attr]
        due = {(r.kind, r.record_id) for r in reminders.due(tui_db, "tester", NOW)}
        assert (reminders.APPOINTMENT, ids["review"]) not in due


async def test_the_palette_finds_today_by_today_and_by_due(
    tui_db: Database, seeded: Seeded
) -> None:
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        for words in ("today", "due"):
            await pilot.press("ctrl+p")
            assert isinstance(app.screen, CommandPalette)
            await pilot.press(*words)
            await pilot.pause(0.4)
            hits = app.screen.query_one(CommandList)
            first = str(hits.get_option_at_index(0).prompt)
            assert "Go to Today" in first, (words, first)
            await pilot.press("enter")
            await steady(pilot)
            assert isinstance(app.screen, TodayScreen), words
            await pilot.press("f2")


async def test_f1_on_today_describes_its_keys_as_they_are(tui_db: Database, seeded: Seeded) -> None:
    _day(tui_db, seeded)
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f7")
        await steady(pilot)
        screen = app.screen
        await pilot.press("f1")
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        assert help_screen.text == TodayScreen.HELP
        rows = {row.description: row.keys.split(" / ") for row in help_screen.rows}
        bindings = [*screen.BINDINGS, *TodayList.BINDINGS]
        for binding in bindings:
            assert isinstance(binding, Binding)
            shown = app.get_key_display(binding)
            assert shown in rows.get(binding.description, []), (binding.description, rows)
        # Every key the text names in bold is one that is bound there.
        live = {row.keys for row in help_screen.rows}
        for named in re.findall(r"\*\*([^*]+)\*\*", TodayScreen.HELP):
            if ":" in named:
                continue  # a paragraph's title
            key = app.get_key_display(Binding(named.lower(), ""))
            assert any(key in keys.split(" / ") for keys in live), (named, key, live)
        await pilot.press("f1")
        assert app.screen is screen


async def test_the_tab_bar_shows_today_whole_at_80_and_marks_it(
    tui_db: Database, seeded: Seeded
) -> None:
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f7")
        await steady(pilot)
        bar = app.screen.query_one(TabBar)
        line = bar.render_line(0).text
        # Seven tabs and F1 fit 80 columns in the tight form: no space between key and name.
        whole = line.replace(" ", "")
        assert "F7Today" in whole and "F8Cases" in whole and line.rstrip().endswith("Help"), line
        assert len(line.rstrip()) <= 80, line
        assert bar.active == "today"


def test_today_snapshot(snap_compare, tui_db: Database, seeded: Seeded) -> None:  # noqa: ANN001
    _day(tui_db, seeded)
    assert snapshot(snap_compare, app_for(tui_db), "f7")
