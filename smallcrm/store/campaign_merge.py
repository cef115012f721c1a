"""Merging two contacts, for marketing: the other contact's campaign memberships, lead source
and lifecycle stage go to the kept contact, in the merge's own transaction.

A membership of a campaign only the other contact was in moves over as it is. When both were
members of the same campaign, one row stays (the kept contact's) with the further of the two
statuses in ``campaign_audience.RANK``: converted beats responded, which beats bounced, sent
and targeted (a bounce and an opt-out are facts about delivery and consent that a plain "sent"
must not hide), and an opt-out beats everything, so an opt-out of either contact survives: they
are one person, who asked not to hear from that campaign. The first response, the first time
added and the last change are kept. Undoing the merge puts both rows back as they were.
"""

from __future__ import annotations

from typing import Any

from smallcrm.store import crud
from smallcrm.store.campaign_audience import RANK
from smallcrm.store.db import Tx, to_datetime

_ROW = "SELECT id, campaign_id, status, added_at, changed_at, responded_at FROM campaign_member"
_TIMES = ("added_at", "changed_at", "responded_at")


def keep_source(
    tx: Tx, keep: Any, other: Any, before: dict[str, Any], changes: dict[str, Any]
) -> None:
    """The other contact's source campaign (unless in the trash) and lifecycle stage, where
    the kept one has none. ``before`` and ``changes`` are the merge's old values and changes
    (undo restores ``before``)."""
    for column in ("source_campaign_id", "lifecycle_stage"):
        if keep[column] is not None or other[column] is None or column in changes:
            continue
        if column == "lifecycle_stage" or crud.is_live(tx, "campaign", other[column]):
            before[column] = None
            changes[column] = other[column]


def _earliest(*values: Any) -> Any:
    given = [to_datetime(v) for v in values if v is not None]
    return min(given) if given else None


def _row(row: Any) -> dict[str, Any]:
    """A membership as the merge's audit entry keeps it (for undo)."""
    out = {key: row[key] for key in ("id", "campaign_id", "status")}
    out.update({key: to_datetime(row[key]) for key in _TIMES})
    return {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in out.items()}


def move_memberships(tx: Tx, source: int, target: int) -> dict[str, Any]:
    """Give contact ``target`` the memberships of ``source`` (see the module doc); returns
    what ``undo_memberships`` needs: the rows moved and the pairs combined."""
    mine = {r["campaign_id"]: r for r in tx.all(f"{_ROW} WHERE contact_id = :c", c=target)}
    moved: list[int] = []
    combined: list[dict[str, Any]] = []
    for theirs in tx.all(f"{_ROW} WHERE contact_id = :c", c=source):
        kept = mine.get(theirs["campaign_id"])
        if kept is None:
            tx.execute("UPDATE campaign_member SET contact_id = :t WHERE id = :id",
                       t=target, id=theirs["id"])  # fmt: skip
            moved.append(theirs["id"])
            continue
        combined.append({"kept": _row(kept), "other": _row(theirs)})
        further = max(kept["status"], theirs["status"], key=RANK.__getitem__)
        tx.execute("DELETE FROM campaign_member WHERE id = :id", id=theirs["id"])
        tx.execute(
            "UPDATE campaign_member SET status = :s, added_at = :added, changed_at = :changed, "
            "responded_at = :responded WHERE id = :id",
            s=further,
            added=_earliest(kept["added_at"], theirs["added_at"]),
            changed=max(to_datetime(kept["changed_at"]), to_datetime(theirs["changed_at"])),
            responded=_earliest(kept["responded_at"], theirs["responded_at"]),
            id=kept["id"],
        )
    return {"moved": moved, "combined": combined} if moved or combined else {}


def undo_memberships(tx: Tx, undo: dict[str, Any] | None, keep_id: int, other_id: int) -> None:
    """Put back the memberships ``move_memberships`` moved and combined."""
    if not undo:
        return
    for member_id in undo.get("moved", []):
        tx.execute("UPDATE campaign_member SET contact_id = :o WHERE id = :id AND contact_id = :k",
                   o=other_id, id=member_id, k=keep_id)  # fmt: skip
    for pair in undo.get("combined", []):
        kept, other = pair["kept"], pair["other"]
        times = {key: to_datetime(kept[key]) for key in _TIMES}
        tx.execute(
            "UPDATE campaign_member SET status = :status, added_at = :added_at, "
            "changed_at = :changed_at, responded_at = :responded_at WHERE id = :id",
            status=kept["status"],
            id=kept["id"],
            **times,
        )
        times = {key: to_datetime(other[key]) for key in _TIMES}
        tx.execute(
            "INSERT INTO campaign_member (campaign_id, contact_id, status, added_at, changed_at, "
            "responded_at) VALUES (:k, :c, :status, :added_at, :changed_at, :responded_at)",
            k=other["campaign_id"],
            c=other_id,
            status=other["status"],
            **times,
        )
