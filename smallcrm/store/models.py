"""The CRM's schema, declared with SQLModel: the single source of truth for the migrations.

Alembic's migrations (``migrations/versions``) create and evolve these tables, and a test checks
that the migrated database and these models agree. At run time the services read and write the
tables with SQL through ``db.py`` (see there why), returning the plain records of ``records.py``.

Every record carries who created and last changed it and when (timezone-aware UTC), a ``version``
for optimistic locking, and ``deleted_at`` / ``deleted_by``: deleting moves a record to the
trash, from where it can be restored.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Column,
    ForeignKey,
    Index,
    Integer,
    Text,
    text,
)
from sqlmodel import Field, SQLModel

from smallcrm.store.models_columns import _ts


def _key() -> Any:
    """A sort key column: the phone-book form of a text, kept by triggers (migration 0008)."""
    return Field(default="", sa_type=Text, sa_column_kwargs={"server_default": ""})


def _live_sorts(table: str, *columns: str) -> tuple[Index, ...]:
    """An index of live records per sort key, ``(key, id)``; a ``?`` column may be empty and is
    indexed as ``(column IS NOT NULL, column, id)`` so empty ones come first going up."""
    found = []
    for column in columns:
        name = column.rstrip("?")
        parts: tuple[Any, ...] = (name, "id")
        if column.endswith("?"):
            parts = (text(f"({name} IS NOT NULL)"), name, "id")
        found.append(
            Index(
                f"ix_{table}_live_{name}",
                *parts,
                sqlite_where=text("deleted_at IS NULL"),
                postgresql_where=text("deleted_at IS NULL"),
            )
        )
    return tuple(found)


# The live records that name a campaign (partial indexes: most records name none).
_CREDITED = "deleted_at IS NULL AND {column} IS NOT NULL"


class Tracked(SQLModel):
    """Columns every CRM record has: identity, authorship, optimistic-lock version, trash."""

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = _ts()
    updated_at: datetime = _ts()
    created_by: str = Field(max_length=120)
    updated_by: str = Field(max_length=120)
    version: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    deleted_at: datetime | None = _ts(nullable=True)
    deleted_by: str | None = Field(default=None, max_length=120)


class Address(SQLModel):
    """A postal address, shared by accounts and contacts."""

    street: str | None = None
    postal_code: str | None = Field(default=None, max_length=20)
    city: str | None = Field(default=None, max_length=120)
    country: str | None = Field(default=None, max_length=120)


class Account(Tracked, Address, table=True):
    """A company the business sells to or works with."""

    __table_args__ = _live_sorts(
        "account", "sort_name", "industry_key", "city_key", "owner_key", "updated_at", "created_at"
    )

    name: str = Field(max_length=200, index=True)
    industry: str | None = Field(default=None, max_length=120)
    website: str | None = Field(default=None, max_length=300)
    phone: str | None = Field(default=None, max_length=40)
    owner: str | None = Field(default=None, max_length=120, index=True)
    tags: str = Field(default="", sa_type=Text, sa_column_kwargs={"server_default": ""})
    notes: str | None = Field(default=None, sa_type=Text)
    external_id: str | None = Field(default=None, max_length=200, index=True)
    sort_name: str = _key()
    industry_key: str = _key()
    city_key: str = _key()
    owner_key: str = _key()


class Contact(Tracked, Address, table=True):
    """A person, optionally working for an account, with consent per channel."""

    __table_args__ = (
        Index("ix_contact_sort_name", "last_name", "first_name", "id"),
        # Each sort of the list of live contacts pages through one of these alone (0008).
        *_live_sorts(
            "contact",
            "sort_name",
            "first_key",
            "account_key",
            "city_key",
            "owner_key",
            "updated_at",
            "created_at",
        ),
        # Live count = all rows minus the trash, both read from indexes.
        Index(
            "ix_contact_trashed",
            "deleted_at",
            sqlite_where=text("deleted_at IS NOT NULL"),
            postgresql_where=text("deleted_at IS NOT NULL"),
        ),
        # The leads per campaign are counted from this index alone (0014).
        Index(
            "ix_contact_source_campaign_id",
            "source_campaign_id",
            sqlite_where=text(_CREDITED.format(column="source_campaign_id")),
            postgresql_where=text(_CREDITED.format(column="source_campaign_id")),
        ),
    )

    first_name: str = Field(default="", max_length=120, sa_column_kwargs={"server_default": ""})
    last_name: str = Field(default="", max_length=120, sa_column_kwargs={"server_default": ""})
    title: str | None = Field(default=None, max_length=200)
    account_id: int | None = Field(default=None, foreign_key="account.id", index=True)
    birthday: date | None = None
    source: str | None = Field(default=None, max_length=120)
    owner: str | None = Field(default=None, max_length=120, index=True)
    tags: str = Field(default="", sa_type=Text, sa_column_kwargs={"server_default": ""})
    notes: str | None = Field(default=None, sa_type=Text)
    external_id: str | None = Field(default=None, max_length=200, index=True)
    email_opt_in: bool | None = None
    email_consent_at: datetime | None = _ts(nullable=True)
    email_consent_source: str | None = Field(default=None, max_length=200)
    phone_opt_in: bool | None = None
    phone_consent_at: datetime | None = _ts(nullable=True)
    phone_consent_source: str | None = Field(default=None, max_length=200)
    lifecycle_stage: str | None = Field(default=None, max_length=20)  # lead ... former_customer
    source_campaign_id: int | None = Field(default=None, foreign_key="campaign.id")
    sort_name: str = _key()  # last name, first name
    first_key: str = _key()
    city_key: str = _key()
    owner_key: str = _key()
    account_key: str = _key()  # the account's sort_name


class ContactMethod(SQLModel, table=True):
    """One email address or phone number of a contact, with its label (work, home, mobile)."""

    __tablename__ = "contact_method"
    __table_args__ = (Index("ix_contact_method_value", "kind", "value"),)

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(
        sa_column=Column(
            "contact_id",
            Integer,
            # ON DELETE CASCADE: purging a contact from the trash removes its addresses too.
            ForeignKey("contact.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        )
    )
    kind: str = Field(max_length=10)  # "email" or "phone"
    label: str = Field(default="work", max_length=40, sa_column_kwargs={"server_default": "work"})
    value: str = Field(max_length=320)  # email lower-cased, phone in E.164
    position: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class Interaction(Tracked, table=True):
    """A call, email, meeting, note or visit on a contact's and an account's timeline."""

    __table_args__ = (
        Index("ix_interaction_contact_time", "contact_id", "happened_at"),
        Index("ix_interaction_account_time", "account_id", "happened_at"),
        Index("ix_interaction_opportunity_time", "opportunity_id", "happened_at"),
        Index(
            "ix_interaction_open_follow_up",
            "follow_up_on",
            sqlite_where=text("follow_up_done = FALSE AND follow_up_on IS NOT NULL"),
            postgresql_where=text("follow_up_done = FALSE AND follow_up_on IS NOT NULL"),
        ),
        *_live_sorts(
            "interaction",
            "happened_at",
            "kind",
            "subject_key",
            "contact_key",
            "account_key",
            "follow_up_on?",
        ),
    )

    kind: str = Field(max_length=20)  # call, email, meeting, note, visit
    direction: str | None = Field(default=None, max_length=10)  # inbound, outbound
    subject: str = Field(default="", max_length=300, sa_column_kwargs={"server_default": ""})
    body: str | None = Field(default=None, sa_type=Text)
    happened_at: datetime = _ts(index=True)
    duration_minutes: int | None = None
    contact_id: int | None = Field(default=None, foreign_key="contact.id")
    account_id: int | None = Field(default=None, foreign_key="account.id")
    opportunity_id: int | None = Field(default=None, foreign_key="opportunity.id")
    follow_up_on: date | None = None
    follow_up_done: bool = Field(default=False, sa_column_kwargs={"server_default": text("FALSE")})
    case_id: int | None = Field(default=None, foreign_key="service_case.id", index=True)
    subject_key: str = _key()
    contact_key: str = _key()  # the contact's sort_name
    account_key: str = _key()  # the account's sort_name


class Stage(SQLModel, table=True):
    """A step of the sales pipeline, in order, with the probability a deal there usually has."""

    name: str = Field(primary_key=True, max_length=40)
    position: int
    probability: int
    is_closed: bool = Field(default=False)
    is_won: bool = Field(default=False)


class Opportunity(Tracked, table=True):
    """A possible sale moving through the pipeline's stages."""

    __table_args__ = (
        *_live_sorts(
            "opportunity",
            "sort_name",
            "account_key",
            "stage_position",
            "amount_cents",
            "probability",
            "expected_close?",
            "owner_key",
            "updated_at",
        ),
        # The deals and won revenue per campaign are summed from this index alone (0014).
        Index(
            "ix_opportunity_campaign_id",
            "campaign_id",
            "stage",
            "amount_cents",
            sqlite_where=text(_CREDITED.format(column="campaign_id")),
            postgresql_where=text(_CREDITED.format(column="campaign_id")),
        ),
    )

    name: str = Field(max_length=200)
    account_id: int | None = Field(default=None, foreign_key="account.id", index=True)
    contact_id: int | None = Field(default=None, foreign_key="contact.id", index=True)
    stage: str = Field(foreign_key="stage.name", max_length=40, index=True)
    amount_cents: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    currency: str = Field(default="EUR", max_length=3, sa_column_kwargs={"server_default": "EUR"})
    probability: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    expected_close: date | None = Field(default=None, index=True)
    next_step: str | None = Field(default=None, max_length=300)
    lost_reason: str | None = Field(default=None, max_length=300)
    closed_on: date | None = None
    owner: str | None = Field(default=None, max_length=120, index=True)
    campaign_id: int | None = Field(default=None, foreign_key="campaign.id")
    sort_name: str = _key()
    account_key: str = _key()  # the account's sort_name
    owner_key: str = _key()
    stage_position: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class Appointment(Tracked, table=True):
    """A meeting or follow-up in the calendar, optionally recurring (RFC 5545 RRULE).

    A timed entry is an instant plus the IANA zone it was made in, on whose clock its series
    repeats. An all-day entry is a run of calendar days: ``starts_at`` is 00:00 UTC of its
    first day and ``ends_at`` 00:00 UTC of the day after its last (or NULL for one day), a
    convention that never depends on a zone (``store/recurrence.py`` reads and writes it).
    """

    __table_args__ = (
        *_live_sorts("appointment", "starts_at", "title_key", "location_key"),
        # The one-offs longer than two days, for a window's read (``appointment_sql``, 0014).
        Index(
            "ix_appointment_long_one_offs",
            "starts_at",
            sqlite_where=text(
                "deleted_at IS NULL AND rrule IS NULL AND ends_at > datetime(starts_at, '+2 days')"
            ),
            postgresql_where=text(
                "deleted_at IS NULL AND rrule IS NULL AND ends_at - starts_at > interval '2 days'"
            ),
        ),
    )

    title: str = Field(max_length=300)
    starts_at: datetime = _ts(index=True)
    ends_at: datetime | None = _ts(nullable=True)
    time_zone: str = Field(
        default="UTC", max_length=64, sa_column_kwargs={"server_default": "UTC"}
    )  # IANA name, e.g. Europe/Berlin
    all_day: bool = Field(default=False, sa_column_kwargs={"server_default": text("FALSE")})
    location: str | None = Field(default=None, max_length=300)
    notes: str | None = Field(default=None, sa_type=Text)
    contact_id: int | None = Field(default=None, foreign_key="contact.id", index=True)
    account_id: int | None = Field(default=None, foreign_key="account.id", index=True)
    opportunity_id: int | None = Field(default=None, foreign_key="opportunity.id", index=True)
    rrule: str | None = Field(default=None, max_length=500)
    exdates: str = Field(
        default="", sa_type=Text, sa_column_kwargs={"server_default": ""}
    )  # skipped occurrences: ISO instants in UTC, or ISO days
    rdates: str = Field(
        default="", sa_type=Text, sa_column_kwargs={"server_default": ""}
    )  # extra occurrences (RDATE), written like exdates
    reminder_minutes: int | None = None
    owner: str | None = Field(default=None, max_length=120)
    uid: str | None = Field(default=None, max_length=300, index=True)
    title_key: str = _key()
    location_key: str = _key()


