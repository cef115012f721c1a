"""Search prefix index for 1-6 letters; indexes that keep the contact list fast at 100k contacts.

Measured with benchmarks/store_bench.py at 100,000 contacts and 1,000,000 interactions:

- ``search_fts`` had a prefix index for 1-3 letters only, so a 4-6 letter prefix ("jane",
  "smith") made FTS5 merge the doclists of every matching term in the whole index for each kind
  searched: 0.3-2 ms per kind. With prefixes up to 6 letters it is one lookup (about 0.02 ms);
  the index grows by about 45 %.
- The contact list sorted by name counted live contacts with a scan of the table (11 ms) and
  skipped to a deep page through table rows (270 ms at offset 89,000). A partial index of live
  contacts by name makes the skip index-only (under 4 ms); a partial index of the trash makes the
  count "all rows minus those in the trash" (0.02 ms).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels = None
depends_on = None

_FTS = (
    "CREATE VIRTUAL TABLE search_fts USING fts5(title, detail, content='search_doc', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 2', prefix='{prefix}')"
)


def _recreate_search_index(prefix: str) -> None:
    """Drop and refill the FTS5 index; its triggers live on search_doc and stay in place."""
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("DROP TABLE search_fts")
    op.execute(_FTS.format(prefix=prefix))
    op.execute("INSERT INTO search_fts(search_fts) VALUES ('rebuild')")


def upgrade() -> None:
    _recreate_search_index("1 2 3 4 5 6")
    # Plain CREATE INDEX, not a batch rebuild: a rebuilt table would lose its search triggers.
    op.create_index(
        "ix_contact_live_name",
        "contact",
        ["last_name", "first_name", "id"],
        unique=False,
        sqlite_where=sa.text("deleted_at IS NULL"),
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    # Only the trash, so no "deleted_at IS NULL" query is tempted to use it instead of the
    # name index (without ANALYZE statistics the planner took it and sorted 100,000 rows).
    op.create_index(
        "ix_contact_trashed",
        "contact",
        ["deleted_at"],
        unique=False,
        sqlite_where=sa.text("deleted_at IS NOT NULL"),
        postgresql_where=sa.text("deleted_at IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_contact_trashed", table_name="contact")
    op.drop_index("ix_contact_live_name", table_name="contact")
    _recreate_search_index("1 2 3")
