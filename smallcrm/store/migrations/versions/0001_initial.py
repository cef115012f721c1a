"""Initial schema: accounts, contacts, interactions, opportunities, appointments, audit, search.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels = None
depends_on = None

# Default pipeline: (name, position, probability %, closed, won).
STAGES = [
    ("lead", 1, 10, False, False),
    ("qualified", 2, 25, False, False),
    ("proposal", 3, 50, False, False),
    ("negotiation", 4, 75, False, False),
    ("won", 5, 100, True, True),
    ("lost", 6, 0, True, False),
]

# Each kind is a rowid range of the search index: search_doc.id = code * 2**40 + record id.
KIND_CODES = {"contact": 1, "account": 2, "opportunity": 3, "interaction": 4, "appointment": 5}
SPAN = 2**40

# title and detail text indexed for each kind, as SQL over the record's row aliased "r".
DOCS = {
    "contact": (
        "trim(r.first_name || ' ' || r.last_name)",
        "coalesce(r.title, '') || ' ' || coalesce((SELECT group_concat(m.value, ' ') "
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


def _refresh(kind: str, where: str) -> str:
    """SQL that rewrites the search documents of the records ``where`` selects (alias r).

    Trashed records lose their document, so search never finds them.
    """
    code = KIND_CODES[kind] * SPAN
    title, detail = DOCS[kind]
    return (
        f"DELETE FROM search_doc WHERE id IN (SELECT {code} + r.id FROM {kind} r WHERE {where});\n"
        f"INSERT INTO search_doc (id, kind, record_id, title, detail) "
        f"SELECT {code} + r.id, '{kind}', r.id, {title}, {detail} FROM {kind} r "
        f"WHERE {where} AND r.deleted_at IS NULL;"
    )


def _sqlite_search_sql() -> list[str]:
    statements = [
        "CREATE VIRTUAL TABLE search_fts USING fts5(title, detail, content='search_doc', "
        "content_rowid='id', tokenize='unicode61 remove_diacritics 2', prefix='1 2 3')",
        "CREATE TRIGGER search_doc_ai AFTER INSERT ON search_doc BEGIN "
        "INSERT INTO search_fts(rowid, title, detail) VALUES (new.id, new.title, new.detail); END",
        "CREATE TRIGGER search_doc_ad AFTER DELETE ON search_doc BEGIN "
        "INSERT INTO search_fts(search_fts, rowid, title, detail) "
        "VALUES ('delete', old.id, old.title, old.detail); END",
        "CREATE TRIGGER search_doc_au AFTER UPDATE ON search_doc BEGIN "
        "INSERT INTO search_fts(search_fts, rowid, title, detail) "
        "VALUES ('delete', old.id, old.title, old.detail); "
        "INSERT INTO search_fts(rowid, title, detail) VALUES (new.id, new.title, new.detail); END",
    ]
    for kind in KIND_CODES:
        for event in ("INSERT", "UPDATE"):
            statements.append(
                f"CREATE TRIGGER {kind}_search_{event.lower()} AFTER {event} ON {kind} "
                f"BEGIN {_refresh(kind, 'r.id = new.id')} END"
            )
        statements.append(
            f"CREATE TRIGGER {kind}_search_delete AFTER DELETE ON {kind} BEGIN "
            f"DELETE FROM search_doc WHERE id = {KIND_CODES[kind] * SPAN} + old.id; END"
        )
    for event, ref in (("INSERT", "new"), ("UPDATE", "new"), ("DELETE", "old")):
        statements.append(
            f"CREATE TRIGGER contact_method_search_{event.lower()} AFTER {event} "
            f"ON contact_method BEGIN {_refresh('contact', f'r.id = {ref}.contact_id')} END"
        )
    # A renamed account renames itself in its contacts' and opportunities' documents.
    statements.append(
        "CREATE TRIGGER account_search_rename AFTER UPDATE OF name ON account "
        "WHEN old.name IS NOT new.name BEGIN "
        f"{_refresh('contact', 'r.account_id = new.id')} "
        f"{_refresh('opportunity', 'r.account_id = new.id')} END"
    )
    return statements


def _create_search_index() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return  # PostgreSQL search (tsvector, pg_trgm) comes with its own revision.
    for statement in _sqlite_search_sql():
        op.execute(statement)


def upgrade() -> None:
    op.create_table(
        "account",
        sa.Column("street", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("postal_code", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("city", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
        sa.Column("country", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("updated_by", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_by", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("industry", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
        sa.Column("website", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.Column("phone", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("owner", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
        sa.Column("tags", sa.Text(), server_default="", nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("external_id", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("account", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_account_external_id"), ["external_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_account_name"), ["name"], unique=False)
        batch_op.create_index(batch_op.f("ix_account_owner"), ["owner"], unique=False)

    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("changes", sa.Text(), server_default="{}", nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_entry_at"), ["at"], unique=False)
        batch_op.create_index("ix_audit_entry_record", ["kind", "record_id", "id"], unique=False)

    op.create_table(
        "search_doc",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("detail", sa.Text(), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "setting",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "stage",
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("probability", sa.Integer(), nullable=False),
        sa.Column("is_closed", sa.Boolean(), nullable=False),
        sa.Column("is_won", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "contact",
        sa.Column("street", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("postal_code", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("city", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
        sa.Column("country", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("updated_by", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_by", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
        sa.Column(
            "first_name",
            sqlmodel.sql.sqltypes.AutoString(length=120),
            server_default="",
            nullable=False,
        ),
        sa.Column(
            "last_name",
            sqlmodel.sql.sqltypes.AutoString(length=120),
            server_default="",
            nullable=False,
        ),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("birthday", sa.Date(), nullable=True),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
        sa.Column("owner", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
        sa.Column("tags", sa.Text(), server_default="", nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("external_id", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("email_opt_in", sa.Boolean(), nullable=True),
        sa.Column("email_consent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "email_consent_source", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True
        ),
        sa.Column("phone_opt_in", sa.Boolean(), nullable=True),
        sa.Column("phone_consent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "phone_consent_source", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["account.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contact_account_id"), ["account_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_contact_external_id"), ["external_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_contact_owner"), ["owner"], unique=False)
        batch_op.create_index(
            "ix_contact_sort_name", ["last_name", "first_name", "id"], unique=False
        )

    op.create_table(
        "contact_method",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column(
            "label",
            sqlmodel.sql.sqltypes.AutoString(length=40),
            server_default="work",
            nullable=False,
        ),
        sa.Column("value", sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
        sa.Column("position", sa.Integer(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(["contact_id"], ["contact.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("contact_method", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contact_method_contact_id"), ["contact_id"], unique=False
        )
        batch_op.create_index("ix_contact_method_value", ["kind", "value"], unique=False)

    op.create_table(
        "opportunity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("updated_by", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_by", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("stage", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("amount_cents", sa.Integer(), server_default="0", nullable=False),
        sa.Column(
            "currency",
            sqlmodel.sql.sqltypes.AutoString(length=3),
            server_default="EUR",
            nullable=False,
        ),
        sa.Column("probability", sa.Integer(), server_default="0", nullable=False),
        sa.Column("expected_close", sa.Date(), nullable=True),
        sa.Column("next_step", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.Column("lost_reason", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("owner", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["account.id"],
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contact.id"],
        ),
        sa.ForeignKeyConstraint(
            ["stage"],
            ["stage.name"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("opportunity", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_opportunity_account_id"), ["account_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_opportunity_contact_id"), ["contact_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_opportunity_expected_close"), ["expected_close"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_opportunity_owner"), ["owner"], unique=False)
        batch_op.create_index(batch_op.f("ix_opportunity_stage"), ["stage"], unique=False)

    op.create_table(
        "appointment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("updated_by", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_by", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("all_day", sa.Boolean(), server_default=sa.text("FALSE"), nullable=False),
        sa.Column("location", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("opportunity_id", sa.Integer(), nullable=True),
        sa.Column("rrule", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("exdates", sa.Text(), server_default="", nullable=False),
        sa.Column("reminder_minutes", sa.Integer(), nullable=True),
        sa.Column("owner", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
        sa.Column("uid", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["account.id"],
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contact.id"],
        ),
        sa.ForeignKeyConstraint(
            ["opportunity_id"],
            ["opportunity.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("appointment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_appointment_account_id"), ["account_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_appointment_contact_id"), ["contact_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_appointment_opportunity_id"), ["opportunity_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_appointment_starts_at"), ["starts_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_appointment_uid"), ["uid"], unique=False)

    op.create_table(
        "interaction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("updated_by", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_by", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("direction", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
        sa.Column(
            "subject",
            sqlmodel.sql.sqltypes.AutoString(length=300),
            server_default="",
            nullable=False,
        ),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("happened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=True),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("opportunity_id", sa.Integer(), nullable=True),
        sa.Column("follow_up_on", sa.Date(), nullable=True),
        sa.Column("follow_up_done", sa.Boolean(), server_default=sa.text("FALSE"), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["account.id"],
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contact.id"],
        ),
        sa.ForeignKeyConstraint(
            ["opportunity_id"],
            ["opportunity.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("interaction", schema=None) as batch_op:
        batch_op.create_index(
            "ix_interaction_account_time", ["account_id", "happened_at"], unique=False
        )
        batch_op.create_index(
            "ix_interaction_contact_time", ["contact_id", "happened_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_interaction_happened_at"), ["happened_at"], unique=False
        )
        batch_op.create_index(
            "ix_interaction_open_follow_up",
            ["follow_up_on"],
            unique=False,
            sqlite_where=sa.text("follow_up_done = FALSE AND follow_up_on IS NOT NULL"),
            postgresql_where=sa.text("follow_up_done = FALSE AND follow_up_on IS NOT NULL"),
        )
        batch_op.create_index(
            "ix_interaction_opportunity_time", ["opportunity_id", "happened_at"], unique=False
        )
    stage = sa.table(
        "stage",
        sa.column("name", sa.String),
        sa.column("position", sa.Integer),
        sa.column("probability", sa.Integer),
        sa.column("is_closed", sa.Boolean),
        sa.column("is_won", sa.Boolean),
    )
    op.bulk_insert(
        stage,
        [
            {"name": n, "position": p, "probability": pr, "is_closed": c, "is_won": w}
            for n, p, pr, c, w in STAGES
        ],
    )
    _create_search_index()


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS search_fts")
    for table in (
        "interaction",
        "appointment",
        "opportunity",
        "contact_method",
        "contact",
        "stage",
        "setting",
        "search_doc",
        "audit_entry",
        "account",
    ):
        op.drop_table(table)
