"""Finding anything as you type: one service over every kind of record.

What is searched: each record's document in ``search_doc`` (kept by triggers): a title (a
contact's or account's name, a deal's name, a subject or title), a detail (emails, phones,
company, city, tags, notes, bodies) and, for contacts and accounts, the parts people quote from
the middle (name, company, emails, phone numbers). Both sides are folded alike
(``folding.fold``: "müller", "mueller" and "muller" are one word; ß is ss; ø and å are o and a),
so any spelling finds every other. Each kind is an id range of the index (``doc_id``).

How hits rank, per kind (``_tiers``), best first; within a tier the newest record first, so the
contact added a minute ago is there at once however many share its name:

1. the exact name (word order aside), looked up by its folded key (``name_key``);
2. every word whole in the title;
3. every word whole but the last, which is being typed, in the title;
4. every word the start of a word of the title;
5. every word the start of a word anywhere in the document;
6. every word (each of three letters or more) inside the name, company, email or phone
   number.

Each tier asks the index for at most the few hits still wanted, newest first, and the search
stops for a kind as soon as it has them: a common word costs one or two small reads, a word that
is nowhere costs a few empty ones. Ranking never looks at every match (no ``bm25()``, whose cost
grows with every match in the index).

SQLite (migration 0007): FTS5 over the folded text (``search_fts``: unicode61 with a prefix
index for 1-6 letters; ``search_fts_parts``: trigrams). PostgreSQL: a ``tsvector`` of the folded
text (title weighted A) with a GIN index, and a trigram index over the folded parts; see
``search_pg``. The user's text never reaches either query language: it is cut into folded words
of letters and digits, each quoted (FTS5) or passed as plain text (PostgreSQL), so quotes, ``*``,
``-``, ``NEAR`` or NUL bytes cannot cause a syntax error.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import permutations
from typing import NamedTuple

from smallcrm.store import folding
from smallcrm.store import kinds as registry
from smallcrm.store.db import Database, Tx
from smallcrm.store.records import SearchHit

SPAN = 2**40  # ids of one kind's documents: search_code * SPAN + the record's id
MAX_TERMS = folding.MAX_WORDS
PART_LETTERS = 3  # the shortest part of a word the trigram index can find
NAMED = ("contact", "account")  # kinds with an exact-name key (migration 0007)
EXACT_ORDERS = 3  # a name of up to this many words is also found in any word order


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


def search(
    db: Database,
    text: str,
    *,
    kinds: tuple[str, ...] = registry.SEARCH_ORDER,
    per_kind: int = 5,
    names_only: bool = False,
) -> list[SearchHit]:
    """Hits for ``text`` grouped by kind (in ``kinds`` order), best first within each kind.

    ``names_only`` matches names and titles only (not emails, notes or bodies): what name
    resolution in the shell commands wants.
    """
    words = terms(text)
    if not words or per_kind <= 0:
        return []
    if db.dialect == "postgresql":
        from smallcrm.store import search_pg

        return search_pg.search(db, text, words, kinds, per_kind, names_only)
    ranked = tiers(words, names_only)
    hits: list[SearchHit] = []
    with db.read() as tx:
        for kind in kinds:
            ids = list(_ranked_ids(tx, text, words, ranked, kind, per_kind))
            hits.extend(documents(tx, ids))
    return hits


def _ranked_ids(
    tx: Tx, text: str, words: list[str], tiers: list[Tier], kind: str, wanted: int
) -> Iterator[int]:
    """Up to ``wanted`` document ids of one kind, best tier first, newest first in a tier."""
    low = doc_id(kind, 0)
    found: set[int] = set()
    for tier in tiers:
        if tier.exact and kind not in NAMED:
            continue
        sql, params = _sqlite_tier(tier, text, words)
        for row in tx.all(sql, low=low, high=low + SPAN, n=wanted, **params):
            if row[0] not in found:
                found.add(row[0])
                yield row[0]
                if len(found) == wanted:
                    return


def _sqlite_tier(tier: Tier, text: str, words: list[str]) -> tuple[str, dict[str, str]]:
    """SQL and parameters of one tier on SQLite (with :low, :high and :n still to bind)."""
    if tier.exact:
        keys = name_keys(text)
        marks = ", ".join(f":k{i}" for i in range(len(keys)))
        sql = (
            f"SELECT id FROM search_doc WHERE name_key IN ({marks}) "
            "AND id >= :low AND id < :high ORDER BY id DESC LIMIT :n"
        )
        return sql, {f"k{i}": key for i, key in enumerate(keys)}
    if tier.column == "parts":
        query = " ".join(f'"{w}"' for w in words)
        return _FTS_IDS.format(table="search_fts_parts"), {"q": query}
    body = " ".join(
        f'"{w}"' + ("*" if p else "") for w, p in zip(words, tier.prefixed, strict=True)
    )
    query = f"title : ({body})" if tier.column == "title" else body
    return _FTS_IDS.format(table="search_fts"), {"q": query}


# Newest first: FTS5 walks its doclists from the end (rowid DESC), and LIMIT stops it early.
_FTS_IDS = (
    "SELECT rowid FROM {table} WHERE {table} MATCH :q AND rowid >= :low AND rowid < :high "
    "ORDER BY rowid DESC LIMIT :n"
)


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


def hit_of(row: object) -> SearchHit:
    """A search-document row (kind, record_id, title, detail) as a hit."""
    get = row.__getitem__  # type: ignore[attr-defined]
    return SearchHit(get("kind"), get("record_id"), get("title"), _tidy(get("detail")))


def _tidy(detail: str) -> str:
    return " ".join(detail.split())[:200]


def check_index(db: Database) -> bool:
    """Whether the search index agrees with the records.

    SQLite: FTS5's own integrity check of both indexes against their content (the folded view
    of ``search_doc``). PostgreSQL: ``search_doc`` holds exactly the documents the records give
    (``smallcrm_search_documents``); the tsvector is a generated column of it.
    """
    if db.dialect == "postgresql":
        columns = "id, kind, record_id, title, detail, parts, name_key"
        with db.read() as tx:
            return not tx.scalar(
                f"SELECT EXISTS (SELECT {columns} FROM search_doc "
                "EXCEPT SELECT * FROM smallcrm_search_documents()) OR EXISTS (SELECT * FROM "
                f"smallcrm_search_documents() EXCEPT SELECT {columns} FROM search_doc)"
            )
    import sqlite3

    with db.read() as tx:
        try:
            for table in ("search_fts", "search_fts_parts"):
                tx.execute(f"INSERT INTO {table}({table}, rank) VALUES ('integrity-check', 1)")
        except sqlite3.DatabaseError as exc:
            # FTS5 reports an index out of step as corruption; anything else (a read-only
            # file, a lock, a full disk) means the check could not run, which the caller says.
            if getattr(exc, "sqlite_errorcode", 11) & 0xFF != 11:  # SQLITE_CORRUPT
                raise
            return False
    return True


def rebuild_index(db: Database) -> None:
    """Rebuild the search index from the records (the repair for a failed check).

    SQLite rebuilds both FTS5 indexes from their content; PostgreSQL rewrites ``search_doc``.
    """
    with db.write() as tx:
        if tx.dialect == "postgresql":
            tx.execute("DELETE FROM search_doc")
            tx.execute(
                "INSERT INTO search_doc (id, kind, record_id, title, detail, parts, name_key) "
                "SELECT * FROM smallcrm_search_documents()"
            )
            return
        tx.execute("INSERT INTO search_fts(search_fts) VALUES ('rebuild')")
        tx.execute("INSERT INTO search_fts_parts(search_fts_parts) VALUES ('delete-all')")
        tx.execute(
            "INSERT INTO search_fts_parts(rowid, parts) "
            "SELECT id, parts FROM search_text WHERE parts IS NOT NULL"
        )
