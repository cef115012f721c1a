"""Contacts: people, their emails and phones, consent, and the rules for changing them."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from functools import partial
from typing import Any

from smallcrm.store import attribution, consent, contact_checks, crud, positions, records, rows
from smallcrm.store import validate as v
from smallcrm.store.db import Database, Tx
from smallcrm.store.errors import DuplicateError, ValidationError
from smallcrm.store.kinds import Services
from smallcrm.store.listing import (
    ListQuery,
    Where,
    common_filters,
    iter_pages,
    mirrored,
    order_by,
    window,
)

SORTS = {
    "name": "c.sort_name",
    "first_name": "c.first_key",
    "account": "c.account_key",
    "city": "c.city_key",
    "owner": "c.owner_key",
    "updated": "c.updated_at",
    "created": "c.created_at",
}
TEXT_FIELDS = {
    "title": 200,
    "source": 120,
    "owner": 120,
    "street": 300,
    "postal_code": 20,
    "city": 120,
    "country": 120,
    "external_id": 200,
    "email_consent_source": 200,
    "phone_consent_source": 200,
}
_SELECT = (
    "SELECT c.*, a.name AS account_name FROM contact c LEFT JOIN account a ON a.id = c.account_id"
)
_SOURCE = positions.Source("contact", "c", _SELECT, SORTS, "name")


def split_name(full: str) -> tuple[str, str]:
    """Split a full name: "Jana Novak" and "Novak, Jana" -> (Jana, Novak); one word -> (it, "")."""
    cleaned = " ".join(full.split())
    if "," in cleaned:
        last, _, first = cleaned.partition(",")
        return first.strip(), last.strip()
    first, _, last = cleaned.rpartition(" ")
    return (first, last) if first else (last, "")


def clean(values: Mapping[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """Validate contact input; returns column values plus ``methods`` if emails/phones given.

    ``name`` is accepted as a convenience and split into first and last name.
    """
    data = dict(values)
    out: dict[str, Any] = {}
    if "name" in data:
        first, last = split_name(str(data.pop("name") or ""))
        data.setdefault("first_name", first)
        data.setdefault("last_name", last)
    for key in ("first_name", "last_name"):
        if key in data or not partial:
            out[key] = v.text(key, data.pop(key, None), max_length=120) or ""
    if ("first_name" in out or "last_name" in out) and not (
        out.get("first_name") or out.get("last_name")
    ):
        raise ValidationError("name", "is required: give a first or a last name")
    for key, limit in TEXT_FIELDS.items():
        if key in data:
            out[key] = v.text(key, data.pop(key), max_length=limit)
    if "notes" in data:
        out["notes"] = v.long_text("notes", data.pop("notes"))
    if "tags" in data:
        out["tags"] = v.tags("tags", data.pop("tags"))
    elif not partial:
        out["tags"] = ""
    if "account_id" in data:
        out["account_id"] = data.pop("account_id")
    if "lifecycle_stage" in data:
        out["lifecycle_stage"] = attribution.lifecycle(data.pop("lifecycle_stage"))
    if "source_campaign_id" in data:
        out["source_campaign_id"] = data.pop("source_campaign_id")
    if "birthday" in data:
        out["birthday"] = _birthday(data.pop("birthday"))
    for channel in ("email", "phone"):
        key = f"{channel}_opt_in"
        if key in data:
            opt_in = data.pop(key)
            out[key] = None if opt_in is None else bool(opt_in)
            out[f"{channel}_consent_at"] = data.pop(f"{channel}_consent_at", None) or (
                crud.now_utc() if opt_in is not None else None
            )
    methods: list[records.ContactMethod] = []
    given: list[str] = []
    for key, kind in (("emails", "email"), ("phones", "phone")):
        if key in data:
            given.append(kind)
            methods += v.contact_methods(key.rstrip("s"), data.pop(key), kind)
    if given:
        out["methods"] = methods
        out["method_kinds"] = tuple(given)  # an update replaces only the kinds it was given
    if data:
        raise ValidationError(next(iter(data)), "is not a contact field")
    return out


def _birthday(value: Any) -> Any:
    from datetime import date

    if value is None or value == "" or isinstance(value, date):
        return v.day("birthday", value or None)
    from smallcrm.store.dates import parse_date

    text = str(value).strip()
    day = v.day("birthday", parse_date(text, crud.now_utc(), field="birthday"))
    assert day is not None
    if day > crud.now_utc().date():
        raise ValidationError("birthday", f"{day.isoformat()} is in the future")
    return day


def _write_methods(tx: Tx, contact_id: int, methods: list[records.ContactMethod]) -> None:
    tx.execute("DELETE FROM contact_method WHERE contact_id = :id", id=contact_id)
    tx.executemany(
        "INSERT INTO contact_method (contact_id, kind, label, value, position) "
        "VALUES (:contact_id, :kind, :label, :value, :position)",
        [
            {
                "contact_id": contact_id,
                "kind": m.kind,
                "label": m.label,
                "value": m.value,
                "position": i,
            }
            for i, m in enumerate(methods)
        ],
    )


def _methods_of(tx: Tx, contact_ids: list[int]) -> dict[int, list[records.ContactMethod]]:
    found: dict[int, list[records.ContactMethod]] = {cid: [] for cid in contact_ids}
    if not contact_ids:
        return found
    marks = ", ".join(f":c{i}" for i in range(len(contact_ids)))
    params = {f"c{i}": cid for i, cid in enumerate(contact_ids)}
    for row in tx.all(
        f"SELECT contact_id, kind, label, value FROM contact_method "
        f"WHERE contact_id IN ({marks}) ORDER BY contact_id, kind, position",
        **params,
    ):
        found[row["contact_id"]].append(
            records.ContactMethod(row["kind"], row["value"], row["label"])
        )
    return found


def _check_account(tx: Tx, account_id: int | None) -> None:
    if account_id is None:
        return
    if not crud.is_live(tx, "account", account_id):
        raise ValidationError("account", f"no account with id {account_id}")


def create_contact_tx(tx: Tx, values: Mapping[str, Any], actor: str) -> int:
    """Create a contact inside an open write transaction; returns its id."""
    return insert_contact_tx(tx, clean(values), actor)


def insert_contact_tx(tx: Tx, cleaned: Mapping[str, Any], actor: str) -> int:
    """Create a contact from ``clean()``'s output (validated once, by the caller)."""
    data = dict(cleaned)
    methods = data.pop("methods", [])
    data.pop("method_kinds", None)
    _check_account(tx, data.get("account_id"))
    attribution.prepare_contact(tx, data, None)
    extra = {"methods": [None, _describe_methods(methods)]} if methods else None
    contact_id = crud.insert_record(tx, "contact", data, actor, extra)
    if methods:
        _write_methods(tx, contact_id, methods)
    return contact_id


