"""Adding or changing a marketing campaign: its name and code, channel, status, dates, budget
and actual cost."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.widgets import Input, Select, TextArea

from smallcrm.screens.form_base import FormScreen
from smallcrm.screens.form_fields import labelled
from smallcrm.store import campaigns
from smallcrm.store.campaign_records import Campaign

CHOICES = (("channel", "Channel", campaigns.CHANNELS), ("status", "Status", campaigns.STATUSES))
# Field id -> the store's value name (errors name the field as the shell does: start, budget).
STORE_NAMES = {
    "start": "starts_on",
    "end": "ends_on",
    "budget": "budget_cents",
    "cost": "cost_cents",
}


def _amount(value: Any) -> str:
    return "" if value is None else f"{value:.2f}".removesuffix(".00")


class CampaignForm(FormScreen[Campaign]):
    """New campaign (no ``campaign``) or edit one; dismisses with the saved Campaign."""

    AUTO_FOCUS = "#name"
    RECORD_KIND = "campaign"
    FIELD_IDS: ClassVar[dict[str, str]] = {"starts_on": "start", "ends_on": "end"}
    HELP = """\
Add a marketing campaign, or change one.

**Name** is required. **Code** is the short word people type in the shell and in results
files (SPRING26); left empty, one is made from the name. **Channel** decides the consent its
members need: email and newsletter need email consent, phone and sms phone consent.

**Start** and **End** are dates (2026-03-01). **Budget** is what you plan to spend, **Cost**
what was actually spent: ROI and the cost per lead and per won deal use the cost.

Ctrl+S or Enter saves; errors show on the field and nothing typed is lost. Esc cancels."""

    def __init__(self, campaign: Campaign | None = None) -> None:
        super().__init__()
        self.campaign = campaign
        self._initial: dict[str, Any] = {}

    def form_title(self) -> str:
        """``New campaign`` or ``Edit campaign SPRING26``."""
        return f"Edit campaign {self.campaign.code}" if self.campaign else "New campaign"

    def edited_record(self) -> Campaign | None:
        """The campaign being edited."""
        return self.campaign

    def rebase(self, record: Campaign) -> None:
        """Edit this (newer) version from now on."""
        self.campaign = record
        self._initial = self.field_values(record)

    def field_values(self, c: Campaign) -> dict[str, Any]:
        """The campaign as the fields show it."""
        return {
            "name": c.name,
            "code": c.code,
            "channel": c.channel,
            "status": c.status,
            "start": c.starts_on.isoformat() if c.starts_on else "",
            "end": c.ends_on.isoformat() if c.ends_on else "",
            "budget": _amount(c.budget),
            "cost": _amount(c.cost),
            "owner": c.owner or "",
            "notes": c.notes or "",
        }

    def compose_fields(self) -> ComposeResult:
        """Name, code, channel, status, dates, money, owner and notes."""
        blank = dict.fromkeys(
            ("name", "code", "start", "end", "budget", "cost", "owner", "notes"), ""
        )
        values = self._initial = (
            self.field_values(self.campaign)
            if self.campaign
            else {**blank, "channel": "email", "status": "planning"}
        )
        yield labelled(Input(values["name"], placeholder="Spring offer 2026", id="name"), "Name")
        yield labelled(Input(values["code"], placeholder="SPRING26", id="code"), "Code")
        for field, label, words in CHOICES:
            options = [(w, w) for w in words]
            yield labelled(Select(options, value=values[field], allow_blank=False, id=field), label)
        for field, label, hint in (
            ("start", "Start", "2026-03-01"),
            ("end", "End", "2026-04-30"),
            ("budget", "Budget", "500"),
            ("cost", "Actual cost", "420"),
            ("owner", "Owner", ""),
        ):
            yield labelled(Input(values[field], placeholder=hint, id=field), label)
        yield labelled(TextArea(values["notes"], id="notes", soft_wrap=True), "Notes", wide=True)

    def _values(self) -> dict[str, Any]:
        values: dict[str, Any] = {
            field: self.query_one(f"#{field}", Input).value.strip()
            for field in ("name", "code", "start", "end", "budget", "cost", "owner")
        }
        values["notes"] = self.query_one("#notes", TextArea).text
        for field, _label, _words in CHOICES:
            values[field] = self.query_one(f"#{field}", Select).value
        return values

    def save(self) -> Campaign:
        """Add or change the campaign through the store."""
        values = self._values()
        if self.campaign is None:
            given = {STORE_NAMES.get(k, k): v for k, v in values.items() if v not in ("", None)}
            return campaigns.create_campaign(self.db, **given)
        changes = {
            STORE_NAMES.get(k, k): (v or None)
            for k, v in values.items()
            if v != self._initial.get(k)
        }
        if not changes:
            return self.campaign
        return campaigns.update_campaign(
            self.db, self.campaign.id, self.campaign.tracking.version, **changes
        )
