"""A card or event that goes to a phone and comes back unchanged changes nothing in the CRM
(property tests): otherwise every sync after a phone touched a file would bump versions and
make conflicts out of nothing."""

from __future__ import annotations

import string
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from smallcrm.store import appointments, contacts
from smallcrm.store.db import Database
from smallcrm.store.vdir import apply, cards, events
from smallcrm.store.vdir.sides import CALENDAR, CONTACTS

SOME = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Text people type, with vCard's special characters and accents; no control characters.
TEXT = st.text(string.ascii_letters + string.digits + " ,;:\\.-'äöüéřŠ€", min_size=1, max_size=40)
WORD = st.text(string.ascii_letters + "äéř", min_size=1, max_size=15)


def _no_change(db: Database, side: object, record_id: int, version: int, phone: object) -> None:
    assert apply.edit(db, side, record_id, (version, None), phone, "phone") is None  # type: ignore[arg-type]


@SOME
@given(
    first=WORD,
    last=WORD,
    title=st.none() | TEXT,
    notes=st.none()
    | st.text(string.printable.replace("\x0b", "").replace("\x0c", ""), max_size=80),
    tags=st.lists(st.sampled_from(["vip", "newsletter", "lead-2026"]), unique=True, max_size=3),
    city=st.none() | WORD,
)
def test_a_contact_s_card_read_back_changes_nothing(
    db: Database,
    first: str,
    last: str,
    title: str | None,
    notes: str | None,
    tags: list[str],
    city: str | None,
) -> None:
    contact = contacts.create_contact(
        db, allow_duplicate=True, first_name=first, last_name=last, title=title, notes=notes,
        tags=tags, city=city, emails=["a.b@example.com"], phones=["+420 777 123 456"],
    )  # fmt: skip
    phone = cards.read_card(cards.card_bytes(contact, None))
    _no_change(db, CONTACTS, contact.id, contact.tracking.version, phone)
    assert contacts.get_contact(db, contact.id).tracking.version == contact.tracking.version


@SOME
@given(
    title=TEXT.filter(str.strip),  # an appointment needs a title: blank ones are refused
    minutes=st.integers(0, 60 * 24 * 400),
    length=st.none() | st.integers(5, 600),
    location=st.none() | TEXT,
    rule=st.sampled_from([None, "FREQ=WEEKLY;COUNT=5", "FREQ=MONTHLY;BYMONTHDAY=3"]),
    zone=st.sampled_from(["UTC", "Europe/Berlin", "America/New_York"]),
)
# A typed backslash and N: icalendar's own escaping wrote it as a line break (found here).
@example(title="\\N", minutes=0, length=None, location="a\\N", rule=None, zone="UTC")
def test_an_appointment_s_event_read_back_changes_nothing(
    db: Database,
    title: str,
    minutes: int,
    length: int | None,
    location: str | None,
    rule: str | None,
    zone: str,
) -> None:
    start = datetime(2026, 1, 5, 8, 0, tzinfo=UTC) + timedelta(minutes=minutes)
    ends = None if length is None else start + timedelta(minutes=length)
    made = appointments.create_appointment(
        db, title=title, starts_at=start, ends_at=ends, location=location, rrule=rule,
        time_zone=zone,
    )  # fmt: skip
    phone = events.read_event(events.event_bytes(made))
    _no_change(db, CALENDAR, made.id, made.tracking.version, phone)
    assert appointments.get_appointment(db, made.id).tracking.version == made.tracking.version
