"""The Typer side of what every shell command shares: the per-invocation state on the click
context, and running a command so expected failures print a message and exit 1 (never a
traceback). The rest lives in ``smallcrm.cli.core``, which does not import Typer.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import typer

from smallcrm.cli.core import (
    EXIT_BUG,
    EXIT_ERROR,
    EXIT_INTERRUPTED,
    CliError,
    State,
    debugging,
    describe_bug,
    describe_error,
    err,
    lookup,
    now,
    quiet_broken_pipe,
)
from smallcrm.cli.output import safe_streams

__all__ = ["CliError", "State", "err", "guarded", "lookup", "now", "state"]

F = TypeVar("F", bound=Callable[..., Any])


def state(ctx: typer.Context) -> State:
    """The shared state of this invocation (created when a subcommand runs on its own)."""
    root = ctx.find_root()
    if not isinstance(root.obj, State):
        root.obj = State()
    return root.obj


def guarded(func: F) -> F:
    """Run a command so expected failures print a message and exit 1 instead of a traceback,
    with the standard streams guarded against control characters from the data."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            with safe_streams():
                return func(*args, **kwargs)
        except (typer.Exit, typer.Abort, typer.TyperException, SystemExit):
            raise  # exits, and usage errors (BadParameter) that Typer reports itself
        except CliError as exc:
            _fail(str(exc))
        except BrokenPipeError:
            quiet_broken_pipe()
            raise typer.Exit(0) from None
        except KeyboardInterrupt:
            err("Interrupted.")
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except Exception as exc:  # noqa: BLE001 - sorted below: known kinds, then bugs
            message = describe_error(exc)
            if message is not None:
                _fail(message)
            if debugging():
                raise
            _fail(describe_bug(exc), EXIT_BUG)
        finally:
            for value in (*args, *kwargs.values()):
                # Typer hands commands its bundled click's Context, not typer.Context.
                if callable(getattr(value, "find_root", None)):
                    state(value).close()

    return wrapper  # type: ignore[return-value]


def _fail(message: str, code: int = EXIT_ERROR) -> None:
    err(f"Error: {message}")
    raise typer.Exit(code)
