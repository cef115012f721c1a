"""One command word for an action and its bookkeeping: ``import FILE`` beside ``import undo
BATCH`` and ``import list``; ``merge KEEP OTHER`` beside ``merge undo MERGE_ID``.

The main command stays a plain command (its usage, help and options are its own); a few words
in the first position hand the command line to a subcommand, but only when the rest of the line
fits that subcommand's arguments, or cannot be the main command's line anyway. So ``smallcrm
import undo 12`` undoes import 12 while ``smallcrm import undo.csv`` (and ``smallcrm import
undo``, a file named so) imports a file; ``smallcrm import ./list`` imports a file named
``list``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

import typer
from typer.core import TyperCommand

HELP_OPTIONS = ("--help", "-h")

F = TypeVar("F", bound=Callable[..., Any])


class RoutedCommand(TyperCommand):
    """A command whose first word may name one of the ``subcommands`` (see module doc)."""

    subcommands: ClassVar[typer.Typer]

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: Any = None,
        **extra: Any,
    ) -> Any:
        """The context of this command, or of the subcommand the line names."""
        routed = self.route(args)
        if routed is None:
            return super().make_context(info_name, args, parent, **extra)
        word, command = routed
        name = f"{info_name} {word}" if info_name else word
        return command.make_context(name, args[1:], parent=parent, **extra)

    def route(self, args: list[str]) -> tuple[str, Any] | None:
        """The subcommand ``args`` call for, or None for the command itself.

        A subcommand's word routes when the rest of the line fits the subcommand, or when the
        line cannot be this command's anyway (``merge undo`` alone: the missing argument is
        then the subcommand's, which is what the user forgot).
        """
        if not args or args[0].startswith("-"):
            return None
        group = typer.main.get_group(self.subcommands)
        command = group.commands.get(args[0])  # type: ignore[attr-defined]
        if command is None:
            return None
        if fits(command, args[1:]) or not fits(self, args):
            return args[0], command
        return None


def fits(command: Any, args: list[str]) -> bool:
    """Whether ``args`` give ``command`` (a click command, as Typer builds it) exactly the
    positional arguments it takes; asking for its help always fits."""
    if any(arg in HELP_OPTIONS for arg in args):
        return True
    # Typer carries its own copy of click, so parameters are told apart by their type name.
    takes_value = {
        name
        for param in command.params
        if param.param_type_name == "option" and not (param.is_flag or param.count)
        for name in (*param.opts, *param.secondary_opts)
    }
    wanted = sum(param.nargs for param in command.params if param.param_type_name == "argument")
    return positionals(args, takes_value) == wanted


def positionals(args: list[str], takes_value: set[str]) -> int:
    """How many of ``args`` are positional, skipping options and the values they take."""
    count, skip = 0, False
    for index, arg in enumerate(args):
        if skip:
            skip = False
        elif arg == "--":
            return count + len(args) - index - 1
        elif arg.startswith("-") and arg != "-":
            skip = arg in takes_value
        else:
            count += 1
    return count


def routed(subcommands: typer.Typer) -> Callable[[F], F]:
    """Mark a command function as routed to ``subcommands`` (read by ``main.build_app``)."""

    def mark(func: F) -> F:
        func.command_class = type(  # type: ignore[attr-defined]
            f"Routed{func.__name__.title()}", (RoutedCommand,), {"subcommands": subcommands}
        )
        return func

    return mark
