"""The importer: every record of a file validated by the services, matched, written, batched.

One import is one write transaction. Each record is converted (``convert.py``), validated by
its service's ``clean()``, matched against what the database holds and created or updated
through the services' ``*_tx`` functions (``engine_records.py``): contacts by their own smallcrm
id, external id, or an email or phone under a name that agrees (``identity.py``: a shared
number under another name makes a new contact, reported as a possible duplicate); accounts by
external id or name; appointments by UID; deals by name and account; interactions by time,
kind, subject and contact. A matched record is updated with the file's non-empty values
(emails, phones and tags are added to the ones it has) but never renamed; when nothing differs
it is counted as unchanged, so importing the same file twice changes nothing the second time.
Notes are added to, not replaced.

New contacts are written a thousand at a time (``contacts.insert_contacts_tx``: the same rows,
emails, phones and history as one by one, with one statement per table instead of three per
contact) and, in large files, their search documents are built once per contact at the end of
each thousand (``bulk.py``); validation runs in a second process (``prepare.py``). That is what
brings 100,000 contacts in well under a minute.

Each record runs inside a savepoint: a record that fails leaves no trace, and with
``skip_invalid`` the good ones are kept. Without it one bad record rejects the file (nothing is
written; ``ImportRejected`` lists every problem). A dry run does everything and rolls back, so
its preview is exactly what the import would do. Interrupting (KeyboardInterrupt) rolls the
transaction back like any other error.
"""

from __future__ import annotations

from contextlib import closing

from smallcrm.store import crud
from smallcrm.store.db import Database, Tx
from smallcrm.store.errors import StoreError, ValidationError

from .batches import add_items_tx, finish_batch_tx, start_batch_tx
from .bulk import SearchDeferral
from .common import (
    Clock,
    ImportRejected,
    ImportReport,
    PossibleDuplicate,
    Problem,
    Progress,
    RowOutcome,
    Ticker,
)
from .convert import Context
from .engine_records import RecordWriter
from .parsed import ParsedFile, SourceRecord
from .prepare import Failed, Prepared, prepared_records

CHUNK = 1000  # records between search-index refreshes and progress-friendly pauses
BULK_THRESHOLD = 500  # contact files at least this long defer the search triggers


class _DryRun(Exception):
    """Raised inside the write transaction to roll a dry run back."""

    def __init__(self, report: ImportReport) -> None:
        super().__init__("dry run")
        self.report = report


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
) -> ImportReport:
    """Write the records of a parsed file as one batch (see the module doc)."""
    clock = Clock()
    actor = actor or crud.current_user()
    try:
        with db.write() as tx:
            run = _Run(tx, parsed, source, actor, preview_limit)
            run.all(progress)
            report = run.report(dry_run, skip_invalid, clock)
            if dry_run:
                raise _DryRun(report)
            if run.tally.problems and not skip_invalid:
                raise ImportRejected(report)
            run.commit(report)
            return report
    except _DryRun as done:
        return done.report


