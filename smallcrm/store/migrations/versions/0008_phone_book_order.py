"""Phone-book order (DIN 5007) for every list, the same on SQLite and PostgreSQL, and an index
for every sort.

Each text a list sorts by gets a key column computed from it by ``folding.sort_key`` as each
database renders it (0007: ``fold_char`` on SQLite, ``smallcrm_sort_key()`` on PostgreSQL):
case and accents aside, ä ö ü as ae oe ue, ß as ss, so Bauer, Bode, Böhm, Braun; a lower-case
name among the others. A database collation would differ between the two databases (and
between PostgreSQL's own collation providers); a stored key compares byte by byte on both.

- keys of a record's own columns (``contact.sort_name`` = last name, first name; ``city_key``
  ...) are kept by triggers: SQLite updates the row after it is written (an AFTER trigger cannot
  change NEW), PostgreSQL sets them before (a BEFORE trigger);
- a list sorted by another record's name (contacts and deals by account, interactions by
  contact or account) reads a copy of that record's key (``account_key``, ``contact_key``),
  which triggers keep when the other record is renamed or the link changes, so no sort joins;
- every sort key has a partial index of live records, ``(key, id)``: a page is an index walk
  at any depth. A date that may be empty is indexed as ``(date IS NOT NULL, date, id)``: empty
  first going up, last going down, read off the index on both databases.

Keys are NOT NULL (an empty text is ''), and existing rows are back-filled. SQLite gets plain
``ALTER TABLE ... ADD COLUMN`` and ``CREATE INDEX`` rather than a batch rebuild of the tables,
which would drop their search and count triggers.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

from __future__ import annotations

import re

from alembic import op

from smallcrm.store import folding_sql as fs

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels = None
depends_on = None

# table -> {key column: the text it is made from, over the row aliased "{r}"}
KEYS = {
    "contact": {
        "sort_name": "trim({r}.last_name || ' ' || {r}.first_name)",
        "first_key": "{r}.first_name",
        "city_key": "{r}.city",
        "owner_key": "{r}.owner",
    },
    "account": {
        "sort_name": "{r}.name",
        "industry_key": "{r}.industry",
        "city_key": "{r}.city",
        "owner_key": "{r}.owner",
    },
    "opportunity": {"sort_name": "{r}.name", "owner_key": "{r}.owner"},
    "interaction": {"subject_key": "{r}.subject"},
    "appointment": {"title_key": "{r}.title", "location_key": "{r}.location"},
}
# table -> {key column: (the table whose sort_name it copies, the link column)}
COPIES = {
    "contact": {"account_key": ("account", "account_id")},
    "opportunity": {"account_key": ("account", "account_id")},
    "interaction": {
        "contact_key": ("contact", "contact_id"),
        "account_key": ("account", "account_id"),
    },
}
# table -> the columns a list sorts by (each indexed with the id, live records only); "?" marks
# a column that may be NULL.
SORTED = {
    "contact": ("sort_name", "first_key", "account_key", "city_key", "owner_key", "updated_at",
                "created_at"),
    "account": ("sort_name", "industry_key", "city_key", "owner_key", "updated_at", "created_at"),
    "opportunity": ("sort_name", "account_key", "stage_position", "amount_cents", "probability",
                    "expected_close?", "owner_key", "updated_at"),
    "interaction": ("happened_at", "kind", "subject_key", "contact_key", "account_key",
                    "follow_up_on?"),
    "appointment": ("starts_at", "title_key", "location_key"),
}  # fmt: skip
# Replaced by the indexes above: the name sort now reads sort_name.
OLD_INDEXES = {"ix_contact_live_name": ("contact", "last_name, first_name, id")}


def _run(statement: str) -> None:
    op.get_bind().exec_driver_sql(statement)


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def _key(table: str, column: str, row: str, dialect: str) -> str:
    """SQL for one key of a row (``row`` names it: ``new``, ``NEW`` or a table alias)."""
    if column in COPIES.get(table, {}):
        parent, link = COPIES[table][column]
        return f"coalesce((SELECT p.sort_name FROM {parent} p WHERE p.id = {row}.{link}), '')"
    if column == "stage_position":
        return f"coalesce((SELECT s.position FROM stage s WHERE s.name = {row}.stage), 0)"
    source = KEYS[table][column].format(r=row)
    if dialect == "postgresql":
        return f"coalesce(smallcrm_sort_key({source}), '')"
    return f"coalesce({fs.sqlite_sort_key(source)}, '')"


def _key_columns(table: str) -> list[str]:
    extra = ["stage_position"] if table == "opportunity" else []
    return [*KEYS.get(table, {}), *COPIES.get(table, {}), *extra]


def _sources(table: str) -> list[str]:
    """The columns the keys of ``table`` are made from (for ``UPDATE OF``)."""
    used = set(re.findall(r"\{r\}\.(\w+)", " ".join(KEYS.get(table, {}).values())))
    used |= {link for _parent, link in COPIES.get(table, {}).values()}
    return sorted(used | ({"stage"} if table == "opportunity" else set()))


def _children(parent: str) -> list[tuple[str, str, str]]:
    """(child table, copy column, link column) of every copy of ``parent``'s sort_name."""
    return [
        (child, column, link)
        for child, copies in COPIES.items()
        for column, (table, link) in copies.items()
        if table == parent
    ]


