"""The pipeline board and table, the deal's view and form, driven with Pilot at 80x24."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from textual.widgets import Input, Select
from tui_data import NOW, SIZE, Seeded, app_for

from smallcrm.app import CrmApp
from smallcrm.screens.help import HelpScreen
from smallcrm.screens.opportunity_detail import OpportunityDetailScreen
from smallcrm.screens.opportunity_form import OpportunityForm
from smallcrm.screens.pipeline import PipelineScreen
from smallcrm.screens.pipeline_board import CARDS_PER_PAGE
from smallcrm.screens.pipeline_filter import PipelineFilterScreen
from smallcrm.screens.stage_reason import StageReasonScreen
from smallcrm.store import appointments, interactions, opportunities
from smallcrm.store.crud import current_user
from smallcrm.store.db import Database
from smallcrm.store.errors import NotFoundError
from smallcrm.widgets.paged_table import PagedTable
from smallcrm.widgets.stage_column import MORE_ID, StageColumn

pytest_plugins = ["tui_fixtures"]  # The fixed clock and the seeded database.


def add_deals(db: Database, acme: int) -> None:
    """A deal in each open stage besides the seeded proposal, with owners to filter by."""
    for name, stage, amount, close, owner in (
        ("Toolbox upgrade", "lead", "4000", date(2026, 11, 20), "max"),
        ("Spare parts 2027", "qualified", "20000", date(2027, 1, 31), "jana"),
        ("Harbor cranes", "negotiation", "90000", date(2026, 12, 15), "max"),
    ):
        opportunities.create_opportunity(
            db,
            name=name,
            account_id=acme,
            stage=stage,
            amount=amount,
            expected_close=close,
            owner=owner,
        )


async def open_pipeline(pilot) -> PipelineScreen:  # noqa: ANN001 - a Pilot
    """F5, and the board is shown."""
    await pilot.press("f5")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, PipelineScreen)
    return screen


def column(screen: PipelineScreen, stage: str) -> StageColumn:
    """The board's column for a stage."""
    return next(c for c in screen.columns() if c.stage.name == stage)


def focused_deal(app: CrmApp) -> str | None:
    """The name of the deal under the board's cursor."""
    deal = app.screen.current_deal()
    return deal.name if deal else None


async def test_board_has_a_column_per_stage_with_counts_totals_and_weighted_total(
    tui_db: Database, seeded: Seeded
) -> None:
    add_deals(tui_db, seeded.acme)
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_pipeline(pilot)
        names = [c.stage.name for c in screen.columns()]
        assert names == ["lead", "qualified", "proposal", "negotiation", "won", "lost"]
        header = str(column(screen, "negotiation").query_one(".stage-header").render())
        assert "Negotiation · 1" in header and "Σ 90k" in header and "w 67.5k" in header
        summary = str(screen.query_one("#pipeline-summary").render())
        # 4,000 x 10% + 20,000 x 25% + 12,000 x 50% + 90,000 x 75%
        assert "Open 4 deals" in summary and "weighted 78,900" in summary
        assert [d.name for d in column(screen, "proposal").deals] == ["Acme renewal"]


