"""A stamp per kind that changes with every change to the order of its live records.

Deep list pages read from remembered places in the sort order (``store/positions.py``); those
places are exact only while no live record of the kind was added, removed, trashed, restored
or had a sorted column changed. ``record_count.stamp`` is replaced, in the same transaction as
every such change and by whichever session makes it, with a value never used before: a reader
compares it, in the page's own snapshot, with the stamp its places were found at.

- SQLite: the count triggers of the listed kinds also set ``stamp = random()`` (the same UPDATE
  of the same row, so an import pays nothing more), and a trigger on an update of a sorted
  column of a live record sets it too.
- PostgreSQL: the fold that adds each transaction's logged count changes to ``record_count`` at
  COMMIT (revision 0022) sets ``stamp`` to that transaction's id for every kind it logged a
  change for, even one that adds up to zero; an update that changed a sorted column of a live
  record logs a change of zero, once per statement.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels = None
depends_on = None

# The listed kinds and the columns their sorts read (each kind's SORTS; a test checks them).
SORTED = {
    "contact": "sort_name first_key account_key city_key owner_key updated_at created_at",
    "interaction": "happened_at kind subject_key contact_key account_key follow_up_on",
    "opportunity": (
        "sort_name account_key stage_position amount_cents probability expected_close "
        "owner_key updated_at"
    ),
    "appointment": "starts_at title_key location_key",
}

_TRASH = "CASE WHEN new.deleted_at IS NULL THEN 1 ELSE -1 END"


def _sqlite_count_triggers(kind: str, stamp: bool) -> list[str]:
    also = ", stamp = random()" if stamp else ""
    change = f"UPDATE record_count SET live = live + ({{delta}}){also} WHERE kind = '{kind}';"
    return [
        f"CREATE TRIGGER {kind}_count_insert AFTER INSERT ON {kind} "
        f"WHEN new.deleted_at IS NULL BEGIN {change.format(delta=1)} END",
        f"CREATE TRIGGER {kind}_count_delete AFTER DELETE ON {kind} "
        f"WHEN old.deleted_at IS NULL BEGIN {change.format(delta=-1)} END",
        f"CREATE TRIGGER {kind}_count_trash AFTER UPDATE OF deleted_at ON {kind} "
        f"WHEN (old.deleted_at IS NULL) <> (new.deleted_at IS NULL) BEGIN "
        f"{change.format(delta=_TRASH)} END",
    ]


def _sqlite_sort_trigger(kind: str) -> str:
    columns = SORTED[kind].split()
    changed = " OR ".join(f"old.{c} IS NOT new.{c}" for c in columns)
    return (
        f"CREATE TRIGGER {kind}_sort_stamp AFTER UPDATE OF {', '.join(columns)} ON {kind} "
        f"WHEN old.deleted_at IS NULL AND new.deleted_at IS NULL AND ({changed}) "
        f"BEGIN UPDATE record_count SET stamp = random() WHERE kind = '{kind}'; END"
    )


def _fold_function(stamp: bool) -> str:
    also = ", stamp = txid_current()" if stamp else ""
    only_changed = "" if stamp else " WHERE delta <> 0"
    return f"""
CREATE OR REPLACE FUNCTION smallcrm_fold_counts() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    kinds varchar[];
    deltas bigint[];
BEGIN
    IF current_setting('smallcrm.folded', true) = txid_current()::text THEN
        RETURN NULL;  -- a later change row of a transaction this call has folded already
    END IF;
    PERFORM set_config('smallcrm.folded', txid_current()::text, true);
    WITH gone AS (
        DELETE FROM record_count_change WHERE txid = txid_current() RETURNING kind, delta
    ), sums AS (
        SELECT kind, sum(delta) AS delta FROM gone GROUP BY kind
    )
    SELECT array_agg(kind ORDER BY kind), array_agg(delta ORDER BY kind)
    INTO kinds, deltas FROM sums{only_changed};
    FOR i IN 1 .. coalesce(array_length(kinds, 1), 0) LOOP
        UPDATE record_count SET live = live + deltas[i]{also} WHERE kind = kinds[i];
    END LOOP;
    RETURN NULL;
END $$
"""


def _pg_sort_stamp(kind: str) -> list[str]:
    """An update that changed a sorted column of a live record logs a change of zero, once per
    statement. Not "UPDATE OF" the columns: the sort keys are set by BEFORE triggers, and
    PostgreSQL fires an "UPDATE OF" trigger only for a column the statement itself sets."""
    changed = " OR ".join(f"o.{c} IS DISTINCT FROM n.{c}" for c in SORTED[kind].split())
    return [
        f"CREATE FUNCTION smallcrm_sort_stamp_{kind}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        "BEGIN\n"
        "    INSERT INTO record_count_change (kind, delta) SELECT TG_TABLE_NAME, 0\n"
        "    WHERE EXISTS (SELECT 1 FROM old_rows o JOIN new_rows n ON n.id = o.id\n"
        f"        WHERE o.deleted_at IS NULL AND n.deleted_at IS NULL AND ({changed}));\n"
        "    RETURN NULL;\n"
        "END $$",
        f"CREATE TRIGGER {kind}_sort_stamp AFTER UPDATE ON {kind} "
        "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT "
        f"EXECUTE FUNCTION smallcrm_sort_stamp_{kind}()",
    ]


def upgrade() -> None:
    op.add_column(
        "record_count", sa.Column("stamp", sa.BigInteger(), nullable=False, server_default="0")
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_fold_function(stamp=True))
        for kind in SORTED:
            for statement in _pg_sort_stamp(kind):
                op.execute(statement)
        return
    for kind in SORTED:
        for event in ("insert", "delete", "trash"):
            op.execute(f"DROP TRIGGER IF EXISTS {kind}_count_{event}")
        for statement in [*_sqlite_count_triggers(kind, stamp=True), _sqlite_sort_trigger(kind)]:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for kind in SORTED:
            op.execute(f"DROP TRIGGER IF EXISTS {kind}_sort_stamp ON {kind}")
            op.execute(f"DROP FUNCTION IF EXISTS smallcrm_sort_stamp_{kind}()")
        op.execute(_fold_function(stamp=False))
    else:
        for kind in SORTED:
            op.execute(f"DROP TRIGGER IF EXISTS {kind}_sort_stamp")
            for event in ("insert", "delete", "trash"):
                op.execute(f"DROP TRIGGER IF EXISTS {kind}_count_{event}")
            for statement in _sqlite_count_triggers(kind, stamp=False):
                op.execute(statement)
    # Not a batch copy of the table: the count triggers of the other kinds name it.
    op.execute("ALTER TABLE record_count DROP COLUMN stamp")