class ServiceCase(Tracked, table=True):
    """A customer's question, incident or problem the business answers (users say "case").

    The clocks of its promised response and resolution (``store/case_clock.py``) are kept on
    the row, so lists and reports read them without replaying the case's history: ``*_target``
    and ``*_used`` are seconds of working time; while the clock runs, ``running_since`` is when
    this stretch began and ``due_at``/``risk_at`` the instants the next target is missed or has
    less than a quarter left (both empty while the case waits on the customer or is done).
    """

    __tablename__ = "service_case"
    __table_args__ = (
        # Open cases, the soonest due first and those whose clock stands last: the cases
        # screen's first page and the breached list are a walk of this index, with no sort
        # (an index on resolved_at alone made SQLite pick it and sort every open case).
        Index(
            "ix_service_case_open_due",
            text("(due_at IS NULL)"),
            "due_at",
            "id",
            sqlite_where=text("deleted_at IS NULL AND resolved_at IS NULL"),
            postgresql_where=text("deleted_at IS NULL AND resolved_at IS NULL"),
        ),
    )

    subject: str = Field(max_length=300)
    description: str | None = Field(default=None, sa_type=Text)
    status: str = Field(max_length=20)  # new, open, waiting, resolved, closed
    close_reason: str | None = Field(default=None, max_length=20)  # done, rejected, duplicate
    priority: str = Field(max_length=10)  # low, normal, high, urgent
    case_type: str = Field(max_length=20)  # question, incident, problem
    channel: str = Field(max_length=10)  # phone, email, visit, web
    owner: str | None = Field(default=None, max_length=120, index=True)
    contact_id: int | None = Field(default=None, foreign_key="contact.id", index=True)
    account_id: int | None = Field(default=None, foreign_key="account.id", index=True)
    response_target: int
    resolve_target: int
    response_used: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    resolve_used: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    running_since: datetime | None = _ts(nullable=True)
    first_response_at: datetime | None = _ts(nullable=True)
    resolved_at: datetime | None = _ts(nullable=True)
    due_at: datetime | None = _ts(nullable=True)
    risk_at: datetime | None = _ts(nullable=True)


