"""One tile of the dashboard: a figure's title and headline numbers, a sparkline when the
figure runs over time, and its lines with bars, each line a choice Enter opens.

Bars are drawn with block characters (eighths of a cell), so they read the same without
colour (``NO_COLOR=1``) and in 16 colours; a second measure (the weighted amount within the
total) is drawn solid inside a shaded bar.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import OptionList, Sparkline, Static
from textual.widgets.option_list import Option

from smallcrm.store.figures import present
from smallcrm.store.figures.model import Figure, Line
from smallcrm.store.formats import printable

EIGHTHS = " ▏▎▍▌▋▊▉█"
SHADE = "░"


def bar(value: float, top: float, width: int, inner: float | None = None) -> str:
    """``value`` of ``top`` as a bar ``width`` cells wide at most; ``inner`` (a part of the
    value) solid and the rest shaded."""
    if top <= 0 or width <= 0:
        return ""
    if inner is not None:
        whole = round(width * max(0.0, value) / top)
        solid = min(whole, round(width * max(0.0, inner) / top))
        return "█" * solid + SHADE * (whole - solid)
    eighths = round(8 * width * max(0.0, value) / top)
    full, part = divmod(eighths, 8)
    return "█" * full + (EIGHTHS[part] if part else "")


def measure(figure: Figure) -> int:
    """The column a tile's bars show: the money total where there is one, else the first."""
    names = [c.name for c in figure.columns]
    return names.index("total") if "total" in names else 0


def line_text(figure: Figure, line: Line, top: float, width: int, label_width: int) -> Text:
    """A line: its label, the bar, and the value (with the share or drop-off after it)."""
    index = measure(figure)
    column = figure.columns[index]
    names = [c.name for c in figure.columns]
    inner = None
    if "weighted" in names:
        inner = float(line.values[names.index("weighted")] or 0)
    value = present.short_text(line.values[index], column.unit)
    if len(figure.columns) > 1 and figure.columns[1].unit == "percent" and index == 0:
        after = line.values[1]
        if after is not None:
            value += f" {'-' if figure.key == 'funnel' else ''}{after:.0f}%"
    room = max(1, width - label_width - len(value) - 3)
    drawn = bar(float(line.values[index] or 0), top, room, inner)
    text = Text(printable(line.label)[:label_width].ljust(label_width), no_wrap=True)
    text.append(" ")
    text.append(drawn.ljust(room), style="cyan")
    text.append(" " + value)
    return text


class FigureTile(Vertical):
    """A figure's tile; posts ``Opened`` with the line chosen."""

    DEFAULT_CSS = """
    FigureTile { height: auto; border: round $panel-lighten-2; padding: 0 1; }
    FigureTile:focus-within { border: heavy $accent; }
    FigureTile .tile-head { height: auto; }
    FigureTile Sparkline { height: 2; margin: 0 0 0 0; }
    FigureTile > OptionList, FigureTile > OptionList:focus {
        height: auto; max-height: 8; border: none; padding: 0; background: transparent;
        scrollbar-size-vertical: 1;
    }
    FigureTile > OptionList:blur > .option-list--option-highlighted {
        background: transparent; text-style: none;
    }
    """

    class Opened(Message):
        """A line of a figure was chosen."""

        def __init__(self, figure: Figure, line: Line) -> None:
            super().__init__()
            self.figure = figure
            self.line = line

    def __init__(self, key: str, title: str) -> None:
        super().__init__(id=f"tile-{key}")
        self.key = key
        self.title = title
        self.figure: Figure | None = None
        self.border_title = title

    def compose(self) -> ComposeResult:
        """Headline, sparkline (hidden unless the figure runs over time), lines."""
        yield Static("loading…", classes="tile-head")
        yield Sparkline([], summary_function=max)
        yield OptionList()

    def on_mount(self) -> None:
        """Nothing to draw until the figure arrives."""
        self.query_one(Sparkline).display = False

    def show(self, figure: Figure) -> None:
        """Draw ``figure``."""
        self.figure = figure
        heads = present.headline_short(figure)
        words = "  ".join(f"{label} {value}" for label, value in heads) or figure.note
        head = self.query_one(".tile-head", Static)
        head.update(Text(printable(words)))
        head.display = bool(words)
        spark = self.query_one(Sparkline)
        spark.display = figure.chart == "spark"
        if figure.chart == "spark":
            index = figure.column("win_rate") if figure.key == "winrate" else 0
            spark.data = [float(line.values[index] or 0) for line in figure.lines]
        self.redraw()

    def redraw(self) -> None:
        """Lay the lines out for the tile's width."""
        figure = self.figure
        if figure is None:
            return
        options = self.query_one(OptionList)
        highlighted = options.highlighted
        index = measure(figure)
        top = max((float(line.values[index] or 0) for line in figure.lines), default=0.0)
        # The list's own width, less a cell for its scroll bar when the lines overflow it.
        width = max(20, (options.content_size.width or self.content_size.width or 36) - 1)
        label_width = min(16, max((len(line.label) for line in figure.lines), default=4))
        options.clear_options()
        options.add_options(
            Option(line_text(figure, line, top, width, label_width), id=str(n))
            for n, line in enumerate(figure.lines)
        )
        if figure.lines:
            options.highlighted = min(highlighted or 0, len(figure.lines) - 1)

    def on_resize(self) -> None:
        """Bars follow the tile's width."""
        self.redraw()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Enter on a line: say which."""
        event.stop()
        if self.figure is not None and event.option.id is not None:
            self.post_message(self.Opened(self.figure, self.figure.lines[int(event.option.id)]))
