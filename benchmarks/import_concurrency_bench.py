"""Measure other users' saves while a large file is imported: acknowledged, refused, lost.

    python benchmarks/import_concurrency_bench.py [--rows 200000] [--writers 4]
                                                  [--command] [--db PATH|URL] [--json]

Writes a Google-Contacts-style CSV of ``--rows`` contacts (``import_bench.write_csv``), then
imports it with the ``smallcrm import`` command (a process of its own, as a user would) while
``--writers`` processes log calls in a loop through the store (``interactions.log_interaction``,
what ``smallcrm log`` does), each call timed, a refusal ("the database is busy") counted and not
retried. ``--command`` runs an actual ``smallcrm log call`` process per call instead (slower:
each pays the command's start-up). The writers start before the import and stop a second after
it ends.

At the end each call the writers acknowledged is looked for in the database (``lost`` counts
those missing), the import's batch is checked to be whole, and the figures are printed: calls
acknowledged, refused and lost, in total and while the import ran, with their latencies (median,
99th percentile, worst), and the import's time. The exit status is 1 if a call was refused or
lost, or the import is not whole. ``--db`` names a PostgreSQL URL (an empty database) or a file
to keep; by default a file in a temporary folder is used and removed.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from import_bench import write_csv  # noqa: E402

STOP_AFTER = 1.0  # seconds the writers go on after the import
SMALLCRM = [sys.executable, "-c", "import sys; from smallcrm.cli import main; sys.exit(main())"]


def writer(target: str, contact_id: int, command: bool, go: Any, stop: Any, out: Any) -> None:
    """Log calls until ``stop`` is set: (started, seconds, interaction id or None if refused)."""
    from smallcrm.store import interactions
    from smallcrm.store.crud import now_utc
    from smallcrm.store.db import open_database
    from smallcrm.store.errors import DatabaseBusyError

    db = open_database(target)
    go.wait()
    calls: list[tuple[float, float, int | None]] = []
    number = 0
    while not stop.is_set():
        number += 1
        began = time.time()
        if command:
            calls.append((began, *_command_call(target, contact_id, number, began)))
            continue
        try:
            made = interactions.log_interaction(
                db, kind="call", subject=f"Bench call {number}", happened_at=now_utc(),
                contact_id=contact_id,
            )  # fmt: skip
            calls.append((began, time.time() - began, made.id))
        except DatabaseBusyError:
            calls.append((began, time.time() - began, None))
        time.sleep(0.02)
    db.close()
    out.put(calls)


def _command_call(target: str, contact_id: int, number: int, began: float) -> tuple[float, Any]:
    """One ``smallcrm log call`` process; its id (from --json) or None when refused."""
    result = subprocess.run(
        [*SMALLCRM, "--db", target, "log", "call", "Busy Line",
         f"Bench call {number}", "--id", f"contact:{contact_id}", "--json"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    seconds = time.time() - began
    if result.returncode != 0:
        return seconds, None if "busy" in result.stderr else -1
    return seconds, json.loads(result.stdout)["id"]


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of ``values`` (0 for none)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))]


def run(args: argparse.Namespace, target: str, folder: Path) -> dict[str, Any]:
    """Prepare, import with writers running, check; the figures."""
    from smallcrm.store import contacts
    from smallcrm.store.db import open_database

    csv_path = folder / "contacts.csv"
    write_csv(csv_path, args.rows)
    db = open_database(target)
    contact_id = contacts.create_contact(db, name="Busy Line", allow_duplicate=True).id
    db.close()
    ctx = multiprocessing.get_context("spawn")
    go, stop, out = ctx.Event(), ctx.Event(), ctx.Queue()
    workers = [
        ctx.Process(target=writer, args=(target, contact_id, args.command, go, stop, out))
        for _ in range(args.writers)
    ]
    for process in workers:
        process.start()
    time.sleep(2.0)  # the writers open the database
    go.set()
    started = time.time()
    imported = subprocess.run(
        [*SMALLCRM, "--db", target, "import", str(csv_path), "--json"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    ended = time.time()
    time.sleep(STOP_AFTER)
    stop.set()
    calls = [call for _ in workers for call in out.get(timeout=600)]
    for process in workers:
        process.join()
    return figures(target, args, calls, (started, ended), imported)


def figures(
    target: str,
    args: argparse.Namespace,
    calls: list[tuple[float, float, int | None]],
    window: tuple[float, float],
    imported: subprocess.CompletedProcess[str],
) -> dict[str, Any]:
    """Acknowledged, refused and lost calls, overall and during the import; the import."""
    from smallcrm.store.db import open_database

    report = json.loads(imported.stdout) if imported.returncode == 0 else {}
    db = open_database(target)
    with db.read() as tx:
        stored = {r["id"] for r in tx.all("SELECT id FROM interaction WHERE subject LIKE 'Bench%'")}
        contacts_in = tx.scalar("SELECT count(*) FROM contact WHERE deleted_at IS NULL")
    db.close()
    result: dict[str, Any] = {
        "rows": args.rows,
        "writers": args.writers,
        "via": "smallcrm log command" if args.command else "store call",
        "import_seconds": round(window[1] - window[0], 1),
        "import_exit": imported.returncode,
        "import_created": report.get("created"),
        "contacts_after": contacts_in,
        "import_whole": report.get("created") == args.rows == contacts_in - 1,
        "load_average": round(os.getloadavg()[0], 2),
    }
    for name, chosen in (
        ("all", calls),
        ("during_import", [c for c in calls if window[0] <= c[0] <= window[1]]),
    ):
        done = [c for c in chosen if c[2] is not None and c[2] != -1]
        result[name] = {
            "acknowledged": len(done),
            "refused": sum(1 for c in chosen if c[2] is None),
            "failed": sum(1 for c in chosen if c[2] == -1),
            "lost": sum(1 for c in done if c[2] not in stored),
            "p50_ms": round(percentile([c[1] * 1000 for c in done], 0.5), 1),
            "p99_ms": round(percentile([c[1] * 1000 for c in done], 0.99), 1),
            "max_ms": round(max((c[1] * 1000 for c in chosen), default=0.0), 1),
        }
    if imported.returncode != 0:
        result["import_error"] = imported.stderr.strip()[-500:]
    return result


def render(result: dict[str, Any]) -> str:
    """The figures as a few lines."""
    lines = [
        f"import of {result['rows']:,} contacts: {result['import_seconds']} s "
        f"(exit {result['import_exit']}, created {result['import_created']}, whole: "
        f"{result['import_whole']}); {result['writers']} writers via {result['via']}; "
        f"load average {result['load_average']}",
        f"{'calls':<15}{'acked':>7}{'refused':>9}{'lost':>6}{'p50 ms':>9}{'p99 ms':>9}"
        f"{'max ms':>9}",
    ]
    for name in ("all", "during_import"):
        row = result[name]
        lines.append(
            f"{name:<15}{row['acknowledged']:>7}{row['refused']:>9}{row['lost']:>6}"
            f"{row['p50_ms']:>9.1f}{row['p99_ms']:>9.1f}{row['max_ms']:>9.1f}"
        )
    if "import_error" in result:
        lines.append(f"import failed: {result['import_error']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--command", action="store_true", help="a smallcrm log process per call")
    parser.add_argument("--db", default=None, help="a PostgreSQL URL, or a new file to keep")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    os.environ.setdefault("SMALLCRM_PHONE_REGION", "DE")
    os.environ.setdefault("SMALLCRM_USER", "bench")
    with tempfile.TemporaryDirectory(prefix="smallcrm-import-concurrency-") as folder:
        target = args.db or str(Path(folder) / "bench.db")
        result = run(args, target, Path(folder))
    print(json.dumps(result, indent=2) if args.json else render(result))
    during = result["all"]
    ok = not (during["refused"] or during["lost"] or during["failed"]) and result["import_whole"]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
