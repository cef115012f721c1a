"""Somebody else saved the record while you were editing it: see both changes, then choose.

Shown by a form (see ``form_base.FormScreen.show_conflict``) when the store refuses a save with
``ConflictError``. It says who changed the record and when (from the audit trail), and lists
field by field the value when the form opened, yours and theirs. The answer is a
:class:`ConflictChoice`; the form computes and saves the result with ``store.conflicts``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Footer, Static

from smallcrm.store import formats as fmt
from smallcrm.store import kinds
from smallcrm.store.conflicts import MINE, THEIRS, Conflict, FieldDiff, Side, others
from smallcrm.store.crud import current_user
from smallcrm.store.formats import printable

MERGE = "merge"
SHOWN_ENTRIES = 3  # the latest changes listed by name; older ones are counted
SIDE_WORDS = {MINE: "yours", THEIRS: "theirs"}
FIELD_WIDTH = 13
TAKES_WIDTH = 7


@dataclass(frozen=True)
class ConflictChoice:
    """What the user chose: keep ``mine``, keep ``theirs``, or ``merge`` with ``picks``."""

    side: str
    picks: dict[str, Side] = field(default_factory=dict)


def clip(text: str, width: int) -> str:
    """``text`` cut to ``width`` cells with an ellipsis."""
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"


class ConflictScreen(ModalScreen[ConflictChoice | None]):
    """Both sides of a conflicting save, and the keys to keep mine, keep theirs or merge."""

    CSS_PATH = "conflict.tcss"
    FORM_TITLE = "Changed by someone else while you edited"  # the help's title
    HELP: ClassVar[str] = """\
Somebody else saved this record after you opened the form, so your save was stopped before it
overwrote anything. The top says who changed it and when; the table lists every field that you
or they changed: its value when you opened the form, yours, and theirs. A field you both changed
differently is marked ⚠.

**Keep mine (m):** your values are saved for the fields you changed; fields only they changed
keep their values.

**Keep theirs (t):** nothing of yours is saved; the form closes and shows their version.

**Merge field by field:** a field only one of you changed is taken from that side by itself. For
each ⚠ field choose with Space or Enter whose value to keep (the last column), then press s.

