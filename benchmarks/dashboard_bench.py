"""Measure each dashboard tile and the whole dashboard's figures on a generated database
(``generate.py``), in the store, as the screen and ``smallcrm report`` compute them.

    python benchmarks/dashboard_bench.py PATH [--runs 20] [--check] [--json]

Targets at 100,000 contacts, 1,000,000 interactions and 50,000 deals: every tile <= 50 ms and
the whole dashboard (every tile in one read transaction) <= 200 ms (medians). "Now" is the
generator's. The first open of a database made before the dashboard's migration builds its
history and roll-ups (once); that is timed separately by opening it, not here. With
``--check`` the exit status is 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from smallcrm.store import clock, figures
from smallcrm.store.db import open_database
from smallcrm.store.figures.model import Filters

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import NOW  # noqa: E402  (beside this script, run as a file)

TILE_TARGET = 50.0
WHOLE_TARGET = 200.0


def _time(call: Callable[[], Any], runs: int) -> tuple[float, float, float]:
    """Median and p95 wall-clock ms, and the median CPU ms of this process (on a busy shared
    machine the wall clock also counts the waits for a core)."""
    wall, cpu = [], []
    for _ in range(runs):
        started, used = time.perf_counter(), time.process_time()
        call()
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - used) * 1000)
    wall.sort()
    return statistics.median(wall), wall[max(0, int(len(wall) * 0.95) - 1)], statistics.median(cpu)


def measure(db: Any, runs: int, filters: Filters) -> list[dict[str, Any]]:
    """One result per tile, then the whole dashboard."""
    today = clock.today()
    results = []
    for tile in figures.TILES:
        median, p95, cpu = _time(lambda t=tile: figures.compute(db, (t.key,), filters, today), runs)
        results.append(
            {"name": tile.key, "median": median, "p95": p95, "cpu": cpu, "target": TILE_TARGET}
        )
    median, p95, cpu = _time(lambda: figures.compute(db, None, filters, today), runs)
    results.append({"name": "whole dashboard", "median": median, "p95": p95, "cpu": cpu,
                    "target": WHOLE_TARGET})  # fmt: skip
    return results


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", help="database file or URL made by generate.py")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--owner", help="measure with this owner filter too")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    clock.pin(NOW)
    db = open_database(args.path)
    try:
        with db.read() as tx:
            counts = {t: int(tx.scalar(f"SELECT count(*) FROM {t}"))
                      for t in ("contact", "interaction", "opportunity")}  # fmt: skip
        results = measure(db, args.runs, Filters(owner=args.owner))
    finally:
        db.close()
    missed = sum(r["median"] > r["target"] for r in results)
    if args.json:
        print(json.dumps({"counts": counts, "results": results}, indent=2))
    else:
        print(", ".join(f"{n:,} {t}" for t, n in counts.items()))
        for r in results:
            verdict = "PASS" if r["median"] <= r["target"] else "FAIL"
            print(f"{r['name']:<16} median {r['median']:8.2f} ms  p95 {r['p95']:8.2f} ms  "
                  f"cpu {r['cpu']:8.2f} ms  target {r['target']:6.1f} ms  {verdict}")  # fmt: skip
        print(f"\n{len(results) - missed} of {len(results)} targets met")
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
