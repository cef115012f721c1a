"""What a reader makes of a file: its records, each with its position and fields or problem."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from .common import Problem
from .convert import Fields


@dataclass(frozen=True, slots=True)
class SourceRecord:
    """One record of a file: a CSV row, a vCard, a calendar event, a JSON object.

    ``number`` counts records from 1; ``where`` and ``line`` say where it is in the file.
    Exactly one of ``fields`` and ``problem`` is set. ``warnings`` are things the reader
    skipped or changed (a photo, an unknown property).
    """

    number: int
    where: str
    line: int | None
    kind: str
    fields: Fields | None
    problem: Problem | None = None
    warnings: tuple[str, ...] = ()


@dataclass
class ParsedFile:
    """A file read into records, with what the reader found out about it.

    ``records`` is a list, or (for a file read as it is imported) an iterator that reads the
    next record when asked; ``details`` and ``warnings`` about the whole file are complete once
    it has been read to the end.
    """

    file_format: str
    kind: str
    records: list[SourceRecord] | Iterator[SourceRecord]
    details: dict[str, Any] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)
