"""What a kind of record is, written once: its table, the words people use for it, its services,
its place in the search index, its editable fields and how its history reads.

The shell, the app, search, history, export and the command palette all read this registry, so a
new kind of record is an entry here, a service module (which declares ``SERVICES``) and a screen.
The code says ``opportunity`` for what users call a deal; the words users see (``deal``,
``Deals``) live here and only here.

Service modules are imported when a kind's services are first asked for, by name, so a quick
shell command that touches contacts does not pay for the other kinds' modules.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Generic, TypeVar

from smallcrm.store.errors import ValidationError
from smallcrm.store.kind_services import Services

R = TypeVar("R")

# How the shell reads a field's value (``smallcrm edit``): plain text, a comma list, yes/no,
# the text as typed (the store checks it), a date, a date and time, a length in minutes, a
# linked record by name or id, an appointment's start, length, or "with" (contact or account).
TEXT, LIST, YES_NO, RAW = "text", "list", "yes/no", "raw"
DATE, DATETIME, MINUTES = "date", "datetime", "minutes"
START, LENGTH, WITH = "start", "length", "with"
LINK_ACCOUNT, LINK_CONTACT, LINK_OPPORTUNITY = "account", "contact", "opportunity"
LINK_CASE = "service_case"
LINK_CAMPAIGN = "campaign"


@dataclass(frozen=True)
class Field:
    """A field users can change: ``name`` as typed in the shell (``close``), the store's
    ``column`` (``expected_close``), how the shell ``reader`` reads it, its ``label``."""

    name: str
    column: str
    reader: str
    label: str


@dataclass(frozen=True)
class Kind(Generic[R]):
    """One kind of record."""

    name: str  # the code's word and the table's name: "opportunity"
    word: str  # the word users see: "deal"
    plural: str  # "deals"
    heading: str  # "Deals"
    description: str  # one line for help: what such a record is
    module: str  # its service module, which defines ``SERVICES``
    search_code: int  # its id range in the search index (fixed by the migrations)
    search_rank: int  # where its hits come in search results (lowest first)
    fts_slot: int  # its rowid range in SQLite's FTS5 indexes (fixed by the migrations)
    title_sql: str  # SQL for a record's title, over its own table
    fields: tuple[Field, ...]
    aliases: tuple[str, ...] = ()  # more words the shell accepts: "d", "opportunity"
    labels: dict[str, str] = field(default_factory=dict)  # stored names not in ``fields``
    # Its columns that point at another kind's records: column -> that kind's name. Merging two
    # records and undoing an import both follow these to find what points at a record.
    links: dict[str, str] = field(default_factory=dict)
    # Stored lengths of time in seconds (a case's targets and the time they took): a history
    # shows them as ``4h``, ``1h30``.
    seconds: tuple[str, ...] = ()

    @property
    def table(self) -> str:
        """The table holding this kind's records."""
        return self.name

    @cached_property
    def services(self) -> Services[R]:
        """The kind's services (its module is imported on first use)."""
        module = importlib.import_module(self.module)
        return module.SERVICES

    def field(self, name: str) -> Field | None:
        """The field users call ``name`` (``close``, ``postal-code``), if there is one."""
        for item in self.fields:
            if item.name == name:
                return item
        return None

    def label(self, column: str) -> str:
        """How a stored field reads for people (``expected_close`` -> ``Expected close``)."""
        for item in self.fields:
            if item.column == column:
                return item.label
        return self.labels.get(column) or COMMON_LABELS.get(column) or _readable(column)

    def field_word(self, column: str) -> str:
        """A stored field as the shell names it (``expected_close`` -> ``close``)."""
        for item in self.fields:
            if item.column == column:
                return item.name
        return SHELL_NAMES.get(column, column.replace("_", "-"))


def _readable(column: str) -> str:
    text = column.removesuffix("_id").replace("_", " ")
    return text[:1].upper() + text[1:]


COMMON_LABELS = {
    "methods": "Emails and phones",
    "emails": "Emails",
    "phones": "Phones",
    "amount_cents": "Amount",
    "created_at": "Created",
    "updated_at": "Changed",
    "external_id": "External id",
    "email_opt_in": "Email consent",
    "phone_opt_in": "Phone consent",
}
# Stored names that are not an editable field but appear in errors and the history.
SHELL_NAMES = {
    "methods": "email/phone",
    "amount_cents": "amount",
    "deal_id": "deal",
    "opportunity": "deal",
    "emails": "email",
    "phones": "phone",
    "tags": "tag",
}


