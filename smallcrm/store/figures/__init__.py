"""The numbers of the dashboard and of ``smallcrm report``: one implementation both read.

``TILES`` is the dashboard, in order: each tile names the function that computes its figure
and the shell report it belongs to. A new kind's figure (campaigns, say) is one more entry.
Every figure of one dashboard is computed in one read transaction, so they agree with each
other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from smallcrm.store import clock
from smallcrm.store.db import Database, Tx
from smallcrm.store.errors import ValidationError
from smallcrm.store.figures import activity, deals, history, quality, service, wins
from smallcrm.store.figures.model import Figure, Filters

Compute = Callable[[Tx, Filters, date], Figure]


@dataclass(frozen=True)
class Tile:
    """One figure of the dashboard: its key, what computes it, and the ``smallcrm report``
    subcommand that prints it (several tiles may share one; None: printed elsewhere)."""

    key: str
    title: str
    compute: Compute
    report: str | None
    # Read after the others, so that the screen shows the quick ones first (at 100,000
    # contacts and 50,000 deals these two take about 30 ms each, the most of any tile).
    slow: bool = False


TILES: tuple[Tile, ...] = (
    Tile("pipeline", "Pipeline", deals.pipeline, "pipeline"),
    Tile("history", "Pipeline at month ends", history.pipeline_history, "pipeline", slow=True),
    Tile("forecast", "Forecast by close month", deals.forecast, "forecast"),
    Tile("winrate", "Win rate", wins.winrate, "winrate"),
    Tile("funnel", "Stage funnel", wins.funnel, "funnel"),
    Tile("activity", "Activity per week", activity.weekly, "activity"),
    Tile("people", "Activity per person", activity.people, "activity"),
    Tile("cases", "Cases", service.cases, None),
    Tile("quality", "Data quality", quality.quality, "quality", slow=True),
)


def tile(key: str) -> Tile:
    """The tile ``key``."""
    return next(t for t in TILES if t.key == key)


def reports() -> dict[str, tuple[Tile, ...]]:
    """The shell's reports: each name with its tiles, in dashboard order."""
    found: dict[str, list[Tile]] = {}
    for each in TILES:
        if each.report:
            found.setdefault(each.report, []).append(each)
    return {name: tuple(tiles) for name, tiles in found.items()}


def compute(
    db: Database,
    keys: tuple[str, ...] | None = None,
    filters: Filters | None = None,
    today: date | None = None,
) -> list[Figure]:
    """The figures of the tiles ``keys`` (None: every tile), in one read transaction."""
    chosen = TILES if keys is None else tuple(tile(key) for key in keys)
    day = today or clock.today()
    filters = filters or Filters()
    with db.read() as tx:
        if tx.dialect == "postgresql":
            # PostgreSQL compiles a query it estimates as costly (the funnel's) before running
            # it: 20 ms here for a query that then runs in 35.
            tx.execute("SET LOCAL jit = off")
        _check_stages(tx, filters.stages)
        return [each.compute(tx, filters, day) for each in chosen]


def _check_stages(tx: Tx, stages: tuple[str, ...]) -> None:
    """A stage the pipeline does not have is a mistyped name, not an empty figure."""
    if not stages:
        return
    known = [row["name"] for row in tx.all("SELECT name FROM stage ORDER BY position")]
    for name in stages:
        if name not in known:
            raise ValidationError("stage", f"no stage named {name!r}; one of {', '.join(known)}")
