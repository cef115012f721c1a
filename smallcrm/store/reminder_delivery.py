"""Delivering reminders exactly once, snoozing them and marking them done.

A reminder round (one occurrence's reminder at one due time) is delivered once per user and
channel (``command``: ``smallcrm remind --due``; ``app``: the open app's notification), however
many processes try at the same moment. Each one claims the rounds it is about to deliver in one
write transaction (the write lock makes the claims of concurrent processes happen one after
the other), runs the delivery outside the transaction (a slow mail command must not hold the
database), then marks them delivered, or gives the claim up when delivery failed, so that the
next run tries again. A claim left by a process that died is taken over after ``STALE_CLAIM``.

Reminders missed while nobody ran ``remind --due`` (the machine was off) are recorded as
``dropped`` by the one process that claims them, so each is reported once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from smallcrm.store import clock, reminders, settings
from smallcrm.store.db import Database, Tx, to_datetime
from smallcrm.store.errors import ValidationError
from smallcrm.store.reminders import FOLLOW_UP, Reminder

COMMAND, APP = "command", "app"
STALE_CLAIM = timedelta(minutes=10)
MAX_MISSED_LOOKBACK = timedelta(days=7)
SNOOZES = {"10m": timedelta(minutes=10), "1h": timedelta(hours=1), "tomorrow": None}
_RUN_KEY = "reminders.last_run:"  # + user, in the ``setting`` table


@dataclass
class Outcome:
    """What one delivery run did."""

    delivered: list[Reminder] = field(default_factory=list)
    failed: list[tuple[Reminder, str]] = field(default_factory=list)  # with the reason
    dropped: list[Reminder] = field(default_factory=list)


class DeliveryError(Exception):
    """A delivery channel could not hand a reminder on (the message says why)."""


def pending(db: Database, user: str, channel: str, now: datetime | None = None) -> list[Reminder]:
    """Reminders of ``user`` due now that ``channel`` has not delivered (nor claimed)."""
    now = now or clock.now()
    found = reminders.due(db, user, now)
    with db.read() as tx:
        taken = _taken(tx, user, channel, now - reminders.LOOKBACK - timedelta(days=1), now)
    return [r for r in found if _round(r) not in taken]


def deliver_due(
    db: Database,
    user: str,
    channel: str,
    send: Callable[[Reminder], None],
    now: datetime | None = None,
) -> Outcome:
    """Deliver every reminder of ``user`` due now and not yet delivered on ``channel``, once;
    ``send`` raises ``DeliveryError`` when it could not. Reminders missed since the last run
    (at most ``MAX_MISSED_LOOKBACK``; a day on the first run) are dropped and returned."""
    now = now or clock.now()
    since = _since(db, user, now)
    found = reminders.candidates(db, user, since, now)
    outcome = Outcome()
    with db.write() as tx:
        ready = [r for r in found if now < r.expires_at and _claim(tx, r, channel, "claimed", now)]
        outcome.dropped = [
            r for r in found if now >= r.expires_at and _claim(tx, r, channel, "dropped", now)
        ]
        if channel == COMMAND:
            _record_run(tx, user, now)
    for reminder in ready:
        try:
            send(reminder)
        except DeliveryError as exc:
            outcome.failed.append((reminder, str(exc)))
        else:
            outcome.delivered.append(reminder)
    with db.write() as tx:
        for reminder in outcome.delivered:
            _finish(tx, reminder, channel, now)
        for reminder, _why in outcome.failed:
            _release(tx, reminder, channel)
    return outcome


def _round_params(reminder: Reminder, channel: str) -> dict[str, object]:
    return {
        "kind": reminder.kind,
        "record_id": reminder.record_id,
        "occurrence": reminder.occurrence,
        "user_name": reminder.user,
        "channel": channel,
        "due_at": reminder.due_at.astimezone(UTC),
    }


_SAME_ROUND = (
    "kind = :kind AND record_id = :record_id AND occurrence = :occurrence "
    "AND user_name = :user_name AND channel = :channel AND due_at = :due_at"
)


def _claim(tx: Tx, reminder: Reminder, channel: str, status: str, now: datetime) -> bool:
    """Claim one round for this process (True), unless another has it: delivered, dropped,
    or claimed less than ``STALE_CLAIM`` ago. Runs under the write lock."""
    params = _round_params(reminder, channel)
    row = tx.one(
        f"SELECT id, status, claimed_at FROM reminder_delivery WHERE {_SAME_ROUND}", **params
    )
    if row is None:
        tx.execute(
            "INSERT INTO reminder_delivery (kind, record_id, occurrence, user_name, channel, "
            "due_at, status, claimed_at) VALUES (:kind, :record_id, :occurrence, :user_name, "
            ":channel, :due_at, :status, :now)",
            status=status,
            now=now.astimezone(UTC),
            **params,
        )
        return True
    if row["status"] != "claimed" or to_datetime(row["claimed_at"]) > now - STALE_CLAIM:
        return False
    tx.execute(
        "UPDATE reminder_delivery SET status = :status, claimed_at = :now WHERE id = :id",
        status=status,
        now=now.astimezone(UTC),
        id=row["id"],
    )
    return True


def _finish(tx: Tx, reminder: Reminder, channel: str, now: datetime) -> None:
    tx.execute(
        "UPDATE reminder_delivery SET status = 'delivered', delivered_at = :now "
        f"WHERE {_SAME_ROUND}",
        now=now.astimezone(UTC),
        **_round_params(reminder, channel),
    )


def _release(tx: Tx, reminder: Reminder, channel: str) -> None:
    tx.execute(
        f"DELETE FROM reminder_delivery WHERE {_SAME_ROUND} AND status = 'claimed'",
        **_round_params(reminder, channel),
    )


def claim_one(db: Database, reminder: Reminder, channel: str, now: datetime | None = None) -> bool:
    """Claim and mark one reminder delivered on ``channel`` at once (the app shows it in the
    same step); False when another process already has it."""
    now = now or clock.now()
    with db.write() as tx:
        if not _claim(tx, reminder, channel, "claimed", now):
            return False
        _finish(tx, reminder, channel, now)
    return True


def _round(reminder: Reminder) -> tuple[str, int, str, datetime]:
    return (*reminder.key, reminder.due_at.astimezone(UTC))


def _taken(
    tx: Tx, user: str, channel: str, since: datetime, now: datetime
) -> set[tuple[str, int, str, datetime]]:
    """The rounds ``channel`` delivered, dropped or holds a live claim on since ``since``."""
    found = tx.all(
        "SELECT kind, record_id, occurrence, due_at, status, claimed_at FROM reminder_delivery "
        "WHERE user_name = :user AND channel = :channel AND due_at >= :since",
        user=user,
        channel=channel,
        since=since.astimezone(UTC),
    )
    return {
        (row["kind"], row["record_id"], row["occurrence"], to_datetime(row["due_at"]))
        for row in found
        if row["status"] != "claimed" or to_datetime(row["claimed_at"]) > now - STALE_CLAIM
    }


# --- when remind --due last ran ------------------------------------------------------------------


def _run_key(user: str) -> str:
    return _RUN_KEY + user[:60]


def _record_run(tx: Tx, user: str, now: datetime) -> None:
    key, value = _run_key(user), now.astimezone(UTC).isoformat()
    if tx.execute("UPDATE setting SET value = :value WHERE key = :key", key=key, value=value) == 0:
        tx.execute("INSERT INTO setting (key, value) VALUES (:key, :value)", key=key, value=value)


def last_run(db: Database, user: str) -> datetime | None:
    """When ``smallcrm remind --due`` last ran for ``user`` (None: never)."""
    with db.read() as tx:
        value = tx.scalar("SELECT value FROM setting WHERE key = :key", key=_run_key(user))
    return datetime.fromisoformat(value) if value else None


def _since(db: Database, user: str, now: datetime) -> datetime:
    """Where missed reminders are looked for from: the last run, at most a week back."""
    previous = last_run(db, user)
    if previous is None:
        return now - reminders.LOOKBACK
    return max(min(clock.local(previous), now - reminders.LOOKBACK), now - MAX_MISSED_LOOKBACK)


# --- snooze and done ---------------------------------------------------------------------------


def snooze(db: Database, reminder: Reminder, length: str, now: datetime | None = None) -> datetime:
    """Remind of this occurrence again after ``length`` (``10m``, ``1h`` or ``tomorrow``:
    the next day at the ``follow_up_time``); returns when. A follow-up snoozed until tomorrow
    is simply done for today: its next day's reminder comes at that time anyway."""
    if length not in SNOOZES:
        raise ValidationError("snooze", f"{length!r} is not one of {', '.join(SNOOZES)}")
    now = now or clock.now()
    step = SNOOZES[length]
    if step is None:
        until = clock.at(clock.local(now).date() + timedelta(days=1), settings.follow_up_time())
    else:
        until = now + step
    with db.write() as tx:
        if step is None and reminder.kind == FOLLOW_UP:
            _set_state(tx, reminder, done_at=now)
        else:
            _set_state(tx, reminder, snoozed_until=until)
    return until


