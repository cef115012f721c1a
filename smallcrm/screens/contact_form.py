"""Adding or changing a contact: name, account, emails, phones, address, consent, notes."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.widgets import Input, Select, TextArea

from smallcrm.screens.form_base import FormScreen
from smallcrm.screens.form_fields import labelled, record_picker
from smallcrm.store import contacts
from smallcrm.store.records import Consent, Contact, ContactMethod
from smallcrm.widgets.date_field import DateField
from smallcrm.widgets.picker import RecordPicker

CONSENT_CHOICES = [("yes", "yes"), ("no", "no")]
TEXT_FIELDS = ("first_name", "last_name", "title", "street", "postal_code", "city", "country")
TEXT_FIELDS_2 = ("owner", "tags", "source")


def methods_text(methods: tuple[ContactMethod, ...], default_label: str) -> str:
    """Emails or phones as typed in the form: ``a@x.com, home:b@y.com``."""
    return ", ".join(
        m.value if m.label == default_label else f"{m.label}:{m.value}" for m in methods
    )


def split_methods(text: str) -> list[str]:
    """``a@x.com, home:b@y.com`` -> each one (commas or semicolons separate them)."""
    return [part.strip() for part in re.split(r"[,;]", text) if part.strip()]


def consent_value(consent: Consent) -> str | Any:
    """The select's value for a consent."""
    if consent.opt_in is None:
        return Select.NULL
    return "yes" if consent.opt_in else "no"


