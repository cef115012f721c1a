"""The rules of a case's clocks: what the business promised (a first response and a resolution
within so much working time) and how much of it is used.

Both clocks start when the case is opened and count working time only (``business_time``).
Waiting on the customer stops them; the customer's reply starts them again where they stood.
The first call, email or visit logged on the case by staff stops the response clock (a note
does not: the customer hears nothing of it); resolving or closing stops the resolution clock.
A resolved case the customer writes to again is reopened with a fresh resolution clock (its
first response stays as it was: it was given).

The state is kept on the case's row (``models.ServiceCase``), so a list reads deadlines rather
than replaying histories: the seconds used by each clock before the current stretch, when
that stretch began, and the instants at which the next target is missed (``due_at``) or has
less than a quarter left (``risk_at``). Each function here takes the row's clock columns and
returns the changed ones; nothing here reads the database or the time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from smallcrm.store import business_time as bt
from smallcrm.store.db_values import to_datetime

STATUSES = ("new", "open", "waiting", "resolved", "closed")
OPEN_STATUSES = ("new", "open", "waiting")
REASONS = ("done", "rejected", "duplicate")
TYPES = ("question", "incident", "problem")
CHANNELS = ("phone", "email", "visit", "web")
RESPONSES = ("call", "email", "visit")  # what staff log that answers the customer
FROM_CUSTOMER = "inbound"  # an interaction's direction when the customer wrote or called
AT_RISK = 0.25  # less than this share of a target left
COLUMNS = (
    "response_target",
    "resolve_target",
    "response_used",
    "resolve_used",
    "running_since",
    "first_response_at",
    "resolved_at",
    "due_at",
    "risk_at",
)
Clock = dict[str, Any]


def of(row: Mapping[str, Any]) -> Clock:
    """The clock columns of a case row, instants as aware datetimes."""
    found = {key: row[key] for key in COLUMNS}
    for key in ("running_since", "first_response_at", "resolved_at", "due_at", "risk_at"):
        found[key] = to_datetime(found[key])
    return found


def _seconds(amount: timedelta) -> int:
    return int(amount.total_seconds())


def start(plan: bt.Schedule, targets: tuple[timedelta, timedelta], at: datetime) -> Clock:
    """The clocks of a case opened at ``at`` with (response, resolution) targets."""
    clock: Clock = dict.fromkeys(COLUMNS)
    clock.update(
        response_target=_seconds(targets[0]),
        resolve_target=_seconds(targets[1]),
        response_used=0,
        resolve_used=0,
        running_since=at,
    )
    return _with_dues(plan, clock)


def _pending(clock: Clock) -> list[tuple[str, str]]:
    """(target, used) column pairs of the clocks still counting."""
    found = []
    if clock["first_response_at"] is None:
        found.append(("response_target", "response_used"))
    if clock["resolved_at"] is None:
        found.append(("resolve_target", "resolve_used"))
    return found


def _run_to(plan: bt.Schedule, clock: Clock, at: datetime) -> Clock:
    """Add the working time since the stretch began to each pending clock; the stretch now
    begins at ``at`` (an earlier ``at`` adds nothing)."""
    since = clock["running_since"]
    if since is None:
        return dict(clock)
    moved = dict(clock)
    took = _seconds(bt.elapsed(plan, since, at))
    for _target, used in _pending(clock):
        moved[used] = clock[used] + took
    moved["running_since"] = max(since, at)
    return moved


def _with_dues(plan: bt.Schedule, clock: Clock) -> Clock:
    since = clock["running_since"]
    dues: list[datetime] = []
    risks: list[datetime] = []
    if since is not None:
        for target, used in _pending(clock):
            whole = timedelta(seconds=clock[target])
            left = whole - timedelta(seconds=clock[used])
            due = bt.deadline(plan, since, left)
            risk = bt.deadline(plan, since, left - whole * AT_RISK)
            dues += [due] if due is not None else []
            risks += [risk] if risk is not None else []
    return {**clock, "due_at": min(dues, default=None), "risk_at": min(risks, default=None)}


def pause(plan: bt.Schedule, clock: Clock, at: datetime) -> Clock:
    """Stop both clocks (waiting on the customer)."""
    moved = _run_to(plan, clock, at)
    moved["running_since"] = None
    return _with_dues(plan, moved)


def resume(plan: bt.Schedule, clock: Clock, at: datetime) -> Clock:
    """Start the clocks again where they stood (the customer answered)."""
    if clock["running_since"] is not None:
        return dict(clock)
    return _with_dues(plan, {**clock, "running_since": at})


def respond(plan: bt.Schedule, clock: Clock, at: datetime) -> Clock:
    """The first response was given at ``at``: its clock stops (a later one changes nothing)."""
    if clock["first_response_at"] is not None:
        return dict(clock)
    moved = _run_to(plan, clock, at)
    moved["first_response_at"] = at
    return _with_dues(plan, moved)


def resolve(plan: bt.Schedule, clock: Clock, at: datetime) -> Clock:
    """Resolved or closed at ``at``: every clock stops."""
    if clock["resolved_at"] is not None:
        return dict(clock)
    moved = _run_to(plan, clock, at)
    moved.update(resolved_at=at, running_since=None)
    return _with_dues(plan, moved)


def reopen(plan: bt.Schedule, clock: Clock, at: datetime) -> Clock:
    """Open again at ``at``: a fresh resolution clock (the first response stays given)."""
    moved = {**clock, "resolved_at": None, "resolve_used": 0, "running_since": at}
    return _with_dues(plan, moved)


def retarget(
    plan: bt.Schedule, clock: Clock, targets: tuple[timedelta, timedelta], at: datetime
) -> Clock:
    """New targets (the priority changed); the time used so far stays used."""
    moved = _run_to(plan, clock, at)
    moved.update(response_target=_seconds(targets[0]), resolve_target=_seconds(targets[1]))
    return _with_dues(plan, moved)


@dataclass(frozen=True)
class Standing:
    """Where a case stands against its promise now: ``left`` (time left), ``over`` (by how
    much it is late) or ``met`` (in how long it was done); which target (``response`` or
    ``resolution``); and whether less than a quarter of it is left."""

    state: str
    amount: timedelta
    target: str
    at_risk: bool = False

    def text(self) -> str:
        """``0h35 left``, ``2h over``, ``met 1h10``."""
        hours = bt.hours_text(self.amount)
        return f"met {hours}" if self.state == "met" else f"{hours} {self.state}"

    @property
    def breached(self) -> bool:
        """True when the target was missed."""
        return self.state == "over"


def used(plan: bt.Schedule, clock: Clock, column: str, now: datetime) -> timedelta:
    """The working time a clock (``response_used`` or ``resolve_used``) has used by ``now``."""
    seconds = timedelta(seconds=clock[column])
    since = clock["running_since"]
    if since is None or (column.replace("_used", "_target"), column) not in _pending(clock):
        return seconds
    return seconds + bt.elapsed(plan, since, now)


def standing(plan: bt.Schedule, clock: Clock, now: datetime) -> Standing:
    """Where the case stands: the response target until it is met, then the resolution."""
    column, name = ("response", "response")
    if clock["first_response_at"] is not None or clock["resolved_at"] is not None:
        column, name = "resolve", "resolution"
    target = timedelta(seconds=clock[f"{column}_target"])
    spent = used(plan, clock, f"{column}_used", now)
    if clock["resolved_at"] is not None:
        done = timedelta(seconds=clock["resolve_used"])
        if done <= target:
            return Standing("met", done, name)
        return Standing("over", done - target, name)
    left = target - spent
    if left <= bt.ZERO:
        return Standing("over", -left, name)
    return Standing("left", left, name, at_risk=left < target * AT_RISK)
