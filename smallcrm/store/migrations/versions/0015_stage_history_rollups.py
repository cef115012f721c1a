"""Deals' stage history and the dashboard's roll-ups, kept by triggers (``models_history.py``).

- ``stage_change``: one row per stage a deal entered. Backfilled from the audit trail, which
  holds every creation's stage and every change's old and new stage; a deal the trail knows
  nothing of (imported before it existed) gets one row: its stage since its creation.
- ``activity_day`` and ``contact_touch``: built from the live interactions.
- Triggers on both databases (``store/rollups.py``) keep all three in the transaction of every
  change, whichever path makes it.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

from smallcrm.store import rollups

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels = None
depends_on = None

BATCH = 2000


def _run(statement: str) -> None:
    """Run DDL as written: no bind-parameter parsing of its colons."""
    op.get_bind().exec_driver_sql(statement)


def _tables() -> None:
    stamp = sa.DateTime(timezone=True)
    op.create_table(
        "stage_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("opportunity_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=40), nullable=False),
        sa.Column("changed_at", stamp, nullable=False),
        sa.Column("changed_by", sa.String(length=120), nullable=False),
        sa.Column("left_at", stamp, nullable=True),
        sa.ForeignKeyConstraint(["opportunity_id"], ["opportunity.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_stage_change_deal",
        "stage_change",
        ["opportunity_id", "changed_at", "left_at", "stage"],
    )
    op.create_index("ix_stage_change_at", "stage_change", ["changed_at"])
    op.create_table(
        "activity_day",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("person", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "person", "kind"),
    )
    op.create_table(
        "contact_touch",
        sa.Column("contact_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_at", stamp, nullable=False),
        sa.PrimaryKeyConstraint("contact_id"),
    )
    op.create_index("ix_contact_touch_last", "contact_touch", ["last_at"])


def _figure_indexes() -> None:
    """Indexes covering the figures' queries (see models_history.py)."""
    live = "deleted_at IS NULL"
    for name, table, columns, where in (
        (
            "ix_opportunity_figures",
            "opportunity",
            "stage, currency, owner, expected_close, amount_cents, probability",
            live,
        ),
        (
            "ix_opportunity_forecast",
            "opportunity",
            "expected_close, stage, currency, owner, amount_cents, probability",
            f"{live} AND expected_close IS NOT NULL",
        ),
        (
            "ix_opportunity_closed",
            "opportunity",
            "closed_on, stage, owner, created_at",
            f"{live} AND closed_on IS NOT NULL",
        ),
        ("ix_opportunity_created", "opportunity", "created_at, stage, owner", live),
        ("ix_contact_figures", "contact", "owner, created_at", live),
        ("ix_contact_method_contact_kind", "contact_method", "contact_id, kind", ""),
        ("ix_contact_method_shared", "contact_method", "kind, value, contact_id", ""),
    ):
        if where:  # deleted_at too: SQLite reads it to check the condition again
            columns += ", deleted_at"
        _run(f"CREATE INDEX {name} ON {table} ({columns})" + (f" WHERE {where}" if where else ""))


def _backfill_stages(bind: Any) -> None:
    audit = bind.execute(
        sa.text(
            "SELECT record_id, at, actor, changes FROM audit_entry WHERE kind = 'opportunity' "
            "AND changes LIKE '%\"stage\"%' ORDER BY id"
        )
    ).fetchall()
    deals = bind.execute(
        sa.text("SELECT id, stage, created_at, created_by, updated_at, updated_by FROM opportunity")
    ).fetchall()
    insert = sa.text(
        "INSERT INTO stage_change (opportunity_id, stage, changed_at, changed_by, left_at) "
        "VALUES (:opportunity_id, :stage, :changed_at, :changed_by, :left_at)"
    )
    rows = rollups.stage_steps(audit, deals)
    for start in range(0, len(rows), BATCH):
        bind.execute(insert, rows[start : start + BATCH])


def upgrade() -> None:
    bind = op.get_bind()
    _tables()
    _figure_indexes()
    _backfill_stages(bind)
    day = rollups.activity_select(bind.dialect.name)
    _run(f"INSERT INTO activity_day (day, person, kind, n) {day}")
    _run(f"INSERT INTO contact_touch (contact_id, last_at) {rollups.TOUCH_SELECT}")
    statements = (
        rollups.PG_FUNCTIONS if bind.dialect.name == "postgresql" else rollups.SQLITE_TRIGGERS
    )
    for statement in statements:
        _run(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _run("DROP TRIGGER IF EXISTS opportunity_stage_change ON opportunity")
        _run("DROP TRIGGER IF EXISTS interaction_rollups ON interaction")
        for name in ("smallcrm_stage_change()", "smallcrm_interaction_rollups()"):
            _run(f"DROP FUNCTION IF EXISTS {name}")
        _run("DROP FUNCTION IF EXISTS smallcrm_touch(integer)")
    else:
        for name in rollups.SQLITE_TRIGGER_NAMES:
            _run(f"DROP TRIGGER IF EXISTS {name}")
    for table in ("contact_touch", "activity_day", "stage_change"):
        op.drop_table(table)
    for name in (
        "ix_opportunity_figures",
        "ix_opportunity_forecast",
        "ix_opportunity_closed",
        "ix_opportunity_created",
        "ix_contact_figures",
        "ix_contact_method_contact_kind",
        "ix_contact_method_shared",
    ):
        _run(f"DROP INDEX IF EXISTS {name}")
