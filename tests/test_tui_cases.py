"""The Cases tab (F8) and a case's page, driven as a user would at 80x24: breached and at-risk
cases first, the filters, the keys that move a case, its page with its interactions, the case
lists on a contact's and an account's page, and one snapshot."""

from __future__ import annotations

from datetime import timedelta

from tui_data import NOW, SIZE, Seeded, app_for, press_steady, snapshot

from smallcrm.screens.case_detail import CaseDetailScreen
from smallcrm.screens.case_prompts import AssignScreen, CloseReasonScreen
from smallcrm.screens.cases import CasesScreen
from smallcrm.screens.help import HelpScreen
from smallcrm.screens.interaction_form import InteractionForm
from smallcrm.store import cases, clock
from smallcrm.store.db import Database

pytest_plugins = ["tui_fixtures"]


def seed_cases(db: Database, seeded: Seeded) -> dict[str, int]:
    """A breached urgent case, an at-risk high one, a fresh normal one, one waiting on the
    customer and one resolved (the clock stands at Wednesday 10:30 afterwards)."""
    made = {}
    clock.pin(NOW - timedelta(hours=2))
    made["breached"] = cases.create_case(
        db, subject="Press line 3 offline", contact_id=seeded.jana, priority="urgent", owner="jana"
    ).id
    clock.pin(NOW - timedelta(hours=3, minutes=30))
    made["waiting"] = cases.create_case(db, subject="Invoice query", contact_id=seeded.max).id
    cases.change_status(db, made["waiting"], "waiting")
    clock.pin(NOW - timedelta(hours=1, minutes=30))
    made["risk"] = cases.create_case(
        db, subject="Export stopped", account_id=seeded.harbor, priority="high"
    ).id
    made["resolved"] = cases.create_case(db, subject="Old question", contact_id=seeded.olivia).id
    cases.change_status(db, made["resolved"], "resolve")
    clock.pin(NOW)
    made["fresh"] = cases.create_case(db, subject="Sensor battery", contact_id=seeded.jana).id
    return made


def _ids(screen: CasesScreen) -> list[int]:
    table = screen.table
    return [table.record_at(i).id for i in range(table.total)]  # type: ignore[union-attr]


async def test_f8_lists_breached_and_at_risk_first(tui_db: Database, seeded: Seeded) -> None:
    made = seed_cases(tui_db, seeded)
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await press_steady(pilot, "f8")
        screen = app.screen
        assert isinstance(screen, CasesScreen)
        # Breached (opened 08:30, counted from 09:00), then by time left; waiting ones last.
        assert _ids(screen) == [made["breached"], made["risk"], made["fresh"], made["waiting"]]
        assert "✗ 0h30 over" in screen.cells(screen.table.record_at(0))  # type: ignore[arg-type]
        await press_steady(pilot, "b")
        assert _ids(screen) == [made["breached"]]
        await press_steady(pilot, "b", "m")  # mine: the acting user has none
        assert _ids(screen) == []
        await press_steady(pilot, "m", "p")  # urgent only
        assert _ids(screen) == [made["breached"]]
        await press_steady(pilot, "x", "t", "t", "t", "t")  # new, open, waiting, resolved
        assert _ids(screen) == [made["resolved"]]


async def test_keys_move_the_case_under_the_cursor(tui_db: Database, seeded: Seeded) -> None:
    made = seed_cases(tui_db, seeded)
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await press_steady(pilot, "f8", "w")
        assert cases.get_case(tui_db, made["breached"]).status == "waiting"
        await press_steady(pilot, "home", "v")
        assert cases.get_case(tui_db, made["risk"]).status == "resolved"
        await press_steady(pilot, "home", "c")
        assert isinstance(app.screen, CloseReasonScreen)
        await press_steady(pilot, "u")
        closed = cases.get_case(tui_db, made["fresh"])
        assert (closed.status, closed.close_reason) == ("closed", "duplicate")
        await press_steady(pilot, "home", "a")
        assert isinstance(app.screen, AssignScreen)
        await press_steady(pilot, "ctrl+u", *"mia", "enter")
        assert cases.get_case(tui_db, made["breached"]).owner == "mia"  # waiting ones: by number


