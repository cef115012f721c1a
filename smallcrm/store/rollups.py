"""The triggers that keep deals' stage history and the two roll-ups (``models_history.py``),
and the queries that rebuild the roll-ups from the interactions (the migration's backfill and
``smallcrm doctor --repair``) or compare them (``smallcrm doctor``).

Days are UTC days: a trigger cannot know the reader's zone, and a report over weeks or months
moves by at most a few hours' worth of interactions at its two ends.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from smallcrm.store import rollups_counts, rollups_quality
from smallcrm.store.db import Tx

ROLLUPS = ("activity_day", "contact_touch")


def day_of(dialect: str, column: str) -> str:
    """SQL for the UTC day of a stored timestamp."""
    if dialect == "postgresql":
        return f"CAST(({column} AT TIME ZONE 'UTC') AS date)"
    return f"substr({column}, 1, 10)"


def activity_select(dialect: str) -> str:
    """What ``activity_day`` should hold: (day, person, kind, n) of the live interactions."""
    day = day_of(dialect, "happened_at")
    return (
        f"SELECT {day} AS day, created_by AS person, kind, count(*) AS n FROM interaction "
        f"WHERE deleted_at IS NULL GROUP BY {day}, created_by, kind"
    )


TOUCH_SELECT = (
    "SELECT contact_id, max(happened_at) AS last_at FROM interaction "
    "WHERE deleted_at IS NULL AND contact_id IS NOT NULL GROUP BY contact_id"
)


def rebuild(tx: Tx) -> None:
    """Recompute both roll-ups from the interactions."""
    tx.execute("DELETE FROM activity_day")
    tx.execute(f"INSERT INTO activity_day (day, person, kind, n) {activity_select(tx.dialect)}")
    tx.execute("DELETE FROM contact_touch")
    tx.execute(f"INSERT INTO contact_touch (contact_id, last_at) {TOUCH_SELECT}")


def differences(tx: Tx) -> dict[str, int]:
    """How many rows of each roll-up differ from a fresh computation (0: both right)."""
    activity = activity_select(tx.dialect)
    stored = "SELECT day, person, kind, n FROM activity_day"
    found = {
        "activity_day": _mismatches(tx, activity, stored),
        "contact_touch": _mismatches(
            tx, TOUCH_SELECT, "SELECT contact_id, last_at FROM contact_touch"
        ),
    }
    return found


def _mismatches(tx: Tx, fresh: str, stored: str) -> int:
    """Rows in one query and not the other, both ways."""
    one = tx.scalar(f"SELECT count(*) FROM ({fresh} EXCEPT {stored}) AS d")
    other = tx.scalar(f"SELECT count(*) FROM ({stored} EXCEPT {fresh}) AS d")
    return int(one or 0) + int(other or 0)


def stage_steps(audit: Sequence[Any], deals: Sequence[Any]) -> list[dict[str, Any]]:
    """The ``stage_change`` rows of deals from their audit trail.

    ``audit`` rows are (deal id, at, actor, changes JSON) of the deals' entries that name a
    stage, oldest first; ``deals`` rows are (id, stage, created_at, created_by, updated_at,
    updated_by). A deal the trail knows nothing of gets one row, its stage since its creation;
    one whose trail ends in another stage than its own gets its stage since its last change.
    """
    entered: dict[int, list[tuple[Any, str, str]]] = {}
    for record_id, at, actor, changes in audit:
        try:
            stage = json.loads(changes).get("stage")
        except (ValueError, AttributeError):
            continue
        if isinstance(stage, list) and len(stage) == 2 and isinstance(stage[1], str):
            steps = entered.setdefault(record_id, [])
            if not steps or steps[-1][2] != stage[1]:
                steps.append((at, actor, stage[1]))
    found: list[dict[str, Any]] = []
    for deal_id, stage, created_at, created_by, updated_at, updated_by in deals:
        steps = entered.get(deal_id) or [(created_at, created_by, stage)]
        if steps[-1][2] != stage:
            steps.append((updated_at, updated_by, stage))
        for index, (at, actor, name) in enumerate(steps):
            left = steps[index + 1][0] if index + 1 < len(steps) else None
            found.append(
                {
                    "opportunity_id": deal_id,
                    "stage": name,
                    "changed_at": at,
                    "changed_by": actor,
                    "left_at": left,
                }
            )
    return found


# --- triggers --------------------------------------------------------------------------------


def _sqlite_activity(row: str, delta: int) -> str:
    day = day_of("sqlite", f"{row}.happened_at")
    if delta > 0:
        return (
            "INSERT INTO activity_day (day, person, kind, n) "
            f"SELECT {day}, {row}.created_by, {row}.kind, 1 WHERE {row}.deleted_at IS NULL "
            "ON CONFLICT (day, person, kind) DO UPDATE SET n = n + 1;"
        )
    key = f"day = {day} AND person = {row}.created_by AND kind = {row}.kind"
    return (
        f"UPDATE activity_day SET n = n - 1 WHERE {row}.deleted_at IS NULL AND {key};"
        f"DELETE FROM activity_day WHERE {key} AND n <= 0;"
    )


def _sqlite_touch(contact: str) -> str:
    return (
        f"DELETE FROM contact_touch WHERE contact_id = {contact};"
        "INSERT INTO contact_touch (contact_id, last_at) "
        f"SELECT {contact}, m FROM (SELECT max(happened_at) AS m FROM interaction "
        f"WHERE contact_id = {contact} AND deleted_at IS NULL) AS t WHERE m IS NOT NULL;"
    )


SQLITE_TRIGGERS = (
    "CREATE TRIGGER opportunity_stage_insert AFTER INSERT ON opportunity BEGIN "
    "INSERT INTO stage_change (opportunity_id, stage, changed_at, changed_by) "
    "VALUES (new.id, new.stage, new.created_at, new.created_by); END",
    "CREATE TRIGGER opportunity_stage_update AFTER UPDATE OF stage ON opportunity "
    "WHEN old.stage IS NOT new.stage BEGIN "
    "UPDATE stage_change SET left_at = new.updated_at "
    "WHERE opportunity_id = new.id AND left_at IS NULL; "
    "INSERT INTO stage_change (opportunity_id, stage, changed_at, changed_by) "
    "VALUES (new.id, new.stage, new.updated_at, new.updated_by); END",
    "CREATE TRIGGER interaction_rollup_insert AFTER INSERT ON interaction "
    f"WHEN new.deleted_at IS NULL BEGIN {_sqlite_activity('new', 1)} "
    "INSERT INTO contact_touch (contact_id, last_at) "
    "SELECT new.contact_id, new.happened_at WHERE new.contact_id IS NOT NULL "
    "ON CONFLICT (contact_id) DO UPDATE SET last_at = max(last_at, excluded.last_at); END",
    "CREATE TRIGGER interaction_rollup_update AFTER UPDATE OF "
    "happened_at, kind, created_by, deleted_at, contact_id ON interaction BEGIN "
    f"{_sqlite_activity('old', -1)} {_sqlite_activity('new', 1)} "
    f"{_sqlite_touch('old.contact_id')} {_sqlite_touch('new.contact_id')} END",
    "CREATE TRIGGER interaction_rollup_delete AFTER DELETE ON interaction BEGIN "
    f"{_sqlite_activity('old', -1)} {_sqlite_touch('old.contact_id')} END",
)
SQLITE_TRIGGER_NAMES = (
    "opportunity_stage_insert",
    "opportunity_stage_update",
    "interaction_rollup_insert",
    "interaction_rollup_update",
    "interaction_rollup_delete",
)

_PG_DAY_OLD = day_of("postgresql", "OLD.happened_at")
_PG_DAY_NEW = day_of("postgresql", "NEW.happened_at")
PG_FUNCTIONS = (
    """CREATE OR REPLACE FUNCTION smallcrm_stage_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO stage_change (opportunity_id, stage, changed_at, changed_by)
    VALUES (NEW.id, NEW.stage, NEW.created_at, NEW.created_by);
  ELSIF NEW.stage IS DISTINCT FROM OLD.stage THEN
    UPDATE stage_change SET left_at = NEW.updated_at
    WHERE opportunity_id = NEW.id AND left_at IS NULL;
    INSERT INTO stage_change (opportunity_id, stage, changed_at, changed_by)
    VALUES (NEW.id, NEW.stage, NEW.updated_at, NEW.updated_by);
  END IF;
  RETURN NULL;
