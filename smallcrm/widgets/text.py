"""Text from the data on screen: built with every control character made visible, and a last
filter on every line the app draws.

Names, notes and titles can hold control characters (an import, a paste). Textual passes ESC,
C1 controls and the bidi overrides through its Content and rich's Text untouched, so a name
holding ``ESC ] 52;c;...`` would reach the terminal and write its clipboard. Textual's Content
drops BEL, BS, VT, FF and CR when it is built, but ``Content.assemble`` places the styled spans
before that: a deal name whose OSC sequence ends in BEL crashed the app when a detail view
showed it. So text from the data is made printable (``formats.printable``: ESC as ``␛``) before
it becomes Content, through :func:`assemble` and :func:`plain`; and :class:`ControlFilter`,
which the app adds to Textual's line filters, drops any control character that still reaches
a line (an Input holding a pasted value, a message from a library). Control characters take
no cells, so dropping them there keeps every line as wide as it was laid out.
"""

from __future__ import annotations

import re

from rich.markup import escape
from rich.segment import Segment
from textual.color import Color
from textual.content import Content
from textual.filter import LineFilter

from smallcrm.store.formats import printable

Part = str | Content | tuple[str, str]

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def assemble(*parts: Part) -> Content:
    """``Content.assemble`` with the text of every plain and styled part made printable (line
    breaks kept: Content lays them out). Content parts are taken as they are."""
    safe: list[Part] = []
    for part in parts:
        if isinstance(part, str):
            safe.append(printable(part, keep_newlines=True))
        elif isinstance(part, tuple):
            safe.append((printable(part[0], keep_newlines=True), part[1]))
        else:
            safe.append(part)
    return Content.assemble(*safe)


def plain(text: str, *, lines: bool = False) -> Content:
    """Text from the data as Content: printable, never read as markup (``[b]`` stays as typed).
    With ``lines`` its line breaks are kept."""
    return Content(printable(text, keep_newlines=lines))


def markup_safe(text: str) -> str:
    """Text from the data for an API that reads markup (the palette, notifications): printable,
    with ``[`` escaped so a name cannot style or link anything."""
    return escape(printable(text, keep_newlines=True))


class ControlFilter(LineFilter):
    """Drops the control characters left in a line of segments (see the module doc)."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        """The segments with control characters removed from their text."""
        cleaned = []
        for segment in segments:
            if segment.control is None and _CONTROL.search(segment.text):
                segment = Segment(_CONTROL.sub("", segment.text), segment.style)
            cleaned.append(segment)
        return cleaned
