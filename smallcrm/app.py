"""The terminal app: six top-level screens, one key each, over one injected database.

The app itself stays thin: it knows the top-level screens (as Textual *modes*, so each keeps its own
stack of detail screens and the breadcrumb trail is that stack), how to open a record of any kind,
the clock the screens read "now" from, the undo list for records moved to the trash, and the
live refresh: a cheap change marker (``store.audit.latest_change``) read every
``live_interval`` seconds, so changes others make show without a restart.
Everything else lives in ``screens/`` and ``widgets/``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import ClassVar

from textual import events, on
from textual.app import App
from textual.binding import Binding, BindingType
from textual.css.query import NoMatches
from textual.filter import LineFilter
from textual.notifications import SeverityLevel
from textual.screen import Screen

from smallcrm.palette import CrmCommands
from smallcrm.screens import openers
from smallcrm.screens.host import CrmHost, Trashed
from smallcrm.screens.modes import MODES as TAB_SCREENS
from smallcrm.screens.reminder import ReminderWatch
from smallcrm.screens.tabs import TABS
from smallcrm.store import clock, kinds
from smallcrm.store.db import Database, open_database
from smallcrm.store.formats import printable
from smallcrm.widgets.text import ControlFilter, markup_safe

LIVE_INTERVAL = 1.0  # seconds between two looks for changes made by others


def _tab_bindings() -> list[BindingType]:
    # Not in the footer: the tab bar shows these keys (and F1) on every screen, and at 80
    # columns they pushed the screen's own keys (a deal's Won and Lost, ...) out of the footer.
    return [
        Binding(tab.key, f"go('{tab.mode}')", tab.label, show=False, id=f"go.{tab.mode}")
        for tab in TABS
    ]


class CrmApp(CrmHost):
    """smallcrm's terminal app over one database (``self.db``)."""

    TITLE = "smallcrm"
    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {CrmCommands}
    MODES: ClassVar[dict[str, str | Callable[[], Screen]]] = dict(TAB_SCREENS)
    DEFAULT_MODE = "contacts"
    BINDINGS: ClassVar[list[BindingType]] = [
        # Priority, so F1 works inside forms and modals too (their own bindings come first).
        Binding("f1", "help", "Help", priority=True, show=False, id="app.help"),
        *_tab_bindings(),
        # The search field says "Search: Ctrl+F or /" itself.
        Binding(
            "ctrl+f", "search", "Search", show=False, id="app.search", tooltip="Find any record"
        ),
        Binding("slash", "search", "Search", show=False, id="app.search.slash"),
        Binding("ctrl+z", "undo", "Undo delete", id="app.undo", tooltip="Restore from the trash"),
    ]

    def __init__(
        self,
        db: Database,
        *,
        now: datetime | None = None,
        live_interval: float | None = LIVE_INTERVAL,
    ) -> None:
        super().__init__()
        self.db = db
        if now is not None:  # tests and snapshots: every screen reads the one clock
            clock.pin(now)
        self.trashed: list[Trashed] = []
        self.live_interval = live_interval
        self.reminders = ReminderWatch(self)
        # Read before any screen loads, so a change made meanwhile still counts as new.
        self.last_change = self._change_marker() if live_interval else None
        # Plain box drawing on the Linux console (see app.tcss).
        self.set_class(os.environ.get("TERM") == "linux", "-linux-console")
        self.control_filter = ControlFilter()

    # what reaches the terminal -----------------------------------------------------------

    def get_line_filters(self) -> Sequence[LineFilter]:
        """Textual's filters, then the one that keeps control characters from the data off the
        terminal (see ``smallcrm.widgets.text``)."""
        return [*super().get_line_filters(), self.control_filter]

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """A notification; messages often name a record, so their text is made printable."""
        super().notify(
            printable(message, keep_newlines=True),
            title=printable(title),
            severity=severity,
            timeout=timeout,
            markup=markup,
        )

    def _warn_if_others_can_read(self) -> None:
        """A database file every user can read gets a warning (as the shell commands give)."""
        from smallcrm.store.team import exposure_warning

        warning = exposure_warning(self.db.path)
        if warning:
            self.notify(warning, title="Database not private", severity="warning", timeout=30)

    # live refresh -------------------------------------------------------------------------

    def on_mount(self) -> None:
        """Start looking for changes others make (every ``live_interval`` seconds)."""
        if self.live_interval:
            self.set_interval(self.live_interval, self.check_for_changes, name="live-refresh")

    @on(events.Ready)
    def _after_first_frame(self) -> None:
        """Once the first screen is drawn: warn about a database others can read, ask the
        first-run questions, offer back an unsaved form. None of it is needed to draw the list,
        and each reads files or imports dialogs the user would otherwise wait for."""
        self._warn_if_others_can_read()
        self.ask_first_questions()
        self.offer_drafts()

    def offer_drafts(self) -> None:
        """A form left unsaved when the app last closed (a dropped connection) is offered back."""
        from smallcrm.screens.draft_offer import offer_drafts

        offer_drafts(self)

    def ask_first_questions(self) -> None:
        """The first-run questions, while no settings were ever saved (Esc skips them)."""
        from smallcrm.store import settings
        from smallcrm.store.errors import StoreError

        try:
            if settings.is_configured():
                return
        except (StoreError, OSError):
            return  # an unreadable settings file: `smallcrm config` says what is wrong
        from smallcrm.screens.first_run import FirstRunScreen

        self.push_screen(FirstRunScreen())

    def _change_marker(self) -> tuple[int, int] | None:
        from smallcrm.store.audit import latest_change
        from smallcrm.store.errors import StoreError

        try:
            return latest_change(self.db)
        except StoreError:
            return None  # busy or unreadable now: the next look tries again

    def check_for_changes(self) -> None:
        """If anything changed since the last look, let the screen shown re-read its data.

        Only a screen that shows data asks (never under a form, a dialog or the help: the
        screen underneath re-reads when it comes back), so nothing is queried when nothing
        needs it; the marker is one short read transaction.
        """
        from smallcrm.screens.base import CrmScreen

        if not self.is_running:
            return  # shutting down: the screens are being taken apart
        screen = self.screen
        live = isinstance(screen, CrmScreen) and screen.LIVE and screen.is_mounted
        marker = self._change_marker() if live else None
        changed = marker is not None and marker != self.last_change
        self.reminders.tick(changed)  # a due reminder shows over any screen, forms too
        if isinstance(screen, CrmScreen) and live and changed:
            self.last_change = marker
            try:
                screen.live_reload()
            except NoMatches:
                # The timer came while the screen's widgets were being put together or taken
                # apart (a busy machine widens that moment): it reads afresh when shown whole.
                return

    # navigation ---------------------------------------------------------------------------

    def action_go(self, mode: str) -> None:
        """Show one of the top-level screens (each keeps its own stack of details)."""
        if mode != self.current_mode:
            self.switch_mode(mode)

    def action_search(self) -> None:
        """Jump to the search bar of the current screen."""
        from smallcrm.screens.base import CrmScreen

        if isinstance(self.screen, CrmScreen):
            self.screen.focus_search()

    def action_help(self) -> None:
        """Show help for where the user is (or close the help if it is open)."""
        from smallcrm.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss(None)
            return
        self.push_screen(HelpScreen.for_screen(self.screen))

    def open_record(self, kind: str, record_id: int) -> None:
        """Open a record's detail view on top of the current screen (Esc comes back)."""
        from smallcrm.screens.details import detail_screen

        self.push_screen(detail_screen(kind, record_id))

    # forms and tools (screens/openers.py) ------------------------------------------------

    def open_new(self, kind: str) -> None:
        """The form for a new contact or account; the saved record opens."""
        openers.new_record(self, kind)

    def open_log(self, kind: str = "call") -> None:
        """The form to log a call (or another kind), linked to the record on screen."""
        openers.log_interaction(self, kind)

    def open_import(self, kind: str | None = None) -> None:
        """The import screen."""
        openers.open_import(self, kind)

    def open_past_imports(self) -> None:
        """The list of past imports."""
        openers.open_past_imports(self)

    def open_duplicates(self, kind: str = "contact") -> None:
        """The duplicates screen for contacts or accounts."""
        openers.open_duplicates(self, kind)

    # trash and undo -----------------------------------------------------------------------

    def remember_trashed(self, kind: str, record_id: int, label: str) -> None:
        """Note a record just moved to the trash and tell the user how to undo it."""
        self.trashed.append(Trashed(kind, record_id, label))
        self.refresh_bindings()
        shown = markup_safe(label)
        self.notify(f"{shown} moved to the trash. Ctrl+Z brings it back.", title="Deleted")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Hide Undo while there is nothing to undo."""
        if action == "undo":
            return bool(self.trashed)
        return super().check_action(action, parameters)

    def action_undo(self) -> None:
        """Restore the record most recently moved to the trash."""
        if not self.trashed:
            return
        item = self.trashed.pop()
        from smallcrm.store.errors import StoreError

        try:
            kinds.get(item.kind).services.restore(self.db, item.record_id)
        except StoreError as exc:
            self.notify(str(exc), title="Could not restore", severity="error")
            return
        finally:
            self.refresh_bindings()
        self.notify(f"{markup_safe(item.label)} restored.", title="Undone")
        self.reload_screens()

    def reload_screens(self) -> None:
        """Ask every screen on the current stack to re-read its data from the database."""
        from smallcrm.screens.base import CrmScreen

        for screen in self.screen_stack:
            if isinstance(screen, CrmScreen):
                screen.reload()


def make_app(
    db: Database, *, now: datetime | None = None, live_interval: float | None = LIVE_INTERVAL
) -> CrmApp:
    """The one factory for the app, used by the CLI, the Pilot tests and the snapshots.

    ``live_interval`` is how often the app looks for changes others made (None: never).
    """
    return CrmApp(db, now=now, live_interval=live_interval)


def run_app(db_target: str | None) -> None:
    """Open the database (``--db``, ``SMALLCRM_DB`` or the default) and run the app."""
    db = open_database(db_target)
    try:
        make_app(db).run()
    finally:
        db.close()
