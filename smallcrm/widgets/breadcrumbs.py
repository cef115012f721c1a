"""The breadcrumb trail: where the user is, each step clickable, shortened from the left."""

from __future__ import annotations

import os

from textual.content import Content
from textual.widget import Widget

from smallcrm.store.formats import printable

MAX_STEP = 40


def separator() -> str:
    """`` › `` on terminals that have it; `` > `` on the Linux console, whose font may not."""
    return " > " if os.environ.get("TERM") == "linux" else " › "


class Breadcrumbs(Widget):
    """``Accounts › Acme GmbH › Jana Novak``; clicking a step goes back to it.

    Each step is ``(text, depth)``: the depth of the screen stack that shows that step, which is
    what ``screen.back_to(depth)`` returns to.
    """

    DEFAULT_CSS = """
    Breadcrumbs {
        height: 1;
        width: 1fr;
        padding: 0 1;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.steps: list[tuple[str, int]] = []

    def show(self, steps: list[tuple[str, int]]) -> None:
        """Show a new trail (outermost first)."""
        self.steps = list(steps)
        self.refresh()

    @property
    def text(self) -> str:
        """The whole trail as plain text (what a test or a screen reader would read)."""
        return separator().join(step for step, _ in self.steps)

    def render(self) -> Content:
        """The trail, dropping leading steps (as ``…``) until it fits the width."""
        sep = separator()
        width = max(self.size.width - 2, 10)
        shown = [(printable(text), depth) for text, depth in self.steps]
        steps = [
            (text if len(text) <= MAX_STEP else text[: MAX_STEP - 1] + "…", depth)
            for text, depth in shown
        ]
        first = 0
        while (
            first < len(steps) - 1 and len(sep.join(["…", *(t for t, _ in steps[first:])])) > width
        ):
            first += 1
        parts: list[Content] = [Content("…")] if first else []
        last = len(steps) - 1
        for index in range(first, len(steps)):
            text, depth = steps[index]
            if index == last:
                parts.append(Content(text).stylize("bold"))
            else:
                parts.append(Content(text).stylize(f"@click=screen.back_to({depth})"))
        return Content(sep).join(parts)
