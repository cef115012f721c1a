"""The reusable widgets on their own: DateField, RecordPicker, PagedTable, ConfirmScreen, and
the command palette's provider.
"""

from __future__ import annotations

from datetime import date

import pytest
from textual.app import App, ComposeResult
from tui_data import NOW, SIZE, Seeded, app_for

from smallcrm.palette import CrmCommands
from smallcrm.screens.account_detail import AccountDetailScreen
from smallcrm.screens.confirm import ConfirmScreen
from smallcrm.screens.contact_form import ContactForm
from smallcrm.screens.interaction_form import InteractionForm
from smallcrm.store import clock
from smallcrm.store.db import Database
from smallcrm.store.errors import ValidationError
from smallcrm.store.records import Page
from smallcrm.widgets.date_field import DateField
from smallcrm.widgets.paged_table import Column, PagedTable, fit_cell, fit_widths
from smallcrm.widgets.picker import RecordPicker

pytest_plugins = ["tui_fixtures"]  # The fixed clock and the seeded database.


class FieldApp(App[None]):
    """One DateField in an app whose clock stands at NOW."""

    def __init__(self, field: DateField) -> None:
        super().__init__()
        self.field = field
        clock.pin(NOW)  # the one clock DateField reads

    def compose(self) -> ComposeResult:
        """Just the field."""
        yield self.field


@pytest.mark.parametrize(
    ("mode", "typed", "echo"),
    [
        ("date", "tomorrow", "→ Thu 2026-11-26"),
        ("date", "1.12.", "→ Tue 2026-12-01"),
        ("date", "in 3 days", "→ Sat 2026-11-28"),
        ("datetime", "fri 3pm", "→ Fri 2026-11-27 15:00"),
        ("datetime", "15:00", "→ Wed 2026-11-25 15:00"),
        ("datetime", "next week", "→ Mon 2026-11-30 09:00"),
    ],
)
async def test_date_field_echoes_what_it_read(mode: str, typed: str, echo: str) -> None:
    field = DateField(mode, id="when")
    async with FieldApp(field).run_test() as pilot:
        field.focus()
        await pilot.press(*typed)
        assert field.border_subtitle == echo
        assert not field.has_class("-invalid")


async def test_date_field_error_and_values() -> None:
    field = DateField("date", id="due")
    async with FieldApp(field).run_test() as pilot:
        field.value = "12/01"  # Slashes are refused: 12/01 is a different day in the US.
        await pilot.pause()
        assert field.has_class("-invalid")
        assert str(field.border_subtitle).startswith("✗")
        with pytest.raises(ValidationError) as caught:
            _ = field.value_date
        assert caught.value.field == "due"
        field.value = "2026-12-01"
        assert field.value_date == date(2026, 12, 1)
        assert field.value_datetime.hour == 9, "a date alone gets the default time"
        field.value = ""
        assert field.value_date is None


async def test_required_date_field_says_so() -> None:
    field = DateField("datetime", id="start", required=True)
    async with FieldApp(field).run_test():
        assert field.border_subtitle == "required"
        with pytest.raises(ValidationError):
            _ = field.value_datetime


def test_fit_widths_shares_spare_width_and_shrinks_flexible_columns() -> None:
    columns = [Column("A", 10, flex=1), Column("B", 5), Column("C", 10, flex=3)]
    widths = fit_widths(columns, 50)
    assert sum(widths) + 2 == 50 and widths[1] == 5 and widths[2] > widths[0]
    narrow = fit_widths(columns, 20)
    assert narrow[1] == 5 and min(narrow) >= 4


def test_fit_cell_cuts_and_pads_by_cells() -> None:
    assert fit_cell("Müller", 8) == "Müller  "
    assert fit_cell("A very long name", 6) == "A ver…"
    assert fit_cell("42", 5, "right") == "   42"
    assert fit_cell("東京都", 4) == "東 …", "wide characters count as two cells"


