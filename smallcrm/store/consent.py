"""Consent rules for marketing: who may be reached on a channel, and unsubscribes that stick.

Consent is stored on the contact, per channel (``email_opt_in``/``phone_opt_in`` with
``_consent_at`` and ``_consent_source``): yes, no, or never asked (NULL). A campaign on a
channel that addresses people reaches only contacts who said yes and have an address there.

An unsubscribe withdraws the email consent with the campaign named in its source. Such a
withdrawal is undone only by the person's new consent, given by someone editing the contact
with the date and source of that consent: an import, a merge or any other bulk path that brings
a "yes" keeps the withdrawal (a mailing list exported before the unsubscribe must not bring
the address back).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from smallcrm.store.errors import ValidationError

CHANNELS = ("email", "phone")
UNSUBSCRIBED = "unsubscribed via campaign "
# The one path that may give consent again after an unsubscribe: a person editing the contact.
DIRECT = "update"


def reachable_sql(channel: str, alias: str = "c") -> str:
    """SQL true for a contact who consented to ``channel`` and has an address on it."""
    if channel not in CHANNELS:
        raise ValueError(f"not a consent channel: {channel!r}")
    return (
        f"{alias}.{channel}_opt_in = TRUE AND EXISTS (SELECT 1 FROM contact_method m "
        f"WHERE m.contact_id = {alias}.id AND m.kind = '{channel}')"
    )


def left_out_reasons(channel: str, alias: str = "c") -> tuple[tuple[str, str], ...]:
    """(reason, SQL true for a contact left out for it), in the order they are checked."""
    has_address = (
        f"EXISTS (SELECT 1 FROM contact_method m WHERE m.contact_id = {alias}.id "
        f"AND m.kind = '{channel}')"
    )
    return (
        (f"{channel} consent withdrawn", f"{alias}.{channel}_opt_in = FALSE"),
        (f"{channel} consent never given", f"{alias}.{channel}_opt_in IS NULL"),
        (f"no {channel} address", f"{alias}.{channel}_opt_in = TRUE AND NOT {has_address}"),
    )


def withdrawal(code: str, at: Any) -> dict[str, Any]:
    """The contact's values an unsubscribe from campaign ``code`` writes."""
    return {
        "email_opt_in": False,
        "email_consent_at": at,
        "email_consent_source": f"{UNSUBSCRIBED}{code}"[:200],
    }


def unsubscribed(row: Any) -> bool:
    """True while a contact's email consent stands withdrawn by an unsubscribe."""
    source = row["email_consent_source"] or ""
    return (
        row["email_opt_in"] is not None
        and not row["email_opt_in"]
        and (source.startswith(UNSUBSCRIBED))
    )


def keep_withdrawal(row: Any, data: dict[str, Any], action: str) -> None:
    """Guard a change to a contact (``data``: cleaned columns) against undoing an unsubscribe.

    Any path but a person's edit drops the new "yes" (and its date and source) from ``data``;
    an edit must say where the new consent comes from.
    """
    if not unsubscribed(row) or not data.get("email_opt_in"):
        return
    if action != DIRECT:
        for key in ("email_opt_in", "email_consent_at", "email_consent_source"):
            data.pop(key, None)
        return
    source = data.get("email_consent_source")
    if not source or str(source).startswith(UNSUBSCRIBED):
        raise ValidationError(
            "email-opt-in",
            f"was withdrawn ({row['email_consent_source']}); record the person's new consent "
            'with its source, e.g. consent-source="phone call 2026-12-01"',
        )


def keep_in_merge(keep: Any, other: Any, before: dict[str, Any], changes: dict[str, Any]) -> None:
    """Merging two contacts keeps an unsubscribe of either (they are one person, who asked not
    to be emailed): the other's withdrawal replaces the kept contact's consent. ``before`` and
    ``changes`` are the merge's old values and changes (undo restores ``before``)."""
    if not unsubscribed(other) or unsubscribed(keep):
        return  # the kept contact's own withdrawal is guarded by ``keep_withdrawal``
    for key in ("email_opt_in", "email_consent_at", "email_consent_source"):
        value = keep[key]
        before.setdefault(key, value.isoformat() if hasattr(value, "isoformat") else value)
        changes[key] = other[key]


def import_keeps(row: Any, changes: Mapping[str, Any]) -> bool:
    """True when an import's email consent change must be left out for ``row``."""
    return unsubscribed(row) and bool(changes.get("email_opt_in"))
