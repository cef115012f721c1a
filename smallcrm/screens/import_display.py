"""What the import screen shows: its widgets, and the read-outs its work updates (the line under
the file, the preview list, the progress bar and the rate). The screen decides when."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Checkbox, Input, OptionList, ProgressBar, Select, Static
from textual.widgets.option_list import Option

from smallcrm.screens.import_columns import NO_COLUMNS, note
from smallcrm.store import kinds as registry
from smallcrm.store.io import ImportReport
from smallcrm.widgets.path_suggester import PathSuggester
from smallcrm.widgets.text import plain

KINDS = tuple((kind.plural, kind.name) for kind in registry.KINDS)
SUFFIXES = (".csv", ".tsv", ".txt", ".vcf", ".vcard", ".ics", ".json")


def import_widgets(path: str, kind: str | None) -> ComposeResult:
    """File and kind, what was found, the columns, the preview, the progress."""
    with Horizontal(id="import-top"):
        path_input = Input(
            path,
            placeholder="~/Downloads/contacts.csv",
            suggester=PathSuggester(SUFFIXES),
            id="import-path",
        )
        path_input.border_title = "File"
        path_input.border_subtitle = "Enter reads it"
        yield path_input
        kind_select = Select(
            [(label, value) for label, value in KINDS],
            prompt="detect kind",
            value=kind or Select.NULL,
            id="import-kind",
        )
        kind_select.border_title = "Kind"
        yield kind_select
    yield Static(
        "A CSV, vCard (.vcf), iCalendar (.ics) or smallcrm JSON file.",
        id="import-info",
    )
    with Horizontal(id="import-panels"):
        columns = VerticalScroll(id="import-columns")
        columns.border_title = "Columns → fields"
        with columns:
            yield note(NO_COLUMNS)
        preview = OptionList(id="import-preview")
        preview.border_title = "Preview"
        yield preview
    with Horizontal(id="import-bottom"):
        yield Checkbox("Skip bad rows", id="import-skip", compact=True)
        yield ProgressBar(id="import-progress", show_eta=True)
        yield Static("", id="import-rate")


def restart_progress(screen: Screen[object]) -> None:
    """The bar shown from nothing, no rate yet."""
    bar = screen.query_one("#import-progress", ProgressBar)
    bar.display = True
    bar.remove_class("-done")
    bar.update(total=None, progress=0)
    screen.query_one("#import-rate", Static).update("")


def show_progress(screen: Screen[object], done: int, total: int | None, seconds: float) -> None:
    """The bar, the counts and the rate, ``seconds`` after the work started."""
    screen.query_one("#import-progress", ProgressBar).update(total=total, progress=done)
    seconds = max(seconds, 1e-6)
    of = f"/{total:,}" if total is not None else ""
    rate = f" · {done / seconds:,.0f}/s" if done and seconds > 0.05 else ""
    screen.query_one("#import-rate", Static).update(f"{done:,}{of}{rate}")


def show_rate(screen: Screen[object], report: ImportReport) -> None:
    """Work done: a full bar with no time left, the records and the rate."""
    bar = screen.query_one("#import-progress", ProgressBar)
    bar.add_class("-done")
    bar.update(total=max(report.total, 1), progress=max(report.total, 1))
    rate = f" · {report.total / report.seconds:,.0f}/s" if report.seconds else ""
    screen.query_one("#import-rate", Static).update(f"{report.total:,} records{rate}")


def show_lines(screen: Screen[object], lines: list[Content]) -> None:
    """The preview list's lines, replacing what it held."""
    preview = screen.query_one("#import-preview", OptionList)
    preview.clear_options()
    preview.add_options([Option(line) for line in lines])


def set_status(screen: Screen[object], text: str) -> None:
    """The line under the file, as plain news."""
    info = screen.query_one("#import-info", Static)
    info.remove_class("-error")
    info.update(plain(text))


def show_error(screen: Screen[object], text: str, *, notify: bool = True) -> None:
    """The reason on the line under the file (wrapped), and as a notification."""
    info = screen.query_one("#import-info", Static)
    info.add_class("-error")
    info.update(plain("✗ " + text))
    if notify:
        screen.notify(text, title="Not imported", severity="error")
