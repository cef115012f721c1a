"""The store never imports textual, and the shell's hot path stays off the heavy libraries."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import smallcrm.store

STORE = Path(smallcrm.store.__file__).parent
SERVICES = sorted(
    f"smallcrm.store.{p.stem}" for p in STORE.glob("*.py") if p.stem not in {"__init__"}
)


def _loaded_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", code + "; import sys; print('\\n'.join(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
    )
    return {line.split(".")[0] for line in out.stdout.split()}


def test_store_never_imports_textual() -> None:
    loaded = _loaded_after("; ".join(f"import {m}" for m in SERVICES))
    assert "textual" not in loaded


def test_store_sources_never_import_textual() -> None:
    pattern = re.compile(r"^\s*(from|import)\s+textual\b", re.MULTILINE)
    for path in STORE.rglob("*.py"):
        assert not pattern.search(path.read_text()), path


def test_services_do_not_import_orm_or_alembic() -> None:
    # the ORM's own modules
    schema = {
        "models", "models_support", "models_history", "models_sync", "models_columns", "migrate"
    }  # fmt: skip
    runtime = [m for m in SERVICES if m.removeprefix("smallcrm.store.") not in schema]
    loaded = _loaded_after("; ".join(f"import {m}" for m in runtime))
    assert not loaded & {"sqlalchemy", "sqlmodel", "pydantic", "alembic", "textual", "rich"}
