"""Adding or changing an account (a company)."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.widgets import Input, TextArea

from smallcrm.screens.form_base import FormScreen
from smallcrm.screens.form_fields import labelled
from smallcrm.store import accounts
from smallcrm.store.records import Account
from smallcrm.widgets import formatting as fmt

FIELDS = (
    ("name", "Name", ""),
    ("industry", "Industry", "Retail, Tools, ..."),
    ("website", "Website", "acme.example"),
    ("phone", "Phone", "+49 30 1234567"),
    ("street", "Street", ""),
    ("postal_code", "Postal code", ""),
    ("city", "City", ""),
    ("country", "Country", ""),
    ("owner", "Owner", ""),
    ("tags", "Tags", "key-account berlin"),
)


class AccountForm(FormScreen[Account]):
    """New account (no ``account``) or edit one; dismisses with the saved Account."""

    FIELD_IDS: ClassVar[dict[str, str]] = {}
    RECORD_KIND = "account"
    HELP = """\
Add or change a company.

**Name** is required. **Website** may be given without `https://` (`acme.example`).
**Phone** without a country code is read for your region. **Tags** are separated by spaces or
commas.

Ctrl+S or Enter saves. A field the store does not accept is marked with the reason and
everything you typed stays. Esc cancels without saving anything."""

    def __init__(self, account: Account | None = None) -> None:
        super().__init__()
        self.account = account
        self._initial: dict[str, str] = {}

    def form_title(self) -> str:
        """``New account`` or ``Edit Acme GmbH``."""
        return f"Edit {self.account.name}" if self.account else "New account"

    def edited_record(self) -> Account | None:
        """The account being edited."""
        return self.account

    def rebase(self, record: Account) -> None:
        """Edit this (newer) version of the account from now on."""
        self.account = record
        self._initial = self.field_values(record)

    def _initial_values(self) -> dict[str, str]:
        from smallcrm.store.crud import current_user

        if self.account is None:
            return {"owner": current_user()}
        return self.field_values(self.account)

    def field_values(self, a: Account) -> dict[str, str]:
        """The account as the fields show it."""
        return {
            "name": a.name,
            "industry": a.industry or "",
            "website": a.website or "",
            "phone": fmt.phone(a.phone),
            "street": a.address.street or "",
            "postal_code": a.address.postal_code or "",
            "city": a.address.city or "",
            "country": a.address.country or "",
            "owner": a.owner or "",
            "tags": " ".join(a.tags),
            "notes": a.notes or "",
        }

    def compose_fields(self) -> ComposeResult:
        """The account's fields, two to a row."""
        values = self._initial = self._initial_values()
        for field, label, placeholder in FIELDS:
            yield labelled(Input(values.get(field, ""), placeholder=placeholder, id=field), label)
        yield labelled(
            TextArea(values.get("notes", ""), id="notes", soft_wrap=True), "Notes", wide=True
        )

    def _read(self) -> dict[str, Any]:
        values: dict[str, Any] = {f: self.query_one(f"#{f}", Input).value for f, _, _ in FIELDS}
        values["notes"] = self.query_one("#notes", TextArea).text
        return values

    def save(self) -> Account:
        """Create or update the account through the store."""
        values = self._read()
        if self.account is None:
            return accounts.create_account(self.db, allow_duplicate=self.allow_duplicate, **values)
        changes = {k: v for k, v in values.items() if v != self._initial.get(k, "")}
        if not changes:
            return self.account
        return accounts.update_account(
            self.db, self.account.id, self.account.tracking.version, **changes
        )
