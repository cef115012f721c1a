"""What each campaign brought: one function that ``smallcrm report campaigns`` and the campaigns
screen both read, so both faces always show the same figures.

Attribution is single-touch: a lead counts for the campaign that brought the contact (its
source), a deal for the one campaign it credits. Each figure is one grouped query over an index
(members by campaign and status, contacts and deals by campaign), whatever the number of
campaigns.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from smallcrm.store import campaign_records
from smallcrm.store.campaign_records import Figures
from smallcrm.store.db import Database, Tx

_MEMBERS = (
    "SELECT campaign_id, status, count(*) AS n, count(responded_at) AS r FROM campaign_member "
    "WHERE {only} GROUP BY campaign_id, status"
)
_RESPONDED = "responded_at"  # the members who clicked or replied, whatever their status now
_LEADS = (
    "SELECT source_campaign_id AS campaign_id, count(*) AS n FROM contact "
    "WHERE deleted_at IS NULL AND source_campaign_id IS NOT NULL{also} GROUP BY source_campaign_id"
)
_DEALS = (
    "SELECT o.campaign_id, count(*) AS opened, "
    "sum(CASE WHEN s.is_won THEN 1 ELSE 0 END) AS won, "
    "sum(CASE WHEN s.is_won THEN o.amount_cents ELSE 0 END) AS revenue "
    "FROM opportunity o JOIN stage s ON s.name = o.stage "
    "WHERE o.deleted_at IS NULL AND o.campaign_id IS NOT NULL{also} GROUP BY o.campaign_id"
)


def _by_campaign(tx: Tx, sql: str, **params: Any) -> dict[int, Any]:
    return {row["campaign_id"]: row for row in tx.all(sql, **params)}


def campaign_figures(db: Database, campaign_id: int | None = None) -> list[Figures]:
    """The figures of every live campaign (latest start first), or of one campaign."""
    one = campaign_id is not None
    params = {"k": campaign_id} if one else {}
    where = "deleted_at IS NULL" + (" AND id = :k" if one else "")
    with db.read() as tx:
        found = tx.all(
            f"SELECT * FROM campaign WHERE {where} "
            "ORDER BY (starts_on IS NULL), starts_on DESC, id DESC",
            **params,
        )
        members: dict[int, dict[str, int]] = {}
        for row in tx.all(_MEMBERS.format(only="campaign_id = :k" if one else "1 = 1"), **params):
            counts = members.setdefault(row["campaign_id"], {_RESPONDED: 0})
            counts[row["status"]] = int(row["n"])
            counts[_RESPONDED] += int(row["r"])
        leads = _by_campaign(
            tx, _LEADS.format(also=" AND source_campaign_id = :k" if one else ""), **params
        )
        deals = _by_campaign(
            tx, _DEALS.format(also=" AND o.campaign_id = :k" if one else ""), **params
        )
    return [_figures(row, members.get(row["id"], {}), leads, deals) for row in found]


def _figures(
    row: Any, counts: dict[str, int], leads: dict[int, Any], deals: dict[int, Any]
) -> Figures:
    deal = deals.get(row["id"])
    lead = leads.get(row["id"])
    statuses = {status: n for status, n in counts.items() if status != _RESPONDED}
    return Figures(
        campaign=campaign_records.campaign(row),
        members=sum(statuses.values()),
        sent=sum(n for status, n in statuses.items() if status != "targeted"),
        responses=counts.get(_RESPONDED, 0),
        bounced=counts.get("bounced", 0),
        opted_out=counts.get("opted_out", 0),
        leads=int(lead["n"]) if lead else 0,
        deals_opened=int(deal["opened"]) if deal else 0,
        deals_won=int(deal["won"] or 0) if deal else 0,
        revenue=Decimal(int(deal["revenue"] or 0)) / 100 if deal else Decimal(0),
    )


# How the channels read in a narrow column (the screen's ``Ch``, the report's table).
CHANNEL_SHORT = {
    "email": "eml", "newsletter": "news", "phone": "tel", "sms": "sms", "mail": "post",
    "web": "web", "event": "evt", "social": "soc", "ads": "ads",
}  # fmt: skip


def percent(value: Decimal | None) -> str:
    """``12.5%``, ``-40%``; ``-`` when there is nothing to divide by."""
    if value is None:
        return "-"
    text = f"{value:.1f}".removesuffix(".0")
    return f"{text}%"


def columns(f: Figures) -> dict[str, str]:
    """One campaign's figures as the screen and the report's table show them:
    ``Name  Ch  Status  Sent  Resp%  Leads  Won  ROI``."""
    from smallcrm.store.formats import money_abbreviated

    return {
        "Name": f.campaign.name,
        "Ch": CHANNEL_SHORT.get(f.campaign.channel, f.campaign.channel),
        "Status": f.campaign.status,
        "Sent": str(f.sent),
        "Resp%": percent(f.response_rate),
        "Leads": str(f.leads),
        "Won": f"{f.deals_won} {money_abbreviated(f.revenue)}" if f.deals_won else "0",
        "ROI": percent(f.roi),
    }
