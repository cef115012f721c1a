"""The slot picker, driven with Pilot at 80x24: opened with o from the calendar and from a
contact, Space picks up to three, l changes the length, c holds the times and copies the
offer; held times show in the calendar with ``?`` and d withdraws their offer.

"Now" is Wed 2026-11-25 10:30 UTC; working hours mon-fri 09:00-17:00, an hour's notice and
15 minutes of buffer (the defaults); the seeded "Demo at Acme" is Fri 14:00-15:00.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from test_tui_calendar import cell, open_calendar
from textual.pilot import Pilot
from textual.widgets import OptionList, Static
from tui_data import SIZE, Seeded, app_for, snapshot

from smallcrm.screens.confirm import ConfirmScreen
from smallcrm.screens.help import HelpScreen
from smallcrm.screens.slot_picker import SlotPicker
from smallcrm.store import offers, slots
from smallcrm.store.db import Database

pytest_plugins = ["tui_fixtures"]  # The fixed clock and the seeded database.

JANA = ("f2", "end", "enter")  # Jana Novak comes last by name: her page


def lines(picker: SlotPicker) -> list[str]:
    box = picker.query_one(OptionList)
    return [str(box.get_option_at_index(i).prompt) for i in range(box.option_count)]


def said(picker: SlotPicker, selector: str) -> str:
    return str(picker.query_one(selector, Static).render())


def notes(pilot: Pilot[object]) -> list[str]:
    return [n.message for n in pilot.app._notifications]  # noqa: SLF001 - what was shown


async def test_calendar_o_lists_free_slots_by_day(tui_db: Database, seeded: Seeded) -> None:
    async with app_for(tui_db).run_test(size=SIZE) as pilot:
        await open_calendar(pilot)
        await pilot.press("o")
        await pilot.pause()
        picker = pilot.app.screen
        assert isinstance(picker, SlotPicker)
        shown = lines(picker)
        assert shown[:3] == ["Wed 2026-11-25", "  [ ] 12:00-13:00", "  [ ] 13:00-14:00"]
        friday = shown[shown.index("Fri 2026-11-27") + 1 : shown.index("Mon 2026-11-30")]
        assert friday[-2:] == ["  [ ] 12:00-13:00", "  [ ] 16:00-17:00"]  # the demo at 14:00
        assert "Free for 1 hour, next 14 days" in said(picker, "#slots-title")
        await pilot.press("escape")
        assert not isinstance(pilot.app.screen, SlotPicker)
        assert offers.live_holds(tui_db, *slots.window(14)) == []


async def test_space_picks_three_and_c_holds_and_copies(tui_db: Database, seeded: Seeded) -> None:
    async with app_for(tui_db).run_test(size=SIZE, notifications=True) as pilot:
        await open_calendar(pilot)
        await pilot.press("o")
        await pilot.pause()
        picker = pilot.app.screen
        assert isinstance(picker, SlotPicker)
        await pilot.press("space", "down", "down", "space", "down", "space", "down", "space")
        await pilot.pause()
        assert "Three are picked" in " ".join(notes(pilot))
        assert lines(picker)[1] == "  [x] 12:00-13:00"
        assert said(picker, "#slots-picked").startswith("Picked 3 of 3: Wed 2026-11-25 12:00")
        await pilot.press("c")
        await pilot.pause()
        assert not isinstance(pilot.app.screen, SlotPicker)
        made = offers.get_offer(tui_db, 1)
        assert [h.starts_at.hour for h in made.holds] == [12, 14, 15] and made.live
        assert made.contact_id is None
        assert pilot.app.clipboard.startswith("Hello,\n")
        assert "  1) Wed 25 Nov, 12:00-13:00" in pilot.app.clipboard
        assert "the text is on the clipboard" in notes(pilot)[-1]
        calendar = pilot.app.screen
        assert cell(pilot.app, datetime(2026, 11, 25).date(), 12).startswith("?")
        assert "? 3 held" in str(calendar.query_one("#cal-title", Static).render())


async def test_from_a_contact_the_offer_is_theirs(tui_db: Database, seeded: Seeded) -> None:
    async with app_for(tui_db).run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press(*JANA)
        await pilot.pause()
        await pilot.press("o")
        await pilot.pause()
        picker = pilot.app.screen
        assert isinstance(picker, SlotPicker)
        assert "with Jana" in said(picker, "#slots-title")
        await pilot.press("c")
        await pilot.pause()
        assert "Pick one to three slots" in notes(pilot)[-1]
        await pilot.press("l")  # 90 minutes
        await pilot.pause()
        assert lines(picker)[1] == "  [ ] 12:00-13:30"
        await pilot.press("space", "c")
        await pilot.pause()
        made = offers.get_offer(tui_db, 1)
        assert made.contact_id == seeded.jana and made.title == "Meeting with Jana Novak"
        assert made.duration == timedelta(minutes=90)
        assert pilot.app.clipboard.startswith("Hello Jana,")


async def test_a_time_held_meanwhile_is_refused(tui_db: Database, seeded: Seeded) -> None:
    """Another user holds the picked time after the list was read: c refuses, holds nothing
    and reads the list again."""
    async with app_for(tui_db).run_test(size=SIZE, notifications=True) as pilot:
        await open_calendar(pilot)
        await pilot.press("o", "space")
        await pilot.pause()
        noon = datetime(2026, 11, 25, 12, tzinfo=UTC)
        offers.make_offer(
            tui_db,
            slots.SlotQuery(timedelta(hours=1)),
            [(noon, noon + timedelta(hours=1))],
            title="Other",
            language="en",
            actor="bob",
        )
        await pilot.press("c")
        await pilot.pause()
        assert "bob holds it for offer 1" in notes(pilot)[-1]
        picker = pilot.app.screen
        assert isinstance(picker, SlotPicker)
        assert lines(picker)[:2] == ["Wed 2026-11-25", "  [ ] 14:00-15:00"]  # 13:00: buffer
        assert offers.get_offer(tui_db, 1).title == "Other"


async def test_enter_on_a_hold_explains_and_d_withdraws(tui_db: Database, seeded: Seeded) -> None:
    noon = datetime(2026, 11, 25, 12, tzinfo=UTC)
    offers.make_offer(
        tui_db,
        slots.SlotQuery(timedelta(hours=1)),
        [(noon, noon + timedelta(hours=1))],
        title="Meeting with Jana Novak",
        language="en",
    )
    async with app_for(tui_db).run_test(size=SIZE, notifications=True) as pilot:
        await open_calendar(pilot)
        await pilot.press("down", "down")  # 10:00 -> 12:00
        await pilot.press("enter")
        await pilot.pause()
        assert "held by offer 1, not an appointment yet" in notes(pilot)[-1]
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(pilot.app.screen, ConfirmScreen)
        await pilot.press("y")
        await pilot.pause()
        assert offers.get_offer(tui_db, 1).status == "withdrawn"
        assert not cell(pilot.app, noon.date(), 12).startswith("?")


async def test_help_is_the_pickers_own(tui_db: Database, seeded: Seeded) -> None:
    async with app_for(tui_db).run_test(size=SIZE) as pilot:
        await open_calendar(pilot)
        await pilot.press("o", "f1")
        await pilot.pause()
        shown = pilot.app.screen
        assert isinstance(shown, HelpScreen)
        text = " ".join(str(w.render()) for w in shown.query(Static))
        assert "Offer free times" in text and "Copy offer" in text


def test_snapshot_of_the_picker(snap_compare, tui_db: Database, seeded: Seeded) -> None:  # noqa: ANN001
    assert snapshot(snap_compare, app_for(tui_db), "f6", "o", "space", "down", "down", "space")


async def test_a_hostile_name_reaches_neither_screen_nor_clipboard(tui_db: Database) -> None:
    from hostile_data import RAW_CONTROL, plant

    planted = plant(tui_db)
    picker = SlotPicker(tui_db, planted.contact)
    async with app_for(tui_db).run_test(size=SIZE) as pilot:
        pilot.app.push_screen(picker)
        await pilot.pause()
        assert "[" not in said(picker, "#slots-title").split("with", 1)[0]
        assert not RAW_CONTROL.search(said(picker, "#slots-title"))
        await pilot.press("space", "c")
        await pilot.pause()
        assert pilot.app.clipboard.startswith("Hello Eve")
        assert not RAW_CONTROL.search(pilot.app.clipboard)
