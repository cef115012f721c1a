"""What every importer and exporter shares: kinds, progress, problems and the import report."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from smallcrm.store import kinds as registry
from smallcrm.store.errors import ValidationError

Progress = Callable[[int, int | None], None]
"""Called as ``progress(done, total)``; ``total`` is None when it is not known in advance."""

KINDS = registry.NAMES
FORMATS = ("csv", "vcard", "ics", "json")
FORMAT_WORDS = {
    "csv": "csv",
    "tsv": "csv",
    "vcard": "vcard",
    "vcf": "vcard",
    "ics": "ics",
    "ical": "ics",
    "icalendar": "ics",
    "json": "json",
}


def kind_name(value: str | None, *, field_name: str = "kind") -> str:
    """The store's kind for a word such as ``contacts`` or ``deals``."""
    try:
        return registry.from_word(value or "", field_name=field_name).name
    except ValidationError:
        plurals = ", ".join(k.plural for k in registry.KINDS)
        raise ValidationError(
            field_name, f"{value!r} is not a kind of record; one of {plurals}"
        ) from None


# Kinds a file can bring in (cases are opened one by one, their clocks started then).
IMPORTABLE = ("contact", "account", "opportunity", "interaction", "appointment")


def importable_kind(value: str | None, *, field_name: str = "kind") -> str:
    """``kind_name`` for an import: a kind files can hold, else a ValidationError saying so."""
    kind = kind_name(value, field_name=field_name)
    if kind not in IMPORTABLE:
        word = registry.get(kind)
        raise ValidationError(
            field_name,
            f"{word.plural} are not imported from files (export writes them for reading "
            f"elsewhere); add one with smallcrm add {word.word}",
        )
    return kind


def format_name(value: str | None) -> str:
    """The file format for a word such as ``vcf`` or ``ical``."""
    word = (value or "").strip().lower().lstrip(".")
    if word in FORMAT_WORDS:
        return FORMAT_WORDS[word]
    raise ValidationError("format", f"{value!r} is not a file format; one of {', '.join(FORMATS)}")


