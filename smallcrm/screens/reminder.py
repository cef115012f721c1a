"""A due reminder on top of whatever screen is open, with a bell: open it, snooze it, or mark
it done (``ReminderScreen``); and ``ReminderWatch``, which the app's once-a-second look for
changes asks whether a reminder of the app's user has come due.

The watch keeps the time of the next reminder, so the look each second is a comparison; it
reads the database again when that time comes, when something changed (a new appointment,
a follow-up done elsewhere) and at least every ``REREAD`` seconds. Each reminder is shown once
per user on the ``app`` channel of the delivery table, so two open apps of one user show it
once, and again after a snooze.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from smallcrm.screens.host import CrmHost
from smallcrm.store import clock

if TYPE_CHECKING:
    # The store's reminder rules (and the settings they read) load at the first look, a
    # second after start, not before the first screen is drawn.
    from smallcrm.store.reminders import Reminder

REREAD = timedelta(minutes=1)


class ReminderScreen(ModalScreen[str | None]):
    """One due reminder; dismisses with what to do: open, 10m, 1h, tomorrow, done (or None)."""

    DEFAULT_CSS = """
    ReminderScreen { align: center middle; }
    #reminder-dialog {
        width: 64; max-width: 100%; height: auto; border: thick $warning;
        background: $surface; padding: 1 2;
    }
    #reminder-text { text-style: bold; margin-bottom: 1; }
    #reminder-keys { color: $text-muted; }
    """
    HELP: ClassVar[str] = (
        "A reminder that has come due.\n\n"
        "- **o** opens the appointment or interaction.\n"
        "- **s** snoozes it for 10 minutes, **h** for an hour, **t** until tomorrow morning.\n"
        "- **d** marks it done (a follow-up is done altogether).\n"
        "- **Esc** closes it; it is not shown again."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("o", "answer('open')", "Open", id="reminder.open"),
        Binding("s", "answer('10m')", "Snooze 10 min", id="reminder.snooze"),
        Binding("h", "answer('1h')", "Snooze 1 h", id="reminder.snooze_hour"),
        Binding("t", "answer('tomorrow')", "Tomorrow", id="reminder.tomorrow"),
        Binding("d", "answer('done')", "Done", id="reminder.done"),
        Binding("escape", "answer(None)", "Close", id="reminder.close"),
    ]

    def __init__(self, reminder: Reminder) -> None:
        super().__init__()
        self.reminder = reminder

    def compose(self) -> ComposeResult:
        """The reminder's text and its keys."""
        with Vertical(id="reminder-dialog"):
            yield Static("\N{BELL} " + self.reminder.text(clock.now()), id="reminder-text")
            yield Static(
                "o open  s 10 min  h 1 h  t tomorrow  d done  Esc close", id="reminder-keys"
            )

    def action_answer(self, choice: str | None) -> None:
        """Each key answers."""
        self.dismiss(choice)


