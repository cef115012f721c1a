"""Turning what a user typed ("jana", "novak", "acme", "12") into one record.

Names are resolved by the search service over titles only, so "acme" means the account called
Acme and not every contact whose email ends in acme.example. One match is used; several raise
``AmbiguousError`` listing the candidates; none raises ``NotFoundError``. An exact name (word
order, case and accents aside) wins over longer names it is a prefix of, so "Jan Berg" picks
Jan Berg even when Jan Bergmann exists. Emails and phone numbers are looked up exactly.

Only the standard library and the store are imported here: the shell's quick-add path runs it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from smallcrm.store import folding
from smallcrm.store import kinds as registry
from smallcrm.store import search as search_service
from smallcrm.store.db import Database, Tx
from smallcrm.store.errors import AmbiguousError, NotFoundError, ValidationError
from smallcrm.store.listing import literal
from smallcrm.store.records import SearchHit

CANDIDATES = 8  # listed in an ambiguity error; one more is fetched to know there are more
MAX_ID = 2**62  # larger numbers cannot be SQLite ids (and would overflow its integers)
# Ids are short numbers without a leading zero; longer digit strings are phone numbers.
_ID_REF = re.compile(r"^(?:([a-z]+)\s*([:#])\s*|#)?([1-9]\d{0,8})$", re.IGNORECASE)
_PHONE_REF = re.compile(r"^\+?[\d\s()./-]{6,}$")


def describe_kinds(names: Sequence[str]) -> str:
    """``contact``, ``contact or account``: the user's words for kinds, for messages."""
    return registry.describe(tuple(names))


def fold(text: str) -> tuple[str, ...]:
    """A name reduced to its folded words (case, accents, spellings, punctuation aside), sorted."""
    return tuple(sorted(search_service.terms(text)))


# --- one record from what the user typed ------------------------------------------------------


def resolve(
    db: Database,
    ref: str,
    kinds: Sequence[str] = ("contact",),
    *,
    field: str = "contact",
    pick: str | None = None,
) -> SearchHit:
    """The one live record of ``kinds`` that ``ref`` names: an id, ``kind:id``, email, phone
    or (part of) a name.

    ``pick`` is an id (``12`` or ``account:7``) the user chose from an earlier ambiguity: it
    selects among the candidates ``ref`` matches, else names the record directly. Raises
    ValidationError (naming ``field``), NotFoundError or AmbiguousError.
    """
    kinds = tuple(kinds)
    if pick is not None and str(pick).strip():
        return _resolve_pick(db, ref, kinds, field, str(pick))
    text = _clean(ref, field)
    id_ref = _parse_id(text, kinds, field)
    if id_ref is not None:
        return by_id(db, id_ref[1], id_ref[0], field=field)
    if "campaign" in kinds:  # a campaign's code names it, as people type it (SPRING26)
        found = by_code(db, text)
        if found is not None:
            return found
    method = _method_kind(text) if "contact" in kinds else None
    if method is not None:
        try:
            return _by_method(db, method, text, kinds, field)
        except ValidationError:
            pass  # not a valid address or number after all: treat it as a name
    return _by_name(db, text, kinds, field)


def by_code(db: Database, text: str) -> SearchHit | None:
    """The live campaign whose code is ``text`` (any case), if there is one."""
    with db.read() as tx:
        row = tx.one(
            "SELECT id FROM campaign WHERE code = :code AND deleted_at IS NULL",
            code=text.strip().upper(),
        )
        return None if row is None else hit_by_id(tx, "campaign", row["id"])


def _method_kind(text: str) -> str | None:
    """``email`` or ``phone`` when ``text`` looks like one, else None."""
    if "@" in text:
        return "email"
    if _PHONE_REF.match(text) and sum(ch.isdigit() for ch in text) >= 6:
        return "phone"
    return None


def _clean(ref: str, field: str) -> str:
    text = " ".join(str(ref or "").replace("\x00", " ").split())
    if not text:
        raise ValidationError(field, "is empty; give a name (or part of one) or an id")
    if len(text) > 300:
        raise ValidationError(field, "is over 300 characters; give a shorter name or an id")
    return text