def done(db: Database, reminder: Reminder, now: datetime | None = None) -> None:
    """No more reminders of this occurrence; a follow-up is marked done altogether."""
    if reminder.kind == FOLLOW_UP:
        from smallcrm.store.interactions import complete_follow_up

        complete_follow_up(db, reminder.record_id)
        return
    with db.write() as tx:
        _set_state(tx, reminder, done_at=now or clock.now())


def _set_state(
    tx: Tx,
    reminder: Reminder,
    *,
    snoozed_until: datetime | None = None,
    done_at: datetime | None = None,
) -> None:
    key = {
        "kind": reminder.kind,
        "record_id": reminder.record_id,
        "occurrence": reminder.occurrence,
        "user_name": reminder.user,
    }
    values = {
        "snoozed_until": snoozed_until.astimezone(UTC) if snoozed_until else None,
        "done_at": done_at.astimezone(UTC) if done_at else None,
    }
    changed = tx.execute(
        "UPDATE reminder_state SET snoozed_until = :snoozed_until, done_at = :done_at "
        "WHERE kind = :kind AND record_id = :record_id AND occurrence = :occurrence "
        "AND user_name = :user_name",
        **key,
        **values,
    )
    if changed == 0:
        tx.insert("reminder_state", {**key, **values})


def unattended(db: Database, user: str, now: datetime | None = None) -> int:
    """How many reminders of ``user`` are due while ``remind --due`` has not run for a day
    (0: it ran, or nothing is due): nobody is being reminded."""
    now = now or clock.now()
    previous = last_run(db, user)
    if previous is not None and previous > now - timedelta(hours=24):
        return 0
    return len(pending(db, user, COMMAND, now))