**Esc** goes back to the form with everything you typed; saving again asks again. If yet
another change comes in while you decide, this screen shows again with it."""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("m", "keep_mine", "Keep mine", id="conflict.mine"),
        Binding("t", "keep_theirs", "Keep theirs", id="conflict.theirs"),
        Binding(
            "s", "merge", "Save merge", id="conflict.merge", tooltip="As the Merge column says"
        ),
        Binding(
            "space", "switch", "Switch side", id="conflict.switch", tooltip="Yours or theirs (⚠)"
        ),
        Binding("escape", "cancel", "Back to form", id="conflict.cancel"),
    ]

    def __init__(
        self,
        conflict: Conflict,
        labels: Mapping[str, str],
        show: Callable[[str, Any], str],
    ) -> None:
        super().__init__()
        self.conflict = conflict
        self.labels = dict(labels)
        self.show = show
        self.diffs: list[FieldDiff] = conflict.fields
        self.picks: dict[str, Side] = {d.field: d.automatic for d in self.diffs}

    def shown(self, field: str, value: Any) -> str:
        """A value as the form shows it, on one printable line (values come from the data)."""
        return printable(self.show(field, value))

    # layout -------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        """Who and when, the table of fields, the selected field in full, the buttons."""
        dialog = Vertical(id="conflict-dialog")
        word = kinds.word(self.conflict.kind)
        dialog.border_title = f"This {word} was changed while you edited it"
        with dialog:
            yield Static(self.summary(), id="conflict-who")
            yield DataTable(id="conflict-table", cursor_type="row", zebra_stripes=True)
            yield Static("", id="conflict-detail")
            with Horizontal(id="conflict-buttons"):
                yield Button("Keep mine m", id="conflict-mine", compact=True, variant="primary")
                yield Button("Keep theirs t", id="conflict-theirs", compact=True)
                yield Button("Save merge s", id="conflict-merge", compact=True)
                yield Button("Back Esc", id="conflict-cancel", compact=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        """Fill the table; start on the first field you both changed."""
        self.fill_table()
        table = self.query_one(DataTable)
        first = next((i for i, d in enumerate(self.diffs) if d.conflicting), 0)
        if self.diffs:
            table.move_cursor(row=first)
        table.focus()
        self.show_detail(first)

    def on_resize(self) -> None:
        """Columns share the width the terminal gives."""
        self.fill_table()

    def summary(self) -> str:
        """``bob saved it at Wed 2026-11-25 14:02 (after you opened it): city, phones``."""
        entries = others(self.conflict.entries, current_user())
        if not entries:
            return "Somebody saved it after you opened the form (the history does not say who)."
        me = current_user()
        lines = []
        for entry in entries[-SHOWN_ENTRIES:]:
            who = "you (in another window)" if entry.actor == me else entry.actor
            what = ", ".join(self.label_of(name) for name in entry.changes)
            action = "changed" if entry.action == "update" else entry.action
            fields = f": {what}" if what else ""
            lines.append(f"{who} {action} it at {fmt.when(entry.at)}{fields}")
        if len(entries) > SHOWN_ENTRIES:
            lines.insert(0, f"{len(entries)} changes since you opened it; the latest:")
        conflicting = len(self.conflict.conflicting)
        if conflicting:
            lines.append(
                f"You both changed {conflicting} field{'s' if conflicting > 1 else ''} (⚠); "
                "Space picks whose value a merge keeps."
            )
        else:
            lines.append("You changed different fields: a merge keeps both.")
        return "\n".join(lines)

    def label_of(self, name: str) -> str:
        """A stored field's name as the form labels it (``account_id`` -> ``Account``)."""
        for key in (name, name.removesuffix("_id"), name.removesuffix("_cents")):
            if key in self.labels:
                return self.labels[key]
        return kinds.get(self.conflict.kind).label(name)

    def fill_table(self) -> None:
        """(Re)build the columns for the current width and one row per changed field."""
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear(columns=True)
        width = max(40, (table.size.width or self.size.width) - 2)
        # Each column has one cell of padding on either side.
        value_width = max(6, (width - FIELD_WIDTH - TAKES_WIDTH - 10) // 3)
        for label, key, size in (
            ("Field", "field", FIELD_WIDTH),
            ("When opened", "base", value_width),
            ("Yours", "mine", value_width),
            ("Theirs", "theirs", value_width),
            ("Merge", "takes", TAKES_WIDTH),
        ):
            table.add_column(label, key=key, width=size)
        for diff in self.diffs:
            table.add_row(*self.cells(diff, value_width), key=diff.field)
        if self.diffs:
            table.move_cursor(row=min(row, len(self.diffs) - 1))

    def cells(self, diff: FieldDiff, width: int) -> list[Text]:
        """A row: the field (⚠ when both changed it), the three values, what a merge takes."""
        label = ("⚠ " if diff.conflicting else "") + self.labels.get(diff.field, diff.field)
        field_style = "bold" if diff.conflicting else ""
        mine_style = "" if diff.mine_changed else "dim"
        theirs_style = "" if diff.theirs_changed else "dim"
        return [
            Text(clip(printable(label), FIELD_WIDTH), style=field_style),
            Text(clip(self.shown(diff.field, diff.base), width), style="dim"),
            Text(clip(self.shown(diff.field, diff.mine), width), style=mine_style),
            Text(clip(self.shown(diff.field, diff.theirs), width), style=theirs_style),
            self.takes(diff),
        ]

    def takes(self, diff: FieldDiff) -> Text:
        """What a merge keeps for a field (bold when it is the user's pick)."""
        word = SIDE_WORDS[self.picks[diff.field]]
        return Text(word, style="bold reverse" if diff.conflicting else "dim")

    # the highlighted field in full ---------------------------------------------------------

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """Show the highlighted field's three values in full under the table."""
        self.show_detail(event.cursor_row)

    def show_detail(self, index: int) -> None:
        """The field at ``index``: when opened, yours and theirs, unclipped."""
        detail = self.query_one("#conflict-detail", Static)
        if not 0 <= index < len(self.diffs):
            detail.update("")
            return
        diff = self.diffs[index]
        name = self.labels.get(diff.field, diff.field)
        text = Text.assemble(
            (f"{name}: ", "bold"),
            ("when opened ", "dim"),
            self.shown(diff.field, diff.base),
            (" · yours ", "dim"),
            self.shown(diff.field, diff.mine),
            (" · theirs ", "dim"),
            self.shown(diff.field, diff.theirs),
        )
        detail.update(text)

    # choices ------------------------------------------------------------------------------

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on a field switches whose value a merge keeps."""
        event.stop()
        self.action_switch()

    def action_switch(self) -> None:
        """Space: a field you both changed goes to the other side in the merge."""
        table = self.query_one(DataTable)
        index = table.cursor_row
        if not 0 <= index < len(self.diffs):
            return
        diff = self.diffs[index]
        if not diff.conflicting:
            self.notify(
                f"Only {'you' if diff.mine_changed else 'they'} changed this field: "
                "a merge takes that value.",
                timeout=3,
            )
            return
        self.picks[diff.field] = THEIRS if self.picks[diff.field] == MINE else MINE
        table.update_cell(diff.field, "takes", self.takes(diff))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """The four buttons do what their keys do."""
        event.stop()
        actions = {
            "conflict-mine": self.action_keep_mine,
            "conflict-theirs": self.action_keep_theirs,
            "conflict-merge": self.action_merge,
            "conflict-cancel": self.action_cancel,
        }
        action = actions.get(event.button.id or "")
        if action is not None:
            action()

    def action_keep_mine(self) -> None:
        """m: save my values for the fields I changed."""
        self.dismiss(ConflictChoice(MINE))

    def action_keep_theirs(self) -> None:
        """t: drop my edits; the record stays as they saved it."""
        self.dismiss(ConflictChoice(THEIRS))

    def action_merge(self) -> None:
        """s: save field by field with the picks shown."""
        picks = {d.field: self.picks[d.field] for d in self.diffs if d.conflicting}
        self.dismiss(ConflictChoice(MERGE, picks))

    def action_cancel(self) -> None:
        """Esc: back to the form, everything typed still there."""
        self.dismiss(None)