def _parse_id(text: str, kinds: tuple[str, ...], field: str) -> tuple[tuple[str, ...], int] | None:
    """``12``, ``#12``, ``contact:12``, ``deal#3`` as (kinds to look in, id); None for names."""
    match = _ID_REF.match(text)
    if not match:
        return None
    word, separator, number = match.group(1), match.group(2), int(match.group(3))
    if word is None:
        return kinds, number
    kind = _kind_of_word(word)
    if kind is None:
        if separator == ":":
            raise ValidationError(
                field, f"{word!r} is not a kind of record; write {describe_kinds(kinds)}:{number}"
            )
        return None  # "Studio 54" is a name, not an id
    if kind not in kinds:
        raise ValidationError(
            field, f"expected a {describe_kinds(kinds)} here, not a {registry.word(kind)}"
        )
    return (kind,), number


def _kind_of_word(word: str) -> str | None:
    """The kind a word before an id names (``deal:3``, ``c:12``), or None."""
    try:
        return registry.from_word(word).name
    except ValidationError:
        return None


def by_id(db: Database, record_id: int, kinds: Sequence[str], *, field: str = "id") -> SearchHit:
    """The live record with this id among ``kinds`` (ambiguous if several kinds have it)."""
    kinds = tuple(kinds)
    found: list[SearchHit] = []
    if 0 < record_id < MAX_ID:
        with db.read() as tx:
            for kind in kinds:
                hit = hit_by_id(tx, kind, record_id)
                if hit is not None:
                    found.append(hit)
    if not found:
        raise NotFoundError(describe_kinds(kinds), f"with id {record_id}")
    if len(found) > 1:
        raise AmbiguousError(describe_kinds(kinds), str(record_id), found)
    return found[0]


def hit_by_id(tx: Tx, kind: str, record_id: int) -> SearchHit | None:
    row = tx.one(
        f"SELECT {registry.get(kind).title_sql} AS title FROM {kind} "
        "WHERE id = :id AND deleted_at IS NULL",
        id=record_id,
    )
    if row is None:
        return None
    detail = tx.scalar(
        "SELECT detail FROM search_doc WHERE id = :id",
        id=search_service.doc_id(kind, record_id),
    )
    return SearchHit(kind, record_id, row["title"], " ".join((detail or "").split())[:200])


def _by_method(db: Database, kind: str, text: str, kinds: tuple[str, ...], field: str) -> SearchHit:
    """A contact by its exact email or phone number (normalised as the store keeps them)."""
    from smallcrm.store import validate

    value = validate.email(field, text) if kind == "email" else validate.phone(field, text)
    ids = find_by_method(db, kind, value, extensions=True)
    hits = [by_id(db, contact_id, ("contact",)) for contact_id in ids[: CANDIDATES + 1]]
    if len(hits) == 1:
        return hits[0]
    if hits:
        raise AmbiguousError("contact", text, hits)
    raise NotFoundError(describe_kinds(kinds), f"with {kind} {value}")


def _by_name(db: Database, text: str, kinds: tuple[str, ...], field: str) -> SearchHit:
    if not search_service.terms(text):
        raise ValidationError(
            field, f"{text!r} has no letters or digits to search for; give a name or an id"
        )
    hits = search_service.search(db, text, kinds=kinds, per_kind=CANDIDATES + 1, names_only=True)
    if len(hits) == 1:
        return hits[0]
    exact = exact_matches(db, text, kinds)
    if len(exact) == 1:
        return exact[0]
    if exact:
        raise AmbiguousError(describe_kinds(kinds), text, exact)
    if hits:
        raise AmbiguousError(describe_kinds(kinds), text, _pick_order(hits, kinds))
    raise NotFoundError(describe_kinds(kinds), repr(text))


def _pick_order(hits: list[SearchHit], kinds: tuple[str, ...]) -> list[SearchHit]:
    """Hits to pick from in phone-book order within each kind: search ranks the newest first,
    which helps while typing but makes a list to read through jump about."""
    return sorted(hits, key=lambda h: (kinds.index(h.kind), folding.sort_key(h.title), h.record_id))


