"""How a search hit looks in the shell: a table row or a JSON object.

Apart from ``views`` (every record's looks) because ``smallcrm search`` imports only this: the
rest of ``views`` brings the record types, appointment times and the case and campaign views,
about a fifth of a search's run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from smallcrm.cli.output import Column

if TYPE_CHECKING:
    from smallcrm.store.records import SearchHit

HIT_COLUMNS = (
    Column("Kind", 11),
    Column("ID", 8, "right"),
    Column("Title", 36),
    Column("Detail", 60),
)


def shell_kind(kind: str) -> str:
    """The shell's word for a store kind (``deal`` for opportunity)."""
    from smallcrm.store import kinds

    return kinds.word(kind)


def hit_json(h: SearchHit) -> dict[str, Any]:
    """A search hit for scripts."""
    return {"kind": shell_kind(h.kind), "id": h.record_id, "title": h.title, "detail": h.detail}


def hit_row(h: SearchHit, pretty: bool) -> list[Any]:
    """A search hit as a table row."""
    return [shell_kind(h.kind), h.record_id, h.title, h.detail]
