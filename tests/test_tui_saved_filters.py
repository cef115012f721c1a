"""Saved filters and campaign members in the app at 80x24: S saves the contact list's filters
under a name, F applies a saved one, f on a campaign's page adds whoever it finds (the consent
rule applies), and closing a deal as won in the pipeline converts the campaign's members."""

from __future__ import annotations

from dataclasses import replace

from tui_data import SIZE, Seeded, app_for, press_steady, snapshot

from smallcrm.screens.campaign_detail import CampaignDetailScreen
from smallcrm.screens.contacts import ContactsScreen
from smallcrm.screens.pipeline import PipelineScreen
from smallcrm.screens.saved_filter_prompts import FilterPickerScreen, SaveFilterScreen
from smallcrm.screens.stage_reason import StageReasonScreen
from smallcrm.store import campaigns, contacts, opportunities, saved_filters
from smallcrm.store.campaign_audience import Selection, add_members, list_members
from smallcrm.store.db import Database

pytest_plugins = ["tui_fixtures"]


def _newsletter(db: Database, seeded: Seeded) -> campaigns.Campaign:
    """Jana and Max agreed to email and read the newsletter; Olivia never said."""
    for person in (seeded.jana, seeded.max):
        contacts.update_contact(db, person, None, email_opt_in=True, tags="newsletter")
    contacts.update_contact(db, seeded.olivia, None, tags="newsletter")
    return campaigns.create_campaign(db, name="Winter news", code="NEWS12", channel="email")


async def test_s_saves_the_filters_and_f_applies_a_saved_one(
    tui_db: Database, seeded: Seeded
) -> None:
    _newsletter(tui_db, seeded)
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await press_steady(pilot, "f2", "S")
        screen = app.screen
        assert isinstance(screen, ContactsScreen), "nothing to save without a filter"
        screen.apply_filters(replace(screen.query_state, tag="newsletter"))
        await press_steady(pilot, "S")
        assert isinstance(app.screen, SaveFilterScreen)
        await press_steady(pilot, *"Readers", "enter")
        assert isinstance(app.screen, ContactsScreen)
        assert saved_filters.get_filter(tui_db, "readers").criteria == {"tag": "newsletter"}
        await press_steady(pilot, "S", *"READERS", "enter")
        dialog = app.screen
        assert isinstance(dialog, SaveFilterScreen), "a taken name is refused"
        assert "exists already; Ctrl+R replaces it" in str(
            dialog.query_one("#filter-error").render()
        )
        await press_steady(pilot, "ctrl+r")
        assert saved_filters.get_filter(tui_db, "readers").version == 2
        await press_steady(pilot, "x", "F")
        assert isinstance(app.screen, FilterPickerScreen)
        await press_steady(pilot, "enter")
        assert screen.table.total == 3
        assert "filter: READERS (tag newsletter)" in screen.status_text()
        await press_steady(pilot, "F", "d")
        assert saved_filters.list_filters(tui_db) == []
        await press_steady(pilot, "escape")
        assert isinstance(app.screen, ContactsScreen)


async def test_f_on_a_campaign_adds_a_saved_filters_contacts_with_consent(
    tui_db: Database, seeded: Seeded
) -> None:
    news = _newsletter(tui_db, seeded)
    saved_filters.save_filter(tui_db, "readers", {"tag": "newsletter"})
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await press_steady(pilot, "f10", "enter")
        assert isinstance(app.screen, CampaignDetailScreen)
        await press_steady(pilot, "f")
        assert isinstance(app.screen, FilterPickerScreen)
        await press_steady(pilot, "enter")
        assert isinstance(app.screen, CampaignDetailScreen)
        members = {m.name: m.status for m in list_members(tui_db, news.id).items}
        assert sorted(members) == ["Jana Novak", "Max Müller"]  # Olivia: no consent
        shown = " ".join(str(o.prompt) for o in app.screen.query_one("#members").options)
        assert "Jana" in shown and "Max" in shown
        assert "f adds the contacts a saved filter finds now" in CampaignDetailScreen.HELP


async def test_winning_a_deal_in_the_pipeline_converts_the_member(
    tui_db: Database, seeded: Seeded
) -> None:
    news = _newsletter(tui_db, seeded)
    add_members(tui_db, news.id, Selection(tag="newsletter"))
    opportunities.update_opportunity(tui_db, seeded.deal, None, campaign_id=news.id)
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await press_steady(pilot, "f5", "right", "right")
        assert isinstance(app.screen, PipelineScreen)
        await press_steady(pilot, "w")
        assert isinstance(app.screen, StageReasonScreen)
        await press_steady(pilot, *"fit", "enter")
        assert opportunities.get_opportunity(tui_db, seeded.deal).stage == "won"
    members = {m.name: m.status for m in list_members(tui_db, news.id).items}
    assert members == {"Jana Novak": "converted", "Max Müller": "converted"}


def test_saved_filter_picker_snapshot(snap_compare, tui_db: Database, seeded: Seeded) -> None:  # noqa: ANN001
    _newsletter(tui_db, seeded)
    saved_filters.save_filter(tui_db, "readers", {"tag": "newsletter", "email_opt_in": True})
    saved_filters.save_filter(tui_db, "Leads", {"lifecycle": "lead"})
    assert snapshot(snap_compare, app_for(tui_db), "f2", "F")
