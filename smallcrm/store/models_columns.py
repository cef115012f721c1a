"""A timestamp column as every table declares it: timezone-aware, UTC in the store."""

from __future__ import annotations

from typing import Any

from sqlalchemy import DateTime
from sqlmodel import Field


def _ts(nullable: bool = False, index: bool = False) -> Any:
    return Field(
        default=None if nullable else ...,
        sa_type=DateTime(timezone=True),
        nullable=nullable,
        index=index,
    )
