"""Business rules live in the store, so the shell and the app give the same answer: each rule is
driven through both faces here and the results compared.

- A new contact or account that looks like one there is: refused with the look-alikes listed;
  the shell's ``--force`` and the app's "Save anyway" create it.
- Closing a deal won or lost with its reason: one transaction (the stage, the lost reason or a
  "Won: ..." note on the timeline), the same result from ``smallcrm edit`` and the pipeline.
- Booking an appointment that starts in the past or overlaps another: both faces say so.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from textual.widgets import Input
from tui_data import SIZE, app_for, seed
from typer.testing import CliRunner, Result

from smallcrm.cli import app as cli_app
from smallcrm.screens.confirm import ConfirmScreen
from smallcrm.screens.contact_detail import ContactDetailScreen
from smallcrm.screens.contact_form import ContactForm
from smallcrm.screens.stage_reason import StageReasonScreen
from smallcrm.store import accounts, appointments, contacts, interactions, opportunities
from smallcrm.store.db import Database
from smallcrm.store.errors import DuplicateError

pytest_plugins = ["tui_fixtures"]  # tui_db and seeded: the app's small data set


def shell(db: Database, *args: str) -> Result:
    """``smallcrm --db DB ARGS`` in-process."""
    result = CliRunner().invoke(cli_app, ["--db", str(db.path or db.url), *args])
    assert "Traceback" not in result.output
    return result


def _names(db: Database) -> list[str]:
    return sorted(c.name for c in contacts.iter_contacts(db))


# --- likely duplicates -----------------------------------------------------------------------


def test_the_store_refuses_a_look_alike_unless_told(tui_db: Database) -> None:
    seed(tui_db)
    with pytest.raises(DuplicateError) as refused:
        contacts.create_contact(tui_db, name="Jana Nowak")
    (found,) = refused.value.candidates
    assert (found.hit.title, found.reason) == ("Jana Novak", "similar name")
    with pytest.raises(DuplicateError, match="same email"):
        contacts.create_contact(tui_db, name="Someone", emails=["JANA@acme.example"])
    with pytest.raises(DuplicateError, match="Acme GmbH"):
        accounts.create_account(tui_db, name="ACME Inc.")
    assert contacts.create_contact(tui_db, name="Jana Nowak", allow_duplicate=True).id


def test_shell_refuses_a_look_alike_and_force_creates_it(tui_db: Database) -> None:
    seed(tui_db)
    before = _names(tui_db)
    refused = shell(tui_db, "add", "contact", "Jana Nowak")
    assert refused.exit_code == 1
    assert "this looks like a contact you have" in refused.stderr
    assert "Jana Novak" in refused.stderr and "--force" in refused.stderr
    assert _names(tui_db) == before, "nothing saved"
    assert shell(tui_db, "add", "contact", "Jana Nowak", "--force").exit_code == 0
    assert _names(tui_db) == sorted([*before, "Jana Nowak"])


async def _type_new_contact(pilot: Any, first: str, last: str) -> ContactForm:
    await pilot.press("n")
    form = pilot.app.screen
    assert isinstance(form, ContactForm)
    await pilot.press(*first)
    form.query_one("#last_name", Input).focus()
    await pilot.press(*last)
    await pilot.press("ctrl+s")
    await pilot.pause()
    return form


async def test_app_asks_about_a_look_alike_keeps_the_typing_and_saves_anyway(
    tui_db: Database,
) -> None:
    seed(tui_db)
    before = _names(tui_db)
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        form = await _type_new_contact(pilot, "Jana", "Nowak")
        dialog = app.screen
        assert isinstance(dialog, ConfirmScreen), "the same rule as the shell's"
        assert "looks like a contact you have" in dialog.question
        assert "Jana Novak" in dialog.detail and "similar name" in dialog.detail
        await pilot.press("n")  # back to the form: nothing saved, nothing lost
        assert app.screen is form
        assert form.query_one("#last_name", Input).value == "Nowak"
        assert _names(tui_db) == before
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")  # save anyway
        await pilot.pause()
        assert isinstance(app.screen, ContactDetailScreen)
    assert _names(tui_db) == sorted([*before, "Jana Nowak"])


# --- closing a deal with its reason -----------------------------------------------------------


def _closed(db: Database, deal_id: int) -> tuple[str, str | None, list[str]]:
    deal = opportunities.get_opportunity(db, deal_id)
    notes = [i.subject for i in interactions.timeline(db, opportunity_id=deal_id)]
    return deal.stage, deal.lost_reason, notes


@pytest.mark.parametrize(("stage", "reason"), [("won", "best fit"), ("lost", "price")])
async def test_closing_a_deal_gives_the_same_result_in_the_shell_and_the_app(
    tui_db: Database, new_database_url: Any, stage: str, reason: str
) -> None:
    from smallcrm.store.db import open_database

    seeded = seed(tui_db)
    shell_db = open_database(new_database_url("shell.db"))
    try:
        shell_ids = seed(shell_db)
        opportunities.update_opportunity(shell_db, shell_ids.deal, None, stage="negotiation")
        result = shell(shell_db, "edit", "deal", str(shell_ids.deal), f"stage={stage}",
                       f"reason={reason}")  # fmt: skip
        assert result.exit_code == 0, result.output
        by_shell = _closed(shell_db, shell_ids.deal)
    finally:
        shell_db.close()

    opportunities.update_opportunity(tui_db, seeded.deal, None, stage="negotiation")
    app = app_for(tui_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f5")
        await pilot.pause()
        await pilot.press("right", "right", "right")  # to the negotiation column
        await pilot.press("right_square_bracket" if stage == "won" else "x")
        assert isinstance(app.screen, StageReasonScreen)
        await pilot.press(*reason, "enter")
        await pilot.pause()
    by_app = _closed(tui_db, seeded.deal)
    assert by_app == by_shell
    assert by_app[0] == stage
    if stage == "won":
        assert by_app[2] == [f"Won: {reason}"] and by_app[1] is None
    else:
        assert by_app[1] == reason and by_app[2] == []


def test_a_won_deal_and_its_note_are_one_transaction(
    tui_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    seeded = seed(tui_db)
    from smallcrm.store import interactions as interaction_service

    def broken(*args: Any, **kwargs: Any) -> int:
        raise RuntimeError("disk gone while writing the note")

    monkeypatch.setattr(interaction_service, "log_interaction_tx", broken)
    with pytest.raises(RuntimeError):
        opportunities.update_opportunity(tui_db, seeded.deal, None, stage="won", reason="fit")
    assert opportunities.get_opportunity(tui_db, seeded.deal).stage == "proposal", "rolled back"


def test_a_reason_needs_a_closing_stage(tui_db: Database) -> None:
    seeded = seed(tui_db)
    refused = shell(tui_db, "edit", "deal", str(seeded.deal), "reason=because")
    assert refused.exit_code == 1 and "reason: goes with the stage" in refused.stderr
    refused = shell(tui_db, "edit", "deal", str(seeded.deal), "stage=qualified", "reason=x")
    assert refused.exit_code == 1 and "only a won or lost deal takes a reason" in refused.stderr


# --- booking over another appointment ----------------------------------------------------------


async def test_both_faces_note_an_overlap_and_a_start_in_the_past(tui_db: Database) -> None:
    seed(tui_db)
    start = datetime(2026, 11, 27, 14, 0, tzinfo=UTC)
    appointments.create_appointment(
        tui_db, title="Existing", starts_at=start, ends_at=start + timedelta(hours=1)
    )
    out = shell(tui_db, "add", "meeting", "Clash", "2026-11-27", "14:30", "--duration", "1h")
    assert out.exit_code == 0
    assert "Note: it overlaps appointment" in out.stderr and "Existing" in out.stderr
    past = shell(tui_db, "add", "meeting", "Old", "2026-11-20", "09:00")
    assert "Note: that start time is in the past." in past.stderr

    clash = next(a for a in appointments.iter_appointments(tui_db) if a.title == "Clash")
    check = appointments.check_schedule(tui_db, clash)
    assert "Existing" in [o.appointment.title for o in check.overlaps] and not check.in_past

    from smallcrm.screens.appointment_form import AppointmentForm

    app = app_for(tui_db)
    shown: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        app.notify = lambda message, **_: shown.append(str(message))  # type: ignore[method-assign]
        form = AppointmentForm(start=start + timedelta(minutes=15))
        await app.push_screen(form)
        await pilot.pause()
        form.query_one("#title", Input).value = "Another clash"
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert any("overlaps 'Existing'" in text for text in shown), shown


def test_check_schedule_on_an_all_day_event_notes_nothing(tui_db: Database) -> None:
    day = appointments.create_appointment(
        tui_db,
        title="Fair",
        starts_at=datetime(2026, 11, 20, tzinfo=UTC),
        ends_at=datetime(2026, 11, 21, tzinfo=UTC),
        all_day=True,
    )
    check = appointments.check_schedule(tui_db, day)
    assert (check.in_past, check.overlaps) == (False, [])