def insert_contacts_tx(tx: Tx, rows: Sequence[tuple[int, Mapping[str, Any]]], actor: str) -> None:
    """Create many contacts from ``clean()`` output at once (imports): ``(id, cleaned)`` rows
    with ids from ``crud.next_id``. Rows, emails, phones and history are what
    ``insert_contact_tx`` writes; account ids must name live accounts (the caller made sure).
    """
    prepared = []
    methods: list[dict[str, Any]] = []
    for contact_id, cleaned in rows:
        data = dict(cleaned)
        found = data.pop("methods", [])
        data.pop("method_kinds", None)
        extra = {"methods": [None, _describe_methods(found)]} if found else None
        prepared.append((contact_id, data, extra))
        methods += [
            {"contact_id": contact_id, "kind": m.kind, "label": m.label, "value": m.value,
             "position": i}
            for i, m in enumerate(found)
        ]  # fmt: skip
    crud.insert_records(tx, "contact", prepared, actor)
    tx.executemany(
        "INSERT INTO contact_method (contact_id, kind, label, value, position) "
        "VALUES (:contact_id, :kind, :label, :value, :position)",
        methods,
    )


def create_contact(
    db: Database, actor: str | None = None, *, allow_duplicate: bool = False, **values: Any
) -> records.Contact:
    """Create a contact from validated input and return it.

    A contact with the same email or phone, or a very similar name, raises DuplicateError and
    nothing is saved, unless ``allow_duplicate`` (the user saw the candidates and said so).
    """
    actor = actor or crud.current_user()
    cleaned = clean(values)  # a bad value is named before anything else is looked at
    if not allow_duplicate:
        refuse_duplicates(db, cleaned)
    with db.write() as tx:
        contact_id = insert_contact_tx(tx, cleaned, actor)
        return _get(tx, contact_id)


