"""The command palette's CRM commands (Ctrl+P): new records, log a call, import a file, find
duplicates, go to a screen, open any record by name.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

from smallcrm.store import kinds
from smallcrm.widgets.text import markup_safe

if TYPE_CHECKING:
    from smallcrm.app import CrmApp

OPEN_PER_KIND = 3


def new_contact(app: CrmApp) -> None:
    """Open the new-contact form; a saved contact opens."""
    from smallcrm.screens.contact_form import ContactForm

    app.push_screen(ContactForm(), partial(_open_saved, app, "contact"))


def new_account(app: CrmApp) -> None:
    """Open the new-account form; a saved account opens."""
    from smallcrm.screens.account_form import AccountForm

    app.push_screen(AccountForm(), partial(_open_saved, app, "account"))


def log_interaction(app: CrmApp, kind: str = "call") -> None:
    """Open the log form for a call (or another kind), linked to the record on screen."""
    from smallcrm.screens.interaction_form import InteractionForm

    contact_id = getattr(app.screen, "contact_id", None)
    account_id = getattr(app.screen, "account_id", None)
    form = InteractionForm(kind=kind, contact_id=contact_id, account_id=account_id)
    app.push_screen(form, lambda saved: app.reload_screens() if saved else None)


def open_import(app: CrmApp, kind: str | None = None) -> None:
    """Open the import screen over the current one (Esc comes back)."""
    from smallcrm.screens.import_screen import ImportScreen

    app.push_screen(ImportScreen(kind=kind))


def open_past_imports(app: CrmApp) -> None:
    """Open the list of past imports, where each can be undone."""
    from smallcrm.screens.import_batches import ImportBatchesScreen

    app.push_screen(ImportBatchesScreen())


def open_duplicates(app: CrmApp, kind: str = "contact") -> None:
    """Open the duplicates screen for contacts or accounts."""
    from smallcrm.screens.duplicates import DuplicatesScreen

    app.push_screen(DuplicatesScreen(kind))


def _open_saved(app: CrmApp, kind: str, saved: object) -> None:
    if saved is not None:
        app.open_record(kind, saved.id)  # type: ignore[attr-defined]


class CrmCommands(Provider):
    """smallcrm's own commands, plus every record by name."""

    @property
    def crm(self) -> CrmApp:
        """The app, typed."""
        return self.app  # type: ignore[return-value]

    def _commands(self) -> list[tuple[str, Callable[[], object], str]]:
        from smallcrm.app import TABS

        app = self.crm
        commands: list[tuple[str, Callable[[], object], str]] = [
            ("New contact", partial(new_contact, app), "Add a person"),
            ("New account", partial(new_account, app), "Add a company"),
            ("Log a call", partial(log_interaction, app, "call"), "Record a phone call"),
            ("Log an email", partial(log_interaction, app, "email"), "Record an email"),
            ("Log a meeting", partial(log_interaction, app, "meeting"), "Record a meeting"),
            ("Log a note", partial(log_interaction, app, "note"), "Write a note"),
            ("Log a visit", partial(log_interaction, app, "visit"), "Record a visit"),
            (
                "Import contacts from a file…",
                partial(open_import, app),
                "CSV, vCard, iCalendar or JSON; accounts and deals too",
            ),
            ("Past imports", partial(open_past_imports, app), "List imports and undo one"),
            (
                "Find duplicate contacts",
                partial(open_duplicates, app, "contact"),
                "Same email, phone or name: merge them",
            ),
            (
                "Find duplicate accounts",
                partial(open_duplicates, app, "account"),
                "Same website, phone or name: merge them",
            ),
        ]
        for tab in TABS:
            commands.append(
                (
                    f"Go to {tab.label}",
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

    def _records(self, query: str) -> list:
        from smallcrm.store.search import search

        if not query.strip():
            return []
        return search(self.crm.db, query, per_kind=OPEN_PER_KIND, names_only=True)