END $$""",
    """CREATE OR REPLACE FUNCTION smallcrm_touch(cid integer) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF cid IS NULL THEN RETURN; END IF;
  DELETE FROM contact_touch WHERE contact_id = cid;
  INSERT INTO contact_touch (contact_id, last_at)
  SELECT cid, m FROM (SELECT max(happened_at) AS m FROM interaction
                      WHERE contact_id = cid AND deleted_at IS NULL) AS t WHERE m IS NOT NULL;
END $$""",
    f"""CREATE OR REPLACE FUNCTION smallcrm_interaction_rollups() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' AND OLD.deleted_at IS NULL THEN
    UPDATE activity_day SET n = n - 1
    WHERE day = {_PG_DAY_OLD} AND person = OLD.created_by AND kind = OLD.kind;
    DELETE FROM activity_day
    WHERE day = {_PG_DAY_OLD} AND person = OLD.created_by AND kind = OLD.kind AND n <= 0;
  END IF;
  IF TG_OP <> 'DELETE' AND NEW.deleted_at IS NULL THEN
    INSERT INTO activity_day (day, person, kind, n)
    VALUES ({_PG_DAY_NEW}, NEW.created_by, NEW.kind, 1)
    ON CONFLICT (day, person, kind) DO UPDATE SET n = activity_day.n + 1;
  END IF;
  IF TG_OP = 'INSERT' THEN
    IF NEW.contact_id IS NOT NULL AND NEW.deleted_at IS NULL THEN
      INSERT INTO contact_touch (contact_id, last_at) VALUES (NEW.contact_id, NEW.happened_at)
      ON CONFLICT (contact_id)
      DO UPDATE SET last_at = GREATEST(contact_touch.last_at, EXCLUDED.last_at);
    END IF;
  ELSE
    PERFORM smallcrm_touch(OLD.contact_id);
    IF TG_OP = 'UPDATE' AND NEW.contact_id IS DISTINCT FROM OLD.contact_id THEN
      PERFORM smallcrm_touch(NEW.contact_id);
    END IF;
  END IF;
  RETURN NULL;
