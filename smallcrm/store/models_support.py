"""The tables that serve the CRM's records rather than being records themselves: settings,
drafts of forms, live record counts, the search documents, import batches and their items, and
reminder deliveries. Part of the one schema ``models.py`` declares (it imports this module, so
its ``metadata`` holds these tables too)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from smallcrm.store.models_columns import _ts


class Setting(SQLModel, table=True):
    """A business-wide setting (default phone region, default currency, ...)."""

    key: str = Field(primary_key=True, max_length=80)
    value: str = Field(sa_type=Text)


class FormDraft(SQLModel, table=True):
    """What a user had typed into a form not yet saved (kept while typing, offered back on the
    next start when the connection dropped): one per user and form."""

    __tablename__ = "form_draft"

    author: str = Field(primary_key=True, max_length=120)
    form: str = Field(primary_key=True, max_length=80)  # "contact:new", "deal:12"
    title: str = Field(max_length=200)  # "adding a contact: Zora Quillfeather"
    fields: str = Field(sa_type=Text)  # JSON: widget id -> value
    saved_at: datetime = _ts()


class RecordCount(SQLModel, table=True):
    """How many live (not trashed) records of a kind there are, kept exact by triggers."""

    __tablename__ = "record_count"

    kind: str = Field(primary_key=True, max_length=20)
    live: int
    # Replaced by every change to the order of the kind's live records (revision 0024).
    stamp: int = Field(default=0, sa_type=BigInteger, sa_column_kwargs={"server_default": "0"})


class SearchDoc(SQLModel, table=True):
    """One searchable record: what the SQLite FTS5 indexes read (folded, through the view
    ``search_text``) and PostgreSQL's tsvector is made of.

    Rows are maintained by triggers on the record tables (see the migrations); ``id`` encodes
    the kind in its high bits so that each kind is a rowid range of the index.
    """

    __tablename__ = "search_doc"
    __table_args__ = (
        Index(
            "ix_search_doc_name_key",
            "name_key",
            sqlite_where=text("name_key IS NOT NULL"),
            postgresql_where=text("name_key IS NOT NULL"),
        ),
    )

    # BIGINT on PostgreSQL (ids reach 5 * 2**40); SQLite's INTEGER is 64-bit already.
    id: int = Field(
        primary_key=True,
        sa_type=BigInteger().with_variant(Integer(), "sqlite"),
        sa_column_kwargs={"autoincrement": False},
    )
    kind: str = Field(max_length=20)
    record_id: int
    title: str = Field(sa_type=Text)
    detail: str = Field(default="", sa_type=Text, sa_column_kwargs={"server_default": ""})
    # What people quote from the middle (name, company, emails, phones; migration 0007).
    parts: str | None = Field(default=None, sa_type=Text)
    # A contact's or account's folded name, for exact names.
    name_key: str | None = Field(default=None, sa_type=Text)


class ImportBatch(SQLModel, table=True):
    """One import of a file: what came in, from where, by whom; undoable as a whole.

    The records it created or changed are listed in ``import_batch_item``.
    """

    __tablename__ = "import_batch"

    id: int | None = Field(default=None, primary_key=True)
    started_at: datetime = _ts(index=True)
    finished_at: datetime | None = _ts(nullable=True)
    actor: str = Field(max_length=120)
    source: str = Field(max_length=500)  # file name, or "-" for standard input
    file_format: str = Field(max_length=10)  # csv, vcard, ics, json, backup
    kind: str = Field(max_length=20)  # the kind of record the file holds
    created: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    updated: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    skipped: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    invalid: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    undone_at: datetime | None = _ts(nullable=True)
    undone_by: str | None = Field(default=None, max_length=120)
    details: str = Field(
        default="{}", sa_type=Text, sa_column_kwargs={"server_default": "{}"}
    )  # JSON: column mapping, encoding, delimiter, restore bookkeeping


class ImportBatchItem(SQLModel, table=True):
    """A record an import created or changed, with what it held before (for undo)."""

    __tablename__ = "import_batch_item"
    __table_args__ = (Index("ix_import_batch_item_record", "kind", "record_id"),)

    id: int | None = Field(default=None, primary_key=True)
    batch_id: int = Field(
        sa_column=Column(
            "batch_id",
            Integer,
            ForeignKey("import_batch.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        )
    )
    kind: str = Field(max_length=20)
    record_id: int
    action: str = Field(max_length=10)  # create or update
    version: int  # the record's version right after the import
    before: str | None = Field(
        default=None, sa_type=Text
    )  # JSON {field: old value} of an update; NULL for a created record


class ReminderDelivery(SQLModel, table=True):
    """A reminder round handed to one channel (or dropped as missed): at most one row per
    reminder, occurrence, user, channel and due time (a snooze starts a new round)."""

    __tablename__ = "reminder_delivery"
    __table_args__ = (
        UniqueConstraint(
            "kind",
            "record_id",
            "occurrence",
            "user_name",
            "channel",
            "due_at",
            name="uq_reminder_delivery",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20)  # appointment or follow_up
    record_id: int
    occurrence: str = Field(max_length=40)  # an occurrence's UTC start, or a follow-up's day
    user_name: str = Field(max_length=120)
    channel: str = Field(max_length=40)  # command (smallcrm remind --due) or app
    due_at: datetime = _ts()
    status: str = Field(max_length=10)  # claimed, delivered or dropped
    claimed_at: datetime = _ts()
    delivered_at: datetime | None = _ts(nullable=True)


class ReminderState(SQLModel, table=True):
    """A user's snooze or "done" for one occurrence of a reminder."""

    __tablename__ = "reminder_state"
    __table_args__ = (
        UniqueConstraint("kind", "record_id", "occurrence", "user_name", name="uq_reminder_state"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20)
    record_id: int
    occurrence: str = Field(max_length=40)
    user_name: str = Field(max_length=120)
    snoozed_until: datetime | None = _ts(nullable=True)
    done_at: datetime | None = _ts(nullable=True)


class SlotOffer(SQLModel, table=True):
    """Free times offered to a customer: up to three tentative holds (``SlotHold``) that
    block their times for everybody while the offer is open and ``expires_at`` is ahead;
    booking one turns it into an appointment and releases the others."""

    __tablename__ = "slot_offer"

    id: int | None = Field(default=None, primary_key=True)
    # Erasing or un-importing the person leaves the offer without them (its title is scrubbed
    # with every other text that names them).
    contact_id: int | None = Field(
        default=None, foreign_key="contact.id", index=True, ondelete="SET NULL"
    )
    owner: str = Field(max_length=120)  # whose calendar the meeting goes into
    title: str = Field(max_length=300)
    location: str | None = Field(default=None, max_length=300)
    language: str = Field(max_length=2)  # of the text written for the customer
    status: str = Field(max_length=10)  # open, booked or withdrawn
    expires_at: datetime = _ts()
    appointment_id: int | None = Field(
        default=None, foreign_key="appointment.id", ondelete="SET NULL"
    )
    created_at: datetime = _ts()
    created_by: str = Field(max_length=120)
    updated_at: datetime = _ts()


class SlotHold(SQLModel, table=True):
    """One time held by an offer, numbered as the customer reads it (1, 2, 3)."""

    __tablename__ = "slot_hold"

    id: int | None = Field(default=None, primary_key=True)
    offer_id: int = Field(foreign_key="slot_offer.id", index=True, ondelete="CASCADE")
    choice: int
    starts_at: datetime = _ts(index=True)
    ends_at: datetime = _ts()


class CampaignMember(SQLModel, table=True):
    """A contact in a campaign's audience and how far it got there: targeted, sent, bounced,
    responded, opted_out or converted."""

    __tablename__ = "campaign_member"
    __table_args__ = (
        UniqueConstraint("campaign_id", "contact_id", name="uq_campaign_member"),
        # The figures per campaign count members by status from this index alone.
        Index("ix_campaign_member_campaign_status", "campaign_id", "status", "responded_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id")
    contact_id: int = Field(
        sa_column=Column(
            "contact_id",
            Integer,
            # ON DELETE CASCADE: purging a contact from the trash removes its memberships.
            ForeignKey("contact.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        )
    )
    status: str = Field(
        default="targeted", max_length=20, sa_column_kwargs={"server_default": "targeted"}
    )
    added_at: datetime = _ts()
    changed_at: datetime = _ts()
    # When it first clicked or replied: a response still counts after a later opt-out.
    responded_at: datetime | None = _ts(nullable=True)


class SavedFilter(SQLModel, table=True):
    """A named set of contact-list criteria (tag, account, owner, search, consent, ...), kept
    as JSON and evaluated afresh each time it is used; one name per business, whatever its
    case (``name_key``)."""

    __tablename__ = "saved_filter"
    __table_args__ = (Index("ix_saved_filter_name_key", "name_key", unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80)
    name_key: str = Field(max_length=80)  # the name folded: unique ignoring case
    criteria: str = Field(sa_type=Text)  # JSON: {"v": 1, "tag": "customer", ...}
    owner: str | None = Field(default=None, max_length=120)  # who saved it
    version: int = Field(default=1)
    created_at: datetime = _ts()
    updated_at: datetime = _ts()