def refuse_duplicates(db: Database, cleaned: Mapping[str, Any]) -> None:
    """DuplicateError if a live contact looks like the one ``clean()`` made of the input."""
    from smallcrm.store.lookalikes import find_duplicates

    name = " ".join(str(cleaned.get(k) or "") for k in ("first_name", "last_name")).strip()
    methods = cleaned.get("methods") or []
    found = find_duplicates(
        db,
        "contact",
        name,
        emails=[m for m in methods if m.kind == "email"],
        phones=[m for m in methods if m.kind == "phone"],
    )
    if found:
        raise DuplicateError("contact", found)


def _describe_methods(methods: list[records.ContactMethod]) -> str:
    return ", ".join(f"{m.label}:{m.value}" for m in methods)


def get_contact(db: Database, contact_id: int, *, trashed: bool = False) -> records.Contact:
    """One contact by id (NotFoundError if missing or in the trash)."""
    with db.read() as tx:
        return _get(tx, contact_id, trashed=trashed)


def _get(tx: Tx, contact_id: int, *, trashed: bool = False) -> records.Contact:
    crud.fetch_row(tx, "contact", contact_id, trashed=trashed)
    row = tx.one(f"{_SELECT} WHERE c.id = :id", id=contact_id)
    return rows.contact(row, _methods_of(tx, [contact_id])[contact_id])


def update_contact(
    db: Database,
    contact_id: int,
    expected_version: int | None,
    /,
    actor: str | None = None,
    **changes: Any,
) -> records.Contact:
    """Change a contact if nobody saved it since ``expected_version`` (ConflictError if so)."""
    actor = actor or crud.current_user()
    data = clean(changes, partial=True)
    with db.write() as tx:
        _update_cleaned(tx, contact_id, expected_version, data, actor, "update")
        return _get(tx, contact_id)


def update_contact_tx(
    tx: Tx,
    contact_id: int,
    expected_version: int | None,
    changes: Mapping[str, Any],
    actor: str,
    *,
    action: str = "update",
) -> bool:
    """Change a contact inside an open write transaction; True if anything changed.

    ``action`` names the change in the audit trail (``import``, ``merge``, ...).
    """
    return _update_cleaned(
        tx, contact_id, expected_version, clean(changes, partial=True), actor, action
    )


def _update_cleaned(
    tx: Tx,
    contact_id: int,
    expected_version: int | None,
    data: dict[str, Any],
    actor: str,
    action: str,
) -> bool:
    methods = data.pop("methods", None)
    kinds = data.pop("method_kinds", ())
    _check_account(tx, data.get("account_id"))
    current = crud.fetch_row(tx, "contact", contact_id)
    attribution.prepare_contact(tx, data, current)
    consent.keep_withdrawal(current, data, action)
    diff = crud.update_record(
        tx, "contact", contact_id, expected_version, data, actor, action=action
    )
    if diff.keys() & {"lifecycle_stage", "source_campaign_id"}:
        attribution.convert_lead(tx, contact_id, actor)
    if methods is None:
        return bool(diff)
    old = _methods_of(tx, [contact_id])[contact_id]
    kept = [m for m in old if m.kind not in kinds]
    methods = sorted(kept + methods, key=lambda m: m.kind)  # emails, then phones
    if old == methods:
        return bool(diff)
    _write_methods(tx, contact_id, methods)
    if not diff:
        crud.touch_record(tx, "contact", contact_id, actor)
    crud.audit(
        tx,
        action,
        "contact",
        contact_id,
        {"methods": [_describe_methods(old), _describe_methods(methods)]},
        actor,
    )
    return True


