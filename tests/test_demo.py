"""The demo data set: loads whole or not at all, into empty databases only, dated around today."""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterator
from datetime import date, time, timedelta
from pathlib import Path

import pytest

from smallcrm.store import (
    appointments,
    clock,
    demo,
    interactions,
    opportunities,
    search,
    search_upkeep,
)
from smallcrm.store.contacts import create_contact
from smallcrm.store.db import Database, open_database, to_datetime
from smallcrm.store.errors import ValidationError
from smallcrm.store.listing import ListQuery

TODAY = date(2027, 3, 10)  # a Wednesday
EXPECTED = {
    "accounts": 50,
    "contacts": 200,
    "opportunities": 60,
    "interactions": 1017,  # 1000 on the timeline and 17 on the cases
    "appointments": 80,
    "cases": 15,
    "campaigns": 3,  # a newsletter, a trade-fair invitation and a round of calls
}


@pytest.fixture(scope="module")
def loaded(
    tmp_path_factory: pytest.TempPathFactory, sqlite_template: bytes
) -> Iterator[tuple[Database, dict[str, int]]]:
    """One database with the demo loaded, shared by the read-only tests of this module."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    path.write_bytes(sqlite_template)
    db = open_database(path)
    counts = demo.load_demo(db, today=TODAY)
    yield db, counts
    db.close()


def _count(db: Database, sql: str, **params: object) -> int:
    with db.read() as tx:
        return tx.scalar(sql, **params)


def test_loads_expected_counts_into_an_empty_database(
    loaded: tuple[Database, dict[str, int]],
) -> None:
    db, counts = loaded
    assert counts == EXPECTED
    for table, plural in demo.RECORD_TABLES.items():
        assert (
            _count(db, f"SELECT count(*) FROM {table} WHERE deleted_at IS NULL")
            == (EXPECTED[plural])
        )
    assert _count(db, "SELECT count(*) FROM contact WHERE account_id IS NULL") >= 5
    assert _count(db, "SELECT count(*) FROM contact_method WHERE kind = 'phone'") >= 200
    consented = (
        "SELECT count(*) FROM contact WHERE email_opt_in "
        "AND email_consent_at IS NOT NULL AND email_consent_source IS NOT NULL"
    )
    assert _count(db, consented) >= 20
    # Every creation is audited, as through the services.
    assert _count(db, "SELECT count(*) FROM audit_entry WHERE action = 'create'") == sum(
        EXPECTED.values()
    )


def test_search_index_is_sound_and_finds_accented_names(
    loaded: tuple[Database, dict[str, int]],
) -> None:
    db, _ = loaded
    assert search.check_index(db)
    assert "Müller Maschinenbau GmbH" in [h.title for h in search.search(db, "muller")]
    assert any(h.title.endswith("Novák") for h in search.search(db, "novak", kinds=("contact",)))
    assert search.search(db, "zoe", kinds=("contact",))
    # Greek and Cyrillic keep their accents in the index: typed as written, they are found.
    for name in ("Γιώργος", "Олена", "Шевченко"):
        assert [h.title for h in search.search(db, name, kinds=("contact",))], name


def test_the_demo_leaves_the_search_index_whole(loaded: tuple[Database, dict[str, int]]) -> None:
    """A new user's first `doctor` finds the index whole, not in the pieces the load left."""
    db, _ = loaded
    if db.dialect == "sqlite":
        assert search_upkeep.segments(db) == 2  # one per index
    assert not search_upkeep.fragmented(db)


def test_every_stage_with_closed_dates_and_lost_reasons(
    loaded: tuple[Database, dict[str, int]],
) -> None:
    db, _ = loaded
    summary = {s.stage.name: s.count for s in opportunities.pipeline(db)}
    assert set(summary) == {"lead", "qualified", "proposal", "negotiation", "won", "lost"}
    assert all(summary.values())
    closed = opportunities.list_opportunities(db, ListQuery(limit=100)).items
    for deal in closed:
        if deal.stage in ("won", "lost"):
            assert deal.closed_on is not None and deal.closed_on <= TODAY
        else:
            assert deal.closed_on is None
        if deal.stage == "lost":
            assert deal.lost_reason
        assert deal.amount > 0
    now = clock.at(TODAY)
    assert opportunities.stale_opportunities(db, now), "some open deals have gone quiet"


def test_follow_ups_are_due_relative_to_the_day_of_loading(
    loaded: tuple[Database, dict[str, int]],
) -> None:
    db, _ = loaded
    due = interactions.follow_ups_due(db, TODAY)
    assert any(i.follow_up_on < TODAY for i in due), "some are overdue"
    assert any(i.follow_up_on == TODAY for i in due), "some are due today"
    assert all(not i.follow_up_done for i in due)
    upcoming = _count(
        db,
        "SELECT count(*) FROM interaction WHERE follow_up_on > :today AND NOT follow_up_done",
        today=TODAY,
    )
    assert upcoming >= 5
    # A case's steps are minutes before loading, so that its response clock reads as lived.
    latest = _count(db, "SELECT max(happened_at) FROM interaction WHERE case_id IS NULL")
    assert TODAY - timedelta(days=4) <= date.fromisoformat(str(latest)[:10]) < TODAY


def test_appointments_around_today(loaded: tuple[Database, dict[str, int]]) -> None:
    db, _ = loaded
    start, _ = appointments.day_bounds(TODAY - timedelta(days=7))
    _, end = appointments.day_bounds(TODAY + timedelta(days=14))
    found = appointments.occurrences(db, start, end)
    assert len(found) >= 40
    assert any(o.appointment.rrule for o in found), "recurring ones are expanded"
    assert any(o.appointment.all_day for o in found)
    assert any(o.overlaps for o in found), "a couple of appointments clash"
    begin, finish = appointments.day_bounds(TODAY)
    assert appointments.occurrences(db, begin, finish), "something on today's agenda"


