"""The frame every full screen shares: tabs, breadcrumbs, search bar, body and footer.

Subclasses set ``TITLE_CRUMB`` (or override :meth:`CrmScreen.breadcrumb` for a record's name),
``HELP`` (markdown shown by F1: the screen's purpose and how to do its common tasks) and implement
:meth:`CrmScreen.compose_body`. Bindings are declared with ``Binding(..., id=..., description=...)``
so the footer, the help overlay and any keymap read the same list.

The breadcrumb trail is the current mode's screen stack: each ``CrmScreen`` on it contributes its
own ``breadcrumb()`` steps, so pushing a detail screen extends the trail and Esc (or Backspace,
or clicking a step) goes back. A record opened straight from its tab (its list, the search bar,
the palette) shows the path to it within that tab's kind too: a contact found by search on the
Accounts tab reads ``Accounts › Acme GmbH › Jana Novak``, not ``Accounts › Jana Novak``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widget import Widget

from smallcrm.screens.host import CrmHost
from smallcrm.screens.tabs import TABS
from smallcrm.store.errors import StoreError, ValidationError
from smallcrm.widgets.breadcrumbs import Breadcrumbs, Crumb
from smallcrm.widgets.footer import CrmFooter
from smallcrm.widgets.search_bar import SearchBar, SearchResults
from smallcrm.widgets.tab_bar import TabBar

if TYPE_CHECKING:
    from smallcrm.store.db import Database
    from smallcrm.store.records import SearchHit


SEARCH_HITS_PER_KIND = 5


class CrmScreen(Screen):
    """A full screen of the app, framed with tabs, breadcrumbs, the search bar and the footer."""

    TITLE_CRUMB: ClassVar[str] = ""
    HELP: ClassVar[str] = ""
    # Re-read by the app (``live_reload``) within a second or two of a change anybody made.
    LIVE: ClassVar[bool] = False
    # Start in the body, not the search bar: a focused Input would swallow "/", j/k and letters.
    AUTO_FOCUS = "#crm-body *"
    DEFAULT_CSS = """
    CrmScreen #crm-top {
        height: auto;
    }
    CrmScreen #crm-topline {
        height: 1;
        background: $boost;
    }
    CrmScreen #crm-body {
        height: 1fr;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="screen.back", tooltip="Go one step back"),
        Binding("backspace", "back", "Back", show=False, id="screen.back.backspace"),
    ]

    app: CrmHost

    def __init__(self, *, name: str | None = None, id: str | None = None) -> None:  # noqa: A002
        super().__init__(name=name, id=id)
        self._before_search: Widget | None = None

    # what subclasses provide --------------------------------------------------------------

    def breadcrumb(self) -> list[str]:
        """This screen's own steps of the trail (a list screen's name, a record's name)."""
        return [self.TITLE_CRUMB] if self.TITLE_CRUMB else []

    def record_path(self) -> list[tuple[str, int, str]]:
        """The records this screen's record belongs to, outermost first, as (kind, id, name):
        a contact's account, an interaction's account and contact (none: not a record)."""
        return []

    def compose_body(self) -> ComposeResult:
        """The screen's own content, between the search bar and the footer."""
        yield from ()

    def reload(self) -> None:
        """Re-read what the screen shows from the database (after an undo, an edit, ...)."""

    def live_reload(self) -> None:
        """Somebody (maybe in another process) changed data: show it, leaving focus, the
        cursor's record and anything typed where they are."""
        self.reload()

    # frame --------------------------------------------------------------------------------

    @property
    def db(self) -> Database:
        """The database the app was opened on."""
        return self.app.db

    def compose(self) -> ComposeResult:
        """Tabs, breadcrumbs and search on top, the body, the footer."""
        with Vertical(id="crm-top"):
            yield TabBar(TABS, self._mode())
            with Horizontal(id="crm-topline"):
                yield Breadcrumbs(id="crm-crumbs")
                yield SearchBar(self.find_anything, id="crm-search")
            yield SearchResults(id="crm-hits")
        with Vertical(id="crm-body"):
            yield from self.compose_body()
        # Compact (one space between a key and its words): at 80 columns the default spacing
        # cut a screen's last keys off.
        yield CrmFooter()

    def find_anything(self, text: str) -> list[SearchHit]:
        """The search bar's hits for ``text``: the first few of every kind."""
        from smallcrm.store.search import search

        return search(self.db, text, per_kind=SEARCH_HITS_PER_KIND)

    def _mode(self) -> str:
        return getattr(self.app, "current_mode", "") or ""

    def on_mount(self) -> None:
        """Draw the trail once the screen is on the stack."""
        self.refresh_frame()

    def on_screen_resume(self) -> None:
        """Names may have changed while another screen was on top: redraw the trail."""
        self.refresh_frame()

    def refresh_frame(self) -> None:
        """Redraw the tab bar and the breadcrumb trail from the current screen stack."""
        self.query_one(TabBar).show(self._mode())
        self.query_one(Breadcrumbs).show(self.trail())

    def trail(self) -> list[Crumb]:
        """Every step of the trail with the stack depth it belongs to."""
        steps: list[Crumb] = []
        stack = self.app.screen_stack
        own = stack.index(self) if self in stack else len(stack) - 1
        for depth, screen in enumerate(stack[: own + 1]):
            if isinstance(screen, CrmScreen):
                if depth == 1:
                    steps.extend(_path_within(stack[0], screen))
                steps.extend(Crumb(step, depth) for step in screen.breadcrumb())
        return steps

    # going back ---------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Back only where there is somewhere to go back to."""
        if action == "back":
            return self.can_go_back()
        return super().check_action(action, parameters)

    def can_go_back(self) -> bool:
        """True unless this is the first screen of its tab."""
        stack = self.app.screen_stack
        return len(stack) > 1 and stack[-1] is self

    def action_back(self) -> None:
        """Go one step back along the trail."""
        if self.can_go_back():
            self.app.pop_screen()

    def action_back_to(self, depth: int) -> None:
        """Go back to the screen at ``depth`` of the stack (a click on a breadcrumb)."""
        if self.app.screen_stack[-1] is not self:
            return
        while len(self.app.screen_stack) > depth + 1:
            self.app.pop_screen()

    def action_open_crumb(self, depth: int, kind: str, record_id: int) -> None:
        """Open a record of the path that is not on the stack (a click on its breadcrumb)."""
        if self.app.screen_stack[-1] is not self:
            return
        self.action_back_to(depth)
        self.app.open_record(kind, record_id)

    # search -------------------------------------------------------------------------------

    def focus_search(self) -> None:
        """Jump to the search bar, remembering where to return on Esc."""
        bar = self.query_one(SearchBar)
        if self.focused is not bar and not isinstance(self.focused, SearchResults):
            self._before_search = self.focused
        bar.focus()
        if bar.value.strip():
            bar.select_all()

    def on_search_bar_hits(self, message: SearchBar.Hits) -> None:
        """Show the hits under the bar."""
        self.query_one(SearchResults).show_hits(message.text, message.hits)
        message.bar.shown()

    def on_search_bar_move_to_hits(self, message: SearchBar.MoveToHits) -> None:
        """Down from the bar moves into the hits."""
        results = self.query_one(SearchResults)
        if results.option_count and results.has_class("-shown"):
            results.focus()

    def on_search_bar_closed(self, message: SearchBar.Closed) -> None:
        """Esc: hide the hits and give focus back to where it was."""
        self.close_search()

    def on_input_submitted(self, event: SearchBar.Submitted) -> None:
        """Enter in the bar opens the highlighted (or first) hit."""
        if not isinstance(event.input, SearchBar):
            return
        event.stop()
        hit = self.query_one(SearchResults).highlighted_hit()
        if hit is not None:
            self.open_hit(hit.kind, hit.record_id)

    def on_search_results_chosen(self, message: SearchResults.Chosen) -> None:
        """A hit picked from the list opens."""
        self.open_hit(message.hit.kind, message.hit.record_id)

    def open_hit(self, kind: str, record_id: int) -> None:
        """Open a search hit on top of this screen and clear the search."""
        self.close_search(clear=True)
        self.app.open_record(kind, record_id)

    def close_search(self, *, clear: bool = False) -> None:
        """Hide the hits and return focus to where the user was before searching."""
        results = self.query_one(SearchResults)
        results.show_hits("", [])
        bar = self.query_one(SearchBar)
        if clear:
            with bar.prevent(SearchBar.Changed):
                bar.value = ""
            bar.shown()  # no hits follow this change: draw now
        target = self._before_search
        self._before_search = None
        if target is not None and target.is_attached and target.screen is self:
            target.focus()
        else:
            self.focus_body()

    def focus_body(self) -> None:
        """Focus the first thing in the body that takes focus (not the search bar)."""
        for widget in self.query_one("#crm-body").query("*"):
            if widget.focusable:
                widget.focus()
                return
        self.set_focus(None)

    # errors -------------------------------------------------------------------------------

    def notify_error(self, exc: BaseException) -> None:
        """Show an error from the store in words the user can act on."""
        if isinstance(exc, ValidationError):
            self.notify(f"{exc.field}: {exc.message}", title="Not saved", severity="error")
        elif isinstance(exc, StoreError):
            self.notify(str(exc), title="Not done", severity="error")
        else:
            self.notify(f"{type(exc).__name__}: {exc}", title="Unexpected error", severity="error")


def _path_within(tab: Screen, screen: CrmScreen) -> list[Crumb]:
    """For a record opened straight from a tab, the records it belongs to from the tab's kind
    on: its account on the Accounts tab, its contact on the Contacts tab (nothing when the tab
    lists the record's own kind or one the record does not belong to)."""
    listed = getattr(tab, "KIND", "")
    path = screen.record_path()
    kinds = [kind for kind, _record_id, _name in path]
    if not listed or listed not in kinds:
        return []
    start = kinds.index(listed)
    return [Crumb(name, 0, kind, record_id) for kind, record_id, name in path[start:]]
