"""Migration 0006: appointments get the business's zone, all-day entries become days."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from smallcrm.store import appointments, clock, migrate, settings
from smallcrm.store.db import Database, to_datetime

BERLIN_MIDNIGHT = datetime(2026, 7, 1, 22, tzinfo=UTC)  # 2026-07-02 00:00 in Berlin (summer)


def _to_revision(db: Database, revision: str) -> None:
    from alembic import command

    engine = migrate.make_engine(db.url)
    with engine.begin() as connection:
        command.downgrade(migrate.alembic_config(connection), revision)
    engine.dispose()


def _legacy_rows(db: Database) -> None:
    """Rows as the version before 0006 wrote them, in a business in Berlin."""
    stamp = datetime(2026, 1, 1, tzinfo=UTC)
    common = {"created_at": stamp, "updated_at": stamp, "created_by": "t", "updated_by": "t"}
    with db.write() as tx:
        tx.insert(
            "appointment",
            {
                **common,
                "title": "Birthday",
                "starts_at": BERLIN_MIDNIGHT,
                "all_day": True,
                "rrule": "FREQ=YEARLY;UNTIL=20300702T215959Z",
                "exdates": "2027-07-01T22:00:00+00:00",
            },
        )
        tx.insert(
            "appointment",
            {
                **common,
                "title": "Stand-up",
                "starts_at": datetime(2026, 10, 5, 7, tzinfo=UTC),
                "all_day": False,
                "rrule": "FREQ=WEEKLY",
                "exdates": "",
            },
        )


def test_existing_appointments_keep_where_their_owners_saw_them(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SMALLCRM_TIMEZONE", "Europe/Berlin")
    settings.reload()
    _to_revision(db, "0005")
    _legacy_rows(db)
    migrate.upgrade(db.url)
    with db.read() as tx:
        rows = {r["title"]: r for r in tx.all("SELECT * FROM appointment")}
    birthday, standup = rows["Birthday"], rows["Stand-up"]
    assert {birthday["time_zone"], standup["time_zone"]} == {"Europe/Berlin"}
    assert to_datetime(birthday["starts_at"]) == datetime(2026, 7, 2, tzinfo=UTC)
    assert birthday["exdates"] == "2027-07-02"
    assert birthday["rrule"] == "FREQ=YEARLY;UNTIL=20300702"
    assert to_datetime(standup["starts_at"]) == datetime(2026, 10, 5, 7, tzinfo=UTC)
    # Read in New York now, the birthday is still on the 2nd, and the series skips 2027.
    monkeypatch.setenv("SMALLCRM_TIMEZONE", "America/New_York")
    settings.reload()
    found = appointments.occurrences(db, clock.at(date(2026, 1, 1)), clock.at(date(2031, 1, 1)))
    days = [clock.local(o.starts_at).date() for o in found if o.appointment.all_day]
    assert days == [date(2026, 7, 2), date(2028, 7, 2), date(2029, 7, 2), date(2030, 7, 2)]


@pytest.mark.parametrize("business", ["America/New_York", "Asia/Kolkata", "Europe/Berlin"])
def test_old_all_day_entries_written_in_another_zone_keep_their_day(
    db: Database, monkeypatch: pytest.MonkeyPatch, business: str
) -> None:
    """Midnights of Kolkata, New York and Berlin, migrated by a business in any of them."""
    _to_revision(db, "0005")
    stamp = datetime(2026, 1, 1, tzinfo=UTC)
    written = {
        "Kolkata": datetime(2026, 12, 23, 18, 30, tzinfo=UTC),
        "New York": datetime(2026, 12, 24, 5, tzinfo=UTC),
        "Berlin": datetime(2026, 12, 23, 23, tzinfo=UTC),
    }
    with db.write() as tx:
        for title, start in written.items():
            tx.insert(
                "appointment",
                {"created_at": stamp, "updated_at": stamp, "created_by": "t", "updated_by": "t",
                 "title": title, "starts_at": start, "all_day": True, "exdates": ""},
            )  # fmt: skip
    monkeypatch.setenv("SMALLCRM_TIMEZONE", business)
    settings.reload()
    migrate.upgrade(db.url)
    with db.read() as tx:
        days = {
            r["title"]: to_datetime(r["starts_at"]) for r in tx.all("SELECT * FROM appointment")
        }
    assert set(days.values()) == {datetime(2026, 12, 24, tzinfo=UTC)}


def test_downgrade_gives_back_the_old_shape(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMALLCRM_TIMEZONE", "Europe/Berlin")
    settings.reload()
    _to_revision(db, "0005")
    _legacy_rows(db)
    with db.read() as tx:
        before = [dict(r) for r in tx.all("SELECT * FROM appointment ORDER BY id")]
    migrate.upgrade(db.url)
    _to_revision(db, "0005")
    with db.read() as tx:
        after = [dict(r) for r in tx.all("SELECT * FROM appointment ORDER BY id")]
    for old, new in zip(before, after, strict=True):
        assert to_datetime(new["starts_at"]) == to_datetime(old["starts_at"])
        assert (new["exdates"], new["rrule"]) == (old["exdates"], old["rrule"])
    migrate.upgrade(db.url)
