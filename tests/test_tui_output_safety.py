"""Text from the data never drives the terminal from the app: every screen that shows a record's
text shows its control characters visibly (ESC as ␛), no rendered line holds a raw one, and a
name ending an escape sequence in BEL no longer crashes a view."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hostile_data import NOW, PAYLOAD, Planted, plant, raw_controls
from rich.segment import Segment
from textual.color import Color
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Input

from smallcrm.app import CrmApp, make_app
from smallcrm.store import contacts
from smallcrm.store.db import Database, open_database
from smallcrm.widgets.text import ControlFilter, assemble, plain

pytest_plugins = ["tui_fixtures"]
SIZE = (100, 30)


@pytest.fixture
def hostile(tui_db: Database) -> Planted:
    return plant(tui_db)


def lines_of(widget: Widget) -> list[str]:
    """The lines a widget draws, as the terminal gets them (after the app's line filters)."""
    strips = widget.render_lines(Region(0, 0, widget.size.width, widget.size.height))
    return ["".join(segment.text for segment in strip) for strip in strips]


def rendered(app: CrmApp) -> list[str]:
    """Every line every visible widget of the current screen draws."""
    screen = app.screen
    return [
        line
        for widget in [screen, *screen.walk_children()]
        if widget.display and widget.size.area
        for line in lines_of(widget)
    ]


def assert_safe(app: CrmApp, *, visible: bool = True) -> None:
    lines = rendered(app)
    leaks = [line for line in lines if raw_controls(line)]
    assert leaks == [], leaks[:3]
    if visible:
        assert any("␛" in line for line in lines), "the planted text is shown visibly"


async def open_and_check(app: CrmApp, pilot: Pilot, kind: str, record_id: int) -> None:
    app.open_record(kind, record_id)
    await pilot.pause()
    assert_safe(app)


async def test_lists_and_detail_views(tui_db: Database, hostile: Planted) -> None:
    app = make_app(tui_db, now=NOW, live_interval=None)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert_safe(app)  # the contacts list
        for mode in ("accounts", "interactions", "pipeline"):
            app.action_go(mode)
            await pilot.pause()
            assert_safe(app)
        await pilot.press("t")  # the pipeline as a table
        await pilot.pause()
        assert_safe(app)
        app.action_go("calendar")
        await pilot.pause()
        assert_safe(app, visible=False)  # the calendar's cells: the line filter alone
        app.action_go("contacts")
        await pilot.pause()
        await open_and_check(app, pilot, "contact", hostile.contact)
        card = lines_of(app.screen.query_one("#card"))
        assert "Eve ␛[31m" in card[0], "the card's title"
        crumbs = lines_of(app.screen.query_one("#crm-crumbs"))
        assert any("Eve ␛[31m" in line for line in crumbs), crumbs
        await open_and_check(app, pilot, "account", hostile.account)
        await open_and_check(app, pilot, "opportunity", hostile.deal)
        await open_and_check(app, pilot, "interaction", hostile.interaction)


async def test_search_drop_down_palette_and_history(tui_db: Database, hostile: Planted) -> None:
    app = make_app(tui_db, now=NOW, live_interval=None)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+f", *"eve")
        await pilot.pause(0.3)
        assert_safe(app)
        await pilot.press("escape")
        await pilot.press("ctrl+p", *"eve")
        await pilot.pause(0.5)
        assert_safe(app)
        await pilot.press("escape")
        app.open_record("contact", hostile.contact)
        await pilot.pause()
        await pilot.press("h")
        await pilot.pause()
        assert_safe(app)
        status = lines_of(app.screen.query_one("#history-status"))
        assert "Eve ␛[31m" in status[0], status


async def test_notifications_and_the_trash(tui_db: Database, hostile: Planted) -> None:
    app = make_app(tui_db, now=NOW, live_interval=None)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        app.open_record("contact", hostile.contact)
        await pilot.pause()
        await pilot.press("d")
        await pilot.pause()
        assert_safe(app)  # the question names the contact
        await pilot.press("y")
        await pilot.pause()
        assert_safe(app)  # "... moved to the trash" names it too
        app.notify(f"[b]{PAYLOAD}[/b]")
        await pilot.pause()
        assert_safe(app)
        toasts = "".join(rendered(app))
        assert "Deleted" in toasts and "Eve ␛[31m" in toasts


async def test_an_appointment_form_and_an_input_holding_control_characters(
    tui_db: Database, hostile: Planted
) -> None:
    app = make_app(tui_db, now=NOW, live_interval=None)
    async with app.run_test(size=SIZE) as pilot:
        app.open_record("appointment", hostile.appointment)
        await pilot.pause()
        assert_safe(app, visible=False)  # Inputs show the stored value: the filter drops them
        title = app.screen.query(Input).first()
        assert PAYLOAD in title.value, "the form edits the stored value as it is"


async def test_the_import_preview(tui_db: Database, tmp_path: Path) -> None:
    source = tmp_path / "people.csv"
    source.write_text(
        f"Name,Email\nEve {PAYLOAD}Red,eve@example.com\nBad {PAYLOAD}Row,x{PAYLOAD}@\n",
        encoding="utf-8",
    )
    app = make_app(tui_db, now=NOW, live_interval=None)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("i")
        app.screen.query_one("#import-path", Input).value = str(source)
        await pilot.press("enter")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert_safe(app, visible=False)


# --- the conflict screen -------------------------------------------------------------------------


@pytest.fixture
def two_connections(
    new_database_url: Callable[[str], Path | str], fixed_clock: None
) -> Iterator[tuple[Database, Database, int]]:
    target = new_database_url("shared.db")
    first, second = open_database(target), open_database(target)
    planted = plant(first)
    yield first, second, planted.contact
    first.close()
    second.close()


async def test_the_conflict_screen(
    monkeypatch: pytest.MonkeyPatch, two_connections: tuple[Database, Database, int]
) -> None:
    from smallcrm.screens.conflict import ConflictScreen

    first, second, contact_id = two_connections
    app = make_app(second, now=NOW, live_interval=None)
    async with app.run_test(size=SIZE) as pilot:
        app.open_record("contact", contact_id)
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        # Somebody else saves a new title meanwhile.
        current = contacts.get_contact(first, contact_id)
        contacts.update_contact(first, contact_id, current.tracking.version, title=f"X {PAYLOAD}")
        app.screen.query_one("#title", Input).value = f"Y {PAYLOAD}"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ConflictScreen)
        assert_safe(app)


