"""A campaign's audience: adding contacts by tag, account, owner or search, and listing them.

Consent is the law here: a contact joins a campaign only with the consent its channel needs
(``campaigns.CONSENT_NEEDED``) and any further consent asked for, and an address on that
channel; the rules are ``consent.reachable_sql``. Whoever is left out is counted by reason, so
the shell and the app can say how many and why. Adding is two statements however large the
audience (one counts, one inserts), with one entry in the campaign's history.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from smallcrm.store import campaigns, consent, crud
from smallcrm.store import validate as v
from smallcrm.store.campaign_records import Campaign, Member
from smallcrm.store.db import Database, Tx, to_datetime
from smallcrm.store.errors import ValidationError
from smallcrm.store.listing import ESCAPE, Where, literal
from smallcrm.store.records import Page

STATUSES = ("targeted", "sent", "bounced", "responded", "opted_out", "converted")
# A member's status only moves up this order (an opt-out is final): a bounce reported after a
# reply does not hide the reply.
RANK = {"targeted": 0, "sent": 1, "bounced": 2, "responded": 3, "converted": 4, "opted_out": 5}
RESPONSES = ("responded", "converted")
ALREADY = "already in the audience"
_CHUNK = 500  # ids per statement when a search chose the contacts


@dataclass(frozen=True)
class Selection:
    """Which contacts to add: all the given filters at once."""

    tag: str | None = None
    account_id: int | None = None
    owner: str | None = None
    search: str | None = None
    consent: tuple[str, ...] = ()  # consents asked for beyond the channel's own
    saved: str | None = None  # a saved filter's name: its criteria, evaluated now

    def describe(self) -> str:
        """``tag customer, consent email``: for the history and messages."""
        parts = [
            f"{name} {value}"
            for name, value in (
                ("tag", self.tag),
                ("account", self.account_id),
                ("owner", self.owner),
                ("search", self.search),
                ("consent", ", ".join(self.consent) or None),
                ("filter", self.saved),
            )
            if value
        ]
        return ", ".join(parts)


@dataclass(frozen=True)
class Added:
    """What adding members did: how many joined, and how many were left out for each reason."""

    campaign: Campaign
    added: int
    needed: tuple[str, ...]  # the consents every member had to have
    left_out: dict[str, int] = field(default_factory=dict)

    @property
    def left_out_total(self) -> int:
        """Contacts chosen but not added (already members included)."""
        return sum(self.left_out.values())

    def reasons(self) -> str:
        """``1 email consent never given, 2 no email address``: who was left out and why."""
        return ", ".join(f"{n} {why}" for why, n in sorted(self.left_out.items()))


def needed_consents(campaign: Campaign, asked: Sequence[str] = ()) -> tuple[str, ...]:
    """The consents members of ``campaign`` need: its channel's and those ``asked`` for."""
    wanted = {str(v.choice("consent", word, consent.CHANNELS)) for word in asked}
    own = campaigns.consent_for(campaign.channel)
    if own:
        wanted.add(own)
    return tuple(sorted(wanted))


def _where(selection: Selection, saved: Where | None) -> tuple[list[str], dict[str, Any]]:
    """The selection's conditions (parameters ``sel_*``) and the saved filter's (``saved``,
    named as the contact list names them)."""
    parts: list[str] = ["c.deleted_at IS NULL"]
    params: dict[str, Any] = {}
    if selection.tag:
        parts.append(f"(' ' || c.tags || ' ') LIKE :sel_tag {ESCAPE}")
        params["sel_tag"] = f"% {literal(selection.tag.strip().lower())} %"
    if selection.account_id is not None:
        parts.append("c.account_id = :sel_account_id")
        params["sel_account_id"] = selection.account_id
    if selection.owner:
        parts.append("c.owner = :sel_owner")
        params["sel_owner"] = selection.owner.strip()
    if saved is not None:
        parts += saved.parts
        params.update(saved.params)
    return parts, params


