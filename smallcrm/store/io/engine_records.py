"""One record of an import: found in the database, then created or updated by its service.

Contacts are found by ``identity.py``'s rules (their own smallcrm id, external id, an email or
phone under a name that agrees); a new one that may be someone already here is created and
reported, and an update never renames anyone. Accounts are found by their own id, external id
or name; the other kinds by the queries in ``matching.py``. Creating and updating go through
the services' ``*_tx`` functions, so every rule and every audit entry is the same as for a
record typed by hand; new contacts are gathered and written a thousand at a time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from smallcrm.store import accounts, appointments, contacts, crud, interactions, opportunities
from smallcrm.store import validate as v
from smallcrm.store.db import Tx, to_datetime
from smallcrm.store.errors import ValidationError
from smallcrm.store.records import ContactMethod

from .bulk import SearchDeferral
from .common import PossibleDuplicate, Problem, RowOutcome
from .convert import Draft
from .ical_uid import smallcrm_uid
from .identity import Match, duplicate_warning, exported_record, full_name, name_kept_warning
from .matching import MATCH, AccountKeys, ContactKeys, consent_changes, differences, name_key
from .own_uid import drop_own_uid, own_record

RAW_KEYS = {"amount_cents": "amount"}  # clean() output key -> the input key it came from


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
    duplicates: list[PossibleDuplicate] = field(default_factory=list)


class RecordWriter:
    """Finds, creates and updates the records of one import inside its write transaction."""

    def __init__(self, tx: Tx, actor: str, search: SearchDeferral) -> None:
        self.tx = tx
        self.actor = actor
        self.search = search
        self.tally = _Tally()
        self._contacts: ContactKeys | None = None
        self._accounts: AccountKeys | None = None
        self._created_at: dict[tuple[str, int], int] = {}  # (kind, id) -> index in items
        self.pending: list[tuple[int, dict[str, Any]]] = []  # new contacts not yet written
        self._next_id: int | None = None
        self._stages: tuple[str, ...] | None = None
        self._note: str | None = None  # how the current record was matched, for the preview
        self._possible: tuple[tuple[int, str], ...] = ()  # what a new record may duplicate

    def apply(
        self, draft: Draft, cleaned: dict[str, Any], found: Match | None = None
    ) -> tuple[str, int, tuple[str, ...]]:
        """Create or update the record of ``draft`` (``cleaned`` by its service); a contact's
        ``found`` says which one it is (``_find_contact``)."""
        if draft.kind == "contact":
            return self._contact(draft, cleaned, found or self._find_contact(draft, cleaned))
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
        return self._update(draft, match, cleaned, values)

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

    def _contact(
        self, draft: Draft, cleaned: dict[str, Any], found: Match
    ) -> tuple[str, int, tuple[str, ...]]:
        if draft.company:
            cleaned["account_id"] = self.company(draft.company)
        if found.record_id is None:
            record_id = self._next_contact_id()
            self.pending.append((record_id, cleaned))  # written in bulk, see _write_pending
            self._created("contact", record_id)
            self.contacts.add(record_id, cleaned)
            self.search.touch(record_id)
            self._flag(draft, found)
            return "created", record_id, ()
        return self._update_contact(draft, found, cleaned)

    def _find_contact(self, draft: Draft, cleaned: dict[str, Any]) -> Match:
        """The contact a record of the file is (``identity.py``): the one our own export's id
        names, else by its keys (``matching.py``); or None with its possible duplicates."""
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

    def _write_pending(self) -> None:
        """Insert the new contacts gathered so far, a thousand statements saved per thousand."""
        if self.pending:
            contacts.insert_contacts_tx(self.tx, self.pending, self.actor)
            self.pending.clear()

    def _update_contact(
        self, draft: Draft, found: Match, cleaned: dict[str, Any]
    ) -> tuple[str, int, tuple[str, ...]]:
        contact_id, methods = found.record_id, cleaned.get("methods", [])
        assert contact_id is not None
        self._note = found.key
        row = self.tx.one("SELECT * FROM contact WHERE id = :id", id=contact_id)
        drop_own_uid("contact", row, cleaned)
        given = full_name(cleaned)
        for key in ("first_name", "last_name"):  # an import never renames anyone
            cleaned.pop(key, None)
        if warning := name_kept_warning("contact", contact_id, full_name(row), given):
            draft.warnings.append(warning)
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
        self.contacts.add(contact_id, cleaned)
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
        key = name_key(name)
        found = self.accounts.by_name.get(key)
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
        for sql, params in MATCH[kind](cleaned, values):
            found = self.tx.scalar(f"{sql} AND deleted_at IS NULL ORDER BY id LIMIT 1", **params)
            if found is not None:
                return int(found)
        return None

    def _update(
        self, draft: Draft, record_id: int, cleaned: dict[str, Any], values: dict[str, Any]
    ) -> tuple[str, int, tuple[str, ...]]:
        kind = draft.kind
        row = self.tx.one(f"SELECT * FROM {kind} WHERE id = :id", id=record_id)
        drop_own_uid(kind, row, cleaned)
        for key in ("contact_id", "account_id"):
            if key in values:
                cleaned[key] = values[key]
        if kind == "account" and "name" in cleaned:  # an import never renames an account
            given = cleaned.pop("name")
            if name_key(given) != name_key(row["name"]) and (
                warning := name_kept_warning(kind, record_id, row["name"], given)
            ):
                draft.warnings.append(warning)
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
