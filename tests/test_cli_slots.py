"""``smallcrm slots``, ``offer`` and ``book`` as a user types them, holds that lapse by
themselves, a series from another zone, and two people offering the same time at once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from machine_zones import MACHINE_ZONES, machine_zone
from typer.testing import CliRunner, Result

from smallcrm.cli import app
from smallcrm.store import settings
from smallcrm.store.db import Database

NOW = "2026-11-25T10:30:00+01:00"  # a Wednesday in Berlin


def shell(
    *args: str, user: str = "anna", now: str = NOW, code: int = 0, zone: str = "Europe/Berlin"
) -> Result:
    env = {"SMALLCRM_TIMEZONE": zone, "SMALLCRM_NOW": now, "SMALLCRM_USER": user}
    result = CliRunner().invoke(app, list(args), env=env)
    settings.reload()
    assert result.exit_code == code, result.output
    return result


@pytest.fixture(autouse=True)
def _one_database(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The shell, the racing processes and the ``db`` fixture use the same database."""
    monkeypatch.setenv("SMALLCRM_DB", str(db_path))


@pytest.fixture
def jana(db: Database) -> None:
    shell("add", "contact", "Jana", "Novak", "--email", "jana@example.com")


@pytest.fixture(params=MACHINE_ZONES)
def machine(request: pytest.FixtureRequest) -> Iterator[str]:
    with machine_zone(request.param):
        yield request.param


def _numbered(output: str) -> dict[int, str]:
    found = {}
    day = ""
    for line in output.splitlines():
        if line[:3] in ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"):
            day = line
        elif line.strip()[:1].isdigit():
            number, span = line.split()
            found[int(number)] = f"{day} {span}"
    return found


def test_slots_lists_working_hours_after_notice(jana: None, machine: str) -> None:
    shell("add", "meeting", "Site visit", "thu", "13:00", "--duration", "2h")
    out = shell("slots", "--duration", "1h", "--days", "2").output
    slots = _numbered(out)
    assert slots[1] == "Wed 2026-11-25 12:00-13:00"  # 10:30 plus an hour's notice
    assert "Thu 2026-11-26 11:00-12:00" in slots.values()
    assert "Thu 2026-11-26 12:00-13:00" not in slots.values()  # the buffer before 13:00
    assert "Thu 2026-11-26 15:00-16:00" not in slots.values()  # the buffer after 15:00
    assert "15m buffers" in out and "Europe/Berlin" in out


def test_same_inputs_and_clock_same_list(jana: None) -> None:
    first = shell("slots", "--days", "10", "--with", "jana").output
    assert shell("slots", "--days", "10", "--with", "jana").output == first


def test_offer_holds_and_book_releases(jana: None, tmp_path: Path) -> None:
    listed = _numbered(shell("slots", "--days", "3").output)
    ics = tmp_path / "offer.ics"
    out = shell("offer", "jana", "1,3,4", "--expires", "48h", "--ics", str(ics)).output
    assert "Hello Jana," in out and "1) Wed 25 Nov, 12:00-13:00" in out
    assert "Offer 1: 3 times held until Fri 2026-11-27 10:30" in out
    text = ics.read_text()
    assert text.count("BEGIN:VEVENT") == 3 and "STATUS:TENTATIVE" in text
    assert "DTSTART:20261125T110000Z" in text
    # Held for everybody: bob's list no longer has those times.
    bobs = _numbered(shell("slots", "--days", "3", user="bob").output).values()
    assert listed[1] not in bobs and listed[3] not in bobs and listed[2] not in bobs
    booked = shell("book", "1", "2").output
    assert "Booked appointment 1: Meeting with Jana Novak, Wed 2026-11-25 14:00-15:00" in booked
    bobs = _numbered(shell("slots", "--days", "3", user="bob").output).values()
    assert listed[1] in bobs  # released
    again = shell("book", "1", "1", code=1).output
    assert "offer 1 was booked already (appointment 1)" in again


