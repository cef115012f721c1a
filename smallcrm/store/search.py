"""Finding anything as you type: one service over every kind of record.

On SQLite, ``search_fts`` is an FTS5 index (prefix index for 1-6 letters, diacritics removed)
over ``search_doc``, which triggers keep in step with the record tables. Each kind is a rowid
range of the index, so "the best few contacts" is a cheap range query rather than a rank over
every hit. The user's text never reaches FTS5's query syntax: it is cut into words, each quoted
as a prefix, so quotes, ``*``, ``-``, ``NEAR`` or NUL bytes cannot cause a syntax error.

Measured at 100,000 contacts and 1,000,000 interactions (benchmarks/store_bench.py), three
choices keep a whole search under a millisecond:

- candidates are read in ascending rowid order: on an index that grew by many writes (several
  large segments) FTS5 walks doclists backwards 5-10x slower than forwards;
- no ``bm25()``: its IDF needs the number of documents matching each term in the whole index,
  which for a one-letter prefix is a scan of hundreds of thousands of entries (1-2 ms per kind);
  cheap title tests in SQL rank the candidates instead;
- prefixes up to 6 letters come from FTS5's prefix index (migration 0003); longer prefixes
  make FTS5 merge the doclists of every matching term, which is fast only for rare words.

On PostgreSQL (migration 0005) the same ``search_doc`` rows carry a generated ``tsvector``
(title weighted A, detail B; accents removed by an IMMUTABLE ``unaccent`` wrapper) with a GIN
index. The words go to the server as plain text and ``smallcrm_tsquery`` folds them and makes
each a prefix term (``word:*``, or ``word:*A`` for titles only), all required: like FTS5's
query, nothing the user types can be query syntax, and NUL bytes (which PostgreSQL refuses in
any text) are removed first. Candidates and ranking are the same SQL as on SQLite: the first
hits of a kind by id, ordered by the same title tests, so both databases list the same hits.
"""

from __future__ import annotations

import re
import unicodedata

from smallcrm.store import kinds as registry
from smallcrm.store.db import Database, Tx
from smallcrm.store.listing import literal
from smallcrm.store.records import SearchHit

SPAN = 2**40  # ids of one kind's documents: search_code * SPAN + the record's id
CANDIDATES = 50  # ranked among the first (oldest) this many hits of a kind: keeps 1-letter fast
PG_SPARSE_PREFIX = 4  # PostgreSQL: words this long match few documents (see ``_ranked_pg``)
_WORD = re.compile(r"\w+", re.UNICODE)
_VOWELS = re.compile(r"[aeiouy]")
MAX_TERMS = 8


def doc_id(kind: str, record_id: int) -> int:
    """The id of a record's document in the search index."""
    return registry.get(kind).search_code * SPAN + record_id


def terms(text: str) -> list[str]:
    """The words of a query, lower-cased, with Latin letters' accents removed.

    Only Latin letters lose their accents, because that is all FTS5's ``remove_diacritics``
    does to the indexed text: stripping a Greek tonos or the breve of Cyrillic "й" too would
    make the query miss the very word it was typed from.
    """
    decomposed = unicodedata.normalize("NFKD", text.replace("\x00", " "))
    kept: list[str] = []
    latin = False
    for ch in decomposed:
        if not unicodedata.combining(ch):
            latin = ch.isascii() or unicodedata.name(ch, "").startswith("LATIN")
        elif latin:
            continue
        kept.append(ch)
    plain = unicodedata.normalize("NFC", "".join(kept))
    return [w.lower() for w in _WORD.findall(plain)][:MAX_TERMS]


def fts_query(text: str, column: str | None = None, words: list[str] | None = None) -> str | None:
    """A safe FTS5 query: every word as a quoted prefix, all required. None if no words.

    ``words`` are ``terms(text)`` when the caller has them already (each keystroke searches).
    """
    words = terms(text) if words is None else words
    if not words:
        return None
    body = " ".join(f'"{w}"*' for w in words)
    return f"{column} : ({body})" if column else body


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
    if db.dialect == "postgresql":
        query = " ".join(words) or None  # folded and made prefix terms by the server
        sparse = min((len(w) for w in words), default=0) >= PG_SPARSE_PREFIX
        sql = _RANKED_PG[names_only, sparse]
    else:
        query = fts_query(text, "title" if names_only else None, words)
        sql = _RANKED_SQLITE
    if query is None or per_kind <= 0:
        return []
    hits: list[SearchHit] = []
    with db.read() as tx:
        for kind in kinds:
            hits.extend(_search_kind(tx, sql, query, words[0], words[-1], kind, per_kind))
    return hits


def _search_kind(
    tx: Tx, sql: str, query: str, first: str, last: str, kind: str, limit: int
) -> list[SearchHit]:
    """Best hits of one kind: a title holding the first word whole, then a title starting with
    it, then a title with a word starting with it (rather than only the details); among those,
    titles that also hold a word starting with the last word ("jan smi": Jan Smith before Jan
    Klein of Smith GmbH), then shorter titles, alphabetically."""
    low = doc_id(kind, 0)
    like = _like_word(first)
    found = tx.all(
        sql,
        q=query,
        word=f"% {like} %",
        start=f"{like}%",
        inner=f"% {like}%",
        last=f"% {_like_word(last)}%",
        low=low,
        high=low + SPAN,
        candidates=CANDIDATES,
        n=limit,
    )
    return [SearchHit(r["kind"], r["record_id"], r["title"], _tidy(r["detail"])) for r in found]


