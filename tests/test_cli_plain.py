"""The plain path of the everyday commands (``smallcrm.cli.plain``): a line it takes gives the
command function exactly the values Typer would give it, read from the same declarations; any
other line goes to Typer; and the console script answers the same either way."""

from __future__ import annotations

import functools
import importlib
import inspect
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import typer
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from smallcrm.cli.plain import COMMANDS, Param, command_params, parse, plain_call

pytestmark = pytest.mark.sqlite_only  # the parse is the same on both; the runs use a file


def _function(place: tuple[str, str]) -> Callable[..., Any]:
    module, name = place
    return getattr(importlib.import_module(f"smallcrm.cli.{module}"), name)


FUNCTIONS = {key: _function(place) for key, place in COMMANDS.items()}
IDS = [" ".join(word for word in key if word) for key in FUNCTIONS]


def typer_values(func: Callable[..., Any], args: list[str]) -> dict[str, Any] | None:
    """What Typer hands ``func`` for ``args`` (the context aside), or None if it refuses them."""
    seen: dict[str, Any] = {}

    @functools.wraps(inspect.unwrap(func))
    def record(**values: Any) -> None:
        seen.update({name: value for name, value in values.items() if name != "ctx"})

    app = typer.Typer(add_completion=False)
    app.command()(record)
    result = CliRunner().invoke(app, args)
    return seen if result.exit_code == 0 else None


def _click_command(func: Callable[..., Any]) -> Any:
    app = typer.Typer(add_completion=False)
    app.command()(func)
    return typer.main.get_command(app)


@pytest.mark.parametrize("key", list(FUNCTIONS), ids=IDS)
def test_every_command_is_read_as_typer_reads_it(key: tuple[str, str]) -> None:
    """Each command's declaration is plain, and its option strings, switches, repeatable options
    and arguments are the ones Typer builds."""
    params = command_params(FUNCTIONS[key])
    assert params is not None, f"{key} has a declaration the plain path does not read"
    built = {param.name: param for param in _click_command(FUNCTIONS[key]).params}
    assert set(built) == {param.name for param in params}
    for param in params:
        click_param = built[param.name]
        if param.shape in ("word", "words"):
            assert click_param.param_type_name == "argument"
            assert (click_param.nargs == -1) == (param.shape == "words")
            continue
        assert sorted(click_param.opts) == sorted(param.on), param.name
        assert sorted(click_param.secondary_opts) == sorted(param.off), param.name
        assert click_param.is_flag == (param.shape == "flag"), param.name
        assert click_param.multiple == (param.shape == "texts"), param.name


SAMPLES: dict[tuple[str, str], list[list[str]]] = {
    ("add", "contact"): [
        ["Jana", "Novak"],
        ["Jana Novak", "--email", "a@b.example", "--email", "c@d.example", "--tag", "vip"],
        ["Novak,", "Jana", "--phone", "+49 30 123", "--force", "--json", "--email-opt-out"],
        ["--title", "Buyer", "Max", "--postal-code", "10115", "Muster", "--email-opt-in"],
        ["Jana", "--email"],
        ["Jana", "--email=a@b.example"],
        ["--force"],
        ["Jana", "--", "--force"],
        ["Jana", "-h"],
        ["Jana", "--notes", "-3 dB"],
        ["Jana", "--frobnicate"],
    ],
    ("list", "contacts"): [
        [],
        ["--limit", "5", "--desc", "--sort", "city"],
        ["-n", "7", "--asc", "--tag", "vip", "--tag", "other"],
        ["-n", "0"],
        ["-n", "x"],
        ["-n", "٣"],
        ["stray"],
    ],
    ("today", ""): [[], ["--days", "5"], ["--days", "3651"], ["--brief", "--json"]],
    ("log", ""): [
        ["call", "jana", "Discussed", "renewal", "--follow-up", "fri"],
        ["note", "--case", "12", "acme", "Called back", "--from-customer"],
        ["call", "jana"],
        ["call", "jana", ""],
        ["call", "", "x"],
        ["email", "--json", "jana", "Quote", "sent", "--at", "yesterday 16:00", "--id", "7"],
    ],
}


@pytest.mark.parametrize(
    ("key", "args"), [(key, args) for key, lines in SAMPLES.items() for args in lines]
)
def test_a_line_taken_gives_what_typer_gives(key: tuple[str, str], args: list[str]) -> None:
    func = FUNCTIONS[key]
    params = command_params(func)
    assert params is not None
    ours = parse(params, args)
    if ours is not None:
        assert ours == typer_values(func, args)


