"""Search folds spellings, finds parts of words and notes; an exact name is looked up directly.

What the index holds and what a query is compared with are both ``folding.fold``: lower-case,
accents dropped, ß ss, ä ae, ø oe, å aa, then ae/aa a, oe o, ue u. So "müller", "mueller" and
"muller" all find Müller, Mueller and Muller. Each database gets the fold from the one Python
table (``folding_sql``); a test checks each folds as Python does.

SQLite:

- ``fold_char`` and ``fold_pos``: the table as data, and the positions 1..300 to fold a text
  letter by letter (SQLite has no ``translate()`` and refuses deeply nested ``replace()``);
- ``search_text`` (a view over ``search_doc``, through steps ``search_text_0``..): the folded
  title, parts and detail. It is the content of both FTS5 indexes, so FTS5's own rebuild and
  integrity check fold as the triggers do, and nothing folded is stored twice;
- ``search_fts`` (unicode61, prefixes of 1-6 letters, as before) over title and detail, and
  ``search_fts_parts`` (trigram) over the parts of a contact or an account people quote from
  the middle: its name, company, emails and phone numbers;
- ``search_doc.name_key``: a contact's or account's folded name, indexed, so an exact name is
  found at once however many longer names share its words.

PostgreSQL: ``smallcrm_sort_key``/``smallcrm_fold`` functions; ``search_vector`` made from the
folded text; a trigram index over the folded parts; ``name_key`` as on SQLite.

Contact and account notes join their documents. Every "refresh on update" trigger now names the
columns a document is made of (``version`` included, which every change and the import's
deferred refresh set), so writes that only touch other columns (the sort keys of 0008) cost no
refresh. Existing documents are rebuilt.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from __future__ import annotations

import re

from alembic import op

from smallcrm.store import folding_sql as fs

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels = None
depends_on = None

KIND_CODES = {"contact": 1, "account": 2, "opportunity": 3, "interaction": 4, "appointment": 5}
SPAN = 2**40
AGG = {
    "sqlite": "group_concat(m.value, ' ')",
    "postgresql": "string_agg(m.value, ' ' ORDER BY m.id)",
}
_METHODS = "coalesce((SELECT {agg} FROM contact_method m WHERE m.contact_id = r.id), '')"
_ACCOUNT = "coalesce((SELECT a.name FROM account a WHERE a.id = r.account_id), '')"
# kind -> (title, detail, parts) as SQL over the record's row aliased "r"; {methods}/{account}
# are filled in per database. Before this revision: the same without notes and parts.
DOCS = {
    "contact": (
        "trim(r.first_name || ' ' || r.last_name)",
        "coalesce(r.title, '') || ' ' || {methods} || ' ' || {account} || ' ' || r.tags || ' ' || "
        "coalesce(r.city, '') || ' ' || coalesce(r.notes, '')",
        "trim(r.first_name || ' ' || r.last_name) || ' ' || {account} || ' ' || {methods}",
    ),
    "account": (
        "r.name",
        "coalesce(r.industry, '') || ' ' || coalesce(r.website, '') || ' ' || "
        "coalesce(r.city, '') || ' ' || r.tags || ' ' || coalesce(r.notes, '')",
        "r.name || ' ' || coalesce(r.phone, '') || ' ' || coalesce(r.website, '')",
    ),
    "opportunity": (
        "r.name",
        "r.stage || ' ' || {account} || ' ' || coalesce(r.next_step, '')",
        None,
    ),
    "interaction": ("r.subject", "r.kind || ' ' || coalesce(r.body, '')", None),
    "appointment": ("r.title", "coalesce(r.location, '') || ' ' || coalesce(r.notes, '')", None),
}
NOTES = " || ' ' || coalesce(r.notes, '')"
NAMED = ("contact", "account")
DOC_COLUMNS = "id, kind, record_id, title, detail, parts, name_key"
OLD_DOC_COLUMNS = (
    "id, kind, record_id, title, detail"  # kinds whose exact name is looked up (name_key)
)
# The columns each document is made of: an update of any other column leaves it alone.
VERSION = ("version", "deleted_at")


def _docs(dialect: str, new: bool = True) -> dict[str, tuple[str, str, str | None]]:
    filled = {}
    for kind, (title, detail, parts) in DOCS.items():
        if not new and kind in NAMED:
            detail = detail.removesuffix(NOTES)
        fill = {"methods": _METHODS.format(agg=AGG[dialect]), "account": _ACCOUNT}
        filled[kind] = (title, detail.format(**fill), parts.format(**fill) if parts else None)
    return filled


def _columns(kind: str) -> list[str]:
    """The record's columns its document reads (for ``AFTER UPDATE OF``)."""
    used = set(re.findall(r"\br\.(\w+)", " ".join(p or "" for p in DOCS[kind])))
    return sorted(used - {"id"}) + list(VERSION)