def exact_matches(db: Database, text: str, kinds: Sequence[str]) -> list[SearchHit]:
    """Records whose whole name is ``text`` (word order, case, accents, spellings aside).

    A contact's or account's name is looked up by its folded key, so an old "Jan Berg" is found
    however many newer names start with "jan" and "berg"; other titles through the index's
    whole words.
    """
    words = search_service.terms(text)
    if not words:
        return []
    if db.dialect == "postgresql":
        query, sql = " ".join(words), _EXACT_PG
    else:
        query, sql = "title : (" + " ".join(f'"{w}"' for w in words) + ")", _EXACT_SQLITE
    wanted = tuple(sorted(words))
    found: list[SearchHit] = []
    with db.read() as tx:
        for kind in kinds:
            low = search_service.doc_id(kind, 0)
            if kind in search_service.NAMED:
                rows = _named(tx, text, low)
            else:
                low, high = index_range(db, kind)
                rows = tx.all(sql, q=query, low=low, high=high)
            found += [hit_of(row) for row in rows if fold(row["title"]) == wanted]
    return found[: CANDIDATES + 1]


def _named(tx: Tx, text: str, low: int) -> list[Any]:
    """Documents of one kind whose folded name is ``text`` (in any word order)."""
    keys = search_service.name_keys(text)
    marks = ", ".join(f":k{i}" for i in range(len(keys)))
    return tx.all(
        "SELECT kind, record_id, title, detail FROM search_doc "
        f"WHERE name_key IN ({marks}) AND id >= :low AND id < :high ORDER BY id LIMIT 200",
        low=low,
        high=low + search_service.SPAN,
        **{f"k{i}": key for i, key in enumerate(keys)},
    )


def index_range(db: Database, kind: str) -> tuple[int, int]:
    """The ids of a kind's entries in the search index: FTS5 rowids on SQLite, documents' ids
    on PostgreSQL."""
    if db.dialect == "postgresql":
        low = search_service.doc_id(kind, 0)
        return low, low + search_service.SPAN
    return search_service.fts_range(kind)


# Oldest first, as on PostgreSQL: FTS5's rowids of a kind ascend from its newest record.
_EXACT_SQLITE = (
    "SELECT d.kind, d.record_id, d.title, d.detail FROM search_fts f "
    f"JOIN search_doc d ON d.id = {search_service.doc_of_fts_sql('f.rowid')} "
    "WHERE search_fts MATCH :q AND f.rowid >= :low AND f.rowid < :high "
    "ORDER BY f.rowid DESC LIMIT 200"
)
# Every word whole (no prefix) in the title (weight A); id order as FTS5 returns its rows.
_EXACT_PG = (
    "SELECT d.kind, d.record_id, d.title, d.detail FROM search_doc d "
    "WHERE d.search_vector @@ smallcrm_tsquery(:q, FALSE, TRUE, TRUE) "
    "AND d.id >= :low AND d.id < :high ORDER BY d.id LIMIT 200"
)


hit_of = search_service.hit_of  # a search-document row as a hit


def _resolve_pick(
    db: Database, ref: str, kinds: tuple[str, ...], field: str, pick: str
) -> SearchHit:
    """``--id N`` after an ambiguity: the candidate of ``ref`` with that id, else that id."""
    id_ref = _parse_id(pick.strip(), kinds, "id")
    if id_ref is None:
        raise ValidationError("id", f"{pick!r} is not an id; write a number like 12 or account:7")
    pick_kinds, number = id_ref
    try:
        text = _clean(ref, field)
        candidates = search_service.search(db, text, kinds=pick_kinds, per_kind=50, names_only=True)
        candidates += exact_matches(db, text, pick_kinds)
    except ValidationError:
        candidates = []
    chosen = {(h.kind, h.record_id): h for h in candidates if h.record_id == number}
    if len(chosen) == 1:
        return next(iter(chosen.values()))
    return by_id(db, number, pick_kinds, field="id")


def find_by_method(db: Database, kind: str, value: str, *, extensions: bool = False) -> list[int]:
    """Ids of live contacts that have this normalised email or phone.

    With ``extensions`` a phone number without one also finds the numbers with one
    (``+12125550100`` finds ``+12125550100;ext=12``): people give an office's main number.
    """
    wanted = extensions and kind == "phone" and ";ext=" not in value
    extended = f"{literal(value)};ext=%" if wanted else ""
    with db.read() as tx:
        return [
            row[0]
            for row in tx.all(
                "SELECT DISTINCT m.contact_id FROM contact_method m JOIN contact c "
                "ON c.id = m.contact_id WHERE m.kind = :kind "
                "AND (m.value = :value OR m.value LIKE :extended ESCAPE '\\') "
                "AND c.deleted_at IS NULL ORDER BY m.contact_id",
                kind=kind,
                value=value,
                extended=extended,
            )
        ]
