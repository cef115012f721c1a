"""Paged, sorted, filtered lists: the query shape every list screen and ``smallcrm list`` use."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any, TypeVar

from smallcrm.store import validate as v
from smallcrm.store.errors import ValidationError

MAX_PAGE = 1000
STREAM_PAGE = 500
T = TypeVar("T")
# Written after every LIKE whose pattern holds text from a user or a record (see ``literal``).
ESCAPE = "ESCAPE '\\'"


def literal(text: str) -> str:
    """``text`` for a LIKE pattern that matches ``text`` itself: ``%`` and ``_`` are wildcards
    to LIKE, so each (and the backslash that escapes them) gets a backslash; the statement says
    ``ESCAPE '\\'`` after the pattern (on PostgreSQL too, whose default it is, so that both
    read it the same way)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@dataclass(frozen=True)
class ListQuery:
    """Which records to list: filters, sort column and the page window.

    ``since``/``until`` filter on each kind's main date (an interaction's time, a deal's expected
    close, an appointment's start, a contact's or account's last change). ``limit`` None means
    every matching record (streamed by ``iter_*`` functions).
    """

    offset: int = 0
    limit: int | None = 50
    sort: str = ""
    descending: bool = False
    owner: str | None = None
    tag: str | None = None
    account_id: int | None = None
    contact_id: int | None = None
    opportunity_id: int | None = None
    stage: str | None = None
    kind: str | None = None
    since: date | None = None
    until: date | None = None
    open_only: bool = False
    # Deals only: nothing logged for them nor changed in them since this instant ("quiet").
    quiet_before: datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Where:
    """A WHERE clause built from parts, with its parameters."""

    parts: list[str] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)

    def add(self, sql: str, **params: Any) -> None:
        """AND one more condition."""
        self.parts.append(sql)
        self.params.update(params)

    @property
    def sql(self) -> str:
        """The clause, starting with WHERE (or empty)."""
        return "WHERE " + " AND ".join(self.parts) if self.parts else ""


def common_filters(query: ListQuery, alias: str, date_column: str) -> Where:
    """Filters every kind shares: live records, owner, tag, account and the date range."""
    where = Where()
    where.add(f"{alias}.deleted_at IS NULL")
    if query.owner:
        where.add(f"{alias}.owner = :owner", owner=query.owner)
    if query.tag:
        tag = f"% {literal(query.tag.lower())} %"
        where.add(f"(' ' || {alias}.tags || ' ') LIKE :tag {ESCAPE}", tag=tag)
    if query.account_id is not None:
        where.add(f"{alias}.account_id = :account_id", account_id=query.account_id)
    if query.since:
        where.add(f"{alias}.{date_column} >= :since", since=v.day("since", query.since))
    last = v.day("until", query.until) if query.until else None
    if last is not None and last < v.OPEN_END:
        where.add(f"{alias}.{date_column} < :until", until=_day_after(last))
    return where


def _day_after(day: date) -> date:
    from datetime import timedelta

    return day + timedelta(days=1)


# Columns of the listed table itself that are never NULL (see models.py): their sort needs no
# NULLS clause, which would keep PostgreSQL from reading the order off an index.
NOT_NULL = frozenset(
    "name first_name last_name created_at updated_at happened_at kind subject starts_at title "
    "amount_cents probability stage sort_name first_key account_key city_key owner_key "
    "industry_key subject_key contact_key title_key location_key stage_position".split()
)


def order_by(query: ListQuery, columns: dict[str, str], default: str, alias: str) -> str:
    """ORDER BY for a whitelisted sort key, with the id as a stable tie-break.

    Empty values (NULL) come first going up and last going down on every database: SQLite's
    order, spelled out because PostgreSQL's is the other way round. Spelling out SQLite's own
    default changes nothing for its planner. A column written ``x.col?`` may be empty and is
    sorted as ``(x.col IS NOT NULL), x.col``: the same order, read off an index of those two
    on both databases (a NULLS clause would keep PostgreSQL from using one).
    """
    key = query.sort or default
    if key not in columns:
        raise ValidationError("sort", f"cannot sort by {key!r}; one of {', '.join(columns)}")
    direction = "DESC" if query.descending else "ASC"
    nulls = " NULLS LAST" if query.descending else " NULLS FIRST"
    exprs = []
    for part in columns[key].split(","):
        if part.endswith("?"):
            column = part.rstrip("?")
            exprs += [f"({column} IS NOT NULL) {direction}", f"{column} {direction}"]
        else:
            exprs.append(f"{part} {direction}" + ("" if never_null(part, alias) else nulls))
    return f"ORDER BY {', '.join(exprs)}, {alias}.id {direction}"