def _refresh(kind: str, where: str, dialect: str, new: bool = True) -> str:
    """Rewrite the search documents of the records ``where`` selects (alias r)."""
    code = KIND_CODES[kind] * SPAN
    title, detail, parts = _docs(dialect, new)[kind]
    delete = (
        f"DELETE FROM search_doc WHERE id IN (SELECT {code} + r.id FROM {kind} r WHERE {where});"
    )
    if not new:
        return (
            f"{delete}\nINSERT INTO search_doc (id, kind, record_id, title, detail) "
            f"SELECT {code} + r.id, '{kind}', r.id, {title}, {detail} FROM {kind} r "
            f"WHERE {where} AND r.deleted_at IS NULL;"
        )
    key = "NULL"
    if kind in NAMED:
        key = "smallcrm_fold(d.title)" if dialect == "postgresql" else fs.sqlite_fold("d.title")
    return (
        f"{delete}\nINSERT INTO search_doc (id, kind, record_id, title, detail, parts, name_key) "
        f"SELECT d.id, d.kind, d.record_id, d.title, d.detail, d.parts, {key} FROM ("
        f"SELECT {code} + r.id AS id, '{kind}' AS kind, r.id AS record_id, {title} AS title, "
        f"{detail} AS detail, {parts or 'NULL'} AS parts FROM {kind} r "
        f"WHERE {where} AND r.deleted_at IS NULL) AS d;"
    )


def _record_triggers(dialect: str, new: bool) -> list[tuple[str, str, str, str]]:
    """(table, name, event, body) of every trigger that refreshes documents."""
    ref = {"sqlite": ("new", "old"), "postgresql": ("NEW", "OLD")}[dialect]
    found = []
    for kind, code in KIND_CODES.items():
        of = f"UPDATE OF {', '.join(_columns(kind))}" if new else "UPDATE"
        refresh = _refresh(kind, f"r.id = {ref[0]}.id", dialect, new)
        delete = f"DELETE FROM search_doc WHERE id = {code * SPAN} + {ref[1]}.id;"
        found += [
            (kind, f"{kind}_search_insert", "INSERT", refresh),
            (kind, f"{kind}_search_update", of, refresh),
            (kind, f"{kind}_search_delete", "DELETE", delete),
        ]
    for event, row in (("INSERT", ref[0]), ("UPDATE", ref[0]), ("DELETE", ref[1])):
        refresh = _refresh("contact", f"r.id = {row}.contact_id", dialect, new)
        found.append(("contact_method", f"contact_method_search_{event.lower()}", event, refresh))
    rename = _refresh("contact", f"r.account_id = {ref[0]}.id", dialect, new)
    rename += "\n" + _refresh("opportunity", f"r.account_id = {ref[0]}.id", dialect, new)
    found.append(("account", "account_search_rename", "UPDATE OF name", rename))
    return found


def _run(statement: str) -> None:
    """Run DDL as written: no bind-parameter parsing of its colons (``[:alnum:]``, ``::``)."""
    op.get_bind().exec_driver_sql(statement)


# --- SQLite ----------------------------------------------------------------------------------

