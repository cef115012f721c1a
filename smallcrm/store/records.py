"""Plain, detached data the services hand to the TUI and the shell commands.

Nothing here holds a connection or a session: a screen can keep these as long as it likes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class ContactMethod:
    """An email address or phone number with its label."""

    kind: str  # "email" or "phone"
    value: str
    label: str = "work"


@dataclass(frozen=True)
class Tracking:
    """Who created and last changed a record, when, and its version for optimistic locking."""

    created_at: datetime
    updated_at: datetime
    created_by: str
    updated_by: str
    version: int
    deleted_at: datetime | None = None


@dataclass(frozen=True)
class Address:
    """A postal address."""

    street: str | None = None
    postal_code: str | None = None
    city: str | None = None
    country: str | None = None

    def one_line(self) -> str:
        """The address on one line, skipping empty parts."""
        town = " ".join(p for p in (self.postal_code, self.city) if p)
        return ", ".join(p for p in (self.street, town, self.country) if p)


@dataclass(frozen=True)
class Consent:
    """Whether a person agreed to be contacted on one channel, when and how we learnt it."""

    opt_in: bool | None = None
    at: datetime | None = None
    source: str | None = None

    def describe(self) -> str:
        """``yes (2026-11-02, web form)``, ``no`` or ``not asked``."""
        if self.opt_in is None:
            return "not asked"
        word = "yes" if self.opt_in else "no"
        extra = ", ".join(
            p for p in (self.at.date().isoformat() if self.at else None, self.source) if p
        )
        return f"{word} ({extra})" if extra else word


@dataclass(frozen=True)
class Account:
    """A company."""

    id: int
    name: str
    industry: str | None
    website: str | None
    phone: str | None
    address: Address
    owner: str | None
    tags: tuple[str, ...]
    notes: str | None
    tracking: Tracking
    external_id: str | None = None


@dataclass(frozen=True)
class Contact:
    """A person with their emails, phones, account and consent."""

    id: int
    first_name: str
    last_name: str
    title: str | None
    account_id: int | None
    account_name: str | None
    methods: tuple[ContactMethod, ...]
    address: Address
    birthday: date | None
    source: str | None
    owner: str | None
    tags: tuple[str, ...]
    notes: str | None
    email_consent: Consent
    phone_consent: Consent
    tracking: Tracking
    external_id: str | None = None
    lifecycle_stage: str | None = None  # lead, prospect, customer, former_customer
    source_campaign_id: int | None = None  # the campaign that brought the contact

    @property
    def name(self) -> str:
        """The full name as people say it."""
        return " ".join(p for p in (self.first_name, self.last_name) if p)

    @property
    def emails(self) -> tuple[ContactMethod, ...]:
        """The email addresses, first is primary."""
        return tuple(m for m in self.methods if m.kind == "email")

    @property
    def phones(self) -> tuple[ContactMethod, ...]:
        """The phone numbers, first is primary."""
        return tuple(m for m in self.methods if m.kind == "phone")


@dataclass(frozen=True)
class Interaction:
    """One entry of a timeline: a call, email, meeting, note or visit."""

    id: int
    kind: str
    direction: str | None
    subject: str
    body: str | None
    happened_at: datetime
    duration_minutes: int | None
    contact_id: int | None
    contact_name: str | None
    account_id: int | None
    account_name: str | None
    opportunity_id: int | None
    follow_up_on: date | None
    follow_up_done: bool
    tracking: Tracking
    case_id: int | None = None


@dataclass(frozen=True)
class Stage:
    """A pipeline stage with its default probability."""

    name: str
    position: int
    probability: int
    is_closed: bool
    is_won: bool


@dataclass(frozen=True)
class Opportunity:
    """A possible sale in the pipeline."""

    id: int
    name: str
    account_id: int | None
    account_name: str | None
    contact_id: int | None
    contact_name: str | None
    stage: str
    amount: Decimal
    currency: str
    probability: int
    expected_close: date | None
    next_step: str | None
    lost_reason: str | None
    closed_on: date | None
    owner: str | None
    tracking: Tracking
    last_activity_at: datetime | None = None
    campaign_id: int | None = None  # the one campaign the deal credits

    @property
    def weighted_amount(self) -> Decimal:
        """Amount times probability: what the deal is worth to the forecast."""
        return (self.amount * self.probability / 100).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class Appointment:
    """A calendar entry; recurring ones carry an RFC 5545 RRULE.

    An all-day entry's ``starts_at`` (and ``ends_at``, the day after its last) is the
    business's midnight of its day, whatever zone the day is read in.
    """

    id: int
    title: str
    starts_at: datetime
    ends_at: datetime | None
    all_day: bool
    location: str | None
    notes: str | None
    contact_id: int | None
    contact_name: str | None
    account_id: int | None
    account_name: str | None
    opportunity_id: int | None
    rrule: str | None
    exdates: tuple[datetime | date, ...]  # skipped: instants, or days (see store/recurrence.py)
    reminder_minutes: int | None
    owner: str | None
    tracking: Tracking
    uid: str | None = None
    time_zone: str = "UTC"  # the IANA zone it was made in: series repeat on its clock
    rdates: tuple[datetime | date, ...] = ()  # extra occurrences, like exdates


@dataclass(frozen=True)
class Case:
    """A customer's question, incident or problem, with where it stands against the response
    and resolution the business promised (``sla``, as of when it was read)."""

    id: int  # the case number people say on the phone
    subject: str
    description: str | None
    status: str
    close_reason: str | None
    priority: str
    case_type: str
    channel: str
    owner: str | None
    contact_id: int | None
    contact_name: str | None
    account_id: int | None
    account_name: str | None
    first_response_at: datetime | None
    resolved_at: datetime | None
    due_at: datetime | None
    sla: CaseStanding
    tracking: Tracking


@dataclass(frozen=True)
class CaseStanding:
    """A case against its promise: ``state`` left, over or met, by ``amount``, for the
    ``target`` (response or resolution); ``text`` as shown (``0h35 left``)."""

    state: str
    amount_minutes: int
    target: str
    at_risk: bool
    text: str

    @property
    def breached(self) -> bool:
        """True when the target was missed."""
        return self.state == "over"


@dataclass(frozen=True)
class Occurrence:
    """One occurrence of an appointment in a date range (recurring ones expanded)."""

    appointment: Appointment
    starts_at: datetime
    ends_at: datetime | None
    overlaps: bool = False
    held_by: int | None = None  # a tentative hold of this offer, not an appointment yet


@dataclass(frozen=True)
class SearchHit:
    """A search result: what kind of record, its id, and how to show it."""

    kind: str
    record_id: int
    title: str
    detail: str

    @property
    def open_command(self) -> str:
        """How to open the hit from the shell."""
        return f"smallcrm show {self.kind} {self.record_id}"


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list, with the total number of matching records."""

    items: list[T]
    total: int
    offset: int
    limit: int


@dataclass(frozen=True)
class AuditEntry:
    """One change in a record's history."""

    id: int
    at: datetime
    actor: str
    action: str
    kind: str
    record_id: int
    changes: dict[str, list] = field(default_factory=dict)
