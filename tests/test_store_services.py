"""Services for every record type: create, get, update, trash/restore, lists, audit."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from smallcrm.store import accounts, appointments, clock, contacts, interactions, opportunities
from smallcrm.store.db import Database
from smallcrm.store.errors import ConflictError, NotFoundError, ValidationError
from smallcrm.store.listing import ListQuery

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def _audit(db: Database, kind: str, record_id: int) -> list[tuple[str, str, dict]]:
    with db.read() as tx:
        return [
            (r["action"], r["actor"], json.loads(r["changes"]))
            for r in tx.all(
                "SELECT * FROM audit_entry WHERE kind = :k AND record_id = :i ORDER BY id",
                k=kind,
                i=record_id,
            )
        ]


def test_contact_create_get_with_methods_and_account(db: Database) -> None:
    acme = accounts.create_account(
        db, allow_duplicate=True, name="Acme GmbH", website="acme.example"
    )
    jana = contacts.create_contact(
        db,
        allow_duplicate=True,
        name="Jana Novák",
        emails=["jana@example.com", "home:jana@home.example"],
        phones=["+49 30 1234567"],
        account_id=acme.id,
        tags="vip",
        email_opt_in=True,
        email_consent_source="web form",
    )
    got = contacts.get_contact(db, jana.id)
    assert got.name == "Jana Novák"
    assert got.account_name == "Acme GmbH"
    assert [(m.label, m.value) for m in got.emails] == [
        ("work", "jana@example.com"),
        ("home", "jana@home.example"),
    ]
    assert got.phones[0].value == "+49301234567"
    assert got.email_consent.opt_in is True and got.email_consent.at is not None
    assert got.tracking.created_by == "tester" and got.tracking.version == 1
    assert got.tracking.created_at.tzinfo is not None
    action, actor, changes = _audit(db, "contact", jana.id)[0]
    assert (action, actor) == ("create", "tester")
    assert changes["first_name"] == [None, "Jana"]
    assert "jana@example.com" in changes["methods"][1]


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "A", "emails": ["nope"]}, "email"),
        ({"name": "A", "phones": ["abc"]}, "phone"),
        ({"name": "A", "emails": ["a@b.example", "bad"]}, "email[2]"),
        ({"name": "A", "account_id": 999}, "account"),
        ({"name": "A", "birthday": "2999-01-01"}, "birthday"),
        ({"name": "A", "shoe_size": 44}, "shoe_size"),
    ],
)
def test_contact_validation_names_field_and_writes_nothing(
    db: Database, values: dict, field: str
) -> None:
    with pytest.raises(ValidationError) as err:
        contacts.create_contact(db, allow_duplicate=True, **values)
    assert err.value.field == field
    assert contacts.list_contacts(db).total == 0
    with db.read() as tx:
        assert tx.scalar("SELECT count(*) FROM audit_entry") == 0


def test_update_with_stale_version_is_a_conflict(db: Database) -> None:
    jana = contacts.create_contact(db, allow_duplicate=True, name="Jana Novak")
    mine = contacts.get_contact(db, jana.id)
    theirs = contacts.get_contact(db, jana.id)
    contacts.update_contact(db, jana.id, theirs.tracking.version, title="Buyer")
    with pytest.raises(ConflictError, match="changed by someone else"):
        contacts.update_contact(db, jana.id, mine.tracking.version, title="CEO")
    assert contacts.get_contact(db, jana.id).title == "Buyer"


def test_update_audits_old_and_new_values(db: Database) -> None:
    jana = contacts.create_contact(
        db, allow_duplicate=True, name="Jana Novak", emails=["j@example.com"]
    )
    contacts.update_contact(db, jana.id, 1, title="Buyer", emails=["jana@example.com"])
    entries = _audit(db, "contact", jana.id)
    assert entries[1][2] == {"title": [None, "Buyer"]}
    assert entries[2][2]["methods"] == ["work:j@example.com", "work:jana@example.com"]
    assert contacts.get_contact(db, jana.id).tracking.version == 2


def test_trash_and_restore(db: Database) -> None:
    jana = contacts.create_contact(db, allow_duplicate=True, name="Jana Novak")
    contacts.delete_contact(db, jana.id)
    with pytest.raises(NotFoundError):
        contacts.get_contact(db, jana.id)
    assert contacts.list_contacts(db).total == 0
    assert contacts.get_contact(db, jana.id, trashed=True).tracking.deleted_at is not None
    restored = contacts.restore_contact(db, jana.id)
    assert restored.name == "Jana Novak"
    assert [a for a, _, _ in _audit(db, "contact", jana.id)] == ["create", "delete", "restore"]
    with pytest.raises(NotFoundError):
        contacts.restore_contact(db, jana.id)


def test_list_paging_sorting_filters(db: Database) -> None:
    acme = accounts.create_account(db, allow_duplicate=True, name="Acme")
    for i, last in enumerate(["Zimmer", "Adler", "Meyer", "Becker"]):
        contacts.create_contact(
            db,
            allow_duplicate=True,
            first_name=f"P{i}",
            last_name=last,
            owner="ola" if i % 2 else "ben",
            tags="vip" if i < 2 else "",
            account_id=acme.id if i == 3 else None,
        )
    page = contacts.list_contacts(db, ListQuery(limit=2))
    assert [c.last_name for c in page.items] == ["Adler", "Becker"] and page.total == 4
    page2 = contacts.list_contacts(db, ListQuery(limit=2, offset=2))
    assert [c.last_name for c in page2.items] == ["Meyer", "Zimmer"]
    desc = contacts.list_contacts(db, ListQuery(descending=True))
    assert desc.items[0].last_name == "Zimmer"
    assert contacts.list_contacts(db, ListQuery(owner="ola")).total == 2
    assert contacts.list_contacts(db, ListQuery(tag="vip")).total == 2
    assert [
        c.last_name for c in contacts.list_contacts(db, ListQuery(account_id=acme.id)).items
    ] == ["Becker"]
    with pytest.raises(ValidationError, match="cannot sort by"):
        contacts.list_contacts(db, ListQuery(sort="shoe"))
    streamed = list(contacts.iter_contacts(db))
    assert len(streamed) == 4


def test_account_and_pipeline_total(db: Database) -> None:
    acme = accounts.create_account(
        db, allow_duplicate=True, name="Acme", phone="030 1234567", tags="key"
    )
    assert acme.phone == "+49301234567"
    opportunities.create_opportunity(
        db, name="A", account_id=acme.id, amount="10k", stage="proposal"
    )
    opportunities.create_opportunity(db, name="B", account_id=acme.id, amount="1000", stage="won")
    total, weighted = accounts.pipeline_total(db, acme.id)
    assert total == Decimal("10000") and weighted == Decimal("5000.00")
    renamed = accounts.update_account(db, acme.id, acme.tracking.version, name="Acme AG")
    assert renamed.name == "Acme AG"
    with pytest.raises(ValidationError, match="web address"):
        accounts.update_account(db, acme.id, None, website="no way")


def test_interaction_timeline_follow_ups(db: Database) -> None:
    acme = accounts.create_account(db, allow_duplicate=True, name="Acme")
    jana = contacts.create_contact(db, allow_duplicate=True, name="Jana Novak", account_id=acme.id)
    for days in (3, 1, 2):
        interactions.log_interaction(
            db,
            kind="call",
            subject=f"call {days}",
            contact_id=jana.id,
            happened_at=NOW - timedelta(days=days),
            follow_up_on=date(2026, 11, 20) if days == 1 else None,
        )
    line = interactions.timeline(db, contact_id=jana.id)
    assert [i.subject for i in line] == ["call 1", "call 2", "call 3"]
    assert interactions.timeline(db, account_id=acme.id)[0].account_name == "Acme"
    due = interactions.follow_ups_due(db, date(2026, 11, 25))
    assert [i.subject for i in due] == ["call 1"]
    interactions.complete_follow_up(db, due[0].id)
    assert interactions.follow_ups_due(db, date(2026, 11, 25)) == []
    with pytest.raises(ValidationError, match="call, email"):
        interactions.log_interaction(db, kind="fax", subject="x", contact_id=jana.id)
    with pytest.raises(ValidationError, match="contact or an account"):
        interactions.log_interaction(db, kind="note", subject="orphan")


def test_opportunity_stages_probability_and_lost_reason(db: Database) -> None:
    deal = opportunities.create_opportunity(
        db, name="Renewal", amount="12000", expected_close=date(2026, 12, 31)
    )
    assert (deal.stage, deal.probability) == ("lead", 10)
    deal = opportunities.move_stage(db, deal.id, +1)
    assert (deal.stage, deal.probability) == ("qualified", 25)
    deal = opportunities.update_opportunity(db, deal.id, None, stage="negotiation")
    deal = opportunities.move_stage(db, deal.id, +1)
    assert deal.stage == "won" and deal.closed_on is not None
    with pytest.raises(ValidationError, match="lost_reason"):
        opportunities.move_stage(db, deal.id, +1)
    deal = opportunities.move_stage(db, deal.id, +1, reason="price")
    assert (deal.stage, deal.lost_reason) == ("lost", "price")
    with pytest.raises(ValidationError, match="last stage"):
        opportunities.move_stage(db, deal.id, +1)
    board = {s.stage.name: s for s in opportunities.pipeline(db)}
    assert board["lost"].count == 1 and board["lead"].count == 0


def test_saving_the_stage_a_deal_already_has_keeps_its_close_date(db: Database) -> None:
    deal = opportunities.create_opportunity(db, name="Won long ago", stage="won", probability=90)
    with db.write() as tx:
        tx.execute(
            "UPDATE opportunity SET closed_on = :d WHERE id = :id", d=date(2026, 6, 5), id=deal.id
        )
    deal = opportunities.get_opportunity(db, deal.id)

    deal = opportunities.update_opportunity(
        db, deal.id, deal.tracking.version, stage="won", amount="5000"
    )

    assert (deal.closed_on, deal.probability, deal.amount) == (date(2026, 6, 5), 90, 5000)


def test_moving_a_deal_someone_else_moved_is_a_conflict(db: Database) -> None:
    deal = opportunities.create_opportunity(db, name="Renewal", stage="negotiation")
    opportunities.move_stage(db, deal.id, +1)  # another user: negotiation -> won

    with pytest.raises(ConflictError):
        opportunities.move_stage(db, deal.id, +1, expected_version=deal.tracking.version)

    assert opportunities.get_opportunity(db, deal.id).stage == "won"


def test_stale_opportunities(db: Database) -> None:
    deal = opportunities.create_opportunity(db, name="Quiet deal", stage="proposal")
    assert opportunities.stale_opportunities(db, NOW + timedelta(days=5)) == []
    later = clock.now() + timedelta(days=40)
    assert [o.id for o in opportunities.stale_opportunities(db, later)] == [deal.id]


def test_configurable_stages(db: Database) -> None:
    opportunities.add_stage(db, "demo", 40, before="proposal")
    opportunities.set_stage_probability(db, "lead", 5)
    names = [s.name for s in opportunities.stages(db)]
    assert names == ["lead", "qualified", "demo", "proposal", "negotiation", "won", "lost"]
    assert opportunities.create_opportunity(db, name="X").probability == 5


def test_recurring_appointments_expand_and_overlaps(db: Database) -> None:
    start = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    weekly = appointments.create_appointment(
        db,
        title="Standup",
        starts_at=start,
        duration=timedelta(minutes=30),
        rrule="FREQ=WEEKLY;BYDAY=MO",
    )
    appointments.create_appointment(
        db,
        title="Clash",
        starts_at=datetime(2026, 11, 16, 9, 15, tzinfo=UTC),
        ends_at=datetime(2026, 11, 16, 10, 0, tzinfo=UTC),
    )
    found = appointments.occurrences(
        db, datetime(2026, 11, 9, tzinfo=UTC), datetime(2026, 11, 23, tzinfo=UTC)
    )
    assert [(o.appointment.title, o.starts_at.day, o.overlaps) for o in found] == [
        ("Standup", 9, False),
        ("Standup", 16, True),
        ("Clash", 16, True),
    ]
    assert weekly.rrule == "FREQ=WEEKLY;BYDAY=MO"
    with pytest.raises(ValidationError, match="recurrence rule"):
        appointments.create_appointment(db, title="Bad", starts_at=start, rrule="FREQ=SOMETIMES")
    with pytest.raises(ValidationError, match="before the start"):
        appointments.create_appointment(
            db, title="Bad", starts_at=start, ends_at=start - timedelta(hours=1)
        )


def test_services_return_detached_records(db: Database) -> None:
    jana = contacts.create_contact(db, allow_duplicate=True, name="Jana Novak")
    db.close()
    assert jana.name == "Jana Novak"
    with pytest.raises(AttributeError):
        jana.first_name = "X"  # type: ignore[misc]


def test_updating_emails_keeps_phones_and_vice_versa(db: Database) -> None:
    jana = contacts.create_contact(
        db,
        allow_duplicate=True,
        name="Jana Novak",
        emails=["jana@example.com"],
        phones=["+49 30 1234567"],
    )
    after = contacts.update_contact(db, jana.id, None, emails=["new@example.com"])
    assert [m.value for m in after.methods] == ["new@example.com", "+49301234567"]
    after = contacts.update_contact(db, jana.id, None, phones=[])
    assert [m.value for m in after.methods] == ["new@example.com"]


def test_live_counts_follow_creates_trash_restore_and_purge(db: Database) -> None:
    from smallcrm.store.listing import live_count

    def counts() -> tuple[int, int]:
        with db.read() as tx:
            return live_count(tx, "contact"), live_count(tx, "interaction")

    people = [contacts.create_contact(db, allow_duplicate=True, name=f"P {i}") for i in range(3)]
    interactions.log_interaction(db, kind="note", subject="x", contact_id=people[0].id)
    assert counts() == (3, 1)
    contacts.delete_contact(db, people[1].id)
    assert counts() == (2, 1) and contacts.list_contacts(db).total == 2
    contacts.restore_contact(db, people[1].id)
    contacts.delete_contact(db, people[2].id)
    with db.write() as tx:
        tx.execute("DELETE FROM contact WHERE id = :id", id=people[2].id)
    assert counts() == (2, 1)
    page = interactions.list_interactions(db, ListQuery(descending=True))
    assert page.total == 1
