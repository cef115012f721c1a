"""Writer processes for the multi-process tests (tests/test_store_many_writers.py and
tests/test_crash_safety.py): ``python tests/writer_child.py MODE ARGS...``.

A plain script rather than a ``multiprocessing`` target: a child then imports only the store
(about 0.1 s), not pytest and the test module, which matters with sixteen of them on two
cores. Each mode says on stdout, line by line and flushed, where it is, so the test can
release it, kill it at the right moment, and know what it acknowledged:

- ``session PATH WORKER ROUNDS DEAL_ID CONTACT_ID,...``: prints ``ready``, waits for a line
  on stdin, then per round increments a shared contact's counter (``update_contact`` with the
  version read), moves the shared deal (``move_stage`` with the version read), both retried on
  ConflictError, and logs a call; prints its tally as JSON.
- ``hold-lock PATH``: takes the write lock, prints ``holding``, lets go at a line on stdin.
- ``import PATH CSV [WORKER]``: prints ``importing``, imports the file (one batch), prints
  ``imported BATCH_ID``; with ``WORKER`` ``yes`` the file is read and checked in a worker
  process whatever its size.
- ``edits PATH``: prints ``editing``, then until killed increments contact counters and logs
  calls (retrying conflicts with other editors), printing ``contact ID VALUE`` or
  ``interaction ID`` after each commit.
- ``migrate PATH``: upgrades to the newest revision, printing ``migrating`` once its write
  transaction is open and ``migrated`` when it is committed.
- ``logs PATH CONTACT_ID``: prints ``logging``, then until killed logs calls with the contact,
  never retrying: ``interaction ID MS`` for each acknowledged one (with its latency), ``busy
  MS`` for each refused because the database was busy.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

EDIT_LIMIT = 20_000  # an edits child ends by itself if nobody kills it
# A small page cache, so a long transaction's pages reach the WAL file before it commits (as a
# big database's do) and a kill leaves uncommitted frames behind for the next opener to ignore.
SMALL_CACHE = "PRAGMA cache_size = -256"


def say(line: str) -> None:
    """One line to the parent, at once."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def retrying(action: Callable[[], Any], tally: dict[str, int]) -> Any:
    """Run ``action`` until it is acknowledged, as a user reloading and saving again would."""
    from smallcrm.store.errors import ConflictError, DatabaseBusyError

    while True:
        try:
            return action()
        except ConflictError:
            tally["conflicts"] += 1
        except DatabaseBusyError:
            tally["busy"] += 1


def increment(db: Any, contact_id: int) -> int:
    """Read the contact and save its counter plus one with the version read; the new value."""
    from smallcrm.store import contacts

    current = contacts.get_contact(db, contact_id)
    value = int(current.notes or 0) + 1
    contacts.update_contact(db, contact_id, current.tracking.version, notes=str(value))
    return value


def move(db: Any, deal_id: int) -> None:
    """Between the second and third stage, so a step decided on a stale read is a conflict."""
    from smallcrm.store import opportunities

    current = opportunities.get_opportunity(db, deal_id)
    step = 1 if current.stage == "qualified" else -1
    opportunities.move_stage(db, deal_id, step, expected_version=current.tracking.version)


def log_call(db: Any, contact_id: int, subject: str) -> int:
    """Log a call with the contact; its id."""
    from smallcrm.store import interactions

    return interactions.log_interaction(db, kind="call", subject=subject, contact_id=contact_id).id


def session(path: str, worker: str, rounds: str, deal_id: str, contact_ids: str) -> None:
    """One user's session on shared records (see the module doc)."""
    from smallcrm.store.db import open_database

    db = open_database(path)
    shared = [int(part) for part in contact_ids.split(",")]
    tally = {"moves": 0, "logged": 0, "conflicts": 0, "busy": 0}
    increments: dict[int, int] = {}
    say("ready")
    sys.stdin.readline()
    for round_number in range(int(rounds)):
        contact_id = shared[(int(worker) + round_number) % len(shared)]
        retrying(lambda c=contact_id: increment(db, c), tally)
        increments[contact_id] = increments.get(contact_id, 0) + 1
        retrying(lambda: move(db, int(deal_id)), tally)
        tally["moves"] += 1
        retrying(lambda c=contact_id: log_call(db, c, f"Call by worker {worker}"), tally)
        tally["logged"] += 1
    db.close()
    say(json.dumps({"increments": increments, **tally}))


def hold_lock(path: str) -> None:
    """Hold the write lock, as another program or a stuck session might."""
    import sqlite3

    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    say("holding")
    sys.stdin.readline()
    conn.execute("ROLLBACK")
    conn.close()


def import_csv(path: str, csv_path: str, worker: str = "no") -> None:
    """Import one file as one batch."""
    from smallcrm.store.db import open_database
    from smallcrm.store.io import import_file, prepare

    if worker == "yes":
        prepare.PARALLEL_MIN = 0

    db = open_database(path)
    db._conn.execute(SMALL_CACHE)
    say("importing")
    report = import_file(db, csv_path)
    say(f"imported {report.batch_id}")
    db.close()


def edits(path: str) -> None:
    """Edit the contacts there are until killed, acknowledging each committed change."""
    from smallcrm.store import contacts
    from smallcrm.store.db import open_database

    db = open_database(path)
    ids = [contact.id for contact in contacts.iter_contacts(db)]
    tally = {"conflicts": 0, "busy": 0}  # several editors may share the contacts
    say("editing")
    for number in range(EDIT_LIMIT):
        contact_id = ids[number % len(ids)]
        if number % 3 == 2:
            call = retrying(lambda c=contact_id, n=number: log_call(db, c, f"Edit {n}"), tally)
            say(f"interaction {call}")
        else:
            value = retrying(lambda c=contact_id: increment(db, c), tally)
            say(f"contact {contact_id} {value}")


def logs(path: str, contact_id: str) -> None:
    """Log calls until killed, as ``smallcrm log`` in a loop would; a refusal is not retried."""
    import time

    from smallcrm.store.db import open_database
    from smallcrm.store.errors import DatabaseBusyError

    db = open_database(path)
    say("logging")
    for number in range(EDIT_LIMIT):
        began = time.perf_counter()
        try:
            call = log_call(db, int(contact_id), f"Call {number}")
        except DatabaseBusyError:
            say(f"busy {(time.perf_counter() - began) * 1000:.1f}")
            continue
        say(f"interaction {call} {(time.perf_counter() - began) * 1000:.1f}")
        time.sleep(0.01)


def migrate(path: str) -> None:
    """Upgrade to the newest revision, saying when its transaction is open and committed."""
    import sqlalchemy

    from smallcrm.store import migrate as migrations
    from smallcrm.store.db import resolve_url

    make_engine = migrations.make_engine

    def instrumented_engine(url: str) -> Any:
        engine = make_engine(url)
        sqlalchemy.event.listen(engine, "connect", lambda conn, _record: conn.execute(SMALL_CACHE))
        # Said once the upgrade's write transaction is open, so a kill lands inside it.
        sqlalchemy.event.listen(engine, "begin", lambda _conn: say("migrating"))
        return engine

    migrations.make_engine = instrumented_engine
    migrations.upgrade(resolve_url(path))
    say("migrated")


MODES: dict[str, Callable[..., None]] = {
    "session": session,
    "hold-lock": hold_lock,
    "import": import_csv,
    "edits": edits,
    "migrate": migrate,
    "logs": logs,
}

if __name__ == "__main__":
    MODES[sys.argv[1]](*sys.argv[2:])
