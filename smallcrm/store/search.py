"""Finding anything as you type: one service over every kind of record.

What is searched: each record's document in ``search_doc`` (kept by triggers): a title (a
contact's or account's name, a deal's name, a subject or title), a detail (emails, phones,
company, city, tags, notes, bodies) and, for contacts and accounts, the parts people quote from
the middle (name, company, emails, phone numbers). Both sides are folded alike
(``folding.fold``: "müller", "mueller" and "muller" are one word; ß is ss; ø and å are o and a),
so any spelling finds every other. Each kind is an id range of the index (``doc_id``).

How hits rank, per kind (``search_tiers.tiers``), best first; within a tier the newest record
first, so the contact added a minute ago is there at once however many share its name:

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
index for 1-6 letters; ``search_fts_parts``: trigrams), whose rowids ascend from the newest
record of each kind (migration 0013, ``fts_rowid``): FTS5 reads forwards several times faster
than backwards. PostgreSQL: a ``tsvector`` of the folded
text (title weighted A) with a GIN index, and a trigram index over the folded parts; see
``search_pg``. The user's text never reaches either query language: it is cut into folded words
of letters and digits, each quoted (FTS5) or passed as plain text (PostgreSQL), so quotes, ``*``,
``-``, ``NEAR`` or NUL bytes cannot cause a syntax error.
"""

from __future__ import annotations

from collections.abc import Iterator

from smallcrm.store import kinds as registry
from smallcrm.store.db import Database, Tx
from smallcrm.store.records import SearchHit
from smallcrm.store.search_tiers import (
    NAMED,
    SPAN,
    Tier,
    doc_id,
    doc_of_fts,
    documents,
    fts_range,
    name_keys,
    terms,
    tiers,
)
from smallcrm.store.search_tiers import doc_of_fts_sql as doc_of_fts_sql  # callers read it here
from smallcrm.store.search_tiers import hit_of as hit_of  # callers read it here


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
    with db.read() as tx:
        ids = [i for kind in kinds for i in _ranked_ids(tx, text, words, ranked, kind, per_kind)]
        return documents(tx, ids)


def _ranked_ids(
    tx: Tx, text: str, words: list[str], tiers: list[Tier], kind: str, wanted: int
) -> Iterator[int]:
    """Up to ``wanted`` document ids of one kind, best tier first, newest first in a tier."""
    found: set[int] = set()
    for tier in tiers:
        if kind not in NAMED and (tier.exact or tier.column == "parts"):
            continue  # only contacts and accounts have a name key and parts (migration 0007)
        for document in _tier_ids(tx, tier, text, words, kind, wanted):
            if document not in found:
                found.add(document)
                yield document
                if len(found) == wanted:
                    return


def _tier_ids(tx: Tx, tier: Tier, text: str, words: list[str], kind: str, wanted: int) -> list[int]:
    """Up to ``wanted`` ids of one kind's documents matching one tier, newest first."""
    if tier.exact:
        keys = name_keys(text)
        marks = ", ".join(f":k{i}" for i in range(len(keys)))
        low = doc_id(kind, 0)
        rows = tx.all(
            f"SELECT id FROM search_doc WHERE name_key IN ({marks}) "
            "AND id >= :low AND id < :high ORDER BY id DESC LIMIT :n",
            low=low,
            high=low + SPAN,
            n=wanted,
            **{f"k{i}": key for i, key in enumerate(keys)},
        )
        return [row[0] for row in rows]
    if tier.column == "parts":
        table, query = "search_fts_parts", " ".join(f'"{w}"' for w in words)
    else:
        body = " ".join(
            f'"{w}"' + ("*" if p else "") for w, p in zip(words, tier.prefixed, strict=True)
        )
        table, query = "search_fts", f"title : ({body})" if tier.column == "title" else body
    low, high = fts_range(kind)
    rows = tx.all(_FTS_IDS.format(table=table), q=query, low=low, high=high, n=wanted)
    return [doc_of_fts(row[0]) for row in rows]


# Newest first: a kind's FTS5 rowids ascend from its newest record (``fts_rowid``), so FTS5
# reads its doclists forwards, the fast way, and LIMIT stops it early.
_FTS_IDS = (
    "SELECT rowid FROM {table} WHERE {table} MATCH :q AND rowid >= :low AND rowid < :high "
    "ORDER BY rowid LIMIT :n"
)


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
            for table, _columns, _only in _FTS_TABLES:
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
        for table, _columns, _only in _FTS_TABLES:
            tx.execute(f"INSERT INTO {table}({table}) VALUES ('delete-all')")
        # Kind by kind, each newest first: ascending rowids (FTS5 writes a segment for every
        # row that comes with a lower rowid than the one before).
        for kind in sorted(registry.KINDS, key=lambda k: k.fts_slot):
            low = doc_id(kind.name, 0)
            for table, columns, only in _FTS_TABLES:
                tx.execute(
                    f"INSERT INTO {table}(rowid, {columns}) SELECT fts_id, {columns} "
                    f"FROM search_fts_rows WHERE id >= :low AND id < :high{only} ORDER BY id DESC",
                    low=low,
                    high=low + SPAN,
                )


# (table, its columns, which documents it holds) of SQLite's two FTS5 indexes
_FTS_TABLES = (
    ("search_fts", "title, detail", ""),
    ("search_fts_parts", "parts", " AND parts IS NOT NULL"),
)
