"""The ``smallcrm`` command: global options, the full-screen app when no command is given, and
the registration of every subcommand."""

from __future__ import annotations

import copy
import importlib
import os
import sys
from typing import Annotated, Any

import typer

from smallcrm.cli.context import CliError, State, err, guarded

CAPTURE, ANSWERS, MANAGE, DATA = "Capture", "Answers", "Manage", "Data in and out"
# name -> (module in smallcrm.cli, attribute, a group of subcommands?, help panel)
COMMANDS: dict[str, tuple[str, str, bool, str]] = {
    "add": ("add", "app", True, CAPTURE),
    "log": ("log", "log", False, CAPTURE),
    "search": ("find", "search", False, ANSWERS),
    "list": ("find", "list_app", True, ANSWERS),
    "show": ("show", "app", True, ANSWERS),
    "today": ("agenda", "today", False, ANSWERS),
    "history": ("history", "history", False, ANSWERS),
    "report": ("reports", "app", True, ANSWERS),
    "remind": ("remind", "remind", False, ANSWERS),
    "slots": ("slot_commands", "slots", False, ANSWERS),
    "offer": ("slot_commands", "offer", False, CAPTURE),
    "book": ("slot_commands", "book", False, CAPTURE),
    "done": ("agenda", "done", False, MANAGE),
    "delete": ("manage", "delete", False, MANAGE),
    "restore": ("manage", "restore", False, MANAGE),
    "demo": ("manage", "demo", False, MANAGE),
    "backup": ("maintenance", "backup", False, MANAGE),
    "doctor": ("maintenance", "doctor", False, MANAGE),
    "edit": ("edit", "edit", False, MANAGE),
    "case": ("case_commands", "case_command", False, MANAGE),
    "campaign": ("campaign_commands", "app", True, MANAGE),
    "filter": ("filters", "app", True, MANAGE),
    "init-shared": ("team", "init_shared", False, MANAGE),
    "config": ("config", "app", True, MANAGE),
    "import": ("imports", "import_file", False, DATA),
    "export": ("exports", "export", False, DATA),
    "invite": ("invite", "invite", False, DATA),
    "sync": ("sync", "sync", False, DATA),
    "duplicates": ("duplicates", "duplicates", False, MANAGE),
    "merge": ("duplicates", "merge", False, MANAGE),
    "privacy": ("privacy", "app", True, DATA),
    "migrate-to": ("transfer", "migrate_to", False, MANAGE),
}
NO_ARGS_HELP = {
    "log", "search", "done", "delete", "restore", "history", "import", "export", "invite", "merge",
    "edit", "init-shared", "migrate-to", "case", "offer", "book", "sync",
}  # fmt: skip
ROOT_OPTIONS_WITH_VALUE = {"--db"}


def _print_version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            number = version("smallcrm")
        except PackageNotFoundError:
            number = "unknown"
        print(f"smallcrm {number}")
        raise typer.Exit()


def root(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            metavar="PATH|URL",
            help="Database file or URL (default: $SMALLCRM_DB, else the user data directory).",
            show_default=False,
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_print_version,
            is_eager=True,
            help="Show the version and exit.",
        ),
    ] = False,
) -> None:
    """Open the app, or run one of the commands below."""
    ctx.obj = State(target=db)
    if ctx.invoked_subcommand is None:
        start_app(ctx)


@guarded
def start_app(ctx: typer.Context) -> None:
    """The full-screen app (textual is imported only here)."""
    try:
        from smallcrm.app import run_app
    except ModuleNotFoundError as exc:
        if exc.name not in ("smallcrm.app", "textual"):
            raise
        raise CliError(
            "the full-screen app is not available in this installation; "
            "see smallcrm --help for the shell commands"
        ) from None
    run_app(ctx.obj.target)


def build_app(only: str | None = None, sub: str | None = None) -> typer.Typer:
    """The ``smallcrm`` Typer app with every command, or with just the command ``only``
    (and of a group such as ``add``, just its subcommand ``sub``).

    Typer turns every registered command into a click command on each run (about 30 ms for
    all of them here); the console script registers only the one being run, so a quick-add
    pays for one command's options rather than all of them.
    """
    from smallcrm.cli.help_labels import install

    install()
    app = typer.Typer(
        name="smallcrm",
        help=(
            "A keyboard-driven CRM for small businesses. Run without a command to open the "
            "app; use the commands below to add, log and look things up from the shell."
        ),
        add_completion=True,
        pretty_exceptions_enable=False,
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    app.callback(invoke_without_command=True)(root)
    for name, (module, attribute, group, panel) in COMMANDS.items():
        if only is not None and name != only:
            continue
        target = getattr(importlib.import_module(f"smallcrm.cli.{module}"), attribute)
        if group:
            app.add_typer(_only(target, sub), name=name, rich_help_panel=panel)
        else:
            # A routed command (``import FILE`` / ``import undo BATCH``) brings its own class.
            app.command(
                name,
                cls=getattr(target, "command_class", None),
                rich_help_panel=panel,
                no_args_is_help=name in NO_ARGS_HELP,
            )(target)
    return app


def _only(group: typer.Typer, sub: str | None) -> typer.Typer:
    """A copy of a command group holding just the subcommand ``sub`` (if it has one by that
    name; else the whole group, so a typo still gets "did you mean")."""
    chosen = [info for info in group.registered_commands if info.name == sub]
    if not chosen:
        return group
    reduced = copy.copy(group)
    reduced.registered_commands = chosen
    return reduced


def command_words(argv: list[str]) -> tuple[str | None, str | None]:
    """The command and the word after it (a group's subcommand), skipping global options."""
    skip = False
    for index, arg in enumerate(argv):
        if skip:
            skip = False
        elif arg in ROOT_OPTIONS_WITH_VALUE:
            skip = True
        elif not arg.startswith("-"):
            rest = argv[index + 1 : index + 2]
            return arg, rest[0] if rest else None
    return None, None


def __getattr__(name: str) -> Any:
    """``app``: the full command tree, built on first use (tests, help, completion)."""
    if name == "app":
        full = build_app()
        globals()["app"] = full
        return full
    raise AttributeError(name)


def main() -> None:
    """Run the command line through Typer (the console script tries the quick path first)."""
    name, sub = command_words(sys.argv[1:])
    completing = any(key.endswith("_COMPLETE") for key in os.environ)
    only = name if name in COMMANDS and not completing else None
    try:
        build_app(only, sub if only else None)(prog_name="smallcrm")
    except KeyboardInterrupt:
        err("Interrupted.")
        raise SystemExit(130) from None
