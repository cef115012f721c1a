"""Applying the Alembic migrations: all of them in one transaction, or none.

Only imported when a database is behind the newest revision (Alembic and SQLAlchemy are heavy).
SQLite runs the whole upgrade inside one ``BEGIN IMMEDIATE`` so that a failing step rolls back
every step (pysqlite's default transaction handling left such an upgrade half applied); on
PostgreSQL an advisory lock serialises processes that start at the same moment.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from smallcrm.store.errors import StoreError

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
_PG_LOCK_KEY = 72_410_301  # any constant shared by every smallcrm process
# SQLite's FTS5 tables and the data its fold reads (migration 0007): derived, not the models'.
FTS_TABLES = ("search_fts", "fold_char", "fold_pos")
# PostgreSQL's search index (migrations 0005, 0007, 0013, 0021): generated columns and indexes on
# search_doc that the models leave out, as they leave out SQLite's FTS5 tables.
PG_SEARCH_COLUMNS = ("search_vector", "parts_folded")
PG_SEARCH_INDEXES = (
    "ix_search_doc_vector",
    "ix_search_doc_title_trgm",
    "ix_search_doc_parts_trgm",
    "ix_search_doc_parts_folded_trgm",
    *(f"ix_search_doc_vector_{code}" for code in range(1, 8)),  # one per kind (0021)
    "ix_search_doc_parts_1",
    "ix_search_doc_parts_2",
)


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Keep autogenerate away from the search indexes: FTS5's tables, PostgreSQL's tsvector."""
    if name is None:
        return True
    if type_ == "table":  # the count changes are PostgreSQL's own (see revision 0022)
        return not name.startswith(FTS_TABLES) and name != "record_count_change"
    if type_ == "column":
        return name not in PG_SEARCH_COLUMNS
    if type_ == "index":
        return name not in PG_SEARCH_INDEXES
    return True


def make_engine(url: str) -> Any:
    """A SQLAlchemy engine with smallcrm's transaction recipe (used by migrations and tools)."""
    from sqlalchemy import create_engine, event

    if not url.startswith("sqlite"):
        from smallcrm.store.urls import postgres_conninfo

        # SQLAlchemy gets no URL to parse: psycopg connects with the libpq URL the store checked
        # and opened already, so the two cannot read a password differently, and SQLAlchemy's
        # "could not parse" errors (which quote the URL, password and all) cannot happen.
        conninfo = postgres_conninfo(url)

        def connect() -> Any:
            import psycopg

            return psycopg.connect(conninfo)

        return create_engine("postgresql+psycopg://", creator=connect)
    engine = create_engine(url)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        dbapi_connection.execute("PRAGMA busy_timeout = 5000")
        dbapi_connection.execute("PRAGMA foreign_keys = OFF")  # batch rebuilds copy tables

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def alembic_config(connection: Any = None) -> Any:
    """Alembic's configuration pointing at the migrations inside the package."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Upgrade the database at ``url`` to ``revision`` atomically."""
    from alembic import command
    from sqlalchemy import text

    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            if engine.dialect.name == "postgresql":
                connection.execute(text(f"SELECT pg_advisory_xact_lock({_PG_LOCK_KEY})"))
            command.upgrade(alembic_config(connection), revision)
    finally:
        engine.dispose()


def head_revision() -> str:
    """The newest revision among the migration scripts."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise StoreError("the migration scripts are missing from this installation")
    return head
