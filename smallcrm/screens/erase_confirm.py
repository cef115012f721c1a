"""Asking before a person's data is erased for good: what goes, what stays, no undo."""

from __future__ import annotations

from typing import ClassVar

from smallcrm.screens.confirm import ConfirmScreen


class EraseConfirmScreen(ConfirmScreen):
    """The confirmation for ``erase_person``: its own help, since the trash does not apply."""

    HELP: ClassVar[str] = (
        "Confirm or cancel erasing a person's data, for example when they asked you to.\n\n"
        "- **y** erases (or **Enter** on the Erase button).\n"
        "- **n** or **Esc** cancels: nothing changes.\n\n"
        "Erasing cannot be undone: nothing goes to the trash, and Ctrl+Z does not bring it "
        "back. Export the person's data first (x on the contact) if they asked for a copy."
    )
