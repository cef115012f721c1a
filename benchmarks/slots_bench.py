"""Measure free slots for 14 days over a calendar of 2,000 appointments, the way the shell's
``smallcrm slots`` and the app's slot picker call it (reading, expanding series, cutting).

    python benchmarks/slots_bench.py [PATH] [--runs 50] [--check]

The calendar: 1,700 single appointments spread over the 14 days (and a few days either side)
and 300 recurring series begun up to a year ago (daily, weekly on two days, monthly), in
Europe/Berlin, America/New_York and UTC, some with skipped dates, spread over 20 users. Measured
twice: with every appointment counting (the worst case: no time is free), and for one user's
calendar (with 30 live holds of offers on it). Target: the median at most 100 ms. With
``--check`` the exit status is 1 when it is missed. Without PATH a database is made in a
temporary folder.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from smallcrm.store import clock, crud, offers, slots
from smallcrm.store.db import Database, open_database

NOW = datetime(2026, 11, 25, 10, 30, tzinfo=UTC)
ZONES = ("Europe/Berlin", "America/New_York", "UTC")
RULES = ("FREQ=DAILY", "FREQ=WEEKLY;BYDAY=TU,TH", "FREQ=MONTHLY;BYMONTHDAY=3", "FREQ=WEEKLY")
TARGET_MS = 100.0
# A team of 20 sharing the database: each has about 100 appointments in the fortnight.
OWNERS = ("bench", *(f"user{n}" for n in range(19)))


def fill(db: Database, seed: int = 7) -> None:
    """2,000 appointments (300 of them series) and 30 holds."""
    pick = random.Random(seed)
    with db.write() as tx:
        for number in range(2000):
            series = number < 300
            back = timedelta(days=pick.randint(1, 365)) if series else timedelta(0)
            start = NOW - back + timedelta(minutes=15 * pick.randint(-4 * 24 * 3, 4 * 24 * 17))
            values = {
                "title": f"Appointment {number}",
                "title_key": f"appointment {number}",
                "location_key": "",
                "starts_at": start,
                "ends_at": start + timedelta(minutes=pick.choice((15, 30, 45, 60, 90, 120))),
                "time_zone": pick.choice(ZONES),
                "all_day": False,
                "rrule": pick.choice(RULES) if series else None,
                "exdates": (start + timedelta(days=7)).astimezone(UTC).isoformat()
                if series and number % 3 == 0
                else "",
                "rdates": "",
                "owner": OWNERS[number % len(OWNERS)],
            }
            crud.insert_record(tx, "appointment", values, "bench")
    query = slots.SlotQuery(timedelta(minutes=30), days=14, user="bench")
    with db.read() as tx:
        found = slots.compute(tx, query, "bench").slots
    spaced = found[::4]  # an hour or more apart: holds with their buffers do not touch
    for index in range(0, min(len(spaced), 30), 3):
        offers.make_offer(db, query, spaced[index : index + 3], title="Bench", language="en")


def measure(db: Database, runs: int, user: str | None) -> tuple[float, float, float, int]:
    """Median and p95 wall time in ms of the free 30-minute slots for 14 days in ``user``'s
    calendar (None: every appointment counts), the mean processor time (what other processes
    on a busy machine do not add), and how many slots were found."""
    query = slots.SlotQuery(timedelta(minutes=30), days=14, user=user)
    wall = []
    found = 0
    cpu = time.process_time()
    for _ in range(runs):
        started = time.perf_counter()
        with db.read() as tx:
            found = len(slots.compute(tx, query, user).slots)  # what find_slots runs
        wall.append((time.perf_counter() - started) * 1000)
    cpu_ms = (time.process_time() - cpu) * 1000 / runs
    wall.sort()
    return statistics.median(wall), wall[max(int(len(wall) * 0.95) - 1, 0)], cpu_ms, found


CASES = (
    (None, "all 2,000 appointments count"),
    ("bench", "one user's 100 of them (15 series) in a team of 20"),
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", nargs="?", type=Path)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("SMALLCRM_TIMEZONE", "Europe/Berlin")
    clock.pin(NOW)
    missed = False
    with tempfile.TemporaryDirectory() as folder:
        db = open_database(args.path or Path(folder) / "slots.db")
        try:
            with db.read() as tx:
                empty = not tx.scalar("SELECT count(*) FROM appointment")
            if empty:
                started = time.perf_counter()
                fill(db)
                print(f"made the calendar in {time.perf_counter() - started:.1f} s")
            for user, what in CASES:
                median, p95, cpu_ms, found = measure(db, args.runs, user)
                missed = missed or median > TARGET_MS
                print(
                    f"free slots, 14 days, {what}: median {median:.1f} ms, p95 {p95:.1f} ms, "
                    f"processor {cpu_ms:.1f} ms; {found} free (target {TARGET_MS:.0f} ms)"
                )
        finally:
            db.close()
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
