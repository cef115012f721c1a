"""SQLite's search views, rewritten so that flattening them does not blow statements up.

The steps of ``search_text`` each named the previous step's text twice, so every statement that
writes a record (through the search triggers, which read the view) held 2^11 copies of it and
took about a quarter of a second to prepare, in every new process and connection. The new steps
give the same text, so the search index stays as it is.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

from smallcrm.store import folding_sql as fs

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels = None
depends_on = None


def _rebuild_views() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return  # PostgreSQL folds with functions, not views
    for view in fs.sqlite_view_names("search_text"):
        op.execute(f"DROP VIEW IF EXISTS {view}")
    for statement in fs.sqlite_detail_views("search_doc", "search_text"):
        op.execute(statement)


def upgrade() -> None:
    _rebuild_views()


def downgrade() -> None:
    # The old steps gave the same text, only slower: the new ones serve 0010 as well.
    _rebuild_views()
