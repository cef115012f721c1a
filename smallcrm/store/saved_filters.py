"""Saved contact filters: a name for a set of the criteria the contact list understands, used
to list contacts (``smallcrm list contacts --filter``, the contacts screen) and to choose a
campaign's audience (``smallcrm campaign add-members --filter``).

A saved filter holds criteria, never contacts: each use evaluates them afresh, so a campaign
gets whoever matches at that moment. The criteria are stored as JSON with a format number
(``"v"``), so a later version can read what an earlier one wrote and refuse what it cannot.
Names are unique whatever their case (``name_key``).
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from smallcrm.store import attribution, contact_checks, crud
from smallcrm.store import validate as v
from smallcrm.store.db import Database, Tx, to_datetime
from smallcrm.store.errors import ConflictError, StoreError, ValidationError
from smallcrm.store.listing import ListQuery

FORMAT = 1  # the "v" written with the criteria
MAX_NAME = 80
# Every criterion, in the order they are described; the contact list filters on each.
CRITERIA = (
    "tag owner account_id search lifecycle email_opt_in phone_opt_in missing quiet_days "
    "shared_email since until"
).split()
_ACCEPTED = "tag, account, owner, search, lifecycle, consent, missing, quiet days, shared email"


@dataclass(frozen=True)
class SavedFilter:
    """A named set of contact criteria (see ``CRITERIA``)."""

    id: int
    name: str
    criteria: dict[str, Any]
    owner: str | None
    version: int
    created_at: datetime
    updated_at: datetime


def clean_name(name: Any) -> str:
    """A filter's name: one line of at most ``MAX_NAME`` characters."""
    return str(v.text("name", name, required=True, max_length=MAX_NAME))


def _key(name: str) -> str:
    return name.casefold()


def _flag(field: str, value: Any) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in ("yes", "true", "1", "agreed"):
        return True
    if word in ("no", "false", "0", "refused"):
        return False
    raise ValidationError(field, f"{value!r} is not yes or no")


def _day(field: str, value: Any) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            raise ValidationError(field, f"{value!r} is not a date like 2026-11-01") from None
    return v.day(field, value).isoformat()  # type: ignore[union-attr]


def clean_criteria(tx: Tx, values: Mapping[str, Any]) -> dict[str, Any]:
    """Checked criteria without the empty ones; ValidationError naming the criterion."""
    unknown = sorted(set(values) - set(CRITERIA))
    if unknown:
        raise ValidationError(unknown[0], f"is not a filter criterion; one of {_ACCEPTED}")
    out: dict[str, Any] = {
        "tag": v.tags("tag", values.get("tag")) or None,
        "owner": v.text("owner", values.get("owner"), max_length=120),
        "search": v.text("search", values.get("search"), max_length=200),
        "lifecycle": attribution.lifecycle(values.get("lifecycle")),
        "email_opt_in": _flag("email consent", values.get("email_opt_in")),
        "phone_opt_in": _flag("phone consent", values.get("phone_opt_in")),
        "quiet_days": v.whole_number("quiet days", values.get("quiet_days"), low=1, high=36_500),
        "shared_email": _flag("shared email", values.get("shared_email")) or None,
        "since": _day("since", values.get("since")),
        "until": _day("until", values.get("until")),
    }
    if out["tag"] and " " in out["tag"]:
        raise ValidationError("tag", "one tag only, such as customer")
    if values.get("missing"):
        out["missing"] = v.choice("missing", values["missing"], contact_checks.METHOD_KINDS)
    if values.get("account_id") is not None:
        out["account_id"] = v.record_id("account", values["account_id"])
        if not crud.is_live(tx, "account", out["account_id"]):
            raise ValidationError("account", f"no account with id {out['account_id']}")
    if out["since"] and out["until"] and out["since"] > out["until"]:
        raise ValidationError("until", "is before the start date")
    kept = {key: out[key] for key in CRITERIA if out.get(key) is not None}
    if not kept:
        raise ValidationError("criteria", f"say which contacts the filter keeps: {_ACCEPTED}")
    return kept


def criteria_of(query: ListQuery) -> dict[str, Any]:
    """The criteria a contact list's query filters by (to save what the list shows)."""
    found: dict[str, Any] = {
        "tag": query.tag,
        "owner": query.owner,
        "account_id": query.account_id,
        "since": query.since.isoformat() if query.since else None,
        "until": query.until.isoformat() if query.until else None,
    }
    found.update({key: query.extra.get(key) for key in CRITERIA if key in query.extra})
    return {key: value for key, value in found.items() if value not in (None, "", False)}


def _record(row: Any) -> SavedFilter:
    data = json.loads(row["criteria"])
    if int(data.pop("v", FORMAT)) > FORMAT:
        raise StoreError(f"filter {row['name']!r} was saved by a newer smallcrm; update it")
    return SavedFilter(
        id=row["id"],
        name=row["name"],
        criteria=data,
        owner=row["owner"],
        version=row["version"],
        created_at=to_datetime(row["created_at"]),
        updated_at=to_datetime(row["updated_at"]),
    )


