"""Folding names the way people read and type them: one definition for phone-book order and for
search, used by Python for what a user types and rendered to SQL for what the databases store.

``sort_key`` is the phone-book order of DIN 5007 (variant 2): case never matters, ä ö ü are
ae oe ue, ß is ss, other accents are dropped, and the Scandinavian letters follow the same rule
(æ ae, ø oe, å aa). "Böhm" sorts as "boehm": Bauer, Bode, Böhm, Braun.

``fold`` is what search compares: the sort key with the spellings people use for one letter made
one (``collapse``): ae, aa -> a, oe -> o, ue -> u. So "Müller", "Mueller" and "Muller" are all
"muller", "Søren" is "soren", "Ærø" is "aro", "Weiß" is "weiss". The index holds folded words and
a query is folded the same way, so any spelling finds every other, in both directions.

Both are built from one table (``table()``: every letter of Unicode's Latin blocks and of the
Greek alphabet that folds, and the capitals of the Cyrillic one, with what each becomes). The
migrations render that table for each database (``folding_sql``: a lookup table for SQLite, a
function for PostgreSQL); a test checks that each database folds as Python does. Changing the
table therefore needs a migration that installs it again.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Letters that do not fold by dropping accents, and DIN 5007 variant 2's transliterations.
SPECIAL = {
    "ä": "ae",
    "ö": "oe",
    "ü": "ue",
    "ß": "ss",
    "ẞ": "ss",
    "æ": "ae",
    "ø": "oe",
    "œ": "oe",
    "å": "aa",
    "ł": "l",
    "þ": "th",
    "ð": "d",
    "đ": "d",
    "ı": "i",
    "ħ": "h",
    "ŧ": "t",
    "ŀ": "l",
    "ŉ": "n",
    "ĸ": "k",
    "ſ": "s",
    "ё": "е",  # Cyrillic yo is written e as often as not
}
# Unicode blocks whose letters fold (Latin, Greek), or only lose their case (Cyrillic capitals:
# "й" is a letter of its own, not an accented "и").
FOLDED_BLOCKS = ((0x41, 0x5A), (0xC0, 0x24F), (0x1E00, 0x1EFF), (0x386, 0x3CE))
CASED_BLOCKS = ((0x400, 0x42F), (0x451, 0x451))
COMBINING = (0x300, 0x36F)  # accents written as separate characters: dropped
# The spellings of one letter made one, and how many rounds the databases apply (each round
# shortens a run of doubled spellings; three rounds cover every run a name has).
_COLLAPSE = re.compile(r"(a)[ae]+|(o)e+|(u)e+")
COLLAPSE_PAIRS = (("ae", "a"), ("aa", "a"), ("oe", "o"), ("ue", "u"))
COLLAPSE_ROUNDS = 3
_WORD = re.compile(r"\w+")
MAX_WORDS = 8


def _letter(ch: str) -> str:
    """What one Latin letter becomes: its special spelling, else its base letters, lower-case."""
    lower = ch.lower() if len(ch.lower()) == 1 else ch
    if lower in SPECIAL:
        return SPECIAL[lower]
    decomposed = unicodedata.normalize("NFKD", lower)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


@lru_cache(maxsize=1)
def table() -> dict[str, str]:
    """Every character that folds, with what it becomes (characters not here stay as they are)."""
    found: dict[str, str] = {}
    for low, high in FOLDED_BLOCKS:
        for code in range(low, high + 1):
            ch = chr(code)
            if unicodedata.name(ch, "").startswith(("LATIN", "GREEK")) and _letter(ch) != ch:
                found[ch] = _letter(ch)
    for low, high in CASED_BLOCKS:
        for code in range(low, high + 1):
            lower = chr(code).lower()
            if SPECIAL.get(lower, lower) != chr(code):
                found[chr(code)] = SPECIAL.get(lower, lower)
    for code in range(COMBINING[0], COMBINING[1] + 1):
        found[chr(code)] = ""
    return found


@lru_cache(maxsize=4096)
def sort_key(text: str) -> str:
    """The phone-book key of ``text`` (DIN 5007 variant 2): "Böhm" -> "boehm".

    Letter by letter, as the databases compute it: an accent written as a character of its own
    is dropped (a decomposed "ü" is "u"), so store composed text to sort it as written.
    """
    folds = table()
    return "".join(folds.get(ch, ch) for ch in text)


def collapse(text: str) -> str:
    """One spelling for letters written two ways: ae, aa (and longer runs) -> a, oe -> o, ue -> u.

    A run is made one letter at once, so collapsing twice changes nothing more.
    """
    return _COLLAPSE.sub(lambda m: m.group(1) or m.group(2) or m.group(3), text)


@lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """``text`` as search compares it: "Weißmüller" -> "weissmuller", "Ærø" -> "aro".

    The same for composed and decomposed letters ("ü" and "u" + diaeresis): both end as "u".
    """
    return collapse(sort_key(unicodedata.normalize("NFC", text)))


def words(text: str) -> list[str]:
    """The folded words of ``text`` (at most MAX_WORDS), as the search index holds them.

    Letters and digits make words; anything else separates them, as in the index.
    """
    cleaned = text.replace("\x00", " ")
    return _WORD.findall(fold(cleaned).replace("_", " "))[:MAX_WORDS]
