"""Shared fixtures: every test runs on its own database, never the user's.

By default that is a SQLite file in ``tmp_path``. With ``SMALLCRM_TEST_POSTGRES`` set to a
PostgreSQL server URL (``.ci/run`` starts a throwaway server and sets it), every test gets a
fresh PostgreSQL database instead, copied from a template migrated once per session, and tests
marked ``sqlite_only`` (file permissions, WAL, the FTS5 index, backups of the file) are skipped.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from smallcrm.store import clock, settings
from smallcrm.store.db import Database, open_database

POSTGRES_SERVER = os.environ.get("SMALLCRM_TEST_POSTGRES", "")
BACKEND = "postgresql" if POSTGRES_SERVER else "sqlite"
_TEMPLATE = f"smallcrm_template_{os.getpid()}"
_numbers = itertools.count(1)


def _server_url(database: str) -> str:
    base = POSTGRES_SERVER.rsplit("/", 1)[0] if POSTGRES_SERVER.count("/") > 2 else POSTGRES_SERVER
    return f"{base}/{database}"


def _admin(sql: str) -> None:
    """Run one statement on the server's maintenance database, outside a transaction."""
    import psycopg

    conninfo = _server_url("postgres").replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(sql)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "sqlite_only: needs the SQLite file itself")
    config.addinivalue_line("markers", "postgres_only: needs a PostgreSQL server")


def pytest_report_header(config: pytest.Config) -> str:
    return f"smallcrm test database: {BACKEND}"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if BACKEND == "postgresql":
        skip = pytest.mark.skip(reason="SQLite-file test; this run is on PostgreSQL")
        marker = "sqlite_only"
    else:
        skip = pytest.mark.skip(reason="needs PostgreSQL: SMALLCRM_TEST_POSTGRES (.ci/run sets it)")
        marker = "postgres_only"
    for item in items:
        if marker in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def _postgres_template() -> Iterator[str | None]:
    """A migrated template database to copy per test (PostgreSQL runs only)."""
    if BACKEND != "postgresql":
        yield None
        return
    _admin(f"DROP DATABASE IF EXISTS {_TEMPLATE}")
    _admin(f"CREATE DATABASE {_TEMPLATE}")
    open_database(_server_url(_TEMPLATE)).close()
    yield _TEMPLATE
    _admin(f"DROP DATABASE IF EXISTS {_TEMPLATE} WITH (FORCE)")


@pytest.fixture
def new_database_url(_postgres_template: str | None, tmp_path: Path) -> Iterator[object]:
    """A factory of fresh database targets for this test: file paths, or PostgreSQL URLs."""
    made: list[str] = []

    def make(name: str) -> Path | str:
        if _postgres_template is None:
            return tmp_path / name
        database = f"t{os.getpid()}_{next(_numbers)}"
        _admin(f"CREATE DATABASE {database} TEMPLATE {_postgres_template}")
        made.append(database)
        return _server_url(database)

    yield make
    for database in made:
        _admin(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")


# Every test runs on Wednesday 2026-11-25 10:30 in the business zone UTC, whatever the machine's
# date and zone: a test that needs another day or zone sets its own.
FIXED_NOW = "2026-11-25T10:30:00+00:00"


@pytest.fixture(autouse=True)
def _isolated_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, new_database_url: object
) -> Iterator[None]:
    """Keep tests off the user's machine and its clock: data and config dirs, database, acting
    user, "now" and the business's time zone are fixed."""
    monkeypatch.setenv("SMALLCRM_DB", str(new_database_url("default.db")))  # type: ignore[operator]
    monkeypatch.setenv("SMALLCRM_USER", "tester")
    monkeypatch.setenv("SMALLCRM_PHONE_REGION", "DE")
    monkeypatch.setenv("SMALLCRM_TIMEZONE", "UTC")
    monkeypatch.setenv("SMALLCRM_NOW", FIXED_NOW)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_CONFIG_DIRS", str(tmp_path / "xdg-site"))
    monkeypatch.delenv("SMALLCRM_CONFIG", raising=False)
    settings.reload()
    yield
    clock.pin(None)
    settings.reload()


@pytest.fixture
def db_path(new_database_url: object) -> Path:
    """Where the test's database lives (a PostgreSQL URL string on PostgreSQL runs)."""
    return new_database_url("crm.db")  # type: ignore[operator,no-any-return]


@pytest.fixture
def db(db_path: Path) -> Iterator[Database]:
    """A fresh, migrated database."""
    database = open_database(db_path)
    yield database
    database.close()
