"""Logging (or correcting) a call, email, meeting, note or visit, with an optional follow-up."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.widgets import Input, Select, TextArea

from smallcrm.screens.form_base import FormScreen
from smallcrm.screens.form_fields import labelled, record_picker
from smallcrm.store import clock, interactions
from smallcrm.store.dates import describe, parse_duration
from smallcrm.store.errors import ValidationError
from smallcrm.store.records import Interaction
from smallcrm.store.validate import DIRECTIONS, INTERACTION_KINDS
from smallcrm.widgets.date_field import DateField
from smallcrm.widgets.picker import RecordPicker

MINUTE = timedelta(minutes=1)
KIND_TITLES = {
    "call": "Log a call",
    "email": "Log an email",
    "meeting": "Log a meeting",
    "note": "Write a note",
    "visit": "Log a visit",
}


def duration_text(minutes: int | None) -> str:
    """Minutes as the form shows them (``45`` or ``1h30``)."""
    if not minutes:
        return ""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return str(rest)
    return f"{hours}h{rest:02d}" if rest else f"{hours}h"


class InteractionForm(FormScreen[Interaction]):
    """Log a new interaction or edit one; dismisses with the saved Interaction."""

    AUTO_FOCUS = "#subject"
    RECORD_KIND = "interaction"
    FIELD_IDS: ClassVar[dict[str, str]] = {
        "contact": "contact_id",
        "account": "account_id",
        "opportunity": "contact_id",
        "happened_at": "happened_at",
    }
    HELP = """\
Write down what happened: a call, an email, a meeting, a note or a visit.

**Kind** and **Subject** (a few words) are what most entries need; **When** starts at now and
accepts `yesterday 16:00`, `mon 9:30`, `15:00`; the date it read shows under the field.
**Duration** takes `30`, `45m`, `1h30`.

**Follow-up:** a date (`fri`, `next week`, `in 3 days`) puts the entry on the follow-up list of
the day; leave it empty for none.

**Contact / Account:** type part of a name and pick it; a contact's account is filled in
by itself.

Ctrl+S or Enter saves; errors show on the field and nothing typed is lost. Esc cancels
(after changes it asks first: s saves, d discards, Esc goes back to the form)."""

    def __init__(
        self,
        interaction: Interaction | None = None,
        *,
        kind: str = "call",
        contact_id: int | None = None,
        account_id: int | None = None,
        opportunity_id: int | None = None,
        case_id: int | None = None,
        direction: str | None = None,
    ) -> None:
        super().__init__()
        self.interaction = interaction
        self.case_id = case_id
        self.direction = direction
        self.kind = interaction.kind if interaction else kind
        self.contact_id = interaction.contact_id if interaction else contact_id
        self.account_id = interaction.account_id if interaction else account_id
        self.opportunity_id = interaction.opportunity_id if interaction else opportunity_id

    def form_title(self) -> str:
        """``Log a call`` or ``Edit call``."""
        if self.interaction:
            return f"Edit {self.interaction.kind}: {self.interaction.subject}"
        title = KIND_TITLES.get(self.kind, "Log an interaction")
        return f"{title} on case {self.case_id}" if self.case_id is not None else title

    def edited_record(self) -> Interaction | None:
        """The interaction being edited."""
        return self.interaction

    def rebase(self, record: Interaction) -> None:
        """Edit this (newer) version of the interaction from now on."""
        self.interaction = record

    def field_values(self, i: Interaction) -> dict[str, Any]:
        """The interaction as the fields show it."""
        return {
            "kind": i.kind,
            "direction": i.direction or Select.NULL,
            "subject": i.subject or "",
            "happened_at": describe(clock.local(i.happened_at)),
            "duration_minutes": duration_text(i.duration_minutes),
            "contact_id": i.contact_id,
            "account_id": i.account_id,
            "follow_up_on": i.follow_up_on.isoformat() if i.follow_up_on else "",
            "body": i.body or "",
        }

    def _new_values(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "direction": self.direction or Select.NULL,
            "subject": "",
            "happened_at": describe(clock.now()),
            "duration_minutes": "",
            "contact_id": self.contact_id,
            "account_id": self.account_id,
            "follow_up_on": "",
            "body": "",
        }

    def compose_fields(self) -> ComposeResult:
        """Kind, direction, subject, when, duration, links, follow-up and the text."""
        i = self.interaction
        values = self.field_values(i) if i else self._new_values()
        kinds = [(k, k) for k in INTERACTION_KINDS]
        yield labelled(Select(kinds, value=values["kind"], allow_blank=False, id="kind"), "Kind")
        directions = [(d, d) for d in DIRECTIONS]
        yield labelled(
            Select(directions, value=values["direction"], prompt="—", id="direction"),
            "Direction",
        )
        subject = Input(values["subject"], placeholder="Discussed the renewal", id="subject")
        yield labelled(subject, "Subject", wide=True)
        yield labelled(DateField("datetime", values["happened_at"], id="happened_at"), "When")
        duration = Input(values["duration_minutes"], placeholder="30, 1h30", id="duration_minutes")
        yield labelled(duration, "Duration")
        yield labelled(
            record_picker(self.db, "contact", values["contact_id"], id="contact_id"), "Contact"
        )
        yield labelled(
            record_picker(self.db, "account", values["account_id"], id="account_id"), "Account"
        )
        follow_up = DateField(
            "date", values["follow_up_on"], id="follow_up_on", placeholder="fri, next week"
        )
        yield labelled(follow_up, "Follow-up on", wide=True)
        yield labelled(TextArea(values["body"], id="body", soft_wrap=True), "Notes", wide=True)

    def _duration(self) -> int | None:
        text = self.query_one("#duration_minutes", Input).value.strip()
        if not text:
            return None
        if text.isdigit():
            return int(text)
        return int(parse_duration(text, field="duration_minutes").total_seconds() // 60)

    def _values(self) -> dict[str, Any]:
        direction = self.query_one("#direction", Select).value
        when = self.query_one("#happened_at", DateField).value_datetime
        if when is None:
            raise ValidationError("happened_at", "is required: when did it happen?")
        return {
            "kind": self.query_one("#kind", Select).value,
            "direction": None if direction is Select.NULL else direction,
            "subject": self.query_one("#subject", Input).value,
            "body": self.query_one("#body", TextArea).text,
            "happened_at": when,
            "duration_minutes": self._duration(),
            "contact_id": self.query_one("#contact_id", RecordPicker).resolve(),
            "account_id": self.query_one("#account_id", RecordPicker).resolve(),
            "follow_up_on": self.query_one("#follow_up_on", DateField).value_date,
        }

    def save(self) -> Interaction:
        """Log or update through the store."""
        values = self._values()
        if self.interaction is None:
            if self.opportunity_id is not None:
                values["opportunity_id"] = self.opportunity_id
            if self.case_id is not None:
                values["case_id"] = self.case_id
            return interactions.log_interaction(self.db, **values)
        i = self.interaction
        changes = {k: v for k, v in values.items() if v != getattr(i, k)}
        if "body" in changes and not changes["body"] and not i.body:
            changes.pop("body")
        # The form shows minutes; an unchanged time must not count as a change of seconds.
        if "happened_at" in changes and abs(values["happened_at"] - i.happened_at) < MINUTE:
            changes.pop("happened_at")
        if not changes:
            return i
        return interactions.update_interaction(self.db, i.id, i.tracking.version, **changes)
