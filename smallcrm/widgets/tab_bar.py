"""The top line: the top-level screens with their keys, the current one marked, and F1 for help.

Each tab is padded with a space either side where the width allows; at 80 columns six tabs and
F1 need the narrow form (one space between tabs), which still fits them all."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from textual.content import Content
from textual.widgets import Static


class Tab(NamedTuple):
    """One top-level screen: its mode name, label and key, and what it shows in a few words
    (the command palette finds it by those too)."""

    mode: str
    label: str
    key: str
    about: str = ""


class TabBar(Static):
    """``F2 Contacts  F3 Accounts ...`` with the active screen reversed; each tab is clickable."""

    DEFAULT_CSS = """
    TabBar {
        height: 1;
        width: 1fr;
        background: $panel;
        color: $foreground;
        link-style: none;
        link-background: $panel;
        link-color: $foreground;
        link-style-hover: reverse;
    }
    """

    def __init__(self, tabs: Sequence[Tab], active: str, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.tabs = tuple(tabs)
        self.active = active
        self._drawn: tuple[str, int] | None = None  # (active tab, width) of what is shown

    def on_mount(self) -> None:
        """Draw the tabs for the mode this screen belongs to."""
        self.show(self.active)

    def show(self, active: str) -> None:
        """Mark ``active`` (a mode name) as the current screen."""
        self.active = active
        self._refit()

    def on_resize(self) -> None:
        """A new width may need the narrow form, or allow the roomy one again."""
        self._refit()

    def _refit(self) -> None:
        # A screen asks again each time it is shown: the same line is not laid out again (an
        # update costs the screen a new layout).
        drawn = (self.active, self.size.width)
        if drawn != self._drawn:
            self._drawn = drawn
            self.update(self._fitted())

    def _fitted(self) -> Content:
        """The roomiest form that fits: padded, then spaced, then tight (no space between key
        and name), then tight with the longest names but the current tab's shortened
        (``Interact…``) until it fits."""
        width = self.size.width
        labels = [tab.label for tab in self.tabs]
        for pad, gap in ((" ", " "), ("", " "), ("", "")):
            line = self._line(labels, pad=pad, gap=gap)
            if not width or line.cell_length <= width:
                return line
        # The current tab keeps its whole name: it says where the user is.
        others = [n for n, tab in enumerate(self.tabs) if tab.mode != self.active] or [0]
        while line.cell_length > width:
            longest = max(others, key=lambda n: len(labels[n]))
            label = labels[longest]
            # One cell less each time ("Cases" -> "Cas…", "Inter…" -> "Inte…").
            kept = label[:-2]
            if len(kept) < 3:
                break
            labels[longest] = kept + "…"
            line = self._line(labels, pad="", gap="")
        return line

    def _line(self, labels: list[str], *, pad: str, gap: str) -> Content:
        parts: list[Content] = []
        for tab, label in zip(self.tabs, labels, strict=True):
            key = tab.key.upper()
            action = f"app.go('{tab.mode}')"
            if tab.mode == self.active:
                # Reverse and bold, so the current tab shows without colour too (NO_COLOR).
                parts.append(Content(f"{pad}{key}{gap}{label}{pad}").stylize("reverse bold"))
            else:
                text = Content.assemble(pad, (key, "bold"), f"{gap}{label}{pad}")
                parts.append(text.stylize(f"@click={action}"))
        parts.append(Content.assemble(pad, ("F1", "bold"), f"{gap}Help").stylize("@click=app.help"))
        return Content("" if pad else " ").join(parts)
