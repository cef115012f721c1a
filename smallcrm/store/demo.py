"""The demo CRM: fills an empty database with the package's ``demo_data/demo.json``, dated
around today.

The file (made by ``data/make_demo.py`` in the source tree) gives every date as a number of days
from the day it is loaded, so the follow-ups due, the week's appointments and the deals closing
soon always look current. Everything goes through the services' own ``*_tx`` functions, so
validation and the audit trail are the real ones, inside one write transaction: the demo loads
completely or not at all. Dates that would fall on a weekend move to the nearest working day in the
same direction (past entries to Friday, future ones to Monday), as a real calendar would.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any

from smallcrm.store import clock, crud, search_upkeep
from smallcrm.store.accounts import create_account_tx
from smallcrm.store.appointments import create_appointment_tx
from smallcrm.store.contacts import create_contact_tx
from smallcrm.store.db import Database, Tx
from smallcrm.store.errors import StoreError, ValidationError
from smallcrm.store.interactions import log_interaction_tx
from smallcrm.store.opportunities import create_opportunity_tx

# Read through importlib.resources: it is found inside the installed package (a wheel, pipx)
# as well as in a source checkout.
DEMO_FILE: Traversable = files("smallcrm.store.demo_data").joinpath("demo.json")
CASES_FILE: Traversable = files("smallcrm.store.demo_data").joinpath("demo_cases.json")
FORMAT = 1
# Tables that make a database "not empty" (trashed rows count: they are the user's data too).
RECORD_TABLES = {
    "account": "accounts",
    "contact": "contacts",
    "opportunity": "opportunities",
    "interaction": "interactions",
    "appointment": "appointments",
    "service_case": "cases",
    "campaign": "campaigns",
}
_COPIED = {
    "account": ("name", "industry", "website", "phone", "street", "postal_code", "city",
                "country", "owner", "tags", "notes"),
    "contact": ("first_name", "last_name", "title", "street", "postal_code", "city", "country",
                "source", "owner", "tags", "notes"),
    "opportunity": ("name", "stage", "amount", "currency", "probability", "next_step",
                    "lost_reason", "owner"),
    "interaction": ("kind", "direction", "subject", "body", "duration_minutes",
                    "follow_up_done"),
    "appointment": ("title", "all_day", "location", "notes", "rrule", "reminder_minutes"),
}  # fmt: skip


def load_demo(db: Database, force: bool = False, today: date | None = None) -> dict[str, int]:
    """Load the demo data set and return how many records of each kind it added.

    Refuses (``ValidationError`` on ``database``) when the database already holds records,
    unless ``force``, which adds the demo records beside them. ``today`` is the day the
    relative dates count from (default: the local date).
    """
    data = read_demo_file(DEMO_FILE)
    data["cases"] = json.loads(CASES_FILE.read_text(encoding="utf-8"))["cases"]
    loader = _Loader(today or clock.today(), crud.current_user())
    with db.write() as tx:
        if not force:
            _refuse_if_not_empty(tx, db)
        counts = loader.load(tx, data)
    # As after an import: the load left SQLite's search index in pieces; merge them while the
    # user still waits for the demo, so a new database starts with a whole index.
    if search_upkeep.fragmented(db):
        search_upkeep.merge(db, search_upkeep.IMPORT_SECONDS)
    return counts


def read_demo_file(path: Traversable) -> dict[str, Any]:
    """The parsed demo file, checked for its format version."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise StoreError(f"the demo data file {path} is missing from this installation") from None
    if data.get("format") != FORMAT:
        raise StoreError(f"{path} has format {data.get('format')!r}; this version reads {FORMAT}")
    return data


def _refuse_if_not_empty(tx: Tx, db: Database) -> None:
    found = {
        plural: tx.scalar(f"SELECT count(*) FROM {table}")
        for table, plural in RECORD_TABLES.items()
    }
    held = ", ".join(f"{count} {plural}" for plural, count in found.items() if count)
    if held:
        where = db.path or "the database"  # a URL may carry a password: not echoed
        raise ValidationError(
            "database",
            f"{where} is not empty ({held}); use --force to add the demo data to it anyway",
        )