class Ticker:
    """Calls a progress callback now and then (not for every row: a bar redraw costs more)."""

    def __init__(self, progress: Progress | None, total: int | None, every: int = 0) -> None:
        self.progress = progress
        self.total = total
        self.done = 0
        self.every = every or max(1, min(500, (total or 0) // 200 or 100))
        self._next = 0
        if progress is not None:
            progress(0, total)

    def step(self, count: int = 1) -> None:
        """Count ``count`` more records done; report if enough have passed since last time."""
        self.done += count
        if self.progress is not None and self.done >= self._next:
            self._next = self.done + self.every
            self.progress(self.done, self.total)

    def finish(self) -> None:
        """Report the final count."""
        if self.progress is not None:
            self.progress(self.done, self.total if self.total is not None else self.done)


@dataclass(frozen=True)
class Problem:
    """Something wrong with one record of a file: where it is, which field, and why.

    ``where`` is what a user looks for in the file: ``line 12`` (CSV), ``card 3 (line 40)``
    (vCard), ``event 2 (line 14)`` (iCalendar), ``record 5`` (JSON), or ``file``.
    """

    where: str
    reason: str
    field: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        return (
            f"{self.where}: {self.field}: {self.reason}"
            if self.field
            else (f"{self.where}: {self.reason}")
        )


@dataclass(frozen=True)
class RowOutcome:
    """What an import did (or, in a dry run, would do) with one record of the file.

    ``action`` is ``create``, ``update``, ``unchanged`` or ``invalid``; ``changed`` names the
    fields an update changes.
    """

    where: str
    action: str
    kind: str
    label: str
    record_id: int | None = None
    changed: tuple[str, ...] = ()
    reason: str | None = None


@dataclass(frozen=True)
class PossibleDuplicate:
    """A record an import created although it may be one already here (the same phone, the
    same email under another name, the same name; see ``identity.py``): ``record_id`` is the
    new one, ``other_id`` the one it may duplicate, ``reason`` why."""

    where: str
    kind: str
    record_id: int
    label: str
    other_id: int
    reason: str


@dataclass(frozen=True)
class ImportReport:
    """The outcome of ``import_file``: counts, problems, warnings and a preview of the rows.

    ``committed`` is True when the records were written (never for a dry run). ``batch_id``
    names the batch for ``undo_import``. ``created``/``updated``/``unchanged``/``invalid`` count
    the file's records; ``linked_created`` counts records made on the way (an account for a
    contact's company). ``duplicates`` lists created records that may be ones already here
    (each also a warning). ``rows`` holds the first ``preview_limit`` outcomes; a row's
    ``reason`` says how an updated record was found, or what a created one may duplicate.

    However long the file, a report stays small: ``problems``, ``warnings`` and
    ``duplicates`` hold the first ``SAMPLE`` of each (in file order), and ``problems_total``,
    ``warnings_total`` and ``duplicates_total`` count them all (the last one counts records).
    """

    source: str
    file_format: str
    kind: str
    dry_run: bool
    committed: bool
    batch_id: int | None
    total: int
    created: int
    updated: int
    unchanged: int
    invalid: int
    linked_created: dict[str, int] = field(default_factory=dict)
    duplicates: tuple[PossibleDuplicate, ...] = ()
    problems: tuple[Problem, ...] = ()
    warnings: tuple[Problem, ...] = ()
    rows: tuple[RowOutcome, ...] = ()
    details: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
    problem_count: int | None = None
    warning_count: int | None = None
    duplicate_count: int | None = None

    @property
    def ok(self) -> bool:
        """True when every record of the file was good."""
        return not self.problems

    @property
    def problems_total(self) -> int:
        """Every problem of the file, listed in ``problems`` or not."""
        return len(self.problems) if self.problem_count is None else self.problem_count

    @property
    def warnings_total(self) -> int:
        """Every warning of the file, listed in ``warnings`` or not."""
        return len(self.warnings) if self.warning_count is None else self.warning_count

    @property
    def duplicates_total(self) -> int:
        """How many created records may duplicate ones already here."""
        if self.duplicate_count is not None:
            return self.duplicate_count
        return len({(d.kind, d.record_id) for d in self.duplicates})

    def summary(self) -> str:
        """One line for the end of an import.

        ``contacts.csv: 100 records: 97 created, 2 updated, 0 unchanged, 1 invalid; 3 accounts
        created on the way (import 12)``; a dry run says what would happen.
        """
        counts = (
            f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.invalid} invalid"
        )
        linked = "; ".join(
            f"{n} {plural(kind, n)} created on the way" for kind, n in self.linked_created.items()
        )
        text = f"{self.source}: {self.total} {plural('record', self.total)}: {counts}"
        text += f"; {linked}" if linked else ""
        if self.duplicates_total:
            count = self.duplicates_total
            text += f"; {count} possible {plural('duplicate', count)} to review"
        if self.dry_run:
            return text + " (dry run: nothing was written)"
        if not self.committed:
            return text + " (nothing was imported)"
        return text + (f" (import {self.batch_id})" if self.batch_id else "")


def plural(word: str, count: int = 2) -> str:
    """``contact`` -> ``contacts``; a kind in the user's words (``opportunity`` -> ``deals``)."""
    if word in registry.NAMES:
        kind = registry.get(word)
        return kind.word if count == 1 else kind.plural
    if count == 1:
        return word
    return word[:-1] + "ies" if word.endswith("y") else word + "s"


class ImportRejected(ValidationError):
    """All-or-nothing import refused: some records were invalid, so nothing was written.

    ``report`` lists the problems (with line numbers; the first ``SAMPLE`` of a long file and
    the count of all); the message names the first few.
    """

    def __init__(self, report: ImportReport) -> None:
        shown = "; ".join(str(p) for p in report.problems[:3])
        more = report.problems_total - 3
        tail = f"; and {more} more" if more > 0 else ""
        good = report.total - report.invalid
        super().__init__(
            "file",
            f"{report.invalid} of {report.total} records are invalid, so nothing was imported "
            f"({shown}{tail}). Fix them, or import the {good} good ones with skip_invalid",
        )
        self.report = report


SAMPLE = 1000
"""Problems, warnings and possible duplicates an import report lists; the rest are counted."""


class Sample(list[Any]):
    """The first ``limit`` items added, and how many were added in all (``total``)."""

    def __init__(self, limit: int | None = None) -> None:
        super().__init__()
        self.limit = SAMPLE if limit is None else limit
        self.total = 0

    def add(self, item: Any) -> None:
        """Count ``item``; keep it if fewer than ``limit`` are kept."""
        self.total += 1
        if len(self) < self.limit:
            self.append(item)


@dataclass
class Clock:
    """Seconds since it was made (for the report)."""

    start: float = field(default_factory=time.perf_counter)

    def seconds(self) -> float:
        """Seconds elapsed, rounded to milliseconds."""
        return round(time.perf_counter() - self.start, 3)
