"""The data-quality roll-up (``contact_quality``) equal to a recount after the bulk ways records
change: an import (shown a few records per transaction), its undo, a merge of two contacts and
a backup restored into a new database, on both databases; the import's transactions sized
from their pace; and what the funnel and the activity weeks count, as their help says."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from smallcrm.cli import figure_reports
from smallcrm.store import (
    clock,
    contacts,
    figures,
    interactions,
    merging,
    opportunities,
    rollups_quality,
)
from smallcrm.store.db import Database, open_database
from smallcrm.store.io import export_database, import_file, publish, restore_database, undo_import


def right(db: Database) -> None:
    with db.read() as tx:
        assert rollups_quality.differences(tx) == 0


def shared(db: Database, contact: int) -> int | None:
    with db.read() as tx:
        return tx.scalar("SELECT shared FROM contact_quality WHERE contact_id = :c", c=contact)


def test_import_shown_in_small_transactions_and_its_undo(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(publish, "FIRST", 3)
    monkeypatch.setattr(publish, "CHUNK", 4)
    anna = contacts.create_contact(db, first_name="Anna", last_name="Adler", emails=["a@x.org"])
    path = tmp_path / "people.csv"
    rows = [f"P{i},Q,p{i}@x.org,+49 151 {30000000 + i}" for i in range(9)]
    rows.append("Otto,Other,a@x.org,")  # another name with Anna's address: a new contact
    path.write_text(
        "First Name,Last Name,E-mail 1 - Value,Phone 1 - Value\n" + "\n".join(rows) + "\n",
        encoding="utf-8",
    )
    report = import_file(db, path)
    assert report.created == 10
    assert shared(db, anna.id or 0) == 1
    right(db)
    undo_import(db, report.batch_id or 0)
    assert shared(db, anna.id or 0) == 0
    right(db)


def test_merge_keeps_the_roll_up_right(db: Database) -> None:
    one = contacts.create_contact(db, first_name="Anna", last_name="Adler", emails=["a@x.org"])
    two = contacts.create_contact(
        db, first_name="Anna", last_name="Adler", emails=["a@x.org", "b@x.org"],
        phones=["+4930123456"], allow_duplicate=True,
    )  # fmt: skip
    interactions.log_interaction(db, kind="call", subject="hi", contact_id=two.id)
    assert shared(db, one.id or 0) == 1
    merging.merge(db, one.id or 0, two.id or 0)
    right(db)
    assert shared(db, two.id or 0) is None  # the merged one is in the trash


def test_backup_restored_rebuilds_the_roll_up(
    db: Database, tmp_path: Path, new_database_url: Callable[[str], Path | str]
) -> None:
    for name in ("Anna", "Berta"):
        made = contacts.create_contact(db, first_name=name, last_name="X", emails=["s@x.org"],
                                       allow_duplicate=True)  # fmt: skip
        interactions.log_interaction(db, kind="note", subject="n", contact_id=made.id)
    contacts.create_contact(db, first_name="Carl", last_name="Y", phones=["+4930123456"])
    out = io.StringIO()
    export_database(db, out)
    assert '"contact_quality"' not in out.getvalue()
    path = tmp_path / "backup.json"
    path.write_text(out.getvalue(), encoding="utf-8")
    copy = open_database(new_database_url("restored"))
    try:
        assert restore_database(copy, path).committed
        right(copy)
        with copy.read() as tx:
            found = tx.all("SELECT shared, emails, phones FROM contact_quality ORDER BY contact_id")
        assert [(r["shared"], r["emails"], r["phones"]) for r in found] == [
            (1, 1, 0),
            (1, 1, 0),
            (0, 0, 1),
        ]
    finally:
        copy.close()


def test_each_transaction_of_showing_is_sized_from_the_last_ones_pace() -> None:
    hold, most = publish.HOLD, publish.CHUNK
    assert publish.next_size(200, 200, hold / 10) == 2000 == most  # fast: as many as allowed
    assert publish.next_size(2000, 2000, hold * 10) == 200  # slow: a tenth
    assert publish.next_size(200, 50, hold * 100) == 200  # the last one: no pace to go by
    assert publish.next_size(200, 200, hold * 10_000) == 1


def test_funnel_counts_a_lost_deal_at_the_furthest_open_stage_it_was_in(db: Database) -> None:
    clock.pin(datetime(2026, 8, 10, 9, tzinfo=UTC))
    try:
        made = opportunities.create_opportunity(db, name="back and lost").id or 0
        for stage in ("qualified", "proposal", "qualified"):  # moved back before it was lost
            opportunities.update_opportunity(db, made, None, stage=stage)
    finally:
        clock.pin(None)
    opportunities.update_opportunity(db, made, None, stage="lost", reason="price")
    found = figures.compute(db, ("funnel",), None, date(2026, 11, 25))[0]
    reached = {line.label: line.values[0] for line in found.lines}
    assert reached["proposal"] == 1 and reached["negotiation"] == 0
    assert "furthest open stage" in figure_reports.ABOUT["funnel"]


def test_activity_weeks_are_utc_days_on_the_dashboard_and_in_the_report(db: Database) -> None:
    person = contacts.create_contact(db, first_name="Jana", last_name="Novak").id
    late = datetime(2026, 11, 22, 23, 30, tzinfo=ZoneInfo("America/New_York"))  # Mon 04:30 UTC
    interactions.log_interaction(db, kind="call", subject="a", contact_id=person, happened_at=late)
    dashboard = figures.compute(db, None, None, date(2026, 11, 25))
    shell = figures.compute(db, tuple(t.key for t in figures.reports()["activity"]), None,
                            date(2026, 11, 25))  # fmt: skip
    weekly = next(f for f in dashboard if f.key == "activity")
    assert weekly == shell[0]
    assert {line.label: line.values for line in weekly.lines}["2026-11-23"] == (1,)
    assert "UTC days" in figure_reports.ABOUT["activity"]


@pytest.mark.postgres_only
def test_search_triggers_find_a_record_by_its_key(db: Database) -> None:
    """Before a table's first statistics PostgreSQL read "this id, and live" through an index of
    the live records, walking all of them for each record an import showed."""
    with db.read() as tx:
        for name in ("smallcrm_search_contact", "smallcrm_search_method"):
            source = str(tx.scalar(f"SELECT pg_get_functiondef('{name}'::regproc)"))
            assert "(r.deleted_at IS NULL) IS TRUE" in source
            assert " AND r.deleted_at IS NULL)" not in source
            plan = "\n".join(
                str(next(iter(dict(r).values())))
                for r in tx.all(
                    "EXPLAIN SELECT r.id FROM contact r WHERE r.id = 7 "
                    "AND (r.deleted_at IS NULL) IS TRUE"
                )
            )
            assert "contact_pkey" in plan


def test_weighted_amounts_beyond_32_bits(db: Database) -> None:
    """PostgreSQL multiplied two 32-bit integers and failed ("integer out of range") once a
    deal's cents times its probability passed two billion."""
    opportunities.create_opportunity(
        db, name="big", amount="20000000", probability=50, expected_close=date(2026, 12, 15)
    )
    pipeline, forecast = figures.compute(db, ("pipeline", "forecast"), None, date(2026, 11, 25))
    assert {h.label: h.value for h in pipeline.headlines}["Weighted"] == 1_000_000_000
    assert sum(int(line.values[-1] or 0) for line in forecast.lines) == 1_000_000_000
