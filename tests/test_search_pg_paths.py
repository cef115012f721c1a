"""PostgreSQL search: every way ``smallcrm_search_hits`` finds a tier's matches gives the hits
and order of the plain definition (each tier's newest matches in the whole kind).

The window is made tiny so that the paths a large database takes run on a few records: the
window itself, the older documents tested after it (a word some of the window holds, or a
prefix of one or two letters), the widest tier's few matches standing for the narrower ones,
and each kind's own index.
"""

from __future__ import annotations

import pytest

from smallcrm.store import contacts, interactions, search, search_pg
from smallcrm.store import kinds as registry
from smallcrm.store.db import Database
from smallcrm.store.records import SearchHit
from smallcrm.store.search_tiers import NAMED, SPAN, Tier, doc_id, hit_of, name_keys, terms, tiers

pytestmark = pytest.mark.postgres_only  # SQLite reads its FTS5 index newest first instead

NAMES = (
    "Jan Zylinski", "Jana Zorn", "Anna Müller", "Hans Mueller", "Jürgen Weißmüller",
    "Søren Ærø", "Jan Schmidt", "Zoe Jansen", "Otto Zimmerman", "Jan Z", "J Smith",
)  # fmt: skip
FILLER = 14  # records after each named one: the named ones fall out of the window
TERMS = (
    "j", "ja", "jan", "jan z", "z jan", "zylinski", "muller", "mueller", "weiss", "soren",
    "aero", "smith", "jan zylinski", "zylinski jan", "otto", "ller", "qxzvy", "anna m", "call",
    "person", "note", "p", "filler1", "person1",
)  # fmt: skip


def _reference(db: Database, text: str, per_kind: int, names_only: bool) -> list[SearchHit]:
    """The hits by definition: for each kind, each tier's newest matches in the whole kind."""
    words = terms(text)
    hits: list[SearchHit] = []
    with db.read() as tx:
        for kind in registry.SEARCH_ORDER:
            found: list[int] = []
            for tier in tiers(words, names_only):
                if kind not in NAMED and (tier.exact or tier.column == "parts"):
                    continue
                condition, params = _condition(tier, text, words)
                low = doc_id(kind, 0)
                rows = tx.all(
                    f"SELECT id FROM search_doc WHERE {condition} AND id >= :low AND id < :high "
                    "ORDER BY id DESC",
                    low=low,
                    high=low + SPAN,
                    **params,
                )
                found += [r["id"] for r in rows if r["id"] not in found]
            for document in found[:per_kind]:
                row = tx.one(
                    "SELECT id, kind, record_id, title, detail FROM search_doc WHERE id = :i",
                    i=document,
                )
                hits.append(hit_of(row))
    return hits


def _condition(tier: Tier, text: str, words: list[str]) -> tuple[str, dict[str, object]]:
    if tier.exact:
        return "name_key = ANY(:keys)", {"keys": name_keys(text)}
    if tier.column == "parts":
        likes = " AND ".join(f"parts_folded LIKE :p{i}" for i in range(len(words)))
        return f"parts IS NOT NULL AND {likes}", {f"p{i}": f"%{w}%" for i, w in enumerate(words)}
    titles = "TRUE" if tier.column == "title" else "FALSE"
    whole = " ".join(w for w, p in zip(words, tier.prefixed, strict=True) if not p)
    prefixed = " ".join(w for w, p in zip(words, tier.prefixed, strict=True) if p)
    queries = []
    if whole:
        queries.append(f"smallcrm_tsquery(:whole, FALSE, {titles}, TRUE)")
    if prefixed:
        queries.append(f"smallcrm_tsquery(:prefixed, TRUE, {titles}, TRUE)")
    return f"search_vector @@ ({' && '.join(queries)})", {"whole": whole, "prefixed": prefixed}


@pytest.fixture
def crowded(db: Database) -> Database:
    """Named contacts (and calls with them) among many unnamed ones, oldest first."""
    for number, name in enumerate(NAMES):
        made = contacts.create_contact(db, allow_duplicate=True, name=name)
        interactions.log_interaction(db, kind="call", subject=f"Call {name}", contact_id=made.id)
        for filler in range(FILLER):
            other = contacts.create_contact(
                db, allow_duplicate=True, name=f"Filler{number} Person{filler}"
            )
            interactions.log_interaction(
                db, kind="note", subject=f"Note {number} {filler}", contact_id=other.id
            )
    return db


@pytest.mark.parametrize("window", [2, 5, 300])
def test_every_path_gives_the_tiers_by_definition(
    crowded: Database, monkeypatch: pytest.MonkeyPatch, window: int
) -> None:
    monkeypatch.setattr(search_pg, "WINDOW", window)
    monkeypatch.setattr(search_pg, "PARTS_WINDOW", window)
    for text in TERMS:
        for per_kind in (1, 3, 5):
            for names_only in (False, True):
                found = search.search(crowded, text, per_kind=per_kind, names_only=names_only)
                wanted = _reference(crowded, text, per_kind, names_only)
                assert found == wanted, (text, per_kind, names_only)


def test_older_matches_beyond_the_window_and_its_next_documents(
    crowded: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search_pg, "WINDOW", 2)  # the older documents tested: 20 at most
    titles = [h.title for h in search.search(crowded, "jan", kinds=("contact",), per_kind=5)]
    # whole word "jan" first, newest first; then the prefix ("Jana", "Jansen")
    assert titles == ["Jan Z", "Jan Schmidt", "Jan Zylinski", "Zoe Jansen", "Jana Zorn"]
    assert [h.title for h in search.search(crowded, "jan zylinski", per_kind=1)] == [
        "Jan Zylinski",
        "Call Jan Zylinski",
    ]


def _pkey_reads(db: Database) -> int:
    """Index entries of ``search_doc``'s primary key read so far (the newest documents of a
    kind, and the older ones after them, are read through it; the GIN indexes are not)."""
    with db.read() as tx:
        tx.scalar("SELECT pg_stat_force_next_flush()")  # this connection's counts, at once
    with db.read() as tx:
        return int(
            tx.scalar(
                "SELECT idx_tup_read FROM pg_stat_user_indexes "
                "WHERE indexrelname = 'search_doc_pkey'"
            )
        )


def test_words_the_window_lacks_ask_the_index_not_the_older_documents(
    crowded: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``otto z``: a one-letter prefix, and neither word anywhere in the newest documents. The
    next 10 * window older documents would hardly hold enough; the index is asked at once."""
    monkeypatch.setattr(search_pg, "WINDOW", 2)
    monkeypatch.setattr(search_pg, "PARTS_WINDOW", 2)
    before = _pkey_reads(crowded)

    hits = search.search(crowded, "otto z", kinds=("contact",), per_kind=5)
    reads = _pkey_reads(crowded) - before

    # the window (2, and one more) and the hit; three tiers testing 20 older documents each
    # would read 60 more
    assert reads < 10
    assert [h.title for h in hits] == ["Otto Zimmerman"]
    assert hits == _reference(crowded, "otto z", 5, False)[: len(hits)]
