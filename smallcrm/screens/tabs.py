"""The top-level screens, one key each, in the order of the tab bar (their screens are
made by ``screens/modes.py``)."""

from __future__ import annotations

from smallcrm.widgets.tab_bar import Tab

# Function keys, because they arrive intact over SSH, in tmux and on the Linux console;
# Alt+digit did not (Textual 8 read tmux's ESC 3 as a pound sign).
TABS: tuple[Tab, ...] = (
    Tab("contacts", "Contacts", "f2"),
    Tab("accounts", "Accounts", "f3"),
    Tab("interactions", "Interactions", "f4"),
    Tab("pipeline", "Pipeline", "f5"),
    Tab("calendar", "Calendar", "f6"),
    Tab("today", "Today", "f7", "appointments and follow-ups due"),
    Tab("cases", "Cases", "f8", "customer service cases, breached first"),
    Tab("dashboard", "Dashboard", "f9", "the figures: pipeline, forecast, activity, quality"),
    Tab("campaigns", "Campaigns", "f10", "marketing campaigns and what they brought"),
)


def key_of(name: str) -> str:
    """The key that shows a tab, as help texts write it (``F8``)."""
    return next(tab.key for tab in TABS if tab.mode == name).upper()
