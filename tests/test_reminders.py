"""Reminders in the store: what is due for whom and when, delivered once per channel, missed
ones dropped, snooze and done."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from smallcrm.store import (
    appointments,
    clock,
    contacts,
    interactions,
    records,
    reminder_delivery,
    reminders,
)
from smallcrm.store.db import Database
from smallcrm.store.reminder_delivery import COMMAND, DeliveryError, deliver_due
from smallcrm.store.reminders import Reminder

NOW = datetime(2026, 11, 25, 10, 30, tzinfo=UTC)


def _meeting(db: Database, start: datetime, minutes: int | None = 15, **values: object) -> int:
    values = {"title": "Demo", "starts_at": start, "reminder_minutes": minutes, **values}
    return appointments.create_appointment(db, **values).id  # type: ignore[arg-type]


def _follow_up(db: Database) -> records.Interaction:
    jana = contacts.create_contact(db, first_name="Jana", last_name="Novak")
    return interactions.log_interaction(
        db,
        kind="call",
        subject="Call back",
        happened_at=NOW,
        follow_up_on=NOW.date(),
        contact_id=jana.id,
    )


def _run(db: Database, at: datetime, user: str = "tester") -> reminder_delivery.Outcome:
    sent: list[Reminder] = []
    outcome = deliver_due(db, user, COMMAND, sent.append, at)
    assert [r.key for r in sent] == [r.key for r in outcome.delivered]
    return outcome


def test_appointment_reminds_its_minutes_before_and_once(db: Database) -> None:
    meeting = _meeting(db, NOW + timedelta(minutes=30))
    assert _run(db, NOW + timedelta(minutes=14)).delivered == []
    first = _run(db, NOW + timedelta(minutes=15))
    assert [(r.record_id, r.kind) for r in first.delivered] == [(meeting, "appointment")]
    assert "Demo" in first.delivered[0].text(NOW + timedelta(minutes=15))
    assert "(in 15 min)" in first.delivered[0].text(NOW + timedelta(minutes=15))
    assert _run(db, NOW + timedelta(minutes=16)).delivered == []


def test_missed_reminder_is_late_before_the_start_and_dropped_after(db: Database) -> None:
    _meeting(db, NOW + timedelta(hours=1), minutes=30, title="Early")
    _meeting(db, NOW + timedelta(hours=3), minutes=150, title="Late")
    # the machine was off from 10:00 until 13:00: "Early" started at 11:30, "Late" starts 13:30
    _run(db, NOW - timedelta(minutes=30))
    outcome = _run(db, NOW + timedelta(hours=2, minutes=30))
    assert [r.title for r in outcome.delivered] == ["Late"]
    assert [r.title for r in outcome.dropped] == ["Early"]
    assert _run(db, NOW + timedelta(hours=2, minutes=31)).dropped == []  # reported once


def test_a_zero_minute_reminder_survives_a_late_cron_run(db: Database) -> None:
    _meeting(db, NOW, minutes=0)
    assert len(_run(db, NOW + timedelta(minutes=2)).delivered) == 1


def test_reminders_belong_to_the_owner_else_the_creator(db: Database) -> None:
    _meeting(db, NOW + timedelta(minutes=10), owner="ana")
    _meeting(db, NOW + timedelta(minutes=10), title="Mine")
    assert [r.title for r in reminders.due(db, "tester", NOW)] == ["Mine"]
    assert [r.title for r in reminders.due(db, "ana", NOW)] == ["Demo"]


def test_follow_up_reminds_at_the_setting_and_each_day_until_done(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SMALLCRM_FOLLOW_UP_TIME", "11:00")
    entry = _follow_up(db)
    assert _run(db, NOW).delivered == []
    day_one = _run(db, NOW.replace(hour=11))
    assert [r.occurrence for r in day_one.delivered] == ["2026-11-25"]
    assert "due today" in day_one.delivered[0].text(NOW.replace(hour=11))
    tomorrow = NOW.replace(hour=11) + timedelta(days=1)
    day_two = _run(db, tomorrow)
    assert [r.occurrence for r in day_two.delivered] == ["2026-11-26"]
    assert "1 day overdue" in day_two.delivered[0].text(tomorrow)
    reminder_delivery.done(db, day_two.delivered[0])
    assert interactions.get_interaction(db, entry.id).follow_up_done
    assert _run(db, tomorrow + timedelta(days=1)).delivered == []


def test_missed_follow_up_days_are_dropped_today_delivered(db: Database) -> None:
    _follow_up(db)
    _run(db, NOW.replace(hour=8))
    later = NOW.replace(hour=10) + timedelta(days=2)  # off for two days
    outcome = _run(db, later)
    assert [r.occurrence for r in outcome.dropped] == ["2026-11-25", "2026-11-26"]
    assert [r.occurrence for r in outcome.delivered] == ["2026-11-27"]


def test_failed_delivery_stays_undelivered(db: Database) -> None:
    _meeting(db, NOW + timedelta(minutes=10))

    def broken(reminder: Reminder) -> None:
        raise DeliveryError("notify-send exited with 1")

    outcome = deliver_due(db, "tester", COMMAND, broken, NOW)
    assert [why for _r, why in outcome.failed] == ["notify-send exited with 1"]
    assert len(_run(db, NOW + timedelta(minutes=1)).delivered) == 1


def test_each_channel_delivers_once(db: Database) -> None:
    _meeting(db, NOW + timedelta(minutes=10))
    assert len(_run(db, NOW).delivered) == 1
    [shown] = reminder_delivery.pending(db, "tester", reminder_delivery.APP, NOW)
    assert reminder_delivery.claim_one(db, shown, reminder_delivery.APP, NOW)
    assert not reminder_delivery.claim_one(db, shown, reminder_delivery.APP, NOW)
    assert reminder_delivery.pending(db, "tester", reminder_delivery.APP, NOW) == []


def test_a_dead_process_claim_is_taken_over(db: Database) -> None:
    _meeting(db, NOW + timedelta(minutes=14))

    class Died(BaseException):
        """The process was killed in the middle of delivering."""

    def dies(reminder: Reminder) -> None:
        raise Died

    with pytest.raises(Died):
        deliver_due(db, "tester", COMMAND, dies, NOW)
    assert _run(db, NOW + timedelta(minutes=1)).delivered == []  # the claim is fresh
    assert len(_run(db, NOW + timedelta(minutes=11)).delivered) == 1


@pytest.mark.parametrize(
    ("length", "again"),
    [("10m", timedelta(minutes=10)), ("1h", timedelta(hours=1))],
)
def test_snooze_reminds_again(db: Database, length: str, again: timedelta) -> None:
    _meeting(db, NOW + timedelta(hours=2), minutes=120)
    [first] = _run(db, NOW).delivered
    until = reminder_delivery.snooze(db, first, length, NOW)
    assert until == NOW + again
    assert _run(db, NOW + again - timedelta(minutes=1)).delivered == []
    [second] = _run(db, NOW + again).delivered
    assert second.snoozed and second.occurrence == first.occurrence


def test_snooze_until_tomorrow_and_done(db: Database) -> None:
    meeting = _meeting(db, NOW + timedelta(days=2), minutes=3 * 24 * 60)
    [first] = _run(db, NOW).delivered
    until = reminder_delivery.snooze(db, first, "tomorrow", NOW)
    assert until == clock.at(NOW.date() + timedelta(days=1), time(9))
    [again] = _run(db, until).delivered
    assert again.record_id == meeting
    reminder_delivery.done(db, again, until)
    assert reminders.due(db, "tester", until + timedelta(minutes=1)) == []


def test_snooze_refuses_other_lengths(db: Database) -> None:
    _meeting(db, NOW + timedelta(minutes=10))
    [due] = reminders.due(db, "tester", NOW)
    with pytest.raises(Exception, match="10m"):
        reminder_delivery.snooze(db, due, "2d", NOW)


def test_deleted_appointment_never_reminds(db: Database) -> None:
    meeting = _meeting(db, NOW + timedelta(minutes=10))
    appointments.delete_appointment(db, meeting)
    assert reminders.due(db, "tester", NOW) == []


def test_text_is_printable(db: Database) -> None:
    _meeting(db, NOW + timedelta(minutes=10), title="Demo\x1b[2J\nnow")
    [due] = reminders.due(db, "tester", NOW)
    assert "\x1b" not in due.text(NOW) and "\n" not in due.text(NOW)


def test_last_run_is_recorded(db: Database) -> None:
    assert reminder_delivery.last_run(db, "tester") is None
    _run(db, NOW)
    assert reminder_delivery.last_run(db, "tester") == NOW
