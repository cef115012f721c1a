"""Records that look like one another: names close to a misspelt one ("did you mean"), and
existing contacts or accounts that look like one about to be created (the duplicate guard of
``create_contact`` and ``create_account``).

A name is compared by its words (case, accents and punctuation aside; an account's legal form
aside too), emails and phone numbers exactly as the store keeps them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import NamedTuple

from smallcrm.store import search as search_service
from smallcrm.store import validate
from smallcrm.store.db import Database
from smallcrm.store.records import SearchHit
from smallcrm.store.resolve import by_id, find_by_method, fold, hit_by_id, hit_of, index_range

_LEGAL_SUFFIXES = frozenset(
    "gmbh ag kg ohg ug mbh co inc ltd llc plc corp corporation company sa sarl srl bv nv oy ab "
    "as aps spa sro kft".split()
)
SIMILARITY = 0.85  # difflib ratio at or above which two names look like the same record


# --- suggestions for a name that matched nothing ---------------------------------------------


def suggest(db: Database, text: str, kinds: Sequence[str], limit: int = 3) -> list[SearchHit]:
    """Names close to a misspelt ``text`` ("jnaa novak" -> Jana Novak), best first."""
    words = search_service.terms(text)
    if not words:
        return []
    pool = _similar_pool(db, words, tuple(kinds))
    target = " ".join(words)
    scored = [(_closeness(target, len(words), h.title), h) for h in pool]
    return [h for score, h in sorted(scored, key=lambda s: -s[0]) if score >= 0.7][:limit]


def _closeness(target: str, count: int, title: str) -> float:
    """How close typed words are to a name, or to as many of its words ("jnaa" ~ "Jana")."""
    import difflib

    words = search_service.terms(title)
    spans = {" ".join(words)} | {" ".join(words[i : i + count]) for i in range(len(words))}
    return max(difflib.SequenceMatcher(None, target, span).ratio() for span in spans)


def _similar_pool(db: Database, words: list[str], kinds: tuple[str, ...]) -> list[SearchHit]:
    """Candidates sharing a word, or the first one or two letters of a word, with ``words``."""
    prefixes = sorted({w[:2] for w in words} | {w[:1] for w in words} | set(words))
    pool = _pool(db, prefixes, [], words, kinds)
    if db.dialect == "postgresql":
        seen = {(h.kind, h.record_id) for h in pool}
        pool += [h for h in _trigram_pool(db, words, kinds) if (h.kind, h.record_id) not in seen]
    return pool


def _trigram_pool(db: Database, words: list[str], kinds: tuple[str, ...]) -> list[SearchHit]:
    """PostgreSQL: the titles most similar to the typed words by trigrams (pg_trgm's GIN index
    on the folded title, migration 0007), however many names share their first letters, so
    that a misspelt name is found in a large database too."""
    found: list[SearchHit] = []
    with db.read() as tx:
        for kind in kinds:
            low = search_service.doc_id(kind, 0)
            found += [
                hit_of(row)
                for row in tx.all(
                    "SELECT d.kind, d.record_id, d.title, d.detail FROM search_doc d "
                    "WHERE smallcrm_fold(d.title) % :t "
                    "AND d.id >= :low AND d.id < :high ORDER BY "
                    "similarity(smallcrm_fold(d.title), :t) DESC, d.id LIMIT 50",
                    t=" ".join(words),
                    low=low,
                    high=low + search_service.SPAN,
                )
            ]
    return found


def _pool(
    db: Database,
    prefixes: list[str],
    whole: list[str],
    words: list[str],
    kinds: tuple[str, ...],
    scan: int = 2000,
) -> list[SearchHit]:
    """Up to 300 titles per kind holding any of ``whole`` or a word starting with any of
    ``prefixes``, those holding more of ``words`` (as whole words) first, among the first
    ``scan`` matches of each kind.

    Like the search service, it reads candidates in id order and ranks them without
    ``bm25()``, whose cost grows with every match in the index; the words a title holds are
    counted on its folded words, as search compares them.
    """
    if db.dialect == "postgresql":
        params: dict[str, object] = {"p": " ".join(prefixes), "e": " ".join(whole)}
        sql = _POOL_PG
    else:
        match = " OR ".join([f'"{w}"' for w in whole] + [f'"{p}"*' for p in prefixes])
        params, sql = {"q": f"title : ({match})"}, _POOL_SQLITE
    wanted = set(words)
    pool: dict[tuple[str, int], tuple[int, SearchHit]] = {}
    with db.read() as tx:
        for kind in kinds:
            low, high = index_range(db, kind)
            rows = tx.all(sql, low=low, high=high, scan=scan, **params)
            ranked = sorted(
                rows, key=lambda r: -len(wanted & set(search_service.terms(r["title"])))
            )
            for order, row in enumerate(ranked[:300]):
                pool[(row["kind"], row["record_id"])] = (order, hit_of(row))
    return [hit for _order, hit in pool.values()]


# The oldest matches: FTS5's rowids of a kind ascend from its newest record (``fts_rowid``).
_POOL_SQLITE = (
    "SELECT d.kind, d.record_id, d.title, d.detail FROM ("
    "  SELECT rowid AS id FROM search_fts"
    "  WHERE search_fts MATCH :q AND rowid >= :low AND rowid < :high"
    "  ORDER BY rowid DESC LIMIT :scan"
    f") AS f JOIN search_doc d ON d.id = {search_service.doc_of_fts_sql('f.id')} ORDER BY d.id"
)
# Titles (weight A) holding a word whole (:e) or a word starting with a prefix (:p).
_POOL_PG = (
    "SELECT d.kind, d.record_id, d.title, d.detail FROM ("
    "  SELECT id FROM search_doc WHERE search_vector @@ "
    "  (smallcrm_tsquery(:p, TRUE, TRUE, FALSE) || smallcrm_tsquery(:e, FALSE, TRUE, FALSE))"
    "  AND id >= :low AND id < :high ORDER BY id LIMIT :scan"
    ") AS f JOIN search_doc d ON d.id = f.id ORDER BY d.id"
)


def _name_pool(db: Database, kind: str, name: str) -> list[SearchHit]:
    """Existing names that share a whole word with ``name`` (legal forms aside).

    A name of one word also brings names sharing its first two letters, so "Acne" finds Acme.
    """
    words = list(account_key(name)) if kind == "account" else search_service.terms(name)
    if not words:
        return []
    prefixes = [words[0][:2]] if len(words) == 1 else []
    return _pool(db, prefixes, list(dict.fromkeys(words)), words, (kind,))


# --- "this looks like a record you already have" -----------------------------------------------


class Duplicate(NamedTuple):
    """An existing record that looks like the one about to be created, and why."""

    hit: SearchHit
    reason: str


def account_key(name: str) -> tuple[str, ...]:
    """An account name without legal forms: "ACME GmbH" and "Acme Inc." are both ("acme",)."""
    words = [w for w in search_service.terms(name) if w not in _LEGAL_SUFFIXES]
    return tuple(words) or tuple(search_service.terms(name))


def similar_name(kind: str, new: str, existing: str) -> bool:
    """Whether two names look like the same person or company."""
    import difflib

    if kind == "account":
        a, b = " ".join(account_key(new)), " ".join(account_key(existing))
        if a == b:
            return True
    else:
        if fold(new) == fold(existing):
            return True
        a, b = " ".join(search_service.terms(new)), " ".join(search_service.terms(existing))
    matcher = difflib.SequenceMatcher(None, a, b)
    return matcher.real_quick_ratio() >= SIMILARITY and matcher.ratio() >= SIMILARITY


def find_duplicates(
    db: Database,
    kind: str,
    name: str,
    *,
    emails: Iterable[str] = (),
    phones: Iterable[str] = (),
    website: str | None = None,
    limit: int = 5,
) -> list[Duplicate]:
    """Live contacts or accounts that look like a new one: same email or phone, or a very
    similar name. Values are normalised as the store keeps them (invalid ones raise
    ValidationError naming the field, as creating the record would).
    """
    if kind not in ("contact", "account"):
        raise ValueError(f"duplicates are checked for contacts and accounts, not {kind}")
    found: dict[int, Duplicate] = {}
    if kind == "contact":
        _same_methods(db, emails, phones, found)
    else:
        _same_account_details(db, phones, website, found)
    for hit in _name_pool(db, kind, name):
        if hit.record_id not in found and similar_name(kind, name, hit.title):
            reason = "same name" if _same(kind, name, hit.title) else "similar name"
            found[hit.record_id] = Duplicate(hit, reason)
    return list(found.values())[:limit]


def _same(kind: str, new: str, existing: str) -> bool:
    if kind == "account":
        return account_key(new) == account_key(existing)
    return fold(new) == fold(existing)


def _same_methods(
    db: Database, emails: Iterable[str], phones: Iterable[str], found: dict[int, Duplicate]
) -> None:
    methods = [
        *validate.contact_methods("email", list(emails), "email"),
        *validate.contact_methods("phone", list(phones), "phone"),
    ]
    for method in methods:
        for contact_id in find_by_method(db, method.kind, method.value):
            if contact_id not in found:
                hit = by_id(db, contact_id, ("contact",))
                found[contact_id] = Duplicate(hit, f"same {method.kind} {method.value}")


def _same_account_details(
    db: Database, phones: Iterable[str], website: str | None, found: dict[int, Duplicate]
) -> None:
    checks: list[tuple[str, str, str]] = []
    for raw in phones:
        if raw:
            checks.append(("phone", validate.phone("phone", raw), "phone"))
    site = validate.website("website", website) if website else None
    if site:
        checks.append(("website", _site_key(site), "website"))
    with db.read() as tx:
        for column, value, label in checks:
            expr = (
                "lower(trim(replace(replace(replace(website, 'https://', ''), 'http://', ''), "
                "'www.', ''), '/'))"
                if column == "website"
                else column
            )
            for row in tx.all(
                f"SELECT id FROM account WHERE {expr} = :v AND deleted_at IS NULL LIMIT 5", v=value
            ):
                if row["id"] not in found:
                    hit = hit_by_id(tx, "account", row["id"])
                    if hit is not None:
                        found[row["id"]] = Duplicate(hit, f"same {label} {value}")


def _site_key(site: str) -> str:
    """``https://www.Acme.example/`` -> ``acme.example``, to compare web addresses."""
    text = site.lower().strip()
    for prefix in ("https://", "http://", "www."):
        if text.startswith(prefix):
            text = text[len(prefix) :]
    return text.strip("/")