def _address(prefix: tuple[Field, ...] = ()) -> tuple[Field, ...]:
    return (
        *prefix,
        Field("street", "street", TEXT, "Street"),
        Field("postal-code", "postal_code", TEXT, "Postal code"),
        Field("city", "city", TEXT, "City"),
        Field("country", "country", TEXT, "Country"),
    )


CONTACT: Kind[Any] = Kind(
    name="contact",
    word="contact",
    plural="contacts",
    heading="Contacts",
    description="a person: name, emails, phones, company, address, consent",
    module="smallcrm.store.contacts",
    search_code=1,
    search_rank=1,
    fts_slot=1,
    title_sql="trim(first_name || ' ' || last_name)",
    aliases=("c",),
    links={"account_id": "account", "source_campaign_id": "campaign"},
    fields=(
        Field("name", "name", TEXT, "Name"),
        Field("first-name", "first_name", TEXT, "First name"),
        Field("last-name", "last_name", TEXT, "Last name"),
        Field("title", "title", TEXT, "Title"),
        Field("account", "account_id", LINK_ACCOUNT, "Account"),
        Field("email", "emails", LIST, "Emails"),
        Field("phone", "phones", LIST, "Phones"),
        Field("tag", "tags", LIST, "Tags"),
        Field("owner", "owner", TEXT, "Owner"),
        *_address(),
        Field("birthday", "birthday", RAW, "Birthday"),
        Field("source", "source", TEXT, "Source"),
        Field("email-opt-in", "email_opt_in", YES_NO, "Email consent"),
        Field("consent-source", "email_consent_source", TEXT, "Consent source"),
        Field("notes", "notes", TEXT, "Notes"),
        Field("lifecycle", "lifecycle_stage", RAW, "Lifecycle stage"),
        Field("campaign", "source_campaign_id", LINK_CAMPAIGN, "Source campaign"),
    ),
)
ACCOUNT: Kind[Any] = Kind(
    name="account",
    word="account",
    plural="accounts",
    heading="Accounts",
    description="a company or organisation, with its people, deals and timeline",
    module="smallcrm.store.accounts",
    search_code=2,
    search_rank=2,
    fts_slot=2,
    title_sql="name",
    aliases=("a", "company", "companies"),
    fields=(
        Field("name", "name", TEXT, "Name"),
        Field("website", "website", TEXT, "Website"),
        Field("phone", "phone", TEXT, "Phone"),
        Field("industry", "industry", TEXT, "Industry"),
        Field("tag", "tags", LIST, "Tags"),
        Field("owner", "owner", TEXT, "Owner"),
        *_address(),
        Field("notes", "notes", TEXT, "Notes"),
    ),
)
OPPORTUNITY: Kind[Any] = Kind(
    name="opportunity",
    word="deal",
    plural="deals",
    heading="Deals",
    description="a sale in the pipeline: amount, stage, expected close",
    module="smallcrm.store.opportunities",
    search_code=3,
    search_rank=3,
    fts_slot=3,
    title_sql="name",
    aliases=("d", "opportunity", "opportunities"),
    links={"account_id": "account", "contact_id": "contact", "campaign_id": "campaign"},
    fields=(
        Field("name", "name", TEXT, "Name"),
        Field("account", "account_id", LINK_ACCOUNT, "Account"),
        Field("contact", "contact_id", LINK_CONTACT, "Contact"),
        Field("amount", "amount", RAW, "Amount"),
        Field("currency", "currency", RAW, "Currency"),
        Field("stage", "stage", RAW, "Stage"),
        Field("probability", "probability", RAW, "Probability"),
        Field("close", "expected_close", DATE, "Expected close"),
        Field("next-step", "next_step", TEXT, "Next step"),
        Field("lost-reason", "lost_reason", TEXT, "Lost reason"),
        Field("reason", "reason", TEXT, "Why won or lost"),
        Field("owner", "owner", TEXT, "Owner"),
        Field("campaign", "campaign_id", LINK_CAMPAIGN, "Campaign"),
    ),
    labels={"closed_on": "Closed on"},
)
APPOINTMENT: Kind[Any] = Kind(
    name="appointment",
    word="appointment",
    plural="appointments",
    heading="Appointments",
    description="a meeting or call in the calendar, maybe repeating",
    module="smallcrm.store.appointments",
    search_code=5,
    search_rank=4,
    fts_slot=4,
    title_sql="title",
    aliases=("meeting", "meetings"),
    links={"account_id": "account", "contact_id": "contact", "opportunity_id": "opportunity"},
    fields=(
        Field("title", "title", TEXT, "Title"),
        Field("start", "starts_at", START, "Start"),
        Field("duration", "ends_at", LENGTH, "End"),
        Field("all-day", "all_day", YES_NO, "All day"),
        Field("where", "location", TEXT, "Where"),
        Field("with", "contact_id", WITH, "With"),
        Field("deal", "opportunity_id", LINK_OPPORTUNITY, "Deal"),
        Field("repeat", "rrule", TEXT, "Repeats"),
        Field("time-zone", "time_zone", RAW, "Time zone"),
        Field("reminder", "reminder_minutes", RAW, "Reminder"),
        Field("owner", "owner", TEXT, "Owner"),
        Field("notes", "notes", TEXT, "Notes"),
    ),
    labels={"account_id": "With (account)", "exdates": "Skipped dates", "rdates": "Extra dates"},
)
INTERACTION: Kind[Any] = Kind(
    name="interaction",
    word="interaction",
    plural="interactions",
    heading="Interactions",
    description="a call, email, meeting, note or visit on a timeline",
    module="smallcrm.store.interactions",
    search_code=4,
    search_rank=5,
    fts_slot=6,  # last: by far the most numerous kind, and forward reads pass every kind before
    title_sql="kind || ': ' || subject",
    links={
        "account_id": "account",
        "contact_id": "contact",
        "opportunity_id": "opportunity",
        "case_id": "service_case",
    },
    fields=(
        Field("kind", "kind", RAW, "Kind"),
        Field("subject", "subject", TEXT, "Subject"),
        Field("body", "body", TEXT, "Body"),
        Field("at", "happened_at", DATETIME, "When"),
        Field("duration", "duration_minutes", MINUTES, "Duration"),
        Field("direction", "direction", TEXT, "Direction"),
        Field("contact", "contact_id", LINK_CONTACT, "Contact"),
        Field("account", "account_id", LINK_ACCOUNT, "Account"),
        Field("deal", "opportunity_id", LINK_OPPORTUNITY, "Deal"),
        Field("case", "case_id", LINK_CASE, "Case"),
        Field("follow-up", "follow_up_on", DATE, "Follow-up"),
        Field("follow-up-done", "follow_up_done", YES_NO, "Follow-up done"),
    ),
)
CASE: Kind[Any] = Kind(
    name="service_case",  # "case" is an SQL keyword, so neither a table's name nor the code's
    word="case",
    plural="cases",
    heading="Cases",
    description="a customer's question or problem, answered within the promised time",
    module="smallcrm.store.cases",
    search_code=6,
    search_rank=6,
    fts_slot=5,
    title_sql="'#' || id || ' ' || subject",
    aliases=("ticket", "tickets", "service_case"),
    links={"account_id": "account", "contact_id": "contact"},
    fields=(
        Field("subject", "subject", TEXT, "Subject"),
        Field("description", "description", TEXT, "Description"),
        Field("status", "status", RAW, "Status"),
        Field("reason", "close_reason", RAW, "Close reason"),
        Field("priority", "priority", RAW, "Priority"),
        Field("type", "case_type", RAW, "Type"),
        Field("channel", "channel", RAW, "Channel"),
        Field("owner", "owner", TEXT, "Owner"),
        Field("contact", "contact_id", LINK_CONTACT, "Contact"),
        Field("account", "account_id", LINK_ACCOUNT, "Account"),
    ),
    labels={
        "response_target": "Response target",
        "resolve_target": "Resolution target",
        "response_used": "Time to respond",
        "resolve_used": "Time to resolve",
        "running_since": "Clock running since",
        "first_response_at": "First response",
        "resolved_at": "Resolved",
        "due_at": "Due",
        "risk_at": "At risk from",
    },
    seconds=("response_target", "resolve_target", "response_used", "resolve_used"),
)
CAMPAIGN: Kind[Any] = Kind(
    name="campaign",
    word="campaign",
    plural="campaigns",
    heading="Campaigns",
    description="a newsletter, offer or invitation: its audience, responses, leads and deals",
    module="smallcrm.store.campaigns",
    search_code=7,
    search_rank=7,
    fts_slot=7,  # after interactions: added later, and a new last slot moved no rowids
    title_sql="name",
    aliases=("marketing",),
    fields=(
        Field("name", "name", TEXT, "Name"),
        Field("code", "code", RAW, "Code"),
        Field("channel", "channel", RAW, "Channel"),
        Field("status", "status", RAW, "Status"),
        Field("start", "starts_on", DATE, "Start"),
        Field("end", "ends_on", DATE, "End"),
        Field("budget", "budget_cents", RAW, "Budget"),
        Field("cost", "cost_cents", RAW, "Actual cost"),
        Field("owner", "owner", TEXT, "Owner"),
        Field("notes", "notes", TEXT, "Notes"),
    ),
)

