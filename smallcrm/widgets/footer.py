"""Textual's compact footer, at half the cost of drawing it.

Textual's ``Footer`` makes a ``FooterKey`` widget per key and rebuilds them all whenever the
bindings may have changed (a focus change, a list re-read, ...). In compact form each key is
styled twice: once when it is mounted and again when the footer's ``compact`` setting reaches it
and adds its ``-compact`` class. This footer gives the keys that class from the start, and does
not rebuild the keys when the bindings it shows are the ones already shown. On the first
screen that is about 40 ms of start-up at 80x24, after the first frame, before the footer is
filled in.
"""

from __future__ import annotations

from collections.abc import Hashable

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey


class CrmFooter(Footer):
    """The keys of the screen's bindings, compact, on the bottom line."""

    def __init__(self) -> None:
        super().__init__(compact=True)
        self._shown: Hashable | None = None  # the bindings the keys were made for

    def _bindings_shown(self, screen: Screen) -> Hashable:
        # Everything Footer.compose reads from the bindings.
        return tuple(
            (binding.key, binding.action, binding.description, binding.group, enabled, tooltip)
            for (_node, binding, enabled, tooltip) in screen.active_bindings.values()
            if binding.show or binding.action == "command_palette"
        )

    def compose(self) -> ComposeResult:
        """Footer's keys, each with the compact class already set."""
        self._shown = self._bindings_shown(self.screen) if self._bindings_ready else None
        for widget in super().compose():
            if isinstance(widget, FooterKey):
                widget.add_class("-compact", update=False)
            yield widget

    def bindings_changed(self, screen: Screen) -> None:
        """Rebuild the keys only if the bindings to show changed."""
        if (
            self._shown is not None
            and self.is_attached
            and screen is self.screen
            and self._bindings_shown(screen) == self._shown
        ):
            return
        super().bindings_changed(screen)
