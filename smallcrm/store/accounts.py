"""Accounts: the companies the business works with."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

from smallcrm.store import crud, listing, records, rows
from smallcrm.store import validate as v
from smallcrm.store.db import Database, Tx
from smallcrm.store.errors import DuplicateError, ValidationError
from smallcrm.store.kinds import Services
from smallcrm.store.listing import ListQuery, common_filters, iter_pages, order_by, window

SORTS = {
    "name": "a.sort_name",
    "industry": "a.industry_key",
    "city": "a.city_key",
    "owner": "a.owner_key",
    "updated": "a.updated_at",
    "created": "a.created_at",
}
TEXT_FIELDS = {
    "industry": 120,
    "owner": 120,
    "street": 300,
    "postal_code": 20,
    "city": 120,
    "country": 120,
    "external_id": 200,
}


def clean(values: Mapping[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """Validate account input into column values."""
    data = dict(values)
    out: dict[str, Any] = {}
    if "name" in data or not partial:
        out["name"] = v.text("name", data.pop("name", None), required=True, max_length=200)
    for key, limit in TEXT_FIELDS.items():
        if key in data:
            out[key] = v.text(key, data.pop(key), max_length=limit)
    if "website" in data:
        out["website"] = v.website("website", data.pop("website"))
    if "phone" in data:
        raw = data.pop("phone")
        out["phone"] = v.phone("phone", raw) if raw else None
    if "notes" in data:
        out["notes"] = v.long_text("notes", data.pop("notes"))
    if "tags" in data:
        out["tags"] = v.tags("tags", data.pop("tags"))
    elif not partial:
        out["tags"] = ""
    if data:
        raise ValidationError(next(iter(data)), "is not an account field")
    return out


def create_account_tx(tx: Tx, values: Mapping[str, Any], actor: str) -> int:
    """Create an account inside an open write transaction; returns its id."""
    return crud.insert_record(tx, "account", clean(values), actor)


def create_account(
    db: Database, actor: str | None = None, *, allow_duplicate: bool = False, **values: Any
) -> records.Account:
    """Create an account from validated input and return it.

    An account with the same phone or website, or the same name but for its legal form,
    raises DuplicateError and nothing is saved, unless ``allow_duplicate``.
    """
    cleaned = clean(values)  # a bad value is named before anything else is looked at
    if not allow_duplicate:
        refuse_duplicates(db, cleaned)
    with db.write() as tx:
        account_id = crud.insert_record(tx, "account", cleaned, actor or crud.current_user())
        return rows.account(crud.fetch_row(tx, "account", account_id))


def refuse_duplicates(db: Database, values: Mapping[str, Any]) -> None:
    """DuplicateError if a live account looks like the one ``clean()`` made of the input."""
    from smallcrm.store.lookalikes import find_duplicates

    phone = values.get("phone")
    found = find_duplicates(
        db,
        "account",
        str(values.get("name") or "").strip(),
        phones=[phone] if phone else (),
        website=values.get("website") or None,
    )
    if found:
        raise DuplicateError("account", found)


def get_account(db: Database, account_id: int, *, trashed: bool = False) -> records.Account:
    """One account by id."""
    with db.read() as tx:
        return rows.account(crud.fetch_row(tx, "account", account_id, trashed=trashed))


def update_account(
    db: Database,
    account_id: int,
    expected_version: int | None,
    /,
    actor: str | None = None,
    **changes: Any,
) -> records.Account:
    """Change an account if nobody saved it since ``expected_version``."""
    with db.write() as tx:
        update_account_tx(tx, account_id, expected_version, changes, actor or crud.current_user())
        return rows.account(crud.fetch_row(tx, "account", account_id))


def update_account_tx(
    tx: Tx,
    account_id: int,
    expected_version: int | None,
    changes: Mapping[str, Any],
    actor: str,
    *,
    action: str = "update",
) -> bool:
    """Change an account inside an open write transaction; True if anything changed."""
    data = clean(changes, partial=True)
    return bool(
        crud.update_record(tx, "account", account_id, expected_version, data, actor, action=action)
    )


def delete_account(
    db: Database, account_id: int, expected_version: int | None = None, actor: str | None = None
) -> None:
    """Move an account to the trash (its contacts and deals stay, still linked)."""
    with db.write() as tx:
        crud.trash_record(tx, "account", account_id, actor or crud.current_user(), expected_version)


def restore_account(db: Database, account_id: int, actor: str | None = None) -> records.Account:
    """Bring an account back from the trash."""
    with db.write() as tx:
        crud.restore_record(tx, "account", account_id, actor or crud.current_user())
        return rows.account(crud.fetch_row(tx, "account", account_id))


def list_accounts(db: Database, query: ListQuery | None = None) -> records.Page[records.Account]:
    """One page of accounts with the total count.

    The page's ids are chosen first from the sort's index (``ids_first``) and a page past the
    middle is read from the end: skipping rows of the whole table costs a row read each.
    """
    query = query or ListQuery()
    window(query)  # refuses a bad offset or limit before anything is read
    with db.read() as tx:
        where = _where(query)
        if len(where.parts) == 1:  # only "not in the trash": the count the triggers keep
            total = listing.live_count(tx, "account")
        else:
            total = tx.scalar(f"SELECT count(*) FROM account a {where.sql}", **where.params)
        found = listing.page_rows(tx, query, total, _page)
    items = [rows.account(row) for row in found]
    return records.Page(items, total, query.offset, query.limit or len(items))


def _where(query: ListQuery) -> listing.Where:
    where = common_filters(query, "a", "updated_at")
    if query.extra.get("industry"):
        where.add("a.industry = :industry", industry=query.extra["industry"])
    return where


def _page(tx: Tx, query: ListQuery) -> list[Any]:
    """The rows of one page of accounts (``query`` as read, perhaps from the end)."""
    where = _where(query)
    order = order_by(query, SORTS, "name", "a")
    sql = listing.ids_first("SELECT a.* FROM account a", "account", "a", "", where, order)
    return tx.all(sql, **where.params, **window(query)[1])


def iter_accounts(db: Database, query: ListQuery | None = None) -> Iterator[records.Account]:
    """Every matching account, a page at a time."""
    return iter_pages(lambda q: list_accounts(db, q), query or ListQuery(limit=None))


def account_contacts(db: Database, account_id: int, limit: int = 200) -> list[records.Contact]:
    """The live contacts of an account, by name."""
    from smallcrm.store.contacts import list_contacts

    return list_contacts(db, ListQuery(account_id=account_id, limit=limit)).items


def pipeline_total(db: Database, account_id: int) -> tuple[Decimal, Decimal]:
    """(open pipeline total, weighted total) of an account's open opportunities."""
    with db.read() as tx:
        row = tx.row(
            "SELECT coalesce(sum(o.amount_cents), 0) AS total, "
            "coalesce(sum(o.amount_cents * o.probability), 0) AS weighted "
            "FROM opportunity o JOIN stage s ON s.name = o.stage "
            "WHERE o.account_id = :id AND o.deleted_at IS NULL AND NOT s.is_closed",
            id=account_id,
        )
    return Decimal(row["total"]) / 100, (Decimal(row["weighted"]) / 10000).quantize(Decimal("0.01"))


def title(record: records.Account) -> str:
    """The words that name a account in messages."""
    return record.name


SERVICES: Services[records.Account] = Services(
    get=get_account,
    update=update_account,
    delete=delete_account,
    restore=restore_account,
    list=list_accounts,
    iter=iter_accounts,
    title=title,
)
