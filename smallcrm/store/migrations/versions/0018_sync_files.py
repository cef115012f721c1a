"""What ``smallcrm sync`` wrote to a folder served to phones: one row per file (its record, the
record's version, the sha256 of what was written, its size and time, and the lines of a phone's
card that smallcrm has no field for); ``sync_text`` keeps the text written, what a phone's edit
is merged from when the record changed in the CRM as well.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sync_file",
        sa.Column("folder", sa.String(length=1000), nullable=False),
        sa.Column("collection", sa.String(length=20), nullable=False),
        sa.Column("href", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("mtime_ns", sa.BigInteger(), nullable=False),
        sa.Column("extra", sa.Text(), nullable=True),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("folder", "collection", "href"),
    )
    op.create_index("ix_sync_file_record", "sync_file", ["folder", "kind", "record_id"])
    op.create_table(
        "sync_text",
        sa.Column("folder", sa.String(length=1000), nullable=False),
        sa.Column("collection", sa.String(length=20), nullable=False),
        sa.Column("href", sa.String(length=300), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("folder", "collection", "href"),
    )


def downgrade() -> None:
    op.drop_table("sync_text")
    op.drop_index("ix_sync_file_record", table_name="sync_file")
    op.drop_table("sync_file")
