"""The UID an exported contact or account gets when it has no external id, and finding it again.

A card exported from smallcrm always carries a UID: the record's external id (the UID it was
imported with), else one made up from its id and creation time to the microsecond,
``contact-12-20261125T150626.123456Z@smallcrm``, stable for the life of the record. Importing
the card again finds the record by that UID (``own_record``) even when it has no email or phone
to be matched on; the made-up UID is not stored as the record's external id, since the record
is found by its id anyway. Another database has no record with that id and creation time, so
there the UID is kept as the new record's external id and matches it on the next import.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from smallcrm.store.db import Tx, to_datetime

KINDS = ("contact", "account")
_OWN = re.compile(r"(contact|account)-(\d{1,18})-(\d{8}T\d{6}(?:\.\d{6})?Z)@smallcrm")


def record_uid(kind: str, record_id: int, created_at: datetime) -> str:
    """``contact-12-20261125T150626Z@smallcrm`` (see the module doc)."""
    return f"{kind}-{record_id}-{_stamp(created_at)}@smallcrm"


def _stamp(moment: datetime) -> str:
    """To the microsecond: two databases' records with one id are not made the same second."""
    fraction = f".{moment.microsecond:06d}" if moment.microsecond else ""
    return f"{moment.astimezone(UTC):%Y%m%dT%H%M%S}{fraction}Z"


def own_record(tx: Tx, kind: str, uid: str | None) -> int | None:
    """The live ``kind`` record whose made-up UID is ``uid`` (and that has no external id)."""
    match = _OWN.fullmatch(uid or "")
    if match is None or match[1] != kind or kind not in KINDS:
        return None
    row = tx.one(
        f"SELECT id, created_at FROM {kind} WHERE id = :id AND external_id IS NULL "
        "AND deleted_at IS NULL",
        id=int(match[2]),
    )
    created = None if row is None else to_datetime(row["created_at"])
    if row is None or created is None or _stamp(created) != match[3]:
        return None
    return int(row["id"])


def is_own_uid(kind: str, record_id: int, created_at: object, uid: str | None) -> bool:
    """True if ``uid`` is the UID smallcrm made up for this record."""
    created = to_datetime(created_at)
    return created is not None and uid == record_uid(kind, record_id, created)


def drop_own_uid(kind: str, row: Any, cleaned: dict[str, Any]) -> None:
    """Forget the UID smallcrm made up for ``row``: it is found by its id, nothing to store."""
    if kind in KINDS and is_own_uid(kind, row["id"], row["created_at"], cleaned.get("external_id")):
        del cleaned["external_id"]
