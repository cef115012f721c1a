"""What others wrote while an import ran: matching the import's new records against it again.

An import holds the write lock a chunk at a time (``staging.py``), so others create and change
contacts and accounts while it reads its file. Someone may create Anna Adler with anna@example
while the import holds a hidden new Anna Adler with the same email, which it created because
there was none when it read her row. Each of the import's transactions first looks at the
contacts and accounts that entries of the audit trail since its last transaction name (what
others wrote in between) and treats each like a record of the file that the import's own new
record would have matched, under ``identity.py``'s rules:

- the same external id, or an email or phone with names that agree: the import's record is
  that contact: its values go into the other one (as a change applied with the import's other
  changes, ``updates.py``) and the import's copy is deleted;
- an email or phone under a name that does not agree: a possible duplicate, in the report;
- an account of the same name or external id: the import's accounts are that account; the
  import's records linked to its copy are linked to it instead.

The import's changes to records that were already there are worked out again when they are
applied (``publish.py``), so an edit made meanwhile is seen there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from smallcrm.store.db import Tx
from smallcrm.store.records import ContactMethod

from .identity import full_name, names_agree
from .keys import in_list
from .matching import name_key
from .updates import Change, contact_change, payload, record_change, stage_names

CONTACT_VALUES = (
    "title",
    "street",
    "postal_code",
    "city",
    "country",
    "birthday",
    "source",
    "owner",
    "tags",
    "notes",
    "external_id",
    "email_opt_in",
    "email_consent_at",
    "email_consent_source",
    "phone_opt_in",
    "phone_consent_at",
    "phone_consent_source",
    "account_id",
)
ACCOUNT_VALUES: tuple[str, ...] = ("industry", "website", "phone", "street", "postal_code")
ACCOUNT_VALUES += ("city", "country", "owner", "tags", "notes", "external_id")
LINKS = ("contact", "opportunity", "interaction", "appointment")


@dataclass
class Rechecked:
    """What a recheck changed in the import's counts, and what the report should say."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    notes: list[str] = field(default_factory=list)
    duplicates: list[tuple[int, int, str]] = field(default_factory=list)  # (ours, other, why)


