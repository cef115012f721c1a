"""Turning what a user typed ("jana", "novak", "acme", "12") into one record, and spotting
records that look like one about to be created.

Names are resolved by the search service over titles only, so "acme" means the account called
Acme and not every contact whose email ends in acme.example. One match is used; several raise
``AmbiguousError`` listing the candidates; none raises ``NotFoundError``. An exact name (word
order, case and accents aside) wins over longer names it is a prefix of, so "Jan Berg" picks
Jan Berg even when Jan Bergmann exists. Emails and phone numbers are looked up exactly.

Only the standard library and the store are imported here: the shell's quick-add path runs it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from smallcrm.store import search as search_service
from smallcrm.store.db import Database, Tx
from smallcrm.store.errors import AmbiguousError, NotFoundError, ValidationError
from smallcrm.store.records import SearchHit

# Words people use for each kind in the shell, mapped to the store's kind.
KIND_WORDS = {
    "contact": "contact",
    "c": "contact",
    "account": "account",
    "a": "account",
    "deal": "opportunity",
    "d": "opportunity",
    "opportunity": "opportunity",
    "interaction": "interaction",
    "appointment": "appointment",
}
SHELL_WORD = {"opportunity": "deal"}
TITLE_SQL = {
    "contact": "trim(first_name || ' ' || last_name)",
    "account": "name",
    "opportunity": "name",
    "interaction": "kind || ': ' || subject",
    "appointment": "title",
}
CANDIDATES = 8  # listed in an ambiguity error; one more is fetched to know there are more
MAX_ID = 2**62  # larger numbers cannot be SQLite ids (and would overflow its integers)
# Ids are short numbers without a leading zero; longer digit strings are phone numbers.
_ID_REF = re.compile(r"^(?:([a-z]+)\s*([:#])\s*|#)?([1-9]\d{0,8})$", re.IGNORECASE)
_PHONE_REF = re.compile(r"^\+?[\d\s()./-]{6,}$")
_LEGAL_SUFFIXES = frozenset(
    "gmbh ag kg ohg ug mbh co inc ltd llc plc corp corporation company sa sarl srl bv nv oy ab "
    "as aps spa sro kft".split()
)
SIMILARITY = 0.85  # difflib ratio at or above which two names look like the same record


def shell_word(kind: str) -> str:
    """The word the shell uses for a store kind ("deal" for opportunity)."""
    return SHELL_WORD.get(kind, kind)


def describe_kinds(kinds: Sequence[str]) -> str:
    """``contact``, ``contact or account``: for messages."""
    words = [shell_word(k) for k in kinds]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def fold(text: str) -> tuple[str, ...]:
    """A name reduced to its words, lower-case, accents and punctuation removed, sorted."""
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
    method = _method_kind(text) if "contact" in kinds else None
    if method is not None:
        try:
            return _by_method(db, method, text, kinds, field)
        except ValidationError:
            pass  # not a valid address or number after all: treat it as a name
    return _by_name(db, text, kinds, field)


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
    kind = KIND_WORDS.get(word.lower())
    if kind is None:
        if separator == ":":
            raise ValidationError(
                field, f"{word!r} is not a kind of record; write {describe_kinds(kinds)}:{number}"
            )
        return None  # "Studio 54" is a name, not an id
    if kind not in kinds:
        raise ValidationError(
            field, f"expected a {describe_kinds(kinds)} here, not a {shell_word(kind)}"
        )
    return (kind,), number


def by_id(db: Database, record_id: int, kinds: Sequence[str], *, field: str = "id") -> SearchHit:
    """The live record with this id among ``kinds`` (ambiguous if several kinds have it)."""
    kinds = tuple(kinds)
    found: list[SearchHit] = []
    if 0 < record_id < MAX_ID:
        with db.read() as tx:
            for kind in kinds:
                hit = _hit_by_id(tx, kind, record_id)
                if hit is not None:
                    found.append(hit)
    if not found:
        raise NotFoundError(describe_kinds(kinds), f"with id {record_id}")
    if len(found) > 1:
        raise AmbiguousError(describe_kinds(kinds), str(record_id), found)
    return found[0]


def _hit_by_id(tx: Tx, kind: str, record_id: int) -> SearchHit | None:
    row = tx.one(
        f"SELECT {TITLE_SQL[kind]} AS title FROM {kind} WHERE id = :id AND deleted_at IS NULL",
        id=record_id,
    )
    if row is None:
        return None
    detail = tx.scalar(
        "SELECT detail FROM search_doc WHERE id = :id",
        id=search_service.KIND_CODES[kind] * search_service.SPAN + record_id,
    )
    return SearchHit(kind, record_id, row["title"], " ".join((detail or "").split())[:200])


def _by_method(db: Database, kind: str, text: str, kinds: tuple[str, ...], field: str) -> SearchHit:
    """A contact by its exact email or phone number (normalised as the store keeps them)."""
    from smallcrm.store import validate

    value = validate.email(field, text) if kind == "email" else validate.phone(field, text)
    from smallcrm.store.contacts import find_by_method

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
        raise AmbiguousError(describe_kinds(kinds), text, hits)
    raise NotFoundError(describe_kinds(kinds), repr(text))


def exact_matches(db: Database, text: str, kinds: Sequence[str]) -> list[SearchHit]:
    """Records whose whole name is ``text`` (word order, case, accents aside).

    Asks the index for whole words rather than prefixes, so an old "Jan Berg" is found even
    when hundreds of newer names start with "jan" and "berg".
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
            low = search_service.KIND_CODES[kind] * search_service.SPAN
            rows = tx.all(sql, q=query, low=low, high=low + search_service.SPAN)
            found += [_hit(row) for row in rows if fold(row["title"]) == wanted]
    return found[: CANDIDATES + 1]


