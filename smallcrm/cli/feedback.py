"""Talking to the person at the terminal during long or irreversible commands: a progress bar
on stderr, and a yes/no question before a change that cannot simply be taken back.

Both stay silent for scripts: the bar is drawn only when stderr is a terminal, and a question
is never asked when stdin is not one (the command refuses and names its ``--yes`` instead of
waiting for an answer nobody can type). Rich is imported only when a bar is drawn.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from smallcrm.cli.core import CliError
from smallcrm.cli.output import is_terminal, unguarded
from smallcrm.store.formats import printable

Progress = Callable[[int, int | None], None]


def stdin_is_terminal() -> bool:
    """Whether someone can answer a question (tests replace this)."""
    return is_terminal(sys.stdin)


def confirm(question: str, *, yes: bool, refusal: str) -> bool:
    """True if ``yes`` was given or the person answers yes (the default is no).

    Without a terminal to ask on, raises CliError with ``refusal``, which should say how to
    go ahead anyway (``--yes``).
    """
    if yes:
        return True
    if not stdin_is_terminal():
        raise CliError(refusal)
    import typer

    return bool(typer.confirm(printable(question, keep_newlines=True), default=False, err=True))


def choose(question: str, choices: tuple[str, ...], *, default: str) -> str:
    """One of ``choices`` (or the first letter of one), asked at the terminal until the
    answer is one of them; the caller checked there is a terminal."""
    import typer

    shown = printable(f"{question} ({', '.join(choices)})", keep_newlines=True)
    while True:
        answer = str(typer.prompt(shown, default=default, err=True)).strip().lower()
        picked = [choice for choice in choices if answer and choice.startswith(answer)]
        if len(picked) == 1:
            return picked[0]
        sys.stderr.write(f"Please answer {', '.join(choices[:-1])} or {choices[-1]}.\n")


@contextmanager
def progress_bar(
    label: str, *, show: bool = True, transient: bool = False
) -> Iterator[Progress | None]:
    """A progress callback ``(done, total)`` drawing a bar with counts and rate on stderr,
    or None when stderr is not a terminal (or ``show`` is False): nothing is drawn then.

    The bar pulses until the first call gives it a total; a ``transient`` one is cleared at
    the end (for a wait whose outcome is printed anyway).
    """
    if not show or not is_terminal(sys.stderr):
        yield None
        return
    from rich import progress as rich
    from rich.console import Console

    bar = rich.Progress(
        rich.TextColumn("{task.description}"),
        rich.BarColumn(),
        rich.MofNCompleteColumn(),
        _rate_column(),
        rich.TimeElapsedColumn(),
        console=Console(file=unguarded(sys.stderr)),
        transient=transient,
    )
    with bar:
        task = bar.add_task(printable(label), total=None)

        def update(done: int, total: int | None) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def _rate_column() -> Any:
    """A column with records per second (rich's own speed column counts bytes)."""
    from rich.progress import ProgressColumn
    from rich.text import Text

    class RateColumn(ProgressColumn):
        def render(self, task: Any) -> Text:
            speed = task.finished_speed or task.speed
            return Text(f"{speed:,.0f}/s" if speed else "", style="progress.data.speed")

    return RateColumn()