# The first CANDIDATES hits of one kind (an id range of the index) in ascending id order,
# joined to their documents and ranked by title tests (see ``_search_kind``).
_RANKED_SQLITE = (
    "SELECT d.kind, d.record_id, d.title, d.detail FROM ("
    "  SELECT rowid AS id FROM search_fts"
    "  WHERE search_fts MATCH :q AND rowid >= :low AND rowid < :high"
    "  ORDER BY rowid LIMIT :candidates"
    ") AS f JOIN search_doc d ON d.id = f.id "
    # LIKE ignores ASCII case by itself; CASE stops at the first tier that holds.
    "ORDER BY CASE WHEN (' ' || d.title || ' ') LIKE :word ESCAPE '\\' THEN 0 "
    "WHEN d.title LIKE :start ESCAPE '\\' THEN 1 "
    "WHEN (' ' || d.title) LIKE :inner ESCAPE '\\' THEN 2 ELSE 3 END, "
    "(' ' || d.title) LIKE :last ESCAPE '\\' DESC, length(d.title), d.title, d.id LIMIT :n"
)


def _ranked_pg(titles: bool, sparse: bool) -> str:
    """``_RANKED_SQLITE`` on PostgreSQL: the tsquery for FTS5's MATCH, ILIKE for SQLite's
    case-blind LIKE, byte order ("C") for its BINARY collation of titles.

    ``sparse`` words (every one at least PG_SPARSE_PREFIX letters) match few documents: their
    candidates come from the GIN index and are then sorted (``id + 0`` keeps the planner from
    walking the whole id range instead, testing every document it passes). Short prefixes
    match many: walking the id range stops after the first CANDIDATES hits.
    """
    order = "id + 0" if sparse else "id"
    candidates = (
        "SELECT id FROM search_doc"
        f"  WHERE search_vector @@ smallcrm_tsquery(:q, TRUE, {titles}, TRUE)"
        f"  AND id >= :low AND id < :high ORDER BY {order} LIMIT :candidates"
    )
    ranked = _RANKED_SQLITE.split(") AS f ", 1)[1]
    ranked = ranked.replace(" LIKE ", " ILIKE ").replace(
        "d.title, d.id", 'd.title COLLATE "C", d.id'
    )
    return f"SELECT d.kind, d.record_id, d.title, d.detail FROM ({candidates}) AS f {ranked}"


# (titles only, sparse words) -> SQL. Measured at 10,000 contacts and 100,000 interactions over
# all five kinds: "j", "ja", "jan" 2.9-3.6 ms walking ids, 18-23 ms from the GIN index; "jane",
# "smith" 7-17 ms walking ids, 5.5-6.8 ms from the GIN index.
_RANKED_PG = {
    (titles, sparse): _ranked_pg(titles, sparse)
    for titles in (False, True)
    for sparse in (False, True)
}


def _like_word(word: str) -> str:
    """``word`` for LIKE with its vowels after the first letter as ``_`` wildcards.

    The ranking compares the folded query word with titles as stored, accents and all; SQLite's
    LIKE knows no accents, so "muller" is matched as "m_ll_r" to still rank "Müller" first.
    The hits themselves are FTS5's: this only orders them. Any other wildcard in the word
    (``_`` is a word character) is escaped.
    """
    return literal(word[:1]) + "".join("_" if _VOWELS.match(ch) else literal(ch) for ch in word[1:])


def _tidy(detail: str) -> str:
    return " ".join(detail.split())[:200]


def check_index(db: Database) -> bool:
    """Whether the search index agrees with the records.

    SQLite: FTS5's own integrity check of the index against its content table. PostgreSQL:
    ``search_doc`` holds exactly the documents the records give (``smallcrm_search_documents``,
    migration 0005); the tsvector is a generated column of it, so it cannot drift.
    """
    if db.dialect == "postgresql":
        with db.read() as tx:
            return not tx.scalar(
                "SELECT EXISTS (SELECT id, kind, record_id, title, detail FROM search_doc "
                "EXCEPT SELECT * FROM smallcrm_search_documents()) OR EXISTS (SELECT * FROM "
                "smallcrm_search_documents() EXCEPT SELECT id, kind, record_id, title, detail "
                "FROM search_doc)"
            )
    import sqlite3

    with db.read() as tx:
        try:
            tx.execute("INSERT INTO search_fts(search_fts, rank) VALUES ('integrity-check', 1)")
        except sqlite3.DatabaseError as exc:
            # FTS5 reports an index out of step as corruption; anything else (a read-only
            # file, a lock, a full disk) means the check could not run, which the caller says.
            if getattr(exc, "sqlite_errorcode", 11) & 0xFF != 11:  # SQLITE_CORRUPT
                raise
            return False
    return True


def rebuild_index(db: Database) -> None:
    """Rebuild the search index from the records (the repair for a failed check).

    SQLite rebuilds FTS5 from its content table; PostgreSQL rewrites ``search_doc`` itself.
    """
    with db.write() as tx:
        if tx.dialect == "postgresql":
            tx.execute("DELETE FROM search_doc")
            tx.execute(
                "INSERT INTO search_doc (id, kind, record_id, title, detail) "
                "SELECT * FROM smallcrm_search_documents()"
            )
            return
        tx.execute("INSERT INTO search_fts(search_fts) VALUES ('rebuild')")
