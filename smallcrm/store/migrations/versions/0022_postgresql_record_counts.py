"""PostgreSQL: live record counts without a hot counter row (SQLite: no change).

Every list page on PostgreSQL counted the kind's live rows: 10 ms at 100,000 contacts, 40 ms
at 1,000,000 interactions. A trigger updating the ``record_count`` row per insert is what
revision 0005 rejected (each update makes a new version of that one row, and inside one
transaction PostgreSQL walks all earlier versions on every update: 40,000 inserts took 36 s).

- ``record_count_change (kind, delta, txid)``: triggers only ever INSERT here, so no row gets
  versions. Inserts and deletes are counted once per statement (transition tables: an import's
  ``executemany`` of a thousand rows adds one row, not a thousand); a change of ``deleted_at``
  into or out of the trash adds one row per record.
- ``smallcrm_fold_counts()``: a deferred trigger on the change rows, so it runs at COMMIT of
  every transaction that logged a change (and costs nothing in one that did not), once: it
  deletes that transaction's own change rows (``txid = txid_current()``, so two writers never
  touch the same rows) and adds their sums to ``record_count``, one UPDATE per kind in the
  order of the kinds' names (two folding writers lock the rows in the same order and cannot
  deadlock). A transaction's counter rows thus change once each, not once per record.
- A count is ``record_count.live`` plus the sum of the kind's change rows: exact whether or not
  a transaction has folded yet (a reader sees only committed rows, a writer its own too).
- ``record_count``, which existed on PostgreSQL but was never kept, is set from the tables.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-08
"""

from __future__ import annotations

from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels = None
depends_on = None

KINDS = (
    "account",
    "appointment",
    "campaign",
    "contact",
    "interaction",
    "opportunity",
    "service_case",
)

_STATEMENT_FUNCTION = """
CREATE FUNCTION smallcrm_count_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO record_count_change (kind, delta)
        SELECT TG_TABLE_NAME, count(*) FROM new_rows WHERE deleted_at IS NULL
        HAVING count(*) > 0;
    ELSE
        INSERT INTO record_count_change (kind, delta)
        SELECT TG_TABLE_NAME, -count(*) FROM old_rows WHERE deleted_at IS NULL
        HAVING count(*) > 0;
    END IF;
    RETURN NULL;
END $$
"""

_TRASH_FUNCTION = """
CREATE FUNCTION smallcrm_count_trash() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO record_count_change (kind, delta)
    VALUES (TG_TABLE_NAME, CASE WHEN NEW.deleted_at IS NULL THEN 1 ELSE -1 END);
    RETURN NULL;
END $$
"""

_FOLD_FUNCTION = """
CREATE FUNCTION smallcrm_fold_counts() RETURNS trigger LANGUAGE plpgsql AS $$
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
    INTO kinds, deltas FROM sums WHERE delta <> 0;
    FOR i IN 1 .. coalesce(array_length(kinds, 1), 0) LOOP
        UPDATE record_count SET live = live + deltas[i] WHERE kind = kinds[i];
    END LOOP;
    RETURN NULL;
END $$
"""

# Fires at COMMIT (deferred), only in transactions that logged a change: the others pay nothing.
_FOLD_TRIGGER = (
    "CREATE CONSTRAINT TRIGGER record_count_change_fold AFTER INSERT ON record_count_change "
    "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION smallcrm_fold_counts()"
)


def _triggers(kind: str) -> list[str]:
    return [
        f"CREATE TRIGGER {kind}_count_insert AFTER INSERT ON {kind} "
        "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT "
        "EXECUTE FUNCTION smallcrm_count_rows()",
        f"CREATE TRIGGER {kind}_count_delete AFTER DELETE ON {kind} "
        "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT "
        "EXECUTE FUNCTION smallcrm_count_rows()",
        f"CREATE TRIGGER {kind}_count_trash AFTER UPDATE OF deleted_at ON {kind} "
        "FOR EACH ROW WHEN ((old.deleted_at IS NULL) <> (new.deleted_at IS NULL)) "
        "EXECUTE FUNCTION smallcrm_count_trash()",
    ]


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "CREATE TABLE record_count_change (kind varchar(20) NOT NULL, "
        "delta integer NOT NULL, txid bigint NOT NULL DEFAULT txid_current())"
    )
    op.execute("LOCK TABLE " + ", ".join(KINDS) + " IN SHARE MODE")  # no change slips past
    for kind in KINDS:
        op.execute(
            f"INSERT INTO record_count (kind, live) SELECT '{kind}', count(*) FROM {kind} "
            "WHERE deleted_at IS NULL ON CONFLICT (kind) DO UPDATE SET live = excluded.live"
        )
    for function in (_STATEMENT_FUNCTION, _TRASH_FUNCTION, _FOLD_FUNCTION, _FOLD_TRIGGER):
        op.execute(function)
    for kind in KINDS:
        for statement in _triggers(kind):
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for kind in KINDS:
        for event in ("insert", "delete", "trash"):
            op.execute(f"DROP TRIGGER IF EXISTS {kind}_count_{event} ON {kind}")
    op.execute("DROP TABLE record_count_change")  # and its trigger
    for function in ("smallcrm_count_rows", "smallcrm_count_trash", "smallcrm_fold_counts"):
        op.execute(f"DROP FUNCTION IF EXISTS {function}()")