@dataclass
class Recheck:
    """One import's view of what others wrote: its batch, how its records are hidden, and the
    last audit entry it has looked at (``mark``)."""

    batch_id: int
    hidden: str
    actor: str
    mark: int

    def run(self, tx: Tx) -> Rechecked:
        """Look at what others wrote since ``mark`` (see the module doc)."""
        done = Rechecked()
        touched = tx.all(
            "SELECT DISTINCT kind, record_id FROM audit_entry WHERE id > :mark "
            "AND kind IN ('contact', 'account')",
            mark=self.mark,
        )
        for entry in touched:
            row = tx.one(
                f"SELECT * FROM {entry['kind']} WHERE id = :id AND deleted_at IS NULL",
                id=entry["record_id"],
            )
            if row is None:
                continue
            if entry["kind"] == "contact":
                self._contact(tx, row, done)
            else:
                self._account(tx, row, done)
        return done

    def moved_on(self, tx: Tx) -> None:
        """Everything in the audit trail so far has been looked at (or is the import's own)."""
        self.mark = int(tx.scalar("SELECT coalesce(max(id), 0) FROM audit_entry"))

    # contacts -----------------------------------------------------------------------------

    def _contact(self, tx: Tx, other: Any, done: Rechecked) -> None:
        for ours, how in self._sharing(tx, other):
            mine = tx.one("SELECT * FROM contact WHERE id = :id", id=ours)
            if mine is None:
                continue
            same = how == "external id" or names_agree(full_name(mine), full_name(other))
            if not same:
                done.duplicates.append((ours, other["id"], f"same {how}"))
                continue
            cleaned = {k: mine[k] for k in CONTACT_VALUES if mine[k] not in (None, "")}
            cleaned["methods"] = _methods(tx, ours)
            change = contact_change(tx, other, cleaned)
            self._into(tx, "contact", other, change, cleaned, None, done)
            self._forget(tx, "contact", ours)
            done.notes.append(
                f"contact {other['id']} ({full_name(other)}) was added by someone else while "
                f"the file was imported ({how}): the file's record went into it"
            )

    def _sharing(self, tx: Tx, other: Any) -> list[tuple[int, str]]:
        """The import's hidden contacts with the other contact's external id, emails, phones."""
        found: list[tuple[int, str]] = []
        if other["external_id"]:
            found += [
                (row["id"], "external id")
                for row in tx.all(
                    "SELECT id FROM contact WHERE external_id = :x AND deleted_by = :hidden",
                    x=other["external_id"],
                    hidden=self.hidden,
                )
            ]
        values = [m.value for m in _methods(tx, other["id"])]
        if values:
            marks, params = in_list(values)
            found += [
                (row["contact_id"], f"{row['kind']} {row['value']}")
                for row in tx.all(
                    "SELECT m.contact_id, m.kind, m.value FROM contact_method m JOIN contact c "
                    f"ON c.id = m.contact_id WHERE m.value IN {marks} "
                    "AND c.deleted_by = :hidden ORDER BY m.contact_id",
                    hidden=self.hidden,
                    **params,
                )
            ]
        first: dict[int, str] = {}
        for record_id, how in found:
            first.setdefault(record_id, how)
        return list(first.items())

    # accounts -----------------------------------------------------------------------------

    def _account(self, tx: Tx, other: Any, done: Rechecked) -> None:
        rows = tx.all(
            "SELECT * FROM account WHERE deleted_by = :hidden AND (lower(name) = lower(:name) "
            "OR (external_id IS NOT NULL AND external_id = :x))",
            hidden=self.hidden,
            name=other["name"],
            x=other["external_id"],
        )
        for mine in rows:
            if mine["external_id"] != other["external_id"] and name_key(mine["name"]) != (
                name_key(other["name"])
            ):
                continue
            for table in LINKS:
                tx.execute(
                    f"UPDATE {table} SET account_id = :other WHERE account_id = :mine "
                    "AND deleted_by = :hidden",
                    other=other["id"],
                    mine=mine["id"],
                    hidden=self.hidden,
                )
            cleaned = {k: mine[k] for k in ACCOUNT_VALUES if mine[k] not in (None, "")}
            change = record_change(tx, "account", other, cleaned, cleaned, stage_names(tx))
            self._into(tx, "account", other, change, cleaned, cleaned, done)
            self._forget(tx, "account", mine["id"])
            done.notes.append(
                f"account {other['id']} ({other['name']}) was added by someone else while the "
                "file was imported: the file's account went into it"
            )

    # both ---------------------------------------------------------------------------------

    def _into(
        self,
        tx: Tx,
        kind: str,
        other: Any,
        change: Change,
        cleaned: dict[str, Any],
        values: dict[str, Any] | None,
        done: Rechecked,
    ) -> None:
        """The import's record becomes a change to ``other``, applied with the import's other
        changes (after the records it links to are shown); its copy is counted no more."""
        done.created -= 1
        if not change.changes:
            done.unchanged += 1
            return
        done.updated += 1
        tx.execute(
            "INSERT INTO import_batch_item (batch_id, kind, record_id, action, version, before) "
            "VALUES (:batch_id, :kind, :record_id, 'pending', :version, :before)",
            batch_id=self.batch_id,
            kind=kind,
            record_id=other["id"],
            version=other["version"],
            before=payload(cleaned, values),
        )

    def _forget(self, tx: Tx, kind: str, record_id: int) -> None:
        """Delete the import's hidden copy, its history and its place in the batch."""
        tx.execute(
            "DELETE FROM audit_entry WHERE kind = :k AND record_id = :id", k=kind, id=record_id
        )
        tx.execute(
            "DELETE FROM import_batch_item WHERE batch_id = :b AND kind = :k AND record_id = :id",
            b=self.batch_id,
            k=kind,
            id=record_id,
        )
        tx.execute(
            f"DELETE FROM {kind} WHERE id = :id AND deleted_by = :hidden",
            id=record_id,
            hidden=self.hidden,
        )


def _methods(tx: Tx, contact_id: int) -> list[ContactMethod]:
    return [
        ContactMethod(row["kind"], row["value"], row["label"])
        for row in tx.all(
            "SELECT kind, value, label FROM contact_method WHERE contact_id = :id "
            "ORDER BY kind, position",
            id=contact_id,
        )
    ]
