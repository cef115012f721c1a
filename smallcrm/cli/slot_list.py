"""The last list of free slots ``smallcrm slots`` printed, kept so that ``smallcrm offer``
takes the numbers the user read: a slot that is gone since is named as gone, never replaced
by the one that moved up to its number.

One small JSON file per user and database in the user's data directory (the database URL is
kept only as a hash, so a password in it is never written down).
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from smallcrm.cli.core import CliError
from smallcrm.store.business_time import Span
from smallcrm.store.slots import SlotList, SlotQuery


def _file(url: str, user: str) -> Path:
    from platformdirs import user_data_path

    key = hashlib.sha256(f"{url}\n{user}".encode()).hexdigest()[:24]
    return user_data_path("smallcrm", appauthor=False) / "slot-lists" / f"{key}.json"


def save(url: str, user: str, found: SlotList) -> None:
    """Remember ``found`` as the list this user last read on this database."""
    q = found.query
    data = {
        "minutes": int(q.duration.total_seconds() // 60),
        "days": q.days,
        "user": q.user,
        "contact_id": q.contact_id,
        "location": q.location,
        "interval": q.interval,
        "slots": [[a.isoformat(), b.isoformat()] for a, b in found.slots],
    }
    path = _file(url, user)
    path.parent.mkdir(parents=True, exist_ok=True)
    staged = path.with_name(f"{path.name}.{os.getpid()}")
    staged.write_text(json.dumps(data), encoding="utf-8")
    staged.replace(path)


def load(url: str, user: str) -> tuple[SlotQuery, list[Span]]:
    """The query and the slots of the last list; CliError when there is none."""
    try:
        data: dict[str, Any] = json.loads(_file(url, user).read_text(encoding="utf-8"))
        query = SlotQuery(
            duration=timedelta(minutes=int(data["minutes"])),
            days=int(data["days"]),
            user=data["user"],
            contact_id=data["contact_id"],
            location=data["location"],
            interval=data["interval"],
        )
        spans = [(datetime.fromisoformat(a), datetime.fromisoformat(b)) for a, b in data["slots"]]
    except (OSError, ValueError, KeyError, TypeError):
        raise CliError(
            "no list of free slots to pick from; list them first: smallcrm slots --duration 1h"
        ) from None
    return query, spans
