"""Likely duplicate contacts and accounts (merging them is ``merging.py``).

Finding compares records only within blocks that share something (an email, a phone number,
the same name with the words in any order, the first letters of each name word, a website),
never all pairs, so 100,000 contacts take seconds. Each pair gets a score from 0 to 100 and the
reasons behind it:

=====================================  =====
same email address                        95
same phone number                         85
same name and same company                80
same website (accounts)                   85
same name (word order and accents aside)  65
similar names and same company            70
similar names                             50
=====================================  =====

Each further reason adds 5. "Smith, Anna", "Anna Smith" and "anna smith" are the same name;
"Anna Smith" and "Ana Smith" are similar (rapidfuzz's token-sort ratio of 88 or more).
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import combinations

from smallcrm.store.db import Database, Tx
from smallcrm.store.errors import ValidationError

Progress = Callable[[int, int | None], None]

KINDS = ("contact", "account")
SIMILAR = 88  # rapidfuzz token_sort_ratio from which two names count as similar
SHARED_LIMIT = 20  # an email or phone shared by more records is an office line, not a person
SMALL_BLOCK = 200  # larger blocks are only compared within one company
SCORES = {
    "email": 95,
    "phone": 85,
    "website": 85,
    "name_company": 80,
    "name": 65,
    "similar_company": 70,
    "similar": 50,
}
LEGAL_FORMS = frozenset(
    "gmbh ag kg ohg ug mbh co inc ltd llc plc corp corporation company sa sarl srl bv nv oy ab "
    "as aps spa sro kft se limited the und and e k ek".split()
)


@dataclass(frozen=True)
class DuplicatePair:
    """Two records that look like one: which to keep (suggested), the score, and why."""

    kind: str
    keep_id: int
    other_id: int
    score: int
    reasons: tuple[str, ...]
    keep_label: str
    other_label: str


# --- finding -----------------------------------------------------------------------------------


def name_key(text: str) -> str:
    """A name without accents, punctuation, case or word order: "Smith, Anna" -> "anna smith"."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return " ".join(sorted(re.findall(r"\w+", plain)))


def company_key(name: str) -> str:
    """An account name without its legal form: "ACME GmbH & Co. KG" -> "acme"."""
    words = [w for w in name_key(name).split() if w not in LEGAL_FORMS]
    return " ".join(words) or name_key(name)


def website_key(url: str | None) -> str | None:
    """``https://www.Acme.example/about`` -> ``acme.example``."""
    if not url:
        return None
    host = re.sub(r"^[a-z]+://", "", url.strip().lower()).split("/")[0].split(":")[0]
    return host.removeprefix("www.") or None


@dataclass
class _Item:
    id: int
    label: str
    key: str
    company: int | None
    weight: int


class _Pairs:
    """Reasons collected per pair of record ids (smaller id first)."""

    def __init__(self) -> None:
        self.reasons: dict[tuple[int, int], dict[str, str]] = defaultdict(dict)

    def add(self, a: int, b: int, signal: str, text: str) -> None:
        if a != b:
            self.reasons[(min(a, b), max(a, b))].setdefault(signal, text)

    def group(self, ids: Iterable[int], signal: str, text: str) -> None:
        unique = sorted(set(ids))
        if 1 < len(unique) <= SHARED_LIMIT:
            for a, b in combinations(unique, 2):
                self.add(a, b, signal, text)


def find_duplicates(
    db: Database,
    kind: str = "contact",
    *,
    min_score: int = 60,
    limit: int | None = 500,
    progress: Progress | None = None,
) -> list[DuplicatePair]:
    """Likely duplicates among live contacts or accounts, best first (see module doc)."""
    if kind not in KINDS:
        raise ValidationError(
            "kind", f"duplicates are found among contacts or accounts, not {kind}"
        )
    with db.read() as tx:
        items, pairs = _contact_pairs(tx) if kind == "contact" else _account_pairs(tx)
    if progress is not None:
        progress(len(items), len(items))
    found = [_pair(kind, items, ids, reasons) for ids, reasons in pairs.reasons.items()]
    found = [pair for pair in found if pair.score >= min_score]
    found.sort(key=lambda p: (-p.score, p.keep_id, p.other_id))
    return found[:limit] if limit else found


def _contact_pairs(tx: Tx) -> tuple[dict[int, _Item], _Pairs]:
    items: dict[int, _Item] = {}
    for row in tx.iter(
        "SELECT id, first_name, last_name, account_id, title, street, city, birthday, notes "
        "FROM contact WHERE deleted_at IS NULL",
        size=5000,
    ):
        label = f"{row['first_name']} {row['last_name']}".strip()
        filled = sum(1 for key in ("title", "street", "city", "birthday", "notes") if row[key])
        items[row["id"]] = _Item(row["id"], label, name_key(label), row["account_id"], filled)
    pairs = _Pairs()
    by_method: dict[tuple[str, str], list[int]] = defaultdict(list)
    for row in tx.iter(
        "SELECT m.contact_id, m.kind, m.value FROM contact_method m JOIN contact c "
        "ON c.id = m.contact_id WHERE c.deleted_at IS NULL",
        size=5000,
    ):
        by_method[(row["kind"], row["value"])].append(row["contact_id"])
        items[row["contact_id"]].weight += 2
    for (method, value), ids in by_method.items():
        pairs.group(ids, method, f"same {method} {value}")
    _name_pairs(items, pairs)
    return items, pairs


