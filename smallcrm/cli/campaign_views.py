"""How a campaign looks in the shell: JSON for scripts, a table row, one line, its figures."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from smallcrm.cli.output import Column
from smallcrm.cli.view_basics import iso, tracking_json
from smallcrm.store.campaign_figures import columns
from smallcrm.store.campaign_records import Campaign, Figures, Member
from smallcrm.store.formats import money

CAMPAIGN_COLUMNS = (
    Column("Code", 12),
    Column("Name", 30),
    Column("Channel", 10),
    Column("Status", 9),
    Column("Start", 10),
    Column("End", 10),
    Column("Budget", 12, "right"),
    Column("Cost", 12, "right"),
)
FIGURE_COLUMNS = (
    Column("Code", 12),
    *(
        Column(name, width, "left" if name in ("Name", "Ch", "Status") else "right")
        for name, width in (
            ("Name", 30), ("Ch", 4), ("Status", 9), ("Sent", 7), ("Resp%", 6), ("Leads", 6),
            ("Won", 10), ("ROI", 8),
        )
    ),
)  # fmt: skip
MEMBER_COLUMNS = (
    Column("Contact", 6, "right"),
    Column("Name", 30),
    Column("Email", 34),
    Column("Status", 10),
    Column("Email consent", 13),
)


def _amount(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def campaign_json(c: Campaign) -> dict[str, Any]:
    """A campaign for scripts (amounts as strings with two decimals)."""
    return {
        "id": c.id,
        "code": c.code,
        "name": c.name,
        "channel": c.channel,
        "status": c.status,
        "starts_on": iso(c.starts_on),
        "ends_on": iso(c.ends_on),
        "budget": _amount(c.budget),
        "cost": _amount(c.cost),
        "owner": c.owner,
        "notes": c.notes,
        **tracking_json(c.tracking),
    }


def campaign_row(c: Campaign, pretty: bool) -> list[Any]:
    """A campaign as a table row."""
    return [
        c.code,
        c.name,
        c.channel,
        c.status,
        iso(c.starts_on),
        iso(c.ends_on),
        money(c.budget) if c.budget is not None else "",
        money(c.cost) if c.cost is not None else "",
    ]


def campaign_line(c: Campaign) -> str:
    """``campaign 3 SPRING26 (email, planning): Spring offer 2026; 2026-03-01 to 2026-04-30``."""
    parts = [f"campaign {c.id} {c.code} ({c.channel}, {c.status}): {c.name}"]
    if c.starts_on or c.ends_on:
        parts.append(f"{iso(c.starts_on) or '?'} to {iso(c.ends_on) or 'open end'}")
    if c.budget is not None:
        parts.append(f"budget {money(c.budget)}")
    if c.cost is not None:
        parts.append(f"cost {money(c.cost)}")
    return "; ".join(parts)


def _maybe(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def figures_json(f: Figures) -> dict[str, Any]:
    """A campaign's figures for scripts (``report campaigns --json``)."""
    return {
        "id": f.campaign.id,
        "code": f.campaign.code,
        "name": f.campaign.name,
        "channel": f.campaign.channel,
        "status": f.campaign.status,
        "members": f.members,
        "sent": f.sent,
        "responses": f.responses,
        "response_rate_percent": _maybe(f.response_rate),
        "bounced": f.bounced,
        "opted_out": f.opted_out,
        "leads": f.leads,
        "deals_opened": f.deals_opened,
        "deals_won": f.deals_won,
        "revenue": f"{f.revenue:.2f}",
        "cost": _amount(f.campaign.cost),
        "cost_per_lead": _amount(f.cost_per_lead),
        "cost_per_won_deal": _amount(f.cost_per_won),
        "roi_percent": _maybe(f.roi),
    }


def figures_row(f: Figures) -> list[Any]:
    """A campaign's figures as a row of ``FIGURE_COLUMNS``."""
    return [f.campaign.code, *columns(f).values()]


def member_row(m: Member) -> list[Any]:
    """A member as a row of ``MEMBER_COLUMNS``."""
    said = {True: "yes", False: "no", None: "not asked"}[m.email_opt_in]
    return [m.contact_id, m.name, m.email or "", m.status.replace("_", " "), said]