class ReminderWatch:
    """Shows the app's user each reminder as it comes due (see the module docstring)."""

    def __init__(self, app: CrmHost) -> None:
        self.app = app
        self.next_due: datetime | None = None
        self.read_at: datetime | None = None
        self.showing = False
        self.looking = False  # a look is running in its thread

    def tick(self, changed: bool) -> None:
        """Called once a second; ``changed``: the database changed since the last look."""
        now = clock.now()
        stale = self.read_at is None or now - self.read_at >= REREAD
        if self.showing or self.looking:
            return
        if not (changed or stale or (self.next_due and now >= self.next_due)):
            return
        self.looking = True
        self.read_at = now
        # In a thread: with 100,000 appointments and 1,000,000 interactions a look takes
        # 0.3-0.7 s, and on the UI thread it froze typing and scrolling once a minute.
        self.app.run_worker(
            partial(self._look, now), thread=True, group="reminders", exit_on_error=False
        )

    def _look(self, now: datetime) -> None:
        """In the worker thread: claim what is due, find the next one, hand both back."""
        from smallcrm.store.crud import current_user
        from smallcrm.store.errors import StoreError
        from smallcrm.store.reminder_delivery import APP, claim_one, pending
        from smallcrm.store.reminders import upcoming

        due: list[Reminder] | None = None
        later: list[Reminder] = []
        try:
            user = current_user()
            db = self.app.db
            due = [r for r in pending(db, user, APP, now) if claim_one(db, r, APP, now)]
            later = upcoming(db, user, now)
        except StoreError:
            due = None  # busy: the next second tries again
        finally:
            try:
                self.app.call_from_thread(self._looked, due, later)
            except RuntimeError:
                pass  # the app closed meanwhile

    def _looked(self, due: list[Reminder] | None, later: list[Reminder]) -> None:
        self.looking = False
        if due is None:
            self.read_at = None
            return
        self.next_due = later[0].due_at if later else None
        if len(due) == 1:
            self.show(due[0])
        elif due:
            self.show_many(due)

    def show(self, reminder: Reminder) -> None:
        """Ring the bell and show the reminder over the current screen."""
        self.showing = True
        self.app.bell()

        def answered(choice: str | None) -> None:
            self.showing = False
            self.read_at = None  # another may be due already
            self.act(reminder, choice)

        self.app.push_screen(ReminderScreen(reminder), answered)

    def show_many(self, due: list[Reminder]) -> None:
        """Several came due at once (a morning's follow-ups, the first start after a while):
        one bell and one dialog that leads to Today, where each is one key from done, snooze
        or open, rather than a dialog per reminder to close one after another."""
        self.showing = True
        self.app.bell()

        def answered(choice: str | None) -> None:
            self.showing = False
            self.read_at = None
            if choice == "today":
                self.app.action_go("today")

        self.app.push_screen(RemindersDueScreen(due), answered)

    def act(self, reminder: Reminder, choice: str | None) -> None:
        """Do what the user chose for ``reminder``."""
        from smallcrm.store import reminder_delivery
        from smallcrm.store.reminders import FOLLOW_UP

        if choice == "open":
            kind = "interaction" if reminder.kind == FOLLOW_UP else reminder.kind
            self.app.open_record(kind, reminder.record_id)
        elif choice == "done":
            reminder_delivery.done(self.app.db, reminder)
            self.app.notify("Done: no more reminders of it.", timeout=3)
        elif choice is not None:
            until = reminder_delivery.snooze(self.app.db, reminder, choice)
            self.app.notify(f"Snoozed until {clock.local(until):%a %H:%M}.", timeout=3)


class RemindersDueScreen(ModalScreen[str | None]):
    """Several reminders due at once: how many, the first few, and the way to Today."""

    DEFAULT_CSS = """
    RemindersDueScreen { align: center middle; }
    #reminders-dialog {
        width: 64; max-width: 100%; height: auto; border: thick $warning;
        background: $surface; padding: 1 2;
    }
    #reminders-text { margin-bottom: 1; }
    #reminders-keys { color: $text-muted; }
    """
    HELP: ClassVar[str] = (
        "Several reminders came due at once.\n\n"
        "- **Enter** or **F7** shows them on Today, each one key from open, snooze or done.\n"
        "- **Esc** closes this; they are not shown again, and Today still lists them."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter,f7", "answer('today')", "Today", id="reminders.today"),
        Binding("escape", "answer(None)", "Close", id="reminders.close"),
    ]
    SHOWN = 3  # reminders named in the dialog; the rest are counted

    def __init__(self, due: list[Reminder]) -> None:
        super().__init__()
        self.due = due

    def compose(self) -> ComposeResult:
        """How many are due, the first few by name (as plain text: no markup, no controls)."""
        from textual.content import Content

        from smallcrm.store.formats import printable

        lines = [f"- {printable(r.title)}" for r in self.due[: self.SHOWN]]
        if len(self.due) > self.SHOWN:
            lines.append(f"  and {len(self.due) - self.SHOWN} more")
        text = Content.assemble(
            (f"\N{BELL} {len(self.due)} reminders are due", "bold"), "\n", "\n".join(lines)
        )
        with Vertical(id="reminders-dialog"):
            yield Static(text, id="reminders-text")
            yield Static("Enter  show them on Today    Esc  close", id="reminders-keys")

    def action_answer(self, choice: str | None) -> None:
        """Close with ``choice``."""
        self.dismiss(choice)
