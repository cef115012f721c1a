"""``search.search`` on PostgreSQL: the same tiers, each asked for every kind in one statement.

The documents' ``search_vector`` is the folded title (weight A) and detail (B) with a GIN index;
``smallcrm_tsquery`` (migration 0005) turns plain words into a query, each word whole or a
prefix (``word:*``), in titles only (``word:A``) or anywhere, and the user's words reach it as
plain text, never as query syntax. The parts tier asks the trigram index over the folded parts
(``parts_folded LIKE '%word%'``, a stored fold of the parts: the words hold letters and
digits only).

A round trip to the server costs more than a small query, so each tier is one statement: a
UNION ALL of one sub-select per kind still short of hits, each newest first with its own LIMIT.

Each sub-select reads a kind's newest documents one by one (``WINDOW`` of them at most) and
stops when it has its hits: a common word is found at once. Only when those hold too few does
it ask the GIN index for every match and sort them (``id + 0`` keeps the planner from walking
the ids instead): a rare word matches few documents. Left to itself, the planner walked the ids
for a word matching nothing, testing every document of the kind: 1-4 s at 1,000,000
interactions.
"""

from __future__ import annotations

from smallcrm.store.db import Database
from smallcrm.store.records import SearchHit
from smallcrm.store.search_tiers import NAMED, Tier, doc_id, hit_of, name_keys, tiers

WINDOW = 300  # newest documents of a kind every tier is tested on before asking an index
PARTS_WINDOW = WINDOW  # the parts of words are tested on the same documents


def search(
    db: Database,
    text: str,
    words: list[str],
    kinds: tuple[str, ...],
    per_kind: int,
    names_only: bool,
) -> list[SearchHit]:
    """Hits for ``words`` (``text`` folded), grouped by kind, best first within each kind."""
    ranked = tiers(words, names_only)
    with db.read() as tx:
        rows = tx.all(
            "SELECT * FROM smallcrm_search_hits(:lows, :named, :types, :whole, :prefixed, "
            ":titles, :keys, :likes, :n, :window)",
            lows=[doc_id(kind, 0) for kind in kinds],
            named=[kind in NAMED for kind in kinds],
            types=[_type(tier) for tier in ranked],
            whole=[_words(words, tier, False) for tier in ranked],
            prefixed=[_words(words, tier, True) for tier in ranked],
            titles=[tier.column == "title" for tier in ranked],
            keys=name_keys(text),
            # the longest part first: the trigram index is asked for that one
            likes=[f"%{word}%" for word in sorted(words, key=len, reverse=True)],
            n=per_kind,
            window=max(WINDOW, PARTS_WINDOW),
        )
    return [hit_of(row) for row in rows]


def _type(tier: Tier) -> str:
    """How ``smallcrm_search_hits`` asks for a tier: a name, words or parts of words."""
    if tier.exact:
        return "exact"
    return "parts" if tier.column == "parts" else "words"


def _words(words: list[str], tier: Tier, prefixed: bool) -> str:
    """The words a tier takes whole (``prefixed`` False) or as prefixes, space-separated."""
    return " ".join(w for w, p in zip(words, tier.prefixed, strict=True) if p == prefixed)
