"""Customer service cases, and interactions logged on a case.

- ``service_case``: a case with its contact or account, status, priority, type, channel, owner
  and the clocks of its response and resolution targets (see ``models.ServiceCase``). "case"
  itself is an SQL keyword, hence the table's name.
- ``interaction.case_id``: the case an interaction was logged on. SQLite gets a plain
  ``ALTER TABLE ... ADD COLUMN``: a batch rebuild of the table would drop its search, count and
  sort-key triggers.
- Search: cases are documents of their own (kind code 6): the subject, then the number, status
  and description. PostgreSQL's ``smallcrm_search_documents()`` gets their rows added, so the
  index check and the rebuild cover them.
- SQLite keeps the live count of cases in ``record_count`` as for the other kinds.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels = None
depends_on = None

KIND = "service_case"
CODE = 6 * 2**40
TITLE = "r.subject"
DETAIL = "'case ' || r.id || ' ' || r.status || ' ' || coalesce(r.description, '')"
WATCHED = "subject, description, status, version, deleted_at"
_OPEN = "deleted_at IS NULL AND resolved_at IS NULL"


def _run(statement: str) -> None:
    """Run DDL as written: no bind-parameter parsing of its colons (``::text``)."""
    op.get_bind().exec_driver_sql(statement)


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def _documents(where: str) -> str:
    return (
        "SELECT d.id, d.kind, d.record_id, d.title, d.detail, d.parts, NULL FROM ("
        f"SELECT {CODE} + r.id AS id, '{KIND}' AS kind, r.id AS record_id, {TITLE} AS title, "
        f"{DETAIL} AS detail, NULL AS parts FROM {KIND} r "
        f"WHERE {where} AND r.deleted_at IS NULL) AS d"
    )


def _refresh(row: str) -> str:
    return (
        f"DELETE FROM search_doc WHERE id = {CODE} + {row}.id;\n"
        "INSERT INTO search_doc (id, kind, record_id, title, detail, parts, name_key) "
        f"{_documents(f'r.id = {row}.id')};"
    )


def _create_table() -> None:
    text = sa.String
    op.create_table(
        KIND,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", text(length=120), nullable=False),
        sa.Column("updated_by", text(length=120), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_by", text(length=120), nullable=True),
        sa.Column("subject", text(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("status", text(length=20), nullable=False),
        sa.Column("close_reason", text(length=20), nullable=True),
        sa.Column("priority", text(length=10), nullable=False),
        sa.Column("case_type", text(length=20), nullable=False),
        sa.Column("channel", text(length=10), nullable=False),
        sa.Column("owner", text(length=120), nullable=True),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("response_target", sa.Integer(), nullable=False),
        sa.Column("resolve_target", sa.Integer(), nullable=False),
        sa.Column("response_used", sa.Integer(), server_default="0", nullable=False),
        sa.Column("resolve_used", sa.Integer(), server_default="0", nullable=False),
        *(
            sa.Column(name, sa.DateTime(timezone=True), nullable=True)
            for name in ("running_since", "first_response_at", "resolved_at", "due_at", "risk_at")
        ),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"]),
        sa.ForeignKeyConstraint(["contact_id"], ["contact.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    for column in ("owner", "contact_id", "account_id"):
        op.create_index(f"ix_{KIND}_{column}", KIND, [column])
    _run(f"CREATE INDEX ix_{KIND}_open_due ON {KIND} ((due_at IS NULL), due_at, id) WHERE {_OPEN}")


def _sqlite_upgrade() -> None:
    _run("ALTER TABLE interaction ADD COLUMN case_id INTEGER REFERENCES service_case (id)")
    _run("CREATE INDEX ix_interaction_case_id ON interaction (case_id)")
    _run(f"INSERT INTO record_count (kind, live) VALUES ('{KIND}', 0)")
    change = f"UPDATE record_count SET live = live + ({{delta}}) WHERE kind = '{KIND}';"
    for statement in (
        f"CREATE TRIGGER {KIND}_count_insert AFTER INSERT ON {KIND} "
        f"WHEN new.deleted_at IS NULL BEGIN {change.format(delta=1)} END",
        f"CREATE TRIGGER {KIND}_count_delete AFTER DELETE ON {KIND} "
        f"WHEN old.deleted_at IS NULL BEGIN {change.format(delta=-1)} END",
        f"CREATE TRIGGER {KIND}_count_trash AFTER UPDATE OF deleted_at ON {KIND} "
        f"WHEN (old.deleted_at IS NULL) <> (new.deleted_at IS NULL) BEGIN "
        f"{change.format(delta='CASE WHEN new.deleted_at IS NULL THEN 1 ELSE -1 END')} END",
        f"CREATE TRIGGER {KIND}_search_insert AFTER INSERT ON {KIND} BEGIN {_refresh('new')} END",
        f"CREATE TRIGGER {KIND}_search_update AFTER UPDATE OF {WATCHED} ON {KIND} "
        f"BEGIN {_refresh('new')} END",
        f"CREATE TRIGGER {KIND}_search_delete AFTER DELETE ON {KIND} "
        f"BEGIN DELETE FROM search_doc WHERE id = {CODE} + old.id; END",
    ):
        _run(statement)


def _pg_documents_body() -> str:
    return str(
        op.get_bind()
        .exec_driver_sql("SELECT prosrc FROM pg_proc WHERE proname = 'smallcrm_search_documents'")
        .scalar_one()
    )


def _pg_documents_function(body: str) -> str:
    return (
        "CREATE OR REPLACE FUNCTION smallcrm_search_documents() RETURNS TABLE (id bigint, "
        "kind text, record_id integer, title text, detail text, parts text, name_key text) "
        f"LANGUAGE sql STABLE AS $${body}$$"
    )


_PG_SELECT = (
    f" UNION ALL SELECT {CODE} + r.id, '{KIND}'::text, r.id, ({TITLE})::text, ({DETAIL})::text, "
    f"NULL::text, NULL::text FROM {KIND} r WHERE r.deleted_at IS NULL "
)


def _pg_upgrade() -> None:
    op.add_column("interaction", sa.Column("case_id", sa.Integer(), nullable=True))
    op.create_foreign_key(None, "interaction", KIND, ["case_id"], ["id"])
    op.create_index("ix_interaction_case_id", "interaction", ["case_id"])
    body = _pg_documents_body().rstrip()
    _run(_pg_documents_function(body + _PG_SELECT))
    _run(
        f"CREATE FUNCTION smallcrm_search_{KIND}() RETURNS trigger LANGUAGE plpgsql AS $body$\n"
        f"BEGIN\nIF TG_OP = 'DELETE' THEN\n  DELETE FROM search_doc WHERE id = {CODE} + OLD.id;\n"
        f"ELSE\n  {_refresh('NEW')}\nEND IF;\nRETURN NULL;\nEND\n$body$"
    )
    _run(
        f"CREATE TRIGGER {KIND}_search AFTER INSERT OR DELETE OR UPDATE OF {WATCHED} ON {KIND} "
        f"FOR EACH ROW EXECUTE FUNCTION smallcrm_search_{KIND}()"
    )


def upgrade() -> None:
    _create_table()
    if _postgresql():
        _pg_upgrade()
    else:
        _sqlite_upgrade()


def downgrade() -> None:
    _run(f"DELETE FROM search_doc WHERE kind = '{KIND}'")
    if _postgresql():
        _run(f"DROP TRIGGER IF EXISTS {KIND}_search ON {KIND}")
        _run(f"DROP FUNCTION IF EXISTS smallcrm_search_{KIND}()")
        _run(_pg_documents_function(_pg_documents_body().replace(_PG_SELECT, "")))
        op.drop_index("ix_interaction_case_id", table_name="interaction")
        op.drop_column("interaction", "case_id")  # drops its foreign key with it
    else:
        for name in ("count_insert", "count_delete", "count_trash"):
            _run(f"DROP TRIGGER IF EXISTS {KIND}_{name}")
        for name in ("search_insert", "search_update", "search_delete"):
            _run(f"DROP TRIGGER IF EXISTS {KIND}_{name}")
        _run(f"DELETE FROM record_count WHERE kind = '{KIND}'")
        _run("DROP INDEX ix_interaction_case_id")
        _run("ALTER TABLE interaction DROP COLUMN case_id")
    op.drop_table(KIND)