async def test_empty_pipeline_says_what_to_do_and_follows_new_stages(tui_db: Database) -> None:
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_pipeline(pilot)
        assert "No deals yet: press n" in str(screen.query_one("#pipeline-summary").render())
        opportunities.add_stage(tui_db, "trial", 40)  # someone adds a stage meanwhile
        await pilot.press("r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        names = [c.stage.name for c in screen.columns()]
        assert names == ["lead", "qualified", "proposal", "negotiation", "trial", "won", "lost"]
        assert screen.columns()[0].cards.has_focus


async def test_moving_a_deal_through_the_pipeline_to_won(tui_db: Database, seeded: Seeded) -> None:
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_pipeline(pilot)
        await pilot.press("right", "right")  # lead -> qualified -> proposal
        assert focused_deal(app) == "Acme renewal"
        await pilot.press("right_square_bracket")
        assert opportunities.get_opportunity(tui_db, seeded.deal).stage == "negotiation"
        assert focused_deal(app) == "Acme renewal", "the cursor follows the deal"
        assert column(screen, "negotiation").cards.has_focus
        await pilot.press("right_square_bracket")  # won asks why first
        assert isinstance(app.screen, StageReasonScreen)
        await pilot.press(*"fit", "enter")
        await pilot.pause()
        deal = opportunities.get_opportunity(tui_db, seeded.deal)
        assert deal.stage == "won" and deal.probability == 100
        assert deal.closed_on is not None
        notes = interactions.timeline(tui_db, opportunity_id=deal.id)
        assert [n.subject for n in notes] == ["Won: fit"]
        assert [d.name for d in column(screen, "won").deals] == ["Acme renewal"]
        summary = str(screen.query_one("#pipeline-summary").render())
        assert "won 12,000" in summary
        await pilot.press("left_square_bracket")  # and back again: reopened
        assert opportunities.get_opportunity(tui_db, seeded.deal).stage == "negotiation"


async def test_lost_asks_for_a_reason_and_will_not_go_without_one(
    tui_db: Database, seeded: Seeded
) -> None:
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await open_pipeline(pilot)
        await pilot.press("right", "right", "x")
        assert isinstance(app.screen, StageReasonScreen)
        await pilot.press("enter")  # no reason given
        assert isinstance(app.screen, StageReasonScreen)
        assert "needs a reason" in str(app.screen.query_one("#reason-error").render())
        await pilot.press("escape")  # cancelled: nothing changes
        assert opportunities.get_opportunity(tui_db, seeded.deal).stage == "proposal"
        await pilot.press("x", *"price", "enter")
        await pilot.pause()
        deal = opportunities.get_opportunity(tui_db, seeded.deal)
        assert (deal.stage, deal.lost_reason) == ("lost", "price")


async def test_a_deal_changed_elsewhere_is_not_moved_and_the_board_reloads(
    tui_db: Database, seeded: Seeded
) -> None:
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_pipeline(pilot)
        await pilot.press("right", "right")
        stale = screen.current_deal()
        assert stale is not None
        # Someone else renames the deal after the board read it.
        opportunities.update_opportunity(
            tui_db, seeded.deal, stale.tracking.version, name="Acme renewal 2027"
        )
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert opportunities.get_opportunity(tui_db, seeded.deal).stage == "proposal"
        messages = [n.message for n in app._notifications]  # noqa: SLF001
        assert any("changed by someone else" in m for m in messages)
        assert [d.name for d in column(screen, "proposal").deals] == ["Acme renewal 2027"]


async def test_columns_show_a_page_of_cards_and_load_more_on_request(
    tui_db: Database, seeded: Seeded
) -> None:
    with tui_db.write() as tx:
        for index in range(CARDS_PER_PAGE + 5):
            values = {"name": f"Lead {index:02d}", "stage": "lead", "amount": "100"}
            opportunities.create_opportunity_tx(tx, values, "tester")
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_pipeline(pilot)
        leads = column(screen, "lead")
        assert len(leads.deals) == CARDS_PER_PAGE
        more = leads.cards.get_option(MORE_ID)
        assert "+ 5 more" in str(more.prompt)
        await pilot.press("end", "enter")
        assert len(leads.deals) == CARDS_PER_PAGE + 5
        assert MORE_ID not in [o.id for o in leads.cards.options]
        assert focused_deal(app) == f"Lead {CARDS_PER_PAGE:02d}", "the first new card"


async def test_table_view_pages_sorts_and_opens(tui_db: Database, seeded: Seeded) -> None:
    add_deals(tui_db, seeded.acme)
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_pipeline(pilot)
        await pilot.press("v")
        table = screen.query_one("#deal-table", PagedTable)
        assert table.has_focus and table.total == 4
        assert table.current.name == "Toolbox upgrade", "by close date first"
        await pilot.press("s")  # by amount
        assert screen.sort == "amount" and table.current.name == "Toolbox upgrade"
        await pilot.press("S")
        assert table.current.name == "Harbor cranes"
        await pilot.press("right_square_bracket")  # keys work on the table's deal too
        await pilot.press(*"fit", "enter")
        await pilot.pause()
        stages = {d.name: d.stage for d in opportunities.list_opportunities(tui_db).items}
        assert stages["Harbor cranes"] == "won"
        await pilot.press("enter")
        assert isinstance(app.screen, OpportunityDetailScreen)


async def test_filter_by_owner_and_stage(tui_db: Database, seeded: Seeded) -> None:
    add_deals(tui_db, seeded.acme)
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_pipeline(pilot)
        await pilot.press("f")
        assert isinstance(app.screen, PipelineFilterScreen)
        await pilot.press(*"max", "enter")
        await pilot.pause()
        shown = {d.name for c in screen.columns() for d in c.deals}
        assert shown == {"Toolbox upgrade", "Harbor cranes"}
        assert "filter: owner max" in str(screen.query_one("#pipeline-summary").render())
        await pilot.press("f")
        app.screen.query_one("#stage", Select).value = "negotiation"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert [c.stage.name for c in screen.columns() if c.display] == ["negotiation"]
        await pilot.press("f", "ctrl+r")
        await pilot.pause()
        assert len([c for c in screen.columns() if c.display]) == 6
        await pilot.press("f")
        app.screen.query_one("#account").record_id = seeded.harbor
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not any(c.deals for c in screen.columns())
        summary = str(screen.query_one("#pipeline-summary").render())
        assert "filter: account Blue Harbor Ltd" in summary


async def test_new_deal_form_shows_errors_inline_and_keeps_what_was_typed(
    tui_db: Database, seeded: Seeded
) -> None:
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await open_pipeline(pilot)
        await pilot.press("right", "n")  # in the qualified column
        form = app.screen
        assert isinstance(form, OpportunityForm)
        assert form.query_one("#stage", Select).value == "qualified"
        assert form.query_one("#probability", Input).value == "25"
        form.query_one("#amount", Input).value = "lots"
        form.query_one("#expected_close", Input).value = "eom"
        await pilot.press("ctrl+s")
        name = form.query_one("#name", Input)
        assert app.screen is form and name.has_class("-field-error") and name.has_focus
        await pilot.press(*"Pilot", "ctrl+s")
        amount = form.query_one("#amount", Input)
        assert app.screen is form and amount.has_class("-field-error")
        assert name.value == "Pilot" and amount.value == "lots"
        amount.value = "15k"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not isinstance(app.screen, OpportunityForm)
        created = opportunities.list_opportunities(tui_db).items
        deal = next(d for d in created if d.name == "Pilot")
        assert (deal.stage, deal.amount, deal.expected_close) == (
            "qualified",
            Decimal("15000.00"),
            date(2026, 11, 30),
        )
        assert deal.owner == current_user()
        assert focused_deal(app) == "Pilot"


async def test_escape_leaves_the_form_without_a_trace(tui_db: Database, seeded: Seeded) -> None:
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await open_pipeline(pilot)
        await pilot.press("n", *"Nope", "escape", "d")  # asked first: d discards
        assert isinstance(app.screen, PipelineScreen)
        assert opportunities.list_opportunities(tui_db).total == 1


async def test_deal_view_moves_logs_edits_and_deletes_with_undo(
    tui_db: Database, seeded: Seeded
) -> None:
    appointments.create_appointment(
        tui_db,
        title="Contract review",
        starts_at=NOW + timedelta(days=7),
        duration=timedelta(hours=1),
        opportunity_id=seeded.deal,
    )
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await open_pipeline(pilot)
        await pilot.press("right", "right", "enter")
        view = app.screen
        assert isinstance(view, OpportunityDetailScreen)
        assert view.query_one("#crm-crumbs").text == "Pipeline › Acme renewal"
        card = str(view.query_one("#card").render())
        assert "12,000 EUR" in card and "6,000 EUR" in card and "Thu 2026-12-31" in card
        assert "[PROPOSAL]" in str(view.query_one("#stage-path").render())
        assert "Jana Novak" in str(view.query_one("#people").get_option_at_index(1).prompt)
        planned = str(view.query_one("#appointments").get_option_at_index(0).prompt)
        assert "Wed 2026-12-02 10:30" in planned and "Contract review" in planned
        await pilot.press("right_square_bracket")
        assert opportunities.get_opportunity(tui_db, seeded.deal).stage == "negotiation"
        assert "[NEGOTIATION]" in str(view.query_one("#stage-path").render())
        await pilot.press("l")
        await pilot.press(*"Terms", "ctrl+s")
        await pilot.pause()
        timeline = interactions.timeline(tui_db, opportunity_id=seeded.deal)
        assert [i.subject for i in timeline] == ["Terms"]
        assert "Terms" in str(view.query_one("#timeline").get_option_at_index(0).prompt)
        await pilot.press("e")
        assert isinstance(app.screen, OpportunityForm)
        app.screen.query_one("#next_step", Input).value = "Send the contract"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert opportunities.get_opportunity(tui_db, seeded.deal).next_step == "Send the contract"
        await pilot.press("d", "y")
        await pilot.pause()
        assert isinstance(app.screen, PipelineScreen)
        try:
            opportunities.get_opportunity(tui_db, seeded.deal)
            raise AssertionError("the deal should be in the trash")
        except NotFoundError:
            pass
        assert not column(app.screen, "negotiation").deals, "back on the board: it is gone"
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert opportunities.get_opportunity(tui_db, seeded.deal).stage == "negotiation"
        assert any(c.deals for c in app.screen.columns() if c.stage.name == "negotiation")


async def test_f1_shows_the_help_of_each_pipeline_screen(tui_db: Database, seeded: Seeded) -> None:
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await open_pipeline(pilot)
        for opener, screen_type in (
            (("right", "right"), PipelineScreen),
            (("enter",), OpportunityDetailScreen),
            (("e",), OpportunityForm),
        ):
            await pilot.press(*opener)
            assert isinstance(app.screen, screen_type)
            await pilot.press("f1")
            help_screen = app.screen
            assert isinstance(help_screen, HelpScreen)
            assert help_screen.text == screen_type.HELP
            keys = {row.description for row in help_screen.rows}
            if screen_type is PipelineScreen:
                assert {"Next stage", "Prev stage", "Won", "Lost", "New deal"} <= keys
            if screen_type is OpportunityDetailScreen:
                assert {"Next stage", "Log", "Appointment", "Edit", "Delete"} <= keys
            await pilot.press("f1")
            assert isinstance(app.screen, screen_type), "F1 again closes the help"


def test_board_snapshot(snap_compare, tui_db: Database, seeded: Seeded) -> None:  # noqa: ANN001
    add_deals(tui_db, seeded.acme)
    app = app_for(tui_db)
    assert NOW.date() == date(2026, 11, 25)  # "Toolbox upgrade" is overdue on that day
    assert snap_compare(app, press=["f5"], terminal_size=SIZE)
