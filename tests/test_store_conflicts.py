"""Deciding what to save after two people edited one record, and the audit trail reads the
TUI needs for it (changes since a point, the live-refresh marker). No UI here."""

from __future__ import annotations

import pytest

from smallcrm.store import audit, contacts, interactions
from smallcrm.store.conflicts import (
    MINE,
    THEIRS,
    Conflict,
    differences,
    find_conflict,
    keep_mine,
    merged,
    others,
    to_save,
)
from smallcrm.store.db import Database
from smallcrm.store.errors import ConflictError

BASE = {"city": "Berlin", "title": "Buyer", "phones": "+49 30 1", "notes": ""}
# I changed city and phones; they changed city and title.
MINE_NOW = {**BASE, "city": "Munich", "phones": "+49 89 2"}
THEIRS_NOW = {**BASE, "city": "Hamburg", "title": "Head of Buying"}


def test_differences_say_who_changed_what() -> None:
    diffs = {d.field: d for d in differences(BASE, MINE_NOW, THEIRS_NOW)}
    assert set(diffs) == {"city", "title", "phones"}, "notes: nobody changed it"
    assert diffs["city"].conflicting
    assert diffs["title"].theirs_changed and not diffs["title"].mine_changed
    assert diffs["title"].automatic == THEIRS
    assert diffs["phones"].mine_changed and diffs["phones"].automatic == MINE


def test_the_same_change_on_both_sides_is_no_conflict() -> None:
    (diff,) = differences(BASE, {**BASE, "city": "Bonn"}, {**BASE, "city": "Bonn"})
    assert not diff.conflicting and diff.mine_changed and diff.theirs_changed


def test_keep_mine_never_writes_back_a_field_only_they_changed() -> None:
    resolved = keep_mine(BASE, MINE_NOW, THEIRS_NOW)
    assert resolved == {**THEIRS_NOW, "city": "Munich", "phones": "+49 89 2"}
    assert to_save(resolved, THEIRS_NOW) == {"city": "Munich", "phones": "+49 89 2"}


def test_merge_takes_one_sided_changes_and_the_picks() -> None:
    assert merged(BASE, MINE_NOW, THEIRS_NOW, {"city": THEIRS}) == {
        **THEIRS_NOW,
        "phones": "+49 89 2",
    }
    unpicked = merged(BASE, MINE_NOW, THEIRS_NOW)
    assert unpicked["city"] == "Munich", "a conflicting field not picked keeps mine"
    assert unpicked["title"] == "Head of Buying"
    with pytest.raises(ValueError, match="city"):
        merged(BASE, MINE_NOW, THEIRS_NOW, {"city": "both"})  # type: ignore[dict-item]


def test_conflict_lists_fields_and_actors() -> None:
    conflict = Conflict("contact", 1, BASE, MINE_NOW, THEIRS_NOW)
    assert [d.field for d in conflict.fields] == ["city", "title", "phones"]
    assert [d.field for d in conflict.conflicting] == ["city"]
    assert conflict.actors == []


def _two_changes(db: Database, monkeypatch: pytest.MonkeyPatch) -> tuple[int, int]:
    """Jana created by tester; returns (her id, the entry mark after creation); then ana
    and bob each change her."""
    jana = contacts.create_contact(db, allow_duplicate=True, name="Jana Novak", city="Berlin")
    mark = audit.latest_entry_id(db, "contact", jana.id)
    monkeypatch.setenv("SMALLCRM_USER", "ana")
    jana = contacts.update_contact(db, jana.id, jana.tracking.version, city="Hamburg")
    monkeypatch.setenv("SMALLCRM_USER", "bob")
    contacts.update_contact(db, jana.id, jana.tracking.version, title="CEO")
    monkeypatch.setenv("SMALLCRM_USER", "tester")
    return jana.id, mark


def test_entries_since_a_mark_are_the_changes_made_after_it(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    jana_id, mark = _two_changes(db, monkeypatch)
    assert mark > 0
    since = audit.entries_since(db, "contact", jana_id, mark)
    assert [(e.actor, e.changes) for e in since] == [
        ("ana", {"city": ["Berlin", "Hamburg"]}),
        ("bob", {"title": [None, "CEO"]}),
    ]
    assert audit.entries_since(db, "contact", jana_id, mark, limit=1)[0].actor == "bob"
    assert audit.latest_entry_id(db, "contact", jana_id) == since[-1].id
    assert audit.latest_entry_id(db, "contact", 9999) == 0
    conflict = find_conflict(db, "contact", jana_id, mark, BASE, MINE_NOW, THEIRS_NOW)
    assert conflict.actors == ["ana", "bob"]
    assert [e.actor for e in others(conflict.entries, "ana")] == ["bob"]
    assert len(others(conflict.entries, "nobody")) == 2
    only_mine = [e for e in conflict.entries if e.actor == "ana"]
    assert others(only_mine, "ana") == only_mine, "my own other session still counts"


def test_a_stale_version_is_refused_before_anything_is_written(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    jana_id, _ = _two_changes(db, monkeypatch)
    before = audit.latest_entry_id(db, "contact", jana_id)
    with pytest.raises(ConflictError):
        contacts.update_contact(db, jana_id, 1, city="Munich")
    assert audit.latest_entry_id(db, "contact", jana_id) == before
    assert contacts.get_contact(db, jana_id).address.city == "Hamburg"


def test_the_change_marker_moves_with_every_change(db: Database) -> None:
    start = audit.latest_change(db)
    assert audit.latest_change(db) == start, "nothing changed, nothing moves"
    jana = contacts.create_contact(db, allow_duplicate=True, name="Jana Novak")
    created = audit.latest_change(db)
    assert created != start
    interactions.log_interaction(db, kind="note", subject="Hello", contact_id=jana.id)
    assert audit.latest_change(db) != created