def _name_pairs(items: dict[int, _Item], pairs: _Pairs) -> None:
    """Same name (any word order), and similar names within blocks of shared initials."""
    by_name: dict[str, list[_Item]] = defaultdict(list)
    blocks: dict[tuple[str, ...], list[_Item]] = defaultdict(list)
    for item in items.values():
        if not item.key:
            continue
        by_name[item.key].append(item)
        blocks[tuple(sorted(word[:2] for word in item.key.split()))].append(item)
    for group in by_name.values():
        _exact_names(group, pairs)
    for block in blocks.values():
        _similar_names(block, pairs)


def _exact_names(group: list[_Item], pairs: _Pairs) -> None:
    if len(group) < 2:
        return
    if len(group) <= 8:
        for a, b in combinations(group, 2):
            pairs.add(a.id, b.id, "name", f"same name {a.label!r} / {b.label!r}")
    for company_group in _by_company(group):
        for a, b in combinations(company_group, 2):
            pairs.add(a.id, b.id, "name", f"same name {a.label!r} / {b.label!r}")


def _by_company(group: list[_Item]) -> list[list[_Item]]:
    companies: dict[int, list[_Item]] = defaultdict(list)
    for item in group:
        if item.company is not None:
            companies[item.company].append(item)
    return [g for g in companies.values() if 1 < len(g) <= SMALL_BLOCK]


def _similar_names(block: list[_Item], pairs: _Pairs) -> None:
    from rapidfuzz import fuzz

    groups = [block] if len(block) <= SMALL_BLOCK else _by_company(block)
    for group in groups:
        for a, b in combinations(group, 2):
            if a.key == b.key:
                continue
            ratio = fuzz.token_sort_ratio(a.key, b.key)
            if ratio >= SIMILAR:
                pairs.add(a.id, b.id, "similar", f"similar names {a.label!r} / {b.label!r}")


def _account_pairs(tx: Tx) -> tuple[dict[int, _Item], _Pairs]:
    items: dict[int, _Item] = {}
    pairs = _Pairs()
    by_site: dict[str, list[int]] = defaultdict(list)
    by_phone: dict[str, list[int]] = defaultdict(list)
    for row in tx.iter(
        "SELECT id, name, website, phone, street, city, industry, notes FROM account "
        "WHERE deleted_at IS NULL",
        size=5000,
    ):
        filled = sum(1 for key in ("website", "phone", "street", "city", "industry") if row[key])
        items[row["id"]] = _Item(row["id"], row["name"], company_key(row["name"]), None, filled)
        if site := website_key(row["website"]):
            by_site[site].append(row["id"])
        if row["phone"]:
            by_phone[row["phone"]].append(row["id"])
    for site, ids in by_site.items():
        pairs.group(ids, "website", f"same website {site}")
    for phone, ids in by_phone.items():
        pairs.group(ids, "phone", f"same phone {phone}")
    by_name: dict[str, list[_Item]] = defaultdict(list)
    blocks: dict[str, list[_Item]] = defaultdict(list)
    for item in items.values():
        by_name[item.key].append(item)
        blocks[item.key[:3]].append(item)
    for group in by_name.values():
        for a, b in combinations(group[:SHARED_LIMIT], 2):
            pairs.add(a.id, b.id, "name", f"same name {a.label!r} / {b.label!r}")
    for block in blocks.values():
        if len(block) <= SMALL_BLOCK:
            _similar_names(block, pairs)
    return items, pairs


def _pair(
    kind: str, items: dict[int, _Item], ids: tuple[int, int], reasons: dict[str, str]
) -> DuplicatePair:
    a, b = items[ids[0]], items[ids[1]]
    signals = set(reasons)
    texts = list(reasons.values())
    extra = 0
    if a.company is not None and a.company == b.company:
        texts.append("same company")
        upgraded = {"name": "name_company", "similar": "similar_company"}
        if signals & set(upgraded):
            signals = {upgraded.get(s, s) for s in signals}
        else:
            extra = 1  # a shared email plus the same company: a little surer still
    scores = sorted((SCORES[s] for s in signals), reverse=True)
    score = min(100, scores[0] + 5 * (len(scores) - 1 + extra))
    keep, other = (a, b) if (a.weight, -a.id) >= (b.weight, -b.id) else (b, a)
    return DuplicatePair(kind, keep.id, other.id, score, tuple(texts), keep.label, other.label)
