"""Marketing campaigns: create, change, list, trash and restore; versioned and audited.

A campaign is named by its short code (``SPRING26``) wherever people type one: the code is
unique, kept in capitals, and also names a campaign in the trash (an old results file still
means the same campaign). Its audience is in ``campaign_audience``, the responses a mailing tool
reports in ``campaign_responses`` and what it brought in ``campaign_figures``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

from smallcrm.store import campaign_records, crud
from smallcrm.store import validate as v
from smallcrm.store.campaign_records import Campaign
from smallcrm.store.db import Database, Tx
from smallcrm.store.errors import NotFoundError, ValidationError
from smallcrm.store.kinds import Services
from smallcrm.store.listing import ListQuery, iter_pages, live_count, order_by, window
from smallcrm.store.records import Page

KIND = "campaign"
# The channels a campaign reaches people on; those in CONSENT_NEEDED may only reach contacts
# who agreed to that kind of contact (post, the web, events and ads address nobody directly).
CHANNELS = ("email", "newsletter", "phone", "sms", "mail", "web", "event", "social", "ads")
CONSENT_NEEDED = {"email": "email", "newsletter": "email", "phone": "phone", "sms": "phone"}
STATUSES = ("planning", "active", "inactive", "complete")
_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{1,19}$")
CODE_RULE = "2 to 20 letters, digits, - or _, starting with a letter or digit (SPRING26)"
SORTS = {"start": "c.starts_on", "name": "c.name", "code": "c.code", "updated": "c.updated_at"}


def consent_for(channel: str) -> str | None:
    """The consent (``email`` or ``phone``) a channel needs of each member, if any."""
    return CONSENT_NEEDED.get(channel)


def _money(field: str, value: Any) -> int | None:
    if value is None or value == "":
        return None
    return v.amount_cents(field, value)


def _day(field: str, value: Any) -> date | None:
    if value is None or value == "" or isinstance(value, date):
        return v.day(field, value or None)
    from smallcrm.store.dates import parse_date

    return v.day(field, parse_date(str(value), crud.now_utc(), field=field))


def clean_code(value: Any, field: str = "code") -> str:
    """A campaign code as stored: trimmed, in capitals, checked against ``CODE_RULE``."""
    code = (v.text(field, value, required=True, max_length=20) or "").upper()
    if not _CODE.match(code):
        raise ValidationError(field, f"{value!r} is not a campaign code: {CODE_RULE}")
    return code


def clean(values: Mapping[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """Validate campaign input into column values; every error names its field."""
    data = dict(values)
    out: dict[str, Any] = {}
    if "name" in data or not partial:
        out["name"] = v.text("name", data.pop("name", None), required=True, max_length=200)
    if data.get("code") not in (None, ""):
        out["code"] = clean_code(data.pop("code"))
    data.pop("code", None)
    for key, allowed, default in (("channel", CHANNELS, "email"), ("status", STATUSES, "planning")):
        if key in data or not partial:
            out[key] = v.choice(key, data.pop(key, None) or default, allowed)
    for key, word in (("starts_on", "start"), ("ends_on", "end")):
        if key in data:
            out[key] = _day(word, data.pop(key))
    for key, word in (("budget_cents", "budget"), ("cost_cents", "cost")):
        if key in data:
            out[key] = _money(word, data.pop(key))
    if "owner" in data:
        out["owner"] = v.text("owner", data.pop("owner"), max_length=120)
    if "notes" in data:
        out["notes"] = v.long_text("notes", data.pop("notes"))
    if data:
        raise ValidationError(next(iter(data)), "is not a campaign field")
    return out


def _check(tx: Tx, data: dict[str, Any], current: Any | None, campaign_id: int | None) -> None:
    start = data.get("starts_on", current["starts_on"] if current else None)
    end = data.get("ends_on", current["ends_on"] if current else None)
    if start is not None and end is not None and str(end) < str(start):
        raise ValidationError("end", f"{end} is before the start {start}")
    code = data.get("code")
    if code is not None:
        other = tx.one(
            "SELECT id, deleted_at FROM campaign WHERE code = :code AND id <> :id",
            code=code,
            id=campaign_id or 0,
        )
        if other is not None:
            where = " (in the trash)" if other["deleted_at"] is not None else ""
            raise ValidationError("code", f"{code} is taken by campaign {other['id']}{where}")


def _made_up_code(tx: Tx, name: str) -> str:
    """A code from the campaign's name when none was given: its letters and digits."""
    stem = re.sub(r"[^A-Z0-9]", "", name.upper())[:12] or "CAMPAIGN"
    stem = stem if len(stem) >= 2 else stem + "1"
    code, n = stem, 1
    while tx.scalar("SELECT count(*) FROM campaign WHERE code = :code", code=code):
        n += 1
        code = f"{stem}-{n}"
    return code


def create_campaign_tx(tx: Tx, values: Mapping[str, Any], actor: str) -> int:
    """Create a campaign inside an open write transaction; returns its id."""
    data = clean(values)
    if "code" not in data:
        data["code"] = _made_up_code(tx, data["name"])
    _check(tx, data, None, None)
    return crud.insert_record(tx, KIND, data, actor)


def create_campaign(db: Database, actor: str | None = None, **values: Any) -> Campaign:
    """Create a campaign and return it."""
    with db.write() as tx:
        campaign_id = create_campaign_tx(tx, values, actor or crud.current_user())
        return get_tx(tx, campaign_id)


def get_tx(tx: Tx, campaign_id: int, *, trashed: bool = False) -> Campaign:
    """One campaign read inside an open transaction."""
    return campaign_records.campaign(crud.fetch_row(tx, KIND, campaign_id, trashed=trashed))