def save_filter(
    db: Database,
    name: str,
    criteria: Mapping[str, Any],
    *,
    replace_existing: bool = False,
    actor: str | None = None,
) -> SavedFilter:
    """Save ``criteria`` under ``name``; a name in use (in any case) is refused unless
    ``replace_existing``, which saves over it (its version goes up)."""
    name = clean_name(name)
    actor = actor or crud.current_user()
    with db.write() as tx:
        kept = clean_criteria(tx, criteria)
        payload = json.dumps({"v": FORMAT, **kept}, sort_keys=True, ensure_ascii=False)
        row = tx.one("SELECT * FROM saved_filter WHERE name_key = :k", k=_key(name))
        now = crud.now_utc()
        if row is None:
            tx.execute(
                "INSERT INTO saved_filter (name, name_key, criteria, owner, version, created_at, "
                "updated_at) VALUES (:name, :k, :criteria, :owner, 1, :now, :now)",
                name=name, k=_key(name), criteria=payload, owner=actor, now=now,
            )  # fmt: skip
        elif not replace_existing:
            raise ValidationError(
                "name", f"a filter named {row['name']!r} exists already; --replace saves over it"
            )
        else:
            tx.execute(
                "UPDATE saved_filter SET name = :name, criteria = :criteria, owner = :owner, "
                "version = version + 1, updated_at = :now WHERE id = :id",
                name=name, criteria=payload, owner=actor, now=now, id=row["id"],
            )  # fmt: skip
        return find_tx(tx, name)


def find_tx(tx: Tx, name: str) -> SavedFilter:
    """The filter named ``name`` (any case); the error suggests the nearest name."""
    typed = " ".join(str(name or "").split())
    row = tx.one("SELECT * FROM saved_filter WHERE name_key = :k", k=_key(typed))
    if row is not None:
        return _record(row)
    names = [r["name"] for r in tx.all("SELECT name FROM saved_filter ORDER BY name_key")]
    if not names:
        raise ValidationError("filter", f"no saved filter named {typed!r}; none are saved yet")
    near = difflib.get_close_matches(typed.casefold(), [n.casefold() for n in names], n=1)
    hint = next((n for n in names if near and n.casefold() == near[0]), None)
    raise ValidationError(
        "filter",
        f"no saved filter named {typed!r}; "
        + (f"did you mean {hint!r}?" if hint else f"saved: {', '.join(names[:10])}"),
    )


def get_filter(db: Database, name: str) -> SavedFilter:
    """One saved filter by name (any case)."""
    with db.read() as tx:
        return find_tx(tx, name)


def list_filters(db: Database) -> list[SavedFilter]:
    """Every saved filter, by name."""
    with db.read() as tx:
        return [_record(r) for r in tx.all("SELECT * FROM saved_filter ORDER BY name_key, id")]


def delete_filter(db: Database, name: str, expected_version: int | None = None) -> SavedFilter:
    """Delete a saved filter (not the contacts it finds); returns what was deleted."""
    with db.write() as tx:
        found = find_tx(tx, name)
        if expected_version is not None and found.version != expected_version:
            raise ConflictError("saved filter", found.id, expected_version, found.version)
        tx.execute("DELETE FROM saved_filter WHERE id = :id", id=found.id)
        return found


def to_query(db: Database, criteria: Mapping[str, Any], base: ListQuery | None = None) -> ListQuery:
    """``base`` (sort and paging) filtered by ``criteria``; a search is run now, so the
    query holds the contacts it finds (``search_ids``)."""
    base = base or ListQuery()
    extra = {key: criteria[key] for key in CRITERIA[4:-2] if key in criteria}
    if criteria.get("search"):
        extra["search"] = criteria["search"]
        extra["search_ids"] = searched(db, criteria["search"])
    return replace(
        base,
        tag=criteria.get("tag"),
        owner=criteria.get("owner"),
        account_id=criteria.get("account_id"),
        since=date.fromisoformat(criteria["since"]) if criteria.get("since") else None,
        until=date.fromisoformat(criteria["until"]) if criteria.get("until") else None,
        extra=extra,
    )


def searched(db: Database, text: str) -> list[int]:
    """The contacts a search finds."""
    from smallcrm.store.search import search

    return [hit.record_id for hit in search(db, text, kinds=("contact",), per_kind=100_000)]


def describe(criteria: Mapping[str, Any], account_name: str | None = None) -> str:
    """``tag customer, email consent yes, lifecycle lead``: the criteria in words."""
    words = []
    for key in CRITERIA:
        value = criteria.get(key)
        if value is None:
            continue
        if key == "account_id":
            words.append(f"account {account_name or value}")
        elif key.endswith("_opt_in"):
            words.append(f"{key[:5]} consent {'yes' if value else 'no'}")
        elif key == "shared_email":
            words.append("shared email")
        elif key == "lifecycle":
            words.append(f"lifecycle {attribution.word(value)}")
        else:
            words.append(f"{key.replace('_', ' ')} {value}")
    return ", ".join(words)
