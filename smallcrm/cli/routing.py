"""One command word for an action and its bookkeeping: ``import FILE`` beside ``import undo
BATCH`` and ``import list``; ``merge KEEP OTHER`` beside ``merge undo MERGE_ID``.

The main command stays a plain command (its usage, help and options are its own); a few words
in the first position hand the command line to a subcommand, but only when the rest of the line
fits that subcommand's arguments, or cannot be the main command's line anyway. So ``smallcrm
import undo 12`` undoes import 12 while ``smallcrm import undo.csv`` (and ``smallcrm import
undo``, a file named so) imports a file; ``smallcrm import ./list`` imports a file named
``list``.

A command may also name a subcommand that takes the *whole* line when the line has that
subcommand's number of positional arguments and not the command's own: ``restore KIND ID``
brings a record back from the trash, ``restore FILE`` (one argument) restores a backup. The
subcommand keeps its word too (``restore backup FILE``), which routes first, so a file named
like a subcommand's word is given as ``./backup``.
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
    whole_line: ClassVar[str | None] = None

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
            whole = self.route_whole_line(args)
            if whole is not None:
                return whole.make_context(info_name, args, parent=parent, **extra)
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
        command = group.commands.get(args[0])
        if command is None:
            return None
        if fits(command, args[1:]) or not fits(self, args):
            return args[0], command
        return None

    def route_whole_line(self, args: list[str]) -> Any | None:
        """The ``whole_line`` subcommand if ``args`` give it exactly its positional arguments
        and do not give this command its own (``--help`` goes where the arguments point)."""
        if self.whole_line is None:
            return None
        group = typer.main.get_group(self.subcommands)
        command = group.commands[self.whole_line]
        given = positionals(args, _takes_value(command))
        return command if given == _wanted(command) != _wanted(self) else None


def fits(command: Any, args: list[str]) -> bool:
    """Whether ``args`` give ``command`` (a click command, as Typer builds it) exactly the
    positional arguments it takes; asking for its help always fits."""
    if any(arg in HELP_OPTIONS for arg in args):
        return True
    return positionals(args, _takes_value(command)) == _wanted(command)


def _takes_value(command: Any) -> set[str]:
    """The option names of ``command`` that take a value (the next argument)."""
    # Typer carries its own copy of click, so parameters are told apart by their type name.
    return {
        name
        for param in command.params
        if param.param_type_name == "option" and not (param.is_flag or param.count)
        for name in (*param.opts, *param.secondary_opts)
    }


def _wanted(command: Any) -> int:
    """How many positional arguments ``command`` takes."""
    return sum(param.nargs for param in command.params if param.param_type_name == "argument")


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


def routed(subcommands: typer.Typer, *, whole_line: str | None = None) -> Callable[[F], F]:
    """Mark a command function as routed to ``subcommands`` (read by ``main.build_app``);
    ``whole_line`` names the one that takes a line of its own arity (see the module doc)."""

    def mark(func: F) -> F:
        func.command_class = type(  # type: ignore[attr-defined]
            f"Routed{func.__name__.title()}",
            (RoutedCommand,),
            {"subcommands": subcommands, "whole_line": whole_line},
        )
        return func

    return mark
