"""Measure the cases screen's first page, ``list cases --breached`` and the cases report on a
generated database (``generate.py``), in the store, the way the app and the shell call them.

    python benchmarks/cases_bench.py PATH [--runs 200] [--check]

Targets at 10,000 cases (1,000,000 interactions beside them): the first page of open cases
<= 10 ms, the breached ones <= 10 ms, the report over 90 days <= 200 ms (medians). "Now" is the
generator's, so the same cases are due, breached and waiting on every run. With ``--check``
the exit status is 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from smallcrm.store import case_lists, case_report, clock
from smallcrm.store.db import Database, open_database
from smallcrm.store.listing import ListQuery

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import NOW  # noqa: E402  (beside this script, run as a file)
from timing import report, timed  # noqa: E402

PAGE = 50


def cases_bench(db: Database, runs: int) -> list[tuple[str, float, float, float, str]]:
    """(name, median ms, p95 ms, target ms, what was found) per measured operation."""
    first_page = ListQuery(limit=PAGE, extra={"open": True})
    breached = ListQuery(limit=PAGE, extra={"breached": True})
    since = NOW - timedelta(days=90)
    checks: list[tuple[str, Callable[[], Any], float, Callable[[Any], str]]] = [
        ("cases screen first page", lambda: case_lists.list_cases(db, first_page), 10.0,
         lambda p: f"{len(p.items)} of {p.total} open"),
        ("list cases --breached", lambda: case_lists.list_cases(db, breached), 10.0,
         lambda p: f"{len(p.items)} of {p.total} breached"),
        ("report cases --since 90d", lambda: case_report.case_report(db, since, NOW), 200.0,
         lambda r: f"{sum(line.cases for line in r.lines)} cases"),
    ]  # fmt: skip
    results = []
    for name, call, target, said in checks:
        median, p95, found = timed(call, runs)
        results.append((name, median, p95, target, said(found)))
    return results


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", help="database file or URL made by generate.py")
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    clock.pin(NOW)
    db = open_database(args.path)
    try:
        with db.read() as tx:
            counts = {t: tx.scalar(f"SELECT count(*) FROM {t}") for t in ("service_case",
                      "interaction")}  # fmt: skip
        print(f"{counts['service_case']:,} cases, {counts['interaction']:,} interactions")
        results = cases_bench(db, args.runs)
    finally:
        db.close()
    missed = report(results)
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