def test_holds_lapse_by_themselves(jana: None) -> None:
    shell("slots", "--days", "2")
    shell("offer", "jana", "1", "--expires", "1h")
    assert "12:00-13:00" not in shell("slots", "--days", "1", user="bob").output
    later = "2026-11-25T11:31:00+01:00"
    out = shell("slots", "--days", "1", user="bob", now=later).output
    assert "12:00-13:00" not in out  # an hour's notice: 12:00 is too soon now anyway
    assert "13:00-14:00" in out
    expired = shell("book", "1", "1", now=later, code=1).output
    assert "offer 1 expired on Wed 2026-11-25 11:30" in expired


def test_a_gone_slot_is_named_not_replaced(jana: None) -> None:
    shell("slots", "--days", "2")
    shell("add", "meeting", "Call", "today", "12:00", "--duration", "30m")
    out = shell("offer", "jana", "1,2", code=1).output
    assert "slot 1 (Wed 2026-11-25 12:00) is gone" in out and "nothing was held" in out
    assert "no slot 40" in shell("offer", "jana", "40", code=1).output


def test_german_contact_gets_german_text(db: Database) -> None:
    shell("add", "contact", "Max", "Huber", "--country", "AT")
    shell("slots", "--days", "2", "--where", "Wien")
    out = shell("offer", "max", "1,2").output
    assert "Guten Tag Max," in out and "Mi. 25. Nov., 12:00-13:00" in out
    assert "(1 Stunde, Wien)" in out and "bis Fr. 27. Nov., 10:30 frei" in out


def test_series_from_new_york_blocks_on_its_own_clock(db: Database) -> None:
    """A weekly 09:00 New York meeting is 15:00 in Berlin in November (both on winter time)."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from smallcrm.store.appointments import create_appointment

    start = datetime(2026, 11, 4, 9, 0, tzinfo=ZoneInfo("America/New_York"))
    create_appointment(
        db,
        title="NY sync",
        starts_at=start,
        duration=timedelta(hours=1),
        time_zone="America/New_York",
        rrule="FREQ=WEEKLY;BYDAY=WE",
    )
    slots = _numbered(shell("slots", "--days", "8").output).values()
    assert "Wed 2026-12-02 13:00-14:00" in slots  # the buffers reach 14:45 and 16:15
    for hour in (14, 15, 16):
        assert f"Wed 2026-12-02 {hour}:00-{hour + 1}:00" not in slots
    assert "Thu 2026-11-26 15:00-16:00" in slots


def test_for_a_colleague_reads_their_calendar(db: Database) -> None:
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from smallcrm.store.appointments import create_appointment

    start = datetime(2026, 11, 26, 9, tzinfo=ZoneInfo("Europe/Berlin"))
    create_appointment(db, title="Bob's", starts_at=start, duration=timedelta(hours=1), owner="bob")
    mine = _numbered(shell("slots", "--days", "2").output).values()
    bobs = _numbered(shell("slots", "--days", "2", "--for", "bob").output)
    assert "Thu 2026-11-26 09:00-10:00" in mine
    assert "Thu 2026-11-26 09:00-10:00" not in bobs.values()
    assert "bob's calendar" in shell("slots", "--for", "bob").output


def test_a_berlin_series_moves_in_new_york_when_new_york_changes(db: Database) -> None:
    """Business in New York; a weekly 15:00 Berlin call is 09:00 New York until Sunday
    2026-03-08, then 10:00 (Europe changes three weeks later)."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from smallcrm.store.appointments import create_appointment

    create_appointment(
        db,
        title="Berlin call",
        starts_at=datetime(2026, 2, 2, 15, tzinfo=ZoneInfo("Europe/Berlin")),
        duration=timedelta(hours=1),
        time_zone="Europe/Berlin",
        rrule="FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR",
    )
    args = ("slots", "--days", "5", "--interval", "60")
    out = shell(*args, zone="America/New_York", now="2026-03-06T00:00:00-05:00").output
    slots = set(_numbered(out).values())
    assert "Fri 2026-03-06 09:00-10:00" not in slots and "Fri 2026-03-06 11:00-12:00" in slots
    assert "Mon 2026-03-09 10:00-11:00" not in slots and "Mon 2026-03-09 12:00-13:00" in slots
    assert "Mon 2026-03-09 09:00-10:00" not in slots  # its buffer reaches 09:45
    assert "America/New_York" in out


