"""Reading back what the sending tool reports: bounces, unsubscribes, clicks and replies.

A results file is CSV with an email address and an event per line (``email,event``; the
columns are found by their headers, in any order, with comma, semicolon or tab between them).
The words mailing tools use are mapped to a member's statuses (``EVENTS``). Everything is
written in one transaction: member statuses (which only move up, ``campaign_audience.RANK``),
an unsubscribe's withdrawal of the email consent with the campaign as its reason (an audited
change of the contact, see ``consent``), and a lead for a contact who responded and had no
lifecycle stage yet (with the campaign as its source, if it had none).
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from smallcrm.store import campaigns, consent, contacts, crud
from smallcrm.store.campaign_audience import set_status_tx
from smallcrm.store.campaign_records import Campaign
from smallcrm.store.db import Database, Tx
from smallcrm.store.errors import ValidationError

_WORDS: dict[str, tuple[str, ...]] = {
    # An open shows the mail arrived; it is not an answer.
    "sent": ("sent", "send", "delivered", "delivery", "processed", "open", "opened", "viewed"),
    "bounced": (
        "bounce", "bounced", "hard bounce", "soft bounce", "invalid", "invalid email", "dropped",
        "failed", "send error", "blocked",
    ),
    "opted_out": (
        "unsubscribe", "unsubscribed", "opt out", "opted out", "optout", "removed", "spam",
        "spam complaint", "complaint",
    ),
    "responded": ("click", "clicked", "link", "reply", "replied", "responded", "response"),
    "converted": ("converted", "conversion"),
}  # fmt: skip
# An event as the tool writes it (lower case, ``_`` and ``-`` as spaces) -> a member status.
EVENTS = {phrase: status for status, phrases in _WORDS.items() for phrase in phrases}
EVENT_WORDS = "sent/delivered/opened, bounce, unsubscribe, click, reply, converted"
_EMAIL_HEADERS = ("email", "e-mail", "email address", "address", "recipient", "to")
_EVENT_HEADERS = ("event", "status", "type", "action", "result", "activity")
MAX_PROBLEMS = 20


@dataclass(frozen=True)
class Response:
    """One line of a results file: the address and the member status its event means."""

    line: int
    email: str
    status: str


@dataclass(frozen=True)
class Results:
    """A parsed results file: the responses and the lines that could not be read."""

    responses: list[Response]
    problems: list[str] = field(default_factory=list)


def event_status(text: str) -> str | None:
    """The member status a tool's event word means (None if it is not one we know)."""
    return EVENTS.get(" ".join(text.strip().lower().replace("_", " ").replace("-", " ").split()))


def _columns(header: list[str]) -> tuple[int, int] | None:
    names = [" ".join(cell.strip().lower().replace("_", " ").split()) for cell in header]
    email = next((i for i, n in enumerate(names) if n in _EMAIL_HEADERS or "email" in n), None)
    event = next((i for i, n in enumerate(names) if n in _EVENT_HEADERS), None)
    if email is None or event is None or email == event:
        return None
    return email, event


def parse_results(text: str) -> Results:
    """Read a results file. A file without the two columns is a ValidationError naming what
    is accepted; a bad line is a problem of its own and the others are still read."""
    text = text.lstrip("\ufeff").replace("\x00", "")
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count) if any(d in first for d in ",;\t") else ","
    lines = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    start, columns = 1, _columns(lines[0]) if lines else None
    if columns is None and lines and len(lines[0]) >= 2 and "@" in lines[0][0]:
        start, columns = 0, (0, 1)  # no header: address, event
    if columns is None:
        raise ValidationError(
            "results",
            "needs a header with an email column and an event column (event, status, type, "
            f"action or result), e.g. email,event; events: {EVENT_WORDS}",
        )
    responses, problems = [], []
    for number, cells in enumerate(lines[start:], start=start + 1):
        if not any(cell.strip() for cell in cells):
            continue
        email = cells[columns[0]].strip().lower() if len(cells) > columns[0] else ""
        event = cells[columns[1]] if len(cells) > columns[1] else ""
        status = event_status(event)
        if "@" not in email or len(email) > 320:
            problems.append(f"line {number}: {email[:60]!r} is not an email address")
        elif status is None:
            problems.append(f"line {number}: {event[:40]!r} is not an event ({EVENT_WORDS})")
        else:
            responses.append(Response(number, email, status))
    return Results(responses, problems)


