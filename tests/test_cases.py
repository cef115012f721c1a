"""Cases in the store: their clocks in working time (first response, pauses, reopening), the
statuses they move through, the lists of breached and at-risk ones, the report and erasure.

The conftest's clock stands at Wednesday 2026-11-25 10:30 UTC; working hours are the default
mon-fri 09:00-17:00 in UTC. Targets: urgent 1h/8h, high 4h/2d, normal 8h/5d, low 2d/10d.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from smallcrm.store import case_lists, case_report, cases, clock, contacts, interactions, privacy
from smallcrm.store.db import Database
from smallcrm.store.errors import ValidationError
from smallcrm.store.listing import ListQuery


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def jana(db: Database) -> int:
    return contacts.create_contact(db, name="Jana Novak").id


def _log(db: Database, case_id: int, kind: str = "call", inbound: bool = False) -> None:
    direction = "inbound" if inbound else None
    interactions.log_interaction(
        db, kind=kind, subject=f"{kind} on the case", case_id=case_id, direction=direction
    )


def test_a_new_case_promises_a_response(db: Database, jana: int) -> None:
    case = cases.create_case(db, subject="Sensor offline", contact_id=jana, priority="high")
    assert (case.status, case.priority, case.case_type, case.channel) == (
        "new", "high", "question", "phone"
    )  # fmt: skip
    assert case.due_at == _at("2026-11-25T14:30")
    assert case.sla.text == "4h left" and case.sla.target == "response"
    assert case.account_id is None and case.contact_name == "Jana Novak"


def test_a_note_is_no_response_but_a_call_is(db: Database, jana: int) -> None:
    case = cases.create_case(db, subject="Sensor offline", contact_id=jana, priority="urgent")
    clock.pin(_at("2026-11-25T11:00"))
    _log(db, case.id, "note")
    assert cases.get_case(db, case.id).first_response_at is None
    clock.pin(_at("2026-11-25T11:10"))
    _log(db, case.id, "call")
    answered = cases.get_case(db, case.id)
    assert answered.status == "open"
    assert answered.first_response_at == _at("2026-11-25T11:10")
    # The resolution now counts: 8h from 10:30 less the 40 minutes used.
    assert answered.sla.target == "resolution" and answered.sla.text == "7h20 left"


def test_a_late_first_response_shows_over(db: Database, jana: int) -> None:
    case = cases.create_case(db, subject="Sensor offline", contact_id=jana, priority="urgent")
    clock.pin(_at("2026-11-25T13:30"))
    late = cases.get_case(db, case.id)
    assert late.sla.breached and late.sla.text == "2h over"
    assert [c.id for c in case_lists.list_cases(db, ListQuery(extra={"breached": True})).items] == [
        case.id
    ]


def test_waiting_stops_the_clock_and_the_reply_starts_it(db: Database, jana: int) -> None:
    case = cases.create_case(db, subject="Invoice", contact_id=jana, priority="urgent")
    clock.pin(_at("2026-11-25T11:00"))
    _log(db, case.id, "email")  # 30 minutes: the response met
    waiting = cases.change_status(db, case.id, "waiting")
    assert waiting.status == "waiting" and waiting.due_at is None
    clock.pin(_at("2026-11-26T15:00"))  # a day and more later: nothing counted meanwhile
    assert cases.get_case(db, case.id).sla.text == "7h30 left"
    _log(db, case.id, "email", inbound=True)
    back = cases.get_case(db, case.id)
    assert back.status == "open"
    assert back.due_at == _at("2026-11-27T14:30")  # 2h today, 5h30 tomorrow


def test_a_customer_reply_reopens_a_resolved_case_with_a_fresh_clock(
    db: Database, jana: int
) -> None:
    case = cases.create_case(db, subject="Export", contact_id=jana, priority="urgent")
    clock.pin(_at("2026-11-25T12:30"))
    _log(db, case.id)
    resolved = cases.change_status(db, case.id, "resolve")
    assert resolved.status == "resolved" and resolved.sla.text == "met 2h"
    clock.pin(_at("2026-11-26T10:00"))
    _log(db, case.id, "email", inbound=True)
    reopened = cases.get_case(db, case.id)
    assert reopened.status == "open" and reopened.resolved_at is None
    assert reopened.first_response_at == _at("2026-11-25T12:30")  # the answer stays given
    assert reopened.sla.text == "8h left"


def test_closed_needs_a_reason_and_stays_closed_to_replies(db: Database, jana: int) -> None:
    case = cases.create_case(db, subject="Licences", contact_id=jana)
    with pytest.raises(ValidationError, match="reason"):
        cases.change_status(db, case.id, "close")
    with pytest.raises(ValidationError, match="'maybe' is not one of done, rejected, duplicate"):
        cases.change_status(db, case.id, "close", reason="maybe")
    closed = cases.change_status(db, case.id, "close", reason="duplicate")
    assert (closed.status, closed.close_reason) == ("closed", "duplicate")
    _log(db, case.id, "email", inbound=True)
    assert cases.get_case(db, case.id).status == "closed"
    with pytest.raises(ValidationError, match="reopen it first"):
        cases.change_status(db, case.id, "waiting")
    again = cases.change_status(db, case.id, "reopen")
    assert again.status == "open" and again.close_reason is None


def test_moves_that_make_no_sense_are_refused(db: Database, jana: int) -> None:
    case = cases.create_case(db, subject="Licences", contact_id=jana)
    with pytest.raises(ValidationError, match="not resolved or closed"):
        cases.change_status(db, case.id, "reopen")
    with pytest.raises(ValidationError, match="'later' is not one of"):
        cases.change_status(db, case.id, "later")
    with pytest.raises(ValidationError, match="needs a contact or an account"):
        cases.create_case(db, subject="Nobody's")
    with pytest.raises(ValidationError, match="'huge' is not one of low, normal, high, urgent"):
        cases.create_case(db, subject="Big", contact_id=jana, priority="huge")


def test_a_case_opened_on_saturday_counts_from_monday(db: Database, jana: int) -> None:
    clock.pin(_at("2026-11-28T20:00"))
    case = cases.create_case(db, subject="Weekend alarm", contact_id=jana, priority="urgent")
    assert case.due_at == _at("2026-11-30T10:00")
    clock.pin(_at("2026-11-30T09:35"))
    soon = cases.get_case(db, case.id)
    assert soon.sla.text == "0h25 left" and not soon.sla.at_risk
    clock.pin(_at("2026-11-30T09:50"))
    assert cases.get_case(db, case.id).sla.at_risk  # 10 of 60 minutes left
    attention = case_lists.needing_attention(db)
    assert [c.id for c in attention] == [case.id]


def test_a_new_priority_keeps_the_time_used(db: Database, jana: int) -> None:
    case = cases.create_case(db, subject="Slow dashboard", contact_id=jana, priority="low")
    clock.pin(_at("2026-11-25T11:30"))
    raised = cases.update_case(db, case.id, case.tracking.version, priority="urgent")
    assert raised.sla.breached and raised.sla.target == "response"
    assert raised.due_at == _at("2026-11-25T11:30")  # 1h used of 1h: due now


def test_status_change_is_audited_and_versioned(db: Database, jana: int) -> None:
    from smallcrm.store.audit import history

    case = cases.create_case(db, subject="Audit me", contact_id=jana)
    moved = cases.change_status(db, case.id, "waiting")
    assert moved.tracking.version == case.tracking.version + 1
    entries = history(db, "service_case", case.id)
    assert any("status" in e.changes for e in entries)


def test_lists_filter_by_status_priority_and_owner(db: Database, jana: int) -> None:
    a = cases.create_case(db, subject="A", contact_id=jana, priority="high", owner="mia")
    b = cases.create_case(db, subject="B", contact_id=jana, priority="low")
    cases.change_status(db, b.id, "resolve")

    def ids(**extra: object) -> list[int]:
        owner = extra.pop("owner", None)
        query = ListQuery(owner=owner, extra=extra)  # type: ignore[arg-type]
        return [c.id for c in case_lists.list_cases(db, query).items]

    assert ids() == [a.id, b.id]  # open ones first
    assert ids(open=True) == [a.id]
    assert ids(status="resolved") == [b.id]
    assert ids(priority="high") == [a.id]
    assert ids(owner="mia") == [a.id]


def test_the_report_gives_medians_and_shares(db: Database, jana: int) -> None:
    first = cases.create_case(db, subject="One", contact_id=jana, priority="urgent")
    second = cases.create_case(db, subject="Two", contact_id=jana, priority="urgent")
    clock.pin(_at("2026-11-25T11:00"))
    _log(db, first.id)
    clock.pin(_at("2026-11-25T12:00"))
    _log(db, second.id)  # 1h30: late
    cases.change_status(db, first.id, "close", reason="done")
    report = case_report.case_report(db, _at("2026-11-01T00:00"), clock.now_utc())
    urgent = next(line for line in report.lines if line.priority == "urgent")
    assert urgent.cases == 2
    assert urgent.response.median == 60 and urgent.response.p90 == 90
    assert urgent.response.met == 0.5
    assert urgent.resolution.count == 1 and urgent.resolution.met == 1.0
    assert dict(report.backlog)["under 1 day"] == 1


def test_erasing_the_contact_keeps_the_case_without_them(db: Database, jana: int) -> None:
    case = cases.create_case(
        db, subject="Sensor offline", contact_id=jana, description="Jana's phone is 0171 2345"
    )
    exported = privacy.export_person(db, jana)
    assert [row["id"] for row in exported["cases"]] == [case.id]
    privacy.erase_person(db, jana)
    kept = cases.get_case(db, case.id)
    assert kept.contact_id is None and kept.description is None


def test_an_interaction_on_a_case_takes_its_customer(db: Database, jana: int) -> None:
    case = cases.create_case(db, subject="Sensor offline", contact_id=jana)
    logged = interactions.log_interaction(db, kind="call", subject="Called", case_id=case.id)
    assert logged.contact_id == jana and logged.case_id == case.id
    with pytest.raises(ValidationError, match="no case with number 999"):
        interactions.log_interaction(db, kind="call", subject="Called", case_id=999)
    assert [i.id for i in interactions.timeline(db, case_id=case.id)] == [logged.id]


def test_a_trashed_case_leaves_the_lists(db: Database, jana: int) -> None:
    case = cases.create_case(db, subject="Gone", contact_id=jana)
    cases.delete_case(db, case.id)
    assert case_lists.list_cases(db).total == 0
    assert cases.restore_case(db, case.id).subject == "Gone"


def test_a_breach_reminds_the_owner(db: Database, jana: int) -> None:
    from smallcrm.store import reminders

    case = cases.create_case(
        db, subject="Press down", contact_id=jana, priority="urgent", owner="mia"
    )
    assert reminders.due(db, "mia", clock.now()) == []
    later = _at("2026-11-25T11:45")
    (reminder,) = reminders.due(db, "mia", later)
    assert reminder.kind == "service_case" and reminder.record_id == case.id
    assert reminder.text(later) == (
        f"Case {case.id} breached: Press down with Jana Novak (first response not in time) "
        f"[case {case.id}]"
    )
    assert reminders.due(db, "tester", later) == []  # the owner's, not the opener's