_RACER = """
import json, os, sys, time
from datetime import datetime, timedelta
from smallcrm.store.db import open_database
from smallcrm.store.offers import make_offer, SlotTakenError
from smallcrm.store.slots import SlotQuery
db = open_database(os.environ["SMALLCRM_DB"])
span = (datetime.fromisoformat(sys.argv[1]), datetime.fromisoformat(sys.argv[2]))
while not os.path.exists(sys.argv[3]):
    time.sleep(0.005)
try:
    made = make_offer(db, SlotQuery(timedelta(hours=1)), [span], title="x", language="en")
    print(json.dumps({"held": made.id}))
except SlotTakenError as exc:
    print(json.dumps({"refused": str(exc)}))
"""


def test_two_people_offering_the_same_time_at_once(db: Database, tmp_path: Path) -> None:
    go = tmp_path / "go"
    env = {
        **os.environ,
        "SMALLCRM_TIMEZONE": "Europe/Berlin",
        "SMALLCRM_NOW": NOW,
    }
    start, end = "2026-11-26T10:00:00+01:00", "2026-11-26T11:00:00+01:00"
    racers = [
        subprocess.Popen(
            [sys.executable, "-c", _RACER, start, end, str(go)],
            env={**env, "SMALLCRM_USER": user},
            stdout=subprocess.PIPE,
            text=True,
        )
        for user in ("anna", "bob")
    ]
    time.sleep(1.5)  # both have opened the database and wait
    go.touch()
    results = [json.loads(r.communicate(timeout=60)[0]) for r in racers]
    held = [r for r in results if "held" in r]
    refused = [r for r in results if "refused" in r]
    assert len(held) == 1 and len(refused) == 1, results
    assert "Thu 2026-11-26 10:00: " in refused[0]["refused"]
    assert f"holds it for offer {held[0]['held']}" in refused[0]["refused"]


def test_erasing_the_person_keeps_no_trace_in_offers(jana: None, db: Database) -> None:
    from smallcrm.store import privacy

    shell("slots", "--days", "2")
    shell("offer", "jana", "1")
    privacy.erase_person(db, 1)
    with db.read() as tx:
        row = tx.one("SELECT contact_id, title FROM slot_offer")
    assert row["contact_id"] is None and "Novak" not in row["title"]


def test_slot_settings_show_and_change(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMALLCRM_CONFIG", str(tmp_path / "config.toml"))
    shell("config", "set", "slot_buffer", "10m,30m")
    shown = shell("config", "show").output
    assert "slot_buffer:      10m,30m" in shown and "slot_notice:      1h" in shown
    assert "auto (the meeting's length" in shown
    data = json.loads(shell("config", "show", "--json").output)
    assert data["slot_buffer"]["value"] == "10m,30m" and data["slot_notice"]["value"] == "1h"
    assert "is not an interval" in shell("config", "set", "slot_interval", "25", code=1).output
    out = shell("slots", "--days", "1").output
    assert "10m before, 30m after buffers" in out


def test_a_meeting_over_a_held_time_says_so(jana: None) -> None:
    shell("slots", "--days", "1")
    shell("offer", "jana", "1")
    out = shell("add", "meeting", "Call", "today", "12:30", "--duration", "30m").output
    assert "Note: offer 1 holds Wed 2026-11-25 12:00-13:00 for Jana Novak" in out
    assert "is no longer free" in shell("book", "1", "1", code=1).output
