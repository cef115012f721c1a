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

from smallcrm.store.db import Database, Tx
from smallcrm.store.records import SearchHit
from smallcrm.store.search_tiers import (
    NAMED,
    SPAN,
    Tier,
    doc_id,
    documents,
    name_keys,
    tiers,
)

WINDOW = 300  # newest documents of a kind a tier tests one by one before asking the index
PARTS_WINDOW = WINDOW  # the same for parts of words


def search(
    db: Database,
    text: str,
    words: list[str],
    kinds: tuple[str, ...],
    per_kind: int,
    names_only: bool,
) -> list[SearchHit]:
    """Hits for ``words`` (``text`` folded), grouped by kind, best first within each kind."""
    found: dict[str, list[int]] = {kind: [] for kind in kinds}
    with db.read() as tx:
        for tier in tiers(words, names_only):
            named_only = tier.exact or tier.column == "parts"
            short = [
                k for k in kinds if len(found[k]) < per_kind and (not named_only or k in NAMED)
            ]
            if not short:
                continue  # all full, or a tier of names and parts for kinds without them
            for kind, document in _tier_ids(tx, tier, text, words, short, per_kind):
                if document not in found[kind] and len(found[kind]) < per_kind:
                    found[kind].append(document)
        return documents(tx, [document for kind in kinds for document in found[kind]])


def _tier_ids(
    tx: Tx, tier: Tier, text: str, words: list[str], kinds: list[str], wanted: int
) -> list[tuple[str, int]]:
    """(kind, document id) of up to ``wanted`` matches of ``tier`` per kind, newest first."""
    condition, params = _condition(tier, text, words)
    selects = []
    for number, kind in enumerate(kinds):
        low = doc_id(kind, 0)
        params |= {f"low{number}": low, f"high{number}": low + SPAN}
        span = f"id >= :low{number} AND id < :high{number}"
        if tier.exact:  # few rows share a name: the name_key index, then sorted
            selects.append(
                f"(SELECT '{kind}' AS kind, id FROM search_doc WHERE {condition} AND {span} "
                "ORDER BY id + 0 DESC LIMIT :n)"
            )
            continue
        selects.append(
            f"(WITH recent AS MATERIALIZED (SELECT id FROM (SELECT * FROM search_doc "
            f"WHERE {span} ORDER BY id DESC LIMIT :window) AS d WHERE {condition} "
            f"ORDER BY id DESC LIMIT :n) SELECT '{kind}' AS kind, id FROM recent UNION ALL "
            f"(SELECT '{kind}', id FROM search_doc WHERE {condition} AND {span} "
            "AND (SELECT count(*) FROM recent) < :n ORDER BY id + 0 DESC LIMIT :n))"
        )
    window = PARTS_WINDOW if tier.column == "parts" else WINDOW
    rows = tx.all(" UNION ALL ".join(selects), n=wanted, window=window, **params)
    return sorted(((row["kind"], row["id"]) for row in rows), key=lambda hit: -hit[1])


def _condition(tier: Tier, text: str, words: list[str]) -> tuple[str, dict[str, object]]:
    """The WHERE condition of one tier, with its parameters."""
    if tier.exact:
        return "name_key = ANY(:keys)", {"keys": name_keys(text)}
    if tier.column == "parts":
        parts = words
        likes = " AND ".join(f"parts_folded LIKE :p{i}" for i in range(len(parts)))
        return f"parts IS NOT NULL AND {likes}", {f"p{i}": f"%{w}%" for i, w in enumerate(parts)}
    titles = "TRUE" if tier.column == "title" else "FALSE"
    whole = [w for w, p in zip(words, tier.prefixed, strict=True) if not p]
    prefixed = [w for w, p in zip(words, tier.prefixed, strict=True) if p]
    queries = []
    if whole:
        queries.append(f"smallcrm_tsquery(:whole, FALSE, {titles}, TRUE)")
    if prefixed:
        queries.append(f"smallcrm_tsquery(:prefixed, TRUE, {titles}, TRUE)")
    condition = f"search_vector @@ ({' && '.join(queries)})"
    return condition, {"whole": " ".join(whole), "prefixed": " ".join(prefixed)}