def get_campaign(db: Database, campaign_id: int) -> Campaign:
    """One live campaign by id (NotFoundError if missing or in the trash)."""
    with db.read() as tx:
        return get_tx(tx, campaign_id)


def find_tx(tx: Tx, ref: str | int, *, field: str = "campaign") -> Campaign:
    """The live campaign a user means: its code (any case) or its id; NotFoundError (``no
    campaign 'X'``, naming a few campaigns there are) otherwise."""
    text = str(ref).strip()
    row = tx.one("SELECT * FROM campaign WHERE code = :code", code=text.upper())
    if row is None and text.lstrip("#").isdigit() and len(text) < 10:
        row = tx.one("SELECT * FROM campaign WHERE id = :id", id=int(text.lstrip("#")))
    if row is None or row["deleted_at"] is not None:
        codes = [r["code"] for r in tx.all(_LIVE_CODES)]
        known = f"; campaigns: {', '.join(codes)}" if codes else "; there are no campaigns yet"
        trashed = " (it is in the trash)" if row is not None else ""
        raise NotFoundError(field, f"{text!r}{trashed}{known}")
    return campaign_records.campaign(row)


_LIVE_CODES = "SELECT code FROM campaign WHERE deleted_at IS NULL ORDER BY code LIMIT 12"


def find_campaign(db: Database, ref: str | int) -> Campaign:
    """``find_tx`` in its own read transaction."""
    with db.read() as tx:
        return find_tx(tx, ref)


def update_campaign(
    db: Database,
    campaign_id: int,
    expected_version: int | None,
    /,
    actor: str | None = None,
    **changes: Any,
) -> Campaign:
    """Change a campaign if nobody saved it since ``expected_version`` (ConflictError if so)."""
    with db.write() as tx:
        update_campaign_tx(tx, campaign_id, expected_version, changes, actor or crud.current_user())
        return get_tx(tx, campaign_id)


def update_campaign_tx(
    tx: Tx,
    campaign_id: int,
    expected_version: int | None,
    changes: Mapping[str, Any],
    actor: str,
    *,
    action: str = "update",
) -> bool:
    """Change a campaign inside an open write transaction; True if anything changed."""
    data = clean(changes, partial=True)
    current = crud.fetch_row(tx, KIND, campaign_id)
    _check(tx, data, current, campaign_id)
    return bool(
        crud.update_record(tx, KIND, campaign_id, expected_version, data, actor, action=action)
    )


def delete_campaign(
    db: Database, campaign_id: int, expected_version: int | None = None, actor: str | None = None
) -> None:
    """Move a campaign to the trash (its audience and the deals crediting it stay)."""
    with db.write() as tx:
        crud.trash_record(tx, KIND, campaign_id, actor or crud.current_user(), expected_version)


def restore_campaign(db: Database, campaign_id: int, actor: str | None = None) -> Campaign:
    """Bring a campaign back from the trash."""
    with db.write() as tx:
        crud.restore_record(tx, KIND, campaign_id, actor or crud.current_user())
        return get_tx(tx, campaign_id)


def list_campaigns(db: Database, query: ListQuery | None = None) -> Page[Campaign]:
    """One page of live campaigns, the latest start first, with the total.

    Filters in ``query.extra``: ``status``, ``channel``; ``query.owner``.
    """
    query = query or ListQuery()
    limit_sql, limit_params = window(query)
    where, params = ["c.deleted_at IS NULL"], {}
    for key, allowed in (("status", STATUSES), ("channel", CHANNELS)):
        if query.extra.get(key):
            where.append(f"c.{key} = :{key}")
            params[key] = v.choice(key, query.extra[key], allowed)
    if query.owner:
        where.append("c.owner = :owner")
        params["owner"] = query.owner
    order = order_by(query, SORTS, "start", "c") if query.sort else _DEFAULT_ORDER
    sql_where = " AND ".join(where)
    with db.read() as tx:
        if len(where) == 1:
            total = live_count(tx, KIND)
        else:
            total = int(tx.scalar(f"SELECT count(*) FROM campaign c WHERE {sql_where}", **params))
        found = tx.all(
            f"SELECT c.* FROM campaign c WHERE {sql_where} {order}{limit_sql}",
            **params,
            **limit_params,
        )
    items = [campaign_records.campaign(row) for row in found]
    return Page(items, total, query.offset, query.limit or len(items))


_DEFAULT_ORDER = "ORDER BY (c.starts_on IS NULL), c.starts_on DESC, c.id DESC"


def iter_campaigns(db: Database, query: ListQuery | None = None) -> Iterator[Campaign]:
    """Every matching campaign, a page at a time (exports)."""
    return iter_pages(lambda q: list_campaigns(db, q), query or ListQuery(limit=None))


def label(db: Database, campaign_id: int) -> str:
    """``Spring offer 2026 (SPRING26)`` for a campaign id a record holds, also when the
    campaign is in the trash (then said so)."""
    with db.read() as tx:
        row = tx.one("SELECT * FROM campaign WHERE id = :id", id=campaign_id)
    if row is None:
        return f"campaign {campaign_id} (gone)"
    trashed = " (in the trash)" if row["deleted_at"] is not None else ""
    return title(campaign_records.campaign(row)) + trashed


def title(record: Campaign) -> str:
    """The words that name a campaign in messages: ``Spring offer 2026 (SPRING26)``."""
    return f"{record.name} ({record.code})"


SERVICES: Services[Campaign] = Services(
    get=get_campaign,
    update=update_campaign,
    delete=delete_campaign,
    restore=restore_campaign,
    list=list_campaigns,
    iter=iter_campaigns,
    title=title,
)
