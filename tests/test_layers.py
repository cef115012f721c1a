"""Layers a test enforces (every import statement counts, in functions and under TYPE_CHECKING):

- the store imports no textual, rich, typer, and nothing of cli, screens, widgets or the app;
- widgets import no screens and not the app; the shell (cli) imports no screens or widgets;
- screens do not import the app (they reach it through ``screens/host.CrmHost``);
- there is no import cycle anywhere in the package.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

import smallcrm

ROOT = Path(smallcrm.__file__).parent


def _modules() -> dict[str, Path]:
    found = {}
    for path in ROOT.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _imports(name: str, path: Path) -> Iterator[str]:
    """Every module ``name`` imports, as written (relative imports made absolute)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:  # ``from pkg import module`` names the module alone
                full = f"{base}.{alias.name}"
                yield full if full in MODULES else base


def _internal(target: str) -> str | None:
    """The package module an import names (``smallcrm.store.kinds.Kind`` -> its module)."""
    while target and target not in MODULES:
        target = target.rpartition(".")[0]
    return target or None


EDGES = {
    name: {m for t in _imports(name, path) if (m := _internal(t)) and m != name}
    for name, path in MODULES.items()
}
EXTERNAL = {name: set(_imports(name, path)) for name, path in MODULES.items()}


def _layer(name: str) -> str:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 else "smallcrm"


FORBIDDEN = {
    "store": ("smallcrm.cli", "smallcrm.screens", "smallcrm.widgets", "smallcrm.app",
              "smallcrm.palette", "textual", "rich", "typer"),
    "widgets": ("smallcrm.screens", "smallcrm.app", "smallcrm.palette", "smallcrm.cli"),
    "cli": ("smallcrm.screens", "smallcrm.widgets", "smallcrm.palette"),
    "screens": ("smallcrm.app", "smallcrm.cli"),
}  # fmt: skip


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_each_layer_imports_only_what_it_may(layer: str) -> None:
    wrong = [
        f"{name} imports {target}"
        for name in MODULES
        if _layer(name) == layer
        for target in EXTERNAL[name]
        if any(target == f or target.startswith(f + ".") for f in FORBIDDEN[layer])
    ]
    assert wrong == []


def test_only_the_shell_starts_the_app() -> None:
    importers = sorted(n for n, edges in EDGES.items() if "smallcrm.app" in edges)
    assert importers == ["smallcrm.cli.main"]


def test_there_is_no_import_cycle() -> None:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in EDGES[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for name in sorted(MODULES):
        if name not in index:
            visit(name)
    assert cycles == []


def test_the_check_sees_the_package() -> None:
    assert {"smallcrm.store.kinds", "smallcrm.cli.main", "smallcrm.screens.base"} <= set(MODULES)
    assert "smallcrm.store.kinds" in EDGES["smallcrm.store.search"]
