"""A record's history, newest first: when, who, what they did and, for a change, each field's
old and new value. Opened with ``h`` from any record's view (Ctrl+O in an appointment).

It reads the audit trail (``store.audit.history``) once when shown and again when something
changes (the app's live refresh); ``smallcrm history KIND ID`` prints the same in the shell.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from smallcrm.screens.base import CrmScreen
from smallcrm.store import formats as fmt
from smallcrm.store import kinds
from smallcrm.store.audit import history, readable_changes
from smallcrm.store.errors import StoreError
from smallcrm.store.records import AuditEntry
from smallcrm.widgets.text import assemble, plain

HISTORY_LIMIT = 500  # entries shown; the shell command lists every one
LONG_VALUE = 160  # characters of one old or new value
ACTIONS = {
    "create": "created it",
    "update": "changed",
    "delete": "moved it to the trash",
    "restore": "restored it",
    "merge": "merged another record into it",
    "import": "imported",
    "erase": "erased personal data",
}


def change_lines(entry: AuditEntry) -> list[Content]:
    """``  city: Berlin → Hamburg`` for each field (a new value alone when there was none)."""
    lines = []
    for change in readable_changes(entry.kind, entry.changes, LONG_VALUE):
        if change.old is None:
            text = plain(change.new)
        else:
            text = assemble(change.old, (" → ", "bold"), change.new)
        lines.append(assemble("  ", (f"{change.field}: ", "dim"), text))
    return lines


def entry_prompt(entry: AuditEntry) -> Content:
    """One entry: a heading line, then its fields."""
    action = ACTIONS.get(entry.action, entry.action)
    heading = assemble(
        (fmt.when(entry.at), "bold"), "  ", (entry.actor, "bold italic"), "  ", action
    )
    return Content("\n").join([heading, *change_lines(entry)])


class HistoryScreen(CrmScreen):
    """Every change of one record, newest first, scrollable."""

    CSS_PATH = "history.tcss"
    LIVE = True
    HELP: ClassVar[str] = """\
Who did what to this record and when, newest first: creating it, each change (every field
with its old and its new value), moving it to the trash, restoring, merging, importing.

**Read further back:** arrows, Page Up/Page Down, Home and End move through the entries.

**Changes by others** appear here by themselves within a few seconds.

The same history is printed in the shell by `smallcrm history KIND ID` (all of it, also as
JSON with `--json`). Esc goes back to the record."""

    def __init__(self, kind: str, record_id: int, title: str) -> None:
        super().__init__()
        self.kind = kind
        self.record_id = record_id
        self.title = title
        self.entries: list[AuditEntry] = []

    def breadcrumb(self) -> list[str]:
        """``History``, after the record's own step."""
        return ["History"]

    def compose_body(self) -> ComposeResult:
        """A line about what is shown, then the entries."""
        yield Static("", id="history-status")
        yield OptionList(id="history-entries")

    def on_mount(self) -> None:
        """Read the history and start at the newest entry."""
        self.reload()
        self.query_one("#history-entries", OptionList).focus()

    def reload(self) -> None:
        """Read the entries again (the newest stays on top; the cursor stays on its entry)."""
        try:
            entries = history(self.db, self.kind, self.record_id, limit=HISTORY_LIMIT)
        except StoreError as exc:
            self.notify_error(exc)
            return
        self.entries = list(reversed(entries))
        self._show()

    def _show(self) -> None:
        box = self.query_one("#history-entries", OptionList)
        highlighted = box.highlighted_option.id if box.highlighted_option else None
        box.set_options(
            [Option(entry_prompt(e), id=str(e.id)) for e in self.entries]
            or [Option(Content("No history recorded for this record.").stylize("italic"))]
        )
        ids = [str(e.id) for e in self.entries]
        if highlighted in ids:
            box.highlighted = ids.index(highlighted)
        elif ids:
            box.highlighted = 0
        self.query_one("#history-status", Static).update(plain(self.status_text()))

    def status_text(self) -> str:
        """``History of contact Jana Novak: 12 entries, newest first``."""
        count = len(self.entries)
        word = kinds.word(self.kind)
        text = f"History of {word} {self.title}: {count} {'entry' if count == 1 else 'entries'}"
        text += ", newest first"
        if count >= HISTORY_LIMIT:
            text += f" (the latest {HISTORY_LIMIT}; smallcrm history {word} {self.record_id})"
        return text
