"""Choosing a list's filters: owner, tag, account, contact, kind, date range, open follow-ups,
consent per channel.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.widgets import Checkbox, Input, Select

from smallcrm.screens.form_base import FormScreen
from smallcrm.screens.form_fields import labelled, record_picker
from smallcrm.store.errors import ValidationError
from smallcrm.store.listing import ListQuery
from smallcrm.store.validate import INTERACTION_KINDS
from smallcrm.widgets.date_field import DateField
from smallcrm.widgets.picker import RecordPicker

CONSENT_FIELDS = {"email_opt_in": "Email consent", "phone_opt_in": "Phone consent"}
CONSENT_CHOICES = [("yes: agreed", True), ("no: refused", False)]
DATE_LABELS = {
    "contacts": "changed",
    "accounts": "changed",
    "interactions": "happened",
}


class FilterForm(FormScreen[ListQuery]):
    """Filters for a list; dismisses with the new query (sort and paging left to the list)."""

    FIELD_IDS: ClassVar[dict[str, str]] = {"since": "since", "until": "until"}
    HELP = """\
Narrow the list down. Every filter you fill in must match; empty ones are ignored.

**Owner** is the user name a record belongs to (for interactions: who logged it).
**Tag** is one tag, such as `vip`. **Account** / **Contact**: type part of a name and pick one.
**From / To** take dates as anywhere else (`1.11.`, `last mon`, `today`), both days included.
**Email / Phone consent** (contacts): *yes* keeps those who agreed to be contacted that way,
*no* those who refused; *any* ignores consent.

Ctrl+S or Enter applies the filters; Esc leaves them as they were. On the list, x clears them."""

    def __init__(self, query: ListQuery, fields: tuple[str, ...], plural: str) -> None:
        super().__init__()
        self.query_in = query
        self.fields = fields
        self.plural = plural

    def form_title(self) -> str:
        """``Filter contacts``."""
        return f"Filter {self.plural}"

    def compose_fields(self) -> ComposeResult:
        """One field per filter this list supports."""
        q = self.query_in
        if "owner" in self.fields:
            yield labelled(Input(q.owner or "", placeholder="user name", id="owner"), "Owner")
        if "tag" in self.fields:
            yield labelled(Input(q.tag or "", placeholder="vip", id="tag"), "Tag")
        if "kind" in self.fields:
            kinds = [(k, k) for k in INTERACTION_KINDS]
            yield labelled(
                Select(kinds, value=q.kind or Select.NULL, prompt="any kind", id="kind"), "Kind"
            )
        if "account_id" in self.fields:
            # Alone on its line unless a contact picker pairs with it: the dates then pair up.
            yield labelled(
                record_picker(self.db, "account", q.account_id, id="account_id"),
                "Account",
                wide="contact_id" not in self.fields,
            )
        if "contact_id" in self.fields:
            yield labelled(
                record_picker(self.db, "contact", q.contact_id, id="contact_id"), "Contact"
            )
        word = DATE_LABELS.get(self.plural, "date")
        since = q.since.isoformat() if q.since else ""
        until = q.until.isoformat() if q.until else ""
        yield labelled(
            DateField("date", since, id="since", placeholder="1.11."), f"{word.capitalize()} from"
        )
        yield labelled(
            DateField("date", until, id="until", placeholder="today"), f"{word.capitalize()} to"
        )
        for name, label in CONSENT_FIELDS.items():
            if name in self.fields:
                current = q.extra.get(name)
                yield labelled(
                    Select(
                        CONSENT_CHOICES,
                        value=Select.NULL if current is None else bool(current),
                        prompt="any",
                        id=name,
                    ),
                    label,
                )
        if "open_only" in self.fields:
            yield labelled(
                Checkbox("Open follow-ups only", q.open_only, id="open_only"),
                "Follow-ups",
                wide=True,
            )

    def save(self) -> ListQuery:
        """The query with the filters as filled in."""
        changes: dict[str, Any] = {"extra": dict(self.query_in.extra)}
        for name in ("owner", "tag"):
            if name in self.fields:
                changes[name] = self.query_one(f"#{name}", Input).value.strip() or None
        if "kind" in self.fields:
            kind = self.query_one("#kind", Select).value
            changes["kind"] = None if kind is Select.NULL else kind
        for name in ("account_id", "contact_id"):
            if name in self.fields:
                picker = self.query_one(f"#{name}", RecordPicker)
                changes[name] = picker.resolve()
                changes["extra"][name.replace("_id", "_name")] = picker.text
        changes["since"] = self.query_one("#since", DateField).value_date
        changes["until"] = self.query_one("#until", DateField).value_date
        if changes["since"] and changes["until"] and changes["since"] > changes["until"]:
            raise ValidationError("until", "is before the start date")
        if "open_only" in self.fields:
            changes["open_only"] = self.query_one("#open_only", Checkbox).value
        for name in CONSENT_FIELDS:
            if name in self.fields:
                value = self.query_one(f"#{name}", Select).value
                changes["extra"][name] = None if value is Select.NULL else bool(value)
        return replace(self.query_in, **changes)
