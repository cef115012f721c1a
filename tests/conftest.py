"""Shared fixtures: every test runs on its own database file in tmp_path, never the user's."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from smallcrm.store.db import Database, open_database


@pytest.fixture(autouse=True)
def _isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep tests off the user's machine: data dir, database and acting user are fixed."""
    monkeypatch.setenv("SMALLCRM_DB", str(tmp_path / "default.db"))
    monkeypatch.setenv("SMALLCRM_USER", "tester")
    monkeypatch.setenv("SMALLCRM_PHONE_REGION", "DE")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Where the test's database file lives."""
    return tmp_path / "crm.db"


@pytest.fixture
def db(db_path: Path) -> Iterator[Database]:
    """A fresh, migrated database in tmp_path."""
    database = open_database(db_path)
    yield database
    database.close()
