"""The Campaigns tab (F10) and a campaign's page at 80x24: the figures from the same store
function as the report, the keys to open a campaign, add one and see its members, F1 help
that says attribution is single-touch, and snapshots of both screens."""

from __future__ import annotations

from tui_data import SIZE, Seeded, app_for, press_steady, snapshot

from smallcrm.screens.campaign_detail import CampaignDetailScreen
from smallcrm.screens.campaign_form import CampaignForm
from smallcrm.screens.campaigns import CampaignsScreen
from smallcrm.screens.help import HelpScreen
from smallcrm.store import campaigns, contacts, opportunities
from smallcrm.store.campaign_audience import Selection, add_members
from smallcrm.store.campaign_figures import campaign_figures, columns
from smallcrm.store.campaign_responses import read_results
from smallcrm.store.db import Database

pytest_plugins = ["tui_fixtures"]


def seed_campaigns(db: Database, seeded: Seeded) -> dict[str, int]:
    """A newsletter Jana and Max received (Jana clicked and bought), and a planned fair."""
    for person in (seeded.jana, seeded.max):
        contacts.update_contact(db, person, None, email_opt_in=True, tags="newsletter")
    news = campaigns.create_campaign(
        db, name="Autumn newsletter", code="NEWS11", channel="newsletter", status="complete",
        starts_on="2026-11-02", ends_on="2026-11-09", cost_cents="300",
    )  # fmt: skip
    fair = campaigns.create_campaign(
        db, name="Trade fair invitation", code="FAIR27", channel="event", starts_on="2027-02-10"
    )
    add_members(db, news.id, Selection(tag="newsletter"))
    read_results(db, news.id, "email,event\njana@acme.example,click\nmax@acme.example,sent\n")
    opportunities.create_opportunity(
        db, name="Sensor upgrade", contact_id=seeded.jana, amount="1200", stage="won",
        campaign_id=news.id,
    )  # fmt: skip
    return {"news": news.id, "fair": fair.id}


async def test_f10_lists_each_campaign_with_its_figures(tui_db: Database, seeded: Seeded) -> None:
    made = seed_campaigns(tui_db, seeded)
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await press_steady(pilot, "f10")
        screen = app.screen
        assert isinstance(screen, CampaignsScreen)
        shown = [screen.cells(screen.table.record_at(i)) for i in range(screen.table.total)]  # type: ignore[arg-type]
        figures = {f.id: columns(f) for f in campaign_figures(tui_db)}
        assert shown == [list(figures[made["fair"]].values()), list(figures[made["news"]].values())]
        assert shown[1] == [
            "Autumn newsletter",
            "news",
            "complete",
            "2",
            "50%",
            "1",
            "1 1.2k",
            "300%",
        ]


async def test_keys_open_add_and_show_members(tui_db: Database, seeded: Seeded) -> None:
    made = seed_campaigns(tui_db, seeded)
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await press_steady(pilot, "f10", "down", "enter")
        page = app.screen
        assert isinstance(page, CampaignDetailScreen) and page.record_id == made["news"]
        members = " ".join(str(o.prompt) for o in page.query_one("#members").options)
        # Jana's won deal credits the newsletter: she and Max (also at Acme) converted.
        assert "Jana" in members and "converted" in members and "Max" in members
        deals = " ".join(str(o.prompt) for o in page.query_one("#deals").options)
        assert "Sensor upgrade" in deals
        await press_steady(pilot, "escape", "m")
        assert isinstance(app.screen, CampaignDetailScreen)
        assert app.screen.query_one("#members").has_focus
        await press_steady(pilot, "escape", "n")
        assert isinstance(app.screen, CampaignForm)
        await press_steady(pilot, *"Winter sale", "ctrl+s")
        assert [c.name for c in campaigns.list_campaigns(tui_db).items if c.code == "WINTERSALE"]


async def test_f1_says_attribution_is_single_touch(tui_db: Database, seeded: Seeded) -> None:
    seed_campaigns(tui_db, seeded)
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await press_steady(pilot, "f10")
        assert "single-touch" in CampaignsScreen.HELP
        await press_steady(pilot, "f1")
        assert isinstance(app.screen, HelpScreen)
        await press_steady(pilot, "escape", "enter")
        assert "single-touch" in CampaignDetailScreen.HELP


def test_campaigns_list_snapshot(snap_compare, tui_db: Database, seeded: Seeded) -> None:  # noqa: ANN001
    seed_campaigns(tui_db, seeded)
    assert snapshot(snap_compare, app_for(tui_db), "f10")


def test_campaign_page_snapshot(snap_compare, tui_db: Database, seeded: Seeded) -> None:  # noqa: ANN001
    seed_campaigns(tui_db, seeded)
    assert snapshot(snap_compare, app_for(tui_db), "f10", "down", "enter")
