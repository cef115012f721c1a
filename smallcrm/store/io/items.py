"""What every reader hands over: for each import field, the values found in the file."""

from __future__ import annotations

from typing import Any, NamedTuple


class Item(NamedTuple):
    """One value for a field, with the label and address group it came with.

    A named tuple rather than a dataclass: a large file makes millions of them.
    """

    value: Any
    label: str | None = None
    group: str = ""


Fields = dict[str, list[Item]]
