"""How values read on screen: local times, phones, money, tags. Shared by screens and widgets."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from smallcrm.store import clock
from smallcrm.store.dates import describe


def local(value: datetime) -> datetime:
    """A stored (UTC) time in the local zone."""
    return clock.local(value)


def when(value: datetime | None) -> str:
    """``Fri 2026-11-27 14:00`` in local time, or empty."""
    return describe(local(value)) if value else ""


def day(value: date | None) -> str:
    """``Fri 2026-11-27``, or empty."""
    return describe(value) if value else ""


def short_when(value: datetime | None) -> str:
    """``2026-11-27 14:00`` (for narrow columns)."""
    return local(value).strftime("%Y-%m-%d %H:%M") if value else ""


def phone(e164: str | None) -> str:
    """A stored phone number formatted for reading."""
    if not e164:
        return ""
    from smallcrm.store.validate import format_phone

    return format_phone(e164)


def money(amount: Decimal, currency: str = "") -> str:
    """``12,000.00 EUR``."""
    text = f"{amount:,.2f}"
    return f"{text} {currency}".strip()


def tags(values: tuple[str, ...]) -> str:
    """``#vip #berlin``."""
    return " ".join(f"#{t}" for t in values)
