"""Campaigns at scale: seed 200 campaigns and 100,000 memberships into a benchmark database
(``generate.py``), then measure the campaigns screen's data, the report and adding members.

    python benchmarks/campaigns_bench.py PATH [--campaigns 200] [--members 100000]
                                         [--add 10000] [--runs 50] [--check]

Targets (medians): the campaigns screen's figures and ``report campaigns --json`` <= 100 ms
each; adding 10,000 members to a campaign (consent counted and checked for every contact
chosen) <= 2 s. Seeding is skipped when the database holds campaigns already; leads (contacts
whose source is a campaign) and deals crediting campaigns are seeded too, so every figure has
rows to count. With ``--check`` the exit status is 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from smallcrm.store import campaign_audience, campaigns, clock
from smallcrm.store.campaign_figures import campaign_figures
from smallcrm.store.db import Database, open_database

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import NOW  # noqa: E402  (beside this script, run as a file)
from timing import report, timed  # noqa: E402

CHANNELS = ("email", "newsletter", "event", "phone", "web", "mail")
STATUSES = ("targeted",) * 4 + ("sent",) * 8 + ("bounced", "responded", "responded", "opted_out")
TS = "%Y-%m-%d %H:%M:%S.%f"
ACTOR = "bench"


def seed(db: Database, count: int, members: int, rng: random.Random) -> None:
    """``count`` campaigns, ``members`` memberships spread over them, leads and credited deals."""
    with db.write() as tx:
        contacts = [r["id"] for r in tx.all("SELECT id FROM contact WHERE deleted_at IS NULL")]
        deals = [r["id"] for r in tx.all("SELECT id FROM opportunity WHERE deleted_at IS NULL")]
        ids = []
        for n in range(count):
            start = NOW.date() - timedelta(days=rng.randrange(0, 720))
            values = {
                "name": f"Campaign {n + 1:03d}", "code": f"C{n + 1:03d}",
                "channel": CHANNELS[n % len(CHANNELS)], "status": "complete",
                "starts_on": start, "ends_on": start + timedelta(days=30),
                "budget_cents": rng.randrange(500, 20_000) * 100,
                "cost_cents": rng.randrange(500, 20_000) * 100,
            }  # fmt: skip
            ids.append(campaigns.create_campaign_tx(tx, values, ACTOR))
        at = NOW.strftime(TS)
        per = members // count
        rows: list[dict[str, Any]] = []
        for index, campaign_id in enumerate(ids):
            chosen = rng.sample(contacts, min(per + (index < members % count), len(contacts)))
            for contact_id in chosen:
                status = rng.choice(STATUSES)
                answered = at if status == "responded" else None
                rows.append({"k": campaign_id, "c": contact_id, "s": status, "at": at,
                             "r": answered})  # fmt: skip
        tx.executemany(
            "INSERT INTO campaign_member (campaign_id, contact_id, status, added_at, changed_at, "
            "responded_at) VALUES (:k, :c, :s, :at, :at, :r)",
            rows,
        )
        leads = [{"k": rng.choice(ids), "c": c} for c in rng.sample(contacts, len(contacts) // 10)]
        tx.executemany(
            "UPDATE contact SET source_campaign_id = :k, lifecycle_stage = 'lead' WHERE id = :c",
            leads,
        )
        credited = [{"k": rng.choice(ids), "d": d} for d in rng.sample(deals, len(deals) // 5)]
        tx.executemany("UPDATE opportunity SET campaign_id = :k WHERE id = :d", credited)


def _report(db: Database) -> str:
    from smallcrm.cli.campaign_views import figures_json

    return json.dumps([figures_json(f) for f in campaign_figures(db)])


def _adding(db: Database, how_many: int) -> Callable[[], Any]:
    """Adding ``how_many`` consenting contacts (by owner) to a fresh email campaign, undone
    after each run so every run adds as many."""
    with db.read() as tx:
        owner = tx.scalar(
            "SELECT owner FROM contact WHERE owner IS NOT NULL GROUP BY owner "
            "ORDER BY count(*) DESC LIMIT 1"
        )
        known = tx.scalar("SELECT id FROM campaign WHERE code = 'BENCHADD'")
    if known is None:
        known = campaigns.create_campaign(db, name="Bench add", code="BENCHADD", channel="event").id
    target = campaigns.get_campaign(db, known)
    with db.write() as tx:  # of the owner's contacts, exactly how_many consent to email
        tx.execute(
            "UPDATE contact SET email_opt_in = (id IN (SELECT id FROM contact WHERE owner = :o "
            "AND deleted_at IS NULL ORDER BY id LIMIT :n)) WHERE owner = :o",
            o=owner,
            n=how_many,
        )
    chosen = campaign_audience.Selection(owner=owner, consent=("email",))

    def run() -> Any:
        added = campaign_audience.add_members(db, target.id, chosen)
        with db.write() as tx:
            tx.execute("DELETE FROM campaign_member WHERE campaign_id = :k", k=target.id)
        return added

    return run


def bench(db: Database, runs: int, add: int) -> list[tuple[str, float, float, float, str]]:
    """(name, median ms, p95 ms, target ms, what was found) per measured operation."""
    checks: list[tuple[str, Callable[[], Any], int, float, Callable[[Any], str]]] = [
        ("campaigns screen figures", lambda: campaign_figures(db), runs, 100.0,
         lambda found: f"{len(found)} campaigns"),
        ("report campaigns --json", lambda: _report(db), runs, 100.0,
         lambda text: f"{len(text):,} characters"),
        (f"add-members ({add:,})", _adding(db, add), max(3, runs // 10), 2000.0,
         lambda done: f"{done.added:,} added, {sum(done.left_out.values()):,} left out"),
    ]  # fmt: skip
    results = []
    for name, call, times, target, said in checks:
        median, p95, found = timed(call, times)
        results.append((name, median, p95, target, said(found)))
    return results


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", help="database file or URL made by generate.py")
    parser.add_argument("--campaigns", type=int, default=200)
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--add", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    clock.pin(NOW)
    db = open_database(args.path)
    try:
        with db.read() as tx:
            held = int(tx.scalar("SELECT count(*) FROM campaign"))
        if not held:
            started = time.perf_counter()
            seed(db, args.campaigns, args.members, random.Random(args.seed))
            print(f"seeded in {time.perf_counter() - started:.1f} s")
        with db.read() as tx:
            counts = {t: int(tx.scalar(f"SELECT count(*) FROM {t}")) for t in (
                "campaign", "campaign_member", "contact")}  # fmt: skip
        print(", ".join(f"{n:,} {t}" for t, n in counts.items()))
        results = bench(db, args.runs, args.add)
    finally:
        db.close()
    missed = report(results)
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
