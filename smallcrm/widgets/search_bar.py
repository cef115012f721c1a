"""The persistent search bar and its drop-down of hits, grouped by kind.

Searching runs in a thread worker (the store's connection is shared under a lock), so typing never
waits for the database; a result that arrives after the text changed again is dropped.

The typed letter and its hits are drawn in one frame: from a keystroke until its hits are shown
the bar holds the screen's updates (Textual's ``batch_update``), for at most ``HOLD_SECONDS``. Else
the letter is drawn at once and the hits only on the next tick of Textual's 60 Hz update timer,
16.7 ms later, two frames a key and most of a frame's wait for each.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack

from textual import work
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from smallcrm.store import kinds
from smallcrm.store.records import SearchHit
from smallcrm.widgets.text import assemble

# The longest the typed letter waits for its hits (a search is a few ms on SQLite; a slow one
# shows the letter first, as without the hold).
HOLD_SECONDS = 0.03


class SearchBar(Input):
    """The one-line search field at the top of every screen."""

    HELP_PLACE = "search bar"  # How the F1 help names this widget.

    DEFAULT_CSS = """
    SearchBar {
        width: 34;
        /* The breadcrumbs beside it need the room on a narrow terminal (its hint still fits). */
        max-width: 35%;
        height: 1;
        border: none;
        padding: 0 1;
        background: $boost;
    }
    SearchBar:focus {
        border: none;
        text-style: bold;
        background: $surface-lighten-1;
    }
    """
    BINDINGS = [
        Binding("down", "to_results", "Hits", show=False, id="search.down"),
        Binding("escape", "close", "Close search", id="search.close"),
    ]

    class Hits(Message):
        """Search results for ``text`` are ready (show them, then call ``bar.shown()``)."""

        def __init__(self, bar: SearchBar, text: str, hits: list[SearchHit]) -> None:
            super().__init__()
            self.bar = bar
            self.text = text
            self.hits = hits

    class Closed(Message):
        """The user left the search (Esc): hide the hits and return focus."""

    class MoveToHits(Message):
        """The user pressed Down: move into the list of hits."""

    def __init__(
        self,
        find: Callable[[str], list[SearchHit]],
        *,
        id: str | None = None,  # noqa: A002
    ) -> None:
        super().__init__(placeholder="Search: Ctrl+F or /", id=id)
        self.find = find  # the store's search, as the screen wants it
        self._hold: ExitStack | None = None

    def watch_value(self, value: str) -> None:
        """A key typed here: hold the screen's updates from now, before the bar redraws itself
        with the letter (the hits follow in the ``Changed`` handler)."""
        if self.has_focus:
            self._hold_updates()

    def on_input_changed(self, event: Input.Changed) -> None:
        """Search as the user types."""
        if event.input is not self:
            return
        text = event.value
        self._hold_updates()
        if text.strip():
            self.run_search(text)
        else:
            self._post_hits(text, [])

    def _hold_updates(self) -> None:
        """Hold the screen's updates until the hits for the text now typed are shown."""
        if self._hold is not None:
            return  # still waiting for an earlier key's hits: the same hold covers this key
        hold = ExitStack()
        hold.enter_context(self.app.batch_update())
        # On the app, not the bar: a timer dies with its widget, and a hold never released
        # would freeze every screen.
        hold.callback(self.app.set_timer(HOLD_SECONDS, self.shown, name="search-hold").stop)
        self._hold = hold

    def shown(self) -> None:
        """The hits are on screen (or the hold ran out): draw the frame now."""
        hold, self._hold = self._hold, None
        if hold is None:
            return
        hold.close()
        if self.is_attached:
            self.screen.check_idle()  # the screen's next idle resumes its update timer

    def on_unmount(self) -> None:
        """Never leave the screen's updates held."""
        self.shown()

    @work(thread=True, exclusive=True, group="search", exit_on_error=False)
    def run_search(self, text: str) -> None:
        """Query every kind off the UI thread and hand the hits back."""
        worker = get_current_worker()
        hits = self.find(text)
        if not worker.is_cancelled:
            self.app.call_from_thread(self._deliver, text, hits)

    def _deliver(self, text: str, hits: list[SearchHit]) -> None:
        if text == self.value:  # Drop answers to text the user has typed past.
            self._post_hits(text, hits)

    def _post_hits(self, text: str, hits: list[SearchHit]) -> None:
        # Straight to the screen, which shows them: bubbling up through the two containers
        # in between costs a pass of each one's message queue, before the frame can be drawn.
        self.screen.post_message(self.Hits(self, text, hits))

    def action_to_results(self) -> None:
        """Down moves into the hits."""
        self.post_message(self.MoveToHits())

    def action_close(self) -> None:
        """Esc leaves the search."""
        self.post_message(self.Closed())


class SearchResults(OptionList):
    """The hits under the search bar, a heading per kind; Enter or a click opens one."""

    HELP_PLACE = "search results"  # How the F1 help names this widget.

    DEFAULT_CSS = """
    SearchResults {
        overlay: screen;
        display: none;
        width: 100%;
        height: auto;
        max-height: 17;
        border: round $accent;
        background: $surface;
        padding: 0 1;
    }
    SearchResults.-shown {
        display: block;
    }
    SearchResults > .option-list--option-disabled {
        color: $text;
        text-style: bold;
    }
    """
    BINDINGS = [
        Binding("escape", "close", "Close search", id="search.results.close"),
    ]

    class Chosen(Message):
        """The user picked a hit."""

        def __init__(self, hit: SearchHit) -> None:
            super().__init__()
            self.hit = hit

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.hit_map: dict[str, SearchHit] = {}
        self.query_text = ""

    def show_hits(self, text: str, hits: list[SearchHit]) -> None:
        """Replace the list with the hits for ``text`` (hidden when the text is empty)."""
        self.query_text = text
        self.hit_map = {f"{h.kind}:{h.record_id}": h for h in hits}
        if not text.strip():
            self.clear_options()
            self.set_class(False, "-shown")
            return
        self.set_options(self._build_options(text, hits))  # one refresh, not two
        self.set_class(True, "-shown")
        first = self.first_hit_index()
        self.highlighted = first

    def _build_options(self, text: str, hits: list[SearchHit]) -> list[Option]:
        if not hits:
            return [Option(Content(f"No matches for {text.strip()!r}"), disabled=True)]
        options: list[Option] = []
        kind = ""
        for hit in hits:
            if hit.kind != kind:
                kind = hit.kind
                heading = Content(kinds.get(kind).heading).stylize("bold underline")
                options.append(Option(heading, disabled=True))
            line = assemble("  ", (hit.title, "bold"), "  ", (hit.detail, "dim"))
            options.append(Option(line, id=f"{hit.kind}:{hit.record_id}"))
        return options

    def first_hit_index(self) -> int | None:
        """The index of the first selectable hit, if any."""
        for index in range(self.option_count):
            if not self.get_option_at_index(index).disabled:
                return index
        return None

    def highlighted_hit(self) -> SearchHit | None:
        """The hit under the cursor (or the first one)."""
        index = self.highlighted if self.highlighted is not None else self.first_hit_index()
        if index is None:
            return None
        option = self.get_option_at_index(index)
        return self.hit_map.get(option.id or "")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Enter or a click on a hit opens it."""
        event.stop()
        hit = self.hit_map.get(event.option.id or "")
        if hit is not None:
            self.post_message(self.Chosen(hit))

    def action_close(self) -> None:
        """Esc leaves the search."""
        self.post_message(SearchBar.Closed())
