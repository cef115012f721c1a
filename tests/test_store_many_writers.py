"""Sixteen processes writing the same records of one SQLite file through the services.

tests/test_store_concurrency.py has four processes incrementing one contact (raw SQL, then
``update_contact``), and tests/test_store_db.py a second connection of the same process
meeting a held lock. Here: sixteen processes released at one moment, each doing what a session
does to shared records (``update_contact`` and ``move_stage`` with the version read, retried on
ConflictError; ``log_interaction``), and a lock held by another process past the busy timeout,
met through a service and through a shell command. The processes are tests/writer_child.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from smallcrm.store import accounts, contacts, opportunities
from smallcrm.store import db as dbmod
from smallcrm.store.db import Database, open_database
from smallcrm.store.errors import DatabaseBusyError

pytestmark = [pytest.mark.slow, pytest.mark.sqlite_only]

CHILD = Path(__file__).with_name("writer_child.py")
WRITERS = 16
ROUNDS = 3  # each round: one contact increment, one deal move, one call logged


def _child(*args: object) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(CHILD), *map(str, args)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _run_sessions(path: Path, contact_ids: list[int], deal_id: int) -> list[dict[str, int]]:
    """Start the sixteen sessions, release them together once all are ready, collect tallies."""
    shared = ",".join(map(str, contact_ids))
    children = [_child("session", path, n, ROUNDS, deal_id, shared) for n in range(WRITERS)]
    try:
        for child in children:
            assert child.stdout is not None
            assert child.stdout.readline() == "ready\n", child.stderr.read()  # type: ignore[union-attr]
        for child in children:
            assert child.stdin is not None
            child.stdin.write("go\n")
            child.stdin.flush()
        outputs = [child.communicate(timeout=120) for child in children]
    finally:
        for child in children:
            child.kill()
            child.wait()
    for child, (_, errors) in zip(children, outputs, strict=True):
        assert child.returncode == 0 and not errors, errors  # nothing unhandled, no traceback
    return [json.loads(out) for out, _ in outputs]


def test_sixteen_sessions_on_shared_records_lose_nothing(db: Database, db_path: Path) -> None:
    acme = accounts.create_account(db, allow_duplicate=True, name="Acme GmbH")
    shared = [
        contacts.create_contact(
            db, allow_duplicate=True, name=f"Shared {i}", account_id=acme.id, notes="0"
        ).id
        for i in range(3)
    ]
    deal = opportunities.create_opportunity(
        db, name="Acme renewal", account_id=acme.id, stage="qualified"
    )

    tallies = _run_sessions(db_path, shared, deal.id)

    acknowledged: dict[int, int] = {}
    for tally in tallies:
        for contact_id, count in tally["increments"].items():
            acknowledged[int(contact_id)] = acknowledged.get(int(contact_id), 0) + count
    assert sum(acknowledged.values()) == WRITERS * ROUNDS
    for contact_id in shared:
        saved = contacts.get_contact(db, contact_id)
        assert saved.notes == str(acknowledged[contact_id]), "an increment was lost"
        assert saved.tracking.version == 1 + acknowledged[contact_id]
    moved = opportunities.get_opportunity(db, deal.id)
    assert moved.tracking.version == 1 + WRITERS * ROUNDS, "a stage move was lost"
    assert moved.stage == ("qualified" if WRITERS * ROUNDS % 2 == 0 else "proposal")
    with db.read() as tx:
        assert tx.scalar("SELECT count(*) FROM interaction") == WRITERS * ROUNDS
        updates = tx.scalar("SELECT count(*) FROM audit_entry WHERE action = 'update'")
        assert updates == 2 * WRITERS * ROUNDS, "one audit entry per acknowledged change"
        assert tx.all("PRAGMA integrity_check")[0][0] == "ok"


# --- a lock held past the busy timeout ---------------------------------------------------------


@contextmanager
def _lock_held_elsewhere(path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The write lock held by another process for the block; new connections wait 1 s."""
    monkeypatch.setattr(dbmod, "BUSY_TIMEOUT_MS", 1000)
    holder = _child("hold-lock", path)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "holding\n"
        yield
    finally:
        holder.communicate("done\n", timeout=30)


def test_a_service_meeting_a_long_held_lock_says_try_again(
    db_path: Path, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    jana = contacts.create_contact(db, allow_duplicate=True, name="Jana Novak", notes="0")
    with _lock_held_elsewhere(db_path, monkeypatch):
        late = open_database(db_path)
        with pytest.raises(DatabaseBusyError) as caught:
            contacts.update_contact(late, jana.id, jana.tracking.version, notes="1")
        late.close()
    message = str(caught.value)
    assert message.startswith("the database is busy: another user held it for over 1 s")
    assert message.endswith("Nothing was saved; try again in a moment.")
    after = contacts.get_contact(db, jana.id)
    assert (after.notes, after.tracking.version) == ("0", jana.tracking.version)
    contacts.update_contact(db, jana.id, jana.tracking.version, notes="1")  # the retry works


def test_a_shell_command_meeting_a_long_held_lock_exits_1_with_the_message(
    db_path: Path, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from smallcrm.cli import app

    contacts.create_contact(db, allow_duplicate=True, name="Jana Novak")
    with _lock_held_elsewhere(db_path, monkeypatch):
        result = CliRunner().invoke(app, ["--db", str(db_path), "log", "call", "jana", "Called"])
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), "an exit with a message, not a traceback"
    assert result.stderr.startswith("Error: the database is busy")
    assert "Nothing was saved; try again" in result.stderr
    with db.read() as tx:
        assert tx.scalar("SELECT count(*) FROM interaction") == 0
