"""Merging two duplicate records field by field: keep this one's value, the other's, or both."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from smallcrm.screens.host import CrmHost
from smallcrm.store import accounts, kinds
from smallcrm.store.duplicates import DuplicatePair
from smallcrm.store.errors import NotFoundError, StoreError, ValidationError
from smallcrm.store.merging import FieldChoice, MergeResult, merge, merge_preview
from smallcrm.widgets import formatting as fmt
from smallcrm.widgets.paged_table import fit_cell

if TYPE_CHECKING:
    from smallcrm.store.db import Database

COMBINED = frozenset({"emails", "phones", "tags", "notes"})  # the fields that take "both"
LABEL_WIDTH = 14
EMPTY = "—"


def shown_value(field: str, value: Any, account_names: dict[int, str]) -> str:
    """A field's value as one line of text (``—`` when empty)."""
    if value in (None, "", []):
        return EMPTY
    if field == "emails":
        return ", ".join(method.value for method in value)
    if field in ("phones", "phone"):
        values = value if isinstance(value, list) else [value]
        return ", ".join(fmt.phone(getattr(v, "value", v)) for v in values)
    if field.endswith("_opt_in"):
        return "yes" if value else "no"
    if field == "account_id":
        return account_names.get(value, f"#{value}")
    return " ".join(str(value).split())


def is_empty(value: Any) -> bool:
    """True for a value that holds nothing."""
    return value in (None, "", [])


