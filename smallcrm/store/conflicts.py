"""Two people edited the same record: what each changed, and what to save after a choice.

Three versions of a record's fields are compared, each a mapping of field name to value in
whatever terms the caller edits them (the TUI uses its form's texts): ``base`` (the version
the editor started from), ``mine`` (what the editor holds now) and ``theirs`` (what is stored
now, after somebody else saved). The result of a choice is again such a mapping; the caller
saves the fields where it differs from ``theirs`` with the stored version, so a field only the
other person changed is never written back with the old value.

Nothing here imports Textual: the rules are tested without a UI.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from smallcrm.store.records import AuditEntry

if TYPE_CHECKING:
    from smallcrm.store.db import Database

Side = Literal["mine", "theirs"]
MINE: Side = "mine"
THEIRS: Side = "theirs"


@dataclass(frozen=True)
class FieldDiff:
    """One field that either side changed: its value at the start, mine and theirs."""

    field: str
    base: Any
    mine: Any
    theirs: Any

    @property
    def mine_changed(self) -> bool:
        """I changed this field."""
        return self.mine != self.base

    @property
    def theirs_changed(self) -> bool:
        """The other person changed this field."""
        return self.theirs != self.base

    @property
    def conflicting(self) -> bool:
        """Both changed it, to different values: somebody has to choose."""
        return self.mine_changed and self.theirs_changed and self.mine != self.theirs

    @property
    def automatic(self) -> Side:
        """The side a merge takes without asking (for a conflicting field: mine)."""
        return THEIRS if self.theirs_changed and not self.mine_changed else MINE


@dataclass(frozen=True)
class Conflict:
    """What stands between an editor and saving: the fields and the other people's changes."""

    kind: str
    record_id: int
    base: Mapping[str, Any]
    mine: Mapping[str, Any]
    theirs: Mapping[str, Any]
    entries: tuple[AuditEntry, ...] = field(default_factory=tuple)

    @property
    def fields(self) -> list[FieldDiff]:
        """The fields that either side changed, in the editor's order."""
        return differences(self.base, self.mine, self.theirs)

    @property
    def conflicting(self) -> list[FieldDiff]:
        """The fields both changed differently."""
        return [diff for diff in self.fields if diff.conflicting]

    @property
    def actors(self) -> list[str]:
        """Who changed the record since the editor started, in order, each once."""
        return list(dict.fromkeys(entry.actor for entry in self.entries))


def _keys(*mappings: Mapping[str, Any]) -> list[str]:
    """Every key of the mappings, first seen first."""
    return list(dict.fromkeys(key for mapping in mappings for key in mapping))


def differences(
    base: Mapping[str, Any], mine: Mapping[str, Any], theirs: Mapping[str, Any]
) -> list[FieldDiff]:
    """The fields changed by either side (a field missing from a side counts as unchanged)."""
    diffs = []
    for name in _keys(base, mine, theirs):
        start = base.get(name)
        diff = FieldDiff(name, start, mine.get(name, start), theirs.get(name, start))
        if diff.mine_changed or diff.theirs_changed:
            diffs.append(diff)
    return diffs


def keep_mine(
    base: Mapping[str, Any], mine: Mapping[str, Any], theirs: Mapping[str, Any]
) -> dict[str, Any]:
    """My value for every field I changed; theirs for every other field (theirs stay)."""
    picks = {diff.field: MINE for diff in differences(base, mine, theirs) if diff.mine_changed}
    return merged(base, mine, theirs, picks)


def merged(
    base: Mapping[str, Any],
    mine: Mapping[str, Any],
    theirs: Mapping[str, Any],
    picks: Mapping[str, Side] | None = None,
) -> dict[str, Any]:
    """Field by field: ``picks`` decides a field both changed (mine when not picked); a field
    only one side changed comes from that side; everything else is as stored.

    A pick for a field only the other side changed is honoured too (``keep_mine`` relies on
    it never naming such a field). Raises ValueError for a pick that is not mine or theirs.
    """
    result = dict(theirs)
    for diff in differences(base, mine, theirs):
        side = (picks or {}).get(diff.field, diff.automatic)
        if side not in (MINE, THEIRS):
            raise ValueError(f"{diff.field}: pick {MINE!r} or {THEIRS!r}, not {side!r}")
        result[diff.field] = diff.mine if side == MINE else diff.theirs
    return result


def to_save(resolved: Mapping[str, Any], theirs: Mapping[str, Any]) -> dict[str, Any]:
    """The fields whose resolved value differs from what is stored: what the update writes."""
    return {name: value for name, value in resolved.items() if theirs.get(name) != value}


def others(entries: Iterable[AuditEntry], me: str) -> list[AuditEntry]:
    """The entries written by somebody else than ``me`` (all of them when every one is mine:
    then it was me, in another window or session)."""
    entries = list(entries)
    theirs = [entry for entry in entries if entry.actor != me]
    return theirs or entries


def find_conflict(
    db: Database,
    kind: str,
    record_id: int,
    since_entry: int,
    base: Mapping[str, Any],
    mine: Mapping[str, Any],
    theirs: Mapping[str, Any],
) -> Conflict:
    """The conflict with the audit entries written since entry ``since_entry`` (the newest
    entry of the record when the editor started, see ``audit.latest_entry_id``)."""
    from smallcrm.store.audit import entries_since

    entries = entries_since(db, kind, record_id, since_entry)
    return Conflict(kind, record_id, dict(base), dict(mine), dict(theirs), tuple(entries))
