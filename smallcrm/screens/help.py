"""F1: help for where the user is, built from the screen's HELP text and its live bindings.

The key list is read from the same active bindings the footer shows (minus keys that do not
apply right now), so it cannot go stale. Typing in the help's search field keeps only the
paragraphs and keys that mention the words typed. Esc or F1 closes it; focus returns to where it
was (Textual keeps each screen's focused widget).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, Markdown, Static

GENERAL = (
    "**Everywhere:** F2 Contacts, F3 Accounts, F4 Interactions, F5 Pipeline, F6 Calendar, "
    "F7 Today (appointments and follow-ups due), F8 Cases, F10 Campaigns; "
    "Ctrl+F or / searches every record; Ctrl+P opens the command palette (new contact, log a "
    "call, go to a screen, open a record by name); Tab and Shift+Tab move between fields and "
    "lists; Esc goes one step back; Ctrl+Q quits."
)


@dataclass(frozen=True)
class KeyRow:
    """One line of the key list: the keys, what they do, and where they apply."""

    keys: str
    description: str
    where: str
    tooltip: str = ""

    def matches(self, words: list[str]) -> bool:
        """True if every word appears in the keys, the description, the tooltip or the place."""
        text = f"{self.keys} {self.description} {self.tooltip} {self.where}".casefold()
        return all(word in text for word in words)


def _where(namespace: DOMNode, screen: Screen) -> str:
    if namespace is screen:
        return "this screen"
    if namespace is screen.app:
        return "everywhere"
    place = getattr(namespace, "HELP_PLACE", "") or _words(namespace.__class__.__name__)
    return f"in the {place}"


def _words(name: str) -> str:
    """``PagedTable`` -> ``paged table``."""
    out = "".join(f" {c.lower()}" if c.isupper() else c for c in name).strip()
    return out


def key_rows(screen: Screen) -> list[KeyRow]:
    """The keys that work on ``screen`` now, merged per action, in the footer's order."""
    app = screen.app
    merged: dict[tuple[int, str], tuple[list[str], str, str, str]] = {}
    chain = list(screen._modal_binding_chain)  # noqa: SLF001 - the footer's own source
    if all(namespace is not app for namespace, _ in chain):
        # Priority app keys (F1) still work inside modals.
        chain.append((app, app._bindings))  # noqa: SLF001
    for namespace, bindings in chain:
        if not type(namespace).__module__.startswith("smallcrm"):
            continue  # Built-in widgets' editing keys are noise here.
        for key, binding in bindings:
            if not binding.description or (namespace is app and _skip_app(binding, screen)):
                continue
            if not binding.show and binding.id is None:
                continue  # Textual's own hidden keys (scrolling, Ctrl+C): noise here.
            if app._check_action_state(binding.action, namespace) is False:  # noqa: SLF001
                continue
            slot = merged.setdefault(
                (id(namespace), binding.action),
                ([], binding.description, _where(namespace, screen), binding.tooltip),
            )
            shown = app.get_key_display(Binding(key, binding.action))
            if shown not in slot[0]:
                slot[0].append(shown)
    rows = [KeyRow(" / ".join(k), text, where, tip) for k, text, where, tip in merged.values()]
    # A key the screen binds again as the app does (a form's F1) is listed once, where it is
    # first met.
    seen: set[tuple[str, str]] = set()
    unique = []
    for row in rows:
        if (row.keys, row.description) not in seen:
            seen.add((row.keys, row.description))
            unique.append(row)
    return unique


def _skip_app(binding: Binding, screen: Screen) -> bool:
    """In a modal only the priority app keys work."""
    return screen.is_modal and not binding.priority