def test_refuses_a_database_that_is_not_empty(db: Database) -> None:
    create_contact(db, allow_duplicate=True, name="Existing Person")
    with pytest.raises(ValidationError) as error:
        demo.load_demo(db, today=TODAY)
    assert error.value.field == "database"
    assert "not empty" in error.value.message and "--force" in error.value.message
    assert _count(db, "SELECT count(*) FROM contact") == 1
    counts = demo.load_demo(db, force=True, today=TODAY)
    assert counts == EXPECTED
    assert _count(db, "SELECT count(*) FROM contact") == 201


def test_loads_all_or_nothing(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = json.loads(demo.DEMO_FILE.read_text(encoding="utf-8"))
    data["appointments"][-1]["rrule"] = "FREQ=SOMETIMES"  # the very last record is bad
    broken = tmp_path / "demo.json"
    broken.write_text(json.dumps(data), encoding="utf-8")
    monkeypatch.setattr(demo, "DEMO_FILE", broken)
    with pytest.raises(ValidationError) as error:
        demo.load_demo(db, today=TODAY)
    assert error.value.field == "rrule"
    for table in (*demo.RECORD_TABLES, "contact_method", "audit_entry", "search_doc"):
        assert _count(db, f"SELECT count(*) FROM {table}") == 0, table
    assert search.check_index(db)


@pytest.mark.one_database  # date arithmetic; the full load on PostgreSQL is tested above
def test_working_days_only_when_loaded_on_a_weekend(db: Database) -> None:
    saturday = date(2027, 3, 13)
    demo.load_demo(db, today=saturday)
    with db.read() as tx:
        moments = [
            r[0] for r in tx.all("SELECT happened_at FROM interaction WHERE case_id IS NULL")
        ]
        moments += [r[0] for r in tx.all("SELECT starts_at FROM appointment WHERE rrule IS NULL")]
    assert all(clock.local(m).weekday() < 5 for m in moments)


def test_demo_file_ships_inside_the_package() -> None:
    # Outside the package, an installed smallcrm (pip install ., pipx) had no demo to load.
    import smallcrm

    package = Path(smallcrm.__file__).resolve().parent
    assert Path(str(demo.DEMO_FILE)).resolve().is_relative_to(package)
    assert demo.read_demo_file(demo.DEMO_FILE)["format"] == demo.FORMAT


def test_demo_file_is_what_make_demo_writes() -> None:
    script = Path(__file__).resolve().parents[1] / "data" / "make_demo.py"
    spec = importlib.util.spec_from_file_location("make_demo", script)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    expected = module.dumps(module.Demo().build())
    assert demo.DEMO_FILE.read_text(encoding="utf-8") == expected, (
        "smallcrm/store/demo_data/demo.json is stale: run python data/make_demo.py"
    )


def test_demo_cases_are_met_breached_and_waiting(loaded: tuple[Database, dict[str, int]]) -> None:
    from smallcrm.store import case_lists, clock

    db, _counts = loaded
    clock.pin(clock.at(TODAY, time(12, 0)))
    try:
        found = case_lists.list_cases(db, ListQuery(limit=50)).items
    finally:
        clock.pin(None)
    states = {c.sla.state for c in found}
    assert {"met", "over", "left"} <= states
    assert any(c.status == "waiting" for c in found)
    assert any(c.status == "open" and c.first_response_at is not None for c in found)
    assert {c.close_reason for c in found} >= {"done", "rejected", "duplicate"}


def test_the_deals_stage_history_follows_their_dates(
    loaded: tuple[Database, dict[str, int]],
) -> None:
    """The dashboard's pipeline at past month ends is not empty: open deals entered their stage
    when created, closed ones were open from their creation until they closed."""
    db, _ = loaded
    with db.read() as tx:
        rows = tx.all(
            "SELECT o.id, o.stage, o.created_at, o.closed_on, count(*) AS steps, "
            "min(h.changed_at) AS first FROM opportunity o "
            "JOIN stage_change h ON h.opportunity_id = o.id GROUP BY o.id, o.stage, "
            "o.created_at, o.closed_on"
        )
    for row in rows:
        assert to_datetime(row["first"]) == to_datetime(row["created_at"]), row
        assert row["steps"] == (2 if row["stage"] in ("won", "lost") else 1), row


def test_demo_campaigns_have_responses_and_won_deals(
    loaded: tuple[Database, dict[str, int]],
) -> None:
    from smallcrm.store.campaign_figures import campaign_figures

    db, _ = loaded
    figures = campaign_figures(db)
    assert sorted(f.campaign.channel for f in figures) == ["event", "newsletter", "phone"]
    for f in figures:
        assert f.members and f.sent and f.responses and f.deals_won and f.roi is not None
    news = next(f for f in figures if f.campaign.channel == "newsletter")
    assert news.opted_out == 1 and news.bounced == 1
    # Only contacts with the consent the channel needs are in the newsletter and the calls.
    for channel, code in (("email", "NEWS-SPRING"), ("phone", "CALLS-Q")):
        missing = _count(
            db,
            "SELECT count(*) FROM campaign_member m JOIN campaign k ON k.id = m.campaign_id "
            f"JOIN contact c ON c.id = m.contact_id WHERE k.code = :code "
            f"AND m.status <> 'opted_out' AND c.{channel}_opt_in IS NOT TRUE",
            code=code,
        )
        assert missing == 0
