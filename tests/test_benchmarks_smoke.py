"""The benchmark scripts still run: a tiny database generated, then measured."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from smallcrm.store import search
from smallcrm.store.db import open_database

REPO = Path(__file__).resolve().parents[1]
SCALE = 0.001  # 20 accounts, 100 contacts, 50 deals, 1,000 interactions, 100 appointments


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], cwd=REPO, capture_output=True, text=True, timeout=300
    )


def test_generate_then_store_bench(tmp_path: Path) -> None:
    path = tmp_path / "bench.db"
    made = _run("benchmarks/generate.py", str(path), "--scale", str(SCALE))
    assert made.returncode == 0, made.stderr
    assert "Done in" in made.stdout

    db = open_database(path)
    try:
        with db.read() as tx:
            counts = {
                table: tx.scalar(f"SELECT count(*) FROM {table}")
                for table in ("account", "contact", "opportunity", "interaction", "appointment")
            }
            indexed = tx.scalar("SELECT count(*) FROM search_doc")
        assert counts == {
            "account": 20,
            "contact": 100,
            "opportunity": 50,
            "interaction": 1000,
            "appointment": 100,
        }
        assert indexed > 1000, "the triggers filled the search index"
        assert search.check_index(db)
        assert search.search(db, "jan"), "the names the benchmark searches for are there"
    finally:
        db.close()

    again = _run("benchmarks/generate.py", str(path), "--scale", str(SCALE))
    assert again.returncode != 0 and "--replace" in again.stderr + again.stdout

    measured = _run("benchmarks/store_bench.py", str(path), "--runs", "3")
    assert measured.returncode == 0, measured.stderr
    for name in ("search 'jan'", "search 'zimmerman'", "contacts deep page",
                 "contact+timeline busiest"):  # fmt: skip
        line = next(row for row in measured.stdout.splitlines() if row.startswith(name))
        assert "PASS" in line or "FAIL" in line, line
    assert "targets met" in measured.stdout


def test_concurrency_bench_checks_what_it_measures(tmp_path: Path) -> None:
    kept = tmp_path / "writers.db"
    done = _run(
        "benchmarks/concurrency_bench.py",
        *("--processes", "2", "--transactions", "15", "--db", str(kept), "--json"),
    )
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout)
    assert figures["processes"] == 2
    assert figures["operations"]["all"]["done"] == 30
    assert figures["operations"]["all"]["busy"] == 0
    assert figures["transactions_per_second"] > 0
    assert {c["name"]: c["ok"] for c in figures["checks"]} == {
        "contact counters": True,
        "deal versions": True,
        "interactions": True,
        "audit trail": True,
        "integrity_check": True,
        "search index": True,
    }
    again = _run("benchmarks/concurrency_bench.py", "--db", str(kept))
    assert again.returncode != 0 and "new database" in again.stderr
