"""Folding: the properties search and phone-book order rely on, for any name."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from smallcrm.store import folding

ACCENTED = "äöüßÄÖÜæøåÆØÅéèêëàáâçñłŁśźżąęóńćÉÈÇÑžšřčďťňůýíÿœŒ"
LETTERS = st.text(alphabet=ACCENTED + "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ -'")
# How people type a letter their keyboard lacks: without its marks, or as DIN 5007 spells it.
PLAIN = {
    "ä": "a",
    "ö": "o",
    "ü": "u",
    "ß": "ss",
    "æ": "ae",
    "ø": "o",
    "å": "a",
    "ł": "l",
    "œ": "oe",
}
DIN = {
    "ä": "ae",
    "ö": "oe",
    "ü": "ue",
    "ß": "ss",
    "æ": "ae",
    "ø": "oe",
    "å": "aa",
    "ł": "l",
    "œ": "oe",
}


def typed(name: str, spelling: dict[str, str]) -> str:
    """``name`` as typed on a keyboard without its letters."""
    out = []
    for ch in name.lower():
        if ch in spelling:
            out.append(spelling[ch])
        else:
            out.append("".join(c for c in unicodedata.normalize("NFD", ch) if c.isascii()))
    return "".join(out)


@given(st.text())
def test_folding_twice_changes_nothing(text: str) -> None:
    assert folding.fold(folding.fold(text)) == folding.fold(text)
    assert folding.sort_key(folding.sort_key(text)) == folding.sort_key(text)


@given(LETTERS)
def test_case_never_matters(name: str) -> None:
    assert folding.fold(name.upper()) == folding.fold(name.lower()) == folding.fold(name)
    assert folding.sort_key(name.upper()) == folding.sort_key(name.lower())


@given(LETTERS)
def test_a_name_typed_without_its_letters_folds_as_written(name: str) -> None:
    assert folding.fold(typed(name, PLAIN)) == folding.fold(name)
    assert folding.fold(typed(name, DIN)) == folding.fold(name)
    assert folding.words(typed(name, PLAIN)) == folding.words(name)


@given(LETTERS)
def test_composed_and_decomposed_letters_fold_alike(name: str) -> None:
    assert folding.fold(unicodedata.normalize("NFD", name)) == folding.fold(name)


def test_phone_book_keys_follow_din_5007() -> None:
    names = ["Braun", "Böhm", "bauer", "Bode", "Ärger", "Abt", "Weiß", "Weiss", "Weist"]
    assert sorted(names, key=folding.sort_key) == [
        "Abt",
        "Ärger",
        "bauer",
        "Bode",
        "Böhm",
        "Braun",
        "Weiß",
        "Weiss",
        "Weist",
    ]
    assert folding.sort_key("Søren Ærø Ångström") == "soeren aeroe aangstroem"
    assert folding.fold("Søren Ærø Ångström") == "soren aro angstrom"
