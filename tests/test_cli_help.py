"""--help names what an option takes as command-line tools do, and nothing after a flag."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from smallcrm.cli.help_labels import label
from smallcrm.cli.main import build_app

PYTHON_TYPE = re.compile(r"<(str|bool|int|float|list\[\w+\])[^>]*>")


@pytest.mark.parametrize(
    "words",
    [[], ["add", "contact"], ["log"], ["list", "deals"], ["import"], ["export"], ["remind"]],
)
def test_help_shows_no_python_type_names(words: list[str]) -> None:
    result = CliRunner().invoke(build_app(), [*words, "--help"], env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.output
    assert not PYTHON_TYPE.search(result.output), result.output


def test_flags_take_nothing_and_values_say_what_they_take() -> None:
    top = CliRunner().invoke(build_app(), ["--help"], env={"COLUMNS": "100"}).output
    version = next(line for line in top.splitlines() if "--version" in line)
    assert "Show the version" in version and "bool" not in version and "TEXT" not in version
    assert "PATH|URL" in top  # a label the command chose stays
    add = CliRunner().invoke(build_app(), ["add", "contact", "--help"], env={"COLUMNS": "100"})
    email = next(line for line in add.output.splitlines() if line.startswith("│ --email"))
    assert "TEXT" in email


def test_labels() -> None:
    assert label("<str>") == "TEXT"
    assert label("<list[str]>...") == "TEXT..."
    assert label("<int range>") == "INTEGER"
    assert label("<bool>") is None
    assert label("FILE|-") == "FILE|-"
    assert label(None) is None


@given(st.text(max_size=20))
def test_any_label_comes_back_as_text_or_nothing(shown: str) -> None:
    result = label(shown)
    assert result is None or isinstance(result, str)


@pytest.mark.parametrize(
    ("words", "missing"),
    [(["add", "contact"], "name"), (["add", "deal"], "name"), (["add", "meeting", "Demo"], "when")],
)
def test_a_missing_argument_is_named(words: list[str], missing: str) -> None:
    """add with nothing to add says what is missing (it printed the help, exit 0)."""
    result = CliRunner().invoke(build_app(), words, env={"COLUMNS": "100"})
    assert result.exit_code == 2
    assert f"Missing argument '{missing}'" in result.output
