"""The shell commands (``smallcrm add``, ``log``, ``search``, ``list``, ``show``, ``today``...).

``smallcrm`` with no command starts the full-screen app. Nothing is imported when the package
loads: ``main`` first tries the quick path of ``smallcrm.cli.quick`` (plain ``search`` without
Typer), then ``smallcrm.cli.plain`` (a plain line of an everyday command, read from its Typer
declaration without building Typer's command), then builds the Typer app with just the command
being run. Each command imports the store pieces it needs, so a quick-add never pays for the
TUI, SQLAlchemy or rich.
"""

from __future__ import annotations

import sys
from typing import Any

__all__ = ["app", "main"]


def main() -> None:
    """Entry point of the ``smallcrm`` console script."""
    from smallcrm.cli.quick import run_quick

    code = run_quick(sys.argv[1:])
    if code is None:
        from smallcrm.cli.plain import run_plain

        code = run_plain(sys.argv[1:])
    if code is not None:
        raise SystemExit(code)
    from smallcrm.cli.main import main as typer_main

    typer_main()


def __getattr__(name: str) -> Any:
    """``smallcrm.cli.app``, the full Typer app, built on first use."""
    if name == "app":
        import importlib

        return importlib.import_module("smallcrm.cli.main").app
    raise AttributeError(name)
