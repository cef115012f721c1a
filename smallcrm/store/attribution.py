"""Where leads come from and which campaign a deal credits (single-touch attribution).

A contact has a lifecycle stage (lead, prospect, customer, former customer) and a source: free
text (``source``: a referral, the website form) and, when a campaign brought it, that campaign
(``source_campaign_id``; the first touch, so a later campaign does not replace it). A deal
credits at most one campaign (``campaign_id``): when it is created for a contact a campaign
brought, that campaign, unless the deal names another; it can be changed later.
"""

from __future__ import annotations

from typing import Any

from smallcrm.store import crud, rows
from smallcrm.store import validate as v
from smallcrm.store.db import Database, Tx
from smallcrm.store.errors import ValidationError
from smallcrm.store.records import Opportunity

LIFECYCLE = ("lead", "prospect", "customer", "former_customer")
LIFECYCLE_WORDS = "lead, prospect, customer or former customer"


def lifecycle(value: Any) -> str | None:
    """A lifecycle stage as stored (``former customer`` -> ``former_customer``); None clears."""
    if value is None or value == "":
        return None
    word = "_".join(str(value).strip().lower().replace("-", " ").split())
    try:
        return v.choice("lifecycle", word, LIFECYCLE)
    except ValidationError:
        raise ValidationError(
            "lifecycle", f"{value!r} is not a lifecycle stage; one of {LIFECYCLE_WORDS}"
        ) from None


def word(stage: str | None) -> str:
    """A stored lifecycle stage as people say it (``former customer``)."""
    return (stage or "").replace("_", " ")


def _check_campaign(tx: Tx, campaign_id: Any, field: str) -> None:
    if campaign_id is not None and not crud.is_live(tx, "campaign", campaign_id):
        raise ValidationError(field, f"no campaign with id {campaign_id}")


def prepare_contact(tx: Tx, data: dict[str, Any], current: Any | None) -> None:
    """Check a contact's source campaign; a new contact a campaign brought is a lead."""
    if "source_campaign_id" in data:
        _check_campaign(tx, data["source_campaign_id"], "campaign")
    if current is None and data.get("source_campaign_id") and not data.get("lifecycle_stage"):
        data["lifecycle_stage"] = "lead"


def credit(tx: Tx, data: dict[str, Any], *, creating: bool) -> None:
    """Check the campaign a deal credits; a new deal for a contact a campaign brought credits
    that campaign unless it names one (``campaign_id`` given, even None, is kept)."""
    if "campaign_id" in data:
        _check_campaign(tx, data["campaign_id"], "campaign")
        return
    if creating and data.get("contact_id") is not None:
        data["campaign_id"] = tx.scalar(
            "SELECT c.source_campaign_id FROM contact c JOIN campaign k "
            "ON k.id = c.source_campaign_id AND k.deleted_at IS NULL WHERE c.id = :id",
            id=data["contact_id"],
        )


def credited_deals(db: Database, campaign_id: int, limit: int = 20) -> list[Opportunity]:
    """The live deals crediting a campaign, the latest changed first."""
    with db.read() as tx:
        found = tx.all(
            "SELECT o.*, a.name AS account_name, "
            "trim(c.first_name || ' ' || c.last_name) AS contact_name FROM opportunity o "
            "LEFT JOIN account a ON a.id = o.account_id "
            "LEFT JOIN contact c ON c.id = o.contact_id "
            "WHERE o.campaign_id = :k AND o.deleted_at IS NULL "
            "ORDER BY o.updated_at DESC, o.id DESC LIMIT :n",
            k=campaign_id,
            n=limit,
        )
    return [rows.opportunity(row) for row in found]


# A member becomes "converted" from any status below it; an opt-out stays (it is final).
_CONVERTIBLE = "('targeted', 'sent', 'bounced', 'responded')"


def _convert(tx: Tx, campaign_id: int, who: str, why: str, actor: str, **params: Any) -> int:
    """Mark the campaign's members ``who`` (SQL on contact ``c``) converted; audited."""
    moved = tx.execute(
        f"UPDATE campaign_member SET status = 'converted', changed_at = :now "
        f"WHERE campaign_id = :k AND status IN {_CONVERTIBLE} AND contact_id IN "
        f"(SELECT c.id FROM contact c WHERE {who})",
        now=crud.now_utc(),
        k=campaign_id,
        **params,
    )
    if moved:
        note = {"members": [None, f"converted {moved} ({why})"]}
        crud.audit(tx, "convert", "campaign", campaign_id, note, actor)
    return moved


def convert_for_won_deal(tx: Tx, opportunity_id: int, actor: str) -> int:
    """A won deal crediting a campaign converts the members it was won with: its contact, and
    the contacts of its account (a business buys through several people). Runs in the
    transaction that closes the deal; returns how many members moved. Nothing happens for a
    deal that is not won or credits no live campaign."""
    deal = tx.one(
        "SELECT o.name, o.campaign_id, o.contact_id, o.account_id FROM opportunity o "
        "JOIN stage s ON s.name = o.stage AND s.is_won = TRUE "
        "JOIN campaign k ON k.id = o.campaign_id AND k.deleted_at IS NULL WHERE o.id = :id",
        id=opportunity_id,
    )
    if deal is None or (deal["contact_id"] is None and deal["account_id"] is None):
        return 0
    who = []
    if deal["contact_id"] is not None:
        who.append("c.id = :contact_id")
    if deal["account_id"] is not None:
        who.append("c.account_id = :account_id")
    return _convert(
        tx,
        deal["campaign_id"],
        " OR ".join(who),
        f"deal {deal['name']!r} won",
        actor,
        contact_id=deal["contact_id"],
        account_id=deal["account_id"],
    )


def convert_lead(tx: Tx, contact_id: int, actor: str) -> int:
    """A lead who became a customer converts its membership of the campaign that brought it
    (its source campaign), in the transaction that records the new stage."""
    campaign_id = tx.scalar(
        "SELECT c.source_campaign_id FROM contact c JOIN campaign k "
        "ON k.id = c.source_campaign_id AND k.deleted_at IS NULL "
        "WHERE c.id = :id AND c.lifecycle_stage = 'customer'",
        id=contact_id,
    )
    if campaign_id is None:
        return 0
    return _convert(tx, campaign_id, "c.id = :contact_id", "became a customer", actor,
                    contact_id=contact_id)  # fmt: skip
