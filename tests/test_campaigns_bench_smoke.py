"""The campaigns benchmark still runs: a tiny database generated, campaigns seeded, measured."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], cwd=REPO, capture_output=True, text=True, timeout=300
    )


def test_seed_then_campaigns_bench(tmp_path: Path) -> None:
    path = tmp_path / "bench.db"
    made = _run("benchmarks/generate.py", str(path), "--scale", "0.001")
    assert made.returncode == 0, made.stderr
    measured = _run(
        "benchmarks/campaigns_bench.py", str(path), "--campaigns", "5", "--members", "60",
        "--add", "10", "--runs", "3",
    )  # fmt: skip
    assert measured.returncode == 0, measured.stderr
    assert "5 campaign, 60 campaign_member" in measured.stdout
    for name in ("campaigns screen figures", "report campaigns --json", "add-members (10)"):
        line = next(row for row in measured.stdout.splitlines() if row.startswith(name))
        assert "PASS" in line or "FAIL" in line, line
    assert "10 added" in measured.stdout
