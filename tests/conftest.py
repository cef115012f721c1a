"""Shared fixtures: every test runs on its own database, never the user's.

Migrating a new database takes 0.5-0.9 s; copying a migrated one takes a few milliseconds. So
each test session (each pytest-xdist worker) migrates one template, and every database a test
asks for through ``new_database_url`` (and the ``db_path``/``db`` fixtures, and the default
``SMALLCRM_DB``) is a copy of it:

- SQLite: a file in ``tmp_path`` holding the template's bytes, created 0600 as the store creates
  its files. The template is checkpointed and closed first, so it has no ``-wal`` file and the
  copy is a complete database on its own.
- PostgreSQL (``SMALLCRM_TEST_POSTGRES`` set to a server URL; ``.ci/run`` starts a throwaway
  server and sets it): ``CREATE DATABASE ... TEMPLATE`` from a template migrated on that
  server; the default ``SMALLCRM_DB`` copy passes to the next test when nobody connected to
  it. Tests marked ``sqlite_only`` (file permissions, WAL, the FTS5 index, backups of the
  file) are skipped there, ``postgres_only`` ones on SQLite.

Tests about creating or migrating a database from nothing (first open, file permissions,
migrations, crash safety, foreign tables, ``init-shared``) do not take these copies: they open
a path of their own in ``tmp_path`` or an empty database of their own.
"""

from __future__ import annotations

import itertools
import os
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from smallcrm.store import clock, settings
from smallcrm.store.db import Database, open_database

POSTGRES_SERVER = os.environ.get("SMALLCRM_TEST_POSTGRES", "")
BACKEND = "postgresql" if POSTGRES_SERVER else "sqlite"
# Names unique per process: each pytest-xdist worker has its own template and databases.
_PREFIX = f"{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{os.getpid()}"
_TEMPLATE = f"smallcrm_template_{_PREFIX}"
_numbers = itertools.count(1)
_unopened_copies: list[str] = []  # copies of the template that no session ever connected to


def _build_once() -> None:
    """Let ``CliRunner.invoke`` build the shell's command tree once per process, as a real
    ``smallcrm`` process does: Typer builds it again from every command's signature on each
    invoke (``typing.get_type_hints`` of about a hundred commands, some 80 ms of CPU), which
    was most of what a shell test cost."""
    import typer.testing

    build = typer.testing._get_command
    built: dict[int, tuple[Any, Any]] = {}

    def command_once(app: Any) -> Any:
        if id(app) not in built:
            built[id(app)] = (app, build(app))  # the app kept, so its id is never reused
        return built[id(app)][1]

    typer.testing._get_command = command_once


_build_once()


def _parse_css_once() -> None:
    """Let every app of the process share the CSS Textual has parsed: each new ``App`` parses
    all of its widgets' CSS again (its parse cache lives on the app's own stylesheet, and keeps
    fewer sources than this app has), and the suite starts hundreds of apps, about a tenth of
    a screen test's CPU. Parsed rules are kept as Textual keys them, plus the theme's variables
    they were parsed with; Textual never changes a parsed rule set."""
    from textual.css.stylesheet import Stylesheet

    parse = Stylesheet._parse_rules
    parsed: dict[tuple[Any, ...], Any] = {}

    def parse_once(
        self: Stylesheet,
        css: str,
        read_from: Any,
        is_default_rules: bool = False,
        tie_breaker: int = 0,
        scope: str = "",
    ) -> Any:
        key = (css, read_from, is_default_rules, tie_breaker, scope, *self._variables.items())
        if key not in parsed:
            parsed[key] = parse(self, css, read_from, is_default_rules, tie_breaker, scope)
        return parsed[key]

    Stylesheet._parse_rules = parse_once  # type: ignore[method-assign]


_parse_css_once()


def _server_url(database: str) -> str:
    base = POSTGRES_SERVER.rsplit("/", 1)[0] if POSTGRES_SERVER.count("/") > 2 else POSTGRES_SERVER
    return f"{base}/{database}"


_admin_connection: list[Any] = []  # one per process, opened on first use


def _admin(sql: str, *params: object) -> Any:
    """Run one statement on the server's maintenance database, outside a transaction; its
    first row, if it has one.

    The connection is kept for the whole session: a new one per statement cost a server
    process start each time, several times per test."""
    import psycopg

    if not _admin_connection or _admin_connection[0].closed:
        conninfo = _server_url("postgres").replace("postgresql+psycopg://", "postgresql://")
        _admin_connection[:] = [psycopg.connect(conninfo, autocommit=True)]
    cursor = _admin_connection[0].execute(sql, params or None)
    return cursor.fetchone() if cursor.description else None


