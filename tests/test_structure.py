"""Each module one idea, short enough to read: at most 450 lines per file and 60 per function
(signature and docstring included), outside the migrations' revision scripts."""

from __future__ import annotations

import ast
from pathlib import Path

SOURCE = Path(__file__).resolve().parent.parent / "smallcrm"
MAX_FILE_LINES = 450
MAX_FUNCTION_LINES = 60


def _modules() -> list[Path]:
    return [p for p in sorted(SOURCE.rglob("*.py")) if "migrations/versions" not in p.as_posix()]


def test_no_file_is_longer_than_450_lines() -> None:
    long = {
        str(path.relative_to(SOURCE.parent)): lines
        for path in _modules()
        if (lines := path.read_text().count("\n")) > MAX_FILE_LINES
    }
    assert long == {}


def test_no_function_is_longer_than_60_lines() -> None:
    long = {}
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    long[f"{path.relative_to(SOURCE.parent)}:{node.name}"] = lines
    assert long == {}


def test_the_screen_tests_left_to_sqlite_exist() -> None:
    """The lists name files that exist: a renamed test module is renamed there too."""
    from conftest import DRAWING_ONLY, NO_DATABASE

    tests = Path(__file__).resolve().parent
    named = DRAWING_ONLY | NO_DATABASE
    assert sorted(n for n in named if not (tests / f"{n}.py").exists()) == []
