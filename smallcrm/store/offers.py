"""Offers: up to three free slots held for a customer until they choose one.

An offer's holds block their times for everybody (``slots.busy_times`` reads them) while the
offer is open and its expiry is ahead; nothing needs to run when it lapses, since every
reading compares the expiry with the clock. Making an offer and booking one of its holds
check the times again under the write lock: of two people offering the same time at once,
one gets the hold and the other a refusal that names the time and the offer holding it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from smallcrm.store import appointments, clock, crud, records, slots
from smallcrm.store.business_time import Span
from smallcrm.store.db import Database, Tx, to_datetime
from smallcrm.store.errors import NotFoundError, StoreError, ValidationError

MAX_CHOICES = 3
MAX_EXPIRY = timedelta(days=30)
DEFAULT_EXPIRY = timedelta(hours=48)


class SlotTakenError(StoreError):
    """A time to be held or booked is no longer free."""


@dataclass(frozen=True)
class Hold:
    """One time an offer holds, numbered as the customer reads it."""

    choice: int
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class Offer:
    """An offer with its holds; ``live`` while it is open and not expired."""

    id: int
    contact_id: int | None
    contact_name: str | None
    owner: str
    title: str
    location: str | None
    language: str
    status: str
    expires_at: datetime
    appointment_id: int | None
    holds: tuple[Hold, ...]

    @property
    def live(self) -> bool:
        """True while the holds block their times."""
        return self.status == "open" and self.expires_at > clock.now_utc()

    @property
    def duration(self) -> timedelta:
        """How long the meeting offered lasts."""
        return self.holds[0].ends_at - self.holds[0].starts_at


def describe_hold(starts_at: datetime) -> str:
    """A held time as the business reads it: ``Tue 2026-12-01 10:00``."""
    from smallcrm.store.formats import when

    return when(starts_at)


def _clash(tx: Tx, span: Span, query: slots.SlotQuery, user: str, skip: int | None) -> str | None:
    """Why ``span`` cannot be held now (None if it can): too soon, or busy."""
    rules = slots.rules_for(query.duration, query.interval)
    start, end = span
    if start < clock.now() + rules.notice:
        return "it is now sooner than the notice allows"
    window = (start - rules.before, end + rules.after)
    held = slots.held_times(tx, *window, skip_offer=skip)
    if held:
        return _held_by(tx, held[0])
    busy = slots.busy_times(tx, *window, user=user, contact_id=query.contact_id, skip_offer=skip)
    if any(a < window[1] and b > window[0] for a, b in busy):
        return "an appointment is there now"
    return None


def _held_by(tx: Tx, span: Span) -> str:
    row = tx.one(
        "SELECT o.id, o.created_by FROM slot_hold h JOIN slot_offer o ON o.id = h.offer_id "
        "WHERE o.status = 'open' AND o.expires_at > :now AND h.starts_at < :end "
        "AND h.ends_at > :start ORDER BY o.id",
        now=clock.now_utc(),
        start=span[0],
        end=span[1],
    )
    if row is None:
        return "it is held by another offer"
    return f"{row['created_by']} holds it for offer {row['id']}"


def make_offer(
    db: Database,
    query: slots.SlotQuery,
    chosen: Sequence[Span],
    *,
    title: str,
    language: str,
    expires: timedelta = DEFAULT_EXPIRY,
    actor: str | None = None,
) -> Offer:
    """Hold ``chosen`` (one to three slots of ``query``) for the contact until ``expires``
    from now; SlotTakenError naming each time that is no longer free (nothing is held then)."""
    if not 1 <= len(chosen) <= MAX_CHOICES:
        raise ValidationError("slots", f"choose one to {MAX_CHOICES} slots")
    if not timedelta(minutes=5) <= expires <= MAX_EXPIRY:
        raise ValidationError("expires", "must be between 5 minutes and 30 days")
    actor = actor or crud.current_user()
    user = query.user or actor
    with db.write() as tx:
        problems = [
            f"{describe_hold(span[0])}: {reason}"
            for span in chosen
            if (reason := _clash(tx, span, query, user, None)) is not None
        ]
        if problems:
            raise SlotTakenError("no longer free: " + "; ".join(problems))
        offer_id = _insert(tx, query, chosen, user, title, language, expires, actor)
        return _read(tx, offer_id)


def _insert(
    tx: Tx,
    query: slots.SlotQuery,
    chosen: Sequence[Span],
    user: str,
    title: str,
    language: str,
    expires: timedelta,
    actor: str,
) -> int:
    now = clock.now_utc()
    offer_id = tx.insert(
        "slot_offer",
        {
            "contact_id": query.contact_id,
            "owner": user,
            "title": title[:300],
            "location": query.location,
            "language": language,
            "status": "open",
            "expires_at": now + expires,
            "created_at": now,
            "created_by": actor,
            "updated_at": now,
        },
    )
    for number, (start, end) in enumerate(sorted(chosen), start=1):
        tx.insert(
            "slot_hold",
            {"offer_id": offer_id, "choice": number, "starts_at": start, "ends_at": end},
        )
    return offer_id


def _read(tx: Tx, offer_id: int) -> Offer:
    row = tx.one(
        "SELECT o.*, trim(c.first_name || ' ' || c.last_name) AS contact_name "
        "FROM slot_offer o LEFT JOIN contact c ON c.id = o.contact_id WHERE o.id = :id",
        id=offer_id,
    )
    if row is None:
        raise NotFoundError("offer", offer_id)
    holds = tx.all(
        "SELECT choice, starts_at, ends_at FROM slot_hold WHERE offer_id = :id ORDER BY choice",
        id=offer_id,
    )
    return _offer(row, holds)


def _offer(row: Any, holds: list[Any]) -> Offer:
    return Offer(
        id=row["id"],
        contact_id=row["contact_id"],
        contact_name=row["contact_name"] or None,
        owner=row["owner"],
        title=row["title"],
        location=row["location"],
        language=row["language"],
        status=row["status"],
        expires_at=to_datetime(row["expires_at"]),
        appointment_id=row["appointment_id"],
        holds=tuple(
            Hold(h["choice"], to_datetime(h["starts_at"]), to_datetime(h["ends_at"])) for h in holds
        ),
    )


def get_offer(db: Database, offer_id: int) -> Offer:
    """One offer with its holds."""
    with db.read() as tx:
        return _read(tx, offer_id)


def _open_offer(tx: Tx, offer_id: int) -> Offer:
    offer = _read(tx, offer_id)
    if offer.status == "booked":
        raise SlotTakenError(
            f"offer {offer_id} was booked already (appointment {offer.appointment_id})"
        )
    if offer.status != "open":
        raise SlotTakenError(f"offer {offer_id} was withdrawn")
    if not offer.live:
        raise SlotTakenError(
            f"offer {offer_id} expired on {describe_hold(offer.expires_at)}; its times are "
            "no longer held: make a new offer"
        )
    return offer


def book(db: Database, offer_id: int, choice: int, actor: str | None = None) -> records.Appointment:
    """Turn hold ``choice`` of an open offer into an appointment and release the others,
    checking under the write lock that nothing took its time since."""
    actor = actor or crud.current_user()
    with db.write() as tx:
        offer = _open_offer(tx, offer_id)
        hold = next((h for h in offer.holds if h.choice == choice), None)
        if hold is None:
            numbers = ", ".join(str(h.choice) for h in offer.holds)
            raise ValidationError("choice", f"offer {offer_id} has the choices {numbers}")
        if hold.starts_at <= clock.now():
            raise SlotTakenError(f"{describe_hold(hold.starts_at)} has passed")
        span = (hold.starts_at, hold.ends_at)
        busy = slots.busy_times(
            tx, *span, user=offer.owner, contact_id=offer.contact_id, skip_offer=offer_id
        )
        if any(a < span[1] and b > span[0] for a, b in busy):
            raise SlotTakenError(f"{describe_hold(hold.starts_at)} is no longer free")
        values: dict[str, Any] = {
            "title": offer.title,
            "starts_at": hold.starts_at,
            "ends_at": hold.ends_at,
            "contact_id": offer.contact_id,
            "location": offer.location,
            "owner": offer.owner,
        }
        appointment_id = appointments.create_appointment_tx(tx, values, actor)
        _close(tx, offer_id, "booked", appointment_id)
    return appointments.get_appointment(db, appointment_id)


def withdraw(db: Database, offer_id: int) -> Offer:
    """Release every hold of an open offer."""
    with db.write() as tx:
        _open_offer(tx, offer_id)
        _close(tx, offer_id, "withdrawn", None)
        return _read(tx, offer_id)


def _close(tx: Tx, offer_id: int, status: str, appointment_id: int | None) -> None:
    tx.execute(
        "UPDATE slot_offer SET status = :status, appointment_id = :appointment, "
        "updated_at = :now WHERE id = :id",
        status=status,
        appointment=appointment_id,
        now=clock.now_utc(),
        id=offer_id,
    )


def live_holds(db: Database, start: datetime, end: datetime) -> list[tuple[Offer, Hold]]:
    """The holds of live offers overlapping [start, end), for the calendar."""
    with db.read() as tx:
        ids = tx.all(
            "SELECT DISTINCT o.id FROM slot_offer o JOIN slot_hold h ON h.offer_id = o.id "
            "WHERE o.status = 'open' AND o.expires_at > :now AND h.starts_at < :end "
            "AND h.ends_at > :start ORDER BY o.id",
            now=clock.now_utc(),
            start=start,
            end=end,
        )
        found = [_read(tx, row["id"]) for row in ids]
    return [
        (offer, hold)
        for offer in found
        for hold in offer.holds
        if hold.starts_at < end and hold.ends_at > start
    ]


def hold_occurrences(db: Database, start: datetime, end: datetime) -> list[records.Occurrence]:
    """The live holds overlapping [start, end) as tentative entries of the calendar (their
    ids are negative: no appointment has them)."""
    found = []
    for offer, hold in live_holds(db, start, end):
        now = clock.now_utc()
        entry = records.Appointment(
            id=-(offer.id * 10 + hold.choice),
            title=f"{offer.title} ({hold.choice}?)",
            starts_at=clock.local(hold.starts_at),
            ends_at=clock.local(hold.ends_at),
            all_day=False,
            location=offer.location,
            notes=None,
            contact_id=offer.contact_id,
            contact_name=offer.contact_name,
            account_id=None,
            account_name=None,
            opportunity_id=None,
            rrule=None,
            exdates=(),
            reminder_minutes=None,
            owner=offer.owner,
            tracking=records.Tracking(now, now, offer.owner, offer.owner, 1),
        )
        found.append(records.Occurrence(entry, entry.starts_at, entry.ends_at, held_by=offer.id))
    return found
