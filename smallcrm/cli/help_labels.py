"""What ``--help`` says an option takes, in the words of command-line tools (TEXT, INTEGER,
PATH) rather than Python's type names (``<str>``, ``<list[str]>``), and nothing after a flag,
which takes no value (Typer prints ``--version <bool>``)."""

from __future__ import annotations

from typing import Any

LABELS = {
    "str": "TEXT",
    "list[str]": "TEXT",
    "int": "INTEGER",
    "int range": "INTEGER",
    "list[int]": "INTEGER",
    "float": "NUMBER",
    "float range": "NUMBER",
    "path": "PATH",
    "datetime": "DATE",
    "bool": "",
}


def label(shown: str | None) -> str | None:
    """``<str>`` -> ``TEXT``, ``<list[str]>...`` -> ``TEXT...``, ``<bool>`` -> None; a metavar
    the command chose itself (``FILE``, ``PATH|URL``) stays as it is."""
    if not shown:
        return shown
    many = shown.endswith("...")
    text = shown.removesuffix("...")
    if not (text.startswith("<") and text.endswith(">")):
        return shown
    name = text[1:-1]
    word = LABELS.get(name, name.upper())
    if not word:
        return None
    return word + ("..." if many else "")


def install() -> None:
    """Make Typer's options and arguments show their labels this way (once per process; a
    Typer without these classes is left as it is)."""
    from typer import core

    for cls in (getattr(core, "TyperOption", None), getattr(core, "TyperArgument", None)):
        original = getattr(cls, "display_type_rich", None)
        if cls is None or original is None or getattr(original, "plain_labels", False):
            continue

        def display(self: Any, ctx: Any, _original: Any = original) -> str | None:
            if getattr(self, "is_flag", False):
                return None
            return label(_original(self, ctx))

        display.plain_labels = True  # type: ignore[attr-defined]
        cls.display_type_rich = display