class Campaign(Tracked, table=True):
    """A marketing campaign: a newsletter, a seasonal offer, a trade-fair invitation.

    ``code`` is the short word people type (``SPRING26``), unique also among trashed ones so
    that a code in old exports and results files always names the same campaign. Money is in
    cents of the business's currency; ``cost_cents`` is what was actually spent (ROI uses it).
    """

    __table_args__ = (Index("ix_campaign_code", "code", unique=True),)

    name: str = Field(max_length=200)
    code: str = Field(max_length=20)
    channel: str = Field(max_length=20)  # email, newsletter, phone, sms, mail, web, event, ...
    status: str = Field(max_length=20)  # planning, active, inactive, complete
    starts_on: date | None = None
    ends_on: date | None = None
    budget_cents: int | None = None
    cost_cents: int | None = None
    owner: str | None = Field(default=None, max_length=120)
    notes: str | None = Field(default=None, sa_type=Text)


class AuditEntry(SQLModel, table=True):
    """Who changed what and when; written in the same transaction as the change."""

    __tablename__ = "audit_entry"
    __table_args__ = (Index("ix_audit_entry_record", "kind", "record_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _ts(index=True)
    actor: str = Field(max_length=120)
    action: str = Field(max_length=20)  # create, update, delete, restore, merge, import, erase
    kind: str = Field(max_length=20)
    record_id: int
    changes: str = Field(
        default="{}", sa_type=Text, sa_column_kwargs={"server_default": "{}"}
    )  # JSON {field: [old, new]}


# The tables that serve the records (settings, drafts, counts, search documents, imports,
# reminders, campaign audiences) are declared in models_support.py, deals' stage history and
# the roll-ups in models_history.py, what sync wrote in models_sync.py; importing them puts them
# in the same metadata.
from smallcrm.store import models_history, models_support, models_sync  # noqa: E402, F401

# The figures' covering indexes on the tables above (declared with the history they serve).
models_history.figure_indexes(
    Opportunity.__table__,  # type: ignore[attr-defined]
    Contact.__table__,  # type: ignore[attr-defined]
    ContactMethod.__table__,  # type: ignore[attr-defined]
)

metadata = SQLModel.metadata