# In the order of the app's tabs (F2-F8, F10), of help texts and of exports.
KINDS: tuple[Kind[Any], ...] = (
    CONTACT, ACCOUNT, INTERACTION, OPPORTUNITY, APPOINTMENT, CASE, CAMPAIGN,
)  # fmt: skip
NAMES: tuple[str, ...] = tuple(k.name for k in KINDS)
# Search lists the few records people look for by name first and the many interactions last.
SEARCH_ORDER: tuple[str, ...] = tuple(k.name for k in sorted(KINDS, key=lambda k: k.search_rank))
_BY_NAME = {k.name: k for k in KINDS}


def get(name: str) -> Kind[Any]:
    """The kind the code calls ``name`` (``opportunity``); KeyError for a name it has not."""
    return _BY_NAME[name]


def referenced_by(name: str) -> tuple[tuple[str, str], ...]:
    """Every (table, column) whose records point at records of the kind ``name``."""
    return tuple(
        (kind.table, column)
        for kind in KINDS
        for column, target in kind.links.items()
        if target == name
    )


def words() -> tuple[str, ...]:
    """The words users type for the kinds (``contact``, ``deal``, ...), in registry order."""
    return tuple(k.word for k in KINDS)


def _vocabulary() -> dict[str, Kind[Any]]:
    table: dict[str, Kind[Any]] = {}
    for kind in KINDS:
        for word in (kind.word, kind.plural, kind.name, *kind.aliases):
            table.setdefault(word.lower(), kind)
    return table


