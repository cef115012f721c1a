"""Opportunities: deals moving through the pipeline's stages."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

from smallcrm.store import attribution, clock, crud, listing, positions, records, rows, settings
from smallcrm.store import validate as v
from smallcrm.store.db import Database, Tx
from smallcrm.store.errors import ConflictError, ValidationError
from smallcrm.store.kinds import Services
from smallcrm.store.listing import ListQuery, common_filters, iter_pages, order_by, window

SORTS = {
    "name": "o.sort_name",
    "account": "o.account_key",
    "stage": "o.stage_position",
    "amount": "o.amount_cents",
    "probability": "o.probability",
    "close": "o.expected_close?",
    "owner": "o.owner_key",
    "updated": "o.updated_at",
}
_SELECT = (
    "SELECT o.*, a.name AS account_name, trim(c.first_name || ' ' || c.last_name) AS "
    "contact_name, (SELECT max(i.happened_at) FROM interaction i WHERE i.opportunity_id = o.id "
    "AND i.deleted_at IS NULL) AS last_activity_at FROM opportunity o "
    "JOIN stage s ON s.name = o.stage "
    "LEFT JOIN account a ON a.id = o.account_id LEFT JOIN contact c ON c.id = o.contact_id"
)
_SOURCE = positions.Source("opportunity", "o", _SELECT, SORTS, "close")


@dataclass(frozen=True)
class StageSummary:
    """One column of the pipeline board: a stage with its count and totals."""

    stage: records.Stage
    count: int
    total: Decimal
    weighted: Decimal


def stages(db: Database) -> list[records.Stage]:
    """The pipeline's stages in order."""
    with db.read() as tx:
        return _stages(tx)


def _stages(tx: Tx) -> list[records.Stage]:
    return [
        records.Stage(
            r["name"], r["position"], r["probability"], bool(r["is_closed"]), bool(r["is_won"])
        )
        for r in tx.all("SELECT * FROM stage ORDER BY position")
    ]


def set_stage_probability(db: Database, name: str, probability: int) -> None:
    """Change a stage's default probability (the pipeline is configurable)."""
    value = v.whole_number("probability", probability, low=0, high=100, required=True)
    with db.write() as tx:
        if not tx.execute("UPDATE stage SET probability = :p WHERE name = :n", p=value, n=name):
            raise ValidationError("stage", f"no stage named {name!r}")


def add_stage(db: Database, name: str, probability: int, before: str | None = None) -> None:
    """Add an open stage to the pipeline (before ``before``, else before the closed ones)."""
    clean_name = (v.text("stage", name, required=True, max_length=40) or "").lower()
    value = v.whole_number("probability", probability, low=0, high=100, required=True)
    with db.write() as tx:
        existing = _stages(tx)
        if any(s.name == clean_name for s in existing):
            raise ValidationError("stage", f"{clean_name!r} exists already")
        anchor = (
            next((s for s in existing if s.name == before), None)
            if before
            else next((s for s in existing if s.is_closed), None)
        )
        position = anchor.position if anchor else len(existing) + 1
        # Shift in two steps so no two rows share a position in between.
        tx.execute("UPDATE stage SET position = position + 1000 WHERE position >= :p", p=position)
        tx.execute("UPDATE stage SET position = position - 999 WHERE position >= 1000")
        tx.execute(
            "INSERT INTO stage (name, position, probability, is_closed, is_won) "
            "VALUES (:n, :p, :pr, FALSE, FALSE)",
            n=clean_name,
            p=position,
            pr=value,
        )


def _stage(tx: Tx, name: Any) -> records.Stage:
    all_stages = _stages(tx)
    names = tuple(s.name for s in all_stages)
    chosen = v.choice("stage", name, names)
    return next(s for s in all_stages if s.name == chosen)


