"""How a deal's money and close date read on screen (cards, the deal view, the table)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from smallcrm.store.records import Opportunity


def format_amount(amount: Decimal, currency: str | None = None) -> str:
    """``12,000 EUR`` or ``12,000.50 EUR``: cents only when there are any."""
    whole = amount == amount.to_integral_value()
    text = f"{amount:,.0f}" if whole else f"{amount:,.2f}"
    return f"{text} {currency}" if currency else text


def compact_amount(amount: Decimal) -> str:
    """``950``, ``12.5k``, ``3.2M``: totals that fit a narrow column header."""
    steps = ((Decimal(10) ** 9, "G"), (Decimal(10) ** 6, "M"), (Decimal(1000), "k"))
    for factor, suffix in steps:
        # 999,950 rounds to 1000.0k: count it as the next unit up (1M) instead.
        if abs(amount) >= factor * Decimal("0.99995"):
            scaled = f"{amount / factor:.1f}".rstrip("0").rstrip(".")
            return scaled + suffix
    return f"{amount:,.0f}"


def is_overdue(deal: Opportunity, today: date, closed: bool) -> bool:
    """An open deal whose expected close date has passed."""
    return not closed and deal.expected_close is not None and deal.expected_close < today