# Screen tests about drawing, keys, layout and help: what they ask of the database are the same
# store calls on both databases, and the store's and the shell's tests run those on PostgreSQL
# (the cases, slots, campaigns, saved filters, dashboard and today services each have their own
# store and shell tests on both). They run on SQLite only, which halves the PostgreSQL run. The
# screen tests of what differs between sessions and databases run on both: live refresh and
# conflicts between two sessions, imports from the app's worker thread, appointment times in
# zones (test_tui_live, test_tui_conflict, test_tui_import, test_tui_calendar_time), and
# test_rules and test_drafts.
DRAWING_ONLY = frozenset(
    {
        "test_snapshots_details", "test_snapshots_dialogs", "test_snapshots_forms",
        "test_snapshots_help", "test_snapshots_screens", "test_tui_app", "test_tui_breadcrumbs",
        "test_tui_calendar", "test_tui_campaigns", "test_tui_cases", "test_tui_contacts",
        "test_tui_dashboard", "test_tui_details", "test_tui_duplicates", "test_tui_first_run",
        "test_tui_help", "test_tui_history", "test_tui_layout", "test_tui_output_safety",
        "test_tui_pipeline", "test_tui_privacy", "test_tui_reminders", "test_tui_saved_filters",
        "test_tui_search", "test_tui_slots", "test_tui_snapshots", "test_tui_today",
        "test_tui_today_cases", "test_tui_unsaved", "test_tui_widgets",
    }
)  # fmt: skip
# Modules whose tests never open a database (parsers, dates, business time, layout checks): the
# PostgreSQL run would repeat them word for word.
NO_DATABASE = frozenset(
    {
        "test_business_time", "test_calendar_model", "test_cli_output", "test_dates",
        "test_folding", "test_io_shapes_fuzz", "test_layers", "test_recurrence_forward",
        "test_store_validation", "test_structure",
    }
)  # fmt: skip


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "sqlite_only: needs the SQLite file itself")
    config.addinivalue_line("markers", "postgres_only: needs a PostgreSQL server")
    config.addinivalue_line(
        "markers",
        "one_database: what it checks is the same on either database (a screen's drawing, the "
        "suite's own clock): runs on SQLite only",
    )


def pytest_report_header(config: pytest.Config) -> str:
    return f"smallcrm test database: {BACKEND}"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if BACKEND == "postgresql":
        skip = pytest.mark.skip(reason="SQLite-file test; this run is on PostgreSQL")
        marker = "sqlite_only"
    else:
        skip = pytest.mark.skip(reason="needs PostgreSQL: SMALLCRM_TEST_POSTGRES (.ci/run sets it)")
        marker = "postgres_only"
    drawing = pytest.mark.skip(reason="a screen's drawing and keys: run on SQLite")
    no_database = pytest.mark.skip(reason="opens no database: run on SQLite")
    either = pytest.mark.skip(reason="the same on either database: run on SQLite")
    for item in items:
        if marker in item.keywords:
            item.add_marker(skip)
        elif BACKEND == "postgresql" and item.path.stem in DRAWING_ONLY:
            item.add_marker(drawing)
        elif BACKEND == "postgresql" and item.path.stem in NO_DATABASE:
            item.add_marker(no_database)
        elif BACKEND == "postgresql" and "one_database" in item.keywords:
            item.add_marker(either)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """The bytes of a freshly migrated SQLite database, everything in the main file: written
    to a new file, they are a migrated, empty database (for module-wide databases too)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    open_database(path).close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()  # the last connection: SQLite removes the empty -wal and -shm files
    assert not Path(f"{path}-wal").exists(), "a copy of the template must not need a -wal file"
    return path.read_bytes()


@pytest.fixture(scope="session")
def _postgres_template() -> Iterator[str]:
    """The name of a migrated database on the test server, to copy per test."""
    _admin(f"DROP DATABASE IF EXISTS {_TEMPLATE}")
    _admin(f"CREATE DATABASE {_TEMPLATE}")
    open_database(_server_url(_TEMPLATE)).close()
    # Nobody may connect to it any more, autovacuum included: CREATE DATABASE ... TEMPLATE
    # waits while anyone is connected to the template.
    _admin(f"ALTER DATABASE {_TEMPLATE} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false")
    yield _TEMPLATE
    while _unopened_copies:
        _admin(f"DROP DATABASE IF EXISTS {_unopened_copies.pop()} WITH (FORCE)")
    _admin(f"ALTER DATABASE {_TEMPLATE} WITH IS_TEMPLATE false")
    _admin(f"DROP DATABASE IF EXISTS {_TEMPLATE} WITH (FORCE)")


def _copy_sqlite(template: bytes, path: Path) -> Path:
    """Write a copy of the template at ``path``, owner-only like every database file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    with os.fdopen(fd, "wb") as file:
        file.write(template)
    return path


