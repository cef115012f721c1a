"""Writing an import's records hidden, a chunk at a time, so nobody is locked out meanwhile.

An import of 200,000 rows takes a while; a single write transaction would hold the database's
write lock all that time, and everyone else's saves would wait and then fail as "busy". So the
records go in a thousand at a time, each chunk in its own short write transaction, and they go
in hidden (``crud.HIDDEN``): in the trash, under the batch's name, where no list, count, search
or duplicate check sees them and nobody can restore or change them. Nobody sees a half-imported
file; once the whole file is in (and valid, unless invalid records are skipped), the import is
committed and shown (``publish.py``); otherwise its hidden records are deleted (``recovery.py``).

Within a chunk each record runs inside a savepoint: a record that fails leaves no trace, and
with ``skip_invalid`` the good ones are kept. What the whole file's matching must remember
stays compact (``keys.py``, ``indexes.py``), and so does the report: counts, with the first
``SAMPLE`` problems, warnings and possible duplicates (``common.Sample``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field
from itertools import islice

from smallcrm.store import crud
from smallcrm.store.db import Database, Tx
from smallcrm.store.errors import StoreError, ValidationError

from .batch_lock import RunningLock
from .batches import add_items_tx, start_batch_tx
from .bulk import QuietSearch
from .common import Clock, PossibleDuplicate, Problem, Progress, RowOutcome, Sample, Ticker
from .convert import Context
from .engine_records import RecordWriter
from .indexes import AccountIndex, ContactIndex
from .keys import Chunk, Scratch
from .parsed import ParsedFile, SourceRecord
from .prepare import Failed, Prepared, prepared_records
from .recheck import Recheck, Rechecked

CHUNK = 1000  # records per write transaction, at most
# A chunk holds the write lock while it is written; on a machine busy with other work a thousand
# records can take seconds, and others' saves give up after five. So each chunk is sized from
# how long the one before took, to hold the lock about HOLD seconds (never fewer than
# MIN_CHUNK records: each transaction has its cost).
HOLD = 0.4
MIN_CHUNK = 50
# The first chunk, before any pace is known: a thousand records took 2 s on PostgreSQL with
# nobody else writing, long enough, on a busy machine, for others' saves to give up.
FIRST = 200


@dataclass
class Tally:
    """What the report lists, bounded: samples with the counts of all."""

    total: int = 0
    problems: Sample = field(default_factory=Sample)
    warnings: Sample = field(default_factory=Sample)
    duplicates: Sample = field(default_factory=Sample)
    duplicate_records: int = 0
    rows: list[RowOutcome] = field(default_factory=list)


class ImportSession:
    """One import from its first chunk until it is committed or discarded."""

    def __init__(self, db: Database, parsed: ParsedFile, source: str, actor: str) -> None:
        self.db = db
        self.parsed = parsed
        self.source = source
        self.actor = actor
        self.context = Context(source)
        self.tally = Tally()
        self.preview_limit = 1000
        self.lock = RunningLock.new(db)
        self.scratch = Scratch()
        try:
            self.batch_id, mark = self._start()
        except BaseException:
            self.close()
            raise
        self.hidden = crud.hidden_by(self.batch_id)
        self.recheck = Recheck(self.batch_id, self.hidden, actor, mark)
        keys = Chunk()
        self.writer = RecordWriter(
            actor, ContactIndex(self.scratch, keys), AccountIndex(self.scratch, keys)
        )
        self.keys = keys
        self.quiet = QuietSearch()

    def _start(self) -> tuple[int, int]:
        """The batch row, in a transaction of its own; and where the audit trail stands."""
        with self.db.write() as tx:
            batch_id = start_batch_tx(
                tx,
                actor=self.actor,
                source=self.source,
                file_format=self.parsed.file_format,
                kind=self.parsed.kind,
            )
            details = {"state": "staging", "running": self.lock.token}
            tx.execute(
                "UPDATE import_batch SET details = :d WHERE id = :id",
                d=json.dumps(details),
                id=batch_id,
            )
            mark = int(tx.scalar("SELECT coalesce(max(id), 0) FROM audit_entry"))
        return batch_id, mark

    def close(self) -> None:
        """Let go of the scratch file and the lock that says the import runs."""
        self.scratch.close()
        self.lock.release()

    # reading and writing ------------------------------------------------------------------

    def stage(
        self, progress: Progress | None, read_so_far: Callable[[], float] | None, large: bool
    ) -> None:
        """Write every record of the file, hidden, a chunk per transaction."""
        if self.parsed.kind == "contact":
            self.writer.contacts.load(self.db)
        self.writer.accounts.load(self.db)
        ticker = Ticker(progress, _known_total(self.parsed))
        pairs = prepared_records(self.parsed, self.context, large=large)
        size = min(FIRST, CHUNK)
        with closing(pairs) as ready:
            while chunk := list(islice(ready, size)):
                clock = Clock()
                with self.db.write() as tx:
                    tx.hidden_by = self.hidden
                    self._chunk(tx, chunk)
                size = next_size(size, len(chunk), clock.seconds())
                ticker.total = _estimate(ticker.total, self.tally.total, read_so_far)
                ticker.step(len(chunk))
        ticker.total = self.tally.total
        ticker.finish()

    def _chunk(self, tx: Tx, chunk: list[tuple[SourceRecord, Prepared | Failed | None]]) -> None:
        self.quiet.pause(tx)
        self.noted(self.recheck.run(tx))
        self.writer.begin(tx)
        ready = [p for _r, p in chunk if isinstance(p, Prepared)]
        self.writer.contacts.prefetch(
            tx, [p.cleaned for p in ready if p.draft.kind == "contact"], _named_emails(ready)
        )
        self.writer.accounts.prefetch(
            tx,
            [p.cleaned for p in ready if p.draft.kind == "account"],
            {p.draft.company for p in ready if p.draft.company},
        )
        for record, prepared in chunk:
            self.one(tx, record, prepared)
        self.writer.write_pending()
        add_items_tx(tx, self.batch_id, self.writer.items)
        self.writer.items.clear()
        self.keys.written(self.scratch)
        self.quiet.resume(tx)
        self.recheck.moved_on(tx)

    def one(self, tx: Tx, record: SourceRecord, prepared: Prepared | Failed | None) -> None:
        """Create or change the record of one file record, or count it invalid."""
        self.tally.total += 1
        for text in record.warnings:
            self.tally.warnings.add(Problem(record.where, text, line=record.line))
        if not isinstance(prepared, Prepared):
            problem = record.problem
            if isinstance(prepared, Failed):
                problem = Problem(record.where, prepared.reason, prepared.field, record.line)
            assert problem is not None
            self._invalid(record, problem)
            return
        draft, cleaned = prepared.draft, dict(prepared.cleaned)
        writer = self.writer
        writer._note, writer._possible = None, ()
        found = writer.find_contact(draft, cleaned) if draft.kind == "contact" else None
        if found is None or found.record_id is not None:
            # Written before the savepoint: a failure of this record must not undo them.
            writer.write_pending()
        tx.execute("SAVEPOINT import_record")
        mark = self._mark()
        try:
            action, record_id, changed = writer.apply(draft, cleaned, found)
        except StoreError as exc:
            tx.execute("ROLLBACK TO import_record")
            tx.execute("RELEASE import_record")
            self._revert(mark)
            field_name = exc.field if isinstance(exc, ValidationError) else None
            reason = exc.message if isinstance(exc, ValidationError) else str(exc)
            self._invalid(record, Problem(record.where, reason, field_name, record.line))
            return
        tx.execute("RELEASE import_record")
        self.keys.keep()
        for text in draft.warnings:
            self.tally.warnings.add(Problem(record.where, text, line=record.line))
        counts = writer.counts
        setattr(counts, action, getattr(counts, action) + 1)
        possible: tuple[tuple[int, str], ...] = writer._possible
        if possible:
            self.tally.duplicate_records += 1
        for other, why in possible:
            self.tally.duplicates.add(
                PossibleDuplicate(record.where, draft.kind, record_id, draft.label, other, why)
            )
        outcome = RowOutcome(
            record.where, action, draft.kind, draft.label, record_id, changed, writer._note
        )
        self._outcome(outcome)

    def _mark(self) -> tuple[int, dict[str, int], int]:
        """Where the bookkeeping stands before a record, to forget it if the record fails."""
        self.keys.keep()
        writer = self.writer
        return len(writer.items), dict(writer.counts.linked), len(writer.pending)

    def _revert(self, mark: tuple[int, dict[str, int], int]) -> None:
        """Forget a failed record: its batch items, counts and the keys it added."""
        count, linked, pending = mark
        del self.writer.pending[pending:]
        del self.writer.items[count:]
        self.writer.counts.linked = linked
        self.keys.revert()

    def _invalid(self, record: SourceRecord, problem: Problem) -> None:
        self.writer.counts.invalid += 1
        self.tally.problems.add(problem)
        self._outcome(RowOutcome(record.where, "invalid", record.kind, "", reason=str(problem)))

    def _outcome(self, outcome: RowOutcome) -> None:
        if len(self.tally.rows) < self.preview_limit:
            self.tally.rows.append(outcome)

    def noted(self, done: Rechecked) -> None:
        """Count what a recheck did, and say so in the report."""
        counts = self.writer.counts
        counts.created += done.created
        counts.updated += done.updated
        counts.unchanged += done.unchanged
        for text in done.notes:
            self.tally.warnings.add(Problem("import", text))
        for ours, other, reason in done.duplicates:
            self.tally.duplicate_records += 1
            self.tally.duplicates.add(
                PossibleDuplicate("import", "contact", ours, f"contact {ours}", other, reason)
            )


def next_size(size: int, written: int, seconds: float) -> int:
    """The next chunk's size: about ``HOLD`` seconds' worth at the pace of the last one."""
    if written < size:
        return size  # the last chunk of the file
    pace = written / max(seconds, 0.001)
    return max(min(MIN_CHUNK, CHUNK), min(CHUNK, round(pace * HOLD)))


def _named_emails(ready: list[Prepared]) -> set[str]:
    """The email addresses by which records name the contact they are about."""
    named = (p.draft.contact for p in ready if p.draft.contact)
    emails = {text.strip().lower() for text in named if "@" in text}
    return emails | {a.lower() for p in ready for a in p.draft.attendees}


def _known_total(parsed: ParsedFile) -> int | None:
    return len(parsed.records) if isinstance(parsed.records, list) else None


def _estimate(total: int | None, done: int, read_so_far: Callable[[], float] | None) -> int | None:
    """The number of records, known or guessed from how much of the file has been read."""
    if total is not None and read_so_far is None:
        return total
    fraction = read_so_far() if read_so_far is not None else 0.0
    return max(done, round(done / fraction)) if fraction > 0.01 else total
