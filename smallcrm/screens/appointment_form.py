"""Schedule or change an appointment: when, how long, where, how often, with whom."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Checkbox, Input, Select, TextArea

from smallcrm.screens.confirm import ConfirmScreen
from smallcrm.screens.form_base import FormScreen
from smallcrm.screens.form_fields import labelled, record_picker
from smallcrm.store import appointments, clock
from smallcrm.store.dates import describe, parse_duration
from smallcrm.store.errors import NotFoundError, StoreError, ValidationError
from smallcrm.store.records import Appointment
from smallcrm.widgets import formatting as fmt
from smallcrm.widgets.date_field import DateField
from smallcrm.widgets.duration_field import DurationField, length_text
from smallcrm.widgets.picker import RecordPicker

CUSTOM = "custom"
NO_REPEAT = "none"
REPEATS: tuple[tuple[str, str], ...] = (
    ("Does not repeat", NO_REPEAT),
    ("Daily", "FREQ=DAILY"),
    ("Weekdays (Mon-Fri)", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"),
    ("Weekly", "FREQ=WEEKLY"),
    ("Every 2 weeks", "FREQ=WEEKLY;INTERVAL=2"),
    ("Monthly", "FREQ=MONTHLY"),
    ("Yearly", "FREQ=YEARLY"),
    ("Custom rule (RRULE)", CUSTOM),
)
DEFAULT_LENGTH = "1h"


def repeat_choice(rule: str | None) -> str:
    """The repeat menu entry for a stored rule (``custom`` for any other rule)."""
    if not rule:
        return NO_REPEAT
    return next((value for _, value in REPEATS if value == rule.upper()), CUSTOM)


def next_slot(now: datetime) -> datetime:
    """The next full hour: where a new appointment starts when nothing else is given."""
    return now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)


class AppointmentForm(FormScreen[Appointment]):
    """A modal form for a new appointment or an existing one; returns it (or None on Esc).

    ``start`` prefills the start (a slot chosen in the calendar); the ids link the new
    appointment to a contact, an account or a deal.
    """

    CSS_PATH = "appointment_form.tcss"
    RECORD_KIND = "appointment"
    HELP: ClassVar[str] = (
        "## Appointment\n\n"
        "- **Start** accepts `fri 14:00`, `tomorrow 3pm`, `1.12. 9:30`, `2026-12-01 15:30` or "
        "just `15:00` (today); the moment it understood shows under the field.\n"
        "- **Duration or end**: a length (`45`, `1h30`, `2d`) or an end time (`15:30`).\n"
        "- **All day** keeps only the start's date; the duration then counts days (`2d`).\n"
        "- **Repeat** daily, on weekdays, weekly, every two weeks, monthly, yearly, or give an "
        "RFC 5545 rule such as `FREQ=WEEKLY;BYDAY=MO,WE;COUNT=10`. Changing a repeating "
        "appointment changes every occurrence.\n"
        "- **Reminder**: how long before (`15m`, `1h`, `1d`).\n"
        "- **Contact** / **account**: type part of a name and pick a suggestion.\n\n"
        "**Ctrl+S** saves, **Esc** cancels without saving anything, **Ctrl+D** deletes an "
        "existing appointment (Ctrl+Z brings it back), **Ctrl+O** shows its history (who "
        "changed what, and when)."
    )
    FIELD_IDS: ClassVar[dict[str, str]] = {
        "ends_at": "duration",
        "contact_id": "contact",
        "account_id": "account",
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        # Priority: in a text field Ctrl+D would otherwise delete a character (Delete does that).
        Binding("ctrl+d", "delete", "Delete", id="appointment.delete", priority=True),
        # The appointment's view is this form, where letters type: h would be a letter.
        Binding("ctrl+o", "history", "History", id="appointment.history", priority=True),
    ]

    def __init__(
        self,
        appointment_id: int | None = None,
        contact_id: int | None = None,
        account_id: int | None = None,
        opportunity_id: int | None = None,
        start: datetime | None = None,
    ) -> None:
        super().__init__()
        self.appointment_id = appointment_id
        self.contact_id = contact_id
        self.account_id = account_id
        self.opportunity_id = opportunity_id
        self.start = start
        self.current: Appointment | None = None
        self.missing = False

    def _load(self) -> None:
        """Read the appointment being edited (once; the frame asks for the title first)."""
        if self.appointment_id is not None and self.current is None and not self.missing:
            try:
                self.current = appointments.get_appointment(self.db, self.appointment_id)
            except NotFoundError:
                self.missing = True  # deleted meanwhile: on_mount says so and closes

    def form_title(self) -> str:
        """``New appointment`` or ``Edit appointment: <title>``."""
        self._load()
        if self.current is None:
            return "New appointment"
        repeats = " (repeats)" if self.current.rrule else ""
        return f"Edit appointment{repeats}: {self.current.title}"

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Delete and history only for an appointment that exists."""
        if action in {"delete", "history"}:
            return self.appointment_id is not None
        return True

    def action_history(self) -> None:
        """Ctrl+O: who changed this appointment and when (Esc comes back to the form)."""
        from smallcrm.screens.history import HistoryScreen

        if self.current is not None:
            title = self.current.title or f"#{self.current.id}"
            self.app.push_screen(HistoryScreen("appointment", self.current.id, title))

    # fields -------------------------------------------------------------------------------

    def edited_record(self) -> Appointment | None:
        """The appointment being edited."""
        self._load()
        return self.current

    def rebase(self, record: Appointment) -> None:
        """Edit this (newer) version of the appointment from now on."""
        self.current = record

    def field_values(self, item: Appointment) -> dict[str, Any]:
        """The appointment as the fields show it."""
        start = clock.local(item.starts_at)
        minutes = item.reminder_minutes
        return {
            "title": item.title or "",
            "starts_at": start.date().isoformat() if item.all_day else describe(start),
            "duration": length_text(item.ends_at - item.starts_at) if item.ends_at else "",
            "all_day": bool(item.all_day),
            "location": item.location or "",
            "repeat": repeat_choice(item.rrule),
            "reminder_minutes": length_text(timedelta(minutes=minutes))
            if minutes is not None
            else "",
            "rrule": item.rrule or "",
            "contact": item.contact_id,
            "account": item.account_id,
            "notes": item.notes or "",
        }

    def _new_values(self) -> dict[str, Any]:
        return {
            "title": "",
            "starts_at": describe(self.start or next_slot(clock.now())),
            "duration": DEFAULT_LENGTH,
            "all_day": False,
            "location": "",
            "repeat": NO_REPEAT,
            "reminder_minutes": "",
            "rrule": "",
            "contact": self.contact_id,
            "account": self.account_id,
            "notes": "",
        }

    def compose_fields(self) -> ComposeResult:
        """The appointment's fields, prefilled from the one being edited or the chosen slot."""
        self._load()
        values = self.field_values(self.current) if self.current else self._new_values()
        yield labelled(Input(values["title"], id="title"), "Title", wide=True)
        yield labelled(
            DateField("datetime", values["starts_at"], id="starts_at", required=True),
            "Start",
        )
        yield labelled(
            DurationField(values["duration"], placeholder="1h30, 45, 15:30", id="duration"),
            "Duration or end",
        )
        yield labelled(Checkbox("All day", values["all_day"], id="all_day"), "All day")
        yield labelled(Input(values["location"], id="location"), "Location")
        yield labelled(
            Select(list(REPEATS), value=values["repeat"], allow_blank=False, id="repeat"),
            "Repeat",
        )
        yield labelled(
            Input(values["reminder_minutes"], placeholder="15m, 1h, 1d", id="reminder_minutes"),
            "Reminder",
        )
        yield labelled(
            Input(values["rrule"], placeholder="FREQ=WEEKLY;BYDAY=MO,WE;COUNT=10", id="rrule"),
            "Repeat rule (RFC 5545)",
            wide=True,
        )
        yield labelled(
            record_picker(self.db, "contact", values["contact"], id="contact"), "Contact"
        )
        yield labelled(
            record_picker(self.db, "account", values["account"], id="account"), "Account"
        )
        notes = TextArea(values["notes"], id="notes", soft_wrap=True)
        yield labelled(notes, "Notes", wide=True)

    def on_mount(self) -> None:
        """Start in the title; show the raw rule only when it is needed; echo the duration."""
        if self.missing:
            self.notify("That appointment is gone (deleted).", severity="warning")
            self.dismiss(None)
            return
        self._show_rule()
        self._echo_duration()
        self.query_one("#title", Input).focus()

    def on_select_changed(self, event: Select.Changed) -> None:
        """Choosing *Custom rule* opens the rule field."""
        if event.select.id == "repeat":
            self._show_rule()

    def _show_rule(self) -> None:
        custom = self.query_one("#repeat", Select).value == CUSTOM
        self.query_one("#rrule", Input).display = custom

    def on_input_changed(self, event: Input.Changed) -> None:
        """The duration's echo follows both the start and the duration."""
        if event.input.id in {"starts_at", "duration"}:
            self._echo_duration()

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        """All day: the duration counts days."""
        self._echo_duration()

    def _echo_duration(self) -> None:
        try:
            start = self._start()
        except ValidationError:
            start = None
        self.query_one("#duration", DurationField).echo(start)

    # reading ------------------------------------------------------------------------------

    def _start(self) -> datetime:
        start = self.query_one("#starts_at", DateField).value_datetime
        if start is None:
            raise ValidationError("starts_at", "is required: when does it start?")
        if self.query_one("#all_day", Checkbox).value:
            # An all-day entry runs from local midnight: only the date counts.
            start = datetime.combine(start.date(), time(0), tzinfo=start.tzinfo)
        return start

    def _rule(self) -> str | None:
        choice = self.query_one("#repeat", Select).value
        if choice == CUSTOM:
            text = self.query_one("#rrule", Input).value.strip()
            if not text:
                raise ValidationError("rrule", "give a rule like FREQ=WEEKLY;BYDAY=MO")
            return text
        return None if choice == NO_REPEAT else str(choice)

    def _reminder(self) -> int | None:
        text = self.query_one("#reminder_minutes", Input).value.strip()
        if not text:
            return None
        if text.rstrip("m") == "0":
            return 0  # at the start itself (a duration must be more than zero)
        length = parse_duration(text, field="reminder_minutes")
        return int(length.total_seconds() // 60)

    def values(self) -> dict[str, Any]:
        """Everything the form holds, as the store's keyword values."""
        start = self._start()
        all_day = self.query_one("#all_day", Checkbox).value
        end = self.query_one("#duration", DurationField).end_for(start)
        if all_day and end is None:
            end = start + timedelta(days=1)
        title = self.query_one("#title", Input).value.strip()
        location = self.query_one("#location", Input).value.strip()
        notes = self.query_one("#notes", TextArea).text.strip()
        return {
            "title": title or None,
            "starts_at": start,
            "ends_at": end,
            "all_day": all_day,
            "location": location or None,
            "notes": notes or None,
            "rrule": self._rule(),
            "reminder_minutes": self._reminder(),
            "contact_id": self.query_one("#contact", RecordPicker).resolve(),
            "account_id": self.query_one("#account", RecordPicker).resolve(),
        }

    def save(self) -> Appointment:
        """Create the appointment, or change only what was changed on the one being edited."""
        values = self.values()
        if self.current is None:
            return appointments.create_appointment(
                self.db, opportunity_id=self.opportunity_id, **values
            )
        changes = {k: v for k, v in values.items() if not _same(getattr(self.current, k), v)}
        if not changes:
            return self.current
        return appointments.update_appointment(
            self.db, self.current.id, self.current.tracking.version, **changes
        )

    def after_save(self, result: Appointment) -> None:
        """The same notes the shell gives: a start in the past, appointments it overlaps."""
        try:
            check = appointments.check_schedule(self.db, result)
        except StoreError:
            return  # the appointment is saved; the notes can wait for the calendar
        notes = ["It starts in the past."] if check.in_past else []
        notes += [
            f"It overlaps {occ.appointment.title!r}, {fmt.when(occ.starts_at)}."
            for occ in check.overlaps[:3]
        ]
        if notes:
            self.app.notify(" ".join(notes), title="Saved; note", severity="warning", timeout=8)

    # deleting -----------------------------------------------------------------------------

    def action_delete(self) -> None:
        """Move the appointment being edited to the trash, after asking."""
        if self.current is None:
            return
        repeats = " and all its repetitions" if self.current.rrule else ""
        question = f"Delete {self.current.title!r}{repeats}?"
        self.app.push_screen(ConfirmScreen(question, confirm_label="Delete"), self._deleted)

    def _deleted(self, confirmed: bool | None) -> None:
        if not confirmed or self.current is None:
            return
        try:
            appointments.delete_appointment(self.db, self.current.id, self.current.tracking.version)
        except StoreError as exc:
            self.show_form_error(str(exc))
            return
        remember = getattr(self.app, "remember_trashed", None)
        if callable(remember):
            remember("appointment", self.current.id, f"Appointment {self.current.title!r}")
        self.dismiss(self.current)


def _same(stored: object, new: object) -> bool:
    """Equal for saving purposes (rules compare without case)."""
    if isinstance(stored, str) and isinstance(new, str):
        return stored.upper() == new.upper() if stored.startswith("FREQ") else stored == new
    return stored == new
