"""The importer: every record of a file validated by the services, matched, written, batched.

One import is one write transaction. Each record is converted (``convert.py``), validated by
its service's ``clean()``, matched against what the database holds (contacts by external id,
email or phone; accounts by external id or name; appointments by UID; deals by name and
account; interactions by time, kind, subject and contact) and created or updated through the
services' ``*_tx`` functions, so every rule and every audit entry is the same as for a record
typed by hand. A matched record is updated with the file's non-empty values (emails, phones
and tags are added to the ones it has); when nothing differs it is counted as unchanged, so
importing the same file twice changes nothing the second time. Notes are added to, not
replaced.

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

from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field
from typing import Any

from smallcrm.store import accounts, appointments, contacts, crud, interactions, opportunities
from smallcrm.store import validate as v
from smallcrm.store.db import Database, Tx, to_datetime
from smallcrm.store.errors import StoreError, ValidationError
from smallcrm.store.records import ContactMethod

from .batches import add_items_tx, finish_batch_tx, start_batch_tx
from .bulk import SearchDeferral
from .common import (
    Clock,
    ImportRejected,
    ImportReport,
    Problem,
    Progress,
    RowOutcome,
    Ticker,
)
from .convert import Context, Draft
from .ical_uid import smallcrm_uid
from .matching import MATCH, AccountKeys, ContactKeys, consent_changes, differences, name_key
from .own_uid import drop_own_uid, own_record
from .parsed import ParsedFile, SourceRecord
from .prepare import Failed, Prepared, prepared_records

CHUNK = 1000  # records between search-index refreshes and progress-friendly pauses
BULK_THRESHOLD = 500  # contact files at least this long defer the search triggers
RAW_KEYS = {"amount_cents": "amount"}  # clean() output key -> the input key it came from


class _DryRun(Exception):
    """Raised inside the write transaction to roll a dry run back."""

    def __init__(self, report: ImportReport) -> None:
        super().__init__("dry run")
        self.report = report


@dataclass
class _Tally:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    invalid: int = 0
    linked: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    rows: list[RowOutcome] = field(default_factory=list)
    items: list[dict[str, Any]] = field(default_factory=list)


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


class _Run:
    """One import in progress, inside its write transaction."""

    def __init__(
        self, tx: Tx, parsed: ParsedFile, source: str, actor: str, preview_limit: int
    ) -> None:
        self.tx = tx
        self.parsed = parsed
        self.source = source
        self.actor = actor
        self.preview_limit = preview_limit
        self.context = Context(source)
        self.tally = _Tally()
        self.tally.warnings.extend(parsed.warnings)
        self.audit_mark = int(tx.scalar("SELECT coalesce(max(id), 0) FROM audit_entry"))
        self.batch_id = start_batch_tx(
            tx, actor=actor, source=source, file_format=parsed.file_format, kind=parsed.kind
        )
        contact_records = sum(1 for r in parsed.records if r.kind == "contact")
        self.search = SearchDeferral(tx, enabled=contact_records >= BULK_THRESHOLD)
        self._contacts: ContactKeys | None = None
        self._accounts: AccountKeys | None = None
        self._created_at: dict[tuple[str, int], int] = {}  # (kind, id) -> index in items
        self.pending: list[tuple[int, dict[str, Any]]] = []  # new contacts not yet written
        self._next_id: int | None = None
        self._stages: tuple[str, ...] | None = None

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
        draft = prepared.draft
        if draft.kind != "contact" or self._matches(prepared.cleaned):
            # Written before the savepoint: a failure of this record must not undo them.
            self._write_pending()
        self.tx.execute("SAVEPOINT import_record")
        mark = self._mark()
        try:
            action, record_id, changed = self.apply(draft, dict(prepared.cleaned))
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
        self._outcome(RowOutcome(record.where, action, draft.kind, draft.label, record_id, changed))

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

    # --- one record ------------------------------------------------------------------------

    def apply(self, draft: Draft, cleaned: dict[str, Any]) -> tuple[str, int, tuple[str, ...]]:
        """Create or update the record of ``draft`` (``cleaned`` by its service)."""
        if draft.kind == "contact":
            return self._contact(draft, cleaned)
        values = dict(draft.values)
        if draft.contact:
            values["contact_id"] = self._contact_ref(draft.contact)
        elif draft.attendees:
            found = [self.contacts.by_email.get(a.lower()) for a in draft.attendees]
            if linked := next((cid for cid in found if cid is not None), None):
                values["contact_id"] = linked
        if draft.company:
            values["account_id"] = self.company(draft.company)
        match = self._match(draft.kind, cleaned, values)
        if match is None:
            record_id = _CREATE[draft.kind](self.tx, values, self.actor)
            self._created(draft.kind, record_id)
            if draft.kind == "account":
                self.accounts.add(record_id, cleaned)
            return "created", record_id, ()
        return self._update(draft.kind, match, cleaned, values)

    def _created(self, kind: str, record_id: int, linked: bool = False) -> None:
        self._created_at[(kind, record_id)] = len(self.tally.items)
        self.tally.items.append(
            {"kind": kind, "record_id": record_id, "action": "create", "version": 1}
        )
        if linked:
            self.tally.linked[kind] = self.tally.linked.get(kind, 0) + 1

    # contacts -------------------------------------------------------------------------------

    @property
    def contacts(self) -> ContactKeys:
        if self._contacts is None:
            self._contacts = ContactKeys.load(self.tx)
        return self._contacts

    @property
    def accounts(self) -> AccountKeys:
        if self._accounts is None:
            self._accounts = AccountKeys.load(self.tx)
        return self._accounts

    def _contact(self, draft: Draft, cleaned: dict[str, Any]) -> tuple[str, int, tuple[str, ...]]:
        methods: list[ContactMethod] = cleaned.get("methods", [])
        match = self._find_contact(cleaned)
        if draft.company:
            cleaned["account_id"] = self.company(draft.company)
        if match is None:
            record_id = self._next_contact_id()
            self.pending.append((record_id, cleaned))  # written in bulk, see _write_pending
            self._created("contact", record_id)
            self.contacts.add(record_id, cleaned.get("external_id"), methods)
            self.search.touch(record_id)
            return "created", record_id, ()
        return self._update_contact(match, cleaned, methods)

    def _matches(self, cleaned: dict[str, Any]) -> bool:
        """True if a contact record of the file will update an existing (or pending) contact."""
        return self._find_contact(cleaned) is not None

    def _find_contact(self, cleaned: dict[str, Any]) -> int | None:
        """By the UID our own export made up for a contact, else by its keys (matching.py)."""
        external_id = cleaned.get("external_id")
        own = own_record(self.tx, "contact", external_id)
        return own or self.contacts.find(external_id, cleaned.get("methods", []))

    def _next_contact_id(self) -> int:
        if self._next_id is None:
            self._next_id = crud.next_id(self.tx, "contact")
        record_id = self._next_id
        self._next_id += 1
        return record_id

    def _write_pending(self) -> None:
        """Insert the new contacts gathered so far, a thousand statements saved per thousand."""
        if self.pending:
            contacts.insert_contacts_tx(self.tx, self.pending, self.actor)
            self.pending.clear()

    def _update_contact(
        self, contact_id: int, cleaned: dict[str, Any], methods: list[ContactMethod]
    ) -> tuple[str, int, tuple[str, ...]]:
        row = self.tx.one("SELECT * FROM contact WHERE id = :id", id=contact_id)
        drop_own_uid("contact", row, cleaned)
        changes, before = differences(row, cleaned, tags_merge=True)
        consent_changes(row, cleaned, changes, before)
        old = [
            ContactMethod(m["kind"], m["value"], m["label"])
            for m in self.tx.all(
                "SELECT kind, label, value FROM contact_method WHERE contact_id = :id "
                "ORDER BY kind, position",
                id=contact_id,
            )
        ]
        known = {(m.kind, m.value) for m in old}
        added = [m for m in methods if (m.kind, m.value) not in known]
        before_all: dict[str, Any] = {"columns": before}
        if added:
            merged = old + added
            changes["emails"] = [m for m in merged if m.kind == "email"]
            changes["phones"] = [m for m in merged if m.kind == "phone"]
            before_all["methods"] = [[m.kind, m.label, m.value] for m in old]
        if not changes:
            return "unchanged", contact_id, ()
        contacts.update_contact_tx(self.tx, contact_id, None, changes, self.actor, action="import")
        self._updated("contact", contact_id, before_all)
        self.contacts.add(contact_id, cleaned.get("external_id"), methods)
        self.search.touch(contact_id)
        changed = tuple(k for k in changes if k not in ("emails", "phones"))
        return "updated", contact_id, changed + (("methods",) if added else ())

    def _updated(self, kind: str, record_id: int, before: dict[str, Any]) -> None:
        version = self.tx.scalar(f"SELECT version FROM {kind} WHERE id = :id", id=record_id)
        created = self._created_at.get((kind, record_id))
        if created is not None:  # new in this batch: undo deletes it, whatever the file did
            self.tally.items[created]["version"] = version
            return
        self.tally.items.append(
            {
                "kind": kind,
                "record_id": record_id,
                "action": "update",
                "version": version,
                "before": before,
            }
        )

    def _contact_ref(self, ref: str) -> int:
        """A contact named in a file: by email address, else by its exact full name."""
        text = ref.strip()
        if "@" in text:
            found = self.contacts.by_email.get(text.lower())
            if found is not None:
                return found
            raise ValidationError("contact", f"no contact has the email address {text!r}")
        rows = self.tx.all(
            "SELECT id FROM contact WHERE deleted_at IS NULL AND "
            "lower(trim(first_name || ' ' || last_name)) = lower(:name) LIMIT 2",
            name=" ".join(text.split()),
        )
        if len(rows) == 1:
            return int(rows[0]["id"])
        if not rows:
            raise ValidationError("contact", f"no contact is called {text!r}")
        raise ValidationError(
            "contact", f"{text!r} names several contacts; give the contact's email instead"
        )

    def company(self, name: str) -> int:
        """The account called ``name`` (case aside), created on the way if there is none."""
        key = name_key(name)
        found = self.accounts.by_name.get(key)
        if found is not None:
            return found
        record_id = accounts.create_account_tx(self.tx, {"name": name}, self.actor)
        self._created("account", record_id, linked=True)
        self.accounts.add(record_id, {"name": name})
        return record_id

    # other kinds ----------------------------------------------------------------------------

    def _match(self, kind: str, cleaned: dict[str, Any], values: dict[str, Any]) -> int | None:
        if kind == "account":
            own = own_record(self.tx, kind, cleaned.get("external_id"))
            return own or self.accounts.find(cleaned)
        for sql, params in MATCH[kind](cleaned, values):
            found = self.tx.scalar(f"{sql} AND deleted_at IS NULL ORDER BY id LIMIT 1", **params)
            if found is not None:
                return int(found)
        return None

    def _update(
        self, kind: str, record_id: int, cleaned: dict[str, Any], values: dict[str, Any]
    ) -> tuple[str, int, tuple[str, ...]]:
        row = self.tx.one(f"SELECT * FROM {kind} WHERE id = :id", id=record_id)
        drop_own_uid(kind, row, cleaned)
        for key in ("contact_id", "account_id"):
            if key in values:
                cleaned[key] = values[key]
        if (
            kind == "account"
            and "name" in cleaned
            and name_key(cleaned["name"]) == name_key(row["name"])
        ):
            del cleaned["name"]  # matched by name: keep how it is written here
        if kind == "appointment" and row["uid"] is None:
            if cleaned.get("uid") == smallcrm_uid(row["id"], to_datetime(row["created_at"])):
                del cleaned["uid"]  # the UID our own export made up for it
        self._comparable(kind, cleaned)
        changes, before = differences(row, cleaned, tags_merge=kind == "account")
        if not changes:
            return "unchanged", record_id, ()
        raw = {}
        for key, value in changes.items():
            source_key = RAW_KEYS.get(key, key)
            raw[source_key] = value if key == "tags" else values.get(source_key, value)
        _UPDATE[kind](self.tx, record_id, None, raw, self.actor, action="import")
        self._updated(kind, record_id, {"columns": before})
        return "updated", record_id, tuple(changes)

    def _comparable(self, kind: str, cleaned: dict[str, Any]) -> None:
        """Spell a deal's stage and a recurrence rule as the database stores them."""
        if kind == "opportunity" and cleaned.get("stage"):
            if self._stages is None:
                self._stages = tuple(
                    r["name"] for r in self.tx.all("SELECT name FROM stage ORDER BY position")
                )
            cleaned["stage"] = v.choice("stage", cleaned["stage"], self._stages)
        if kind == "appointment" and cleaned.get("rrule"):
            cleaned["rrule"] = str(cleaned["rrule"]).strip().upper().removeprefix("RRULE:")

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


_CREATE: dict[str, Callable[[Tx, dict[str, Any], str], int]] = {
    "account": accounts.create_account_tx,
    "opportunity": opportunities.create_opportunity_tx,
    "interaction": interactions.log_interaction_tx,
    "appointment": appointments.create_appointment_tx,
}
_UPDATE: dict[str, Callable[..., bool]] = {
    "account": accounts.update_account_tx,
    "opportunity": opportunities.update_opportunity_tx,
    "interaction": interactions.update_interaction_tx,
    "appointment": appointments.update_appointment_tx,
}
