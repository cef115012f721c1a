"""What the screens need of the app they run in: the database, opening a record of any kind,
the undo list of the trash, and asking every screen to re-read its data.

``CrmApp`` (smallcrm/app.py) is the one implementation. Screens type ``self.app`` as this class,
so they never import the app module (which imports them), and a test can run a screen in a
small app of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.app import App

if TYPE_CHECKING:
    from smallcrm.store.db import Database


@dataclass(frozen=True)
class Trashed:
    """A record the user moved to the trash in this session, so Ctrl+Z can bring it back."""

    kind: str
    record_id: int
    label: str


class CrmHost(App[None]):
    """The app as the screens see it (see the module docstring)."""

    db: Database
    trashed: list[Trashed]

    def open_record(self, kind: str, record_id: int) -> None:
        """Open a record's detail view on top of the current screen (Esc comes back)."""
        raise NotImplementedError

    def remember_trashed(self, kind: str, record_id: int, label: str) -> None:
        """Note a record just moved to the trash and tell the user how to undo it."""
        raise NotImplementedError

    # forms and tools any screen (or the palette) can open; CrmApp delegates to screens/openers

    def open_new(self, kind: str) -> None:
        """The form for a new contact or account; the saved record opens."""
        raise NotImplementedError

    def open_log(self, kind: str = "call") -> None:
        """The form to log a call (or another kind), linked to the record on screen."""
        raise NotImplementedError

    def open_import(self, kind: str | None = None) -> None:
        """The import screen."""
        raise NotImplementedError

    def open_past_imports(self) -> None:
        """The list of past imports, where each can be undone."""
        raise NotImplementedError

    def open_duplicates(self, kind: str = "contact") -> None:
        """The duplicates screen for contacts or accounts."""
        raise NotImplementedError

    def action_go(self, mode: str) -> None:
        """Show one of the top-level screens (``screens/tabs.py``)."""
        raise NotImplementedError

    def reload_screens(self) -> None:
        """Ask every screen on the current stack to re-read its data from the database."""
        raise NotImplementedError