def never_null(column: str, alias: str) -> bool:
    """A NOT NULL column of the listed table (a joined table's column may be NULL)."""
    owner, _, name = column.strip().partition(".")
    return owner == alias and name in NOT_NULL


def window(query: ListQuery) -> tuple[str, dict[str, Any]]:
    """LIMIT/OFFSET for the page (nothing for an unlimited list)."""
    if query.offset < 0:
        raise ValidationError("offset", "must be zero or more")
    if query.limit is None:
        return " LIMIT :_limit OFFSET :_offset", {"_limit": 2**62, "_offset": query.offset}
    if not 0 < query.limit <= MAX_PAGE:
        raise ValidationError("limit", f"must be from 1 to {MAX_PAGE}")
    return " LIMIT :_limit OFFSET :_offset", {"_limit": query.limit, "_offset": query.offset}


def iter_pages(fetch: Callable[[ListQuery], Any], query: ListQuery) -> Iterator[T]:
    """Every record a query matches, fetched a page at a time (``limit`` None: no cap).

    Each page is its own short read transaction, so a slow reader of the output holds no
    database snapshot open.
    """
    offset, cap, sent = query.offset, query.limit, 0
    while cap is None or sent < cap:
        size = STREAM_PAGE if cap is None else min(STREAM_PAGE, cap - sent)
        page = fetch(replace(query, offset=offset, limit=size))
        yield from page.items
        sent += len(page.items)
        offset += len(page.items)
        if len(page.items) < size:
            return


def live_count(tx: Any, kind: str) -> int:
    """How many records of a kind are not in the trash.

    SQLite reads the number its triggers keep (counting a million rows costs 100 ms or more);
    PostgreSQL reads the same number plus the changes its triggers logged and no write has
    folded into it yet (revision 0022: triggers that updated the counter row itself would make
    a version of that row per record).
    """
    return int(tx.scalar(live_count_sql(tx.dialect, kind), kind=kind) or 0)


def live_count_sql(dialect: str, kind: str) -> str:
    """The query counting a kind's live records (``:kind`` names the kind on SQLite).

    ``kind`` is a table name from the kinds registry, never text a user typed.
    """
    if not kind.isidentifier():
        raise ValueError(f"not a table name: {kind!r}")
    if dialect == "postgresql":
        return (
            "SELECT live + coalesce((SELECT sum(delta) FROM record_count_change "
            "WHERE kind = :kind), 0) FROM record_count WHERE kind = :kind"
        )
    return "SELECT live FROM record_count WHERE kind = :kind"


def mirrored(query: ListQuery, total: int) -> ListQuery | None:
    """The same page counted from the end in reverse order, when that skips fewer rows.

    An offset costs a step per skipped row; a page in the second half of a list is cheaper
    read backwards from the end and turned round. Exact because every sort ends with the id.
    """
    if query.limit is None or query.offset * 2 <= total or query.offset >= total:
        return None
    end = min(total, query.offset + query.limit)
    return replace(
        query, offset=total - end, limit=end - query.offset, descending=not query.descending
    )


def ids_first(select: str, table: str, alias: str, joins: str, where: Where, order: str) -> str:
    """SQL for one page that picks the page's ids first, then reads their rows.

    ``select`` reads the rows (with every join and subquery a row shows); the ids come from
    ``table`` with only ``joins`` (those ``where`` and ``order`` need), so skipping to a deep
    page walks the sort's index instead of joining and computing every skipped row.
    ``:_limit`` and ``:_offset`` (``window``) are still to bind.
    """
    ids = (
        f"SELECT {alias}.id FROM {table} {alias}{joins} {where.sql} {order} "
        "LIMIT :_limit OFFSET :_offset"
    )
    return f"{select} WHERE {alias}.id IN ({ids}) {order}"


def page_rows(
    tx: Any, query: ListQuery, total: int, fetch: Callable[[Any, ListQuery], list[T]]
) -> list[T]:
    """The rows ``fetch(tx, query)`` gives for the page, read from the end of the list (and
    turned round) when that skips fewer rows (``mirrored``)."""
    mirror = mirrored(query, total)
    return fetch(tx, query) if mirror is None else fetch(tx, mirror)[::-1]
