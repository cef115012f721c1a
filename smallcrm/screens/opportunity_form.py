"""Create or edit a deal: name, account, contact, stage, money, probability, close date."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import Input, Select

from smallcrm.screens.form_base import FormScreen
from smallcrm.screens.form_fields import labelled, record_picker
from smallcrm.store import opportunities, settings
from smallcrm.store.crud import current_user
from smallcrm.store.errors import NotFoundError
from smallcrm.store.records import Opportunity, Stage
from smallcrm.widgets.date_field import DateField
from smallcrm.widgets.picker import RecordPicker

# Form fields that hold the same value as the store's field of that name.
TEXT_FIELDS = ("name", "amount", "currency", "probability", "next_step", "lost_reason", "owner")


class OpportunityForm(FormScreen[Opportunity]):
    """A modal form for a new deal or an existing one; returns the saved deal (or None)."""

    CSS_PATH = "opportunity_form.tcss"
    HELP: ClassVar[str] = (
        "## Deal\n\n"
        "A possible sale: what it is, who it is with, how far along it is and what it is worth.\n\n"
        "- **Account** and **contact**: type part of a name and pick from the suggestions "
        "(Up/Down, Enter). A contact's account is filled in when you leave the account empty.\n"
        "- **Stage** sets the default **probability**; type your own to override it.\n"
        "- **Amount** accepts `12000`, `12,000.50` or `12k`; **currency** is a code like EUR.\n"
        "- **Expected close** accepts `eom`, `next month`, `in 3 weeks`, `2026-12-01`, `1.12.`; "
        "the date it understood shows under the field.\n"
        "- A **lost** deal needs a reason.\n\n"
        "**Ctrl+S** saves, **Esc** cancels without saving anything. A field the store rejects "
        "is marked and focused; what you typed stays."
    )
    FIELD_IDS: ClassVar[dict[str, str]] = {"account_id": "account", "contact_id": "contact"}
    RECORD_KIND = "opportunity"

    def __init__(
        self,
        opportunity_id: int | None = None,
        *,
        account_id: int | None = None,
        contact_id: int | None = None,
        stage: str | None = None,
    ) -> None:
        super().__init__()
        self.opportunity_id = opportunity_id
        self.account_id = account_id
        self.contact_id = contact_id
        self.initial_stage = stage
        self.current: Opportunity | None = None
        self.stages: list[Stage] = []
        self.missing = False

    def _load(self) -> None:
        """Read the stages and the deal being edited (once; the frame asks for the title first)."""
        if not self.stages:
            self.stages = opportunities.stages(self.db)
            if self.opportunity_id is not None:
                try:
                    self.current = opportunities.get_opportunity(self.db, self.opportunity_id)
                except NotFoundError:
                    self.missing = True  # deleted meanwhile: on_mount says so and closes

    def form_title(self) -> str:
        """``New deal`` or ``Edit deal: <name>``."""
        self._load()
        return f"Edit deal: {self.current.name}" if self.current else "New deal"

    def edited_record(self) -> Opportunity | None:
        """The deal being edited."""
        self._load()
        return self.current

    def rebase(self, record: Opportunity) -> None:
        """Edit this (newer) version of the deal from now on."""
        self.current = record

    def field_values(self, deal: Opportunity) -> dict[str, Any]:
        """The deal as the fields show it."""
        return {
            "name": _text(deal.name),
            "account": deal.account_id,
            "contact": deal.contact_id,
            "stage": deal.stage,
            "probability": str(deal.probability),
            "amount": format(deal.amount, "f"),
            "currency": deal.currency,
            "expected_close": deal.expected_close.isoformat() if deal.expected_close else "",
            "owner": _text(deal.owner),
            "next_step": _text(deal.next_step),
            "lost_reason": _text(deal.lost_reason),
        }

    def _new_values(self) -> dict[str, Any]:
        stage = self.initial_stage or self.stages[0].name
        return {
            "name": "",
            "account": self.account_id,
            "contact": self.contact_id,
            "stage": stage,
            "probability": str(self._stage(stage).probability),
            "amount": "",
            "currency": settings.currency(),
            "expected_close": "",
            "owner": current_user(),
            "next_step": "",
            "lost_reason": "",
        }

    def compose_fields(self) -> ComposeResult:
        """The deal's fields, prefilled from the deal being edited."""
        self._load()
        values = self.field_values(self.current) if self.current else self._new_values()

        def text(name: str, label: str, *, wide: bool = False, placeholder: str = "") -> Widget:
            box = Input(values[name], placeholder=placeholder, id=name)
            return labelled(box, label, wide=wide)

        yield text("name", "Name", wide=True)
        yield labelled(
            record_picker(self.db, "account", values["account"], id="account"), "Account"
        )
        yield labelled(
            record_picker(self.db, "contact", values["contact"], id="contact"), "Contact"
        )
        yield labelled(
            Select(
                [(s.name.capitalize(), s.name) for s in self.stages],
                value=values["stage"],
                allow_blank=False,
                id="stage",
            ),
            "Stage",
        )
        yield text("probability", "Probability %")
        yield text("amount", "Amount", placeholder="12000, 12k")
        yield text("currency", "Currency")
        close = DateField("date", values["expected_close"], id="expected_close")
        yield labelled(close, "Expected close")
        yield text("owner", "Owner")
        yield text("next_step", "Next step", wide=True)
        yield text("lost_reason", "Lost because", wide=True)

    def on_mount(self) -> None:
        """Start in the name; show the lost reason only for a lost deal."""
        if self.missing:
            self.notify("That deal is gone (deleted).", severity="warning")
            self.dismiss(None)
            return
        self._show_reason(self.query_one("#stage", Select).value)
        self.query_one("#name", Input).focus()

    def _stage(self, name: object) -> Stage:
        return next((s for s in self.stages if s.name == name), self.stages[0])

    def on_select_changed(self, event: Select.Changed) -> None:
        """A new stage brings its default probability, unless one was typed by hand."""
        if event.select.id != "stage":
            return
        field = self.query_one("#probability", Input)
        defaults = {str(s.probability) for s in self.stages}
        if field.value.strip() in defaults or not field.value.strip():
            field.value = str(self._stage(event.value).probability)
        self._show_reason(event.value)

    def _show_reason(self, stage: object) -> None:
        reason = self.query_one("#lost_reason", Input)
        reason.display = stage == "lost" or bool(reason.value.strip())

    def values(self) -> dict[str, Any]:
        """Everything the form holds, as the store's keyword values."""
        values: dict[str, Any] = {
            key: self.query_one(f"#{key}", Input).value.strip() or None for key in TEXT_FIELDS
        }
        values["stage"] = self.query_one("#stage", Select).value
        values["expected_close"] = self.query_one("#expected_close", DateField).value_date
        values["account_id"] = self.query_one("#account", RecordPicker).resolve()
        values["contact_id"] = self.query_one("#contact", RecordPicker).resolve()
        if values["amount"] is None:
            values["amount"] = "0"
        return values

    def save(self) -> Opportunity:
        """Create the deal, or change only what was changed on the deal being edited."""
        values = self.values()
        if self.current is None:
            return opportunities.create_opportunity(self.db, **values)
        changes = {k: v for k, v in values.items() if v != _stored(self.current, k)}
        if not changes:
            return self.current
        return opportunities.update_opportunity(
            self.db, self.current.id, self.current.tracking.version, **changes
        )


def _stored(deal: Opportunity, key: str) -> object:
    """A deal's value in the form's terms (text for text fields), to see what changed."""
    value = getattr(deal, key)
    if key == "amount":
        return format(value, "f")
    if key in TEXT_FIELDS and value is not None:
        return str(value)
    return value


def _text(value: object) -> str:
    return "" if value is None else str(value)
