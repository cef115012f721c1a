"""PostgreSQL search: a tier tests a kind's newest documents one by one, then asks the index."""

from __future__ import annotations

import pytest

from smallcrm.store import contacts, search, search_pg
from smallcrm.store.db import Database

pytestmark = pytest.mark.postgres_only  # SQLite reads its FTS5 index newest first instead


def test_matches_beyond_the_newest_documents_come_from_the_index(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search_pg, "WINDOW", 3)
    monkeypatch.setattr(search_pg, "PARTS_WINDOW", 3)
    for name in ("Vera One", "Otto A", "Vera Two", "Otto B", "Otto C", "Otto D"):
        contacts.create_contact(db, allow_duplicate=True, name=name)
    assert [h.title for h in search.search(db, "vera")] == ["Vera Two", "Vera One"]
    assert [h.title for h in search.search(db, "ver")] == ["Vera Two", "Vera One"]
    assert [h.title for h in search.search(db, "era")] == ["Vera Two", "Vera One"]  # parts
    contacts.create_contact(db, allow_duplicate=True, name="Vera Three")
    titles = [h.title for h in search.search(db, "vera", per_kind=2)]
    assert titles == ["Vera Three", "Vera Two"]
    assert [h.title for h in search.search(db, "vera")] == ["Vera Three", "Vera Two", "Vera One"]
    assert search.search(db, "qxzvy") == []