def _sets(table: str, row: str, dialect: str) -> str:
    return ", ".join(f"{c} = {_key(table, c, row, dialect)}" for c in _key_columns(table))


# --- SQLite ----------------------------------------------------------------------------------


def _sqlite_triggers() -> list[str]:
    statements = []
    for table in SORTED:
        update = f"UPDATE {table} SET {_sets(table, 'new', 'sqlite')} WHERE id = new.id;"
        statements += [
            f"CREATE TRIGGER {table}_keys_insert AFTER INSERT ON {table} BEGIN {update} END",
            f"CREATE TRIGGER {table}_keys_update AFTER UPDATE OF {', '.join(_sources(table))} "
            f"ON {table} BEGIN {update} END",
        ]
        copies = " ".join(
            f"UPDATE {child} SET {column} = new.sort_name WHERE {link} = new.id;"
            for child, column, link in _children(table)
        )
        if copies:
            statements.append(
                f"CREATE TRIGGER {table}_keys_copy AFTER UPDATE OF sort_name ON {table} "
                f"WHEN old.sort_name IS NOT new.sort_name BEGIN {copies} END"
            )
    statements.append(
        "CREATE TRIGGER stage_keys_copy AFTER UPDATE OF position ON stage BEGIN "
        "UPDATE opportunity SET stage_position = new.position WHERE stage = new.name; END"
    )
    return statements


def _trigger_names() -> list[str]:
    names = ["stage_keys_copy"]
    for table in SORTED:
        names += [f"{table}_keys_insert", f"{table}_keys_update", f"{table}_keys_copy"]
    return names


# --- PostgreSQL ------------------------------------------------------------------------------


def _pg_triggers() -> list[str]:
    statements = []
    for table in SORTED:
        sets = ";\n".join(
            f"NEW.{c} := {_key(table, c, 'NEW', 'postgresql')}" for c in _key_columns(table)
        )
        statements += [
            f"CREATE FUNCTION smallcrm_keys_{table}() RETURNS trigger LANGUAGE plpgsql AS "
            f"$body$\nBEGIN\n{sets};\nRETURN NEW;\nEND\n$body$",
            f"CREATE TRIGGER {table}_keys BEFORE INSERT OR UPDATE OF {', '.join(_sources(table))} "
            f"ON {table} FOR EACH ROW EXECUTE FUNCTION smallcrm_keys_{table}()",
        ]
        copies = "\n".join(
            f"UPDATE {child} SET {column} = NEW.sort_name WHERE {link} = NEW.id;"
            for child, column, link in _children(table)
        )
        if copies:
            statements += [
                f"CREATE FUNCTION smallcrm_keys_copy_{table}() RETURNS trigger LANGUAGE plpgsql "
                f"AS $body$\nBEGIN\n{copies}\nRETURN NULL;\nEND\n$body$",
                # Not "UPDATE OF sort_name": PostgreSQL fires that only for a column the
                # statement sets, never for one the BEFORE trigger set.
                f"CREATE TRIGGER {table}_keys_copy AFTER UPDATE ON {table} "
                "FOR EACH ROW WHEN (OLD.sort_name IS DISTINCT FROM NEW.sort_name) "
                f"EXECUTE FUNCTION smallcrm_keys_copy_{table}()",
            ]
    return statements + [
        "CREATE FUNCTION smallcrm_keys_copy_stage() RETURNS trigger LANGUAGE plpgsql AS "
        "$body$\nBEGIN\nUPDATE opportunity SET stage_position = NEW.position "
        "WHERE stage = NEW.name;\nRETURN NULL;\nEND\n$body$",
        "CREATE TRIGGER stage_keys_copy AFTER UPDATE OF position ON stage FOR EACH ROW "
        "EXECUTE FUNCTION smallcrm_keys_copy_stage()",
    ]


