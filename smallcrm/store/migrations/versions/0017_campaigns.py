"""Marketing campaigns, their audiences, and the leads and deals they bring.

- ``campaign``: a campaign with its code, channel, status, dates, budget and actual cost.
- ``campaign_member``: a contact in a campaign's audience, with its status there (targeted,
  sent, bounced, responded, opted out, converted) and when it first responded (a response
  still counts after a later opt-out); one row per campaign and contact. Purging a
  contact removes its memberships (ON DELETE CASCADE), as it removes its emails and phones.
- ``contact.lifecycle_stage`` (lead, prospect, customer, former customer) and
  ``contact.source_campaign_id`` (the campaign that brought the contact: first touch);
  ``opportunity.campaign_id`` (the one campaign a deal credits). SQLite gets plain
  ``ALTER TABLE ... ADD COLUMN``: a batch rebuild would drop the tables' triggers.
- Search: campaigns are documents of their own (kind code 7): the name, then the code, channel,
  status and notes. SQLite's view ``search_fts_rows`` maps a kind's code to its slot in the
  FTS5 rowids; it is made again with code 7 in slot 7 (after interactions: campaigns are few,
  and a new slot at the end leaves every existing rowid where it is, so nothing is re-indexed).
  PostgreSQL's ``smallcrm_search_documents()`` gets their rows added.
- SQLite keeps the live count of campaigns in ``record_count`` as for the other kinds.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels = None
depends_on = None

KIND = "campaign"
CODE = 7 * 2**40
SPAN = 2**40
TITLE = "r.name"
DETAIL = (
    "'campaign ' || r.code || ' ' || r.channel || ' ' || r.status || ' ' || coalesce(r.notes, '')"
)
WATCHED = "name, code, channel, status, notes, version, deleted_at"
# kind code -> slot in SQLite's FTS5 rowids, before and after this migration (see 0013).
SLOTS_BEFORE = {1: 1, 2: 2, 3: 3, 5: 4, 6: 5, 4: 6}
SLOTS = {**SLOTS_BEFORE, 7: 7}


def _run(statement: str) -> None:
    """Run DDL as written: no bind-parameter parsing of its colons (``::text``)."""
    op.get_bind().exec_driver_sql(statement)


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def _view(slots: dict[int, int]) -> str:
    cases = " ".join(f"WHEN {code} THEN {slot}" for code, slot in slots.items())
    return (
        f"CREATE VIEW search_fts_rows AS SELECT (CASE id / {SPAN} {cases} END) * {SPAN} "
        f"+ {SPAN - 1} - id % {SPAN} AS fts_id, id, title, detail, parts FROM search_text"
    )


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


def _create_tables() -> None:
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
        sa.Column("name", text(length=200), nullable=False),
        sa.Column("code", text(length=20), nullable=False),
        sa.Column("channel", text(length=20), nullable=False),
        sa.Column("status", text(length=20), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("budget_cents", sa.Integer(), nullable=True),
        sa.Column("cost_cents", sa.Integer(), nullable=True),
        sa.Column("owner", text(length=120), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_campaign_code", KIND, ["code"], unique=True)
    op.create_table(
        "campaign_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("status", text(length=20), server_default="targeted", nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("responded_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaign.id"]),
        sa.ForeignKeyConstraint(["contact_id"], ["contact.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("campaign_id", "contact_id", name="uq_campaign_member"),
    )
    op.create_index("ix_campaign_member_contact_id", "campaign_member", ["contact_id"])
    op.create_index(
        "ix_campaign_member_campaign_status",
        "campaign_member",
        ["campaign_id", "status", "responded_at"],
    )


def _sqlite_upgrade() -> None:
    _run("ALTER TABLE contact ADD COLUMN lifecycle_stage VARCHAR(20)")
    _run("ALTER TABLE contact ADD COLUMN source_campaign_id INTEGER REFERENCES campaign (id)")
    _run("ALTER TABLE opportunity ADD COLUMN campaign_id INTEGER REFERENCES campaign (id)")
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
        # The FTS5 triggers on search_doc read this view by name; it is replaced in the same
        # transaction, before any campaign document exists.
        "DROP VIEW search_fts_rows",
        _view(SLOTS),
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
    op.add_column("contact", sa.Column("lifecycle_stage", sa.String(20), nullable=True))
    op.add_column("contact", sa.Column("source_campaign_id", sa.Integer(), nullable=True))
    op.create_foreign_key(None, "contact", KIND, ["source_campaign_id"], ["id"])
    op.add_column("opportunity", sa.Column("campaign_id", sa.Integer(), nullable=True))
    op.create_foreign_key(None, "opportunity", KIND, ["campaign_id"], ["id"])
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


def _indexes() -> None:
    """Partial indexes of the live records naming a campaign (most name none): the figures
    count leads and sum deals from them alone."""
    for name, table, columns in (
        ("ix_contact_source_campaign_id", "contact", "source_campaign_id"),
        ("ix_opportunity_campaign_id", "opportunity", "campaign_id, stage, amount_cents"),
    ):
        first = columns.split(",")[0]
        _run(
            f"CREATE INDEX {name} ON {table} ({columns}) "
            f"WHERE deleted_at IS NULL AND {first} IS NOT NULL"
        )


def upgrade() -> None:
    _create_tables()
    if _postgresql():
        _pg_upgrade()
    else:
        _sqlite_upgrade()
    _indexes()


def downgrade() -> None:
    _run(f"DELETE FROM search_doc WHERE kind = '{KIND}'")
    op.drop_index("ix_contact_source_campaign_id", table_name="contact")
    op.drop_index("ix_opportunity_campaign_id", table_name="opportunity")
    if _postgresql():
        _run(f"DROP TRIGGER IF EXISTS {KIND}_search ON {KIND}")
        _run(f"DROP FUNCTION IF EXISTS smallcrm_search_{KIND}()")
        _run(_pg_documents_function(_pg_documents_body().replace(_PG_SELECT, "")))
        for table, column in (
            ("contact", "source_campaign_id"),
            ("contact", "lifecycle_stage"),
            ("opportunity", "campaign_id"),
        ):
            op.drop_column(table, column)  # drops its foreign key with it
    else:
        for name in ("count_insert", "count_delete", "count_trash"):
            _run(f"DROP TRIGGER IF EXISTS {KIND}_{name}")
        for name in ("search_insert", "search_update", "search_delete"):
            _run(f"DROP TRIGGER IF EXISTS {KIND}_{name}")
        _run(f"DELETE FROM record_count WHERE kind = '{KIND}'")
        _run("DROP VIEW search_fts_rows")
        _run(_view(SLOTS_BEFORE))
        for table, column in (
            ("contact", "source_campaign_id"),
            ("contact", "lifecycle_stage"),
            ("opportunity", "campaign_id"),
        ):
            _run(f"ALTER TABLE {table} DROP COLUMN {column}")
    op.drop_table("campaign_member")
    op.drop_table(KIND)