def delete_contact(
    db: Database, contact_id: int, expected_version: int | None = None, actor: str | None = None
) -> None:
    """Move a contact to the trash."""
    with db.write() as tx:
        crud.trash_record(tx, "contact", contact_id, actor or crud.current_user(), expected_version)


def restore_contact(db: Database, contact_id: int, actor: str | None = None) -> records.Contact:
    """Bring a contact back from the trash."""
    with db.write() as tx:
        crud.restore_record(tx, "contact", contact_id, actor or crud.current_user())
        return _get(tx, contact_id)


def filters(query: ListQuery) -> Where:
    """The WHERE of a contact list (on ``c``): the common filters, consent per channel, and
    the checks and criteria of ``contact_checks``."""
    where = common_filters(query, "c", "updated_at")
    if query.extra.get("email_opt_in") is not None:
        where.add("c.email_opt_in = :eoi", eoi=bool(query.extra["email_opt_in"]))
    if query.extra.get("phone_opt_in") is not None:
        where.add("c.phone_opt_in = :poi", poi=bool(query.extra["phone_opt_in"]))
    contact_checks.add_filters(where, query.extra)
    return where


def _list_sql(query: ListQuery) -> tuple[str, str | None, dict[str, Any]]:
    """SQL for one page of contacts and for their count, with the parameters of both.

    The page's ids are chosen first, from the contact table (and the account, for its sort)
    only, and then their rows are read: skipping to a deep page then walks an index
    (``ix_contact_live_sort_name`` for the name sort) instead of reading every skipped row.
    """
    where = filters(query)
    order = order_by(query, SORTS, "name", "c")
    # Only the account sort needs the join; SQLite does not drop an unused LEFT JOIN here, and
    # joining each skipped row costs a third more on a deep page.
    joined = " LEFT JOIN account a ON a.id = c.account_id" if "a." in order else ""
    page_ids = (
        f"SELECT c.id FROM contact c{joined} {where.sql} {order} LIMIT :_limit OFFSET :_offset"
    )
    sql = f"{_SELECT} WHERE c.id IN ({page_ids}) {order}"
    count_sql: str | None = None  # only "not in the trash": listing.live_count
    if len(where.parts) != 1:
        count_sql = f"SELECT count(*) FROM contact c {where.sql}"
    return sql, count_sql, where.params


def list_contacts(db: Database, query: ListQuery | None = None) -> records.Page[records.Contact]:
    """One page of contacts with the total count.

    A page in the second half of the list is read from its end, in the opposite order, and
    turned round: an offset costs a step per skipped row, and from the end fewer are skipped.
    """
    query = query or ListQuery()
    window(query)  # refuses a bad offset or limit before anything is read
    with db.read() as tx:
        sql, count_sql, params = _list_sql(query)
        total, stamp = (
            positions.counted(tx, "contact")
            if count_sql is None
            else (tx.scalar(count_sql, **params), None)
        )
        fallback = partial(_offset_page, tx, query, total)
        found = positions.read_page(db, tx, _SOURCE, query, (total, stamp), fallback)
        methods = _methods_of(tx, [row["id"] for row in found])
    items = [rows.contact(row, methods[row["id"]]) for row in found]
    return records.Page(items, total, query.offset, query.limit or len(items))


def _offset_page(tx: Tx, query: ListQuery, total: int) -> list[Any]:
    """The page read with an OFFSET, from the end of the list when that skips fewer rows."""
    mirror = mirrored(query, total)
    sql, _count_sql, params = _list_sql(mirror or query)
    found = tx.all(sql, **params, **window(mirror or query)[1])
    return found[::-1] if mirror else found


def iter_contacts(db: Database, query: ListQuery | None = None) -> Iterator[records.Contact]:
    """Every matching contact, a page at a time, so a long list starts at once."""
    return iter_pages(lambda q: list_contacts(db, q), query or ListQuery(limit=None))


def title(record: records.Contact) -> str:
    """The words that name a contact in messages."""
    return record.name


SERVICES: Services[records.Contact] = Services(
    get=get_contact,
    update=update_contact,
    delete=delete_contact,
    restore=restore_contact,
    list=list_contacts,
    iter=iter_contacts,
    title=title,
)