_EXACT_SQLITE = (
    "SELECT d.kind, d.record_id, d.title, d.detail FROM search_fts f "
    "JOIN search_doc d ON d.id = f.rowid WHERE search_fts MATCH :q "
    "AND f.rowid >= :low AND f.rowid < :high LIMIT 200"
)
# Every word whole (no prefix) in the title (weight A); id order as FTS5 returns its rows.
_EXACT_PG = (
    "SELECT d.kind, d.record_id, d.title, d.detail FROM search_doc d "
    "WHERE d.search_vector @@ smallcrm_tsquery(:q, FALSE, TRUE, TRUE) "
    "AND d.id >= :low AND d.id < :high ORDER BY d.id LIMIT 200"
)


def _hit(row: object) -> SearchHit:
    return SearchHit(
        row["kind"], row["record_id"], row["title"], " ".join(row["detail"].split())[:200]
    )


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
    on the folded title, migration 0005), however many names share their first letters, so
    that a misspelt name is found in a large database too."""
    found: list[SearchHit] = []
    with db.read() as tx:
        for kind in kinds:
            low = search_service.KIND_CODES[kind] * search_service.SPAN
            found += [
                _hit(row)
                for row in tx.all(
                    "SELECT d.kind, d.record_id, d.title, d.detail FROM search_doc d "
                    "WHERE lower(smallcrm_search_text(d.title)) % :t "
                    "AND d.id >= :low AND d.id < :high ORDER BY "
                    "similarity(lower(smallcrm_search_text(d.title)), :t) DESC, d.id LIMIT 50",
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

    Like the search service, it reads candidates in ascending id order and ranks them with
    plain SQL tests rather than ``bm25()``, whose cost grows with every match in the index.
    """
    postgresql = db.dialect == "postgresql"
    if postgresql:
        # True is not 1 on PostgreSQL: count the words held as integers.
        held = "CAST(((' ' || lower(d.title) || ' ') LIKE :w{i}) AS INTEGER)"
        params = {"p": " ".join(prefixes), "e": " ".join(whole)}
        sql = _POOL_PG
    else:
        held = "((' ' || lower(d.title) || ' ') LIKE :w{i})"
        match = " OR ".join([f'"{w}"' for w in whole] + [f'"{p}"*' for p in prefixes])
        params = {"q": f"title : ({match})"}
        sql = _POOL_SQLITE
    holds = " + ".join(held.format(i=i) for i in range(len(words))) or "0"
    params |= {f"w{i}": f"% {w} %" for i, w in enumerate(words)}
    pool: dict[tuple[str, int], SearchHit] = {}
    with db.read() as tx:
        for kind in kinds:
            low = search_service.KIND_CODES[kind] * search_service.SPAN
            for row in tx.all(
                sql.format(holds=holds),
                low=low,
                high=low + search_service.SPAN,
                scan=scan,
                **params,
            ):
                pool[(row["kind"], row["record_id"])] = _hit(row)
    return list(pool.values())


_POOL_SQLITE = (
    "SELECT d.kind, d.record_id, d.title, d.detail FROM ("
    "  SELECT rowid AS id FROM search_fts"
    "  WHERE search_fts MATCH :q AND rowid >= :low AND rowid < :high"
    "  ORDER BY rowid LIMIT :scan"
    ") AS f JOIN search_doc d ON d.id = f.id ORDER BY {holds} DESC LIMIT 300"
)
# Titles (weight A) holding a word whole (:e) or a word starting with a prefix (:p).
_POOL_PG = (
    "SELECT d.kind, d.record_id, d.title, d.detail FROM ("
    "  SELECT id FROM search_doc WHERE search_vector @@ "
    "  (smallcrm_tsquery(:p, TRUE, TRUE, FALSE) || smallcrm_tsquery(:e, FALSE, TRUE, FALSE))"
    "  AND id >= :low AND id < :high ORDER BY id LIMIT :scan"
    ") AS f JOIN search_doc d ON d.id = f.id ORDER BY {holds} DESC, d.id LIMIT 300"
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
    from smallcrm.store.contacts import clean, find_by_method

    emails, phones = list(emails), list(phones)
    if not emails and not phones:
        return
    values = clean({"name": "x", "emails": emails, "phones": phones}, partial=True)
    for method in values.get("methods", []):
        for contact_id in find_by_method(db, method.kind, method.value):
            if contact_id not in found:
                hit = by_id(db, contact_id, ("contact",))
                found[contact_id] = Duplicate(hit, f"same {method.kind} {method.value}")


def _same_account_details(
    db: Database, phones: Iterable[str], website: str | None, found: dict[int, Duplicate]
) -> None:
    from smallcrm.store import validate

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
                    hit = _hit_by_id(tx, "account", row["id"])
                    if hit is not None:
                        found[row["id"]] = Duplicate(hit, f"same {label} {value}")


def _site_key(site: str) -> str:
    """``https://www.Acme.example/`` -> ``acme.example``, to compare web addresses."""
    text = site.lower().strip()
    for prefix in ("https://", "http://", "www."):
        if text.startswith(prefix):
            text = text[len(prefix) :]
    return text.strip("/")