def _searched(db: Database, text: str | None) -> list[int] | None:
    """The contacts a search finds (None when there is no search)."""
    if text is None:
        return None
    if not text.strip():
        raise ValidationError("search", "is empty; give words to search contacts for")
    from smallcrm.store.search import search

    return [hit.record_id for hit in search(db, text, kinds=("contact",), per_kind=100_000)]


def _chunks(ids: list[int] | None) -> list[tuple[str, dict[str, Any]]]:
    """``c.id IN (...)`` conditions of at most ``_CHUNK`` ids (one empty one without ids)."""
    if ids is None:
        return [("", {})]
    found = []
    for start in range(0, len(ids), _CHUNK):
        part = ids[start : start + _CHUNK]
        marks = ", ".join(f":i{n}" for n in range(len(part)))
        found.append((f" AND c.id IN ({marks})", {f"i{n}": i for n, i in enumerate(part)}))
    return found


def _reason_sql(needed: tuple[str, ...]) -> str:
    member = (
        "EXISTS (SELECT 1 FROM campaign_member m WHERE m.campaign_id = :campaign_id "
        "AND m.contact_id = c.id)"
    )
    whens = [f"WHEN {member} THEN '{ALREADY}'"]
    for channel in needed:
        whens += [f"WHEN {sql} THEN '{why}'" for why, sql in consent.left_out_reasons(channel)]
    return f"CASE {' '.join(whens)} ELSE '' END"


def add_members_tx(
    tx: Tx,
    campaign: Campaign,
    selection: Selection,
    ids: list[int] | None,
    actor: str,
    saved: Where | None = None,
) -> Added:
    """Add the chosen contacts that may be reached to ``campaign``, in an open transaction
    (``saved``: a saved filter's conditions, from ``saved_filter_where``)."""
    needed = needed_consents(campaign, selection.consent)
    parts, params = _where(selection, saved)
    params.update(campaign_id=campaign.id, now=crud.now_utc())
    reachable = [consent.reachable_sql(channel) for channel in needed]
    left_out: dict[str, int] = {}
    added = 0
    for chunk, chunk_params in _chunks(ids):
        where = " AND ".join(parts) + chunk
        for row in tx.all(
            f"SELECT {_reason_sql(needed)} AS why, count(*) AS n FROM contact c "
            f"WHERE {where} GROUP BY 1",
            **params,
            **chunk_params,
        ):
            if row["why"]:
                left_out[row["why"]] = left_out.get(row["why"], 0) + int(row["n"])
        added += tx.execute(
            "INSERT INTO campaign_member (campaign_id, contact_id, status, added_at, changed_at) "
            f"SELECT :campaign_id, c.id, 'targeted', :now, :now FROM contact c WHERE {where}"
            + "".join(f" AND {sql}" for sql in reachable)
            + " AND NOT EXISTS (SELECT 1 FROM campaign_member m "
            "WHERE m.campaign_id = :campaign_id AND m.contact_id = c.id)",
            **params,
            **chunk_params,
        )
    if added:
        note = {"members": [None, f"added {added} ({selection.describe() or 'everyone'})"]}
        crud.audit(tx, "add-members", campaigns.KIND, campaign.id, note, actor)
    return Added(campaign, added, needed, left_out)


def add_members(
    db: Database, campaign_ref: str | int, selection: Selection, actor: str | None = None
) -> Added:
    """Add contacts chosen by ``selection`` to a campaign (its code or id)."""
    chosen = (selection.tag, selection.account_id, selection.owner, selection.search)
    if not any(chosen) and not selection.saved:
        raise ValidationError(
            "audience", "say whom to add: a tag, an account, an owner, a search or a saved filter"
        )
    ids = _searched(db, selection.search)
    saved, found = saved_filter_where(db, selection.saved)
    if found is not None:
        ids = found if ids is None else sorted(set(ids) & set(found))
    with db.write() as tx:
        campaign = campaigns.find_tx(tx, campaign_ref)
        return add_members_tx(tx, campaign, selection, ids, actor or crud.current_user(), saved)


