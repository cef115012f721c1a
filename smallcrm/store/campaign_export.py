"""A campaign's audience written for the tool that sends: a mail-merge CSV or vCards.

We send nothing ourselves. The file holds only members who may be reached now: consent is
checked again as the file is written (it may have been withdrawn since the contact joined), and
members who opted out are never written. Each line carries the consent it relies on and the
opt-out state, so the sending tool and whoever audits it can see why the person is there.
Private notes and tags stay out of the file.
"""

from __future__ import annotations

import csv
import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, TextIO

from smallcrm.store import campaigns, consent, rows
from smallcrm.store.campaign_audience import needed_consents
from smallcrm.store.campaign_records import Campaign
from smallcrm.store.db import Database, Tx
from smallcrm.store.errors import ValidationError
from smallcrm.store.formats import printable
from smallcrm.store.records import Contact, ContactMethod

FORMATS = ("csv", "vcard")
COLUMNS = (
    "email", "first_name", "last_name", "name", "account", "phone", "street", "postal_code",
    "city", "country", "member_status", "email_consent", "email_consent_at",
    "email_consent_source", "phone_consent", "opted_out", "contact_id", "campaign",
)  # fmt: skip
_PAGE = 500


@dataclass(frozen=True)
class Written:
    """How many members went into the file, and how many were kept out and why."""

    campaign: Campaign
    written: int
    left_out: dict[str, int] = field(default_factory=dict)


def _counts(tx: Tx, campaign: Campaign, needed: tuple[str, ...]) -> dict[str, int]:
    whens = ["WHEN m.status = 'opted_out' THEN 'opted out'"]
    for channel in needed:
        whens += [f"WHEN {sql} THEN '{why}'" for why, sql in consent.left_out_reasons(channel)]
    found = tx.all(
        f"SELECT CASE {' '.join(whens)} ELSE '' END AS why, count(*) AS n "
        "FROM campaign_member m JOIN contact c ON c.id = m.contact_id "
        "WHERE m.campaign_id = :k AND c.deleted_at IS NULL GROUP BY 1",
        k=campaign.id,
    )
    return {row["why"]: int(row["n"]) for row in found if row["why"]}


def _members(tx: Tx, campaign: Campaign, needed: tuple[str, ...]) -> Iterator[tuple[Any, Contact]]:
    """(member row, contact) of every member who may be reached, a page at a time."""
    allowed = "".join(f" AND {consent.reachable_sql(channel)}" for channel in needed)
    last = 0
    while True:
        found = tx.all(
            "SELECT m.status AS member_status, c.*, a.name AS account_name "
            "FROM campaign_member m JOIN contact c ON c.id = m.contact_id "
            "LEFT JOIN account a ON a.id = c.account_id WHERE m.campaign_id = :k "
            f"AND c.deleted_at IS NULL AND m.status <> 'opted_out'{allowed} AND c.id > :last "
            "ORDER BY c.id LIMIT :n",
            k=campaign.id,
            last=last,
            n=_PAGE,
        )
        if not found:
            return
        methods = _methods(tx, [row["id"] for row in found])
        for row in found:
            contact = rows.contact(row, methods.get(row["id"], []))
            yield row, dataclasses.replace(contact, notes=None, tags=())
        last = found[-1]["id"]


def _methods(tx: Tx, ids: list[int]) -> dict[int, list[ContactMethod]]:
    marks = ", ".join(f":c{n}" for n in range(len(ids)))
    found: dict[int, list[ContactMethod]] = {}
    for row in tx.all(
        f"SELECT contact_id, kind, label, value FROM contact_method WHERE contact_id IN ({marks}) "
        "ORDER BY contact_id, kind, position",
        **{f"c{n}": i for n, i in enumerate(ids)},
    ):
        found.setdefault(row["contact_id"], []).append(
            ContactMethod(row["kind"], row["value"], row["label"])
        )
    return found


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


def csv_line(campaign: Campaign, status: str, c: Contact) -> dict[str, Any]:
    """One member as a mail-merge line (``COLUMNS``)."""
    values = {
        "email": c.emails[0].value if c.emails else "",
        "first_name": c.first_name,
        "last_name": c.last_name,
        "name": c.name,
        "account": c.account_name or "",
        "phone": c.phones[0].value if c.phones else "",
        "street": c.address.street or "",
        "postal_code": c.address.postal_code or "",
        "city": c.address.city or "",
        "country": c.address.country or "",
        "member_status": status,
        "email_consent": _yes_no(c.email_consent.opt_in),
        "email_consent_at": c.email_consent.at.date().isoformat() if c.email_consent.at else "",
        "email_consent_source": c.email_consent.source or "",
        "phone_consent": _yes_no(c.phone_consent.opt_in),
        "opted_out": "no",
        "contact_id": c.id,
        "campaign": campaign.code,
    }
    return {k: _not_formula(x) for k, x in values.items()}


def _not_formula(value: Any) -> Any:
    """A spreadsheet runs a cell starting with = + - @ as a formula: such text gets a quote."""
    return "'" + value if isinstance(value, str) and value and value[0] in "=+-@" else value


def _vcard(campaign: Campaign, c: Contact) -> str:
    from smallcrm.store.io.vcard_write import contact_vcard, fold

    card = contact_vcard(c, "3.0").rstrip("\r\n")
    head, _, end = card.rpartition("END:VCARD")
    extra = [
        f"X-SMALLCRM-CAMPAIGN:{campaign.code}",
        f"X-SMALLCRM-EMAIL-CONSENT:{printable(c.email_consent.describe())}",
        "X-SMALLCRM-OPTED-OUT:no",
    ]
    return head + "".join(fold(line) + "\r\n" for line in extra) + "END:VCARD\r\n" + end


def export_audience(
    db: Database, campaign_ref: str | int, out: TextIO, file_format: str = "csv"
) -> Written:
    """Write the members of a campaign (its code or id) who may be reached to ``out``."""
    if file_format not in FORMATS:
        raise ValidationError("format", f"{file_format!r} is not one of {', '.join(FORMATS)}")
    with db.read() as tx:
        campaign = campaigns.find_tx(tx, campaign_ref)
        needed = needed_consents(campaign)
        left_out = _counts(tx, campaign, needed)
        written = 0
        writer = csv.DictWriter(out, fieldnames=COLUMNS) if file_format == "csv" else None
        if writer is not None:
            writer.writeheader()
        for row, contact in _members(tx, campaign, needed):
            if writer is not None:
                writer.writerow(csv_line(campaign, row["member_status"], contact))
            else:
                out.write(_vcard(campaign, contact))
            written += 1
    return Written(campaign, written, left_out)
