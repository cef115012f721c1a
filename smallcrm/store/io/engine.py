"""The importer: every record of a file validated by the services, matched, written, batched.

Each record is converted (``convert.py``), validated by its service's ``clean()`` (both in a
second process for long files, ``prepare.py``), matched against what the database holds and
created or changed through the services' ``*_tx`` functions (``engine_records.py``): contacts
by their own smallcrm id, external id, or an email or phone under a name that agrees
(``identity.py``: a shared number under another name makes a new contact, reported as a
possible duplicate); accounts by external id or name; appointments by UID; deals by name and
account; interactions by time, kind, subject and contact. A matched record is updated with the
file's non-empty values (emails, phones and tags are added to the ones it has) but never
renamed; when nothing differs it is counted as unchanged, so importing the same file twice
changes nothing the second time. Notes are added to, not replaced.

An import is all or nothing, and it does not lock anyone out while it runs: its records are
written hidden, a chunk per short write transaction (``staging.py``); then, if every record was
good (or ``skip_invalid``), one short transaction commits the import and the next ones show it
(``publish.py``); otherwise the hidden records are deleted (``recovery.py``), as they are after
a dry run, whose preview is therefore exactly what the import would do. Interrupting
(KeyboardInterrupt, or a progress callback that raises) while the file is read takes the import
back; once it is committed, it is finished first. A process killed at any moment leaves the
import whole or not at all: the next process that opens the database finishes it or takes it
back (``recovery.py``). The file is read as it is imported, and nothing kept for the whole
file grows with it (``keys.py``, ``common.Sample``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from smallcrm.store import crud, search_upkeep
from smallcrm.store.db import Database

from . import prepare
from .common import Clock, ImportRejected, ImportReport, PossibleDuplicate, Problem, Progress
from .parsed import ParsedFile
from .publish import Shown, commit, publish
from .recovery import discard
from .staging import ImportSession


def run_import(
    db: Database,
    parsed: ParsedFile,
    source: str,
    *,
    dry_run: bool = False,
    skip_invalid: bool = False,
    progress: Progress | None = None,
    actor: str | None = None,
    preview_limit: int = 1000,
    read_so_far: Callable[[], float] | None = None,
    size: int | None = None,
) -> ImportReport:
    """Write the records of a parsed file as one batch (see the module doc).

    ``read_so_far()`` tells how much of the file has been read (for the progress estimate);
    ``size`` is the file's size in bytes, if known.
    """
    clock = Clock()
    session = ImportSession(db, parsed, source, actor or crud.current_user())
    session.preview_limit = preview_limit
    try:
        try:
            session.stage(progress, read_so_far, _large(parsed, size))
        except BaseException:
            discard(db, session.batch_id)
            raise
        problems = session.tally.problems.total
        committed = not dry_run and (skip_invalid or not problems)
        report = _report(session, dry_run, committed, clock)
        if not committed:
            discard(db, session.batch_id)
            if dry_run:
                return report
            raise ImportRejected(report)
        shown = commit(db, session.recheck, _counts(report), _details(report), session.lock.token)
        try:
            shown = _published(db, session, shown)
        except KeyboardInterrupt:
            # Committed: the import is finished before Ctrl+C is let through.
            _published(db, session, shown)
            raise
        result = _shown(report, shown, clock)
    finally:
        session.close()
    # Each of the import's transactions left a segment in SQLite's search index: merge them now,
    # for a bounded time, while the user still expects the import to be working. After the
    # import has let go of its lock: a kill while merging must leave no lock file behind.
    if search_upkeep.fragmented(db):
        search_upkeep.merge(db, search_upkeep.IMPORT_SECONDS)
    return result


def _large(parsed: ParsedFile, size: int | None) -> bool:
    """Worth a second process: a file of half a megabyte, or 5,000 records read already."""
    if size is not None:
        return size >= prepare.PARALLEL_MIN
    return isinstance(parsed.records, list) and len(parsed.records) >= 5000


def _published(db: Database, session: ImportSession, shown: Shown) -> Shown:
    more = publish(db, session.recheck)
    shown.created += more.created
    shown.updated += more.updated
    shown.unchanged += more.unchanged
    shown.notes += more.notes
    shown.duplicates += more.duplicates
    return shown


def _report(session: ImportSession, dry_run: bool, committed: bool, clock: Clock) -> ImportReport:
    tally, counts, parsed = session.tally, session.writer.counts, session.parsed
    warnings = [*parsed.warnings, *tally.warnings][: tally.warnings.limit]
    return ImportReport(
        source=session.source,
        file_format=parsed.file_format,
        kind=parsed.kind,
        dry_run=dry_run,
        committed=committed,
        batch_id=session.batch_id if committed else None,
        total=tally.total,
        created=counts.created,
        updated=counts.updated,
        unchanged=counts.unchanged,
        invalid=counts.invalid,
        linked_created=dict(counts.linked),
        duplicates=tuple(tally.duplicates),
        problems=tuple(tally.problems),
        warnings=tuple(warnings),
        rows=tuple(tally.rows),
        details=dict(parsed.details),
        seconds=clock.seconds(),
        problem_count=tally.problems.total,
        warning_count=len(parsed.warnings) + tally.warnings.total,
        duplicate_count=tally.duplicate_records,
    )


def _counts(report: ImportReport) -> dict[str, int]:
    return {
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "invalid": report.invalid,
    }


def _details(report: ImportReport) -> dict[str, object]:
    return dict(report.details, warnings=report.warnings_total)


def _shown(report: ImportReport, shown: Shown, clock: Clock) -> ImportReport:
    """The report with what showing the import changed (others wrote meanwhile)."""
    if not (shown.created or shown.updated or shown.unchanged or shown.notes or shown.duplicates):
        return replace(report, seconds=clock.seconds())
    notes = tuple(Problem("import", text) for text in shown.notes)
    duplicates = tuple(
        PossibleDuplicate("import", "contact", ours, f"contact {ours}", other, reason)
        for ours, other, reason in shown.duplicates
    )
    return replace(
        report,
        created=report.created + shown.created,
        updated=report.updated + shown.updated,
        unchanged=report.unchanged + shown.unchanged,
        warnings=report.warnings + notes,
        warning_count=report.warnings_total + len(notes),
        duplicates=report.duplicates + duplicates,
        duplicate_count=report.duplicates_total + len({d.record_id for d in duplicates}),
        seconds=clock.seconds(),
    )
