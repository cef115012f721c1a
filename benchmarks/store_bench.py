"""Measure the store's interactive operations on a (large) database.

    python benchmarks/store_bench.py PATH [--runs 200] [--check]

    python benchmarks/store_bench.py URL --only search,spellings,parts,ranking

    python benchmarks/store_bench.py PATH --only sorts --lists deals,appointments

Reports the median and 95th percentile, over many runs, of what a user waits for while typing
and browsing: ``search.search`` for a few prefixes and a term with no match, the same names
typed with and without their letters (ü, ue, u; ß, ss; ø, o), parts of words and numbers, where
a newly added contact ranks, one page of 50 contacts sorted by name (the first, the middle and a
deep one), one page of every list by each of its sort keys, and one contact with its latest 20
interactions. Each operation goes through the public service functions, the way the TUI and the
shell commands call them. Targets at 100,000 contacts and 1,000,000 interactions: every search
median <= 1 ms (5 ms on PostgreSQL), a contact page <= 5 ms, any page of any list by any sort
<= 10 ms, a contact with its timeline <= 5 ms. A slow case is timed for at most ``--budget``
seconds (at least 5 runs). With ``--check`` the exit status is 1 when any target is missed.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import store_cases  # noqa: E402  (beside this script, not a package)

from smallcrm.store import contacts, interactions, search  # noqa: E402
from smallcrm.store.db import Database, open_database  # noqa: E402
from smallcrm.store.listing import ListQuery  # noqa: E402

SEARCH_TERMS = ("j", "ja", "jan", "jane", "smith", "zimmerman", "qxzvy")
SEARCH_TARGET_MS = 1.0
# PostgreSQL answers over a socket from another process: a search there may take 5 ms.
PG_SEARCH_TARGET_MS = 5.0
PAGE_TARGET_MS = 5.0
CONTACT_TARGET_MS = 5.0
PAGE_SIZE = 50
GROUPS = ("search", "spellings", "parts", "ranking", "pages", "sorts", "contact")
BUDGET_S = 3.0
LISTS = tuple(store_cases.LISTS)  # the lists the "sorts" group pages through (--lists)


@dataclass(frozen=True)
class Result:
    """Timings of one operation, in milliseconds."""

    name: str
    median: float
    p95: float
    target: float
    note: str = ""
    cpu_median: float = 0.0

    @property
    def passed(self) -> bool:
        """The median meets the target."""
        return self.median <= self.target


@dataclass(frozen=True)
class Timing:
    """Median and 95th percentile of the wall-clock time, and the median CPU time, in ms.

    The CPU time leaves out the time other processes had the CPU: on a busy machine it shows
    what the operation itself costs when the wall-clock figures are inflated.
    """

    median: float
    p95: float
    cpu_median: float


def measure(
    action: Callable[[int], Any], runs: int, warmup: int = 5, budget: float | None = None
) -> Timing:
    """Timing of ``action(run_number)`` over ``runs`` runs after a warm-up; a slow action
    stops after ``budget`` seconds (and at least five runs, warm-up included)."""
    budget = BUDGET_S if budget is None else budget
    deadline = time.perf_counter() + budget
    for i in range(warmup):
        action(i)
        if time.perf_counter() > deadline:
            break
    wall: list[float] = []
    cpu: list[float] = []
    for i in range(runs):
        if len(wall) >= 5 and time.perf_counter() > deadline:
            break
        started, started_cpu = time.perf_counter_ns(), time.process_time_ns()
        action(i)
        cpu.append((time.process_time_ns() - started_cpu) / 1e6)
        wall.append((time.perf_counter_ns() - started) / 1e6)
    wall.sort()
    return Timing(
        statistics.median(wall),
        wall[min(len(wall) - 1, int(len(wall) * 0.95))],
        statistics.median(cpu),
    )


def result(name: str, timing: Timing, target: float, note: str) -> Result:
    """A result row from a timing."""
    return Result(name, timing.median, timing.p95, target, note, timing.cpu_median)


def busiest_contact(db: Database) -> int:
    """The live contact with the most interactions: the worst case for a timeline."""
    with db.read() as tx:
        return tx.scalar(
            "SELECT i.contact_id FROM interaction i JOIN contact c ON c.id = i.contact_id "
            "WHERE c.deleted_at IS NULL GROUP BY i.contact_id ORDER BY count(*) DESC LIMIT 1"
        )


def sample_contacts(db: Database, size: int, seed: int = 1) -> list[int]:
    """Ids of up to ``size`` random live contacts."""
    with db.read() as tx:
        ids = [r[0] for r in tx.all("SELECT id FROM contact WHERE deleted_at IS NULL")]
    random.Random(seed).shuffle(ids)
    return ids[:size]


def search_target(db: Database) -> float:
    """The median a search must meet on this database."""
    return PG_SEARCH_TARGET_MS if db.dialect == "postgresql" else SEARCH_TARGET_MS


def bench_search(db: Database, runs: int) -> list[Result]:
    """search.search for each term (all kinds, five hits each, as the TUI asks)."""
    results = []
    for term in SEARCH_TERMS:
        hits = search.search(db, term)
        timing = measure(lambda _i, t=term: search.search(db, t), runs)
        results.append(result(f"search {term!r}", timing, search_target(db), f"{len(hits)} hits"))
    return results


def bench_words(db: Database, runs: int, words: tuple[str, ...]) -> list[Result]:
    """search.search for each of ``words``; the note names the first contact found."""
    results = []
    for term in words:
        hits = search.search(db, term)
        first = next((h.title for h in hits if h.kind == "contact"), "no contact")
        timing = measure(lambda _i, t=term: search.search(db, t), runs)
        note = f"{len(hits)} hits, first contact {first}"
        results.append(result(f"search {term!r}", timing, search_target(db), note))
    return results


def bench_ranking(db: Database, runs: int) -> list[Result]:
    """Where a newly added "Jan Zylinski" comes among the contacts for ``jan z``, ``zylinski``."""
    newest = store_cases.newcomer(db)
    results = []
    for term in store_cases.RANKED:
        timing = measure(lambda _i, t=term: search.search(db, t), runs)
        note = store_cases.place(db, term, newest)
        results.append(result(f"search {term!r}", timing, search_target(db), note))
    return results


def bench_sorts(db: Database, runs: int) -> list[Result]:
    """One page of each list (``LISTS``) by each of its sort keys, first, middle, deep and
    last."""
    return [
        result(name, measure(lambda _i, a=action: a(), runs), store_cases.SORT_TARGET_MS, note)
        for name, action, note in store_cases.sort_cases(db, LISTS)
    ]


def bench_pages(db: Database, runs: int) -> list[Result]:
    """One page of contacts sorted by name, at the start and deep into the list."""
    total = contacts.list_contacts(db, ListQuery(limit=1)).total
    results = []
    # An offset's cost grows with the rows skipped; list_contacts reads pages past the middle
    # from the end, so the middle is the worst case and 90 % in is a typical deep one.
    offsets = (("first page", 0), ("middle page", total // 2), ("deep page", total * 9 // 10))
    for label, offset in offsets:
        query = ListQuery(offset=offset, limit=PAGE_SIZE, sort="name")
        timing = measure(lambda _i, q=query: contacts.list_contacts(db, q), runs)
        note = f"offset {offset:,} of {total:,}"
        results.append(result(f"contacts {label}", timing, PAGE_TARGET_MS, note))
    return results


def bench_contact(db: Database, runs: int) -> list[Result]:
    """get_contact plus its latest 20 interactions: the busiest contact and random ones."""

    def load(contact_id: int) -> None:
        contacts.get_contact(db, contact_id)
        interactions.timeline(db, contact_id=contact_id, limit=20)

    busiest = busiest_contact(db)
    ids = sample_contacts(db, 500)
    results = []
    if busiest is not None:
        count = _interaction_count(db, busiest)
        timing = measure(lambda _i: load(busiest), runs)
        note = f"id {busiest}, {count:,} interactions"
        results.append(result("contact+timeline busiest", timing, CONTACT_TARGET_MS, note))
    if ids:
        timing = measure(lambda i: load(ids[i % len(ids)]), runs)
        note = f"{len(ids)} random contacts"
        results.append(result("contact+timeline random", timing, CONTACT_TARGET_MS, note))
    return results


def _interaction_count(db: Database, contact_id: int) -> int:
    with db.read() as tx:
        return tx.scalar("SELECT count(*) FROM interaction WHERE contact_id = :id", id=contact_id)


def table_counts(db: Database) -> dict[str, int]:
    """Rows per record table (including the trash)."""
    with db.read() as tx:
        return {
            kind: tx.scalar(f"SELECT count(*) FROM {kind}")
            for kind in ("account", "contact", "opportunity", "interaction", "appointment")
        }


def render(results: list[Result]) -> str:
    """The results as a plain-text table."""
    lines = [
        f"{'operation':<34} {'median ms':>9} {'p95 ms':>7} {'cpu ms':>7} {'target':>7}"
        "  result  note",
        "-" * 100,
    ]
    for r in results:
        verdict = "PASS" if r.passed else "FAIL"
        lines.append(
            f"{r.name:<34} {r.median:>9.3f} {r.p95:>7.3f} {r.cpu_median:>7.3f} "
            f"{'<= ' + format(r.target, 'g'):>7}  {verdict:<6}  {r.note}"
        )
    return "\n".join(lines)


def run(path: Path | str, runs: int, groups: tuple[str, ...] = GROUPS) -> list[Result]:
    """The measurements of ``groups`` on the database at ``path`` (a file, or a PostgreSQL
    URL)."""
    benches: dict[str, Callable[[Database, int], list[Result]]] = {
        "search": bench_search,
        "spellings": lambda db, n: bench_words(db, n, store_cases.SPELLINGS),
        "parts": lambda db, n: bench_words(db, n, store_cases.PARTS),
        "ranking": bench_ranking,
        "pages": bench_pages,
        "sorts": bench_sorts,
        "contact": bench_contact,
    }
    db = open_database(path)
    try:
        counts = table_counts(db)
        print(f"{_shown(path)}: " + ", ".join(f"{kind} {n:,}" for kind, n in counts.items()))
        print(f"{runs} runs per operation (after 5 warm-up runs); load average {_load()}\n")
        return [r for group in groups for r in benches[group](db, runs)]
    finally:
        db.close()


def _shown(path: Path | str) -> str:
    from smallcrm.store.urls import redact_url

    return redact_url(str(path)) if "://" in str(path) else str(path)


def _load() -> str:
    """The 1-minute load average, to judge how busy the machine was (where the OS tells)."""
    try:
        return f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs"
    except (AttributeError, OSError):
        return "unknown"


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "path",
        help="database made by benchmarks/generate.py, or a PostgreSQL URL it was copied to "
        "(smallcrm --db FILE migrate-to URL)",
    )
    parser.add_argument("--runs", type=int, default=200, help="timed runs per operation")
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    parser.add_argument(
        "--only", default=",".join(GROUPS), help=f"comma-separated groups of {', '.join(GROUPS)}"
    )
    parser.add_argument("--budget", type=float, default=3.0, help="seconds per case at most")
    parser.add_argument(
        "--lists",
        default=",".join(store_cases.LISTS),
        help=f"the lists the sorts group pages through, of {', '.join(store_cases.LISTS)}",
    )
    args = parser.parse_args(argv)
    global BUDGET_S, LISTS
    BUDGET_S = args.budget
    LISTS = tuple(name.strip() for name in args.lists.split(",") if name.strip())
    if not set(LISTS) <= set(store_cases.LISTS):
        parser.error(f"--lists takes {', '.join(store_cases.LISTS)}")
    groups = tuple(g.strip() for g in args.only.split(",") if g.strip())
    if not set(groups) <= set(GROUPS):
        parser.error(f"--only takes {', '.join(GROUPS)}")
    if "://" not in args.path and not Path(args.path).exists():
        parser.error(f"{args.path} does not exist; create it with benchmarks/generate.py")
    if args.runs < 1:
        parser.error("--runs must be 1 or more")
    results = run(args.path, args.runs, groups)
    print(render(results))
    failed = [r.name for r in results if not r.passed]
    print(f"\n{len(results) - len(failed)} of {len(results)} targets met")
    return 1 if failed and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
