"""Likely duplicate contacts (or accounts), best first; Enter merges a pair, u undoes a merge.

Finding them compares records within blocks that share an email, a phone, a name or a website
(seconds at 100,000 contacts), so it runs in a thread worker while the screen stays usable.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from smallcrm.screens.base import CrmScreen
from smallcrm.store.duplicates import DuplicatePair, find_duplicates
from smallcrm.store.errors import StoreError
from smallcrm.store.merging import MergeResult, undo_merge
from smallcrm.store.records import Page
from smallcrm.widgets.paged_table import Column, PagedTable

COLUMNS = (
    Column("Score", 5, align="right"),
    Column("Keep", 12, flex=1),
    Column("Merge in", 12, flex=1),
    Column("Why", 20, flex=2),
)
PLURALS = {"contact": "contacts", "account": "accounts"}


def pair_cells(pair: DuplicatePair) -> list[str]:
    """Score, the suggested record to keep, the one to merge into it, and the reasons."""
    return [
        str(pair.score),
        f"{pair.keep_label} #{pair.keep_id}",
        f"{pair.other_label} #{pair.other_id}",
        "; ".join(pair.reasons),
    ]


class DuplicatesScreen(CrmScreen):
    """Pairs of records that look like one, with a score and the reasons."""

    CSS_PATH = "duplicates.tcss"
    HELP = """\
Contacts (or accounts) that are probably the same person or company, best match first: the
score (up to 100) and the reasons (same email, same phone, the same name written differently
such as "Smith, Anna" and "Anna Smith", similar names at the same company, same website).

**Merge a pair:** move to it and press Enter. The merge form shows both records field by field;
choose what to keep, Ctrl+S merges. Everything linked to the merged-in record moves over, and
it goes to the trash.

**Undo a merge:** u right after brings the merged-in record and its links back and puts the
kept record's fields back as they were (not if someone changed it since).

**Accounts or contacts:** a switches between duplicate contacts and duplicate accounts. r looks
again (after edits elsewhere)."""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "toggle_kind", "Accounts/contacts", id="duplicates.kind"),
        Binding("u", "undo", "Undo merge", id="duplicates.undo", tooltip="Take the merge back"),
        Binding("r", "rescan", "Look again", id="duplicates.rescan"),
    ]

    def __init__(self, kind: str = "contact") -> None:
        super().__init__()
        self.kind = kind
        self.pairs: list[DuplicatePair] = []
        self.scanning = False
        self.merges: list[MergeResult] = []

    def breadcrumb(self) -> list[str]:
        """``Duplicate contacts``."""
        return [f"Duplicate {PLURALS[self.kind]}"]

    def compose_body(self) -> ComposeResult:
        """A status line, the pairs, and what to say when there are none."""
        yield Static("", id="dup-status")
        yield PagedTable(COLUMNS, self._window, pair_cells, id="dup-table")
        yield Static("", id="dup-empty")

    @property
    def table(self) -> PagedTable[DuplicatePair]:
        """The list of pairs."""
        return self.query_one("#dup-table", PagedTable)

    def on_mount(self) -> None:
        """Look for duplicates straight away."""
        self.scan()

    def _window(self, offset: int, limit: int) -> Page[DuplicatePair]:
        return Page(self.pairs[offset : offset + limit], len(self.pairs), offset, limit)

    # finding ------------------------------------------------------------------------------

    def scan(self) -> None:
        """Find the pairs in a thread worker (seconds at 100,000 contacts)."""
        self.scanning = True
        self.query_one("#dup-status", Static).update(f"Looking for duplicate {PLURALS[self.kind]}…")
        self.refresh_bindings()
        kind = self.kind
        self.run_worker(
            lambda: find_duplicates(self.db, kind),
            name=f"duplicates-{kind}",
            group="duplicates",
            exclusive=True,
            thread=True,
            exit_on_error=False,
        )

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The search ended: show the pairs (or the error)."""
        worker = event.worker
        if worker.group != "duplicates" or worker.name != f"duplicates-{self.kind}":
            return
        if event.state == WorkerState.SUCCESS:
            self.scanning = False
            self.show_pairs(list(worker.result or []))
        elif event.state == WorkerState.ERROR and worker.error is not None:
            self.scanning = False
            self.query_one("#dup-status", Static).update("Could not look for duplicates.")
            self.notify_error(worker.error)
            self.refresh_bindings()

    def show_pairs(self, pairs: list[DuplicatePair]) -> None:
        """Fill the list (the cursor stays on its row number)."""
        self.pairs = pairs
        self.table.reload()
        self._show_state()

    def _show_state(self) -> None:
        count = len(self.pairs)
        plural = PLURALS[self.kind]
        empty = self.query_one("#dup-empty", Static)
        # A hidden table must not take the focus back (after the help closes, say).
        self.table.display = self.table.can_focus = bool(count)
        if count and self.focused is None:
            self.table.focus()
        empty.display = not count
        empty.update(
            f"No likely duplicate {plural}.\n\n"
            f"a looks at {PLURALS['account' if self.kind == 'contact' else 'contact']} instead; "
            "Esc goes back."
        )
        word = "pair" if count == 1 else "pairs"
        self.query_one("#dup-status", Static).update(
            f"{count:,} likely duplicate {word} of {plural}, best first · Enter merges a pair"
            if count
            else f"Looked at every {self.kind}."
        )
        self.refresh_frame()
        self.refresh_bindings()

    # merging ------------------------------------------------------------------------------

    def on_paged_table_opened(self, message: PagedTable.Opened) -> None:
        """Enter on a pair: the merge form."""
        from smallcrm.screens.merge_form import MergeForm

        self.app.push_screen(MergeForm(message.record), self.merged)

    def merged(self, result: MergeResult | None) -> None:
        """A merge was done: drop the pairs of the merged-in record, offer undo."""
        if result is None:
            return
        self.merges.append(result)
        gone = result.other_id
        self.show_pairs([p for p in self.pairs if gone not in (p.keep_id, p.other_id)])
        moved = sum(result.moved.values())
        self.notify(
            f"#{result.other_id} merged into #{result.keep_id} ({moved} linked records moved). "
            "u undoes it.",
            title="Merged",
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Undo only after a merge; nothing new while looking."""
        if action == "undo":
            return bool(self.merges) and not self.scanning
        if action in ("toggle_kind", "rescan"):
            return not self.scanning
        return super().check_action(action, parameters)

    def action_undo(self) -> None:
        """u: undo the latest merge made here, then look again."""
        if not self.merges:
            return
        result = self.merges.pop()
        try:
            undo_merge(self.db, result.merge_id)
        except StoreError as exc:
            self.notify_error(exc)
            self.refresh_bindings()
            return
        self.notify(
            f"#{result.other_id} is back, with its links; #{result.keep_id} is as it was.",
            title="Merge undone",
        )
        self.scan()

    def action_toggle_kind(self) -> None:
        """a: duplicate accounts instead of contacts (or the other way round)."""
        self.kind = "account" if self.kind == "contact" else "contact"
        self.pairs = []
        self.table.reload(keep_cursor=False)
        self.refresh_frame()
        self.scan()

    def action_rescan(self) -> None:
        """r: look again."""
        self.scan()
