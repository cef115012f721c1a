"""Fixtures of the TUI tests, loaded with ``pytest_plugins = ["tui_fixtures"]``.

Kept apart from ``tui_data`` (which the tests import) so pytest can load this module as a plugin
before anything imports it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from tui_data import NOW, Seeded, seed

from smallcrm.store import clock
from smallcrm.store.db import Database, open_database


@pytest.fixture
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """UTC as the local zone and the store's clock stopped at NOW.

    Not autouse: a plugin's autouse fixture would apply to every test of the session.
    """
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    clock.pin(NOW)
    yield
    clock.pin(None)
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def tui_db(new_database_url: Callable[[str], Path | str], fixed_clock: None) -> Iterator[Database]:
    """An empty database for one test, on the fixed clock."""
    database = open_database(new_database_url("tui.db"))
    yield database
    database.close()


@pytest.fixture
def seeded(tui_db: Database) -> Seeded:
    """The small data set in the test's database."""
    return seed(tui_db)


@pytest.fixture
def two_databases(
    new_database_url: Callable[[str], Path | str], fixed_clock: None
) -> Iterator[tuple[Database, Database, Seeded]]:
    """Two connections to one database (as two users' processes have), seeded."""
    target = new_database_url("shared.db")
    first, second = open_database(target), open_database(target)
    seeded = seed(first)
    yield first, second, seeded
    first.close()
    second.close()