async def test_a_reply_logged_from_the_list_is_the_first_response(
    tui_db: Database, seeded: Seeded
) -> None:
    made = seed_cases(tui_db, seeded)
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await press_steady(pilot, "f8", "l")
        assert isinstance(app.screen, InteractionForm)
        await press_steady(pilot, *"Restarted the gateway", "ctrl+s")
        answered = cases.get_case(tui_db, made["breached"])
        assert answered.status == "open" and answered.first_response_at == NOW


async def test_the_case_page_shows_its_interactions(tui_db: Database, seeded: Seeded) -> None:
    made = seed_cases(tui_db, seeded)
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await press_steady(pilot, "f8", "enter")
        page = app.screen
        assert isinstance(page, CaseDetailScreen) and page.record_id == made["breached"]
        await press_steady(pilot, "r", *"Still down", "ctrl+s")  # the customer's reply
        await press_steady(pilot, "l", *"Sent a technician", "ctrl+s")
        text = " ".join(str(o.prompt) for o in page.query_one("#timeline").options)
        assert "Still down" in text and "Sent a technician" in text
        await press_steady(pilot, "v")
        assert cases.get_case(tui_db, made["breached"]).status == "resolved"
        await press_steady(pilot, "f1")
        assert isinstance(app.screen, HelpScreen)


async def test_contact_and_account_pages_list_their_cases(tui_db: Database, seeded: Seeded) -> None:
    seed_cases(tui_db, seeded)
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        app.open_record("contact", seeded.jana)
        await press_steady(pilot)
        shown = " ".join(str(o.prompt) for o in app.screen.query_one("#cases").options)
        assert "Press line 3 offline" in shown and "Sensor battery" in shown
        app.open_record("account", seeded.harbor)
        await press_steady(pilot)
        shown = " ".join(str(o.prompt) for o in app.screen.query_one("#cases").options)
        assert "Export stopped" in shown


def test_cases_list_snapshot(snap_compare, tui_db: Database, seeded: Seeded) -> None:  # noqa: ANN001
    seed_cases(tui_db, seeded)
    assert snapshot(snap_compare, app_for(tui_db), "f8")


async def test_a_contact_without_cases_points_to_the_cases_tab_and_case_replies_are_marked(
    tui_db: Database, seeded: Seeded
) -> None:
    from smallcrm.screens import tabs
    from smallcrm.store import accounts, interactions

    made = seed_cases(tui_db, seeded)
    quiet = accounts.create_account(tui_db, name="Quiet Customers Ltd").id
    interactions.log_interaction(
        tui_db, kind="call", subject="Called about the press", case_id=made["breached"],
        contact_id=seeded.jana,
    )  # fmt: skip
    assert tabs.key_of("cases") == "F8"
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        app.open_record("account", quiet)
        await press_steady(pilot)
        shown = " ".join(str(o.prompt) for o in app.screen.query_one("#cases").options)
        assert shown == "No cases: F8 lists every customer's."
        app.open_record("contact", seeded.jana)
        await press_steady(pilot)
        lines = [str(o.prompt) for o in app.screen.query_one("#timeline").options]
        marked = [line for line in lines if "Called about the press" in line]
        assert marked and f"case #{made['breached']}" in marked[0]


async def test_a_long_description_wraps_under_itself_on_the_case_card(
    tui_db: Database, seeded: Seeded
) -> None:
    said = " ".join(["The nightly export sends every order twice since Tuesday."] * 3)
    case = cases.create_case(tui_db, subject="Export", contact_id=seeded.jana, description=said)
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        app.open_record("service_case", case.id)
        await press_steady(pilot)
        lines = str(app.screen.query_one("#card").render()).splitlines()
        said_at = next(n for n, line in enumerate(lines) if line.startswith("Said"))
        indent = lines[said_at].index("The nightly")
        assert len(lines[said_at]) <= SIZE[0] - 4
        assert lines[said_at + 1].startswith(" " * indent) and lines[said_at + 1].strip()


async def test_a_case_opened_is_in_the_contacts_timeline_and_enter_opens_it(
    tui_db: Database, seeded: Seeded
) -> None:
    made = seed_cases(tui_db, seeded)
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        app.open_record("contact", seeded.jana)
        await press_steady(pilot)
        timeline = app.screen.query_one("#timeline")
        ids = [o.id for o in timeline.options]
        assert f"service_case:{made['breached']}" in ids
        timeline.focus()
        timeline.highlighted = ids.index(f"service_case:{made['breached']}")
        await press_steady(pilot, "enter")
        assert isinstance(app.screen, CaseDetailScreen)
        assert app.screen.record_id == made["breached"]
