"""The contacts list: every person, a page at a time, sortable and filterable."""

from __future__ import annotations

from dataclasses import replace
from typing import ClassVar

from textual.binding import Binding, BindingType

from smallcrm.screens.list_base import ListScreen
from smallcrm.store import accounts, contact_checks, contacts, saved_filters
from smallcrm.store import formats as fmt
from smallcrm.store.errors import StoreError
from smallcrm.store.listing import ListQuery
from smallcrm.store.records import Contact, Page
from smallcrm.store.saved_filters import SavedFilter
from smallcrm.widgets.paged_table import Cell, Column

CONSENT_FILTERS = {"email_opt_in": "email consent", "phone_opt_in": "phone consent"}


class ContactsScreen(ListScreen[Contact]):
    """All contacts (F2)."""

    TITLE_CRUMB = "Contacts"
    KIND = "contact"
    PLURAL = "contacts"
    DEFAULT_SORT = "name"
    COLUMNS: ClassVar[list[Column]] = [
        Column("Name", 16, sort="name", flex=3),
        Column("Account", 10, sort="account", flex=2),
        Column("Email", 12, flex=3),
        Column("Phone", 16),
        Column("City", 8, sort="city", flex=1, hide_below=90),
        Column("Owner", 8, sort="owner", hide_below=110),
        Column("Updated", 10, sort="updated", hide_below=130),
    ]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "i", "import", "Import", id="contacts.import", tooltip="Contacts from a CSV or vCard"
        ),
        Binding(
            "m", "duplicates", "Duplicates", id="contacts.duplicates", tooltip="Find and merge"
        ),
        Binding(
            "S",
            "save_filter",
            "Save filter",
            id="contacts.save_filter",
            tooltip="Save the filters in force under a name",
            show=False,  # no room left in the footer at 80 columns: F1 and the palette list it
        ),  # fmt: skip
        Binding(
            "F",
            "saved_filters",
            "Saved filters",
            id="contacts.saved_filters",
            tooltip="Apply (or delete) a saved filter",
            show=False,
        ),  # fmt: skip
    ]
    HELP = """\
Every person you deal with, one line each. The list reads from the database a page at a time,
so it is as quick with 100,000 contacts as with 100.

**Find someone:** type in the search bar (Ctrl+F or /), or move with the arrows, j/k,
PgUp/PgDn, Home/End, and press Enter to open the contact.

**Add a contact:** press n, fill in the form, Ctrl+S (or Enter) saves. Errors show on the field
and nothing you typed is lost. Esc cancels without saving.

**Sort:** s sorts by the next column, r reverses; clicking a heading sorts by it.

**Filter:** f filters by owner, tag, account, consent (who agreed to email or calls) or the
date of the last change; x clears the filters.

**Saved filters:** S saves the filters in force under a name (Ctrl+R in that dialog replaces a
filter of the same name); F lists the saved filters: Enter applies one, d deletes it. A saved
filter keeps the criteria, so it finds whoever matches when it is used; campaigns add their
audience from one too (f on a campaign's page, or `smallcrm campaign add-members CODE --filter
NAME`).

**Import:** i imports contacts from a file (a Google or Outlook CSV export, vCards, JSON), with a
preview first; every import can be undone.

**Duplicates:** m lists contacts that look like the same person (same email, phone or name) and
merges two of them field by field; the merge can be undone.

**Change or delete:** e edits the contact under the cursor; d moves it to the trash after
asking, and Ctrl+Z right after brings it back.

**Log a call:** open the contact (Enter) and press l."""

    def fetch(self, query: ListQuery) -> Page[Contact]:
        """A page of contacts."""
        return contacts.list_contacts(self.db, query)

    def cells(self, record: Contact) -> list[Cell]:
        """Name, account, first email, first phone, city, owner, last change."""
        email = record.emails[0].value if record.emails else ""
        # E.164 as stored: formatting needs phonenumbers' metadata (25 ms before first paint).
        phone = record.phones[0].value if record.phones else ""
        return [
            record.name,
            record.account_name or "",
            email,
            phone,
            record.address.city or "",
            record.owner or "",
            # Shown from 130 columns: the day in the business's zone reads the settings.
            lambda: fmt.short_day(record.tracking.updated_at),
        ]

    def empty_text(self) -> str:
        """First run: what to do next."""
        return (
            "No contacts yet.\n\n"
            "  n                   add your first contact here\n"
            "  i                   import a CSV, vCard or JSON file\n"
            "  smallcrm demo       (in a shell) load a realistic demo data set\n\n"
            "F3 shows accounts, F1 explains this screen."
        )

    def new_record(self) -> None:
        """n: the new-contact form; the saved contact opens."""
        self.app.open_new("contact")

    def edit_record(self, record: Contact) -> None:
        """e: the contact form for this contact."""
        from smallcrm.screens.contact_form import ContactForm

        self.app.push_screen(ContactForm(record), lambda saved: self.reload() if saved else None)

    def delete_record(self, record: Contact) -> None:
        """Move the contact to the trash."""
        contacts.delete_contact(self.db, record.id, record.tracking.version)

    # consent filter -----------------------------------------------------------------------

    def filter_fields(self) -> tuple[str, ...]:
        """Contacts also filter on consent per channel."""
        return (*super().filter_fields(), "email_opt_in", "phone_opt_in")

    def has_filters(self) -> bool:
        """A consent filter and a data-quality check (from the dashboard) count too."""
        extra = self.query_state.extra
        return (
            super().has_filters()
            or any(extra.get(name) is not None for name in CONSENT_FILTERS)
            or any(extra.get(name) for name in contact_checks.NAMES)
            or any(extra.get(name) for name in ("lifecycle", "search_ids"))
        )

    def filter_summary(self) -> str:
        """The base filters, then ``email consent yes``."""
        words = [super().filter_summary()]
        for name, label in CONSENT_FILTERS.items():
            value = self.query_state.extra.get(name)
            if value is not None:
                words.append(f"{label} {'yes' if value else 'no'}")
        words.append(contact_checks.describe(self.query_state.extra))
        named = self.query_state.extra.get("saved_filter")
        said = ", ".join(word for word in words if word)
        return f"{named} ({said})" if named else said

    # import and duplicates ----------------------------------------------------------------

    def action_import(self) -> None:
        """i: import contacts from a file."""
        self.app.open_import()

    def action_duplicates(self) -> None:
        """m: likely duplicate contacts, to merge."""
        self.app.open_duplicates("contact")

    # saved filters ------------------------------------------------------------------------

    def action_save_filter(self) -> None:
        """S: save the filters in force under a name."""
        from smallcrm.screens.saved_filter_prompts import SaveFilterScreen

        criteria = saved_filters.criteria_of(self.query_state)
        if not criteria:
            self.notify("Set filters first (f), then S saves them under a name.")
            return

        def saved(done: object) -> None:
            if done is not None:
                self.notify(f"Saved filter {getattr(done, 'name', '')!r}")

        account = self.query_state.extra.get("account_name")
        described = saved_filters.describe(criteria, account)
        self.app.push_screen(SaveFilterScreen(criteria, described), saved)

    def action_saved_filters(self) -> None:
        """F: apply a saved filter (its criteria as they are now)."""
        from smallcrm.screens.saved_filter_prompts import FilterPickerScreen

        self.app.push_screen(FilterPickerScreen("Apply a saved filter"), self._apply_saved)

    def _apply_saved(self, chosen: SavedFilter | None) -> None:
        if chosen is None:
            return
        try:
            query = saved_filters.to_query(self.db, chosen.criteria, self.query_state)
            if query.account_id is not None:
                query.extra["account_name"] = accounts.get_account(self.db, query.account_id).name
        except StoreError as exc:
            self.notify_error(exc)
            return
        self.apply_filters(query, saved_name=chosen.name)

    def apply_filters(self, query: ListQuery, *, saved_name: str | None = None) -> None:
        """Show the list with these filters; the status line names a saved filter applied
        as it was (changing the filters drops the name)."""
        extra = {key: value for key, value in query.extra.items() if key != "saved_filter"}
        if saved_name:
            extra["saved_filter"] = saved_name
        super().apply_filters(replace(query, extra=extra))
