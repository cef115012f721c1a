"""Free slots offered to customers: offers and their tentative holds.

- ``slot_offer``: who it is for, whose calendar, what and where, the language of its text,
  its status (open, booked, withdrawn) and when its holds lapse by themselves.
- ``slot_hold``: up to three times per offer, numbered as the customer reads them.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels = None
depends_on = None


def _when(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "slot_offer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("owner", sa.String(length=120), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("location", sa.String(length=300), nullable=True),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        _when("expires_at"),
        sa.Column("appointment_id", sa.Integer(), nullable=True),
        _when("created_at"),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        _when("updated_at"),
        sa.ForeignKeyConstraint(["contact_id"], ["contact.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["appointment_id"], ["appointment.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_slot_offer_contact_id", "slot_offer", ["contact_id"])
    op.create_table(
        "slot_hold",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("choice", sa.Integer(), nullable=False),
        _when("starts_at"),
        _when("ends_at"),
        sa.ForeignKeyConstraint(["offer_id"], ["slot_offer.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_slot_hold_offer_id", "slot_hold", ["offer_id"])
    op.create_index("ix_slot_hold_starts_at", "slot_hold", ["starts_at"])


def downgrade() -> None:
    op.drop_table("slot_hold")
    op.drop_table("slot_offer")
