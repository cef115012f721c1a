"""One column of the pipeline board: a stage's header with count and totals, then its cards."""

from __future__ import annotations

from datetime import date

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.containers import HorizontalScroll, Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from smallcrm.store.opportunities import StageSummary
from smallcrm.store.records import Opportunity, Stage
from smallcrm.widgets.deal_card import compact_amount, format_amount, is_overdue

MORE_ID = "more"


def card(deal: Opportunity, today: date, closed: bool) -> Group:
    """A card that fits any column width: name, account, then amount and close date.

    An overdue close date carries ``!`` as well as colour, so it reads without colour.
    """
    name = Text(deal.name, style="bold", no_wrap=True, overflow="ellipsis")
    who = deal.account_name or deal.contact_name or "no account"
    account = Text(who, style="italic", no_wrap=True, overflow="ellipsis")
    late = is_overdue(deal, today, closed)
    when = deal.expected_close.isoformat() if deal.expected_close else "no date"
    bottom = Table.grid(expand=True, padding=(0, 1), pad_edge=False)
    bottom.add_column(no_wrap=True, overflow="ellipsis", ratio=1)
    bottom.add_column(no_wrap=True, justify="right")
    bottom.add_row(
        format_amount(deal.amount, deal.currency),
        Text("!" + when, style="bold red") if late else Text(when),
    )
    return Group(name, account, bottom)


def header(summary: StageSummary) -> Text:
    """``Proposal · 12`` over ``Σ 1.2M · w 600k``."""
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(summary.stage.name.capitalize(), style="bold")
    text.append(f" · {summary.count:,}\n")
    text.append(f"Σ {compact_amount(summary.total)}")
    if not summary.stage.is_closed:
        text.append(f" · w {compact_amount(summary.weighted)}")
    return text


class Board(HorizontalScroll, inherit_bindings=False):
    """The row of stage columns. It scrolls to the focused column but binds no keys itself, so
    Left/Right reach the pipeline screen (which moves between columns) instead of scrolling.
    """


class StageColumn(Vertical):
    """A stage on the board. The screen fills it; the column only draws what it is given."""

    def __init__(self, stage: Stage) -> None:
        # The header and the cards are made here rather than in compose(), so a column is
        # whole the moment it is mounted: a board rebuilt while the screen reloads (a stage
        # added by someone else) never shows the screen a column without its cards.
        self._header = Static(stage.name.capitalize(), classes="stage-header")
        self._cards = OptionList(classes="stage-cards")
        super().__init__(self._header, self._cards, classes="stage-column")
        self.stage = stage
        self.deals: list[Opportunity] = []
        self.summary: StageSummary | None = None

    @property
    def cards(self) -> OptionList:
        """The list of cards (the focusable part of the column)."""
        return self._cards

    @property
    def ids(self) -> set[int]:
        """The ids of the deals shown."""
        return {d.id for d in self.deals}

    @property
    def current(self) -> Opportunity | None:
        """The highlighted deal, if a card (not the "more" line) is highlighted."""
        option = self.cards.highlighted_option
        if option is None or option.id == MORE_ID:
            return None
        return next((d for d in self.deals if str(d.id) == option.id), None)

    def show(
        self,
        summary: StageSummary,
        deals: list[Opportunity],
        total: int,
        today: date,
        keep: int | None = None,
    ) -> None:
        """Draw the header and cards; highlight deal ``keep`` (or the same row as before)."""
        self.deals, self.summary = deals, summary
        self._header.update(header(summary))
        cards = self.cards
        row = cards.highlighted or 0
        options: list[Option | None] = []
        for deal in deals:
            options.append(Option(card(deal, today, self.stage.is_closed), id=str(deal.id)))
            options.append(None)
        hidden = total - len(deals)
        if hidden > 0:
            options.append(Option(Text(f"+ {hidden:,} more (Enter)", style="bold"), id=MORE_ID))
        elif not deals:
            options.append(Option(Text("no deals", style="italic"), disabled=True))
        cards.set_options(options)
        ids = [d.id for d in deals]
        if keep is not None and keep in ids:
            cards.highlighted = cards.get_option_index(str(keep))
        elif cards.option_count:
            cards.highlighted = min(row, cards.option_count - 1)
        self.set_class(not deals, "empty")

    def highlight_deal(self, deal_id: int) -> None:
        """Put the cursor on a deal if its card is loaded."""
        if any(d.id == deal_id for d in self.deals):
            self.cards.highlighted = self.cards.get_option_index(str(deal_id))