_OLD_FTS = (
    "CREATE VIRTUAL TABLE search_fts USING fts5(title, detail, content='search_doc', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 2', prefix='1 2 3 4 5 6')"
)
_FTS = (
    "CREATE VIRTUAL TABLE search_fts USING fts5(title, detail, content='search_text', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 2', prefix='1 2 3 4 5 6')",
    "CREATE VIRTUAL TABLE search_fts_parts USING fts5(parts, content='search_text', "
    "content_rowid='id', tokenize='trigram', columnsize=0)",
)
_INDEXED = (
    "INSERT INTO search_fts(rowid, title, detail) SELECT id, title, detail FROM search_text "
    "WHERE id = {row}.id; INSERT INTO search_fts_parts(rowid, parts) SELECT id, parts "
    "FROM search_text WHERE id = {row}.id AND parts IS NOT NULL;"
)
_UNINDEXED = (
    "INSERT INTO search_fts(search_fts, rowid, title, detail) SELECT 'delete', id, title, "
    "detail FROM search_text WHERE id = {row}.id; INSERT INTO search_fts_parts(search_fts_parts, "
    "rowid, parts) SELECT 'delete', id, parts FROM search_text WHERE id = {row}.id "
    "AND parts IS NOT NULL;"
)
# The index follows search_doc: the folded values come from the view, read before a row goes
# (BEFORE) and after it comes (AFTER), so what is removed is exactly what was added.
_DOC_TRIGGERS = (
    f"CREATE TRIGGER search_doc_ai AFTER INSERT ON search_doc BEGIN {_INDEXED.format(row='new')} END",
    f"CREATE TRIGGER search_doc_bd BEFORE DELETE ON search_doc BEGIN "
    f"{_UNINDEXED.format(row='old')} END",
    "CREATE TRIGGER search_doc_bu BEFORE UPDATE OF title, detail, parts ON search_doc BEGIN "
    f"{_UNINDEXED.format(row='old')} END",
    "CREATE TRIGGER search_doc_au AFTER UPDATE OF title, detail, parts ON search_doc BEGIN "
    f"{_INDEXED.format(row='new')} END",
)
_OLD_DOC_TRIGGERS = (
    "CREATE TRIGGER search_doc_ai AFTER INSERT ON search_doc BEGIN "
    "INSERT INTO search_fts(rowid, title, detail) VALUES (new.id, new.title, new.detail); END",
    "CREATE TRIGGER search_doc_ad AFTER DELETE ON search_doc BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, title, detail) "
    "VALUES ('delete', old.id, old.title, old.detail); END",
    "CREATE TRIGGER search_doc_au AFTER UPDATE ON search_doc BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, title, detail) "
    "VALUES ('delete', old.id, old.title, old.detail); "
    "INSERT INTO search_fts(rowid, title, detail) VALUES (new.id, new.title, new.detail); END",
)
_ALL_DOC_TRIGGERS = (
    "search_doc_ai",
    "search_doc_ad",
    "search_doc_bd",
    "search_doc_bu",
    "search_doc_au",
)


def _sqlite_record_triggers(new: bool) -> list[str]:
    return [
        f"CREATE TRIGGER {name} AFTER {event} ON {table} BEGIN {body} END"
        for table, name, event, body in _record_triggers("sqlite", new)
    ]


def _sqlite_drop_triggers() -> None:
    for _table, name, _event, _body in _record_triggers("sqlite", True):
        _run(f"DROP TRIGGER IF EXISTS {name}")
    for name in _ALL_DOC_TRIGGERS:
        _run(f"DROP TRIGGER IF EXISTS {name}")


def _sqlite_documents(new: bool) -> list[str]:
    """Every live record's document, as the triggers write it (search_doc emptied first)."""
    statements = ["DELETE FROM search_doc"]
    for kind in KIND_CODES:
        statements.append(_refresh(kind, "1 = 1", "sqlite", new).split(";\n", 1)[1])
    return statements


