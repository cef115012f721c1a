"""Opening or changing a case: what it is about, for whom, how urgent, how it came in."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.widgets import Input, Select, TextArea

from smallcrm.screens.form_base import FormScreen
from smallcrm.screens.form_fields import labelled, record_picker
from smallcrm.store import case_clock, cases
from smallcrm.store.case_targets import PRIORITIES
from smallcrm.store.records import Case
from smallcrm.widgets.picker import RecordPicker

CHOICES = (
    ("priority", "Priority", tuple(reversed(PRIORITIES))),
    ("case_type", "Type", case_clock.TYPES),
    ("channel", "Came in by", case_clock.CHANNELS),
)


class CaseForm(FormScreen[Case]):
    """New case (no ``case``) or edit one; dismisses with the saved Case."""

    AUTO_FOCUS = "#subject"
    RECORD_KIND = "service_case"
    FIELD_IDS: ClassVar[dict[str, str]] = {"contact": "contact_id", "account": "account_id"}
    HELP = """\
Open a case for a customer's question, incident or problem, or change one.

**Subject** (a few words) and a **Contact** or **Account** are required. **Priority** sets
the response and resolution promised (the `case_targets` setting; a changed priority keeps
the time already used). **Type** and **Came in by** are for the reports.

The status moves with keys on the case (w waiting, v resolve, c close, o reopen), not here.

Ctrl+S or Enter saves; errors show on the field and nothing typed is lost. Esc cancels
(after changes it asks first: s saves, d discards, Esc goes back to the form)."""

    def __init__(self, case: Case | None = None, *, contact_id: int | None = None) -> None:
        super().__init__()
        self.case = case
        self.contact_id = contact_id
        self._initial: dict[str, Any] = {}

    def form_title(self) -> str:
        """``New case`` or ``Edit case 12``."""
        return f"Edit case {self.case.id}: {self.case.subject}" if self.case else "New case"

    def edited_record(self) -> Case | None:
        """The case being edited."""
        return self.case

    def rebase(self, record: Case) -> None:
        """Edit this (newer) version of the case from now on."""
        self.case = record
        self._initial = self.field_values(record)

    def field_values(self, c: Case) -> dict[str, Any]:
        """The case as the fields show it."""
        return {
            "subject": c.subject,
            "priority": c.priority,
            "case_type": c.case_type,
            "channel": c.channel,
            "contact_id": c.contact_id,
            "account_id": c.account_id,
            "owner": c.owner or "",
            "description": c.description or "",
        }

    def _new_values(self) -> dict[str, Any]:
        from smallcrm.store.crud import current_user

        return {
            "subject": "",
            "priority": "normal",
            "case_type": "question",
            "channel": "phone",
            "contact_id": self.contact_id,
            "account_id": None,
            "owner": current_user(),
            "description": "",
        }

    def compose_fields(self) -> ComposeResult:
        """Subject, priority, type, channel, contact, account, owner and what was said."""
        values = self._initial = self.field_values(self.case) if self.case else self._new_values()
        subject = Input(values["subject"], placeholder="Sensor offline", id="subject")
        yield labelled(subject, "Subject", wide=True)
        for field, label, words in CHOICES:
            options = [(w, w) for w in words]
            yield labelled(Select(options, value=values[field], allow_blank=False, id=field), label)
        yield labelled(Input(values["owner"], id="owner"), "Owner")
        yield labelled(
            record_picker(self.db, "contact", values["contact_id"], id="contact_id"), "Contact"
        )
        yield labelled(
            record_picker(self.db, "account", values["account_id"], id="account_id"), "Account"
        )
        description = TextArea(values["description"], id="description", soft_wrap=True)
        yield labelled(description, "What the customer said", wide=True)

    def _values(self) -> dict[str, Any]:
        values: dict[str, Any] = {
            "subject": self.query_one("#subject", Input).value,
            "owner": self.query_one("#owner", Input).value.strip() or None,
            "contact_id": self.query_one("#contact_id", RecordPicker).resolve(),
            "account_id": self.query_one("#account_id", RecordPicker).resolve(),
            "description": self.query_one("#description", TextArea).text or None,
        }
        for field, _label, _words in CHOICES:
            values[field] = self.query_one(f"#{field}", Select).value
        return values

    def save(self) -> Case:
        """Open or change the case through the store."""
        values = self._values()
        if self.case is None:
            return cases.create_case(self.db, **values)
        initial = {k: (v or None) if isinstance(v, str) else v for k, v in self._initial.items()}
        changes = {k: v for k, v in values.items() if v != initial.get(k)}
        if not changes:
            return self.case
        return cases.update_case(self.db, self.case.id, self.case.tracking.version, **changes)
