"""Free slots by day, to pick up to three and offer them: the text goes to the clipboard and
the times are held (the shell's ``smallcrm slots`` and ``offer``, as one dialog)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from smallcrm.store import clock, offer_text, offers, slots
from smallcrm.store.business_time import Span
from smallcrm.store.dates import describe
from smallcrm.store.db import Database
from smallcrm.store.errors import StoreError
from smallcrm.store.offers import Offer

LENGTHS = (30, 60, 90, 120)  # minutes; l steps through them
DAYS = 14


def slot_options(found: list[Span], picked: set[Span]) -> list[Option]:
    """A heading per day, then a line per slot with its box (``[x]`` when picked)."""
    options: list[Option] = []
    day: date | None = None
    for index, (start, end) in enumerate(found):
        local = clock.local(start)
        if local.date() != day:
            day = local.date()
            options.append(Option(describe(day), id=f"day-{day}", disabled=True))
        box = "[x]" if (start, end) in picked else "[ ]"
        line = Text(f"  {box} {local:%H:%M}-{clock.local(end):%H:%M}")  # no markup: [x]
        if (start, end) in picked:
            line.stylize("bold")
        options.append(Option(line, id=str(index)))
    return options


class SlotPicker(ModalScreen[Offer | None]):
    """Free slots for a meeting with a contact (or anyone); returns the offer made, or None."""

    CSS_PATH = "slot_picker.tcss"
    HELP: ClassVar[str] = (
        "## Offer free times\n\n"
        "The free slots of the next two weeks in your working hours, by day: after the "
        "minimum notice, clear of every appointment and of the times other offers hold, with "
        "the buffers around them (settings `slot_notice`, `slot_buffer`, `slot_interval`).\n\n"
        "**Space** picks a slot (up to three) or puts it back; **l** changes the meeting's "
        "length (30 minutes to 2 hours; the picks start again).\n\n"
        "**c** holds the picked times for 48 hours and copies the text for the customer "
        "(in their language when their country tells it) to the clipboard, ready to paste "
        "into an email or a message; the times show in the calendar as tentative until "
        "one is booked (`smallcrm book OFFER N`) or the offer lapses. **Esc** closes "
        "without holding anything."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "pick", "Pick", id="slots.pick", tooltip="Pick up to three"),
        Binding("c", "copy", "Copy offer", id="slots.copy", tooltip="Hold them, copy the text"),
        Binding("l", "length", "Length", id="slots.length", tooltip="30 min to 2 hours"),
        Binding("escape", "cancel", "Close", id="slots.cancel"),
    ]

    def __init__(self, db: Database, contact_id: int | None = None) -> None:
        super().__init__()
        self.db = db
        self.contact_id = contact_id
        self.words = offer_text.addressee(db, contact_id)
        self.minutes = 60
        self.found: list[Span] = []
        self.picked: list[Span] = []

    def compose(self) -> ComposeResult:
        """A title, the slots by day and a line saying what is picked."""
        with Vertical(id="slots-dialog"):
            yield Static("", id="slots-title")
            yield OptionList(id="slots-list")
            yield Static("", id="slots-picked")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        """Read the free slots and start on the first."""
        self.reload()
        self.query_one(OptionList).focus()

    def slot_query(self) -> slots.SlotQuery:
        """What is asked for: the length chosen, the next two weeks, with the contact."""
        return slots.SlotQuery(
            timedelta(minutes=self.minutes), days=DAYS, contact_id=self.contact_id
        )

    def reload(self) -> None:
        """Read the free slots again (keeping the picks that are still free)."""
        try:
            self.found = slots.find_slots(self.db, self.slot_query()).slots
        except StoreError as exc:
            self.notify(str(exc), severity="error")
            self.found = []
        self.picked = [span for span in self.picked if span in self.found]
        box = self.query_one(OptionList)
        before = box.highlighted
        box.set_options(slot_options(self.found, set(self.picked)))
        if box.option_count:  # the first slot, under the first day's heading
            box.highlighted = 1 if before is None else min(before, box.option_count - 1)
        self._describe()

    def _describe(self) -> None:
        who = f" with {self.words.first_name}" if self.words.first_name else ""
        length = "1 hour" if self.minutes == 60 else f"{self.minutes} minutes"
        self.query_one("#slots-title", Static).update(  # a Text: a name is not markup
            Text(f"Free for {length}{who}, next {DAYS} days ({len(self.found)} slots)")
        )
        if not self.found:
            text = "No free time: try a shorter length (l)."
        elif not self.picked:
            text = "Space picks up to three; c holds them and copies the text."
        else:
            times = ", ".join(offers.describe_hold(start) for start, _ in sorted(self.picked))
            text = f"Picked {len(self.picked)} of 3: {times}"
        self.query_one("#slots-picked", Static).update(text)

    def action_pick(self) -> None:
        """Space: pick the highlighted slot, or put it back."""
        option = self.query_one(OptionList).highlighted_option
        if option is None or not (option.id or "").isdigit():
            return
        span = self.found[int(option.id or 0)]
        if span in self.picked:
            self.picked.remove(span)
        elif len(self.picked) >= offers.MAX_CHOICES:
            self.notify("Three are picked; Space on one of them puts it back.")
            return
        else:
            self.picked.append(span)
        box = self.query_one(OptionList)
        at = box.highlighted
        box.set_options(slot_options(self.found, set(self.picked)))
        box.highlighted = at
        self._describe()

    def action_length(self) -> None:
        """l: the next meeting length."""
        self.minutes = LENGTHS[(LENGTHS.index(self.minutes) + 1) % len(LENGTHS)]
        self.picked = []
        self.reload()

    def action_copy(self) -> None:
        """c: hold the picked times and copy the text for the customer."""
        if not self.picked:
            self.notify("Pick one to three slots with Space first.", severity="warning")
            return
        try:
            made = offers.make_offer(
                self.db,
                self.slot_query(),
                sorted(self.picked),
                title=self.words.title,
                language=self.words.language,
            )
        except StoreError as exc:
            self.notify(str(exc), severity="error", timeout=8)
            self.reload()
            return
        self.app.copy_to_clipboard(offer_text.message(made, self.words.first_name))
        self.notify(
            f"Offer {made.id}: {len(made.holds)} held until "
            f"{offers.describe_hold(made.expires_at)}; the text is on the clipboard."
        )
        self.dismiss(made)

    def action_cancel(self) -> None:
        """Esc: close without holding anything."""
        self.dismiss(None)
