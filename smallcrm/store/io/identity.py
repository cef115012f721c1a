"""Who an imported record is: the rules that keep an import from turning one person into another.

An import updates an existing contact only when the file's record is that contact for certain:

1. its own smallcrm id, from one of our own CSV or JSON exports, together with the record's
   creation time (or, when the file lost that column, a name that agrees): record 12 of
   another database is not record 12 here;
2. its external id (a vCard's UID, the id another program gave it);
3. an email address, or else a phone number, that the two share, and names that agree.

Names agree when every word of one is among the words of the other, case, accents, punctuation
and word order aside: "Anna Adler" agrees with "adler, anna", "Anna" and "Dr. Anna Adler", not
with "Ben Berger" nor "Anna Berger". A name that is only an email address or a number (what a
nameless card gets from its email or phone) says nothing about who it is and agrees with any.

A shared email or phone under names that do not agree is not a match. Offices share a number,
families and assistants share an address, numbers are given to new people: Ben Berger on Anna
Adler's old number is Ben, and writing his row into her record would give Anna's calls and
emails to Ben. A careful CRM therefore creates the record as a new contact and reports it as a
possible duplicate of the other (``smallcrm duplicates`` lists the pair, since they share the
email or phone), rather than updating the other's fields but its name: even without the name,
the file's title, address, tags and consent are the other person's, and mixing two people's
details is what cannot be undone by hand, while merging two records that turn out to be one is
a command (``merge``, with ``merge undo``). A new contact that merely has the name of an
existing one is created and reported the same way.

An import never changes a name either: a record matched by its id, UID, email or phone keeps
its first and last name (an account its name), and a file that spells it differently gets a
warning instead. Renaming someone is an edit a person makes, never a side effect of a file.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from smallcrm.store.db import Tx, to_datetime
from smallcrm.store.duplicates import name_key

OWN_KINDS = ("contact", "account")


@dataclass(frozen=True)
class Match:
    """What an imported record is: an existing record (``record_id``, found by ``key``), or a
    new one that may duplicate others (``possible``: their ids with the reasons)."""

    record_id: int | None
    key: str = ""
    possible: tuple[tuple[int, str], ...] = ()


@functools.lru_cache(maxsize=4096)
def person_key(text: str) -> str:
    """A person's name as ``smallcrm duplicates`` compares it: "Adler, Ánna" -> "adler anna".

    Cached: an import asks for the key of one name several times (to find, to index, to compare
    with the record it found), and a large file is hundreds of thousands of names.
    """
    return name_key(text)


@functools.lru_cache(maxsize=4096)
def name_words(text: str) -> frozenset[str]:
    """The words of a name that say who it is (see the module doc)."""
    if "@" in text:
        return frozenset()
    return frozenset(word for word in person_key(text).split() if not word.isdigit())


def names_agree(one: str, other: str) -> bool:
    """True when the words of one name are all among the other's, or either says nothing."""
    first, second = name_words(one), name_words(other)
    return not first or not second or first <= second or second <= first


def full_name(values: Mapping[str, Any]) -> str:
    """The name of a contact's cleaned values or row (first and last), or an account's."""
    try:
        first, last = values["first_name"], values["last_name"]
    except (KeyError, IndexError):  # a dict, or a database row (IndexError for sqlite3.Row)
        try:
            return str(values["name"] or "")
        except (KeyError, IndexError):
            return ""
    return f"{first or ''} {last or ''}".strip()


def possible_duplicates(found: Iterable[tuple[int, str]]) -> tuple[tuple[int, str], ...]:
    """One entry per record, the reasons for it joined, in the order first found."""
    reasons: dict[int, list[str]] = {}
    for record_id, reason in found:
        listed = reasons.setdefault(record_id, [])
        if reason not in listed:
            listed.append(reason)
    return tuple((record_id, ", ".join(texts)) for record_id, texts in reasons.items())


# --- our own exports ---------------------------------------------------------------------------


def exported_id(raw_id: Any, raw_created: Any) -> tuple[int, datetime | None] | None:
    """The (id, creation time) of a record in one of our own CSV or JSON exports, if readable."""
    text = str(raw_id if raw_id is not None else "").strip()
    if not re.fullmatch(r"\d{1,18}", text):
        return None
    created: datetime | None = None
    if raw_created not in (None, ""):
        try:
            created = to_datetime(str(raw_created).strip())
        except ValueError:
            created = None
    return int(text), created


def exported_record(
    tx: Tx, kind: str, own: tuple[int, datetime | None] | None, name: str
) -> int | None:
    """The live record that ``own`` names, if it is the very record the export was made from:
    the same creation time, or (without one in the file) a name that agrees."""
    if own is None or kind not in OWN_KINDS:
        return None
    record_id, created = own
    row = tx.one(f"SELECT * FROM {kind} WHERE id = :id AND deleted_at IS NULL", id=record_id)
    if row is None:
        return None
    if created is not None:
        return record_id if to_datetime(row["created_at"]) == created else None
    return record_id if names_agree(name, full_name(row)) else None


# --- what the report says ----------------------------------------------------------------------


def duplicate_warning(kind: str, label: str, possible: tuple[tuple[int, str], ...]) -> str:
    """The warning for a new record that may be someone already here."""
    others = "; ".join(f"{kind} {record_id} ({reason})" for record_id, reason in possible[:3])
    more = f" and {len(possible) - 3} more" if len(possible) > 3 else ""
    return (
        f"{label!r} may be a duplicate of {others}{more}: imported as a new {kind}, since an "
        "import never merges two records; merge them if they are one"
    )


def name_kept_warning(kind: str, record_id: int, stored: str, given: str) -> str | None:
    """The warning for a matched record the file names differently (None if it does not)."""
    if person_key(stored) == person_key(given) or not given.strip():
        return None
    return (
        f"the file calls {kind} {record_id} {given!r}; its name {stored!r} was kept (an import "
        "never renames a record: edit it if the file is right)"
    )