@dataclass(frozen=True)
class Applied:
    """What reading a results file changed."""

    campaign: Campaign
    statuses: dict[str, int]  # members moved to each status
    unsubscribed: int  # contacts whose email consent was withdrawn
    leads: int  # contacts made leads by their response
    unknown: int  # addresses of no contact
    not_members: int  # addresses of contacts outside the audience (unsubscribes still count)
    problems: list[str]


def _contacts_of(tx: Tx, email: str) -> list[int]:
    return [
        row["contact_id"]
        for row in tx.all(
            "SELECT m.contact_id FROM contact_method m JOIN contact c ON c.id = m.contact_id "
            "WHERE m.kind = 'email' AND m.value = :v AND c.deleted_at IS NULL",
            v=email,
        )
    ]


def _unsubscribe(tx: Tx, contact_id: int, campaign: Campaign, actor: str) -> bool:
    row = crud.fetch_row(tx, "contact", contact_id)
    if consent.unsubscribed(row):
        return False
    values = consent.withdrawal(campaign.code, crud.now_utc())
    contacts.update_contact_tx(tx, contact_id, None, values, actor, action="unsubscribe")
    return True


def _make_lead(tx: Tx, contact_id: int, campaign: Campaign, actor: str) -> bool:
    row = crud.fetch_row(tx, "contact", contact_id)
    if row["lifecycle_stage"] is not None:
        return False
    values: dict[str, Any] = {"lifecycle_stage": "lead"}
    if row["source_campaign_id"] is None:
        values["source_campaign_id"] = campaign.id
    contacts.update_contact_tx(tx, contact_id, None, values, actor, action="response")
    return True


def apply_results(
    db: Database, campaign_ref: str | int, results: Results, actor: str | None = None
) -> Applied:
    """Write a parsed results file to a campaign (its code or id), all in one transaction."""
    with db.write() as tx:
        campaign = campaigns.find_tx(tx, campaign_ref)
        return apply_results_tx(tx, campaign, results, actor or crud.current_user())


def apply_results_tx(tx: Tx, campaign: Campaign, results: Results, actor: str) -> Applied:
    """``apply_results`` inside an open write transaction."""
    moved: Counter[str] = Counter()
    unsubscribed = leads = unknown = outside = 0
    for response in results.responses:
        found = _contacts_of(tx, response.email)
        unknown += not found
        for contact_id in found:
            if response.status == "opted_out":
                unsubscribed += _unsubscribe(tx, contact_id, campaign, actor)
            if not set_status_tx(tx, campaign.id, contact_id, response.status):
                outside += not _is_member(tx, campaign.id, contact_id)
                continue
            moved[response.status] += 1
            if response.status in ("responded", "converted"):
                leads += _make_lead(tx, contact_id, campaign, actor)
    if moved or unsubscribed:
        summary = ", ".join(f"{n} {s.replace('_', ' ')}" for s, n in sorted(moved.items()))
        note = {"responses": [None, summary or f"{unsubscribed} unsubscribed"]}
        crud.audit(tx, "responses", campaigns.KIND, campaign.id, note, actor)
    return Applied(campaign, dict(moved), unsubscribed, leads, unknown, outside, results.problems)


def _is_member(tx: Tx, campaign_id: int, contact_id: int) -> bool:
    return bool(
        tx.scalar(
            "SELECT count(*) FROM campaign_member WHERE campaign_id = :k AND contact_id = :c",
            k=campaign_id,
            c=contact_id,
        )
    )


def read_results(
    db: Database, campaign_ref: str | int, text: str, actor: str | None = None
) -> Applied:
    """Parse a results file's text and apply it."""
    return apply_results(db, campaign_ref, parse_results(text), actor)
