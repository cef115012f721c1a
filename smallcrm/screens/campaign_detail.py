"""One campaign: what it brought (members, responses, leads, deals, ROI), its audience and the
deals crediting it, with keys to edit it and to add members."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static
from textual.widgets.option_list import Option

from smallcrm.screens.detail_base import DetailScreen, RelatedList, opportunity_line
from smallcrm.store import attribution, campaigns, settings
from smallcrm.store import formats as fmt
from smallcrm.store.campaign_audience import list_members
from smallcrm.store.campaign_figures import campaign_figures, percent
from smallcrm.store.campaign_records import Figures, Member
from smallcrm.store.errors import StoreError
from smallcrm.store.saved_filters import SavedFilter
from smallcrm.widgets.text import assemble

MEMBERS_SHOWN = 50


def _member_line(member: Member) -> Content:
    said = {True: "consent yes", False: "consent no", None: "not asked"}[member.email_opt_in]
    return assemble(
        (member.name, "bold"),
        f"  {member.status.replace('_', ' ')}",
        (f"  {member.email or ''}  {said}", "dim"),
    )


class CampaignDetailScreen(DetailScreen):
    """A campaign's page, opened from the campaigns list, the search bar or the palette."""

    KIND = "campaign"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("m", "members", "Members", id="campaign.members", tooltip="Go to its audience"),
        Binding(
            "f",
            "add_from_filter",
            "Add by filter",
            id="campaign.add_from_filter",
            tooltip="Add the contacts a saved filter finds now",
        ),  # fmt: skip
    ]
    HELP: ClassVar[str] = """\
One campaign: its channel, status, dates, budget and actual cost, and what it brought.

**Figures:** members, sent (every member the mailing reached or tried to), responses (clicks
and replies) and the response rate, leads (contacts whose source is the campaign), deals
opened and won with their revenue, cost per lead, cost per won deal and ROI = (revenue of won
deals - actual cost) / actual cost. Attribution is single-touch: a deal credits one campaign
only, set from its contact's source campaign when it is created and editable on the deal.

**Audience:** m goes to the members (the first 50, by name), each with its status and email
consent. f adds the contacts a saved filter finds now (saved on the contacts list with S):
those without the consent the channel needs are left out, and a message says how many and
why. In the shell: `smallcrm campaign add-members CODE --tag customer` (or `--filter NAME`);
the mail-merge file and the results of the sending tool also go through the shell
(`campaign export`, `campaign responses`). A member becomes converted when a deal crediting
the campaign is won for it or its account, or when the lead it brought becomes a customer.

**Open something listed:** Tab moves between the lists, arrows choose, Enter opens.

**Change or delete:** e edits the campaign; d moves it to the trash after asking (Ctrl+Z
right after brings it back); h shows its history. Esc or Backspace goes back."""

    def __init__(self, campaign_id: int) -> None:
        super().__init__(campaign_id)
        self.figures: Figures | None = None

    def breadcrumb(self) -> list[str]:
        """``Campaign SPRING26``."""
        code = self.figures.campaign.code if self.figures else str(self.record_id)
        return [f"Campaign {code}"]

    def compose_body(self) -> ComposeResult:
        """The card, the members and the deals."""
        with VerticalScroll(id="detail-scroll"):
            yield Static(id="card", classes="detail-card")
            yield RelatedList("Members", id="members")
            yield RelatedList("Deals crediting it", id="deals")

    def load(self) -> None:
        """Read the campaign's figures, its first members and its deals."""
        campaigns.get_campaign(self.db, self.record_id)  # NotFoundError once it is trashed
        figures = self.figures = campaign_figures(self.db, self.record_id)[0]
        c = figures.campaign
        self.set_card("card", f"{c.name} ({c.code})", self._card_lines(figures))
        page = list_members(self.db, c.id, limit=MEMBERS_SHOWN)
        self.query_one("#members", RelatedList).border_title = f"Members ({page.total})"
        self.query_one("#members", RelatedList).show(
            [Option(_member_line(m), id=f"contact:{m.contact_id}") for m in page.items],
            "No members yet: smallcrm campaign add-members " + c.code + " --tag customer",
        )
        deals = attribution.credited_deals(self.db, c.id)
        self.query_one("#deals", RelatedList).show(
            [Option(opportunity_line(d), id=f"opportunity:{d.id}") for d in deals],
            "No deal credits this campaign yet.",
        )

    def _card_lines(self, f: Figures) -> list[tuple[str, str]]:
        c = f.campaign
        currency = settings.currency()

        def money(value: object) -> str:
            return "" if value is None else fmt.money(value, currency)  # type: ignore[arg-type]

        runs = f"{fmt.day(c.starts_on)} to {fmt.day(c.ends_on)}" if c.starts_on else ""
        return [
            ("Channel", f"{c.channel}, {c.status}"),
            ("Runs", runs),
            ("Budget", money(c.budget)),
            ("Actual cost", money(c.cost)),
            (
                "Members",
                f"{f.members}: {f.sent} sent, {f.bounced} bounced, {f.opted_out} opted out",
            ),
            ("Responses", f"{f.responses} ({percent(f.response_rate)} of those sent)"),
            ("Leads", str(f.leads)),
            ("Deals", f"{f.deals_opened} opened, {f.deals_won} won, {money(f.revenue)}"),
            ("Per lead", money(f.cost_per_lead)),
            ("Per won deal", money(f.cost_per_won)),
            ("ROI", percent(f.roi)),
            ("Owner", c.owner or ""),
            ("Notes", (c.notes or "").split("\n")[0]),
        ]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Nothing is logged or scheduled on a campaign."""
        if action in ("log", "appointment"):
            return False
        return super().check_action(action, parameters)

    def action_members(self) -> None:
        """m: the audience."""
        self.query_one("#members", RelatedList).focus()

    def action_edit(self) -> None:
        """e: edit the campaign."""
        from smallcrm.screens.campaign_form import CampaignForm

        if self.figures is not None:
            self.app.push_screen(CampaignForm(self.figures.campaign), self.after_save)

    def action_delete(self) -> None:
        """d: move the campaign to the trash, after asking."""
        if self.figures is not None:
            c = self.figures.campaign
            self.confirm_delete(
                campaigns.title(c),
                lambda: campaigns.delete_campaign(self.db, c.id, c.tracking.version),
            )

    def action_add_from_filter(self) -> None:
        """f: add the contacts a saved filter finds now (the consent rules apply)."""
        from smallcrm.screens.saved_filter_prompts import FilterPickerScreen

        if self.figures is not None:
            code = self.figures.campaign.code
            self.app.push_screen(
                FilterPickerScreen(f"Add to {code} the contacts of a saved filter"),
                self._add_from,
            )

    def _add_from(self, chosen: SavedFilter | None) -> None:
        from smallcrm.store.campaign_audience import Selection, add_members

        if chosen is None:
            return
        try:
            done = add_members(self.db, self.record_id, Selection(saved=chosen.name))
        except StoreError as exc:
            self.notify_error(exc)
            return
        text = f"Added {done.added} to {done.campaign.code} from {chosen.name!r}."
        if done.left_out:
            text += f" Left out {done.left_out_total}: {done.reasons()}."
        self.notify(text, timeout=8)
        self.reload()
