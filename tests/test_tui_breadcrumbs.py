"""Breadcrumbs show the record's path (``Accounts › Acme GmbH › Jana Novak``, however the
contact was opened on the Accounts tab), and a long name never pushes the start of the trail off
screen: long steps are shortened with an ellipsis until the trail fits, at 80 and 60 columns."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tui_data import SIZE, Seeded, app_for, steady

from smallcrm.screens.account_detail import AccountDetailScreen
from smallcrm.screens.contact_detail import ContactDetailScreen
from smallcrm.screens.interaction_detail import InteractionDetailScreen
from smallcrm.screens.opportunity_detail import OpportunityDetailScreen
from smallcrm.store import opportunities
from smallcrm.store.db import Database
from smallcrm.widgets.breadcrumbs import ELLIPSIS, Breadcrumbs, fit

pytest_plugins = ["tui_fixtures"]  # The fixed clock and the seeded database.

LONG_DEAL = "Wiśniewski: SensorKit pilot on the gearboxes of turbine 7"


def crumbs(app: object) -> str:
    return app.screen.query_one(Breadcrumbs).text  # type: ignore[attr-defined]


def shown(app: object) -> str:
    """The trail as drawn on screen (shortened to its width)."""
    bar = app.screen.query_one(Breadcrumbs)  # type: ignore[attr-defined]
    return bar.render_line(0).text.strip()


async def _search(pilot: object, text: str) -> None:
    await pilot.press("ctrl+f", *text)  # type: ignore[attr-defined]
    await steady(pilot)  # type: ignore[arg-type]
    await pilot.press("enter")  # type: ignore[attr-defined]
    await steady(pilot)  # type: ignore[arg-type]


async def test_a_contact_opened_from_its_account_shows_the_account(
    tui_db: Database, seeded: Seeded
) -> None:
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3", "enter", "down", "enter")
        await steady(pilot)
        assert isinstance(app.screen, ContactDetailScreen)
        assert crumbs(app) == "Accounts › Acme GmbH › Jana Novak"


async def test_a_contact_found_by_search_on_the_accounts_tab_shows_its_account(
    tui_db: Database, seeded: Seeded
) -> None:
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await _search(pilot, "jana")
        assert isinstance(app.screen, ContactDetailScreen)
        assert crumbs(app) == "Accounts › Acme GmbH › Jana Novak"  # was "Accounts › Jana Novak"
        assert shown(app) == "Accounts › Acme GmbH › Jana Novak"
        # The account's step opens the account, on the Accounts tab's own trail.
        app.screen.action_open_crumb(0, "account", seeded.acme)
        await steady(pilot)
        assert isinstance(app.screen, AccountDetailScreen)
        assert crumbs(app) == "Accounts › Acme GmbH"
        assert len(app.screen_stack) == 2


async def test_an_interaction_found_on_the_contacts_tab_shows_its_contact(
    tui_db: Database, seeded: Seeded
) -> None:
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await _search(pilot, "renewal call")
        if not isinstance(app.screen, InteractionDetailScreen):
            app.open_record("interaction", seeded.renewal_call)
            await steady(pilot)
        assert isinstance(app.screen, InteractionDetailScreen)
        assert crumbs(app) == "Contacts › Jana Novak › Call 2026-11-20"


async def test_a_contact_opened_from_a_deal_keeps_the_way_the_user_came(
    tui_db: Database, seeded: Seeded
) -> None:
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f5", "right", "right", "enter", "enter")
        await steady(pilot)
        assert crumbs(app) == "Pipeline › Acme renewal › Acme GmbH"
        await pilot.press("escape", "down", "enter")
        await steady(pilot)
        assert isinstance(app.screen, ContactDetailScreen)
        assert crumbs(app) == "Pipeline › Acme renewal › Jana Novak"


@pytest.mark.parametrize("size", [SIZE, (60, 20)])
async def test_a_long_deal_name_is_shortened_and_the_trail_keeps_its_start(
    tui_db: Database, seeded: Seeded, size: tuple[int, int]
) -> None:
    deal = opportunities.create_opportunity(
        tui_db,
        name=LONG_DEAL,
        account_id=seeded.acme,
        contact_id=seeded.jana,
        stage="proposal",
        amount=Decimal("5000"),
    )
    app = app_for(tui_db)
    async with app.run_test(size=size) as pilot:
        await pilot.press("f3")
        app.open_record("account", seeded.acme)
        await steady(pilot)
        app.open_record("opportunity", deal.id)
        await steady(pilot)
        assert isinstance(app.screen, OpportunityDetailScreen)
        app.open_record("contact", seeded.jana)
        await steady(pilot)
        full = f"Accounts › Acme GmbH › {LONG_DEAL} › Jana Novak"
        assert crumbs(app) == full
        bar = app.screen.query_one(Breadcrumbs)
        line = shown(app)
        assert line.startswith("Accounts › "), line
        assert line.endswith("Jana Novak"), line
        assert ELLIPSIS in line and "Wiś" in line, line
        assert len(line) <= bar.size.width, (line, bar.size.width)
        if size == SIZE:
            assert line == "Accounts › Acme GmbH › Wiśniewski: S… › Jana Novak"


def test_fit_shortens_the_longest_middle_step_first() -> None:
    texts = ["Accounts", "Acme GmbH", LONG_DEAL, "Jana Novak"]
    fitted = fit(texts, 44, 3)
    assert fitted[0] == "Accounts" and fitted[1] == "Acme GmbH" and fitted[3] == "Jana Novak"
    assert fitted[2].startswith("Wiś") and fitted[2].endswith(ELLIPSIS)
    assert len(" › ".join(fitted)) <= 44


@given(
    st.lists(st.text(min_size=1, max_size=70), min_size=1, max_size=6),
    st.integers(min_value=10, max_value=120),
)
def test_fit_keeps_every_step_and_fits_when_it_can(texts: list[str], width: int) -> None:
    fitted = fit(texts, width, 3)
    assert len(fitted) == len(texts)
    for original, short in zip(texts, fitted, strict=True):
        assert short == original or short.endswith(ELLIPSIS)
        assert original.startswith(short.removesuffix(ELLIPSIS).rstrip())
    floor = sum(min(len(t), 6) for t in (texts[0], texts[-1])) if len(texts) > 1 else 0
    smallest = floor + (len(texts) - 2) * 1 + 3 * (len(texts) - 1) if len(texts) > 1 else 0
    if len(texts) > 1 and smallest <= width:
        assert len(" › ".join(fitted)) <= width
