"""``search.search`` on PostgreSQL: every tier for every kind, and the hits, in one call.

The documents' ``search_vector`` is the folded title (weight A) and detail (B);
``smallcrm_tsquery`` (migration 0005) turns plain words into a query, each word whole or a
prefix (``word:*``), in titles only (``word:A``) or anywhere, and the user's words reach it as
plain text, never as query syntax. The parts tier matches ``parts_folded LIKE '%word%'`` (a
stored fold of the parts: the words hold letters and digits only).

``smallcrm_search_hits`` (migration 0021) runs the tiers on the server: a round trip and the
planning of a statement cost more than most of these reads, and its statements are planned
once per connection. For each kind it reads the newest ``WINDOW`` documents once, noting the
tiers each matches: a common word is found there. A tier with too few there then tests the next
few thousand older documents when the window held two or more of its matches, or when it has
a prefix of one or two letters (which a GIN index answers slowly) and the window held a match
of the widest tier (without one the words are too rare there: migration 0023); then it looks
among the widest tier's newest matches in the kind (the tiers of words are nested, so those
hold the newest of every narrower tier that has enough among them); only then does it ask the
kind's own GIN index for its own matches, newest first. Measured at 100,000 contacts and
1,000,000 interactions: ``jan`` matched 12,000 interaction subjects whole, and fetching every
match from the index to sort them took 37 ms; the older documents held the five newest among
their first few hundred.
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
    if not kinds:
        return []
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
