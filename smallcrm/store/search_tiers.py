"""The words, tiers and documents of a search, shared by both databases' queries.

``search`` runs the tiers on SQLite and ``search_pg`` on PostgreSQL; both read the words a
query folds to, the tiers those words make and the hits of the documents found from here.
"""

from __future__ import annotations

from itertools import permutations
from typing import Any, NamedTuple

from smallcrm.store import folding
from smallcrm.store import kinds as registry
from smallcrm.store.db import Tx
from smallcrm.store.records import SearchHit

SPAN = 2**40  # ids of one kind's documents: search_code * SPAN + the record's id
MAX_TERMS = folding.MAX_WORDS
PART_LETTERS = 3  # the shortest part of a word the trigram index can find
NAMED = ("contact", "account")  # kinds with an exact-name key and parts (migration 0007)
EXACT_ORDERS = 3  # a name of up to this many words is also found in any word order


_BY_CODE = {k.search_code: k for k in registry.KINDS}
_BY_SLOT = {k.fts_slot: k for k in registry.KINDS}


class Tier(NamedTuple):
    """One way a document can match, with how each database asks for it.

    ``column`` is ``title``, ``any`` or ``parts``; ``prefixed`` says for each word whether it
    may be the start of a longer word; ``exact`` is the whole-name lookup.
    """

    column: str
    prefixed: tuple[bool, ...]
    exact: bool = False


def doc_id(kind: str, record_id: int) -> int:
    """The id of a record's document in the search index."""
    return registry.get(kind).search_code * SPAN + record_id


def fts_range(kind: str) -> tuple[int, int]:
    """The rowids of one kind's documents in SQLite's FTS5 indexes: [low, high)."""
    low = registry.get(kind).fts_slot * SPAN
    return low, low + SPAN


def fts_rowid(document: int) -> int:
    """The FTS5 rowid of a document: its kind's slot, then newest first (migration 0013).

    FTS5 reads a doclist forwards several times faster than backwards, and search wants the
    newest matches first: so the rowids run the other way from the records' ids.
    """
    kind = _BY_CODE[document // SPAN]
    return kind.fts_slot * SPAN + SPAN - 1 - document % SPAN


def doc_of_fts(rowid: int) -> int:
    """The document an FTS5 rowid stands for (``fts_rowid`` turned round)."""
    kind = _BY_SLOT[rowid // SPAN]
    return kind.search_code * SPAN + SPAN - 1 - rowid % SPAN


def doc_of_fts_sql(column: str) -> str:
    """SQL for ``doc_of_fts(column)``, to join an FTS5 rowid to ``search_doc.id``."""
    cases = " ".join(f"WHEN {k.fts_slot} THEN {k.search_code}" for k in registry.KINDS)
    return f"((CASE {column} / {SPAN} {cases} END) * {SPAN} + {SPAN - 1} - {column} % {SPAN})"


def terms(text: str) -> list[str]:
    """The words of a query as the index holds them: folded, at most MAX_TERMS."""
    return folding.words(text)


def name_keys(text: str) -> list[str]:
    """The folded forms of a whole name as ``name_key`` holds them, in each word order (up to
    EXACT_ORDERS words; a longer name only as written)."""
    words = folding.fold(" ".join(str(text).replace("\x00", " ").split())).split()
    if not words:
        return []
    if len(words) > EXACT_ORDERS:
        return [" ".join(words)]
    return list(dict.fromkeys(" ".join(order) for order in permutations(words)))


def tiers(words: list[str], names_only: bool) -> list[Tier]:
    """The tiers for these words, best first, leaving out one that repeats an earlier one."""
    whole = (False,) * len(words)
    typing = (*whole[:-1], True)
    prefixed = (True,) * len(words)
    tiers = [Tier("title", whole, exact=True), Tier("title", whole), Tier("title", typing)]
    if prefixed != typing:
        tiers.append(Tier("title", prefixed))
    if not names_only:
        tiers.append(Tier("any", prefixed))
        if all(len(w) >= PART_LETTERS for w in words):
            tiers.append(Tier("parts", whole))
    return tiers


def documents(tx: Tx, ids: list[int]) -> list[SearchHit]:
    """The hits for these document ids, in the same order."""
    if not ids:
        return []
    marks = ", ".join(f":i{n}" for n in range(len(ids)))
    rows = tx.all(
        f"SELECT id, kind, record_id, title, detail FROM search_doc WHERE id IN ({marks})",
        **{f"i{n}": value for n, value in enumerate(ids)},
    )
    by_id = {row["id"]: row for row in rows}
    return [hit_of(by_id[i]) for i in ids if i in by_id]


def hit_of(row: Any) -> SearchHit:
    """A search-document row (kind, record_id, title, detail) as a hit."""
    return SearchHit(row["kind"], row["record_id"], row["title"], _tidy(row["detail"]))


def _tidy(detail: str) -> str:
    return " ".join(detail.split())[:200]
