"""The accounts list: every company, a page at a time, sortable and filterable."""

from __future__ import annotations

from typing import ClassVar

from smallcrm.screens.list_base import ListScreen
from smallcrm.store import accounts
from smallcrm.store import formats as fmt
from smallcrm.store.listing import ListQuery
from smallcrm.store.records import Account, Page
from smallcrm.widgets.paged_table import Column


class AccountsScreen(ListScreen[Account]):
    """All accounts (F3)."""

    TITLE_CRUMB = "Accounts"
    KIND = "account"
    PLURAL = "accounts"
    DEFAULT_SORT = "name"
    COLUMNS: ClassVar[list[Column]] = [
        Column("Name", 16, sort="name", flex=3),
        Column("Industry", 10, sort="industry", flex=1),
        Column("City", 10, sort="city", flex=1),
        Column("Phone", 16),
        Column("Website", 12, flex=2, hide_below=100),
        Column("Owner", 8, sort="owner", hide_below=90),
        Column("Updated", 10, sort="updated", hide_below=130),
    ]
    HELP = """\
Every company you work with, one line each, read from the database a page at a time.

**Open an account** (its contacts, timeline, opportunities and pipeline total, appointments):
move with the arrows, j/k, PgUp/PgDn, Home/End and press Enter.

**Add an account:** n. **Change it:** e. **Delete it:** d asks first; Ctrl+Z right after
brings it back (its contacts and deals are kept).

**Sort:** s sorts by the next column, r reverses; clicking a heading sorts by it.

**Filter:** f filters by owner, tag or the date of the last change; x clears the filters."""

    def fetch(self, query: ListQuery) -> Page[Account]:
        """A page of accounts."""
        return accounts.list_accounts(self.db, query)

    def cells(self, record: Account) -> list[str]:
        """Name, industry, city, phone, website, owner, last change."""
        return [
            record.name,
            record.industry or "",
            record.address.city or "",
            record.phone or "",  # E.164 as stored; the account's page formats it.
            record.website or "",
            record.owner or "",
            fmt.short_day(record.tracking.updated_at),
        ]

    def filter_fields(self) -> tuple[str, ...]:
        """Accounts filter by owner, tag and date (not by account)."""
        return ("owner", "tag", "since", "until")

    def empty_text(self) -> str:
        """First run: what to do next."""
        return (
            "No accounts yet.\n\n"
            "  n                   add a company here\n"
            "  smallcrm demo       (in a shell) load a realistic demo data set\n"
            "  smallcrm import F   (in a shell) import a CSV or JSON file\n\n"
            "F2 shows contacts, F1 explains this screen."
        )

    def new_record(self) -> None:
        """n: the new-account form; the saved account opens."""
        self.app.open_new("account")

    def edit_record(self, record: Account) -> None:
        """e: the account form for this account."""
        from smallcrm.screens.account_form import AccountForm

        self.app.push_screen(AccountForm(record), lambda saved: self.reload() if saved else None)

    def delete_record(self, record: Account) -> None:
        """Move the account to the trash."""
        accounts.delete_account(self.db, record.id, record.tracking.version)
