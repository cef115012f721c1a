"""Indexes for the month-end pipeline (``ix_stage_change_open``, ``ix_opportunity_live_amount``)
and the data-quality roll-up (``contact_quality``, ``store/rollups_quality.py``): one row per live contact with its
owner, when it was added, its latest live interaction, how many email addresses and phone
numbers it has and whether another contact shares one of its addresses, built from the
records and then kept by triggers on ``contact``, ``contact_method`` and ``contact_touch`` on
both databases.

PostgreSQL: the search triggers find a record by its id "and it is live"; before the first
statistics of a table (a new database, an import's first minutes) the planner read that through
an index of the live records and walked all of them for each row, 2 ms per contact shown by an
import, which kept others waiting over 5 s per 2,000 contacts. The test of liveness is written
so that no index of live records matches it, and the row is found by its key.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from smallcrm.store import rollups_quality as q

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels = None
depends_on = None


def _run(statement: str) -> None:
    """Run DDL as written: no bind-parameter parsing of its colons."""
    op.get_bind().exec_driver_sql(statement)


# How the search triggers test that a record is live, before and after.
_LIVE = " AND r.deleted_at IS NULL"
_LIVE_BY_KEY = " AND (r.deleted_at IS NULL) IS TRUE"


def _search_lookups(old: str, new: str) -> None:
    """PostgreSQL: rewrite the search trigger functions' test of liveness ``old`` as ``new``."""
    found = op.get_bind().exec_driver_sql(
        "SELECT pg_get_functiondef(p.oid) FROM pg_proc p "
        "WHERE left(p.proname, 16) = 'smallcrm_search_' AND p.prorettype = 'trigger'::regtype"
    )
    for (source,) in found.all():
        if old in source:
            _run(source.replace(old, new))


def upgrade() -> None:
    stamp = sa.DateTime(timezone=True)
    op.create_table(
        q.TABLE,
        sa.Column("contact_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("owner", sa.String(length=120), nullable=True),
        sa.Column("created_at", stamp, nullable=False),
        sa.Column("last_at", stamp, nullable=True),
        sa.Column("emails", sa.Integer(), nullable=False),
        sa.Column("phones", sa.Integer(), nullable=False),
        sa.Column("shared", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("contact_id"),
    )
    op.create_index(
        "ix_contact_quality_owner",
        q.TABLE,
        ["owner", "created_at", "last_at", "emails", "phones", "shared"],
    )
    # The month-end pipeline reads the rows of the open stages through this index.
    op.create_index(
        "ix_stage_change_open", "stage_change", ["stage", "left_at", "changed_at", "opportunity_id"]
    )
    live = sa.text("deleted_at IS NULL")
    op.create_index(
        "ix_opportunity_live_amount",
        "opportunity",
        ["id", "currency", "amount_cents", "deleted_at"],
        sqlite_where=live,
        postgresql_where=live,
    )
    _run(f"INSERT INTO {q.TABLE} ({q.COLUMNS}) {q.QUALITY_SELECT}")
    postgresql = op.get_bind().dialect.name == "postgresql"
    for statement in q.PG_FUNCTIONS if postgresql else q.SQLITE_TRIGGERS:
        _run(statement)
    if postgresql:
        _search_lookups(_LIVE, _LIVE_BY_KEY)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _search_lookups(_LIVE_BY_KEY, _LIVE)
        for statement in q.PG_DROPS:
            _run(statement)
    else:
        for name in q.SQLITE_TRIGGER_NAMES:
            _run(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table(q.TABLE)
    op.drop_index("ix_stage_change_open", "stage_change")
    op.drop_index("ix_opportunity_live_amount", "opportunity")
