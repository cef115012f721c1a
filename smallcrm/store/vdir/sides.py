"""The two collections a sync keeps: what a file of each is, and the services that change it."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from smallcrm.store import appointments, contacts
from smallcrm.store.db import Database, Tx
from smallcrm.store.listing import ListQuery

from . import cards, events


@dataclass(frozen=True)
class Side:
    """One collection: its folder, record kind, file and services."""

    collection: str  # the folder's name: contacts or calendar
    kind: str  # the record kind its files hold
    suffix: str
    render: Callable[[Any, str | None], bytes]  # a record (and kept lines) as a file
    read: Callable[[bytes], Any]  # a phone's file as a cards.PhoneCard or events.PhoneEvent
    get: Callable[[Database, int], Any]
    iterate: Callable[[Database, ListQuery], Iterator[Any]]
    update_tx: Callable[[Tx, int, int | None, Mapping[str, Any], str], bool]
    create_tx: Callable[[Tx, Mapping[str, Any], str], int]
    title: Callable[[Any], str]

    def href(self, record_id: int) -> str:
        """The name of the file smallcrm gives a record of its own."""
        return f"smallcrm-{self.kind}-{record_id}{self.suffix}"

    def own_record(self, href: str) -> int | None:
        """The record id in a name ``href`` gave, or None for a name a phone chose."""
        match = re.fullmatch(rf"smallcrm-{self.kind}-(\d{{1,18}}){re.escape(self.suffix)}", href)
        return int(match[1]) if match else None


CONTACTS = Side(
    "contacts",
    "contact",
    ".vcf",
    cards.card_bytes,
    cards.read_card,
    lambda db, record_id: contacts.get_contact(db, record_id),
    contacts.iter_contacts,
    contacts.update_contact_tx,
    contacts.create_contact_tx,
    contacts.title,
)
CALENDAR = Side(
    "calendar",
    "appointment",
    ".ics",
    events.event_bytes,
    events.read_event,
    appointments.get_appointment,
    appointments.iter_appointments,
    appointments.update_appointment_tx,
    appointments.create_appointment_tx,
    appointments.title,
)
SIDES = {side.collection: side for side in (CONTACTS, CALENDAR)}
