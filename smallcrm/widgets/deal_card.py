"""When a deal counts as overdue on screen (cards, the deal view, the table); its money reads
through ``smallcrm.store.formats``."""

from __future__ import annotations

from datetime import date

from smallcrm.store.records import Opportunity


def is_overdue(deal: Opportunity, today: date, closed: bool) -> bool:
    """An open deal whose expected close date has passed."""
    return not closed and deal.expected_close is not None and deal.expected_close < today