def _pg_drop() -> None:
    for table in (*SORTED, "stage"):
        _run(f"DROP TRIGGER IF EXISTS {table}_keys ON {table}")
        _run(f"DROP TRIGGER IF EXISTS {table}_keys_copy ON {table}")
        _run(f"DROP FUNCTION IF EXISTS smallcrm_keys_{table}()")
        _run(f"DROP FUNCTION IF EXISTS smallcrm_keys_copy_{table}()")


# --- both ------------------------------------------------------------------------------------


def _index(table: str, column: str) -> str:
    nullable = column.endswith("?")
    column = column.rstrip("?")
    indexed = f"({column} IS NOT NULL), {column}, id" if nullable else f"{column}, id"
    return f"CREATE INDEX ix_{table}_live_{column} ON {table} ({indexed}) WHERE deleted_at IS NULL"


def _index_names() -> list[tuple[str, str]]:
    return [(t, f"ix_{t}_live_{c.rstrip('?')}") for t, columns in SORTED.items() for c in columns]


def _backfill(table: str, dialect: str) -> str:
    """Every existing row's keys, computed from the rows themselves (alias r)."""
    sets = ", ".join(
        f"{c} = {_key(table, c, table, dialect)}" for c in _key_columns(table) if c in KEYS[table]
    ) if table in KEYS else ""  # fmt: skip
    return f"UPDATE {table} SET {sets}" if sets else ""


def _copy_backfill(table: str) -> list[str]:
    copies = [f"{c} = {_key(table, c, table, 'any')}" for c in COPIES.get(table, {})]
    if table == "opportunity":
        copies.append(f"stage_position = {_key(table, 'stage_position', table, 'any')}")
    return [f"UPDATE {table} SET {', '.join(copies)}"] if copies else []


def upgrade() -> None:
    dialect = "postgresql" if _postgresql() else "sqlite"
    for name in OLD_INDEXES:
        _run(f"DROP INDEX {name}")
    for table in SORTED:
        for column in _key_columns(table):
            kind = "INTEGER" if column == "stage_position" else "TEXT"
            default = "0" if column == "stage_position" else "''"
            _run(f"ALTER TABLE {table} ADD COLUMN {column} {kind} NOT NULL DEFAULT {default}")
    for table in ("account", "contact", "opportunity", "interaction", "appointment"):
        for statement in [_backfill(table, dialect), *_copy_backfill(table)]:
            if statement:
                _run(statement)
    for table, columns in SORTED.items():
        for column in columns:
            _run(_index(table, column))
    for statement in _pg_triggers() if dialect == "postgresql" else _sqlite_triggers():
        _run(statement)


def downgrade() -> None:
    if _postgresql():
        _pg_drop()
    else:
        for name in _trigger_names():
            _run(f"DROP TRIGGER IF EXISTS {name}")
    for _table, name in _index_names():
        _run(f"DROP INDEX {name}")
    for table in SORTED:
        for column in _key_columns(table):
            _run(f"ALTER TABLE {table} DROP COLUMN {column}")
    for name, (table, columns) in OLD_INDEXES.items():
        _run(f"CREATE INDEX {name} ON {table} ({columns}) WHERE deleted_at IS NULL")
