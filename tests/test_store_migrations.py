"""Migrations: the migrated schema matches the models, FTS is in place, failures change nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from smallcrm.store import migrate
from smallcrm.store.db import Database, open_database


def test_migrated_schema_matches_models(db: Database) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from smallcrm.store.migrate import include_name
    from smallcrm.store.models import metadata

    engine = migrate.make_engine(db.url)
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"include_name": include_name, "compare_type": True}
        )
        diff = compare_metadata(context, metadata)
    engine.dispose()
    assert diff == []


def _exists(db: Database, name: str) -> bool:
    """Whether a table (or index) called ``name`` exists, on either database."""
    with db.read() as tx:
        if db.dialect == "sqlite":
            return bool(tx.scalar("SELECT count(*) FROM sqlite_master WHERE name = :n", n=name))
        return bool(tx.scalar("SELECT to_regclass(:n) IS NOT NULL", n=name))


def test_search_index_and_triggers_exist(db: Database) -> None:
    with db.read() as tx:
        if db.dialect == "sqlite":
            names = {r[0] for r in tx.all("SELECT name FROM sqlite_master")}
            wanted = {"search_fts", "contact_search_insert", "account_search_rename"}
        else:
            names = {r[0] for r in tx.all("SELECT tgname FROM pg_trigger")}
            names |= {r[0] for r in tx.all("SELECT indexname FROM pg_indexes")}
            wanted = {"contact_search", "ix_search_doc_vector"}
    assert wanted <= names
    assert _exists(db, "search_doc")


def test_default_pipeline_stages(db: Database) -> None:
    from smallcrm.store.opportunities import stages

    assert [(s.name, s.probability) for s in stages(db)] == [
        ("lead", 10),
        ("qualified", 25),
        ("proposal", 50),
        ("negotiation", 75),
        ("won", 100),
        ("lost", 0),
    ]


def _scripts_with_failing_step(tmp_path: Path, revision: str, down: str | None) -> Path:
    scripts = tmp_path / "migrations"
    shutil.copytree(migrate.MIGRATIONS_DIR, scripts)
    (scripts / "versions" / f"{revision}_broken.py").write_text(
        f'"""Broken."""\nimport sqlalchemy as sa\nfrom alembic import op\n'
        f"revision = {revision!r}\ndown_revision = {down!r}\n"
        "branch_labels = None\ndepends_on = None\n\n"
        "def upgrade():\n"
        "    op.create_table('half_done', sa.Column('id', sa.Integer, primary_key=True))\n"
        "    op.execute(\"UPDATE stage SET probability = 99 WHERE name = 'lead'\")\n"
        "    raise RuntimeError('migration failed half way')\n"
    )
    return scripts


def test_failed_migration_leaves_database_as_it_was(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from smallcrm.store.migrations import HEAD_REVISION

    scripts = _scripts_with_failing_step(tmp_path, "9999", HEAD_REVISION)
    monkeypatch.setattr(migrate, "MIGRATIONS_DIR", scripts)
    with pytest.raises(RuntimeError, match="half way"):
        migrate.upgrade(db.url)
    assert db.schema_revision() == HEAD_REVISION
    assert not _exists(db, "half_done")
    with db.read() as tx:
        assert tx.scalar("SELECT probability FROM stage WHERE name = 'lead'") == 10


@pytest.mark.sqlite_only  # tests/test_postgres.py has the PostgreSQL twin
def test_failed_first_migration_leaves_empty_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from smallcrm.store.migrations import HEAD_REVISION

    # The failing step comes after every real one: a fresh database runs them all, then fails.
    scripts = _scripts_with_failing_step(tmp_path, "9998", HEAD_REVISION)
    monkeypatch.setattr(migrate, "MIGRATIONS_DIR", scripts)
    monkeypatch.setattr("smallcrm.store.migrations.HEAD_REVISION", "9998")
    with pytest.raises(RuntimeError):
        open_database(tmp_path / "fresh.db")
    database = Database(f"sqlite:///{tmp_path / 'fresh.db'}", migrate=False)
    assert database.schema_revision() is None
    with database.read() as tx:
        assert tx.scalar("SELECT count(*) FROM sqlite_master WHERE type = 'table'") == 0
    database.close()


def test_downgrade_to_base_and_up_again(db: Database) -> None:
    from alembic import command

    engine = migrate.make_engine(db.url)
    with engine.begin() as connection:
        command.downgrade(migrate.alembic_config(connection), "base")
    engine.dispose()
    assert not _exists(db, "contact")
    migrate.upgrade(db.url)
    from smallcrm.store.search import check_index

    assert check_index(db)
