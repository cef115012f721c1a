"""The campaigns list (F10): each campaign with what it brought, from the same store function
as ``smallcrm report campaigns``."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType

from smallcrm.screens.list_base import ListScreen
from smallcrm.store import campaigns
from smallcrm.store.campaign_figures import campaign_figures, columns
from smallcrm.store.campaign_records import Figures
from smallcrm.store.listing import ListQuery
from smallcrm.store.records import Page
from smallcrm.widgets.paged_table import Column


class CampaignsScreen(ListScreen[Figures]):
    """Marketing campaigns and their figures (F10)."""

    TITLE_CRUMB = "Campaigns"
    KIND = "campaign"
    PLURAL = "campaigns"
    DEFAULT_SORT = "start"  # as the store lists them; no column sorts otherwise
    COLUMNS: ClassVar[list[Column]] = [
        Column("Name", 12, flex=3),
        Column("Ch", 4),
        Column("Status", 8),
        Column("Sent", 6, align="right"),
        Column("Resp%", 6, align="right"),
        Column("Leads", 5, align="right"),
        Column("Won", 8, align="right"),
        Column("ROI", 7, align="right"),
    ]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("m", "members", "Members", id="campaigns.members", tooltip="Its audience"),
        Binding("f", "filter", "Filter", show=False, id="list.filter"),
        Binding("x", "clear_filters", "Clear filters", show=False, id="list.clear_filters"),
        Binding("s", "sort", "Sort", show=False, id="list.sort"),
        Binding("r", "reverse", "Reverse", show=False, id="list.reverse"),
    ]
    HELP = """\
Marketing campaigns, the latest start first, with what each brought: Ch is the channel (eml
email, news newsletter, tel phone, sms, post mail, web, evt event, soc social, ads), Sent the
members the mailing reached or tried to, Resp% the clicks and replies among them, Leads the
contacts whose source is the campaign, Won the deals won and their revenue, ROI = (revenue of
won deals - actual cost) / actual cost (- without a cost).

Attribution is single-touch: each deal credits one campaign (its contact's source campaign
when the deal is created; change it on the deal), and each lead counts for the campaign that
brought it first. The same figures are in `smallcrm report campaigns`.

**Open a campaign** (its figures, members and deals): arrows and Enter. **New campaign:** n.
**Its members:** m. e edits, d deletes (Ctrl+Z right after brings it back).

Members are added from a saved contact filter with f on a campaign's page, or in the shell:
`smallcrm campaign add-members CODE --tag customer` (or `--filter NAME`); either way the
consent rules say who was left out and why. Results are read in the shell: `smallcrm campaign
export CODE`, `smallcrm campaign responses CODE results.csv`."""

    def fetch(self, query: ListQuery) -> Page[Figures]:
        """A window of the campaigns' figures (they are few: all are read and cut)."""
        found = campaign_figures(self.db)
        if query.descending:
            found.reverse()
        end = None if query.limit is None else query.offset + query.limit
        return Page(found[query.offset : end], len(found), query.offset, query.limit or 0)

    def cells(self, record: Figures) -> list[str]:
        """Name, channel, status, sent, response rate, leads, won, ROI."""
        return list(columns(record).values())

    def label_of(self, record: Figures) -> str:
        """``Spring offer 2026 (SPRING26)``."""
        return campaigns.title(record.campaign)

    def empty_text(self) -> str:
        """No campaign yet: what to do next."""
        return (
            "No campaigns yet.\n\n"
            "  n                       add a campaign (a newsletter, an offer, an invitation)\n"
            '  smallcrm add campaign   (in a shell) add campaign "Spring offer" --code SPRING26'
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """No sorting or filters: campaigns are few and listed by start; members need one."""
        if action in ("filter", "clear_filters", "sort", "reverse"):
            return False
        if action == "members":
            return self.table.total > 0 if self.is_mounted else False
        return super().check_action(action, parameters)

    def action_members(self) -> None:
        """m: the audience of the campaign under the cursor."""
        record = self.table.current
        if record is not None:  # the campaign's page lists its members first, focused
            self.app.open_record("campaign", record.id)

    def new_record(self) -> None:
        """n: add a campaign."""
        from smallcrm.screens.campaign_form import CampaignForm

        self.app.push_screen(CampaignForm(), lambda saved: self.reload() if saved else None)

    def edit_record(self, record: Figures) -> None:
        """e: change the campaign."""
        from smallcrm.screens.campaign_form import CampaignForm

        self.app.push_screen(
            CampaignForm(record.campaign), lambda saved: self.reload() if saved else None
        )

    def delete_record(self, record: Figures) -> None:
        """Move the campaign to the trash."""
        campaigns.delete_campaign(self.db, record.campaign.id, record.campaign.tracking.version)