def from_word(text: str, *, field_name: str = "KIND", among: tuple[str, ...] = NAMES) -> Kind[Any]:
    """The kind a user means by ``text``: its word, plural, an alias or a unique start of one
    (``con``, ``deals``, ``d``); ``among`` limits the kinds accepted (by code name).

    Anything else is a ValidationError on ``field_name`` that lists the accepted words and
    says which one was probably meant.
    """
    typed = (text or "").strip().lower()
    vocabulary = {w: k for w, k in _vocabulary().items() if k.name in among}
    if typed in vocabulary:
        return vocabulary[typed]
    starts = {k.name: k for w, k in vocabulary.items() if typed and w.startswith(typed)}
    if len(starts) == 1:
        return next(iter(starts.values()))
    accepted = [get(name).word for name in among]
    import difflib

    close = difflib.get_close_matches(typed, list(vocabulary), n=1, cutoff=0.6)
    hint = f"; did you mean {vocabulary[close[0]].word}?" if close else ""
    raise ValidationError(field_name, f"{text!r} is not one of {', '.join(accepted)}{hint}")


def describe(names: tuple[str, ...] | list[str]) -> str:
    """``contact``, ``contact or account``: the user's words for kinds, for messages."""
    shown = [get(n).word if n in _BY_NAME else n for n in names]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " or " + shown[-1]


def word(name: str) -> str:
    """The word users see for the kind the code calls ``name`` (``deal`` for opportunity)."""
    found = _BY_NAME.get(name)
    return found.word if found else name
