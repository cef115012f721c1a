"""The plain records of marketing: a campaign, a member of its audience, its figures.

Detached data like ``records.py`` (kept apart so that module stays one screen of kinds).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from smallcrm.store.db import to_date
from smallcrm.store.records import Tracking
from smallcrm.store.rows import tracking


@dataclass(frozen=True)
class Campaign:
    """A marketing campaign; money in the business's currency."""

    id: int
    name: str
    code: str
    channel: str
    status: str
    starts_on: date | None
    ends_on: date | None
    budget: Decimal | None
    cost: Decimal | None  # what was actually spent
    owner: str | None
    notes: str | None
    tracking: Tracking


@dataclass(frozen=True)
class Member:
    """A contact in a campaign's audience, with what the mailing tool reported."""

    contact_id: int
    name: str
    email: str | None
    status: str  # targeted, sent, bounced, responded, opted_out, converted
    email_opt_in: bool | None
    phone_opt_in: bool | None
    changed_at: datetime


@dataclass(frozen=True)
class Figures:
    """What a campaign brought, as ``smallcrm report campaigns`` and the screen show it.

    ``sent`` counts members the mailing reached or tried to (every status but targeted);
    ``responses`` those who clicked or replied (and converted); ``leads`` the contacts whose
    source is the campaign; deals are those crediting it (single-touch attribution).
    """

    campaign: Campaign
    members: int
    sent: int
    responses: int
    bounced: int
    opted_out: int
    leads: int
    deals_opened: int
    deals_won: int
    revenue: Decimal

    @property
    def id(self) -> int:
        """The campaign's id (lists open the campaign a row of figures is about)."""
        return self.campaign.id

    @property
    def response_rate(self) -> Decimal | None:
        """Responses per member reached, in percent; None before anything was sent."""
        if not self.sent:
            return None
        return (Decimal(self.responses) * 100 / self.sent).quantize(Decimal("0.1"))

    @property
    def cost_per_lead(self) -> Decimal | None:
        """Actual cost divided by leads (None without a cost or leads)."""
        return _per(self.campaign.cost, self.leads)

    @property
    def cost_per_won(self) -> Decimal | None:
        """Actual cost divided by deals won (None without a cost or won deals)."""
        return _per(self.campaign.cost, self.deals_won)

    @property
    def roi(self) -> Decimal | None:
        """(Revenue of won deals - actual cost) / actual cost, in percent; None without a cost."""
        cost = self.campaign.cost
        if not cost:
            return None
        return ((self.revenue - cost) * 100 / cost).quantize(Decimal("0.1"))


def _per(cost: Decimal | None, count: int) -> Decimal | None:
    if not cost or not count:
        return None
    return (cost / count).quantize(Decimal("0.01"))


def money(cents: int | None) -> Decimal | None:
    """Stored cents as an amount (None stays None)."""
    return None if cents is None else Decimal(cents) / 100


def campaign(row: Any) -> Campaign:
    """A campaign row as a record."""
    return Campaign(
        id=row["id"],
        name=row["name"],
        code=row["code"],
        channel=row["channel"],
        status=row["status"],
        starts_on=to_date(row["starts_on"]),
        ends_on=to_date(row["ends_on"]),
        budget=money(row["budget_cents"]),
        cost=money(row["cost_cents"]),
        owner=row["owner"],
        notes=row["notes"],
        tracking=tracking(row),
    )
