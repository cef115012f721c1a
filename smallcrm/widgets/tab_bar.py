"""The top line: the five screens with their keys, the current one marked, and F1 for help."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from textual.content import Content
from textual.widgets import Static


class Tab(NamedTuple):
    """One top-level screen: its mode name, label and key."""

    mode: str
    label: str
    key: str


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

    def on_mount(self) -> None:
        """Draw the tabs for the mode this screen belongs to."""
        self.show(self.active)

    def show(self, active: str) -> None:
        """Mark ``active`` (a mode name) as the current screen."""
        self.active = active
        parts: list[Content] = []
        for tab in self.tabs:
            key = tab.key.upper()
            action = f"app.go('{tab.mode}')"
            if tab.mode == active:
                # Reverse and bold, so the current tab shows without colour too (NO_COLOR).
                parts.append(Content(f" {key} {tab.label} ").stylize("reverse bold"))
            else:
                label = Content.assemble(" ", (key, "bold"), f" {tab.label} ")
                parts.append(label.stylize(f"@click={action}"))
        parts.append(Content.assemble(" ", ("F1", "bold"), " Help").stylize("@click=app.help"))
        self.update(Content("").join(parts))