class ContactForm(FormScreen[Contact]):
    """New contact (no ``contact``) or edit one; dismisses with the saved Contact."""

    RECORD_KIND = "contact"
    FIELD_IDS: ClassVar[dict[str, str]] = {
        "name": "first_name",
        "account": "account_id",
        "email": "emails",
        "phone": "phones",
    }
    HELP = """\
Add or change a person.

**Name:** a first or a last name is enough. **Account:** type part of the company's name and
pick it with the arrows and Enter (or leave it empty).

**Emails and phones:** several are separated by commas; a label may go in front:
`jana@acme.example, home:jana@mail.example`, `+49 30 1234567, work:030 987654`.
Phones without a country code are read for your region.

**Birthday** accepts `1.12.1980`, `1980-12-01` and shows the date it read.

**Consent:** whether the person agreed to emails or calls (leave empty if not asked).

Ctrl+S or Enter saves. A field the store does not accept is marked, with the reason, and
everything you typed stays. Esc cancels without saving anything."""

    def __init__(self, contact: Contact | None = None, *, account_id: int | None = None) -> None:
        super().__init__()
        self.contact = contact
        self.account_id = contact.account_id if contact else account_id
        self._initial: dict[str, Any] = {}

    def form_title(self) -> str:
        """``New contact`` or ``Edit Jana Novak``."""
        return f"Edit {self.contact.name}" if self.contact else "New contact"

    def edited_record(self) -> Contact | None:
        """The contact being edited."""
        return self.contact

    def rebase(self, record: Contact) -> None:
        """Edit this (newer) version of the contact from now on."""
        self.contact = record
        self.account_id = record.account_id
        self._initial = self.field_values(record)

    def _initial_values(self) -> dict[str, Any]:
        from smallcrm.store.crud import current_user

        c = self.contact
        if c is None:
            return {
                "owner": current_user(),
                "email_opt_in": Select.NULL,
                "phone_opt_in": Select.NULL,
            }
        return self.field_values(c)

    def field_values(self, c: Contact) -> dict[str, Any]:
        """The contact as the fields show it."""
        return {
            "first_name": c.first_name,
            "last_name": c.last_name,
            "title": c.title or "",
            "emails": methods_text(c.emails, "work"),
            "phones": methods_text(c.phones, "mobile"),
            "street": c.address.street or "",
            "postal_code": c.address.postal_code or "",
            "city": c.address.city or "",
            "country": c.address.country or "",
            "birthday": c.birthday.isoformat() if c.birthday else "",
            "owner": c.owner or "",
            "tags": " ".join(c.tags),
            "source": c.source or "",
            "notes": c.notes or "",
            "email_opt_in": consent_value(c.email_consent),
            "phone_opt_in": consent_value(c.phone_consent),
            "account_id": c.account_id,
        }

    def compose_fields(self) -> ComposeResult:
        """The contact's fields, two to a row."""
        values = self._initial = self._initial_values()

        def text(field: str, label: str, placeholder: str = "", wide: bool = False) -> Input:
            box = Input(values.get(field, ""), placeholder=placeholder, id=field)
            return labelled(box, label, wide=wide)  # type: ignore[return-value]

        yield text("first_name", "First name")
        yield text("last_name", "Last name")
        yield text("title", "Title", "Buyer, CEO, ...")
        yield labelled(
            record_picker(self.db, "account", self.account_id, id="account_id"), "Account"
        )
        yield text("emails", "Emails", "jana@acme.example, home:jana@mail.example", wide=True)
        yield text("phones", "Phones", "+49 30 1234567, work:030 987654", wide=True)
        yield text("street", "Street")
        yield text("postal_code", "Postal code")
        yield text("city", "City")
        yield text("country", "Country")
        yield labelled(
            DateField("date", values.get("birthday", ""), id="birthday", placeholder="1.12.1980"),
            "Birthday",
        )
        yield text("owner", "Owner")
        yield text("tags", "Tags", "vip berlin")
        yield text("source", "Source", "fair, website, referral")
        yield labelled(self._consent("email_opt_in", values["email_opt_in"]), "Email consent")
        yield labelled(self._consent("phone_opt_in", values["phone_opt_in"]), "Phone consent")
        notes = TextArea(values.get("notes", ""), id="notes", soft_wrap=True)
        yield labelled(notes, "Notes", wide=True)

    def _consent(self, field: str, value: Any) -> Select[str]:
        return Select(CONSENT_CHOICES, value=value, prompt="not asked", id=field)

    def _read(self) -> dict[str, Any]:
        """Every field's current value, as typed."""
        values: dict[str, Any] = {}
        for field in (*TEXT_FIELDS, "emails", "phones", *TEXT_FIELDS_2):
            values[field] = self.query_one(f"#{field}", Input).value
        values["birthday"] = self.query_one("#birthday", DateField).value
        values["notes"] = self.query_one("#notes", TextArea).text
        for field in ("email_opt_in", "phone_opt_in"):
            values[field] = self.query_one(f"#{field}", Select).value
        return values

    def _changes(self) -> dict[str, Any]:
        """Store keywords for the fields that differ from what the form opened with."""
        current = self._read()
        changes: dict[str, Any] = {}
        for field, value in current.items():
            if self.contact is not None and value == self._initial.get(field, ""):
                continue
            changes[field] = self._store_value(field, value)
        picker = self.query_one("#account_id", RecordPicker)
        account_id = picker.resolve()
        if self.contact is None or account_id != self.contact.account_id:
            changes["account_id"] = account_id
        return changes

    def _store_value(self, field: str, value: Any) -> Any:
        if field in ("emails", "phones"):
            return split_methods(value)
        if field in ("email_opt_in", "phone_opt_in"):
            return None if value is Select.NULL else value == "yes"
        if field == "birthday":
            return self.query_one("#birthday", DateField).value_date
        return value

    def save(self) -> Contact:
        """Create or update the contact through the store."""
        changes = self._changes()
        if self.contact is None:
            for key in ("email_opt_in", "phone_opt_in"):
                if changes.get(key) is None:
                    changes.pop(key)  # "not asked" is the default; no consent date to record.
            return contacts.create_contact(self.db, allow_duplicate=self.allow_duplicate, **changes)
        if not changes:
            return self.contact
        return contacts.update_contact(
            self.db, self.contact.id, self.contact.tracking.version, **changes
        )