class _Run(RecordWriter):
    """One import in progress, inside its write transaction."""

    def __init__(
        self, tx: Tx, parsed: ParsedFile, source: str, actor: str, preview_limit: int
    ) -> None:
        contact_records = sum(1 for r in parsed.records if r.kind == "contact")
        super().__init__(tx, actor, SearchDeferral(tx, enabled=contact_records >= BULK_THRESHOLD))
        self.parsed = parsed
        self.source = source
        self.preview_limit = preview_limit
        self.context = Context(source)
        self.tally.warnings.extend(parsed.warnings)
        self.audit_mark = int(tx.scalar("SELECT coalesce(max(id), 0) FROM audit_entry"))
        self.batch_id = start_batch_tx(
            tx, actor=actor, source=source, file_format=parsed.file_format, kind=parsed.kind
        )

    # --- the loop ------------------------------------------------------------------------

    def all(self, progress: Progress | None) -> None:
        ticker = Ticker(progress, len(self.parsed.records))
        # closing(): on an interrupt the worker process ends now, not when garbage is collected.
        with closing(prepared_records(self.parsed.records, self.context)) as ready:
            for index, (record, prepared) in enumerate(
                zip(self.parsed.records, ready, strict=True), start=1
            ):
                if index % CHUNK == 1:
                    self.search.pause()
                self.one(record, prepared)
                ticker.step()
                if index % CHUNK == 0:
                    self._write_pending()
                    self.search.flush()
        self._write_pending()
        self.search.flush()
        ticker.finish()

    def one(self, record: SourceRecord, prepared: Prepared | Failed | None) -> None:
        for text in record.warnings:
            self.tally.warnings.append(Problem(record.where, text, line=record.line))
        if record.problem is not None or prepared is None:
            assert record.problem is not None
            self._invalid(record, record.problem, "")
            return
        if isinstance(prepared, Failed):
            problem = Problem(record.where, prepared.reason, prepared.field, record.line)
            self._invalid(record, problem, "")
            return
        draft, cleaned = prepared.draft, dict(prepared.cleaned)
        self._note, self._possible = None, ()
        found = self._find_contact(draft, cleaned) if draft.kind == "contact" else None
        if found is None or found.record_id is not None:
            # Written before the savepoint: a failure of this record must not undo them.
            self._write_pending()
        self.tx.execute("SAVEPOINT import_record")
        mark = self._mark()
        try:
            action, record_id, changed = self.apply(draft, cleaned, found)
        except StoreError as exc:
            self.tx.execute("ROLLBACK TO import_record")
            self.tx.execute("RELEASE import_record")
            self._revert(mark)
            field_name = exc.field if isinstance(exc, ValidationError) else None
            reason = exc.message if isinstance(exc, ValidationError) else str(exc)
            self._invalid(record, Problem(record.where, reason, field_name, record.line), "")
            return
        self.tx.execute("RELEASE import_record")
        for text in draft.warnings:
            self.tally.warnings.append(Problem(record.where, text, line=record.line))
        setattr(self.tally, action, getattr(self.tally, action) + 1)
        self.tally.duplicates += [
            PossibleDuplicate(record.where, draft.kind, record_id, draft.label, other, reason)
            for other, reason in self._possible
        ]
        self._outcome(
            RowOutcome(
                record.where, action, draft.kind, draft.label, record_id, changed, self._note
            )
        )

    def _mark(self) -> tuple[int, dict[str, int], int]:
        """Where the bookkeeping stands before a record, to forget it if the record fails."""
        for keys in (self._contacts, self._accounts):
            if keys is not None:
                keys.journal.clear()
        return len(self.tally.items), dict(self.tally.linked), len(self.pending)

    def _revert(self, mark: tuple[int, dict[str, int], int]) -> None:
        """Forget a failed record: its batch items, counts and the keys it added."""
        count, linked, pending = mark
        del self.pending[pending:]
        for item in self.tally.items[count:]:
            self._created_at.pop((item["kind"], item["record_id"]), None)
        del self.tally.items[count:]
        self.tally.linked = linked
        for keys in (self._contacts, self._accounts):
            if keys is not None:
                keys.revert()

    def _invalid(self, record: SourceRecord, problem: Problem, label: str) -> None:
        self.tally.invalid += 1
        self.tally.problems.append(problem)
        self._outcome(RowOutcome(record.where, "invalid", record.kind, label, reason=str(problem)))

    def _outcome(self, outcome: RowOutcome) -> None:
        if len(self.tally.rows) < self.preview_limit:
            self.tally.rows.append(outcome)

    # --- the end ---------------------------------------------------------------------------

    def report(self, dry_run: bool, skip_invalid: bool, clock: Clock) -> ImportReport:
        tally = self.tally
        committed = not dry_run and (skip_invalid or not tally.problems)
        return ImportReport(
            source=self.source,
            file_format=self.parsed.file_format,
            kind=self.parsed.kind,
            dry_run=dry_run,
            committed=committed,
            batch_id=self.batch_id if committed else None,
            total=len(self.parsed.records),
            created=tally.created,
            updated=tally.updated,
            unchanged=tally.unchanged,
            invalid=tally.invalid,
            linked_created=dict(tally.linked),
            duplicates=tuple(tally.duplicates),
            problems=tuple(tally.problems),
            warnings=tuple(tally.warnings),
            rows=tuple(tally.rows),
            details=dict(self.parsed.details),
            seconds=clock.seconds(),
        )

    def commit(self, report: ImportReport) -> None:
        """Record the batch: its items, its counts, and "import" in the audit trail."""
        add_items_tx(self.tx, self.batch_id, self.tally.items)
        self.tx.execute(
            "UPDATE audit_entry SET action = 'import' WHERE id > :mark AND action = 'create'",
            mark=self.audit_mark,
        )
        counts = {
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "invalid": report.invalid,
        }
        details = dict(report.details, warnings=len(report.warnings))
        finish_batch_tx(self.tx, self.batch_id, counts, details, self.actor)
