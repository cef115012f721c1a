"""One record of an import: found in the database, then created or changed by its service.

Contacts are found by ``identity.py``'s rules (their own smallcrm id, external id, an email or
phone under a name that agrees); a new one that may be someone already here is created and
reported, and an update never renames anyone. Accounts are found by their own id, external id
or name; the other kinds by the queries in ``matching.py``. Creating goes through the services'
``*_tx`` functions, so every rule and every audit entry is the same as for a record typed by
hand; new contacts are gathered and written a thousand at a time.

Everything is written inside a chunk's transaction whose ``hidden_by`` names the batch: new
records are hidden until the import is done (``staging.py``). A change to a record that was
already here is worked out (for the report) and kept for later (``updates.py``); a change to a
record this import created is made at once, as nobody else can see it yet.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from smallcrm.store import accounts, appointments, contacts, crud, interactions, opportunities
from smallcrm.store.db import Tx
from smallcrm.store.errors import ValidationError

from .convert import Draft
from .identity import Match, duplicate_warning, exported_record, full_name
from .indexes import AccountIndex, ContactIndex
from .keys import live_or
from .matching import MATCH, name_key
from .own_uid import own_record
from .updates import Change, apply_change, contact_change, payload, record_change, stage_names


@dataclass
class Counts:
    """The counts of an import so far."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    invalid: int = 0
    linked: dict[str, int] = field(default_factory=dict)


