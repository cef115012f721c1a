"""PostgreSQL: full-text search kept by triggers (SQLite: no change).

SQLite got this in 0001 (FTS5 over ``search_doc``). PostgreSQL gets the same ``search_doc`` rows, with the same ids, from plpgsql triggers, so the
search and name-resolution services share their ranking SQL between the two databases:

- ``smallcrm_unaccent(text)``: an IMMUTABLE wrapper around ``unaccent`` (which is only STABLE,
  because its dictionary could change), so it may appear in a generated column and an index;
- ``smallcrm_search_text(text)``: NFC, accents removed, everything but letters and digits made
  a space. The default text-search parser keeps ``jan@acme.example`` or ``jean-luc`` whole; FTS5
  splits them into words, and so does this;
- ``search_doc.search_vector``: a generated ``tsvector`` (title weighted A, detail B, so a
  title-only query is ``word:*A``) with a GIN index; ``'simple'`` configuration, no stemming,
  as FTS5's ``unicode61``;
- a trigram GIN index on the folded title, for typo-tolerant name suggestions;
- ``search_doc.id`` becomes BIGINT: each kind is an id range of 2**40 values.

Existing rows are back-filled.

``record_count`` (0004) is not kept on PostgreSQL: a trigger adding to one counter row makes a
new version of that row per insert, and within one transaction (an import, ``migrate-to``)
PostgreSQL walks every earlier version on each update: 10,000 inserts took 0.8 s, 40,000 took
36 s. PostgreSQL counts live rows from the tables instead (``listing.live_count``).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels = None
depends_on = None

KIND_CODES = {"contact": 1, "account": 2, "opportunity": 3, "interaction": 4, "appointment": 5}
SPAN = 2**40

# As 0001's DOCS (the SQLite documents), in PostgreSQL's words: group_concat -> string_agg.
DOCS = {
    "contact": (
        "trim(r.first_name || ' ' || r.last_name)",
        "coalesce(r.title, '') || ' ' || coalesce((SELECT string_agg(m.value, ' ' ORDER BY m.id) "
        "FROM contact_method m WHERE m.contact_id = r.id), '') || ' ' || "
        "coalesce((SELECT a.name FROM account a WHERE a.id = r.account_id), '') || ' ' || "
        "r.tags || ' ' || coalesce(r.city, '')",
    ),
    "account": (
        "r.name",
        "coalesce(r.industry, '') || ' ' || coalesce(r.website, '') || ' ' || "
        "coalesce(r.city, '') || ' ' || r.tags",
    ),
    "opportunity": (
        "r.name",
        "r.stage || ' ' || coalesce((SELECT a.name FROM account a WHERE a.id = r.account_id), '')"
        " || ' ' || coalesce(r.next_step, '')",
    ),
    "interaction": ("r.subject", "r.kind || ' ' || coalesce(r.body, '')"),
    "appointment": (
        "r.title",
        "coalesce(r.location, '') || ' ' || coalesce(r.notes, '')",
    ),
}

FUNCTIONS = (
    "smallcrm_search_text(text)",
    "smallcrm_unaccent(text)",
    "smallcrm_tsquery(text, boolean, boolean, boolean)",
    "smallcrm_search_documents()",
    "smallcrm_search_method()",
    "smallcrm_search_account_rename()",
    *(f"smallcrm_search_{kind}()" for kind in KIND_CODES),
)


def _run(statement: str) -> None:
    """Run DDL as written: no bind-parameter parsing of its colons (``[:alnum:]``, ``::``)."""
    op.get_bind().exec_driver_sql(statement)


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def _schema_of(extension: str) -> str:
    """The schema an extension's functions live in (wherever an administrator put it)."""
    return (
        op.get_bind()
        .exec_driver_sql(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
            f"WHERE e.extname = '{extension}'"
        )
        .scalar_one()
    )


