"""Finding anything as you type: one service over every kind of record.

On SQLite, ``search_fts`` is an FTS5 index (prefix index for 1-3 letters, diacritics removed)
over ``search_doc``, which triggers keep in step with the record tables. Each kind is a rowid
range of the index, so "the best few contacts" is a cheap range query rather than a rank over
every hit. The user's text never reaches FTS5's query syntax: it is cut into words, each quoted
as a prefix, so quotes, ``*``, ``-``, ``NEAR`` or NUL bytes cannot cause a syntax error.
"""

from __future__ import annotations

import re
import unicodedata

from smallcrm.store.db import Database, Tx
from smallcrm.store.records import SearchHit

KIND_CODES = {"contact": 1, "account": 2, "opportunity": 3, "interaction": 4, "appointment": 5}
SPAN = 2**40
KIND_ORDER = ("contact", "account", "opportunity", "appointment", "interaction")
CANDIDATES = 200  # ranked among the first this many hits of a kind (keeps 1-letter fast)
_WORD = re.compile(r"\w+", re.UNICODE)
MAX_TERMS = 8


def terms(text: str) -> list[str]:
    """The words of a query, lower-cased, without accents or punctuation."""
    folded = unicodedata.normalize("NFKD", text.replace("\x00", " "))
    plain = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return [w.lower() for w in _WORD.findall(plain)][:MAX_TERMS]


def fts_query(text: str, column: str | None = None) -> str | None:
    """A safe FTS5 query: every word as a quoted prefix, all required. None if no words."""
    words = terms(text)
    if not words:
        return None
    body = " ".join(f'"{w}"*' for w in words)
    return f"{column} : ({body})" if column else body


def search(
    db: Database,
    text: str,
    *,
    kinds: tuple[str, ...] = KIND_ORDER,
    per_kind: int = 5,
    names_only: bool = False,
) -> list[SearchHit]:
    """Hits for ``text`` grouped by kind (in ``kinds`` order), best first within each kind.

    ``names_only`` matches names and titles only (not emails, notes or bodies): what name
    resolution in the shell commands wants.
    """
    query = fts_query(text, "title" if names_only else None)
    if query is None or per_kind <= 0:
        return []
    first = terms(text)[0]
    hits: list[SearchHit] = []
    with db.read() as tx:
        for kind in kinds:
            hits.extend(_search_kind(tx, query, first, kind, per_kind))
    return hits


def _search_kind(tx: Tx, query: str, first: str, kind: str, limit: int) -> list[SearchHit]:
    """Best hits of one kind: a title holding the first word whole, then one starting with it,
    then FTS5's bm25 (title weighs ten times the details), then shorter titles."""
    low = KIND_CODES[kind] * SPAN
    found = tx.all(
        "SELECT d.kind, d.record_id, d.title, d.detail FROM ("
        "  SELECT rowid AS id, bm25(search_fts, 10.0, 1.0) AS score FROM search_fts"
        "  WHERE search_fts MATCH :q AND rowid >= :low AND rowid < :high"
        "  ORDER BY rowid DESC LIMIT :candidates"
        ") AS f JOIN search_doc d ON d.id = f.id "
        "ORDER BY (' ' || lower(d.title) || ' ') LIKE :word DESC, "
        "lower(d.title) LIKE :start DESC, f.score, length(d.title), d.title LIMIT :n",
        q=query,
        word=f"% {first} %",
        start=f"{first}%",
        low=low,
        high=low + SPAN,
        candidates=CANDIDATES,
        n=limit,
    )
    return [SearchHit(r["kind"], r["record_id"], r["title"], _tidy(r["detail"])) for r in found]


def _tidy(detail: str) -> str:
    return " ".join(detail.split())[:200]


def check_index(db: Database) -> bool:
    """FTS5's own integrity check of the index against its content table."""
    import sqlite3

    with db.read() as tx:
        try:
            tx.execute("INSERT INTO search_fts(search_fts, rank) VALUES ('integrity-check', 1)")
        except sqlite3.DatabaseError:
            return False
    return True


def rebuild_index(db: Database) -> None:
    """Rebuild the FTS5 index from its content table (the repair for a failed check)."""
    with db.write() as tx:
        tx.execute("INSERT INTO search_fts(search_fts) VALUES ('rebuild')")
