"""What the 80x24 snapshots showed wrong, held by tests that do not depend on pixels: a notes
field with one line to write in, an unreadable title on the calendar, a dialog whose keys
showed nowhere, the footer spent on keys the tab bar already shows, a help page that put a
screen's purpose after its keys."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from textual.widgets import Footer, TextArea
from textual.widgets._footer import FooterKey, FooterLabel
from tui_data import NOW, SIZE, Seeded, app_for, steady

from smallcrm.screens.appointment_form import AppointmentForm
from smallcrm.screens.calendar import CalendarScreen
from smallcrm.screens.confirm import ConfirmScreen
from smallcrm.screens.help import HelpScreen, help_markdown
from smallcrm.screens.occurrence_choice import OccurrenceChoice
from smallcrm.screens.pipeline_board import summary_line
from smallcrm.screens.pipeline_filter import PipelineFilter
from smallcrm.screens.stage_reason import StageReasonScreen
from smallcrm.store import appointments
from smallcrm.store.db import Database
from smallcrm.store.opportunities import StageSummary
from smallcrm.store.records import Stage

pytest_plugins = ["tui_fixtures"]  # The fixed clock and the seeded database.


async def test_a_notes_field_has_six_rows_in_every_form(tui_db: Database, seeded: Seeded) -> None:
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        for keys in (("f2", "n"), ("f3", "n"), ("f4", "n"), ("f6", "n")):
            await pilot.press(*keys)
            notes = app.screen.query_one(TextArea)
            if keys == ("f6", "n"):
                assert isinstance(app.screen, AppointmentForm)
            assert notes.outer_size.height == 6, f"after {keys}"
            await pilot.press("escape")


async def test_the_calendar_title_reads_apart_from_its_faint_border(
    tui_db: Database, seeded: Seeded
) -> None:
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f6")
        screen = app.screen
        assert isinstance(screen, CalendarScreen)
        today = screen.query_one("#cal-today")
        assert not today.has_focus
        x, y = today.region.x, today.region.y  # the top border, where the title is
        border = screen.get_style_at(x, y).color
        title = screen.get_style_at(x + 3, y).color
        assert border is not None and title is not None
        assert title.triplet != border.triplet


async def test_the_reason_dialog_lists_its_own_keys(tui_db: Database, seeded: Seeded) -> None:
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f5", "right", "right", "x")  # the seeded deal, lost
        dialog = app.screen
        assert isinstance(dialog, StageReasonScreen)
        assert dialog.query(Footer)
        shown = {b.binding.description for b in dialog.active_bindings.values() if b.binding.show}
        assert {"Save", "Cancel"} <= shown


async def test_tab_keys_stay_in_the_tab_bar_and_the_help(tui_db: Database, seeded: Seeded) -> None:
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        shown = {b.binding.key for b in app.screen.active_bindings.values() if b.binding.show}
        assert not shown & {"f1", "f2", "f3", "f4", "f5", "f6", "ctrl+f"}
        assert {"n", "e", "d"} <= shown, "the list's own keys"
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        described = {row.description for row in app.screen.rows}
        assert {"Help", "Contacts", "Accounts", "Calendar", "Search"} <= described


def test_a_help_text_opening_with_a_heading_keeps_its_purpose_before_the_keys() -> None:
    # (A heading other than the page's title: one saying the title again is left out, below.)
    text = "## Your week\n\nYour appointments.\n\n**Views:** w, m, a."
    page = help_markdown("Calendar", text, [], [])
    assert page.index("## Your week") < page.index("Your appointments") < page.index("## Keys")
    assert page.index("## Keys") < page.index("**Views:**")


def test_a_help_heading_repeating_the_title_is_left_out() -> None:
    text = "## Calendar\n\nYour appointments.\n\n**Views:** w, m, a."
    page = help_markdown("Calendar", text, [], [])
    assert "## Calendar" not in page
    assert page.index("Your appointments") < page.index("## Keys") < page.index("**Views:**")


async def test_help_lists_a_key_bound_by_the_form_and_the_app_once(
    tui_db: Database, seeded: Seeded
) -> None:
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "f1")  # the new-contact form's help
        assert isinstance(app.screen, HelpScreen)
        assert [row.keys for row in app.screen.rows].count("f1") == 1


# Screens with the most keys, opened as a user does: the list, each record's view, the board
# and its table, the calendar, a dialog.
CROWDED = (
    ("contacts list", ()),
    ("contact", ("end", "enter")),
    ("account", ("f3", "enter")),
    ("interactions list", ("f4",)),
    ("interaction", ("f4", "enter")),
    ("board", ("f5", "right", "right")),
    ("table", ("f5", "v")),
    ("deal", ("f5", "right", "right", "enter")),
    ("calendar", ("f6",)),
    ("delete dialog", ("d",)),
)


async def test_no_footer_key_is_cut_at_80_columns(tui_db: Database, seeded: Seeded) -> None:
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        for name, keys in CROWDED:
            await pilot.press("f2", *keys)
            await steady(pilot)
            footer = app.screen.query_one(Footer)
            shown = [k for k in footer.query(FooterKey) if "-command-palette" not in k.classes]
            assert len(shown) >= 2, name
            right = footer.region.right
            if palette := footer.query(".-command-palette"):
                right = palette.first().region.x
            for key in shown:
                assert key.region.right <= right, f"{name}: {key.description or key.key} is cut"
            await pilot.press("escape", "escape")


async def test_a_deals_view_shows_its_stage_keys_won_and_lost(
    tui_db: Database, seeded: Seeded
) -> None:
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f5", "right", "right", "enter")
        await steady(pilot)
        footer = app.screen.query_one(Footer)
        keys = {k.key for k in footer.query(FooterKey)}
        assert {"left_square_bracket", "right_square_bracket", "w", "x"} <= keys
        labels = [str(label.render()) for label in footer.query(FooterLabel)]
        assert labels == ["Stage"]


async def test_a_confirmation_lists_its_own_keys(tui_db: Database, seeded: Seeded) -> None:
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("d")
        dialog = app.screen
        assert isinstance(dialog, ConfirmScreen)
        assert dialog.query(Footer)
        shown = {b.binding.description for b in dialog.active_bindings.values() if b.binding.show}
        assert {"Yes", "No"} <= shown


async def test_the_choice_between_appointments_lists_its_own_keys(
    tui_db: Database, seeded: Seeded
) -> None:
    for title in ("Call Max", "Visit Harbor"):  # both at 10:00 today, where the week opens
        appointments.create_appointment(
            tui_db, title=title, starts_at=NOW.replace(minute=0), duration=timedelta(hours=1)
        )
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f6", "e")
        dialog = app.screen
        assert isinstance(dialog, OccurrenceChoice)
        footer = dialog.query_one(Footer)
        await steady(pilot)
        assert [k.description for k in footer.query(FooterKey)] == ["Cancel"]


def test_counts_of_one_read_as_one() -> None:
    proposal = Stage("proposal", 3, 50, False, False)
    one = StageSummary(stage=proposal, count=1, total=Decimal(12000), weighted=Decimal(6000))
    won = StageSummary(Stage("won", 5, 100, True, True), 0, Decimal(0), Decimal(0))
    assert summary_line([one, won], PipelineFilter()).startswith("Open 1 deal · 12,000")
