"""Appointments keep their own time zone and extra dates; all-day entries become days.

- ``time_zone``: the IANA zone whose wall clock a series repeats on. Existing rows get the
  business's zone (the ``timezone`` setting, else the machine's) of the process that migrates:
  until now every series was expanded on that clock and every typed time was read in it, so it
  is the zone that keeps each appointment where its owner saw it. UTC would move a weekly 9:00
  meeting by an hour for half of every year wherever clocks change. The column's server default
  is UTC: a row written without a zone names an instant and nothing more.
- ``rdates``: extra occurrences (RFC 5545 RDATE), written like ``exdates``.
- All-day entries were stored at the local midnight of their first day, so they moved a day
  when read in a zone west of the one they were written in. They become 00:00 UTC of the same
  days (their end 00:00 UTC of the day after the last), their skipped occurrences days, and an
  UNTIL of their rule a date: the days they showed on in the business's zone (a midnight written
  in another zone, a few hours off the business's, counts for the nearest day).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

import sqlalchemy as sa
import sqlmodel
from alembic import op

from smallcrm.store import clock

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels = None
depends_on = None

_SQLITE_TS = "%Y-%m-%d %H:%M:%S.%f"  # how the store writes timestamps into SQLite
_UNTIL_UTC = re.compile(r"UNTIL=(\d{8}T\d{6})Z")
_UNTIL_DAY = re.compile(r"UNTIL=(\d{8})(?![T\d])")


def upgrade() -> None:
    with op.batch_alter_table("appointment", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "time_zone",
                sqlmodel.sql.sqltypes.AutoString(length=64),
                server_default="UTC",
                nullable=False,
            )
        )
        batch_op.add_column(sa.Column("rdates", sa.Text(), server_default="", nullable=False))
    bind = op.get_bind()
    bind.execute(sa.text("UPDATE appointment SET time_zone = :zone"), {"zone": clock.zone_name()})
    zone = clock.zone()
    for row in _all_day_rows(bind):
        start = _day(_read(row.starts_at), zone)
        last = _day(_read(row.ends_at), zone) if row.ends_at is not None else None
        skipped = [_day(_read(word), zone) for word in (row.exdates or "").split()]
        rule = row.rrule and _UNTIL_UTC.sub(
            lambda m: (
                f"UNTIL={_day(_instant(m[1]) + timedelta(seconds=1), zone) - timedelta(days=1):%Y%m%d}"
            ),
            row.rrule,
        )
        _write(bind, row.id, start, last, [d.isoformat() for d in skipped], rule)


def _day(instant: datetime, zone: tzinfo) -> date:
    """The day whose midnight an old all-day value stood for: its midnight in the business's
    zone, or the nearest one (a value written in another zone is a few hours off it)."""
    local = instant.astimezone(zone)
    return local.date() + timedelta(days=local.time() >= time(12))


def downgrade() -> None:
    bind = op.get_bind()
    zone = clock.zone()
    for row in _all_day_rows(bind):
        start = _read(row.starts_at).date()
        end = _read(row.ends_at) if row.ends_at is not None else None
        skipped = [_midnight(date.fromisoformat(w[:10]), zone) for w in (row.exdates or "").split()]
        rule = row.rrule and _UNTIL_DAY.sub(
            lambda m: "UNTIL=" + _until_instant(m[1], zone), row.rrule
        )
        _write(
            bind,
            row.id,
            _midnight(start, zone),
            _midnight(end.date(), zone) if end is not None else None,
            [s.isoformat() for s in skipped],
            rule,
        )
    _skipped_days_as_instants(bind)
    op.drop_column("appointment", "rdates")
    op.drop_column("appointment", "time_zone")


def _skipped_days_as_instants(bind: Any) -> None:
    """A timed series' skipped day becomes the instant its occurrence on that day starts."""
    from zoneinfo import ZoneInfo

    found = bind.execute(
        sa.text(
            "SELECT id, starts_at, exdates, time_zone FROM appointment "
            "WHERE NOT all_day AND exdates LIKE '%-%'"
        )
    )
    for row in list(found):
        zone = ZoneInfo(row.time_zone)
        wall = _read(row.starts_at).astimezone(zone).time()
        words = [
            datetime.combine(date.fromisoformat(w), wall, tzinfo=zone).astimezone(UTC).isoformat()
            if len(w) == 10
            else w
            for w in row.exdates.split()
        ]
        bind.execute(
            sa.text("UPDATE appointment SET exdates = :skipped WHERE id = :id"),
            {"id": row.id, "skipped": " ".join(words)},
        )


def _all_day_rows(bind: Any) -> list[Any]:
    return list(
        bind.execute(
            sa.text("SELECT id, starts_at, ends_at, exdates, rrule FROM appointment WHERE all_day")
        )
    )


def _read(value: Any) -> datetime:
    """A stored timestamp (SQLite text in UTC, or PostgreSQL's aware value) as aware UTC."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    parsed = datetime.fromisoformat(str(value).replace("T", " "))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _instant(text: str) -> datetime:
    return datetime.strptime(text, "%Y%m%dT%H%M%S").replace(tzinfo=UTC)


def _midnight(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def _until_instant(text: str, zone: tzinfo) -> str:
    day = datetime.strptime(text, "%Y%m%d").date()
    last = _midnight(day + timedelta(days=1), zone) - timedelta(seconds=1)
    return f"{last:%Y%m%dT%H%M%SZ}"


def _write(
    bind: Any,
    row_id: int,
    start: date | datetime,
    end: date | datetime | None,
    skipped: list[str],
    rule: str | None,
) -> None:
    values = {
        "id": row_id,
        "start": _stamp(bind, start),
        "end": _stamp(bind, end) if end is not None else None,
        "skipped": " ".join(skipped),
        "rule": rule,
    }
    bind.execute(
        sa.text(
            "UPDATE appointment SET starts_at = :start, ends_at = :end, exdates = :skipped, "
            "rrule = :rule WHERE id = :id"
        ),
        values,
    )


def _stamp(bind: Any, value: date | datetime) -> Any:
    """A day (as 00:00 UTC) or an instant, as the database stores timestamps."""
    if not isinstance(value, datetime):
        value = datetime.combine(value, time(0), tzinfo=UTC)
    value = value.astimezone(UTC)
    return value.strftime(_SQLITE_TS) if bind.dialect.name == "sqlite" else value
