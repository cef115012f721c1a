"""The data-quality roll-up: one row per live contact (``contact_quality``) with its owner, when
it was added, its latest live interaction (from ``contact_touch``), how many email addresses
and phone numbers it has and whether another contact shares one of its addresses, so that the
dashboard's quality counts are one walk of one table instead of three lookups per contact
(100,000 contacts: 150 ms of CPU).

Triggers on ``contact``, ``contact_method`` and ``contact_touch`` (itself kept by the
interactions' triggers) keep it in the transaction of every change, on both databases, and
each change costs a few lookups by key: an address added adds one to its contact's count, a
contact shown (an import's hidden contacts, a restore from the trash) gets its row computed, a
new touch sets ``last_at``. Only an address that another contact has too touches other
contacts' rows. Recomputing ``shared`` for every holder of each added address, as a first
version did, made each row an import shows cost a walk of the addresses and held the writers'
lock long enough (2,000 contacts per transaction) for others to be refused as busy.
``smallcrm doctor`` compares the table with a fresh computation and ``--repair`` rebuilds it.
"""

from __future__ import annotations

from smallcrm.store.db import Tx

TABLE = "contact_quality"
COLUMNS = "contact_id, owner, created_at, last_at, emails, phones, shared"
# 1 when one of the contact's email addresses is another contact's too (any contact's,
# trashed ones included: the same condition as ``contact_checks.SHARED_EMAILS``). The outer
# kind is compared as an expression so that SQLite, without statistics, walks the contact's own
# few addresses rather than every email address (kind, value) for each contact.
SHARED = (
    "CASE WHEN EXISTS (SELECT 1 FROM contact_method m WHERE m.contact_id = {c} "
    "AND m.kind || '' = 'email' AND EXISTS (SELECT 1 FROM contact_method o WHERE o.kind = 'email' "
    "AND o.value = m.value AND o.contact_id <> m.contact_id)) THEN 1 ELSE 0 END"
)


def _count(kind: str, contact: str) -> str:
    """SQL: how many addresses of ``kind`` the contact ``contact`` has."""
    return (
        f"(SELECT count(*) FROM contact_method m WHERE m.contact_id = {contact} "
        f"AND m.kind = '{kind}')"
    )


def _values(contact: str) -> str:
    """SQL: the roll-up's columns after the id, owner and when it was added of the contact
    ``contact`` (SQL for its id)."""
    return (
        f"(SELECT t.last_at FROM contact_touch t WHERE t.contact_id = {contact}) AS last_at, "
        f"{_count('email', contact)} AS emails, {_count('phone', contact)} AS phones, "
        f"{SHARED.format(c=contact)} AS shared"
    )


def _select(where: str) -> str:
    """What the rows of the live contacts matching ``where`` should be."""
    return (
        f"SELECT c.id AS contact_id, c.owner, c.created_at, {_values('c.id')} "
        f"FROM contact c WHERE c.deleted_at IS NULL{where}"
    )


QUALITY_SELECT = _select("")


def _insert(row: str) -> str:
    """A statement adding the row of the contact ``row`` (NEW) when it is live, computed from
    its own values: selecting it from ``contact`` by id and liveness, PostgreSQL's planner,
    before the statistics of a new database, walked every live contact's index to find it."""
    return (
        f"INSERT INTO {TABLE} ({COLUMNS}) SELECT {row}.id, {row}.owner, {row}.created_at, "
        f"{_values(row + '.id')} WHERE {row}.deleted_at IS NULL;"
    )


def _add(row: str) -> str:
    """A statement counting the new address ``row`` (NEW) on its contact's row."""
    return (
        f"UPDATE {TABLE} SET emails = emails + CASE WHEN {row}.kind = 'email' THEN 1 ELSE 0 END, "
        f"phones = phones + CASE WHEN {row}.kind = 'phone' THEN 1 ELSE 0 END "
        f"WHERE contact_id = {row}.contact_id;"
    )


def _recount(contact: str) -> str:
    """A statement counting the addresses of the contact ``contact`` again."""
    return (
        f"UPDATE {TABLE} SET emails = {_count('email', contact)}, "
        f"phones = {_count('phone', contact)} WHERE contact_id = {contact};"
    )


def _holders(row: str) -> str:
    """SQL: the contacts holding the email address of ``row``."""
    return (
        "(SELECT h.contact_id FROM contact_method h WHERE h.kind = 'email' "
        f"AND h.value = {row}.value)"
    )


def _others(row: str) -> str:
    """SQL: ``row`` is an email address another contact has too (one lookup in the index of
    addresses); only then does adding it change anyone's ``shared``."""
    return (
        f"{row}.kind = 'email' AND EXISTS (SELECT 1 FROM contact_method o WHERE o.kind = 'email' "
        f"AND o.value = {row}.value AND o.contact_id <> {row}.contact_id)"
    )