class RecordWriter:
    """Finds, creates and changes the records of one import, a chunk at a time."""

    def __init__(self, actor: str, contacts_index: ContactIndex, accounts_index: AccountIndex):
        self.tx: Tx = None  # type: ignore[assignment]  # set by begin() for each chunk
        self.actor = actor
        self.contacts = contacts_index
        self.accounts = accounts_index
        self.counts = Counts()
        self.items: list[dict[str, Any]] = []  # batch items of the chunk, not yet written
        self.pending: list[tuple[int, dict[str, Any]]] = []  # new contacts not yet written
        self._next_id: int | None = None
        self._stages: tuple[str, ...] | None = None
        self._note: str | None = None  # how the current record was matched, for the preview
        self._possible: tuple[tuple[int, str], ...] = ()  # what a new record may duplicate

    def begin(self, tx: Tx) -> None:
        """Write the next chunk in ``tx`` (ids are handed out afresh: others write between)."""
        self.tx = tx
        self._next_id = None

    def apply(
        self, draft: Draft, cleaned: dict[str, Any], found: Match | None = None
    ) -> tuple[str, int, tuple[str, ...]]:
        """Create or change the record of ``draft`` (``cleaned`` by its service); a contact's
        ``found`` says which one it is (``find_contact``)."""
        if draft.kind == "contact":
            return self._contact(draft, cleaned, found or self.find_contact(draft, cleaned))
        values = dict(draft.values)
        if draft.contact:
            values["contact_id"] = self._contact_ref(draft.contact)
        elif draft.attendees:
            found_ids = [self.contacts.first_by_email(a.lower()) for a in draft.attendees]
            if linked := next((cid for cid in found_ids if cid is not None), None):
                values["contact_id"] = linked
        if draft.company:
            values["account_id"] = self.company(draft.company)
        match = self._match(draft, cleaned, values)
        if match is None:
            record_id = _CREATE[draft.kind](self.tx, values, self.actor)
            self._created(draft.kind, record_id)
            if draft.kind == "account":
                self.accounts.add(record_id, cleaned)
            return "created", record_id, ()
        row = self.tx.one(f"SELECT * FROM {draft.kind} WHERE id = :id", id=match)
        change = record_change(self.tx, draft.kind, row, cleaned, values, self.stages())
        return self._change(draft, row, change, cleaned, values)

    def _created(self, kind: str, record_id: int, linked: bool = False) -> None:
        self.items.append({"kind": kind, "record_id": record_id, "action": "create", "version": 1})
        if linked:
            self.counts.linked[kind] = self.counts.linked.get(kind, 0) + 1

    def stages(self) -> tuple[str, ...]:
        """The pipeline's stages (read once per import)."""
        if self._stages is None:
            self._stages = stage_names(self.tx)
        return self._stages

    def _change(
        self,
        draft: Draft,
        row: Any,
        change: Change,
        cleaned: dict[str, Any],
        values: dict[str, Any] | None = None,
    ) -> tuple[str, int, tuple[str, ...]]:
        """Make ``change`` now (a record of this import) or keep it for later (see the doc)."""
        if change.warning:
            draft.warnings.append(change.warning)
        record_id = row["id"]
        if not change.changes:
            return "unchanged", record_id, ()
        if row["deleted_by"] is not None and row["deleted_by"] == self.tx.hidden_by:
            apply_change(self.tx, draft.kind, record_id, change, self.actor)
        else:
            self.items.append(
                {
                    "kind": draft.kind,
                    "record_id": record_id,
                    "action": "pending",
                    "version": row["version"],
                    "before": payload(cleaned, values),
                }
            )
        return "updated", record_id, change.changed

    # contacts -------------------------------------------------------------------------------

    def _contact(
        self, draft: Draft, cleaned: dict[str, Any], found: Match
    ) -> tuple[str, int, tuple[str, ...]]:
        if draft.company:
            cleaned["account_id"] = self.company(draft.company)
        if found.record_id is None:
            record_id = self._next_contact_id()
            self.pending.append((record_id, cleaned))  # written in bulk, see write_pending
            self._created("contact", record_id)
            self.contacts.add(record_id, cleaned, new=True)
            self._flag(draft, found)
            return "created", record_id, ()
        self._note = found.key
        row = self.tx.row("SELECT * FROM contact WHERE id = :id", id=found.record_id)
        result = self._change(draft, row, contact_change(self.tx, row, cleaned), cleaned)
        if result[0] == "updated":
            ours = row["deleted_by"] is not None and row["deleted_by"] == self.tx.hidden_by
            self.contacts.add(found.record_id, cleaned, new=ours)
        return result

    def find_contact(self, draft: Draft, cleaned: dict[str, Any]) -> Match:
        """The contact a record of the file is (``identity.py``): the one our own export's id
        names, else by its keys (``indexes.py``); or None with its possible duplicates."""
        own = None
        if draft.own is not None:
            own = exported_record(self.tx, "contact", draft.own, full_name(cleaned))
        # The UID our own vCard export made up for a contact names it too.
        own = own or own_record(self.tx, "contact", cleaned.get("external_id"))
        return Match(own, "its smallcrm id") if own is not None else self.contacts.find(cleaned)

    def _flag(self, draft: Draft, found: Match) -> None:
        """A new record that may be one already here: a warning, and listed in the report."""
        if found.possible:
            self._possible = found.possible
            draft.warnings.append(duplicate_warning(draft.kind, draft.label, found.possible))
            others = ", ".join(f"{draft.kind} {i}" for i, _reason in found.possible)
            self._note = f"possible duplicate of {others}"

    def _next_contact_id(self) -> int:
        if self._next_id is None:
            self._next_id = crud.next_id(self.tx, "contact")
        record_id = self._next_id
        self._next_id += 1
        return record_id

    def write_pending(self) -> None:
        """Insert the new contacts gathered so far, a thousand statements saved per thousand."""
        if self.pending:
            contacts.insert_contacts_tx(self.tx, self.pending, self.actor)
            self.pending.clear()

    def _contact_ref(self, ref: str) -> int:
        """A contact named in a file: by email address, else by its exact full name."""
        text = ref.strip()
        if "@" in text:
            found = self.contacts.first_by_email(text.lower())
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
        found = self.accounts.by_name.get(name_key(name))
        if found is not None:
            return found
        record_id = accounts.create_account_tx(self.tx, {"name": name}, self.actor)
        self._created("account", record_id, linked=True)
        self.accounts.add(record_id, {"name": name})
        return record_id

    # other kinds ----------------------------------------------------------------------------

    def _match(self, draft: Draft, cleaned: dict[str, Any], values: dict[str, Any]) -> int | None:
        kind = draft.kind
        if kind == "account":
            own = exported_record(self.tx, kind, draft.own, cleaned.get("name") or "")
            own = own or own_record(self.tx, kind, cleaned.get("external_id"))
            found = Match(own, "its smallcrm id") if own else self.accounts.find(cleaned)
            self._note = found.key or None
            self._flag(draft, found)
            return found.record_id
        live, hidden = live_or(self.tx)
        for sql, params in MATCH[kind](cleaned, values):
            found_id = self.tx.scalar(f"{sql} AND {live} ORDER BY id LIMIT 1", **params, **hidden)
            if found_id is not None:
                return int(found_id)
        return None


_CREATE: dict[str, Callable[[Tx, dict[str, Any], str], int]] = {
    "account": accounts.create_account_tx,
    "opportunity": opportunities.create_opportunity_tx,
    "interaction": interactions.log_interaction_tx,
    "appointment": appointments.create_appointment_tx,
}
