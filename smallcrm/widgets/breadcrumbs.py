"""The breadcrumb trail: where the user is, each step clickable, long steps shortened.

The trail always starts with its tab and ends with where the user is: when it is wider than its
room, the long steps are shortened first (``Wiśniewski: SensorKit pil…``), then the middle ones
down to ``…``; the last step and then the first are shortened only when that is not enough.
"""

from __future__ import annotations

import os
from typing import NamedTuple

from textual.content import Content
from textual.widget import Widget

from smallcrm.store.formats import printable

ELLIPSIS = "…"
KEEP = 12  # a long step is shortened to this before the shorter ones lose a letter
MIN_END = 6  # the first and last steps keep at least this many characters (with the "…")


class Crumb(NamedTuple):
    """One step: its text and the depth of the screen stack that shows it (what a click goes
    back to). A step for a record the user did not come through (a contact's account, for a
    contact found by search on the Accounts tab) names that record: a click opens it there."""

    text: str
    depth: int
    kind: str = ""
    record_id: int = 0


def separator() -> str:
    """`` › `` on terminals that have it; `` > `` on the Linux console, whose font may not."""
    return " > " if os.environ.get("TERM") == "linux" else " › "


def fit(texts: list[str], width: int, sep: int) -> list[str]:
    """``texts`` shortened with ``…`` so that, joined by ``sep`` characters, they fit ``width``.

    In turn, as long as they do not fit: long steps (the last one too) down to ``KEEP``
    characters, the longest first; the middle steps, the longest first, down to a few letters
    and then to ``…``; the last step and the first down to ``MIN_END``.
    """
    lengths = [len(text) for text in texts]
    last = len(texts) - 1
    middle = sorted(range(1, last), key=lambda n: -lengths[n])
    excess = sum(lengths) + sep * last - width

    def cut(index: int, floor: int) -> None:
        nonlocal excess
        take = min(max(lengths[index] - floor, 0), max(excess, 0))
        lengths[index] -= take
        excess -= take

    while excess > 0:  # level the long ones (the current step included) down to KEEP
        longest = max(range(1, last + 1), key=lambda n: lengths[n], default=0)
        if longest == 0 or lengths[longest] <= KEEP:
            break
        second = max((lengths[n] for n in range(1, last + 1) if n != longest), default=KEEP)
        cut(longest, max(second, KEEP) if second < lengths[longest] else lengths[longest] - 1)
    for floor in (4, 1):
        for index in middle:
            cut(index, floor)
    cut(last, min(lengths[last], MIN_END))
    cut(0, min(lengths[0], MIN_END))
    return [_shorten(text, length) for text, length in zip(texts, lengths, strict=True)]


def _shorten(text: str, length: int) -> str:
    if len(text) <= length:
        return text
    return text[: max(length - 1, 0)].rstrip() + ELLIPSIS


class Breadcrumbs(Widget):
    """``Accounts › Acme GmbH › Jana Novak``; clicking a step goes back to it.

    Each step is a :class:`Crumb`: a click goes back to its depth of the screen stack
    (``screen.back_to``), or opens the record it names there (``screen.open_crumb``).
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
        self.steps: list[Crumb] = []

    def show(self, steps: list[Crumb]) -> None:
        """Show a new trail (outermost first)."""
        self.steps = list(steps)
        self.refresh()

    @property
    def text(self) -> str:
        """The whole trail as plain text (what a test or a screen reader would read)."""
        return separator().join(step.text for step in self.steps)

    def render(self) -> Content:
        """The trail, its long steps shortened until it fits the width (see the module)."""
        sep = separator()
        width = max(self.size.width, 10)  # the content area: padding is outside it
        texts = fit([printable(step.text) for step in self.steps], width, len(sep))
        parts: list[Content] = []
        last = len(self.steps) - 1
        for index, (text, step) in enumerate(zip(texts, self.steps, strict=True)):
            if index == last:
                parts.append(Content(text).stylize("bold"))
            elif step.kind:
                action = f"screen.open_crumb({step.depth}, {step.kind!r}, {step.record_id})"
                parts.append(Content(text).stylize(f"@click={action}"))
            else:
                parts.append(Content(text).stylize(f"@click=screen.back_to({step.depth})"))
        return Content(sep).join(parts)
