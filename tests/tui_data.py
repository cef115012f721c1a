"""Fixed data and a fixed "now" for the TUI tests and snapshots (imported by tests/test_tui_*).

Everything a snapshot shows must be the same on every run: the store's clock (creation and
change times), the app's "now", the time zone and the acting user are pinned here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from smallcrm.app import CrmApp, make_app
from smallcrm.store import accounts, appointments, contacts, interactions, opportunities
from smallcrm.store.db import Database

NOW = datetime(2026, 11, 25, 10, 30, tzinfo=UTC)  # a Wednesday
SIZE = (80, 24)
FIRST_NAMES = ("Anna", "Ben", "Clara", "David", "Eva", "Felix", "Greta", "Hugo", "Ida", "Jonas")
LAST_NAMES = ("Adler", "Berg", "Conrad", "Dietz", "Engel", "Fischer", "Graf", "Hahn")


@dataclass(frozen=True)
class Seeded:
    """Ids of the records the tests refer to by name."""

    acme: int
    harbor: int
    jana: int
    max: int
    olivia: int
    renewal_call: int
    deal: int
    demo: int


def seed(db: Database, *, extra_people: int = 0) -> Seeded:
    """A small, realistic data set (and ``extra_people`` generated contacts for paging)."""
    acme = accounts.create_account(
        db,
        allow_duplicate=True,
        name="Acme GmbH",
        industry="Tools",
        website="acme.example",
        phone="+49 30 1234567",
        city="Berlin",
        country="Germany",
        owner="jana",
        tags="key-account",
    )
    harbor = accounts.create_account(
        db,
        allow_duplicate=True,
        name="Blue Harbor Ltd",
        industry="Shipping",
        city="London",
        owner="max",
    )
    jana = contacts.create_contact(
        db,
        allow_duplicate=True,
        name="Jana Novak",
        title="Buyer",
        account_id=acme.id,
        emails=["jana@acme.example"],
        phones=["+49 30 7654321"],
        city="Berlin",
        owner="tester",
        tags="vip",
    )
    max_ = contacts.create_contact(
        db,
        allow_duplicate=True,
        name="Max Müller",
        account_id=acme.id,
        emails=["max@acme.example"],
        owner="max",
    )
    olivia = contacts.create_contact(
        db,
        allow_duplicate=True,
        name="Olivia Brown",
        account_id=harbor.id,
        city="London",
        owner="tester",
    )
    for index in range(extra_people):
        first = FIRST_NAMES[index % len(FIRST_NAMES)]
        last = LAST_NAMES[index % len(LAST_NAMES)]
        contacts.create_contact(  # generated names look alike on purpose
            db,
            allow_duplicate=True,
            first_name=first,
            last_name=f"{last}{index:03d}",
            emails=[f"p{index}@x.example"],
        )
    call = interactions.log_interaction(
        db,
        kind="call",
        subject="Discussed the renewal",
        happened_at=NOW - timedelta(days=5),
        contact_id=jana.id,
        follow_up_on=date(2026, 11, 27),
        duration_minutes=20,
    )
    interactions.log_interaction(
        db,
        kind="email",
        subject="Sent the price list",
        happened_at=NOW - timedelta(days=7),
        contact_id=jana.id,
    )
    deal = opportunities.create_opportunity(
        db,
        name="Acme renewal",
        account_id=acme.id,
        contact_id=jana.id,
        stage="proposal",
        amount=Decimal("12000"),
        expected_close=date(2026, 12, 31),
    )
    demo = appointments.create_appointment(
        db,
        title="Demo at Acme",
        starts_at=NOW + timedelta(days=2, hours=3, minutes=30),
        duration=timedelta(hours=1),
        location="Acme office",
        contact_id=jana.id,
        account_id=acme.id,
    )
    return Seeded(acme.id, harbor.id, jana.id, max_.id, olivia.id, call.id, deal.id, demo.id)


def app_for(db: Database) -> CrmApp:
    """The app as the CLI makes it, with "now" fixed and no live refresh: a test changing the
    database behind the app's back decides itself when the app looks (tests/test_tui_live.py
    tests the refresh)."""
    return make_app(db, now=NOW, live_interval=None)


async def press_steady(pilot: Pilot[object], *keys: str) -> None:
    """Press ``keys``, each once the screen has handled the one before, then wait until the
    screen is still (see :func:`steady`). Pressed all at once, on a busy machine a key could
    reach the screen before the one before it had opened the screen it was meant for."""
    for key in keys:
        await pilot.press(key)
    await steady(pilot)


async def steady(pilot: Pilot[object]) -> None:
    """Let the thread workers finish and the screen show what they brought, then stop every
    text cursor on screen from blinking, shown: a snapshot taken over half a second later (on a
    busy machine, or beside other tests) would otherwise catch a cursor in its hidden half and
    differ from the stored picture."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    screen = pilot.app.screen
    for field in (*screen.query(Input), *screen.query(TextArea)):
        field.cursor_blink = False
    await pilot.pause()


def snapshot(
    snap_compare: Callable[..., bool],
    app: CrmApp,
    *keys: str,
    before: Callable[[Pilot[object]], Awaitable[None]] | None = None,
) -> bool:
    """Compare ``app`` at 80x24 with its stored picture, after ``before`` (a longer journey)
    and then ``keys``, pressed as a user would, once the screen is still."""

    async def journey(pilot: Pilot[object]) -> None:
        if before is not None:
            await before(pilot)
        await press_steady(pilot, *keys)

    return snap_compare(app, terminal_size=SIZE, run_before=journey)
