"""Records whose text holds control characters, as an import or a typist could bring them
(imported by the output-safety tests of the shell and the app)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from smallcrm.store import accounts, appointments, contacts, interactions, opportunities
from smallcrm.store.db import Database

# SGR colour, a window title (OSC 0), a clipboard write (OSC 52), a C1 CSI, a right-to-left
# override: what a hostile or broken file can put into any text field.
PLANTED = "\x1b[31m", "\x1b]0;X\x07", "\x1b]52;c;QUJD\x07", "\x9b31m", "\u202e"
PAYLOAD = "".join(PLANTED)
NOTES = f"first line {PAYLOAD}\nsecond\tline {PAYLOAD}"
# Anything a terminal acts on, line breaks and tabs aside.
RAW_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]|\r(?!\n)")
NOW = datetime(2026, 11, 25, 10, 30, tzinfo=UTC)


@dataclass(frozen=True)
class Planted:
    """Ids of the planted records."""

    account: int
    contact: int
    deal: int
    interaction: int
    appointment: int


def plant(db: Database) -> Planted:
    """One record of each kind with the payload in its name and notes (and a history entry)."""
    account = accounts.create_account(
        db, allow_duplicate=True, name=f"Acme {PAYLOAD}Corp", notes=NOTES
    )
    contact = contacts.create_contact(
        db,
        allow_duplicate=True,
        name=f"Eve {PAYLOAD}Red",
        title=f"Boss {PAYLOAD}",
        account_id=account.id,
        notes=NOTES,
        tags="vip",
    )
    contacts.update_contact(db, contact.id, contact.tracking.version, notes=NOTES + " (edited)")
    deal = opportunities.create_opportunity(
        db,
        name=f"Deal {PAYLOAD}Big",
        account_id=account.id,
        contact_id=contact.id,
        amount=Decimal("12000"),
        stage="proposal",
        next_step=f"Call {PAYLOAD}",
    )
    interaction = interactions.log_interaction(
        db,
        kind="call",
        subject=f"Talk {PAYLOAD}Plan",
        body=NOTES,
        happened_at=NOW - timedelta(days=1),
        contact_id=contact.id,
    )
    appointment = appointments.create_appointment(
        db,
        title=f"Meet {PAYLOAD}Eve",
        starts_at=NOW + timedelta(hours=2),
        duration=timedelta(hours=1),
        location=f"Room {PAYLOAD}",
        notes=NOTES,
        contact_id=contact.id,
    )
    return Planted(account.id, contact.id, deal.id, interaction.id, appointment.id)


def raw_controls(text: str) -> list[str]:
    """The control characters in ``text`` that would reach a terminal raw."""
    return RAW_CONTROL.findall(text)
