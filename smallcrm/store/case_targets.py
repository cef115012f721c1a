"""What the business promises its customers per case priority: a first response within so much
working time, and a resolution within so much (the ``case_targets`` setting).

Written ``urgent 1h/8h; high 4h/2d; normal 8h/5d; low 2d/10d``: a priority, the response target,
a slash, the resolution target. Lengths are working time, counted only within the working
hours (``store/business_time.py``): ``h`` hours, ``m`` minutes, ``d`` working days of 8 hours
(``1h30``, ``90m`` and ``1.5h`` are the same). A priority the setting leaves out keeps its
default. Only the standard library is used: the shell reads this on every quick command.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

PRIORITIES = ("low", "normal", "high", "urgent")  # lowest first
WORKING_DAY = timedelta(hours=8)  # what "d" means in a target
DEFAULT = "urgent 1h/8h; high 4h/2d; normal 8h/5d; low 2d/10d"
_PART = re.compile(r"(\d+(?:\.\d+)?)\s*([dhm])")


@dataclass(frozen=True)
class CaseTargets:
    """Per priority, the (first response, resolution) targets in working time."""

    targets: tuple[tuple[str, timedelta, timedelta], ...]

    def of(self, priority: str) -> tuple[timedelta, timedelta]:
        """The (response, resolution) targets of ``priority``."""
        for name, response, resolution in self.targets:
            if name == priority:
                return response, resolution
        raise KeyError(priority)

    def text(self) -> str:
        """The targets as the setting is written, most urgent first."""
        return "; ".join(
            f"{name} {length_text(a)}/{length_text(b)}" for name, a, b in reversed(self.targets)
        )


def length(text: str) -> timedelta:
    """``1h``, ``1h30``, ``90m``, ``2d`` (working days of 8 hours) as working time."""
    value = text.strip().lower()
    if re.fullmatch(r"\d+h\d{1,2}", value):  # 1h30
        value += "m"
    total = timedelta(0)
    position = 0
    for match in _PART.finditer(value):
        if value[position : match.start()].strip():
            break
        amount = float(match[1])
        unit = {"d": WORKING_DAY, "h": timedelta(hours=1), "m": timedelta(minutes=1)}[match[2]]
        total += amount * unit
        position = match.end()
    if not value or value[position:].strip() or total <= timedelta(0):
        raise ValueError(f"{text!r} is not a length of working time like 1h, 1h30, 90m or 2d")
    return timedelta(minutes=round(total.total_seconds() / 60))


def length_text(amount: timedelta) -> str:
    """A target as written in the setting: ``2d``, ``4h``, ``1h30``, ``45m``."""
    minutes = int(amount.total_seconds() // 60)
    day = int(WORKING_DAY.total_seconds() // 60)
    if minutes % day == 0 and minutes >= 2 * day:
        return f"{minutes // day}d"
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest}m"
    return f"{hours}h{rest:02d}" if rest else f"{hours}h"


def read(text: str) -> CaseTargets:
    """The setting's text as targets; a priority left out keeps its default."""
    chosen = dict(_parts(DEFAULT))
    chosen.update(_parts(text))
    return CaseTargets(tuple((p, *chosen[p]) for p in PRIORITIES))


def _parts(text: str) -> list[tuple[str, tuple[timedelta, timedelta]]]:
    found = []
    for part in re.split(r"[;,\n]+", text.strip()):
        part = part.strip()
        if not part:
            continue
        name, _, rest = part.partition(" ")
        first, slash, second = rest.partition("/")
        if name.lower() not in PRIORITIES or not slash:
            raise ValueError(
                f"{part!r} is not a priority with its targets; write for example "
                f"'{DEFAULT}' (priorities: {', '.join(PRIORITIES)})"
            )
        response, resolution = length(first), length(second)
        if resolution < response:
            raise ValueError(f"{part!r}: the resolution target is shorter than the response")
        found.append((name.lower(), (response, resolution)))
    return found