def saved_filter_where(db: Database, name: str | None) -> tuple[Where | None, list[int] | None]:
    """A saved filter's conditions on contacts ``c`` and the contacts its search finds now
    (None, None without a filter)."""
    if not name:
        return None, None
    from smallcrm.store import saved_filters
    from smallcrm.store.contacts import filters

    query = saved_filters.to_query(db, saved_filters.get_filter(db, name).criteria)
    found = query.extra.pop("search_ids", None)
    return filters(query), found


_MEMBERS = (
    "SELECT m.contact_id, m.status, m.changed_at, c.first_name, c.last_name, c.email_opt_in, "
    "c.phone_opt_in, (SELECT e.value FROM contact_method e WHERE e.contact_id = c.id "
    "AND e.kind = 'email' ORDER BY e.position LIMIT 1) AS email "
    "FROM campaign_member m JOIN contact c ON c.id = m.contact_id "
    "WHERE m.campaign_id = :campaign_id AND c.deleted_at IS NULL"
)


def _member(row: Any) -> Member:
    name = " ".join(p for p in (row["first_name"], row["last_name"]) if p)
    return Member(
        contact_id=row["contact_id"],
        name=name,
        email=row["email"],
        status=row["status"],
        email_opt_in=None if row["email_opt_in"] is None else bool(row["email_opt_in"]),
        phone_opt_in=None if row["phone_opt_in"] is None else bool(row["phone_opt_in"]),
        changed_at=to_datetime(row["changed_at"]),
    )


def list_members(
    db: Database,
    campaign_id: int,
    *,
    status: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> Page[Member]:
    """One page of a campaign's members (contacts in the trash left out), by name."""
    where = ""
    params: dict[str, Any] = {"campaign_id": campaign_id}
    if status:
        where = " AND m.status = :status"
        params["status"] = _status(status)
    with db.read() as tx:
        campaigns.get_tx(tx, campaign_id)
        total = tx.scalar(
            "SELECT count(*) FROM campaign_member m JOIN contact c ON c.id = m.contact_id "
            f"WHERE m.campaign_id = :campaign_id AND c.deleted_at IS NULL{where}",
            **params,
        )
        found = tx.all(
            f"{_MEMBERS}{where} ORDER BY c.sort_name, c.id LIMIT :limit OFFSET :offset",
            **params,
            limit=limit,
            offset=offset,
        )
    return Page([_member(row) for row in found], int(total or 0), offset, limit)


def _status(word: str) -> str:
    """A member status as stored (``opted out`` -> ``opted_out``)."""
    typed = "_".join(word.strip().lower().replace("-", " ").split())
    return str(v.choice("status", typed, STATUSES))


def set_status_tx(tx: Tx, campaign_id: int, contact_id: int, status: str) -> bool:
    """Move a member up to ``status`` (never down; see ``RANK``); True if it moved. A click or
    reply is remembered (``responded_at``) whatever the status it ends at."""
    if status in RESPONSES:
        tx.execute(
            "UPDATE campaign_member SET responded_at = :now WHERE campaign_id = :k "
            "AND contact_id = :c AND responded_at IS NULL",
            now=crud.now_utc(),
            k=campaign_id,
            c=contact_id,
        )
    row = tx.one(
        "SELECT status FROM campaign_member WHERE campaign_id = :k AND contact_id = :c",
        k=campaign_id,
        c=contact_id,
    )
    if row is None or RANK[status] <= RANK[row["status"]]:
        return False
    tx.execute(
        "UPDATE campaign_member SET status = :s, changed_at = :now "
        "WHERE campaign_id = :k AND contact_id = :c",
        s=status,
        now=crud.now_utc(),
        k=campaign_id,
        c=contact_id,
    )
    return True
