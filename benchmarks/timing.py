"""Timing and reporting shared by the benchmark scripts: a call's median and 95th-percentile
wall time over several runs, and the table of results against their targets."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from typing import Any

# (name, median ms, p95 ms, target ms, what was found)
Result = tuple[str, float, float, float, str]


def timed(call: Callable[[], Any], runs: int) -> tuple[float, float, Any]:
    """Median and 95th-percentile milliseconds of ``runs`` calls, and the last call's result."""
    wall = []
    found = None
    for _ in range(runs):
        started = time.perf_counter()
        found = call()
        wall.append((time.perf_counter() - started) * 1000)
    wall.sort()
    return statistics.median(wall), wall[max(0, int(len(wall) * 0.95) - 1)], found


def report(results: Sequence[Result]) -> int:
    """Print each result against its target and a count of the targets met; the misses."""
    missed = 0
    for name, median, p95, target, said in results:
        verdict = "PASS" if median <= target else "FAIL"
        missed += verdict == "FAIL"
        print(f"{name:<26} median {median:8.2f} ms  p95 {p95:8.2f} ms  target {target:7.1f} ms"
              f"  {verdict}  ({said})")  # fmt: skip
    print(f"\n{len(results) - missed} of {len(results)} targets met")
    return missed