# --- the pieces ----------------------------------------------------------------------------------


def test_the_line_filter_drops_what_is_left_and_keeps_widths() -> None:
    line = [Segment("Eve "), Segment(PAYLOAD + "Red"), Segment("\x1b[2J", None, [(1,)])]
    filtered = ControlFilter().apply(line, Color(0, 0, 0))
    assert [s.text for s in filtered[:2]] == ["Eve ", "[31m]0;X]52;c;QUJD31mRed"]
    assert filtered[2] is line[2], "control segments (cursor moves) are Textual's own"
    assert sum(s.cell_length for s in filtered) == sum(s.cell_length for s in line)


def test_content_from_the_data_is_printable_and_never_markup() -> None:
    assert str(plain(f"[b]x[/b]{PAYLOAD}")) == "[b]x[/b]␛[31m␛]0;X␇␛]52;c;QUJD␇<U+009B>31m<U+202E>"
    assembled = assemble(("Deal \x1b]0;X\x07", "bold"), "  tail", ("", "dim"))
    assert str(assembled) == "Deal ␛]0;X␇  tail"


def test_the_app_adds_the_filter_to_textuals(tui_db: Database) -> None:
    app = make_app(tui_db, now=NOW, live_interval=None)
    assert any(isinstance(f, ControlFilter) for f in app.get_line_filters())
