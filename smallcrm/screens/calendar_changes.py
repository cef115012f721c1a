"""Changing things from the calendar: delete an appointment, or skip one occurrence of a
repeating one, each after asking; mark a follow-up done. The calendar screen satisfies
:class:`CalendarHost`; this module does not import it back."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from smallcrm.screens.confirm import ConfirmScreen
from smallcrm.store import appointments, clock, interactions, offers
from smallcrm.store.dates import describe
from smallcrm.store.errors import StoreError

if TYPE_CHECKING:
    from smallcrm.screens.host import CrmHost
    from smallcrm.store.db import Database
    from smallcrm.store.records import Interaction, Occurrence


class CalendarHost(Protocol):
    """The calendar screen as these changes see it."""

    @property
    def app(self) -> CrmHost: ...
    @property
    def db(self) -> Database: ...
    def reload(self) -> None: ...
    def notify_error(self, exc: BaseException) -> None: ...
    def notify(self, message: str, *, title: str = "", timeout: float | None = None) -> None: ...


def confirm_delete(host: CalendarHost, occurrence: Occurrence) -> None:
    """Ask, then move the appointment (all of a repeating one) to the trash; for a
    tentative hold, withdraw its offer."""
    if occurrence.held_by is not None:
        confirm_withdraw(host, occurrence.held_by)
        return
    appointment = occurrence.appointment
    repeats = " and all its repetitions" if appointment.rrule else ""

    def answered(yes: bool | None) -> None:
        if not yes:
            return
        try:
            appointments.delete_appointment(host.db, appointment.id, appointment.tracking.version)
        except StoreError as exc:
            host.notify_error(exc)
            host.reload()
            return
        host.app.remember_trashed(
            "appointment", appointment.id, f"Appointment {appointment.title!r}"
        )
        host.reload()

    detail = "Ctrl+Z right after brings it back."
    if appointment.rrule:
        detail += " To drop only this day, press s instead."
    question = f"Delete {appointment.title!r}{repeats}?"
    host.app.push_screen(ConfirmScreen(question, confirm_label="Delete", detail=detail), answered)


def confirm_withdraw(host: CalendarHost, offer_id: int) -> None:
    """Ask, then release every time an offer holds."""

    def answered(yes: bool | None) -> None:
        if not yes:
            return
        try:
            offers.withdraw(host.db, offer_id)
        except StoreError as exc:
            host.notify_error(exc)
        host.reload()

    question = f"Withdraw offer {offer_id}?"
    detail = "Every time it holds is free again; the customer can no longer book one."
    host.app.push_screen(ConfirmScreen(question, confirm_label="Withdraw", detail=detail), answered)


def confirm_skip(host: CalendarHost, occurrence: Occurrence) -> None:
    """Ask, then leave out this one occurrence of a repeating appointment."""
    appointment = occurrence.appointment
    if not appointment.rrule:
        host.notify("That appointment does not repeat: d deletes it.", title="Not skipped")
        return

    def answered(yes: bool | None) -> None:
        if not yes:
            return
        try:
            appointments.update_appointment(
                host.db,
                appointment.id,
                appointment.tracking.version,
                exdates=(*appointment.exdates, occurrence.starts_at),
            )
        except StoreError as exc:
            host.notify_error(exc)
        host.reload()

    when = describe(clock.local(occurrence.starts_at))
    question = f"Skip {appointment.title!r} on {when}?"
    detail = "The other occurrences stay. Edit the appointment to change the whole series."
    host.app.push_screen(ConfirmScreen(question, confirm_label="Skip", detail=detail), answered)


def complete_follow_up(host: CalendarHost, item: Interaction) -> None:
    """Mark a follow-up done (it leaves today's list)."""
    try:
        interactions.complete_follow_up(host.db, item.id, item.tracking.version)
    except StoreError as exc:
        host.notify_error(exc)
    else:
        host.notify(f"Follow-up {item.subject!r} done.", title="Done", timeout=3)
    host.reload()
