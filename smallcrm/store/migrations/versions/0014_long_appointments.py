"""An index of the one-off appointments longer than two days, so that a day's appointments are
read from indexes alone.

A day (or week) view needs every appointment that overlaps it. One-offs starting at most two
days before the window come off the start-time index; those that began earlier and still run
(a trade fair, a holiday) are few, and this partial index lists exactly them. Without it the
query walked every appointment that started before the window's end: 100-150 ms at 100,000,
on every ``smallcrm today --brief`` at login. The index's condition is written per database and
``appointment_sql.LONG_SQL`` repeats it word for word, so that each planner sees the query implies it.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels = None
depends_on = None

# Keep in step with smallcrm.store.appointment_sql.LONG_SQL.
LONG_SQL = {
    "sqlite": "ends_at > datetime(starts_at, '+2 days')",
    "postgresql": "ends_at - starts_at > interval '2 days'",
}


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.execute(
        "CREATE INDEX ix_appointment_long_one_offs ON appointment (starts_at) "
        f"WHERE deleted_at IS NULL AND rrule IS NULL AND {LONG_SQL[dialect]}"
    )


def downgrade() -> None:
    op.execute("DROP INDEX ix_appointment_long_one_offs")