def clean(values: Mapping[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """Validate opportunity input (stage is checked against the pipeline by the caller)."""
    data = dict(values)
    out: dict[str, Any] = {}
    if "name" in data or not partial:
        out["name"] = v.text("name", data.pop("name", None), required=True, max_length=200)
    if "amount" in data:
        out["amount_cents"] = v.amount_cents("amount", data.pop("amount"))
    if "currency" in data:
        out["currency"] = v.currency("currency", data.pop("currency"))
    if "probability" in data:
        out["probability"] = v.whole_number("probability", data.pop("probability"), low=0, high=100)
    if "expected_close" in data:
        out["expected_close"] = v.day("expected_close", data.pop("expected_close"))
    for key, limit in (("next_step", 300), ("lost_reason", 300), ("reason", 300), ("owner", 120)):
        if key in data:
            out[key] = v.text(key, data.pop(key), max_length=limit)
    for key in ("account_id", "contact_id", "stage", "campaign_id"):
        if key in data:
            out[key] = data.pop(key)
    if data:
        raise ValidationError(next(iter(data)), "is not an opportunity field")
    return out


def _check_links(tx: Tx, data: dict[str, Any]) -> None:
    for key, table in (("contact_id", "contact"), ("account_id", "account")):
        ref = data.get(key)
        if ref is not None and not crud.is_live(tx, table, ref):
            raise ValidationError(table, f"no {table} with id {ref}")
    if data.get("contact_id") is not None and data.get("account_id") is None:
        data["account_id"] = tx.scalar(
            "SELECT account_id FROM contact WHERE id = :id", id=data["contact_id"]
        )


def _apply_stage(tx: Tx, data: dict[str, Any], current: Any | None) -> None:
    """Resolve the stage; default the probability; set or clear the close date and reason."""
    if "stage" not in data:
        return
    stage = _stage(tx, data["stage"])
    data["stage"] = stage.name
    if current is not None and current["stage"] == stage.name:
        return  # the stage it already has: keep its probability and close date as they are
    if "probability" not in data or data["probability"] is None:
        data["probability"] = stage.probability
    if stage.is_closed:
        data.setdefault("closed_on", clock.today())
    else:
        data["closed_on"] = None
    if stage.name == "lost":
        reason = data.get("lost_reason") or (current["lost_reason"] if current else None)
        if not reason:
            raise ValidationError("lost_reason", "is required when a deal is lost: say why")
    elif current is not None and current["stage"] == "lost":
        data["lost_reason"] = data.get("lost_reason")


def _take_reason(tx: Tx, data: dict[str, Any]) -> str | None:
    """Why a deal is being won or lost (``reason``, given with the closing stage): a lost
    deal keeps it as its lost reason; a won deal's reason is returned, for its timeline."""
    reason = data.pop("reason", None)
    if not reason:
        return None
    if "stage" not in data:
        raise ValidationError(
            "reason", "goes with the stage that closes the deal: stage=won reason=..."
        )
    stage = _stage(tx, data["stage"])
    if not stage.is_closed:
        raise ValidationError(
            "reason", f"only a won or lost deal takes a reason, and {stage.name!r} closes nothing"
        )
    if stage.is_won:
        return str(reason)
    data.setdefault("lost_reason", reason)
    return None


def _note_won(tx: Tx, opportunity_id: int, reason: str | None, actor: str) -> None:
    """A won deal's reason as a note on its timeline (on its contact or account), and the
    members of the campaign it credits converted, in the transaction that closes it, so
    none is saved without the others."""
    attribution.convert_for_won_deal(tx, opportunity_id, actor)
    if not reason:
        return
    from smallcrm.store.interactions import log_interaction_tx

    deal = _get(tx, opportunity_id)
    if deal.account_id or deal.contact_id:
        log_interaction_tx(
            tx,
            {
                "kind": "note",
                "subject": f"Won: {reason}",
                "opportunity_id": deal.id,
                "contact_id": deal.contact_id,
                "account_id": deal.account_id,
            },
            actor,
        )


def _get(tx: Tx, opportunity_id: int, *, trashed: bool = False) -> records.Opportunity:
    crud.fetch_row(tx, "opportunity", opportunity_id, trashed=trashed)
    return rows.opportunity(tx.one(f"{_SELECT} WHERE o.id = :id", id=opportunity_id))


def create_opportunity_tx(tx: Tx, values: Mapping[str, Any], actor: str) -> int:
    """Create a deal inside an open write transaction; returns its id."""
    data = clean(values)
    data.setdefault("stage", "lead")
    data.setdefault("currency", settings.currency())
    data.setdefault("amount_cents", 0)
    won_because = _take_reason(tx, data)
    _check_links(tx, data)
    attribution.credit(tx, data, creating=True)
    _apply_stage(tx, data, None)
    opportunity_id = crud.insert_record(tx, "opportunity", data, actor)
    _note_won(tx, opportunity_id, won_because, actor)
    return opportunity_id


def create_opportunity(
    db: Database, actor: str | None = None, **values: Any
) -> records.Opportunity:
    """Create a deal and return it (stage defaults to lead, probability to the stage's)."""
    with db.write() as tx:
        opportunity_id = create_opportunity_tx(tx, values, actor or crud.current_user())
        return _get(tx, opportunity_id)


def get_opportunity(db: Database, opportunity_id: int) -> records.Opportunity:
    """One deal by id."""
    with db.read() as tx:
        return _get(tx, opportunity_id)


def update_opportunity(
    db: Database,
    opportunity_id: int,
    expected_version: int | None,
    /,
    actor: str | None = None,
    **changes: Any,
) -> records.Opportunity:
    """Change a deal if nobody saved it since ``expected_version``."""
    with db.write() as tx:
        update_opportunity_tx(
            tx, opportunity_id, expected_version, changes, actor or crud.current_user()
        )
        return _get(tx, opportunity_id)


def update_opportunity_tx(
    tx: Tx,
    opportunity_id: int,
    expected_version: int | None,
    changes: Mapping[str, Any],
    actor: str,
    *,
    action: str = "update",
) -> bool:
    """Change a deal inside an open write transaction; True if anything changed.

    ``reason`` (with a closing ``stage``) says why a deal is won or lost: see ``_take_reason``.
    """
    data = clean(changes, partial=True)
    current = crud.fetch_row(tx, "opportunity", opportunity_id)
    won_because = _take_reason(tx, data)
    _check_links(tx, data)
    attribution.credit(tx, data, creating=False)
    _apply_stage(tx, data, current)
    changed = crud.update_record(
        tx, "opportunity", opportunity_id, expected_version, data, actor, action=action
    )
    if changed.keys() & {"stage", "campaign_id", "contact_id", "account_id"}:
        _note_won(tx, opportunity_id, won_because if "stage" in changed else None, actor)
    return bool(changed)


def move_stage(
    db: Database,
    opportunity_id: int,
    step: int,
    expected_version: int | None = None,
    reason: str | None = None,
    actor: str | None = None,
) -> records.Opportunity:
    """Move a deal ``step`` stages forward (+1) or back (-1) along the pipeline.

    The step is taken from the stage read here, so the update is bound to that version (or to
    ``expected_version``): a deal someone else moved meanwhile is a ConflictError, never a
    second step, and never "the last stage" for a deal the caller saw elsewhere.
    """
    with db.read() as tx:
        current = crud.fetch_row(tx, "opportunity", opportunity_id)
        pipeline = _stages(tx)
    names = [s.name for s in pipeline]
    if expected_version is not None and current["version"] != expected_version:
        raise ConflictError("opportunity", opportunity_id, expected_version, current["version"])
    expected_version = current["version"]
    index = names.index(current["stage"]) + step
    if not 0 <= index < len(names):
        raise ValidationError(
            "stage", f"{current['stage']!r} is the {'last' if step > 0 else 'first'} stage"
        )
    changes: dict[str, Any] = {"stage": names[index]}
    if reason and pipeline[index].is_closed:  # why it was won or lost
        changes["reason"] = reason
    return update_opportunity(db, opportunity_id, expected_version, actor, **changes)


def delete_opportunity(
    db: Database,
    opportunity_id: int,
    expected_version: int | None = None,
    actor: str | None = None,
) -> None:
    """Move a deal to the trash."""
    with db.write() as tx:
        crud.trash_record(
            tx, "opportunity", opportunity_id, actor or crud.current_user(), expected_version
        )


def restore_opportunity(
    db: Database, opportunity_id: int, actor: str | None = None
) -> records.Opportunity:
    """Bring a deal back from the trash."""
    with db.write() as tx:
        crud.restore_record(tx, "opportunity", opportunity_id, actor or crud.current_user())
        return _get(tx, opportunity_id)


def _where(query: ListQuery) -> Any:
    where = common_filters(query, "o", "expected_close")
    if query.stage:
        where.add("o.stage = :stage", stage=query.stage)
    if query.contact_id is not None:
        where.add("o.contact_id = :contact_id", contact_id=query.contact_id)
    if query.open_only:
        where.add("s.is_closed = FALSE")
    if query.quiet_before is not None:
        where.add(
            "o.updated_at < :quiet AND NOT EXISTS (SELECT 1 FROM interaction i WHERE "
            "i.opportunity_id = o.id AND i.deleted_at IS NULL AND i.happened_at >= :quiet)",
            quiet=query.quiet_before,
        )
    return where


def list_opportunities(
    db: Database, query: ListQuery | None = None
) -> records.Page[records.Opportunity]:
    """One page of deals with the total count. The page's ids come first (``positions``, else
    ``ids_first``): a deep page costs a short index walk, not a join and a subquery per deal.
    """
    query = query or ListQuery()
    window(query)  # refuses a bad offset or limit before anything is read
    with db.read() as tx:
        where, stamp = _where(query), None
        if len(where.parts) == 1:  # only "not in the trash": the count the triggers keep
            total, stamp = positions.counted(tx, "opportunity")
        else:
            sql = f"SELECT count(*) FROM opportunity o JOIN stage s ON s.name = o.stage {where.sql}"
            total = tx.scalar(sql, **where.params)
        fallback = partial(listing.page_rows, tx, query, total, _page)
        found = positions.read_page(db, tx, _SOURCE, query, (total, stamp), fallback)
    items = [rows.opportunity(row) for row in found]
    return records.Page(items, total, query.offset, query.limit or len(items))


def _page(tx: Tx, query: ListQuery) -> list[Any]:
    """The rows of one page of deals (``query`` as read, perhaps from the end)."""
    where = _where(query)
    order = order_by(query, SORTS, "close", "o")
    # A deal's stage is a foreign key: the join only filters when the query asks for one.
    joined = " JOIN stage s ON s.name = o.stage" if re.search(r"\bs\.", where.sql) else ""
    sql = listing.ids_first(_SELECT, "opportunity", "o", joined, where, order)
    return tx.all(sql, **where.params, **window(query)[1])


def iter_opportunities(
    db: Database, query: ListQuery | None = None
) -> Iterator[records.Opportunity]:
    """Every matching deal, a page at a time."""
    return iter_pages(lambda q: list_opportunities(db, q), query or ListQuery(limit=None))


def pipeline(db: Database, query: ListQuery | None = None) -> list[StageSummary]:
    """Count, total and weighted total per stage (one column each on the board)."""
    where = _where(query or ListQuery())
    with db.read() as tx:
        all_stages = _stages(tx)
        sums = {
            r["stage"]: r
            for r in tx.all(
                "SELECT o.stage, count(*) AS n, coalesce(sum(o.amount_cents), 0) AS total, "
                "coalesce(sum(o.amount_cents * o.probability), 0) AS weighted "
                f"FROM opportunity o JOIN stage s ON s.name = o.stage {where.sql} "
                "GROUP BY o.stage",
                **where.params,
            )
        }
    result = []
    for stage in all_stages:
        row = sums.get(stage.name)
        result.append(
            StageSummary(
                stage,
                row["n"] if row else 0,
                Decimal(row["total"] if row else 0) / 100,
                (Decimal(row["weighted"] if row else 0) / 10000).quantize(Decimal("0.01")),
            )
        )
    return result


def stale_opportunities(
    db: Database, now: datetime, days: int = 30, limit: int = 20
) -> list[records.Opportunity]:
    """Open deals with no interaction logged for ``days`` days (nor a change to the deal),
    soonest expected close first: the list ``list deals --quiet DAYS`` gives in full."""
    query = ListQuery(
        open_only=True, quiet_before=now - timedelta(days=days), sort="close", limit=limit
    )
    return list_opportunities(db, query).items


def title(record: records.Opportunity) -> str:
    """The words that name a deal in messages."""
    return record.name


SERVICES: Services[records.Opportunity] = Services(
    get=get_opportunity,
    update=update_opportunity,
    delete=delete_opportunity,
    restore=restore_opportunity,
    list=list_opportunities,
    iter=iter_opportunities,
    title=title,
)
