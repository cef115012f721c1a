"""Reminders: which were delivered (per occurrence, user and channel), and snoozes and dones.

- ``reminder_delivery``: one row per reminder round (a reminder's due time; a snooze starts a
  new round), occurrence, user and channel. Its unique key is what makes delivery happen once
  when many ``smallcrm remind --due`` run at the same moment: a process claims a row under the
  write lock before it runs the delivery command, marks it delivered afterwards, and removes
  its claim when the command failed. Missed reminders that are too old are kept as ``dropped``.
- ``reminder_state``: a user's snooze or "done" for one occurrence of a reminder.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels = None
depends_on = None


def _key_columns() -> list[sa.Column]:
    return [
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("occurrence", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("user_name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "reminder_delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        *_key_columns(),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "kind",
            "record_id",
            "occurrence",
            "user_name",
            "channel",
            "due_at",
            name="uq_reminder_delivery",
        ),
    )
    op.create_table(
        "reminder_state",
        sa.Column("id", sa.Integer(), nullable=False),
        *_key_columns(),
        sa.Column("snoozed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "kind", "record_id", "occurrence", "user_name", name="uq_reminder_state"
        ),
    )


def downgrade() -> None:
    op.drop_table("reminder_state")
    op.drop_table("reminder_delivery")