def _share(row: str) -> str:
    """A statement marking the holders of ``row``'s address as sharing one (only run when
    ``_others(row)`` holds)."""
    return f"UPDATE {TABLE} SET shared = 1 WHERE shared = 0 AND contact_id IN {_holders(row)};"


def _unshare(row: str) -> str:
    """Statements for the email address ``row`` gone: its contact and whoever else holds it may
    share no address any more (only rows marked as sharing can change)."""
    again = SHARED.format(c=f"{TABLE}.contact_id")
    return (
        f"UPDATE {TABLE} SET shared = {again} WHERE shared = 1 AND {row}.kind = 'email' "
        f"AND contact_id = {row}.contact_id; "
        f"UPDATE {TABLE} SET shared = {again} WHERE shared = 1 AND {row}.kind = 'email' "
        f"AND contact_id IN {_holders(row)};"
    )


def rebuild(tx: Tx) -> None:
    """Recompute every row."""
    tx.execute(f"DELETE FROM {TABLE}")
    tx.execute(f"INSERT INTO {TABLE} ({COLUMNS}) {QUALITY_SELECT}")


def differences(tx: Tx) -> int:
    """Rows that differ from a fresh computation, both ways (0: right)."""
    stored = f"SELECT {COLUMNS} FROM {TABLE}"
    one = tx.scalar(f"SELECT count(*) FROM ({QUALITY_SELECT} EXCEPT {stored}) AS d")
    other = tx.scalar(f"SELECT count(*) FROM ({stored} EXCEPT {QUALITY_SELECT}) AS d")
    return int(one or 0) + int(other or 0)


_KEPT = "new.id = old.id AND new.deleted_at IS NULL AND old.deleted_at IS NULL"
_ADDRESS = "IN ('email', 'phone')"

SQLITE_TRIGGERS = (
    "CREATE TRIGGER contact_quality_insert AFTER INSERT ON contact WHEN new.deleted_at IS NULL "
    f"BEGIN {_insert('new')} END",
    # Still live: only the copied columns change.
    "CREATE TRIGGER contact_quality_update AFTER UPDATE OF owner, created_at ON contact "
    f"WHEN {_KEPT} BEGIN UPDATE {TABLE} SET owner = new.owner, created_at = new.created_at "
    "WHERE contact_id = new.id; END",
    # Shown, hidden or re-keyed: the row goes, or is computed.
    "CREATE TRIGGER contact_quality_shown AFTER UPDATE OF id, deleted_at ON contact "
    "WHEN new.id <> old.id OR new.deleted_at IS NOT old.deleted_at "
    f"BEGIN DELETE FROM {TABLE} WHERE contact_id IN (old.id, new.id); {_insert('new')} END",
    "CREATE TRIGGER contact_quality_delete AFTER DELETE ON contact "
    f"BEGIN DELETE FROM {TABLE} WHERE contact_id = old.id; END",
    "CREATE TRIGGER contact_method_quality_insert AFTER INSERT ON contact_method "
    f"WHEN new.kind {_ADDRESS} BEGIN {_add('new')} END",
    "CREATE TRIGGER contact_method_quality_shared AFTER INSERT ON contact_method "
    f"WHEN {_others('new')} BEGIN {_share('new')} END",
    "CREATE TRIGGER contact_method_quality_delete AFTER DELETE ON contact_method "
    f"WHEN old.kind {_ADDRESS} BEGIN {_recount('old.contact_id')} {_unshare('old')} END",
    "CREATE TRIGGER contact_method_quality_update AFTER UPDATE ON contact_method BEGIN "
    f"{_recount('old.contact_id')} {_recount('new.contact_id')} {_unshare('old')} "
    f"UPDATE {TABLE} SET shared = 1 WHERE shared = 0 AND {_others('new')} "
    f"AND contact_id IN {_holders('new')}; END",
    "CREATE TRIGGER contact_touch_quality_insert AFTER INSERT ON contact_touch "
    f"BEGIN UPDATE {TABLE} SET last_at = new.last_at WHERE contact_id = new.contact_id; END",
    "CREATE TRIGGER contact_touch_quality_update AFTER UPDATE ON contact_touch BEGIN "
    f"UPDATE {TABLE} SET last_at = NULL WHERE contact_id = old.contact_id "
    "AND old.contact_id <> new.contact_id; "
    f"UPDATE {TABLE} SET last_at = new.last_at WHERE contact_id = new.contact_id; END",
    "CREATE TRIGGER contact_touch_quality_delete AFTER DELETE ON contact_touch "
    f"BEGIN UPDATE {TABLE} SET last_at = NULL WHERE contact_id = old.contact_id; END",
)
SQLITE_TRIGGER_NAMES = tuple(statement.split()[2] for statement in SQLITE_TRIGGERS)