def _sqlite_upgrade() -> None:
    _sqlite_drop_triggers()
    _run("DROP TABLE search_fts")
    for statement in (*fs.SQLITE_TABLES, *fs.sqlite_fill()):
        _run(statement)
    _run("ALTER TABLE search_doc ADD COLUMN parts TEXT")
    _run("ALTER TABLE search_doc ADD COLUMN name_key TEXT")
    for statement in _sqlite_documents(True):
        _run(statement)
    for statement in fs.sqlite_detail_views("search_doc", "search_text"):
        _run(statement)
    for statement in _FTS:
        _run(statement)
    _run("INSERT INTO search_fts(search_fts) VALUES ('rebuild')")
    _run(
        "INSERT INTO search_fts_parts(rowid, parts) "
        "SELECT id, parts FROM search_text WHERE parts IS NOT NULL"
    )
    for statement in (*_DOC_TRIGGERS, *_sqlite_record_triggers(True)):
        _run(statement)
    _run("CREATE INDEX ix_search_doc_name_key ON search_doc (name_key) WHERE name_key IS NOT NULL")


def _sqlite_downgrade() -> None:
    _run("DROP INDEX IF EXISTS ix_search_doc_name_key")
    _sqlite_drop_triggers()
    _run("DROP TABLE search_fts_parts")
    _run("DROP TABLE search_fts")
    for view in fs.sqlite_view_names("search_text"):
        _run(f"DROP VIEW {view}")
    _run("ALTER TABLE search_doc DROP COLUMN name_key")
    _run("ALTER TABLE search_doc DROP COLUMN parts")
    _run("DROP TABLE fold_pos")
    _run("DROP TABLE fold_char")
    for statement in _sqlite_documents(False):
        _run(statement)
    _run(_OLD_FTS)
    _run("INSERT INTO search_fts(search_fts) VALUES ('rebuild')")
    for statement in (*_OLD_DOC_TRIGGERS, *_sqlite_record_triggers(False)):
        _run(statement)


# --- PostgreSQL ------------------------------------------------------------------------------


def _schema() -> str:
    return str(op.get_bind().exec_driver_sql("SELECT current_schema()").scalar_one())


def _pg_documents_function(new: bool) -> str:
    """``smallcrm_search_documents()``: every document as the triggers write it, which the
    back-fill, the consistency check and the rebuild read."""
    selects = []
    for kind, code in KIND_CODES.items():
        title, detail, parts = _docs("postgresql", new)[kind]
        columns = f"({title})::text, ({detail})::text"
        if new:
            key = "smallcrm_fold(" + title + ")" if kind in NAMED else "NULL::text"
            columns += f", ({parts or 'NULL'})::text, {key}"
        selects.append(
            f"SELECT {code * SPAN} + r.id, '{kind}'::text, r.id, {columns} "
            f"FROM {kind} r WHERE r.deleted_at IS NULL"
        )
    returns = "id bigint, kind text, record_id integer, title text, detail text"
    returns += ", parts text, name_key text" if new else ""
    return (
        f"CREATE FUNCTION smallcrm_search_documents() RETURNS TABLE ({returns}) "
        "LANGUAGE sql STABLE AS $$ " + " UNION ALL ".join(selects) + " $$"
    )


def _pg_triggers(new: bool) -> list[str]:
    deferred = (  # a large import defers contact documents (io/bulk.py)
        "IF current_setting('smallcrm.defer_search', true) = 'on' THEN\n  RETURN NULL;\nEND IF;\n"
    )
    bodies: dict[tuple[str, str], list[str]] = {}
    events: dict[tuple[str, str], list[str]] = {}
    for table, name, event, body in _record_triggers("postgresql", new):
        function = (
            "smallcrm_search_account_rename"
            if name == "account_search_rename"
            else (f"smallcrm_search_{'method' if table == 'contact_method' else table}")
        )
        key = (table, function)
        step = event.split()[0]
        guard = f"IF TG_OP = '{step}' THEN\n  {body}\nEND IF;"
        bodies.setdefault(key, []).append(
            guard if function != "smallcrm_search_account_rename" else body
        )
        events.setdefault(key, []).append(event)
    statements = []
    for (table, function), parts in bodies.items():
        lead = deferred if table in ("contact", "contact_method") else ""
        statements.append(
            f"CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $body$\nBEGIN\n"
            f"{lead}{chr(10).join(parts)}\nRETURN NULL;\nEND\n$body$"
        )
        name = (
            "account_search_rename"
            if function.endswith("rename")
            else ("contact_method_search" if table == "contact_method" else f"{table}_search")
        )
        when = (
            " WHEN (OLD.name IS DISTINCT FROM NEW.name)" if name == "account_search_rename" else ""
        )
        statements.append(
            f"CREATE TRIGGER {name} AFTER {' OR '.join(events[(table, function)])} ON {table} "
            f"FOR EACH ROW{when} EXECUTE FUNCTION {function}()"
        )
    return statements


