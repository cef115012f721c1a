"""Which deals the pipeline shows: by owner, account and stage."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Checkbox, Input, Select

from smallcrm.screens.form_base import FormScreen
from smallcrm.screens.form_fields import labelled, record_picker
from smallcrm.store.listing import ListQuery
from smallcrm.store.records import Stage
from smallcrm.widgets.picker import RecordPicker

ANY = "any"


@dataclass(frozen=True)
class PipelineFilter:
    """The pipeline's filters; empty fields mean "any"."""

    owner: str | None = None
    account_id: int | None = None
    account_name: str | None = None
    stage: str | None = None
    open_only: bool = False
    # Expected close from / to (the dashboard's forecast months open their deals with these).
    since: date | None = None
    until: date | None = None

    def query(self, **overrides: Any) -> ListQuery:
        """The store query for these filters (page, sort and stage may be overridden)."""
        base = ListQuery(
            owner=self.owner,
            account_id=self.account_id,
            stage=self.stage,
            open_only=self.open_only,
            since=self.since,
            until=self.until,
        )
        return replace(base, **overrides)

    def describe(self) -> str:
        """``owner ann · account Acme · stage proposal``, or empty when nothing is filtered."""
        parts = []
        if self.owner:
            parts.append(f"owner {self.owner}")
        if self.account_id is not None:
            parts.append(f"account {self.account_name or self.account_id}")
        if self.stage:
            parts.append(f"stage {self.stage}")
        if self.open_only:
            parts.append("open only")
        if self.since or self.until:
            first = self.since.isoformat() if self.since else "…"
            last = self.until.isoformat() if self.until else "…"
            parts.append(f"closing {first} to {last}")
        return " · ".join(parts)


class PipelineFilterScreen(FormScreen[PipelineFilter]):
    """Choose the pipeline's filters; returns them, or None when cancelled."""

    FORM_TITLE = "Filter the pipeline"
    ASK_BEFORE_LEAVING = False  # a filter is not data: Esc leaves it at once
    HELP: ClassVar[str] = (
        "## Filter the pipeline\n\n"
        "Show only the deals of one **owner** (their user name), one **account** (type part of "
        "its name and pick it), one **stage**, or only **open** deals.\n\n"
        "**Enter** or **Ctrl+S** applies, **Ctrl+R** shows every deal again, **Esc** keeps the "
        "filters as they were."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+r", "clear", "Clear filters", id="filter.clear"),
    ]

    def __init__(self, current: PipelineFilter, stages: list[Stage]) -> None:
        super().__init__()
        self.current = current
        self.stages = stages

    def compose_fields(self) -> ComposeResult:
        """Owner, account, stage and the open-only switch."""
        yield labelled(Input(self.current.owner or "", placeholder="any", id="owner"), "Owner")
        yield labelled(
            record_picker(self.db, "account", self.current.account_id, id="account"), "Account"
        )
        choices = [("Any stage", ANY)] + [(s.name.capitalize(), s.name) for s in self.stages]
        stage = Select(choices, value=self.current.stage or ANY, allow_blank=False, id="stage")
        yield labelled(stage, "Stage")
        yield labelled(
            Checkbox("Open deals only", self.current.open_only, id="open_only"), "Closed deals"
        )

    def on_mount(self) -> None:
        """Start in the owner field."""
        self.query_one("#owner", Input).focus()

    def save(self) -> PipelineFilter:
        """The filters as chosen (an account name must match one account)."""
        picker = self.query_one("#account", RecordPicker)
        account_id = picker.resolve()
        stage = self.query_one("#stage", Select).value
        return PipelineFilter(
            owner=self.query_one("#owner", Input).value.strip() or None,
            account_id=account_id,
            account_name=picker.text.strip() or None,
            stage=None if stage == ANY else str(stage),
            open_only=self.query_one("#open_only", Checkbox).value,
        )

    def action_clear(self) -> None:
        """Show every deal again."""
        self.dismiss(PipelineFilter())
