"""What a shell test checks of every run: the exit code and that no traceback was printed."""

from __future__ import annotations

from collections.abc import Callable

from typer.testing import Result

Run = Callable[..., Result]


def ok(result: Result) -> str:
    """The output of a run that must succeed."""
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return result.stdout


def fails(result: Result) -> str:
    """The output of a run that must be refused with exit code 1."""
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    return result.output