async def test_paged_table_reads_only_the_pages_it_shows() -> None:
    calls: list[tuple[int, int]] = []

    def fetch(offset: int, limit: int) -> Page[int]:
        calls.append((offset, limit))
        items = list(range(offset, min(offset + limit, 100_000)))
        return Page(items, 100_000, offset, limit)

    class TableApp(App[None]):
        def compose(self) -> ComposeResult:
            yield PagedTable([Column("N", 10, flex=1)], fetch, lambda n: [str(n)], id="t")

    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        grid = app.query_one(PagedTable)
        grid.reload()
        await pilot.pause()
        assert grid.total == 100_000 and grid.virtual_size.height == 100_001
        await pilot.press("end")
        await pilot.pause()
        assert grid.current == 99_999
        assert grid.render_line(grid.scrollable_content_region.height - 1).text.strip() == "99999"
        assert len(calls) <= 4, calls


async def test_record_picker_resolves_typed_names(tui_db: Database, seeded: Seeded) -> None:
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        picker = app.screen.query_one("#account_id", RecordPicker)
        picker.focus()
        await pilot.press(*"acme")
        assert picker.record_id is None
        assert picker.resolve() == seeded.acme, "one match is taken"
        assert picker.record_id == seeded.acme
        await pilot.press("backspace", "backspace")
        assert picker.record_id is None, "typing drops the choice"


async def test_record_picker_refuses_unknown_names(tui_db: Database, seeded: Seeded) -> None:
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        picker = app.screen.query_one("#account_id", RecordPicker)
        picker.focus()
        await pilot.press(*"nowhere")
        with pytest.raises(ValidationError, match="no account matches"):
            picker.resolve()


async def test_record_picker_esc_closes_suggestions_then_cancels(
    tui_db: Database, seeded: Seeded
) -> None:
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        form = app.screen
        form.query_one("#account_id", RecordPicker).focus()
        await pilot.press(*"ac")
        assert form.query_one("#account_id").has_class("-open")
        await pilot.press("escape")
        assert app.screen is form and not form.query_one("#account_id").has_class("-open")
        await pilot.press("escape")
        assert app.screen is not form


async def test_confirm_screen_answers(tui_db: Database) -> None:
    app = app_for(tui_db)
    answers: list[bool | None] = []
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(ConfirmScreen("Really?"), answers.append)
        await pilot.pause()
        await pilot.press("enter")  # Cancel has the focus: a stray Enter destroys nothing.
        app.push_screen(ConfirmScreen("Really?"), answers.append)
        await pilot.pause()
        await pilot.press("y")
        app.push_screen(ConfirmScreen("Really?"), answers.append)
        await pilot.pause()
        await pilot.press("escape")
    assert answers == [False, True, False]


async def test_palette_commands_create_log_go_and_open(tui_db: Database, seeded: Seeded) -> None:
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        provider = CrmCommands(app.screen)
        names = [hit.text async for hit in provider.discover()]
        assert {"New contact", "Log a call", "Go to Pipeline"} <= set(names)
        hits = [hit async for hit in provider.search("acme")]
        opener = next(h for h in hits if "Open account: Acme GmbH" in str(h.text))
        opener.command()
        await pilot.pause()
        assert isinstance(app.screen, AccountDetailScreen)
        log = next(h for h in [h async for h in provider.search("log a call")])
        log.command()
        await pilot.pause()
        assert isinstance(app.screen, InteractionForm)
        assert app.screen.account_id == seeded.acme, "linked to the account on screen"
        await pilot.press("escape")
        new = next(h for h in [h async for h in provider.search("new contact")])
        new.command()
        await pilot.pause()
        assert isinstance(app.screen, ContactForm)


async def test_ctrl_p_opens_the_palette(tui_db: Database, seeded: Seeded) -> None:
    from textual.command import CommandPalette

    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"go to accounts")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert app.current_mode == "accounts"
