"""SQLite's search index numbers its rows newest first, so that search reads it forwards.

Search wants the newest matches of a kind first. FTS5 reads a doclist backwards (``ORDER BY
rowid DESC``) far more slowly than forwards: a backward read starts at the top of the whole
index and steps back through every match of the kinds above the one wanted, and each step back
in a doclist's page index re-reads that page from its start. Measured at 100,000 contacts and
1,000,000 interactions, the newest five contacts whose title holds "j", "jane" or "smith" took
170-270 microseconds that way, and 25-35 forwards from rowids that count down.

So both FTS5 indexes (``search_fts``, ``search_fts_parts``) no longer use a document's id as
their rowid but ``fts_id``: the kind's slot times SPAN, plus SPAN - 1 - the record's id. Rowids
of a kind ascend from its newest record. The slots put interactions, by far the most numerous
kind, last: a forward read that seeks into a kind passes the entries of every kind before it.
``search_fts_rows`` (a view over ``search_text``) adds that rowid; the triggers on
``search_doc`` write it; the indexes are filled again, kind by kind in rowid order (rows that
arrive in descending rowid order make FTS5 write a segment for each one).

PostgreSQL reads the newest ids of a kind off a b-tree, either way round, so its rowids stay.
There the parts of a document get a stored folded copy (``parts_folded``, generated) with the
trigram index: the index over ``smallcrm_fold(parts)`` made every candidate it returned be
folded again to be checked, at 40-340 microseconds each, and a common part of a word ("ller",
"aro") has tens of thousands of candidates: 3-30 s.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels = None
depends_on = None

SPAN = 2**40
# kind code (search_doc.id // SPAN) -> its slot in the FTS5 rowids: contact, account, deal,
# appointment, service case, interaction.
SLOTS = {1: 1, 2: 2, 3: 3, 5: 4, 6: 5, 4: 6}
_SLOT = " ".join(f"WHEN {code} THEN {slot}" for code, slot in SLOTS.items())
_VIEW = (
    f"CREATE VIEW search_fts_rows AS SELECT (CASE id / {SPAN} {_SLOT} END) * {SPAN} "
    f"+ {SPAN - 1} - id % {SPAN} AS fts_id, id, title, detail, parts FROM search_text"
)
_OPTIONS = {
    "search_fts": "title, detail, content='{content}', content_rowid='{rowid}', "
    "tokenize='unicode61 remove_diacritics 2', prefix='1 2 3 4 5 6'",
    "search_fts_parts": "parts, content='{content}', content_rowid='{rowid}', "
    "tokenize='trigram', columnsize=0",
}
_COLUMNS = {"search_fts": "title, detail", "search_fts_parts": "parts"}
_ONLY = {"search_fts": "", "search_fts_parts": " AND parts IS NOT NULL"}


def _run(statement: str) -> None:
    op.get_bind().exec_driver_sql(statement)


def _triggers(source: str, rowid: str) -> list[str]:
    """The triggers that keep both indexes in step with ``search_doc`` (as 0007 made them,
    reading ``rowid`` from ``source``)."""
    indexed = "".join(
        f"INSERT INTO {table}(rowid, {cols}) SELECT {rowid}, {cols} FROM {source} "
        f"WHERE id = {{row}}.id{_ONLY[table]}; "
        for table, cols in _COLUMNS.items()
    )
    unindexed = "".join(
        f"INSERT INTO {table}({table}, rowid, {cols}) SELECT 'delete', {rowid}, {cols} "
        f"FROM {source} WHERE id = {{row}}.id{_ONLY[table]}; "
        for table, cols in _COLUMNS.items()
    )
    return [
        f"CREATE TRIGGER search_doc_ai AFTER INSERT ON search_doc BEGIN "
        f"{indexed.format(row='new')}END",
        f"CREATE TRIGGER search_doc_bd BEFORE DELETE ON search_doc BEGIN "
        f"{unindexed.format(row='old')}END",
        "CREATE TRIGGER search_doc_bu BEFORE UPDATE OF title, detail, parts ON search_doc BEGIN "
        f"{unindexed.format(row='old')}END",
        "CREATE TRIGGER search_doc_au AFTER UPDATE OF title, detail, parts ON search_doc BEGIN "
        f"{indexed.format(row='new')}END",
    ]


def _fill(source: str, rowid: str) -> list[str]:
    """Statements filling both indexes from ``source`` in ascending ``rowid`` order."""
    if rowid == "id":
        ranges = [("id", code) for code in sorted(SLOTS)]
    else:  # each kind's range, newest record first
        ranges = [("id DESC", code) for code, _slot in sorted(SLOTS.items(), key=lambda s: s[1])]
    return [
        f"INSERT INTO {table}(rowid, {cols}) SELECT {rowid}, {cols} FROM {source} "
        f"WHERE id >= {code * SPAN} AND id < {(code + 1) * SPAN}{_ONLY[table]} ORDER BY {order}"
        for table, cols in _COLUMNS.items()
        for order, code in ranges
    ]


def _rebuild(source: str, rowid: str) -> None:
    for name in ("search_doc_ai", "search_doc_bd", "search_doc_bu", "search_doc_au"):
        _run(f"DROP TRIGGER IF EXISTS {name}")
    for table, options in _OPTIONS.items():
        _run(f"DROP TABLE {table}")
        _run(
            f"CREATE VIRTUAL TABLE {table} USING fts5("
            + options.format(content=source, rowid=rowid)
            + ")"
        )
    for statement in (*_fill(source, rowid), *_triggers(source, rowid)):
        _run(statement)


def _pg_upgrade() -> None:
    schema = op.get_bind().exec_driver_sql("SELECT current_schema()").scalar_one()
    _run(
        "ALTER TABLE search_doc ADD COLUMN parts_folded TEXT "
        f"GENERATED ALWAYS AS ({schema}.smallcrm_fold(parts)) STORED"
    )
    _run(
        "CREATE INDEX ix_search_doc_parts_folded_trgm ON search_doc "
        "USING gin (parts_folded gin_trgm_ops) WHERE parts IS NOT NULL"
    )
    _run("DROP INDEX ix_search_doc_parts_trgm")


def _pg_downgrade() -> None:
    schema = op.get_bind().exec_driver_sql("SELECT current_schema()").scalar_one()
    _run(
        "CREATE INDEX ix_search_doc_parts_trgm ON search_doc "
        f"USING gin ({schema}.smallcrm_fold(parts) gin_trgm_ops) WHERE parts IS NOT NULL"
    )
    _run("DROP INDEX ix_search_doc_parts_folded_trgm")
    _run("ALTER TABLE search_doc DROP COLUMN parts_folded")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _pg_upgrade()
        return
    _run(_VIEW)
    _rebuild("search_fts_rows", "fts_id")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _pg_downgrade()
        return
    _rebuild("search_text", "id")
    _run("DROP VIEW search_fts_rows")