_PG_TRIGGERS = (*(f"{kind}_search ON {kind}" for kind in KIND_CODES),
                "contact_method_search ON contact_method", "account_search_rename ON account")  # fmt: skip
_PG_FUNCTIONS = (
    "smallcrm_search_documents()", "smallcrm_search_method()", "smallcrm_search_account_rename()",
    *(f"smallcrm_search_{kind}()" for kind in KIND_CODES),
)  # fmt: skip


def _pg_drop_search() -> None:
    for trigger in _PG_TRIGGERS:
        _run(f"DROP TRIGGER IF EXISTS {trigger}")
    for function in _PG_FUNCTIONS:
        _run(f"DROP FUNCTION IF EXISTS {function}")
    _run("DROP INDEX IF EXISTS ix_search_doc_vector")
    _run("DROP INDEX IF EXISTS ix_search_doc_title_trgm")
    _run("ALTER TABLE search_doc DROP COLUMN IF EXISTS search_vector")


def _pg_search(schema: str, new: bool) -> list[str]:
    fold = f"{schema}.smallcrm_search_text"
    text = (lambda c: f"{fold}({schema}.smallcrm_fold({c}))") if new else (lambda c: f"{fold}({c})")
    title = f"{schema}.smallcrm_fold(title)" if new else f"lower({fold}(title))"
    return [
        "ALTER TABLE search_doc ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
        f"setweight(to_tsvector('simple'::regconfig, {text('title')}), 'A') || "
        f"setweight(to_tsvector('simple'::regconfig, {text('detail')}), 'B')) STORED",
        "CREATE INDEX ix_search_doc_vector ON search_doc USING gin (search_vector)",
        f"CREATE INDEX ix_search_doc_title_trgm ON search_doc USING gin ({title} gin_trgm_ops)",
        _pg_documents_function(new),
        *_pg_triggers(new),
        "DELETE FROM search_doc",
        f"INSERT INTO search_doc ({DOC_COLUMNS if new else OLD_DOC_COLUMNS}) "
        "SELECT * FROM smallcrm_search_documents()",
    ]


def _pg_upgrade() -> None:
    schema = _schema()
    _pg_drop_search()
    for statement in fs.postgresql_functions(schema):
        _run(statement)
    _run("ALTER TABLE search_doc ADD COLUMN parts TEXT")
    _run("ALTER TABLE search_doc ADD COLUMN name_key TEXT")
    for statement in _pg_search(schema, True):
        _run(statement)
    _run(
        "CREATE INDEX ix_search_doc_parts_trgm ON search_doc "
        f"USING gin ({schema}.smallcrm_fold(parts) gin_trgm_ops) WHERE parts IS NOT NULL"
    )
    _run("CREATE INDEX ix_search_doc_name_key ON search_doc (name_key) WHERE name_key IS NOT NULL")


def _pg_downgrade() -> None:
    schema = _schema()
    _run("DROP INDEX IF EXISTS ix_search_doc_name_key")
    _run("DROP INDEX IF EXISTS ix_search_doc_parts_trgm")
    _pg_drop_search()
    _run("ALTER TABLE search_doc DROP COLUMN name_key")
    _run("ALTER TABLE search_doc DROP COLUMN parts")
    for statement in _pg_search(schema, False):
        _run(statement)
    _run("DROP FUNCTION smallcrm_fold(text)")
    _run("DROP FUNCTION smallcrm_sort_key(text)")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _pg_upgrade()
    else:
        _sqlite_upgrade()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _pg_downgrade()
    else:
        _sqlite_downgrade()