def _refresh(kind: str, where: str) -> str:
    """Rewrite the search documents of the records ``where`` selects (alias r), as 0001 does."""
    code = KIND_CODES[kind] * SPAN
    title, detail = DOCS[kind]
    return (
        f"DELETE FROM search_doc WHERE id IN (SELECT {code} + r.id FROM {kind} r WHERE {where});\n"
        f"INSERT INTO search_doc (id, kind, record_id, title, detail) "
        f"SELECT {code} + r.id, '{kind}', r.id, {title}, {detail} FROM {kind} r "
        f"WHERE {where} AND r.deleted_at IS NULL;"
    )


def _documents_function() -> str:
    """``smallcrm_search_documents()``: every search document as the triggers would write it,
    which the back-fill, the consistency check and the rebuild all read."""
    selects = []
    for kind, code in KIND_CODES.items():
        title, detail = DOCS[kind]
        selects.append(
            f"SELECT {code * SPAN} + r.id, '{kind}'::text, r.id, ({title})::text, "
            f"({detail})::text FROM {kind} r WHERE r.deleted_at IS NULL"
        )
    return (
        "CREATE FUNCTION smallcrm_search_documents() RETURNS TABLE (id bigint, kind text, "
        "record_id integer, title text, detail text) LANGUAGE sql STABLE AS $$ "
        + " UNION ALL ".join(selects)
        + " $$"
    )


def _function(name: str, body: str) -> str:
    return (
        f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $body$\n"
        f"BEGIN\n{body}\nRETURN NULL;\nEND\n$body$"
    )


def _text_functions(schema: str) -> list[str]:
    """Folding shared by the index and the queries; every name schema-qualified so a restore
    by pg_dump (which empties search_path) can still compute the generated column."""
    unaccent = _schema_of("unaccent")
    return [
        f"CREATE FUNCTION {schema}.smallcrm_unaccent(text) RETURNS text "
        "LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS "
        f"$$ SELECT {unaccent}.unaccent('{unaccent}.unaccent'::regdictionary, $1) $$",
        f"CREATE FUNCTION {schema}.smallcrm_search_text(text) RETURNS text "
        "LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS "
        f"$$ SELECT pg_catalog.regexp_replace({schema}.smallcrm_unaccent("
        "pg_catalog.normalize($1, 'NFC')), '[^[:alnum:]]+', ' ', 'g') $$",
        # Words as typed -> a tsquery: each folded word a prefix (``prefix``) or whole, in
        # titles only (``titles``: weight A) or anywhere, all required (``every``) or any.
        # Folding leaves letters and digits only, so no user input can be tsquery syntax.
        f"CREATE FUNCTION {schema}.smallcrm_tsquery(words text, prefix boolean, titles boolean, "
        "every boolean) RETURNS tsquery LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS "
        "$$ SELECT pg_catalog.to_tsquery('simple', coalesce(pg_catalog.string_agg("
        "w || CASE WHEN prefix OR titles THEN ':' ELSE '' END || CASE WHEN prefix THEN '*' "
        "ELSE '' END || CASE WHEN titles THEN 'A' ELSE '' END, CASE WHEN every THEN ' & ' "
        "ELSE ' | ' END), '')) FROM pg_catalog.regexp_split_to_table(pg_catalog.btrim("
        f"{schema}.smallcrm_search_text(words)), ' +') AS w WHERE w <> '' $$",
    ]


# A large import sets this (``SearchDeferral`` in io/bulk.py, for its transaction only) and
# refreshes the contacts it wrote once at the end, as it drops the triggers on SQLite.
_DEFERRED = (
    "IF current_setting('smallcrm.defer_search', true) = 'on' THEN\n  RETURN NULL;\nEND IF;\n"
)


