"""Measure many processes writing the same records of one SQLite file through the services.

    python benchmarks/concurrency_bench.py [--processes 16] [--seconds 10 | --transactions N]
                                           [--db PATH] [--records 8] [--json]

Each process opens the database with ``open_database`` and, until the time is up (or it has
done ``--transactions``), picks one of three transactions a field worker's session makes:

- contact update (half of them): read a shared contact, then save its notes, a counter, plus
  one, with the version it read (``update_contact``); a ConflictError (someone saved it in
  between) is counted and the read-modify-write retried, as the TUI's reload would;
- deal move (a quarter): read a shared deal and move it one stage on or back with the version
  it read (``move_stage``), retried the same way. Deals go back and forth between the second
  and third stage, so a step decided on a stale read is refused as a conflict rather than
  running off either end of the pipeline;
- interaction log (a quarter): ``log_interaction`` on a shared contact, a plain insert.

A DatabaseBusyError (the write lock not obtained within the busy timeout) is counted and the
transaction retried. A transaction's latency is the time from its first read to its
acknowledged commit, retries included: what the user waits for.

At the end the figures are checked: every contact's counter and version equal one plus the
increments the processes saw acknowledged, every deal's version one plus its acknowledged
moves, the interactions and audit entries match the acknowledged writes (nothing lost,
nothing doubled), ``PRAGMA integrity_check`` is ok and the search index is consistent. The
exit status is 1 when a check fails. ``--db`` keeps the database (a file that must not exist
yet) or names a PostgreSQL URL (the checks then cover this run's records, and the file's
integrity check does not apply); by default a file is made in a temporary folder and removed.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import sqlite3
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

OPERATIONS = ("contact update", "deal move", "interaction log")
WEIGHTS = (2, 1, 1)
START_DELAY = 0.5  # seconds between "everyone is ready" and the common start


@dataclass
class WorkerResult:
    """What one process did: acknowledged writes per record, retries, and latencies (ms)."""

    worker: int
    started: float = 0.0
    finished: float = 0.0
    done: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OPERATIONS, 0))
    conflicts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OPERATIONS, 0))
    busy: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OPERATIONS, 0))
    latencies: dict[str, list[float]] = field(
        default_factory=lambda: {name: [] for name in OPERATIONS}
    )
    contact_increments: dict[int, int] = field(default_factory=dict)
    deal_moves: dict[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Shared:
    """The records every process writes to, and the prefix of this run's actors' names."""

    contact_ids: tuple[int, ...]
    deal_ids: tuple[int, ...]
    run_tag: str


# --- set-up ----------------------------------------------------------------------------------


def prepare(target: str, records: int) -> Shared:
    """A new database with ``records`` shared contacts (counter 0) and ``records // 2`` deals
    at the pipeline's second stage."""
    from smallcrm.store import accounts, contacts, opportunities
    from smallcrm.store.db import open_database

    db = open_database(target)
    try:
        account = accounts.create_account(db, name="Shared Account GmbH", actor="bench")
        contact_ids = tuple(
            contacts.create_contact(  # numbered names look alike on purpose
                db,
                actor="bench",
                allow_duplicate=True,
                name=f"Shared Contact {i}",
                account_id=account.id,
                notes="0",
            ).id
            for i in range(records)
        )
        second = opportunities.stages(db)[1].name
        deal_ids = tuple(
            opportunities.create_opportunity(
                db, actor="bench", name=f"Shared deal {i}", account_id=account.id, stage=second
            ).id
            for i in range(max(1, records // 2))
        )
    finally:
        db.close()
    return Shared(contact_ids, deal_ids, f"bench{os.getpid()}-{time.time_ns()}")


# --- one worker process ----------------------------------------------------------------------


def increment_contact(db: Any, contact_id: int, actor: str, result: WorkerResult) -> None:
    """Read the contact, save its counter plus one with the version read; retry a conflict."""
    from smallcrm.store import contacts
    from smallcrm.store.errors import ConflictError

    while True:
        current = contacts.get_contact(db, contact_id)
        try:
            contacts.update_contact(
                db,
                contact_id,
                current.tracking.version,
                actor=actor,
                notes=str(int(current.notes or 0) + 1),
            )
            return
        except ConflictError:
            result.conflicts["contact update"] += 1


def move_deal(db: Any, deal_id: int, home_stage: str, actor: str, result: WorkerResult) -> None:
    """Move the deal on from ``home_stage``, or back to it, with the version read; retry a
    conflict (the step is decided again from the fresh read)."""
    from smallcrm.store import opportunities
    from smallcrm.store.errors import ConflictError

    while True:
        current = opportunities.get_opportunity(db, deal_id)
        step = 1 if current.stage == home_stage else -1
        try:
            opportunities.move_stage(
                db, deal_id, step, expected_version=current.tracking.version, actor=actor
            )
            return
        except ConflictError:
            result.conflicts["deal move"] += 1


def log_call(db: Any, contact_id: int, actor: str) -> None:
    """Log a call with a shared contact (an insert: no read-modify-write)."""
    from smallcrm.store import interactions
    from smallcrm.store.crud import now_utc

    interactions.log_interaction(
        db, actor=actor, kind="call", subject="Checked in", happened_at=now_utc(),
        contact_id=contact_id,
    )  # fmt: skip


def work(
    target: str,
    worker: int,
    shared: Shared,
    seconds: float | None,
    transactions: int | None,
    ready: Any,
    go: Any,
    results: Any,
) -> None:
    """One process: open the database, wait for the common start, then write until done."""
    from smallcrm.store import opportunities
    from smallcrm.store.db import open_database
    from smallcrm.store.errors import DatabaseBusyError

    rng = random.Random(worker)
    actor = f"{shared.run_tag}-w{worker}"
    result = WorkerResult(worker)
    db = open_database(target)
    home_stage = opportunities.stages(db)[1].name
    ready.release()
    go.wait()
    result.started = time.time()
    deadline = result.started + seconds if seconds is not None else None
    count = 0
    while (transactions is None or count < transactions) and (
        deadline is None or time.time() < deadline
    ):
        operation = rng.choices(OPERATIONS, WEIGHTS)[0]
        contact_id = rng.choice(shared.contact_ids)
        deal_id = rng.choice(shared.deal_ids)
        began = time.perf_counter()
        while True:
            try:
                if operation == "contact update":
                    increment_contact(db, contact_id, actor, result)
                elif operation == "deal move":
                    move_deal(db, deal_id, home_stage, actor, result)
                else:
                    log_call(db, contact_id, actor)
                break
            except DatabaseBusyError:
                result.busy[operation] += 1
        result.latencies[operation].append((time.perf_counter() - began) * 1000)
        result.done[operation] += 1
        if operation == "contact update":
            result.contact_increments[contact_id] = result.contact_increments.get(contact_id, 0) + 1
        elif operation == "deal move":
            result.deal_moves[deal_id] = result.deal_moves.get(deal_id, 0) + 1
        count += 1
    result.finished = time.time()
    db.close()
    results.put(asdict(result))


def run_workers(
    target: str, shared: Shared, processes: int, seconds: float | None, transactions: int | None
) -> list[WorkerResult]:
    """Start the processes, release them at one moment, and collect what each did."""
    ctx = multiprocessing.get_context("spawn")
    ready, go, results = ctx.Semaphore(0), ctx.Event(), ctx.Queue()
    workers = [
        ctx.Process(
            target=work,
            args=(target, n, shared, seconds, transactions, ready, go, results),
            daemon=True,
        )
        for n in range(processes)
    ]
    for process in workers:
        process.start()
    started = 0
    while started < len(workers):
        if ready.acquire(timeout=1):
            started += 1
        else:
            _fail_if_dead(workers)
    time.sleep(START_DELAY)
    go.set()
    collected = [_worker_result(raw) for raw in _collect(results, workers)]
    for process in workers:
        process.join()
    return collected


def _collect(results: Any, workers: list[Any]) -> list[dict[str, Any]]:
    """Every worker's result, as each finishes."""
    import queue

    collected: list[dict[str, Any]] = []
    while len(collected) < len(workers):
        try:
            collected.append(results.get(timeout=1))
        except queue.Empty:
            _fail_if_dead(workers)
    return collected


def _fail_if_dead(workers: list[Any]) -> None:
    """End the run when a worker died (its traceback is on stderr) rather than wait for it."""
    dead = [p for p in workers if p.exitcode not in (None, 0)]
    if dead:
        for process in workers:
            process.kill()
        raise SystemExit(f"{len(dead)} worker process(es) failed; see their errors above")


def _worker_result(raw: dict[str, Any]) -> WorkerResult:
    """A WorkerResult back from the queue (dict keys of ints survive pickling as ints)."""
    return WorkerResult(**raw)


# --- checking and reporting ------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """One verification after the run."""

    name: str
    ok: bool
    detail: str


def verify(target: str, shared: Shared, results: list[WorkerResult]) -> list[Check]:
    """Nothing lost and nothing doubled; the file and its search index are sound."""
    from smallcrm.store import search
    from smallcrm.store.db import open_database

    increments = _summed(r.contact_increments for r in results)
    moves = _summed(r.deal_moves for r in results)
    logged = sum(r.done["interaction log"] for r in results)
    contact_list = ", ".join(map(str, shared.contact_ids))  # ints: safe to inline
    db = open_database(target)
    try:
        with db.read() as tx:
            bad_contacts = [
                cid
                for cid in shared.contact_ids
                if tuple(tx.one("SELECT notes, version FROM contact WHERE id = :id", id=cid))
                != (str(increments.get(cid, 0)), 1 + increments.get(cid, 0))
            ]
            bad_deals = [
                did
                for did in shared.deal_ids
                if tx.scalar("SELECT version FROM opportunity WHERE id = :id", id=did)
                != 1 + moves.get(did, 0)
            ]
            interactions = tx.scalar(
                f"SELECT count(*) FROM interaction WHERE contact_id IN ({contact_list})"
            )
            audited = tx.scalar(
                "SELECT count(*) FROM audit_entry WHERE actor LIKE :tag AND action IN "
                "('create', 'update')",
                tag=shared.run_tag + "-%",
            )
        index_ok = search.check_index(db)
        path = db.path
    finally:
        db.close()
    problems = _integrity(path) if path is not None else None
    acknowledged = sum(increments.values()) + sum(moves.values()) + logged
    return [
        Check(
            "contact counters",
            not bad_contacts,
            f"{len(shared.contact_ids) - len(bad_contacts)}/{len(shared.contact_ids)} equal "
            f"their {sum(increments.values())} acknowledged increments",
        ),
        Check(
            "deal versions",
            not bad_deals,
            f"{len(shared.deal_ids) - len(bad_deals)}/{len(shared.deal_ids)} equal their "
            f"{sum(moves.values())} acknowledged moves",
        ),
        Check("interactions", interactions == logged, f"{interactions} stored, {logged} logged"),
        Check("audit trail", audited == acknowledged, f"{audited} entries, {acknowledged} writes"),
        Check("integrity_check", not problems, "; ".join(problems or []) or _na(problems)),
        Check("search index", index_ok, "consistent" if index_ok else "out of step"),
    ]


def _na(problems: list[str] | None) -> str:
    return "ok" if problems is not None else "not applicable (PostgreSQL)"


def _summed(counters: Any) -> dict[int, int]:
    total: dict[int, int] = {}
    for counter in counters:
        for key, value in counter.items():
            total[key] = total.get(key, 0) + value
    return total


def _integrity(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        rows = [row[0] for row in conn.execute("PRAGMA integrity_check")]
    finally:
        conn.close()
    return [] if rows == ["ok"] else rows


def percentile(values: list[float], fraction: float) -> float:
    """The value below which ``fraction`` of the sorted ``values`` lie (nearest rank)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]


def summary(results: list[WorkerResult], processes: int) -> dict[str, Any]:
    """Throughput and latency per operation and overall."""
    elapsed = max(r.finished for r in results) - min(r.started for r in results)
    rows = {}
    for name in (*OPERATIONS, "all"):
        names = OPERATIONS if name == "all" else (name,)
        latencies = [ms for r in results for op in names for ms in r.latencies[op]]
        rows[name] = {
            "done": sum(r.done[op] for r in results for op in names),
            "conflicts": sum(r.conflicts[op] for r in results for op in names),
            "busy": sum(r.busy[op] for r in results for op in names),
            "p50_ms": round(percentile(latencies, 0.50), 2),
            "p99_ms": round(percentile(latencies, 0.99), 2),
            "max_ms": round(max(latencies, default=0.0), 2),
        }
    return {
        "processes": processes,
        "cpus": os.cpu_count(),
        "load_average": _load(),
        "seconds": round(elapsed, 2),
        "transactions_per_second": round(rows["all"]["done"] / elapsed, 1) if elapsed else 0.0,
        "operations": rows,
    }


def _load() -> float | None:
    """The 1-minute load average after the run, to judge how busy the machine was."""
    try:
        return round(os.getloadavg()[0], 2)
    except (AttributeError, OSError):
        return None


def render(figures: dict[str, Any], checks: list[Check]) -> str:
    """The figures as a short table, then the checks."""
    lines = [
        f"{figures['processes']} processes, {figures['seconds']:.1f} s: "
        f"{figures['transactions_per_second']:,.0f} transactions/s "
        f"(load average {figures['load_average']} on {figures['cpus']} CPUs)",
        "",
        f"{'operation':<16}{'done':>8}{'conflicts':>11}{'busy':>6}"
        f"{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}",
    ]
    for name, row in figures["operations"].items():
        lines.append(
            f"{name:<16}{row['done']:>8,}{row['conflicts']:>11,}{row['busy']:>6,}"
            f"{row['p50_ms']:>9.1f}{row['p99_ms']:>9.1f}{row['max_ms']:>9.1f}"
        )
    lines.append("")
    lines.extend(f"{'ok  ' if c.ok else 'FAIL'} {c.name}: {c.detail}" for c in checks)
    verdict = "no update lost" if all(c.ok for c in checks) else "CHECK FAILED"
    lines.append(f"\n{verdict}")
    return "\n".join(lines)


# --- command line ----------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--processes", type=int, default=16, help="writer processes (16)")
    amount = parser.add_mutually_exclusive_group()
    amount.add_argument("--seconds", type=float, default=None, help="run time (default 10)")
    amount.add_argument(
        "--transactions", type=int, default=None, help="transactions per process instead of time"
    )
    parser.add_argument("--records", type=int, default=8, help="shared contacts (8); deals: half")
    parser.add_argument(
        "--db", default=None, help="keep the database in this new file, or a PostgreSQL URL"
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    if args.processes < 1 or args.records < 1:
        parser.error("--processes and --records must be 1 or more")
    if args.transactions is None and args.seconds is None:
        args.seconds = 10.0
    if (args.seconds is not None and args.seconds <= 0) or (
        args.transactions is not None and args.transactions < 1
    ):
        parser.error("--seconds and --transactions must be more than 0")
    if args.db is not None and "://" not in args.db and Path(args.db).exists():
        parser.error(f"{args.db} exists; the benchmark starts from a new database")
    os.environ.setdefault("SMALLCRM_USER", "bench")
    if args.db is not None:
        return run(args, args.db)
    with tempfile.TemporaryDirectory(prefix="smallcrm-concurrency-") as folder:
        return run(args, str(Path(folder) / "bench.db"))


def run(args: argparse.Namespace, target: str) -> int:
    """Prepare the database ``target``, run the writers, check and report."""
    shared = prepare(target, args.records)
    if not args.json:
        where = target if "://" not in target else target.split("://", 1)[0] + " database"
        print(f"{args.processes} processes writing {where} ...", flush=True)
    results = run_workers(target, shared, args.processes, args.seconds, args.transactions)
    figures = summary(results, args.processes)
    checks = verify(target, shared, results)
    if args.json:
        figures["checks"] = [asdict(c) for c in checks]
        print(json.dumps(figures, indent=2))
    else:
        print(render(figures, checks))
    return 0 if all(c.ok for c in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
