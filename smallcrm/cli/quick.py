"""``smallcrm search``, ``today --brief`` and ``remind --due/--next`` without Typer, when their
arguments are plain.

Typer 0.29 checks every parameter through pydantic, which costs about 80 ms a run: a third of a
search's wall time. Looking someone up is what the shell is used for most, and it must stay well
under the time of a do-nothing Typer command (and at least 30 times faster than ``khard list`` on
10,000 vCards), which leaves no room for it. The brief runs at every login over SSH and the
reminders every few minutes from cron, with the same budget. So when the arguments are plain
(for search: words, ``--json``, ``--kind/-k WORD``, ``--limit/-n NUMBER``; for the others exactly
those words; each after an optional ``--db PATH``) the command runs here, through the very
function the Typer command calls. Anything else (help, completion, an unknown option, a number
out of range, ``--``) goes to Typer, which answers with its usual help and usage errors: Typer
stays the one definition of the command line.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import NamedTuple

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
    quiet_broken_pipe,
)
from smallcrm.cli.output import safe_streams

DEFAULT_LIMIT = 10
MAX_LIMIT = 200


class SearchArgs(NamedTuple):
    """A plain ``smallcrm search`` command line."""

    target: str | None
    words: list[str]
    kinds: list[str]
    limit: int
    as_json: bool


def split_target(argv: list[str]) -> tuple[str | None, list[str]] | None:
    """The ``--db`` target and the rest; None when shell completion asks (that is Typer's)."""
    if any(key.endswith("_COMPLETE") for key in os.environ):
        return None
    tokens = list(argv)
    target = None
    while tokens[:1] == ["--db"] and len(tokens) > 1:
        target, tokens = tokens[1], tokens[2:]
    return target, tokens


def parse_search(argv: list[str]) -> SearchArgs | None:
    """The arguments of a plain search, or None when Typer should handle the command line."""
    split = split_target(argv)
    if split is None:
        return None
    target, tokens = split
    if tokens[:1] != ["search"]:
        return None
    words: list[str] = []
    kinds: list[str] = []
    limit, as_json = DEFAULT_LIMIT, False
    rest = tokens[1:]
    while rest:
        token = rest.pop(0)
        if token == "--json":
            as_json = True
        elif token in ("--kind", "-k") and rest:
            kinds.append(rest.pop(0))
        elif token in ("--limit", "-n") and rest and _limit(rest[0]) is not None:
            limit = _limit(rest.pop(0)) or DEFAULT_LIMIT
        elif token.startswith("-"):
            return None
        else:
            words.append(token)
    return SearchArgs(target, words, kinds, limit, as_json) if words else None


def _limit(text: str) -> int | None:
    if not text.isascii() or not text.isdigit():
        return None
    number = int(text)
    return number if 1 <= number <= MAX_LIMIT else None


def _brief(state: State) -> int:
    from smallcrm.cli.brief import write_brief
    from smallcrm.cli.core import now

    write_brief(state.db(), now())
    return 0


def _deliver(state: State) -> int:
    from smallcrm.cli.remind_run import deliver

    return deliver(state)


def _show_next(state: State) -> int:
    from smallcrm.cli.remind_run import show_next

    return show_next(state)


# Whole command lines (after ``--db PATH``) that run here, and what runs them.
PLAIN: dict[tuple[str, ...], Callable[[State], int]] = {
    ("today", "--brief"): _brief,
    ("remind", "--due"): _deliver,
    ("remind", "--next"): _show_next,
}


def _job(argv: list[str]) -> tuple[str | None, Callable[[State], int]] | None:
    """What runs here for this command line, and on which database; None: Typer runs it."""
    search_args = parse_search(argv)
    if search_args is not None:

        def search_job(state: State) -> int:
            words = " ".join(search_args.words)
            run_search(state, words, search_args.kinds, search_args.limit, search_args.as_json)
            return 0

        return search_args.target, search_job
    split = split_target(argv)
    if split is None or tuple(split[1]) not in PLAIN:
        return None
    return split[0], PLAIN[tuple(split[1])]


def run_quick(argv: list[str]) -> int | None:
    """Run a plain command line and return its exit code; None if Typer must run it."""
    job = _job(argv)
    if job is None:
        return None
    target, run = job
    state = State(target)
    try:
        with safe_streams():
            return run(state)
    except CliError as exc:
        err(f"Error: {exc}")
        return EXIT_ERROR
    except BrokenPipeError:
        quiet_broken_pipe()
    except KeyboardInterrupt:
        err("Interrupted.")
        return EXIT_INTERRUPTED
    except Exception as exc:  # noqa: BLE001 - known kinds, then bugs, as in guarded()
        message = describe_error(exc)
        if message is not None:
            err(f"Error: {message}")
            return EXIT_ERROR
        if debugging():
            raise
        err(f"Error: {describe_bug(exc)}")
        return EXIT_BUG
    finally:
        state.close()
    return 0


def run_search(state: State, text: str, kinds: list[str], limit: int, as_json: bool) -> None:
    """Search and print the hits: a table (or JSON); "No matches" on stderr when none."""
    import sys

    from smallcrm.cli import hit_views
    from smallcrm.cli.output import is_terminal, write_json_array, write_table
    from smallcrm.store.search import search

    hits = search(state.db(), text, kinds=search_kinds(kinds), per_kind=limit)
    if as_json:
        write_json_array(hit_views.hit_json(h) for h in hits)
        return
    if not hits:
        err(f"No matches for {text!r}.")
        return
    terminal = is_terminal(sys.stdout)
    rows = [hit_views.hit_row(h, terminal) for h in hits]
    write_table(hit_views.HIT_COLUMNS, rows, terminal=terminal)


def search_kinds(words: list[str]) -> tuple[str, ...]:
    """``--kind`` words as store kinds (a unique prefix is enough; "deal" is an opportunity)."""
    from smallcrm.store import kinds

    if not words:
        return kinds.SEARCH_ORDER
    return tuple(dict.fromkeys(kinds.from_word(word, field_name="--kind").name for word in words))
