"""Converting and validating records before they are written, in a second process if it pays.

Reading and validation are the larger half of an import's work (parsing and checking every
phone number costs more than writing the row), and they need no database. For long files
imported by a single-threaded program (the shell command) they run in a forked worker process
while the importer writes the records the worker has already checked, so an import uses two
cores. Results come back in file order; the worker ignores Ctrl+C, which reaches the importer;
the importer ends the worker whenever it stops.
"""

from __future__ import annotations

import os
import re
import signal
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from typing import Any

from smallcrm.store import accounts, appointments, contacts, interactions, opportunities
from smallcrm.store.errors import StoreError, ValidationError

from .convert import Context, Draft, to_draft
from .parsed import ParsedFile, SourceRecord

PARALLEL_MIN = 500_000  # bytes of file; below this a worker costs more than it saves
CHUNK = 500
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

Pair = tuple[SourceRecord, "Prepared | Failed | None"]


def prepared_records(
    parsed: ParsedFile, context: Context, *, large: bool
) -> Generator[Pair, None, None]:
    """Each record of ``parsed`` with its ``prepare()`` result, in file order.

    For a ``large`` file the records are read and prepared in a forked worker process, which
    hands them over a few hundred at a time through a queue of at most ``AHEAD`` chunks: the
    file is never all in memory, on either side. The worker has the reader's state at the fork,
    so the file is read on from where the importer stopped (after the header). The records come
    back without their fields (only the importer's ``prepare()`` result is needed), and the
    file's own details and warnings come back at the end (``parsed`` is updated).
    """
    if not (large and _parallel()):
        for record in parsed.records:
            yield record, prepare(record, context)
        return
    yield from _from_worker(parsed, context)


AHEAD = 4  # chunks the worker may be ahead of the importer


def _from_worker(parsed: ParsedFile, context: Context) -> Iterator[Pair]:
    import multiprocessing
    import queue as queues

    pool = multiprocessing.get_context("fork")
    results = pool.Queue(maxsize=AHEAD)
    worker = pool.Process(target=_work, args=(parsed, context, results, os.getpid()), daemon=True)
    worker.start()
    try:
        while True:
            try:
                message = results.get(timeout=1)
            except queues.Empty:
                if not worker.is_alive():
                    raise StoreError("reading the file stopped unexpectedly") from None
                continue
            if message[0] == "records":
                yield from map(_unpack, message[1])
                continue
            if message[0] == "error":
                raise (
                    ValidationError(message[1], message[2])
                    if message[1]
                    else StoreError(message[2])
                )
            parsed.details.update(message[1])
            parsed.warnings[:] = message[2]
            return
    finally:
        if worker.is_alive():
            worker.kill()
        worker.join()
        results.close()


def _work(parsed: ParsedFile, context: Context, results: Any, importer: int) -> None:
    """In the worker: read, convert and validate every record, a chunk at a time. ``importer``
    is the importing process's id, from before the fork: it may be gone already."""
    _ignore_interrupts()
    _end_with(importer)
    try:
        chunk: list[Packed] = []
        for record in parsed.records:
            chunk.append(_pack(_slim(record), prepare(record, context)))
            if len(chunk) == CHUNK:
                _put(results, ("records", chunk), importer)
                chunk = []
        _put(results, ("records", chunk), importer)
        _put(results, ("done", parsed.details, list(parsed.warnings)), importer)
    except ValidationError as exc:
        _put(results, ("error", exc.field, exc.message), importer)
    except Exception as exc:  # a reader's bug: named, never a hang
        message = f"reading the file failed: {type(exc).__name__}: {exc}"
        _put(results, ("error", None, message), importer)


def _put(results: Any, message: tuple[Any, ...], importer: int) -> None:
    """Hand ``message`` over; end the worker if its importer is gone (killed: nobody would
    ever take it, and the worker would hold the database's connection open)."""
    import queue as queues

    while True:
        try:
            results.put(message, timeout=0.5)
            return
        except queues.Full:
            if os.getppid() != importer:
                os._exit(0)


# What crosses from the worker: plain tuples, which unpickle several times faster than the
# slotted dataclasses themselves (whose unpickling looks up their fields for every object).
Packed = tuple[tuple[Any, ...], Any]


def _pack(record: SourceRecord, prepared: Prepared | Failed | None) -> Packed:
    if isinstance(prepared, Prepared):
        draft = prepared.draft
        ready = (
            (draft.kind, draft.values, draft.label, draft.company, draft.contact),
            (draft.warnings, draft.attendees, draft.own, prepared.cleaned),
        )
        return _fields(record), ready
    return _fields(record), prepared


def _fields(record: SourceRecord) -> tuple[Any, ...]:
    return (record.number, record.where, record.line, record.kind, record.fields, record.problem,
            record.warnings)  # fmt: skip


def _unpack(packed: Packed) -> Pair:
    record, prepared = SourceRecord(*packed[0]), packed[1]
    if isinstance(prepared, tuple):
        (kind, values, label, company, contact), (warnings, attendees, own, cleaned) = prepared
        draft = Draft(kind, values, label, company, contact, warnings, attendees, own)
        return record, Prepared(draft, cleaned)
    return record, prepared


def _end_with(importer: int) -> None:
    """End the worker as soon as its importer is gone (killed), whatever it is doing: reading,
    waiting for room in the queue, or exiting while the queue's thread waits to hand over what
    nobody will ever take. It would hold the database's connection and the importer's output
    open for good."""
    import threading
    import time

    def watch() -> None:
        while os.getppid() == importer:
            time.sleep(0.2)
        os._exit(0)

    threading.Thread(target=watch, name="importer-watch", daemon=True).start()


def _slim(record: SourceRecord) -> SourceRecord:
    """The record without its fields, which only ``prepare()`` needed."""
    if record.fields is None:
        return record
    return SourceRecord(record.number, record.where, record.line, record.kind, None)


def _parallel() -> bool:
    """A worker only on several cores, and never from a threaded program.

    Forking a process that runs other threads (a TUI importing from a worker thread) can copy
    a lock some other thread holds into the child; such imports validate in-process instead.
    """
    import multiprocessing
    import threading

    return (
        (os.cpu_count() or 1) > 1
        and threading.active_count() == 1
        and "fork" in multiprocessing.get_all_start_methods()
    )


def _ignore_interrupts() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
