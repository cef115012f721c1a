"""Customer service cases for the benchmark database (``generate.py`` calls ``case_rows``).

At scale 1.0: 10,000 cases over a year, about one in ten still open (the newest ones), some
of those waiting on the customer. Each case's clocks are worked out by the store's own rules
(``case_clock``) in working time (mon-fri 09:00-17:00 UTC), from a first response and a
resolution drawn around the targets, so some are met and some breached, as in real use.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from smallcrm.store import business_time as bt
from smallcrm.store import case_clock, case_targets
from smallcrm.store.setting_values import SETTINGS

SUBJECTS = (
    "Sensor offline", "Gateway not reachable", "Wrong readings at night", "Login fails",
    "Invoice question", "Export to ERP stopped", "Alarm keeps firing", "Battery low warning",
    "Dashboard slow", "Training dates", "Firmware update failed", "Replacement part damaged",
)  # fmt: skip
PRIORITIES = (("urgent", 10), ("high", 20), ("normal", 50), ("low", 20))
OPEN_SHARE = 0.1
YEAR = timedelta(days=365)


def _plan() -> bt.Schedule:
    from datetime import UTC

    days = SETTINGS["working_hours"].read("mon-fri 09:00-17:00").days
    return bt.Schedule(days, UTC)


def case_rows(gen: Any, now: datetime, ts: str) -> Iterator[dict[str, Any]]:
    """The rows of ``service_case``, oldest first (``gen`` is generate.py's Generator)."""
    rng, total = gen.rng, gen.counts["service_case"]
    plan, targets = _plan(), case_targets.read(case_targets.DEFAULT)
    weights = [w for _p, w in PRIORITIES]
    for i in range(1, total + 1):
        still_open = i > total * (1 - OPEN_SHARE)
        age = rng.uniform(0, 15) if still_open else 365 * (1 - i / total) + rng.uniform(1, 5)
        opened = now - timedelta(days=age)
        priority = rng.choices([p for p, _w in PRIORITIES], weights)[0]
        response, resolution = targets.of(priority)
        clock = case_clock.start(plan, (response, resolution), opened)
        answered = bt.deadline(plan, opened, response * rng.uniform(0.1, 1.6))
        status = "new"
        if answered is not None and answered < now:
            clock = case_clock.respond(plan, clock, answered)
            status = "open"
        done = bt.deadline(plan, opened, resolution * rng.uniform(0.2, 1.5))
        if not still_open and done is not None and done < now:
            clock = case_clock.resolve(plan, clock, max(done, answered or done))
            status = "closed" if rng.random() < 0.7 else "resolved"
        elif status == "open" and rng.random() < 0.25:
            clock = case_clock.pause(plan, clock, min(now, answered or now))
            status = "waiting"
        contact_id = gen.live_id("contact")
        row = {
            **gen.tracking("service_case", i, opened),
            "subject": rng.choice(SUBJECTS),
            "description": None,
            "status": status,
            "close_reason": rng.choice(("done", "done", "done", "rejected", "duplicate"))
            if status == "closed"
            else None,
            "priority": priority,
            "case_type": rng.choice(case_clock.TYPES),
            "channel": rng.choice(case_clock.CHANNELS),
            "owner": rng.choice(("anna", "ben", "clara", "david", None)),
            "contact_id": contact_id,
            "account_id": gen.contact_account[contact_id],
        }
        for key, value in clock.items():
            row[key] = value.strftime(ts) if isinstance(value, datetime) else value
        yield row
