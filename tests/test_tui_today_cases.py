"""Today lists the user's service cases breached or at risk, after the day's appointments and
follow-ups: Enter opens the case, d does not apply (a case ends when it is resolved), s snoozes
a breached case's reminder; ``today --brief`` counts and names the same cases."""

from __future__ import annotations

from datetime import timedelta

import pytest
from tui_data import NOW, SIZE, Seeded, app_for, steady

from smallcrm.screens.case_detail import CaseDetailScreen
from smallcrm.screens.today import TodayScreen
from smallcrm.store import brief, cases
from smallcrm.store import today as agenda
from smallcrm.store.db import Database
from smallcrm.store.errors import ValidationError

pytest_plugins = ["tui_fixtures"]  # The fixed clock and the seeded database.


def _cases(db: Database, seeded: Seeded) -> dict[str, int]:
    """An urgent case opened days ago (breached), a normal one with an hour of its eight left
    (at risk), a fresh one (fine), another user's breached one and a resolved one."""

    def opened(hours: float, actor: str = "tester", **values: object) -> int:
        with db.write() as tx:
            return cases.create_case_tx(
                tx, {"contact_id": seeded.jana, **values}, actor, at=NOW - timedelta(hours=hours)
            )

    found = {
        "breached": opened(72, subject="Printer is on fire", priority="urgent"),
        "at_risk": opened(23, subject="Invoice looks wrong", priority="normal"),
        "fine": opened(0.5, subject="Question about the manual", priority="normal"),
        "theirs": opened(72, actor="ana", subject="Not mine", priority="urgent"),
    }
    done = opened(72, subject="Already answered", priority="urgent")
    cases.change_status(db, done, "resolve")
    return found


def test_the_day_lists_the_users_cases_at_risk_most_overdue_first(
    tui_db: Database, seeded: Seeded
) -> None:
    ids = _cases(tui_db, seeded)
    day = agenda.my_day(tui_db, "tester", NOW)
    section = day.sections[-1]
    assert section.key == "cases" and section.more == 0
    shown = [(item.record_id, item.status) for item in section.items]
    assert shown == [(ids["breached"], agenda.BREACHED), (ids["at_risk"], agenda.AT_RISK)]
    assert section.items[0].standing.endswith("over") and section.items[1].standing.endswith("left")
    assert not any(item.doable for item in section.items)
    with pytest.raises(ValidationError, match="resolved"):
        agenda.done(tui_db, section.items[0])
    assert section.items[0].snoozable and not section.items[1].snoozable, "not yet due"


def test_the_brief_names_the_same_cases(tui_db: Database, seeded: Seeded) -> None:
    ids = _cases(tui_db, seeded)
    found = brief.brief(tui_db, "tester", NOW.date())
    assert [case.id for case in found.cases] == [ids["breached"], ids["at_risk"]]
    assert found.case_count == 2
    assert brief.brief(tui_db, "ana", NOW.date()).case_count == 1


async def test_enter_opens_a_case_from_today_and_done_does_not_apply(
    tui_db: Database, seeded: Seeded
) -> None:
    ids = _cases(tui_db, seeded)
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f7")
        await steady(pilot)
        screen = app.screen
        assert isinstance(screen, TodayScreen)
        title = str(screen.query_one("#today-title").render())
        assert "2 cases at risk" in title
        first = screen.chosen()
        assert first is not None and first.record_id == ids["breached"]
        assert screen.check_action("done", ()) is None, "shown disabled on a case"
        await pilot.press("d")  # does nothing
        await steady(pilot)
        assert agenda.my_day(tui_db, "tester").sections[-1].items[0].status == agenda.BREACHED
        await pilot.press("enter")
        await steady(pilot)
        assert isinstance(app.screen, CaseDetailScreen)
        assert app.screen.record_id == ids["breached"]