def help_markdown(title: str, text: str, rows: list[KeyRow], words: list[str]) -> str:
    """The help page: the screen's purpose, its keys, then how to do its common tasks.

    With ``words`` only the paragraphs and keys mentioning all of them are kept.
    """
    blocks = [b for b in text.strip().split("\n\n") if b.strip()]
    if blocks and blocks[0].lstrip("#").strip().casefold() == title.casefold():
        blocks = blocks[1:]  # a heading saying the page's title again ("Calendar" twice)
    # A text that opens with its own heading keeps it over its first paragraph: the purpose is
    # that paragraph, not the heading alone (the rest would follow the keys).
    lead = 2 if blocks and blocks[0].startswith("#") else 1
    purpose, tasks = blocks[:lead], [*blocks[lead:], GENERAL]
    if words:
        purpose = [b for b in purpose if _mentions(b, words)]
        tasks = [b for b in tasks if _mentions(b, words)]
        rows = [row for row in rows if row.matches(words)]
    lines = [f"# {title}", ""]
    lines += [block + "\n" for block in purpose]
    lines.append("## Keys that work here\n")
    if rows:
        lines += [_key_line(row) for row in rows]
    else:
        lines.append("*No key matches that.*")
    lines.append("\n## How to\n")
    lines += [block + "\n" for block in tasks] or ["*No paragraph mentions that.*\n"]
    return "\n".join(lines)


def _mentions(block: str, words: list[str]) -> bool:
    text = block.casefold()
    return all(word in text for word in words)


def _key_line(row: KeyRow) -> str:
    tip = f": {row.tooltip}" if row.tooltip and row.tooltip != row.description else ""
    return f"- `{_cell(row.keys)}` {_cell(row.description)}{_cell(tip)} *({row.where})*"


def _cell(text: str) -> str:
    return text.replace("`", "'")


class HelpScreen(ModalScreen[None]):
    """Help for one screen or form, shown over it."""

    CSS_PATH = "help.tcss"
    HELP: ClassVar[str] = (
        "This is the help for the screen you came from. Type to keep only the parts that "
        "mention a word; Esc or F1 closes the help."
    )
    # The search field has the focus (typing filters at once); the keys a single-line field
    # has no use for scroll the page, so nobody has to Tab away to read on.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close help", id="help.close"),
        Binding("down", "scroll('down')", "Scroll", show=False, id="help.down"),
        Binding("up", "scroll('up')", "Scroll", show=False, id="help.up"),
        Binding("pagedown", "scroll('page_down')", "Page", show=False, id="help.page_down"),
        Binding("pageup", "scroll('page_up')", "Page", show=False, id="help.page_up"),
    ]

    def __init__(self, title: str, text: str, rows: list[KeyRow]) -> None:
        super().__init__()
        self.help_title = title
        self.text = text
        self.rows = rows

    @classmethod
    def for_screen(cls, screen: Screen) -> HelpScreen:
        """Help for ``screen``: its title, HELP text and the keys active there now."""
        return cls(screen_title(screen), getattr(screen, "HELP", "") or "", key_rows(screen))

    def compose(self) -> ComposeResult:
        """A search field over the help page."""
        with Vertical(id="help-dialog"):
            yield Input(placeholder="Search this help", id="help-search")
            with VerticalScroll(id="help-scroll"):
                yield Markdown(help_markdown(self.help_title, self.text, self.rows, []))
            yield Static("Esc or F1 closes the help", id="help-hint")

    def on_input_changed(self, event: Input.Changed) -> None:
        """Keep only what mentions the words typed."""
        words = event.value.casefold().split()
        markdown = help_markdown(self.help_title, self.text, self.rows, words)
        self.query_one(Markdown).update(markdown)

    def action_scroll(self, how: str) -> None:
        """Up, Down, PgUp, PgDn: move the help page, wherever the focus is."""
        page = self.query_one("#help-scroll", VerticalScroll)
        moves = {
            "down": page.scroll_down,
            "up": page.scroll_up,
            "page_down": page.scroll_page_down,
            "page_up": page.scroll_page_up,
        }
        moves[how](animate=False)

    def action_close(self) -> None:
        """Back to where the user was."""
        self.dismiss(None)


def screen_title(screen: Screen) -> str:
    """How help names a screen: its breadcrumb, a form's title, or its class name."""
    crumbs = getattr(screen, "breadcrumb", None)
    if callable(crumbs):
        steps = crumbs()
        kind = getattr(screen, "KIND", "")
        if steps and kind and getattr(screen, "record_id", None) is not None:
            return f"{kind.capitalize()}: {steps[-1]}"
        if steps:
            return " › ".join(str(s) for s in steps)
    title = getattr(screen, "FORM_TITLE", "") or getattr(screen, "TITLE_CRUMB", "")
    if callable(getattr(screen, "form_title", None)):
        title = screen.form_title() or title  # type: ignore[attr-defined]
    return title or _words(type(screen).__name__).capitalize()
