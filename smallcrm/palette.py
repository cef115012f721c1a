"""The command palette's provider (Ctrl+P): new records, log a call, import a file, find
duplicates, go to a screen (Today also by "due"), open any record by name. The app opens what
each asks for (the same as the screens' own keys do); this module only offers them.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

from smallcrm.screens.host import CrmHost
from smallcrm.screens.tabs import TABS
from smallcrm.store import kinds
from smallcrm.widgets.text import markup_safe

if TYPE_CHECKING:
    from smallcrm.store.records import SearchHit

OPEN_PER_KIND = 3


class CrmCommands(Provider):
    """smallcrm's own commands, plus every record by name."""

    @property
    def crm(self) -> CrmHost:
        """The app, typed."""
        return self.app  # type: ignore[return-value]

    def _commands(self) -> list[tuple[str, Callable[[], object], str]]:
        app = self.crm
        commands: list[tuple[str, Callable[[], object], str]] = [
            ("New contact", partial(app.open_new, "contact"), "Add a person"),
            ("New account", partial(app.open_new, "account"), "Add a company"),
            ("Log a call", partial(app.open_log, "call"), "Record a phone call"),
            ("Log an email", partial(app.open_log, "email"), "Record an email"),
            ("Log a meeting", partial(app.open_log, "meeting"), "Record a meeting"),
            ("Log a note", partial(app.open_log, "note"), "Write a note"),
            ("Log a visit", partial(app.open_log, "visit"), "Record a visit"),
            (
                "Import contacts from a file…",
                app.open_import,
                "CSV, vCard, iCalendar or JSON; accounts and deals too",
            ),
            ("Past imports", app.open_past_imports, "List imports and undo one"),
            (
                "Find duplicate contacts",
                partial(app.open_duplicates, "contact"),
                "Same email, phone or name: merge them",
            ),
            (
                "Find duplicate accounts",
                partial(app.open_duplicates, "account"),
                "Same website, phone or name: merge them",
            ),
        ]
        for tab in TABS:
            about = f": {tab.about}" if tab.about else ""
            commands.append(
                (
                    f"Go to {tab.label}{about}",
                    partial(app.action_go, tab.mode),
                    f"{tab.key.upper()} from anywhere",
                )
            )
        return commands

    async def discover(self) -> Hits:
        """What the palette lists before anything is typed."""
        for name, run, help_text in self._commands():
            yield DiscoveryHit(name, run, help=help_text)

    async def search(self, query: str) -> Hits:
        """Commands matching ``query``, then records whose names match it."""
        matcher = self.matcher(query)
        for name, run, help_text in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), run, help=help_text)
        for hit in self._records(query):
            # The palette reads prompts and help as markup: names are escaped and printable.
            label = f"Open {kinds.word(hit.kind)}: {markup_safe(hit.title)}"
            yield Hit(
                0.5,
                matcher.highlight(label),
                partial(self.crm.open_record, hit.kind, hit.record_id),
                help=markup_safe(hit.detail),
            )

    def _records(self, query: str) -> list[SearchHit]:
        from smallcrm.store.search import search

        if not query.strip():
            return []
        return search(self.crm.db, query, per_kind=OPEN_PER_KIND, names_only=True)
