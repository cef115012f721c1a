"""What the dashboard reads instead of scanning every record: each deal's stage history and two
roll-ups, all kept by triggers (migration 0015), so that every way a record changes (a form,
the shell, an import, a merge, an undo) keeps them right in the same transaction.

- ``stage_change``: one row per stage a deal entered, when and by whom, and when it left it
  (empty while it is there): the pipeline as it stood on a past day and the funnel read it.
- ``activity_day``: live interactions per UTC day, person who logged them and kind.
- ``contact_touch``: each contact's latest live interaction.

``smallcrm doctor`` recomputes the roll-ups and compares; ``--repair`` rebuilds them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Column, ForeignKey, Index, Integer, text
from sqlmodel import Field, SQLModel

from smallcrm.store.models_columns import _ts


class StageChange(SQLModel, table=True):
    """A deal entered ``stage`` at ``changed_at`` (and left it at ``left_at``)."""

    __tablename__ = "stage_change"
    __table_args__ = (
        # Covers the month-end pipeline: each deal's stages read without touching the rows.
        Index("ix_stage_change_deal", "opportunity_id", "changed_at", "left_at", "stage"),
        Index("ix_stage_change_at", "changed_at"),
        # The month-end pipeline: rows of the open stages, filtered without reading them.
        Index("ix_stage_change_open", "stage", "left_at", "changed_at", "opportunity_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    opportunity_id: int = Field(
        sa_column=Column(
            "opportunity_id",
            Integer,
            ForeignKey("opportunity.id", ondelete="CASCADE"),
            nullable=False,
        )
    )
    stage: str = Field(max_length=40)
    changed_at: datetime = _ts()
    changed_by: str = Field(max_length=120)
    left_at: datetime | None = _ts(nullable=True)


class ActivityDay(SQLModel, table=True):
    """How many live interactions ``person`` logged of ``kind`` on ``day`` (UTC)."""

    __tablename__ = "activity_day"

    day: date = Field(primary_key=True)
    person: str = Field(primary_key=True, max_length=120)
    kind: str = Field(primary_key=True, max_length=20)
    n: int


class ContactTouch(SQLModel, table=True):
    """When a contact's latest live interaction happened."""

    __tablename__ = "contact_touch"
    __table_args__ = (Index("ix_contact_touch_last", "last_at"),)

    contact_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    last_at: datetime = _ts()


class ContactQuality(SQLModel, table=True):
    """A live contact's owner, when it was added, its latest live interaction and how many
    email addresses and phone numbers it has (``rollups_quality.py``)."""

    __tablename__ = "contact_quality"
    __table_args__ = (
        # Covers the quality counts of one owner's contacts.
        Index(
            "ix_contact_quality_owner",
            "owner",
            "created_at",
            "last_at",
            "emails",
            "phones",
            "shared",
        ),
    )

    contact_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    owner: str | None = Field(default=None, max_length=120)
    created_at: datetime = _ts()
    last_at: datetime | None = _ts(nullable=True)
    emails: int
    phones: int
    shared: int  # 1: one of its email addresses is another contact's too


def _live(table: Any, name: str, *columns: str, where: str = "") -> Index:
    """An index of live records ending in ``deleted_at``: SQLite checks the index's own
    condition again, and reads the row for it unless the index holds the column."""
    condition = "deleted_at IS NULL" + (f" AND {where}" if where else "")
    return Index(
        name,
        *(table.c[column] for column in (*columns, "deleted_at")),
        sqlite_where=text(condition),
        postgresql_where=text(condition),
    )


def figure_indexes(deals: Any, people: Any, methods: Any) -> tuple[Index, ...]:
    """Indexes on the records' tables (deals, contacts, contact methods, given by ``models``)
    holding every column a figure reads, so that a figure is a walk of one index rather than a
    visit to each row (50,000 deals by stage: 390 ms through the stage index and the rows, a
    few ms from an index that covers the query)."""
    return (
        _live(
            deals,
            "ix_opportunity_figures",
            "stage",
            "currency",
            "owner",
            "expected_close",
            "amount_cents",
            "probability",
        ),
        _live(
            deals,
            "ix_opportunity_forecast",
            "expected_close",
            "stage",
            "currency",
            "owner",
            "amount_cents",
            "probability",
            where="expected_close IS NOT NULL",
        ),
        _live(
            deals,
            "ix_opportunity_closed",
            "closed_on",
            "stage",
            "owner",
            "created_at",
            where="closed_on IS NOT NULL",
        ),
        _live(deals, "ix_opportunity_created", "created_at", "stage", "owner"),
        # The month-end pipeline's amounts by deal (PostgreSQL walked every deal's row, 50,000
        # of them, to join them to the open stages' rows).
        _live(deals, "ix_opportunity_live_amount", "id", "currency", "amount_cents"),
        _live(people, "ix_contact_figures", "owner", "created_at"),
        Index("ix_contact_method_contact_kind", methods.c.contact_id, methods.c.kind),
        Index("ix_contact_method_shared", methods.c.kind, methods.c.value, methods.c.contact_id),
    )
