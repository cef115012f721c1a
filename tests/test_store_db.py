"""The database layer: files, URLs, pragmas, migrations and transactions."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest

from smallcrm.store import db as dbmod
from smallcrm.store.db import Database, open_database, resolve_url
from smallcrm.store.errors import StoreError
from smallcrm.store.migrations import HEAD_REVISION


@pytest.mark.sqlite_only
def test_new_database_file_is_private(tmp_path: Path) -> None:
    db_path = tmp_path / "new.db"  # made here, not copied from the tests' template
    os.umask(0o022)
    database = open_database(db_path)
    database.close()
    assert stat.S_IMODE(db_path.stat().st_mode) == 0o600


@pytest.mark.sqlite_only  # tests/test_postgres.py checks lock_timeout
def test_pragmas_wal_foreign_keys_busy_timeout(db: Database) -> None:
    with db.read() as tx:
        assert tx.scalar("PRAGMA journal_mode") == "wal"
        assert tx.scalar("PRAGMA foreign_keys") == 1
        assert tx.scalar("PRAGMA busy_timeout") == dbmod.BUSY_TIMEOUT_MS


def test_resolve_url_path_env_and_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert resolve_url(tmp_path / "a.db") == f"sqlite:///{tmp_path / 'a.db'}"
    monkeypatch.setenv("SMALLCRM_DB", str(tmp_path / "env.db"))
    assert resolve_url(None) == f"sqlite:///{tmp_path / 'env.db'}"
    url = "postgresql+psycopg://crm@localhost/crm"
    assert resolve_url(url) == url
    monkeypatch.delenv("SMALLCRM_DB")
    assert resolve_url(None).endswith("/smallcrm/smallcrm.db")
    assert str(tmp_path / "xdg-data") in resolve_url(None)


def test_postgresql_url_is_accepted_by_the_design() -> None:
    database = Database.__new__(Database)
    database.url = "postgresql+psycopg://crm@localhost/crm"
    assert dbmod.sqlite_path(database.url) is None


def test_no_engine_or_connection_at_import() -> None:
    import importlib

    module = importlib.reload(dbmod)
    assert not [name for name in vars(module) if name.endswith(("engine", "_conn"))]


def test_open_migrates_to_head(db: Database) -> None:
    assert db.schema_revision() == HEAD_REVISION


def test_head_constant_matches_migration_scripts() -> None:
    from smallcrm.store.migrate import head_revision

    assert head_revision() == HEAD_REVISION


def test_reopen_does_not_import_alembic(db_path: Path) -> None:
    import subprocess
    import sys

    open_database(db_path).close()
    code = (
        "import sys; from smallcrm.store.db import open_database; "
        f"open_database({str(db_path)!r}); "
        "print(sorted(m for m in ('alembic', 'sqlalchemy', 'sqlmodel', 'pydantic', 'textual') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_write_rolls_back_on_error(db: Database) -> None:
    with pytest.raises(RuntimeError), db.write() as tx:
        tx.execute("INSERT INTO setting (key, value) VALUES ('a', 'b')")
        raise RuntimeError("boom")
    with db.read() as tx:
        assert tx.scalar("SELECT count(*) FROM setting") == 0


def test_busy_database_gives_clear_error(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from smallcrm.store.errors import DatabaseBusyError

    first = open_database(db_path)
    second = open_database(db_path)
    if second.dialect == "sqlite":
        second._conn.execute("PRAGMA busy_timeout = 50")
    else:
        second._conn.execute("SET lock_timeout = 50")
    with first.write(), pytest.raises(DatabaseBusyError, match="try again"):
        with second.write():
            pass
    first.close()
    second.close()


def test_naive_datetimes_are_refused(db: Database) -> None:
    from datetime import datetime

    from smallcrm.store.errors import StoreError

    with pytest.raises(StoreError, match="naive"), db.write() as tx:
        tx.execute("INSERT INTO setting (key, value) VALUES ('k', :v)", v=datetime(2026, 1, 1))


def test_unsupported_database_url_is_refused(tmp_path: Path) -> None:
    from smallcrm.store.errors import ValidationError

    with pytest.raises(ValidationError, match="not supported") as err:
        open_database("mysql://crm@localhost/crm")
    assert err.value.field == "db"


def test_another_programs_database_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "photos.db"
    with sqlite3.connect(path) as other:
        other.execute("CREATE TABLE album (id INTEGER PRIMARY KEY, title TEXT)")
    with pytest.raises(StoreError, match=r"photos\.db is not a smallcrm database.*\(album\)"):
        open_database(path)
    with sqlite3.connect(path) as other:
        tables = [r[0] for r in other.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    assert tables == ["album"]


def test_an_empty_file_becomes_a_smallcrm_database(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    path.touch()
    database = open_database(path)
    assert database.schema_revision() == HEAD_REVISION
    database.close()
