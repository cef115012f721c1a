"""What ``smallcrm sync`` wrote to a folder that a CardDAV/CalDAV server serves to phones: one
row per file, so that the next run rewrites only what changed and tells a phone's edit (the
file no longer has the content written) from a change in the CRM (the record's version moved).
Part of the one schema ``models.py`` declares (it imports this module)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, Index, Text
from sqlmodel import Field, SQLModel

from smallcrm.store.models_columns import _ts


class SyncFile(SQLModel, table=True):
    """One file of a synced folder: which record it holds and what was written there."""

    __tablename__ = "sync_file"
    __table_args__ = (Index("ix_sync_file_record", "folder", "kind", "record_id"),)

    folder: str = Field(primary_key=True, max_length=1000)  # the folder's absolute path
    collection: str = Field(primary_key=True, max_length=20)  # contacts or calendar
    href: str = Field(primary_key=True, max_length=300)  # the file's name in the collection
    kind: str = Field(max_length=20)  # contact or appointment
    record_id: int
    version: int  # the record's version the file was written from
    digest: str = Field(max_length=64)  # sha256 of the bytes written
    size: int = Field(sa_column=Column(BigInteger, nullable=False))
    mtime_ns: int = Field(sa_column=Column(BigInteger, nullable=False))
    # Lines of a phone's card that smallcrm has no field for, written back as they came.
    extra: str | None = Field(default=None, sa_type=Text)
    synced_at: datetime = _ts()


class SyncText(SQLModel, table=True):
    """The text a sync wrote to a file: the base that a phone's edit and the CRM's changes are
    merged from. A table of its own, as it is read only for a file a phone changed, and in the
    rows of ``sync_file`` it would make every sync read ten times the pages."""

    __tablename__ = "sync_text"

    folder: str = Field(primary_key=True, max_length=1000)
    collection: str = Field(primary_key=True, max_length=20)
    href: str = Field(primary_key=True, max_length=300)
    content: str = Field(sa_type=Text)