class _Loader:
    """Turns the file's records into service calls, resolving refs and relative dates."""

    def __init__(self, today: date, actor: str) -> None:
        self.today = today
        # "Minutes ago" counts from now, or from midday of a day given in its place.
        self.now = clock.now() if today == clock.today() else clock.at(today, time(12, 0))
        self.actor = actor
        self.ids: dict[str, int] = {}  # ref -> id (refs are unique across kinds)
        self.backdate: dict[str, list[dict[str, Any]]] = {kind: [] for kind in RECORD_TABLES}
        self.deal_activity: dict[int, datetime] = {}

    # dates ---------------------------------------------------------------------------------

    def day(self, offset: int, *, workday: bool = False) -> date:
        """The date ``offset`` days from today; on a working day if asked."""
        day = self.today + timedelta(days=offset)
        if workday and day.weekday() >= 5:
            # Past entries move back to Friday, future ones on to Monday.
            step = -(day.weekday() - 4) if offset <= 0 else 7 - day.weekday()
            day += timedelta(days=step)
        return day

    def moment(self, day: date, wall: str = "00:00") -> datetime:
        """Local wall-clock time on a day, as an aware datetime."""
        return clock.at(day, time.fromisoformat(wall))

    def ref(self, value: str | None) -> int | None:
        return None if value is None else self.ids[value]

    # records -------------------------------------------------------------------------------

    def load(self, tx: Tx, data: Mapping[str, Any]) -> dict[str, int]:
        """Create every record of the file in ``tx``; counts per kind (plural names)."""
        steps = (
            ("account", self.account),
            ("contact", self.contact),
            ("opportunity", self.opportunity),
            ("interaction", self.interaction),
            ("appointment", self.appointment),
            ("service_case", self.case),
        )
        # Counted, not read from the file: a case's replies are interactions too.
        before = self.count(tx)
        for kind, make in steps:
            for item in data.get(RECORD_TABLES[kind], []):
                make(tx, item)
        from smallcrm.store import demo_campaigns

        demo_campaigns.load(tx, self.today, self.actor)
        self.set_history(tx)
        return {plural: n - before[plural] for plural, n in self.count(tx).items()}

    @staticmethod
    def count(tx: Tx) -> dict[str, int]:
        """Records per kind (plural names), those in the trash too."""
        return {
            plural: int(tx.scalar(f"SELECT count(*) FROM {kind}"))
            for kind, plural in RECORD_TABLES.items()
        }

    def copied(self, kind: str, item: Mapping[str, Any]) -> dict[str, Any]:
        return {key: item[key] for key in _COPIED[kind] if key in item}

    def remember(self, kind: str, item: Mapping[str, Any], record_id: int, **when: Any) -> None:
        if "ref" in item:
            self.ids[item["ref"]] = record_id
        self.backdate[kind].append({"id": record_id, **when})

    def created(self, item: Mapping[str, Any]) -> datetime:
        return self.moment(self.day(item.get("created_day", 0), workday=True), "09:00")

    def account(self, tx: Tx, item: Mapping[str, Any]) -> None:
        record_id = create_account_tx(tx, self.copied("account", item), self.actor)
        at = self.created(item)
        self.remember("account", item, record_id, created=at, updated=at)

    def contact(self, tx: Tx, item: Mapping[str, Any]) -> None:
        values = self.copied("contact", item)
        values["account_id"] = self.ref(item.get("account"))
        # JSON has no tuples: ["work", "x@y"] becomes the (label, value) pair the service takes.
        values["emails"] = [tuple(pair) for pair in item.get("emails", [])]
        values["phones"] = [tuple(pair) for pair in item.get("phones", [])]
        if item.get("birthday"):
            values["birthday"] = date.fromisoformat(item["birthday"])
        for channel in ("email", "phone"):
            consent = item.get(f"{channel}_consent")
            if consent:
                values[f"{channel}_opt_in"] = consent["opt_in"]
                values[f"{channel}_consent_at"] = self.moment(self.day(consent["day"]), "10:00")
                values[f"{channel}_consent_source"] = consent.get("source")
        record_id = create_contact_tx(tx, values, self.actor)
        at = self.created(item)
        self.remember("contact", item, record_id, created=at, updated=at)

    def opportunity(self, tx: Tx, item: Mapping[str, Any]) -> None:
        values = self.copied("opportunity", item)
        values["account_id"] = self.ref(item.get("account"))
        values["contact_id"] = self.ref(item.get("contact"))
        if "expected_close_day" in item:
            values["expected_close"] = self.day(item["expected_close_day"], workday=True)
        record_id = create_opportunity_tx(tx, values, self.actor)
        at = self.created(item)
        closed = None
        if "closed_day" in item:
            closed = self.day(item["closed_day"], workday=True)
        self.remember("opportunity", item, record_id, created=at, updated=at, closed=closed)

    def interaction(self, tx: Tx, item: Mapping[str, Any]) -> None:
        values = self.copied("interaction", item)
        values["happened_at"] = self.moment(
            self.day(item["day"], workday=True), item.get("time", "10:00")
        )
        values["contact_id"] = self.ref(item.get("contact"))
        values["account_id"] = self.ref(item.get("account"))
        values["opportunity_id"] = self.ref(item.get("opportunity"))
        if "follow_up_day" in item:
            values["follow_up_on"] = self.day(item["follow_up_day"], workday=True)
        record_id = log_interaction_tx(tx, values, self.actor)
        at = values["happened_at"]
        self.remember("interaction", item, record_id, created=at, updated=at)
        deal = values["opportunity_id"]
        if deal is not None:
            self.deal_activity[deal] = max(at, self.deal_activity.get(deal, at))

    def appointment(self, tx: Tx, item: Mapping[str, Any]) -> None:
        values = self.copied("appointment", item)
        if item.get("all_day"):
            first = self.day(item["day"])
            values["starts_at"] = self.moment(first)
            values["ends_at"] = self.moment(first + timedelta(days=item.get("days", 1)))
        else:
            if "weekday" in item:  # a series starts on its weekday: back to the one before
                first = self.day(item["day"])
                first -= timedelta(days=(first.weekday() - item["weekday"]) % 7)
            else:
                first = self.day(item["day"], workday=True)
            values["starts_at"] = self.moment(first, item.get("time", "09:00"))
            values["duration"] = timedelta(minutes=item.get("minutes", 60))
        values["contact_id"] = self.ref(item.get("contact"))
        values["account_id"] = self.ref(item.get("account"))
        values["opportunity_id"] = self.ref(item.get("opportunity"))
        record_id = create_appointment_tx(tx, values, self.actor)
        at = min(self.created(item), values["starts_at"])
        self.remember("appointment", item, record_id, created=at, updated=at)

    def when(self, item: Mapping[str, Any]) -> datetime:
        """An event's moment: ``ago`` minutes before loading, or a (working) day and time."""
        if "ago" in item:
            return self.now - timedelta(minutes=item["ago"])
        return self.moment(self.day(item["day"], workday=True), item.get("time", "10:00"))

    def case(self, tx: Tx, item: Mapping[str, Any]) -> None:
        """A case and its steps, each at its own moment, so its clocks read as if lived."""
        from smallcrm.store.cases import change_status_tx, create_case_tx

        contact_id = self.ref(item["contact"])
        values = {
            "subject": item["subject"],
            "description": item.get("description"),
            "priority": item["priority"],
            "case_type": item["type"],
            "channel": item["channel"],
            "owner": item.get("owner"),
            "contact_id": contact_id,
        }
        opened = self.when(item)
        record_id = create_case_tx(tx, values, self.actor, at=opened)
        for event in item.get("events", []):
            at = self.when(event)
            if event["do"] in ("reply", "customer", "note"):
                inbound = "inbound" if event["do"] == "customer" else "outbound"
                entry = {"kind": event["kind"], "subject": event["subject"], "happened_at": at}
                entry.update(case_id=record_id, contact_id=contact_id, direction=inbound)
                log_interaction_tx(tx, entry, self.actor)
            else:
                action = {"waiting": "waiting", "resolve": "resolve", "close": "close"}
                change_status_tx(
                    tx, record_id, action[event["do"]], self.actor, reason=event.get("reason"),
                    at=at,
                )  # fmt: skip
        self.remember("service_case", item, record_id, created=opened, updated=opened)

    # history -------------------------------------------------------------------------------

    def set_history(self, tx: Tx) -> None:
        """Date the records as if the CRM had been in use for a while.

        The services stamp everything "now"; a demo where every record was created this minute
        would show no stale deals and an empty "recently changed" order. The audit trail keeps
        the true time of loading.
        """
        for row in self.backdate["opportunity"]:
            activity = self.deal_activity.get(row["id"])
            if row["closed"] is not None:
                row["updated"] = self.moment(row["closed"], "17:00")
            elif activity is not None:
                row["updated"] = max(row["created"], activity)
        for kind, rows in self.backdate.items():
            tx.executemany(
                f"UPDATE {kind} SET created_at = :created, updated_at = :updated WHERE id = :id",
                [{"id": r["id"], "created": r["created"], "updated": r["updated"]} for r in rows],
            )
        tx.executemany(
            "UPDATE opportunity SET closed_on = :closed WHERE id = :id",
            [
                {"id": r["id"], "closed": r["closed"]}
                for r in self.backdate["opportunity"]
                if r["closed"] is not None
            ],
        )
        self.stage_history(tx)

    def stage_history(self, tx: Tx) -> None:
        """The deals' stage history as the dates tell it (the services wrote it "now"): an open
        deal entered its stage when it was created; a closed one was in negotiation (won) or at
        the proposal (lost) from its creation until it closed."""
        for row in self.backdate["opportunity"]:
            if row["closed"] is None:
                tx.execute(
                    "UPDATE stage_change SET changed_at = :at WHERE opportunity_id = :id",
                    at=row["created"], id=row["id"],
                )  # fmt: skip
                continue
            closed = self.moment(row["closed"], "17:00")
            before = tx.scalar("SELECT stage FROM opportunity WHERE id = :id", id=row["id"])
            tx.execute(
                "INSERT INTO stage_change (opportunity_id, stage, changed_at, changed_by, left_at) "
                "SELECT opportunity_id, :stage, :created, changed_by, :closed FROM stage_change "
                "WHERE opportunity_id = :id",
                id=row["id"], created=row["created"], closed=closed,
                stage="negotiation" if before == "won" else "proposal",
            )  # fmt: skip
            tx.execute(
                "UPDATE stage_change SET changed_at = :closed "
                "WHERE opportunity_id = :id AND left_at IS NULL",
                id=row["id"], closed=closed,
            )  # fmt: skip
