"""Alembic environment: runs the migrations on the connection ``migrate.upgrade`` passes in."""

from __future__ import annotations

from alembic import context

from smallcrm.store.migrate import include_name
from smallcrm.store.models import metadata


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