def _lines(params: list[Param]) -> st.SearchStrategy[list[str]]:
    word = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=6)
    number = st.integers(-2, 4000).map(str)
    pieces = []
    for param in params:
        if param.shape == "flag":
            pieces += [st.just([text]) for text in param.on + param.off]
        elif param.shape in ("word", "words"):
            pieces.append(word.map(lambda text: [text]))
        else:
            value = number if param.shape == "number" else word
            pieces += [value.map(lambda text, o=option: [o, text]) for option in param.on]
    odd = st.sampled_from(["--", "-", "--nope", "-x", "--json=1"]).map(lambda t: [t])
    lines = st.one_of(
        st.lists(st.one_of(pieces), max_size=6).map(lambda parts: sum(parts, [])),
        st.lists(st.one_of([*pieces, odd]), max_size=6).map(lambda parts: sum(parts, [])),
    )
    if not any(param.required for param in params):
        return lines
    # A required argument is mostly given, so that most lines are ones the plain path takes.
    first = word.filter(lambda text: not text.startswith("-"))
    return st.tuples(first, lines).map(lambda both: [both[0], *both[1]])


@pytest.mark.parametrize("key", list(FUNCTIONS), ids=IDS)
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_any_line_taken_gives_what_typer_gives(key: tuple[str, str], data: st.DataObject) -> None:
    func = FUNCTIONS[key]
    params = command_params(func)
    assert params is not None
    args = data.draw(_lines(params))
    ours = parse(params, args)
    if ours is not None:
        assert ours == typer_values(func, args), args


def test_only_lines_of_the_chosen_commands_are_taken() -> None:
    assert plain_call(["--db", "x.db", "add", "contact", "Jana"]) is not None
    assert plain_call(["today"]) is not None
    assert plain_call(["add", "deal", "Big one"]) is None  # not one of them
    assert plain_call(["--db"]) is None
    assert plain_call(["--version"]) is None
    assert plain_call(["add", "contact", "--help"]) is None
    assert plain_call(["add", "contact"]) is None  # Typer names the missing name
    assert plain_call(["log", "call", "jana"]) is None  # Typer names the missing subject
    assert plain_call(["log", "call", "jana", "Quick", "check-in"]) is not None


def _run(args: list[str], via_typer: bool, env: dict[str, str]) -> tuple[int, str, str]:
    entry = (
        "from smallcrm.cli.main import main; main()"
        if via_typer
        else "import sys; from smallcrm.cli import main; main(); sys.exit(0)"
    )
    probe = (
        "import atexit, sys; atexit.register(lambda: sys.stderr.write("
        "'converted by Typer\\n' if 'typer._adapters' in sys.modules else ''));"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe + entry, *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    return done.returncode, done.stdout, done.stderr


LINES = [
    ["add", "contact", "Jana", "Novak", "--email", "jana@example.org", "--tag", "vip"],
    ["add", "contact", "Jana", "Novak", "--email", "JANA@example.org"],  # refused: a duplicate
    ["add", "contact", "Max", "Muster", "--email", "not-an-address"],  # refused: the address
    ["add", "account", "Acme", "GmbH", "--website", "acme.example", "--json"],
    ["list", "contacts", "--limit", "5", "--desc"],
    ["today", "--days", "14"],
    ["log", "call", "jana", "Discussed", "the", "renewal", "--follow-up", "fri"],
    ["log", "note", "nobody-here", "Lost"],  # refused: nobody matches
]


def test_the_console_script_answers_as_typer_does(tmp_path: Path) -> None:
    """Each line on the plain path and through Typer, each on its own new database: the same
    exit code and output, and the plain path never loads Typer's conversions (pydantic; a new
    database's migrations load it anyway)."""
    answers: dict[bool, list[tuple[int, str, str]]] = {}
    for via_typer in (False, True):
        env = {**os.environ, "SMALLCRM_DB": str(tmp_path / f"typer-{via_typer}.db")}
        answers[via_typer] = [_run(line, via_typer, env) for line in LINES]
    for line, plain, typed in zip(LINES, answers[False], answers[True], strict=True):
        assert "converted by Typer" not in plain[2], line
        assert plain == (typed[0], typed[1], typed[2].replace("converted by Typer\n", "")), line
    assert [code for code, _out, _err in answers[False]] == [0, 1, 1, 0, 0, 0, 0, 1]