def _search_triggers() -> list[str]:
    statements = []
    for kind, code in KIND_CODES.items():
        body = (
            (_DEFERRED if kind == "contact" else "") + "IF TG_OP = 'DELETE' THEN\n"
            f"  DELETE FROM search_doc WHERE id = {code * SPAN} + OLD.id;\n"
            "ELSE\n"
            f"  {_refresh(kind, 'r.id = NEW.id')}\n"
            "END IF;"
        )
        statements += [
            _function(f"smallcrm_search_{kind}", body),
            f"CREATE TRIGGER {kind}_search AFTER INSERT OR UPDATE OR DELETE ON {kind} "
            f"FOR EACH ROW EXECUTE FUNCTION smallcrm_search_{kind}()",
        ]
    method = (
        _DEFERRED + "IF TG_OP = 'DELETE' THEN\n"
        f"  {_refresh('contact', 'r.id = OLD.contact_id')}\n"
        "ELSE\n"
        f"  {_refresh('contact', 'r.id = NEW.contact_id')}\n"
        "END IF;"
    )
    rename = f"{_refresh('contact', 'r.account_id = NEW.id')}\n" + _refresh(
        "opportunity", "r.account_id = NEW.id"
    )
    return statements + [
        _function("smallcrm_search_method", method),
        "CREATE TRIGGER contact_method_search AFTER INSERT OR UPDATE OR DELETE ON contact_method "
        "FOR EACH ROW EXECUTE FUNCTION smallcrm_search_method()",
        # A renamed account renames itself in its contacts' and opportunities' documents.
        _function("smallcrm_search_account_rename", rename),
        "CREATE TRIGGER account_search_rename AFTER UPDATE OF name ON account FOR EACH ROW "
        "WHEN (OLD.name IS DISTINCT FROM NEW.name) "
        "EXECUTE FUNCTION smallcrm_search_account_rename()",
    ]


def _search_index(schema: str) -> list[str]:
    fold = f"{schema}.smallcrm_search_text"
    return [
        "ALTER TABLE search_doc ALTER COLUMN id TYPE BIGINT",
        "ALTER TABLE search_doc ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
        f"setweight(to_tsvector('simple'::regconfig, {fold}(title)), 'A') || "
        f"setweight(to_tsvector('simple'::regconfig, {fold}(detail)), 'B')) STORED",
        "CREATE INDEX ix_search_doc_vector ON search_doc USING gin (search_vector)",
        f"CREATE INDEX ix_search_doc_title_trgm ON search_doc "
        f"USING gin (lower({fold}(title)) gin_trgm_ops)",
        # Back-fill: every live record's document, exactly as the triggers would write it.
        _documents_function(),
        "DELETE FROM search_doc",
        "INSERT INTO search_doc (id, kind, record_id, title, detail) "
        "SELECT * FROM smallcrm_search_documents()",
    ]


def upgrade() -> None:
    if not _postgresql():
        return  # SQLite has had all of this since 0001 and 0004.
    _run("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    _run("CREATE EXTENSION IF NOT EXISTS unaccent")
    schema = op.get_bind().exec_driver_sql("SELECT current_schema()").scalar_one()
    for statement in _text_functions(schema) + _search_triggers() + _search_index(schema):
        _run(statement)


def downgrade() -> None:
    if not _postgresql():
        return
    for kind in KIND_CODES:
        op.execute(f"DROP TRIGGER IF EXISTS {kind}_search ON {kind}")
    op.execute("DROP TRIGGER IF EXISTS contact_method_search ON contact_method")
    op.execute("DROP TRIGGER IF EXISTS account_search_rename ON account")
    op.execute("DROP INDEX IF EXISTS ix_search_doc_title_trgm")
    op.execute("DROP INDEX IF EXISTS ix_search_doc_vector")
    op.execute("ALTER TABLE search_doc DROP COLUMN IF EXISTS search_vector")
    op.execute("DELETE FROM search_doc")  # PostgreSQL before 0005 had no search documents
    op.execute("ALTER TABLE search_doc ALTER COLUMN id TYPE INTEGER")
    for function in FUNCTIONS:
        op.execute(f"DROP FUNCTION IF EXISTS {function}")
