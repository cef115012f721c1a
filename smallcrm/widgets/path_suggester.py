"""Completion of file paths in an Input: the rest of the first matching name, Right accepts it."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from textual.suggester import Suggester

MAX_ENTRIES = 2000  # A huge directory is not worth listing on every keystroke.


class PathSuggester(Suggester):
    """Suggests the completion of the path typed so far (``~`` is the home directory).

    Directories come back with a trailing ``/`` so the next name can be typed straight on;
    ``suffixes`` (``.csv``, ...) puts matching files first, then folders. Hidden names are
    offered only once a ``.`` is typed.
    """

    def __init__(self, suffixes: Iterable[str] = ()) -> None:
        # No cache: the directory may change between two keystrokes (a file just exported).
        super().__init__(use_cache=False, case_sensitive=True)
        self.suffixes = tuple(s.lower() for s in suffixes)

    async def get_suggestion(self, value: str) -> str | None:
        """``data/fix`` -> ``data/fixtures/``; None when nothing matches."""
        if not value:
            return None
        folder, _, prefix = value.rpartition("/")
        where = Path(os.path.expanduser(folder + "/" if folder or value.startswith("/") else "."))
        names = self._names(where, prefix)
        if not names:
            return None
        name = names[0]
        return value + name[len(prefix) :]

    def _names(self, where: Path, prefix: str) -> list[str]:
        try:
            entries = list(os.scandir(where))[:MAX_ENTRIES]
        except OSError:
            return []
        found: list[tuple[int, str]] = []
        for entry in entries:
            if not entry.name.startswith(prefix) or entry.name == prefix:
                continue
            if entry.name.startswith(".") and not prefix.startswith("."):
                continue
            try:
                is_dir = entry.is_dir()
            except OSError:
                continue
            wanted = bool(self.suffixes) and entry.name.lower().endswith(self.suffixes)
            # The files asked for first, then folders to go on into, then anything else.
            rank = 1 if is_dir else 0 if wanted else 2
            found.append((rank, entry.name + ("/" if is_dir else "")))
        return [name for _rank, name in sorted(found)]
