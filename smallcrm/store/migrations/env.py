"""Alembic environment: runs the migrations on the connection ``migrate.upgrade`` passes in."""

from __future__ import annotations

from alembic import context

from smallcrm.store.models import metadata

FTS_TABLES = ("search_fts",)


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Keep autogenerate away from the FTS5 index and its shadow tables."""
    if type_ == "table" and name is not None:
        return not name.startswith(FTS_TABLES)
    return True


def run() -> None:
    """Run pending migrations in the transaction the caller opened."""
    connection = context.config.attributes["connection"]
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=True,
        transactional_ddl=True,
        include_name=include_name,
        compare_type=True,
    )
    context.run_migrations()


run()