class MergeForm(ModalScreen[MergeResult | None]):
    """Two duplicates side by side; dismisses with the merge done (or None when cancelled)."""

    app: CrmHost  # the app these screens run in (screens/host.py)

    CSS_PATH = "merge_form.tcss"
    HELP: ClassVar[str] = """\
Merge two records that are one and the same. The record on the left is kept; the one on the
right is merged into it and then goes to the trash. Its interactions, deals and appointments
(for an account also its contacts) move to the kept record, and the merge is written to the
history.

**Choose per field:** move with the arrows; k takes the kept record's value, o the other's, b
both (emails, phones, tags and notes can be combined); Space goes round the choices. ● marks
what the merged record will hold. Fields both records agree on are listed dimmed.

**Keep the other one instead:** w swaps the two records.

**Merge:** Ctrl+S, then confirm. u on the duplicates list undoes the merge right after. Esc
leaves both records as they are."""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("k", "choose('keep')", "Keep this", id="merge.keep", tooltip="Kept record's value"),
        Binding("o", "choose('other')", "Take other", id="merge.other", tooltip="Other's value"),
        Binding("b", "choose('both')", "Both", id="merge.both", tooltip="Combine the two"),
        Binding("space", "cycle", "Next choice", show=False, id="merge.cycle"),
        Binding("w", "swap", "Swap", id="merge.swap", tooltip="Keep the other record instead"),
        Binding("ctrl+s", "merge", "Merge", id="merge.save"),
        Binding("escape", "cancel", "Cancel", id="merge.cancel"),
    ]

    def __init__(self, pair: DuplicatePair) -> None:
        super().__init__()
        self.kind = pair.kind
        self.keep = (pair.keep_id, pair.keep_label)
        self.other = (pair.other_id, pair.other_label)
        self.options: list[FieldChoice] = []
        self.picked: dict[str, str] = {}
        self.account_names: dict[int, str] = {}

    @property
    def db(self) -> Database:
        """The database the app was opened on."""
        return self.app.db

    def compose(self) -> ComposeResult:
        """Who is kept, the fields, what a merge does, and the footer."""
        with Vertical(id="merge-dialog") as dialog:
            dialog.border_title = f"Merge {self.kind}s"
            yield Static("", id="merge-who")
            yield Static("", id="merge-heading")
            yield OptionList(id="merge-fields")
            yield Static("", id="merge-effect")
            yield Static("", id="merge-error")
        yield Footer()

    def on_mount(self) -> None:
        """Read both records' fields."""
        self.load()
        self.query_one("#merge-fields", OptionList).focus()

    def load(self) -> None:
        """Read the fields of the two records and the default choice for each."""
        try:
            self.options = merge_preview(self.db, self.keep[0], self.other[0], kind=self.kind)
        except StoreError as exc:
            self.show_error(str(exc))
            self.options = []
        self.picked = {option.field: option.default for option in self.options}
        self.account_names = self._account_names()
        self.query_one("#merge-who", Static).update(
            Content.assemble(
                "Keep ",
                (f"{self.keep[1]} (#{self.keep[0]})", "bold"),
                " and merge ",
                (f"{self.other[1]} (#{self.other[0]})", "bold"),
                " into it.",
            )
        )
        links = "contacts, interactions, deals" if self.kind == "account" else "interactions, deals"
        self.query_one("#merge-effect", Static).update(
            f"#{self.other[0]}'s {links} and appointments move to #{self.keep[0]}; "
            f"#{self.other[0]} goes to the trash. Ctrl+S merges."
        )
        self.draw()

    def _account_names(self) -> dict[int, str]:
        names: dict[int, str] = {}
        for option in self.options:
            if option.field != "account_id":
                continue
            for value in (option.keep_value, option.other_value):
                if isinstance(value, int) and value not in names:
                    try:
                        names[value] = accounts.get_account(self.db, value).name
                    except NotFoundError:
                        names[value] = f"#{value} (deleted)"
        return names

    # drawing ------------------------------------------------------------------------------

    def shown_options(self) -> list[FieldChoice]:
        """The fields with something in them: those that differ first, then the agreed ones."""
        filled = [
            o for o in self.options if not (is_empty(o.keep_value) and is_empty(o.other_value))
        ]
        return [o for o in filled if o.differs] + [o for o in filled if not o.differs]

    def on_resize(self) -> None:
        """Column widths follow the dialog's width."""
        self.draw()

    def draw(self) -> None:
        """The heading and one line per field, at the current width."""
        fields = self.query_one("#merge-fields", OptionList)
        width = max(40, fields.scrollable_content_region.width or fields.size.width or 76)
        column = (width - LABEL_WIDTH - 2) // 2
        self.query_one("#merge-heading", Static).update(
            fit_cell("Field", LABEL_WIDTH)
            + " "
            + fit_cell(f"  Keep (#{self.keep[0]})", column)
            + " "
            + fit_cell(f"  Merge in (#{self.other[0]})", column)
        )
        highlighted = fields.highlighted
        fields.clear_options()
        fields.add_options([self._line(o, column) for o in self.shown_options()])
        if fields.option_count:
            fields.highlighted = min(highlighted or 0, fields.option_count - 1)

    def _line(self, option: FieldChoice, column: int) -> Option:
        label = kinds.get(self.kind).label(option.field)
        keep = shown_value(option.field, option.keep_value, self.account_names)
        other = shown_value(option.field, option.other_value, self.account_names)
        if not option.differs:
            text = f"{fit_cell(label, LABEL_WIDTH)}   {fit_cell(keep, column * 2 - 1)}"
            return Option(Content.styled(text, "dim"), id=option.field, disabled=True)
        choice = self.picked.get(option.field, option.default)
        return Option(
            Content.assemble(
                (fit_cell(label, LABEL_WIDTH), "bold"),
                " ",
                self._side(keep, column, choice in ("keep", "both")),
                " ",
                self._side(other, column, choice in ("other", "both")),
            ),
            id=option.field,
        )

    @staticmethod
    def _side(text: str, width: int, chosen: bool) -> Content:
        mark = "● " if chosen else "○ "
        return Content.styled(fit_cell(mark + text, width), "bold" if chosen else "dim")

    # choosing -----------------------------------------------------------------------------

    def _current(self) -> FieldChoice | None:
        fields = self.query_one("#merge-fields", OptionList)
        if fields.highlighted is None:
            return None
        field_id = fields.get_option_at_index(fields.highlighted).id
        return next((o for o in self.options if o.field == field_id and o.differs), None)

    def action_choose(self, choice: str) -> None:
        """k / o / b: what the merged record takes for the field under the cursor."""
        option = self._current()
        if option is None:
            return
        if choice == "both" and option.field not in COMBINED:
            self.notify(
                f"{kinds.get(self.kind).label(option.field)} holds one value: k or o.",
                severity="warning",
            )
            return
        self.picked[option.field] = choice
        self.draw()

    def action_cycle(self) -> None:
        """Space: the next choice for the field under the cursor."""
        option = self._current()
        if option is None:
            return
        choices = ["keep", "other", "both"] if option.field in COMBINED else ["keep", "other"]
        current = self.picked.get(option.field, option.default)
        self.picked[option.field] = choices[(choices.index(current) + 1) % len(choices)]
        self.draw()

    def action_swap(self) -> None:
        """w: keep the other record instead (choices start again from the defaults)."""
        self.keep, self.other = self.other, self.keep
        self.clear_error()
        self.load()

    # merging ------------------------------------------------------------------------------

    def action_merge(self) -> None:
        """Ctrl+S: ask, then merge."""
        from smallcrm.screens.confirm import ConfirmScreen

        question = f"Merge {self.other[1]!r} (#{self.other[0]}) into {self.keep[1]!r}?"
        detail = (
            f"#{self.other[0]} goes to the trash and what links to it moves to "
            f"#{self.keep[0]}. u on the duplicates list undoes the merge."
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self.do_merge()

        self.app.push_screen(
            ConfirmScreen(question, confirm_label="Merge", detail=detail), answered
        )

    def do_merge(self) -> None:
        """Merge with the choices made (the store validates them) and close."""
        try:
            result = merge(self.db, self.keep[0], self.other[0], self.picked, kind=self.kind)
        except ValidationError as exc:
            self.show_error(f"{exc.field}: {exc.message}")
            return
        except StoreError as exc:
            self.show_error(str(exc))
            return
        self.dismiss(result)

    def action_cancel(self) -> None:
        """Esc: leave both records as they are."""
        self.dismiss(None)

    def show_error(self, text: str) -> None:
        """The reason a merge could not be done, in the dialog."""
        line = self.query_one("#merge-error", Static)
        line.update("✗ " + text)
        line.display = True

    def clear_error(self) -> None:
        """Forget the last error."""
        self.query_one("#merge-error", Static).display = False
