"""Converting and validating records before they are written, in a second process if it pays.

Validation is the larger half of an import's work (parsing and checking every phone number
costs more than writing the row), and it needs no database. For long files imported by a
single-threaded program (the shell command) it runs in a forked worker process while the
importer writes the records the worker has already checked, so an import uses two cores.
Results come back in file order; the worker ignores Ctrl+C, which reaches the importer, rolls
its transaction back and ends the pool.
"""

from __future__ import annotations

import os
import re
import signal
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from smallcrm.store import accounts, appointments, contacts, interactions, opportunities
from smallcrm.store.errors import StoreError, ValidationError

from .convert import Context, Draft, to_draft
from .parsed import SourceRecord

PARALLEL_MIN = 5000  # records; below this a worker costs more than it saves
CHUNK = 1000
CLEANERS: dict[str, Callable[..., dict[str, Any]]] = {
    "contact": contacts.clean,
    "account": accounts.clean,
    "opportunity": opportunities.clean,
    "interaction": interactions.clean,
    "appointment": appointments.clean,
}


@dataclass(frozen=True, slots=True)
class Prepared:
    """A record converted and validated: the draft and its service's ``clean()`` output."""

    draft: Draft
    cleaned: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Failed:
    """A record that could not be converted or validated: the field and the reason."""

    field: str | None
    reason: str


def prepare(record: SourceRecord, context: Context) -> Prepared | Failed | None:
    """Convert and validate one record (None for a record the reader already rejected)."""
    if record.fields is None:
        return None
    try:
        draft = to_draft(record.kind, record.fields, context)
        return Prepared(draft, clean_lenient(draft, CLEANERS[record.kind]))
    except ValidationError as exc:
        return Failed(exc.field, exc.message)
    except StoreError as exc:
        return Failed(None, str(exc))


_PHONE_FIELD = re.compile(r"phone(?:\[(\d+)\])?")


def clean_lenient(draft: Draft, clean: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    """``clean(draft.values)``, moving each phone number it rejects into the notes.

    Address books are full of numbers the phone rules refuse (internal extensions, numbers
    written without their country code): rather than lose the contact, the number is kept in
    its notes and a warning names it. The service validates every number exactly once.
    """
    while True:
        try:
            return clean(draft.values)
        except ValidationError as exc:
            match = _PHONE_FIELD.fullmatch(exc.field)
            if not match or not (draft.values.get("phones") or draft.values.get("phone")):
                raise
            _move_phone_to_notes(draft, int(match[1] or 1) - 1)


def _move_phone_to_notes(draft: Draft, index: int) -> None:
    values = dict(draft.values)
    phones = values.pop("phones", None)
    if phones is None:  # an account's single phone
        label, number = None, values.pop("phone")
    else:
        phones = list(phones) if isinstance(phones, list | tuple) else [phones]
        taken = phones.pop(min(index, len(phones) - 1))
        label, number = taken if isinstance(taken, tuple) else (None, taken)
        if phones:
            values["phones"] = phones
    shown = f"{label} phone" if label else "phone"
    draft.warnings.append(f"{shown} {number!r} is not a valid number; kept in the notes")
    line = f"Phone{f' ({label})' if label else ''}: {number}"
    values["notes"] = f"{values['notes']}\n{line}" if values.get("notes") else line
    draft.values = values


# --- in order, possibly in a worker ------------------------------------------------------------

# The worker is forked after these are set, so it reads the records from memory it shares with
# the importer instead of having each one pickled over to it.
_SHARED: dict[str, Any] = {}


def prepared_records(
    records: Sequence[SourceRecord], context: Context
) -> Iterator[Prepared | Failed | None]:
    """``prepare()`` of each record, in order; in a forked worker for long files."""
    if not _parallel(len(records)):
        for record in records:
            yield prepare(record, context)
        return
    import multiprocessing

    _SHARED.update(records=records, context=context)
    try:
        pool_context = multiprocessing.get_context("fork")
        with pool_context.Pool(1, initializer=_ignore_interrupts) as pool:
            starts = range(0, len(records), CHUNK)
            for results in pool.imap(_prepare_chunk, starts):
                yield from results
    finally:
        _SHARED.clear()


def _parallel(count: int) -> bool:
    """A worker only for long files, on several cores, and never from a threaded program.

    Forking a process that runs other threads (a TUI importing from a worker thread) can copy
    a lock some other thread holds into the child; such imports validate in-process instead.
    """
    import multiprocessing
    import threading

    return (
        count >= PARALLEL_MIN
        and (os.cpu_count() or 1) > 1
        and threading.active_count() == 1
        and "fork" in multiprocessing.get_all_start_methods()
    )


def _ignore_interrupts() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _prepare_chunk(start: int) -> list[Prepared | Failed | None]:
    records = _SHARED["records"][start : start + CHUNK]
    return [prepare(record, _SHARED["context"]) for record in records]