PG_FUNCTIONS = (
    f"""CREATE OR REPLACE FUNCTION smallcrm_quality_contact() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND {_KEPT.replace("new.", "NEW.").replace("old.", "OLD.")} THEN
    UPDATE {TABLE} SET owner = NEW.owner, created_at = NEW.created_at
    WHERE contact_id = NEW.id;
    RETURN NULL;
  END IF;
  IF TG_OP <> 'INSERT' THEN DELETE FROM {TABLE} WHERE contact_id = OLD.id; END IF;
  IF TG_OP = 'UPDATE' THEN DELETE FROM {TABLE} WHERE contact_id = NEW.id; END IF;
  IF TG_OP <> 'DELETE' THEN {_insert("NEW")} END IF;
  RETURN NULL;
END $$""",
    f"""CREATE OR REPLACE FUNCTION smallcrm_quality_method() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    {_add("NEW")}
  ELSE
    {_recount("OLD.contact_id")}
    IF OLD.kind = 'email' THEN {_unshare("OLD")} END IF;
  END IF;
  IF TG_OP = 'UPDATE' THEN {_recount("NEW.contact_id")} END IF;
  IF TG_OP <> 'DELETE' AND {_others("NEW")} THEN {_share("NEW")} END IF;
  RETURN NULL;
END $$""",
    f"""CREATE OR REPLACE FUNCTION smallcrm_quality_touch() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND NEW.contact_id <> OLD.contact_id) THEN
    UPDATE {TABLE} SET last_at = NULL WHERE contact_id = OLD.contact_id;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    UPDATE {TABLE} SET last_at = NEW.last_at WHERE contact_id = NEW.contact_id;
  END IF;
  RETURN NULL;
END $$""",
    # A hidden contact (an import's, until it is shown) has no row; other columns, no effect.
    "CREATE TRIGGER contact_quality_insert AFTER INSERT ON contact FOR EACH ROW "
    "WHEN (NEW.deleted_at IS NULL) EXECUTE FUNCTION smallcrm_quality_contact()",
    "CREATE TRIGGER contact_quality_update AFTER UPDATE OF id, owner, created_at, deleted_at "
    "ON contact FOR EACH ROW WHEN (NEW.id <> OLD.id "
    "OR NEW.deleted_at IS DISTINCT FROM OLD.deleted_at OR NEW.owner IS DISTINCT FROM OLD.owner "
    "OR NEW.created_at IS DISTINCT FROM OLD.created_at) "
    "EXECUTE FUNCTION smallcrm_quality_contact()",
    "CREATE TRIGGER contact_quality_delete AFTER DELETE ON contact FOR EACH ROW "
    "EXECUTE FUNCTION smallcrm_quality_contact()",
    "CREATE TRIGGER contact_method_quality_insert AFTER INSERT ON contact_method FOR EACH ROW "
    f"WHEN (NEW.kind {_ADDRESS}) EXECUTE FUNCTION smallcrm_quality_method()",
    "CREATE TRIGGER contact_method_quality_delete AFTER DELETE ON contact_method FOR EACH ROW "
    f"WHEN (OLD.kind {_ADDRESS}) EXECUTE FUNCTION smallcrm_quality_method()",
    "CREATE TRIGGER contact_method_quality_update AFTER UPDATE ON contact_method FOR EACH ROW "
    "EXECUTE FUNCTION smallcrm_quality_method()",
    "CREATE TRIGGER contact_touch_quality AFTER INSERT OR DELETE OR UPDATE ON contact_touch "
    "FOR EACH ROW EXECUTE FUNCTION smallcrm_quality_touch()",
)
PG_DROPS = (
    *(
        f"DROP TRIGGER IF EXISTS {name} ON contact"
        for name in ("contact_quality_insert", "contact_quality_update", "contact_quality_delete")
    ),
    *(
        f"DROP TRIGGER IF EXISTS {name} ON contact_method"
        for name in (
            "contact_method_quality_insert",
            "contact_method_quality_delete",
            "contact_method_quality_update",
        )
    ),
    "DROP TRIGGER IF EXISTS contact_touch_quality ON contact_touch",
    "DROP FUNCTION IF EXISTS smallcrm_quality_contact()",
    "DROP FUNCTION IF EXISTS smallcrm_quality_method()",
    "DROP FUNCTION IF EXISTS smallcrm_quality_touch()",
)
