"""Finding what an imported record already is in the database, and what would change.

Contacts and accounts are found through ``indexes.py`` (the rules, and why a shared email or
phone under another name is a new contact rather than an update, are in ``identity.py``).
Appointments are found by UID (also the one smallcrm's own export makes up), else by start and
title; deals by name and account; interactions by time, kind, subject and contact: the queries
here, which also find the records this import has written and not shown yet.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from smallcrm.store import consent

COMPARE_SKIP = frozenset(
    {
        "email_consent_at",
        "phone_consent_at",
        "email_consent_source",
        "phone_consent_source",
        "closed_on",
        "methods",
    }
)


def name_key(name: str) -> str:
    """An account name for comparing: case and spacing aside."""
    return " ".join(str(name).casefold().split())


Query = tuple[str, dict[str, Any]]


def _match_opportunity(cleaned: dict[str, Any], values: dict[str, Any]) -> list[Query]:
    return [
        (
            "SELECT id FROM opportunity WHERE lower(name) = lower(:name) "
            "AND coalesce(account_id, 0) = :account",
            {"name": cleaned["name"], "account": values.get("account_id") or 0},
        )
    ]


def _match_interaction(cleaned: dict[str, Any], values: dict[str, Any]) -> list[Query]:
    return [
        (
            "SELECT id FROM interaction WHERE happened_at = :at AND kind = :kind "
            "AND lower(subject) = lower(:subject) AND coalesce(contact_id, 0) = :contact",
            {
                "at": cleaned["happened_at"],
                "kind": cleaned["kind"],
                "subject": cleaned.get("subject") or "",
                "contact": values.get("contact_id") or 0,
            },
        )
    ]


def _match_appointment(cleaned: dict[str, Any], values: dict[str, Any]) -> list[Query]:
    """By UID (also the one our export made up for an appointment without), else by start
    and title."""
    uid = cleaned.get("uid")
    if not uid:
        return [
            (
                "SELECT id FROM appointment WHERE starts_at = :at AND lower(title) = lower(:title)",
                {"at": cleaned["starts_at"], "title": cleaned["title"]},
            )
        ]
    queries = [("SELECT id FROM appointment WHERE uid = :uid", {"uid": uid})]
    if own := _OWN_UID.fullmatch(uid):
        queries.append(
            ("SELECT id FROM appointment WHERE id = :id AND uid IS NULL", {"id": int(own[1])})
        )
    return queries


_OWN_UID = re.compile(r"appointment-(\d{1,18})-\d{8}T\d{6}Z@smallcrm")


MATCH: dict[str, Callable[[dict[str, Any], dict[str, Any]], list[Query]]] = {
    "opportunity": _match_opportunity,
    "interaction": _match_interaction,
    "appointment": _match_appointment,
}
# --- comparing a record with the file ----------------------------------------------------------


def differences(
    row: Any, cleaned: Mapping[str, Any], *, tags_merge: bool
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(changes, old values) for the file's non-empty values that differ from the row's."""
    changes: dict[str, Any] = {}
    before: dict[str, Any] = {}
    columns = set(row.keys())
    for key, value in cleaned.items():
        if key in COMPARE_SKIP or key not in columns or key.endswith("_opt_in"):
            continue
        if key == "tags":
            merged = _merged_tags(row["tags"], value) if tags_merge else value
            if merged != (row["tags"] or ""):
                changes[key], before[key] = merged, row["tags"]
            continue
        if key == "notes" and value and row["notes"]:
            if value not in row["notes"]:  # keep what was written here; add what the file says
                changes[key], before[key] = f"{row['notes']}\n\n{value}", row["notes"]
            continue
        if value in (None, "") or _same(row[key], value):
            continue
        changes[key], before[key] = value, row[key]
    return changes, before


def _merged_tags(old: str | None, new: str) -> str:
    words = (old or "").split()
    words += [tag for tag in new.split() if tag not in words]
    return " ".join(words)


def _same(stored: Any, value: Any) -> bool:
    if isinstance(stored, bool) or isinstance(value, bool):
        return bool(stored) == bool(value) and stored is not None
    return stored == value


def consent_changes(
    row: Any, cleaned: Mapping[str, Any], changes: dict[str, Any], before: dict[str, Any]
) -> None:
    """A consent the file states differently from the record is taken, with its date and source."""
    for channel in ("email", "phone"):
        key = f"{channel}_opt_in"
        if key not in cleaned or cleaned[key] is None:
            continue
        stored = row[key]
        if stored is not None and bool(stored) == cleaned[key]:
            continue
        if channel == "email" and consent.import_keeps(row, cleaned):
            continue  # an unsubscribe stands until the person consents again
        for part in (key, f"{channel}_consent_at", f"{channel}_consent_source"):
            before[part] = row[part]
            if cleaned.get(part) is not None:
                changes[part] = cleaned[part]
