"""The dashboard's filters: whose records, from which day, and which pipeline stages."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.widgets import Input, SelectionList

from smallcrm.screens.form_base import FormScreen
from smallcrm.screens.form_fields import labelled
from smallcrm.store.figures.model import Filters
from smallcrm.widgets.date_field import DateField


class DashboardFilterScreen(FormScreen[Filters]):
    """Choose the dashboard's filters; returns them, or None when cancelled."""

    FORM_TITLE = "Filter the dashboard"
    ASK_BEFORE_LEAVING = False  # a filter is not data: Esc leaves it at once
    HELP: ClassVar[str] = (
        "## Filter the dashboard\n\n"
        "**Owner**: one person's deals, contacts and cases, and the interactions they logged. "
        "**From**: the first day of the period (empty: each figure's own, 12 months or 12 "
        "weeks). **Stages**: only deals in the stages ticked (Space ticks; none: every stage)."
        "\n\n**Ctrl+S** applies, **Esc** keeps the filters as they were."
    )

    def __init__(self, current: Filters, stages: list[str]) -> None:
        super().__init__()
        self.current = current
        self.stages = stages

    def compose_fields(self) -> ComposeResult:
        """Owner, period start, stages."""
        yield labelled(Input(self.current.owner or "", placeholder="everyone", id="owner"), "Owner")
        since = self.current.since.isoformat() if self.current.since else ""
        yield labelled(DateField("date", since, id="since", placeholder="1.6."), "From")
        ticks = SelectionList[str](
            *((name, name, name in self.current.stages) for name in self.stages), id="stages"
        )
        yield labelled(ticks, "Stages", wide=True)

    def on_mount(self) -> None:
        """Start in the owner field."""
        self.query_one("#owner", Input).focus()

    def save(self) -> Filters:
        """The filters as chosen."""
        ticked = set(self.query_one("#stages", SelectionList).selected)
        return Filters(
            owner=self.query_one("#owner", Input).value.strip() or None,
            since=self.query_one("#since", DateField).value_date,
            stages=tuple(name for name in self.stages if name in ticked),
        )