END $$""",
    "CREATE TRIGGER opportunity_stage_change AFTER INSERT OR UPDATE OF stage ON opportunity "
    "FOR EACH ROW EXECUTE FUNCTION smallcrm_stage_change()",
    "CREATE TRIGGER interaction_rollups AFTER INSERT OR DELETE OR UPDATE OF "
    "happened_at, kind, created_by, deleted_at, contact_id ON interaction "
    "FOR EACH ROW EXECUTE FUNCTION smallcrm_interaction_rollups()",
)


def finding(db: Any) -> Any:
    """``doctor``'s finding on the roll-ups: recomputed from the records and compared."""
    from smallcrm.store.health import Finding

    with db.read() as tx:
        found = {**differences(tx), rollups_quality.TABLE: rollups_quality.differences(tx)}
        found[rollups_counts.TABLE] = rollups_counts.differences(tx)
        wrong = {table: n for table, n in found.items() if n}
    if not wrong:
        return Finding("roll-ups", True, "the dashboard's roll-ups match the records")
    listed = ", ".join(f"{table} {n} rows" for table, n in wrong.items())
    return Finding(
        "roll-ups",
        False,
        f"the dashboard's roll-ups are out of step with the records ({listed})",
        "rebuild them: smallcrm doctor --repair",
    )


def rebuild_all(db: Any) -> None:
    """Rebuild every roll-up in one write transaction (the quality roll-up last: it reads the
    last-touch one)."""
    with db.write() as tx:
        rebuild(tx)
        rollups_quality.rebuild(tx)
        rollups_counts.rebuild(tx)
