"""The demo's marketing: three campaigns on different channels (a newsletter, a trade-fair
invitation, a round of calls), their audiences chosen under the real consent rules, the
responses a mailing tool would report, and won deals credited to them.

Everything goes through the services' ``*_tx`` functions in the demo's one transaction, dated
around the day the demo is loaded.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from smallcrm.store import campaign_audience, campaigns, opportunities
from smallcrm.store.campaign_responses import Response, Results, apply_results_tx
from smallcrm.store.db import Tx

# code, name, channel, status, start and end (days from today), budget, cost, audience tag
CAMPAIGNS = (
    ("NEWS-SPRING", "Spring newsletter", "newsletter", "complete", -75, -60, 1500, 1200,
     "newsletter"),
    ("FAIR-HM", "Hannover Messe invitation", "event", "active", -30, 10, 20000, 18000,
     "hannover-messe"),
    ("CALLS-Q", "Quarterly renewal calls", "phone", "active", -21, None, 3000, 2400,
     "decision-maker"),
)  # fmt: skip
# Per campaign: every n-th member clicks or replies; the first member bounces, the second
# unsubscribes (a newsletter's), and this many won deals and one open deal credit it.
RESPONSE_EVERY = {"NEWS-SPRING": 3, "FAIR-HM": 2, "CALLS-Q": 4}
WON_DEALS = {"NEWS-SPRING": 2, "FAIR-HM": 3, "CALLS-Q": 1}


def load(tx: Tx, today: date, actor: str) -> None:
    """Create the demo's campaigns with their audiences, responses and credited deals."""
    won = [row["id"] for row in tx.all(_DEALS, won=True)]
    open_deals = [row["id"] for row in tx.all(_DEALS, won=False)]
    for code, name, channel, status, start, end, budget, cost, tag in CAMPAIGNS:
        values: dict[str, Any] = {
            "name": name, "code": code, "channel": channel, "status": status,
            "starts_on": today + timedelta(days=start),
            "ends_on": None if end is None else today + timedelta(days=end),
            "budget_cents": budget, "cost_cents": cost, "owner": "tomas",
        }  # fmt: skip
        campaign = campaigns.get_tx(tx, campaigns.create_campaign_tx(tx, values, actor))
        selection = campaign_audience.Selection(tag=tag)
        campaign_audience.add_members_tx(tx, campaign, selection, None, actor)
        apply_results_tx(tx, campaign, _results(tx, campaign.id, code), actor)
        for deal in [won.pop(0) for _ in range(WON_DEALS[code]) if won] + open_deals[:1]:
            changes = {"campaign_id": campaign.id}
            opportunities.update_opportunity_tx(tx, deal, None, changes, actor)
        del open_deals[:1]


_DEALS = (
    "SELECT o.id FROM opportunity o JOIN stage s ON s.name = o.stage "
    "WHERE o.deleted_at IS NULL AND s.is_won = :won AND s.is_closed = :won ORDER BY o.id"
)


def _results(tx: Tx, campaign_id: int, code: str) -> Results:
    """What the sending tool would report: every member sent, some responses, a bounce and
    (on the newsletter) an unsubscribe."""
    emails = [
        row["value"]
        for row in tx.all(
            "SELECT min(e.value) AS value FROM campaign_member m JOIN contact_method e "
            "ON e.contact_id = m.contact_id AND e.kind = 'email' WHERE m.campaign_id = :k "
            "GROUP BY m.contact_id ORDER BY m.contact_id",
            k=campaign_id,
        )
    ]
    found = [Response(n, email, "sent") for n, email in enumerate(emails)]
    every = RESPONSE_EVERY[code]
    found += [Response(n, e, "responded") for n, e in enumerate(emails) if n % every == every - 1]
    if emails:
        found.append(Response(0, emails[0], "bounced"))
    if code == "NEWS-SPRING" and len(emails) > 1:
        found.append(Response(1, emails[1], "opted_out"))
    return Results(found)