@pytest.fixture
def new_sqlite_database(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[str], Path]:
    """A factory of migrated, empty SQLite files in ``tmp_path``, on either backend: for tests
    whose second database is a file by design (a copy, a restore, a migrate-to source)."""

    def make(name: str) -> Path:
        return _copy_sqlite(request.getfixturevalue("sqlite_template"), tmp_path / name)

    return make


def _postgres_copy(template: str) -> str:
    """A new database on the test server, copied from ``template``; its name."""
    database = f"t{_PREFIX}_{next(_numbers)}"
    _admin(f"CREATE DATABASE {database} TEMPLATE {template}{_copy_strategy()}")
    return database


_strategy: list[str] = []


def _copy_strategy() -> str:
    """``STRATEGY FILE_COPY`` on PostgreSQL 15 and later: the template is a few megabytes, and
    copying its files takes about two thirds of the time of logging every block (the default),
    a drop half; the checkpoint it costs is cheap with durability off. Older servers have one
    way only."""
    if not _strategy:
        version = int(_admin("SHOW server_version_num")[0])
        _strategy.append(" STRATEGY FILE_COPY" if version >= 150000 else "")
    return _strategy[0]


@pytest.fixture
def new_database_url(
    request: pytest.FixtureRequest, new_sqlite_database: Callable[[str], Path]
) -> Iterator[Callable[[str], Path | str]]:
    """A factory of migrated, empty databases for this test: SQLite files in ``tmp_path``, or
    PostgreSQL databases (their URLs). Each call (each name) is a database of its own."""
    made: list[str] = []

    def make(name: str) -> Path | str:
        if BACKEND == "sqlite":
            return new_sqlite_database(name)
        made.append(_postgres_copy(request.getfixturevalue("_postgres_template")))
        return _server_url(made[-1])

    yield make
    for database in made:
        _admin(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")


@pytest.fixture
def new_empty_database_url(tmp_path: Path) -> Iterator[Callable[[str], Path | str]]:
    """A factory of databases that do not exist yet or hold nothing, for tests of what a
    first open does: a path in ``tmp_path`` not yet created, or an empty PostgreSQL database
    (not from the template)."""
    made: list[str] = []

    def make(name: str) -> Path | str:
        if BACKEND == "sqlite":
            return tmp_path / name
        database = f"e{_PREFIX}_{next(_numbers)}"
        _admin(f"CREATE DATABASE {database}")
        made.append(database)
        return _server_url(database)

    yield make
    for database in made:
        _admin(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")


def _never_opened(database: str) -> bool:
    """Whether nobody ever connected to ``database``: none is connected now, and the server
    counts no session and no transaction there. A backend reports its counts before it leaves
    the list of connected ones, so a session that just ended is seen one way or the other."""
    counts = _admin(
        "SELECT numbackends, sessions, xact_commit + xact_rollback "
        "FROM pg_stat_database WHERE datname = %s",
        database,
    )
    return counts is not None and tuple(counts) == (0, 0, 0)


@pytest.fixture
def _default_database(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Path | str]:
    """The database ``SMALLCRM_DB`` names during the test: a fresh copy of the template.

    On PostgreSQL a copy that the test never connected to is handed to the next test instead
    of being dropped (it is still exactly the template): most tests never open it, and a
    CREATE and a DROP DATABASE per test cost the server more than many tests themselves."""
    if BACKEND == "sqlite":
        # Outside tmp_path, so a test that looks at what lies beside its own database there
        # sees only that.
        folder = tmp_path_factory.mktemp("default-database")
        yield _copy_sqlite(request.getfixturevalue("sqlite_template"), folder / "default.db")
        return
    template = request.getfixturevalue("_postgres_template")
    database = _unopened_copies.pop() if _unopened_copies else _postgres_copy(template)
    yield _server_url(database)
    if _never_opened(database):
        _unopened_copies.append(database)
    else:
        _admin(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")


# Every test runs on Wednesday 2026-11-25 10:30 in the business zone UTC, whatever the machine's
# date and zone: a test that needs another day or zone sets its own.
FIXED_NOW = "2026-11-25T10:30:00+00:00"


@pytest.fixture(autouse=True)
def _isolated_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, _default_database: Path | str
) -> Iterator[None]:
    """Keep tests off the user's machine and its clock: data and config dirs, database, acting
    user, "now" and the business's time zone are fixed."""
    monkeypatch.setenv("SMALLCRM_DB", str(_default_database))
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
def db_path(new_database_url: Callable[[str], Path | str]) -> Path:
    """The test's migrated, empty database: its file (a PostgreSQL URL string on PostgreSQL
    runs)."""
    return new_database_url("crm.db")  # type: ignore[return-value]


@pytest.fixture
def db(db_path: Path) -> Iterator[Database]:
    """The test's migrated, empty database, open."""
    database = open_database(db_path)
    yield database
    database.close()
