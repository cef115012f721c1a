"""Writers killed with SIGKILL at a random moment leave a sound database.

Each test starts a writer (tests/writer_child.py) again and again and kills it mid-way through
an import of a few thousand contacts, a run of edits, or a migration. The children use a small
page cache, so a long transaction's pages are in the WAL file before it commits: the next
opener must ignore them. After every kill the file passes ``PRAGMA integrity_check``, the
search index passes FTS5's check, ``doctor`` finds nothing, every change the child
acknowledged is there, no import batch is half written, and the database opens and migrates
to the newest revision. The kill moments are random; the seed is in every failure message.
"""

from __future__ import annotations

import csv
import random
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from smallcrm.store import contacts, doctor, maintenance, search
from smallcrm.store.db import Database, open_database

pytestmark = [pytest.mark.slow, pytest.mark.sqlite_only]

CHILD = Path(__file__).with_name("writer_child.py")
ROUNDS = 6
IMPORT_SIZE = 2500


@pytest.fixture
def rng() -> Iterator[random.Random]:
    seed = random.randrange(1_000_000)
    print(f"kill moments seeded with {seed}")  # shown with a failure
    yield random.Random(seed)


def _start(*args: object) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(CHILD), *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _ready(child: subprocess.Popen[str], expected: str) -> float:
    """Wait for the child's first line (it is about to write); when it came."""
    assert child.stdout is not None
    line = child.stdout.readline()
    assert line == f"{expected}\n", child.stderr.read() if child.stderr else line
    return time.perf_counter()


def _kill(child: subprocess.Popen[str], after: float) -> list[str]:
    """SIGKILL the child ``after`` seconds from now; the lines it acknowledged."""
    time.sleep(after)
    child.kill()  # SIGKILL on POSIX: no handler, no clean-up, no flush
    assert child.stdout is not None and child.stderr is not None
    # Read through the stream, not past it: its buffer may hold lines read along with the first.
    # The output ends when every process holding it has ended (an import's worker too).
    out: list[str] = []
    reader = threading.Thread(target=lambda: out.append(child.stdout.read()), daemon=True)
    reader.start()
    reader.join(timeout=30)
    assert out, "a process the child started outlived it"
    child.stderr.close()
    child.wait(timeout=30)
    return out[0].splitlines()


def _finish(child: subprocess.Popen[str]) -> list[str]:
    assert child.stdout is not None and child.stderr is not None
    out, errors = child.stdout.read(), child.stderr.read()  # through the streams' buffers
    assert child.wait(timeout=120) == 0, errors
    return out.splitlines()


def _assert_sound(path: Path) -> Database:
    """The file is sound, opens (migrating if needed), and its search index and doctor agree."""
    assert maintenance.integrity_problems(path) == []
    db = open_database(path)
    assert search.check_index(db), "the search index is out of step"
    assert [f.check for f in doctor.doctor(db) if not f.ok] == []
    return db


# --- an import of a few thousand contacts --------------------------------------------------------


def _write_contacts_csv(path: Path, round_number: int) -> None:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["first_name", "last_name", "email", "phone", "city"])
        for i in range(IMPORT_SIZE):
            writer.writerow(
                [f"Person{i}", f"Crash{round_number}", f"p{i}@round{round_number}.example",
                 f"+49 151 {round_number:02d}{i:06d}", "Berlin"]
            )  # fmt: skip


def _import_state(db: Database, round_number: int) -> tuple[int, list[tuple[int, int, int]]]:
    """This round's contacts, and its batches as (created, finished?, items)."""
    with db.read() as tx:
        people = tx.scalar(
            "SELECT count(*) FROM contact WHERE last_name = :name", name=f"Crash{round_number}"
        )
        batches = [
            (
                row["created"],
                int(row["finished_at"] is not None),
                tx.scalar(
                    "SELECT count(*) FROM import_batch_item WHERE batch_id = :id", id=row["id"]
                ),
            )
            for row in tx.all(
                "SELECT id, created, finished_at FROM import_batch WHERE source = :source",
                source=f"round{round_number}.csv",
            )
        ]
    return int(people), batches


def test_a_killed_import_leaves_its_whole_batch_or_nothing(
    db: Database, db_path: Path, tmp_path: Path, rng: random.Random
) -> None:
    contacts.create_contact(db, allow_duplicate=True, name="Jana Novak")
    files = []
    for round_number in range(ROUNDS + 1):
        files.append(tmp_path / f"round{round_number}.csv")
        _write_contacts_csv(files[-1], round_number)

    # Round 0 runs to the end: it shows the child works and times an import.
    child = _start("import", db_path, files[0])
    began = _ready(child, "importing")
    assert _finish(child)[-1].startswith("imported ")
    duration = time.perf_counter() - began

    interrupted = 0
    for round_number in range(1, ROUNDS + 1):
        child = _start("import", db_path, files[round_number])
        _ready(child, "importing")
        lines = _kill(child, rng.uniform(0.1, 0.9) * duration)
        acknowledged = any(line.startswith("imported ") for line in lines)
        interrupted += not acknowledged
        checked = _assert_sound(db_path)
        people, batches = _import_state(checked, round_number)
        checked.close()
        whole = (IMPORT_SIZE, [(IMPORT_SIZE, 1, IMPORT_SIZE)])
        assert (people, batches) in (whole, (0, [])), "a half-written import batch"
        if acknowledged:
            assert (people, batches) == whole, "an acknowledged import is missing"
    assert interrupted, "no kill landed during an import: the test proved nothing"
    assert contacts.list_contacts(db).total >= 1 + IMPORT_SIZE


def _import_phase(path: Path, round_number: int) -> str:
    """Where this round's import stands before anyone tidies up (a database opened without
    migrating finishes no import): none, hidden (reading), publishing (committed), done."""
    raw = Database(f"sqlite:///{path}", migrate=False)
    try:
        with raw.read() as tx:
            row = tx.one(
                "SELECT finished_at, details FROM import_batch WHERE source = :source",
                source=f"round{round_number}.csv",
            )
    finally:
        raw.close()
    if row is None:
        return "none"
    if row["finished_at"] is not None:
        return "done"
    return "publishing" if '"publishing"' in row["details"] else "hidden"


def test_a_killed_import_with_writers_meanwhile_is_whole_or_gone(
    db: Database, db_path: Path, tmp_path: Path, rng: random.Random
) -> None:
    """The import is read by a worker process and others log calls while it runs; wherever the
    kill lands (reading, committed and being shown, done), the next opener finds the import
    whole or gone, no hidden record or lock file left, the counts and the index in step, and
    every call the other writer acknowledged."""
    anna = contacts.create_contact(db, allow_duplicate=True, name="Anna Adler")
    files = []
    for round_number in range(ROUNDS + 1):
        files.append(tmp_path / f"round{round_number}.csv")
        _write_contacts_csv(files[-1], round_number)
    child = _start("import", db_path, files[0], "yes")
    began = _ready(child, "importing")
    assert _finish(child)[-1].startswith("imported ")
    duration = time.perf_counter() - began
    phases: list[str] = []
    for round_number in range(1, ROUNDS + 1):
        writer = _start("logs", db_path, anna.id)
        _ready(writer, "logging")
        child = _start("import", db_path, files[round_number], "yes")
        _ready(child, "importing")
        lines = _kill(child, rng.uniform(0.1, 1.0) * duration)
        calls = [
            int(line.split()[1]) for line in _kill(writer, 0) if line.startswith("interaction")
        ]
        phases.append(_import_phase(db_path, round_number))
        checked = _assert_sound(db_path)
        people, batches = _import_state(checked, round_number)
        with checked.read() as tx:
            hidden = tx.scalar("SELECT count(*) FROM contact WHERE deleted_by LIKE '%import %'")
            live = tx.scalar("SELECT count(*) FROM contact WHERE deleted_at IS NULL")
            counted = tx.scalar("SELECT live FROM record_count WHERE kind = 'contact'")
            stored = {row[0] for row in tx.all("SELECT id FROM interaction")}
        checked.close()
        whole = (IMPORT_SIZE, [(IMPORT_SIZE, 1, IMPORT_SIZE)])
        assert (people, batches) in (whole, (0, [])), f"a half-written import ({phases})"
        if any(line.startswith("imported ") for line in lines):
            assert (people, batches) == whole, "an acknowledged import is missing"
        assert (hidden, live) == (0, counted) and set(calls) <= stored
        assert not list(tmp_path.glob("*.lock")), "a lock file was left behind"
    assert {"hidden", "publishing"} & set(phases), f"no kill landed in an import: {phases}"


def _alive(pid: int) -> bool:
    """The process runs (a zombie nobody reaped has ended)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def test_a_killed_importers_worker_ends_with_it(db_path: Path, tmp_path: Path) -> None:
    """The worker that reads the file for an import ends when its importer is killed, also when
    it has read a short file whole and is waiting to hand the last of it over to nobody."""
    path = tmp_path / "short.csv"
    with path.open("w", encoding="utf-8") as out:
        out.write("first_name,last_name,email,phone\n")
        for i in range(1200):
            out.write(f"Short{i},List,s{i}@example.com,+49 151 {40000000 + i}\n")
    child = _start("import", db_path, path, "yes")
    _ready(child, "importing")
    children = Path(f"/proc/{child.pid}/task/{child.pid}/children")
    if not children.exists():
        pytest.skip("needs Linux's /proc children list")
    deadline = time.monotonic() + 60
    while not (workers := [int(pid) for pid in children.read_text().split()]):
        assert time.monotonic() < deadline, "the import started no worker"
        time.sleep(0.01)
    _kill(child, 0)  # also fails if the worker keeps the child's output open
    deadline = time.monotonic() + 30
    while any(_alive(pid) for pid in workers):
        assert time.monotonic() < deadline, "the worker outlived its importer"
        time.sleep(0.1)
    assert _assert_sound(db_path)


# --- a run of edits ------------------------------------------------------------------------------


def test_killed_edits_keep_every_acknowledged_change(
    db: Database, db_path: Path, rng: random.Random
) -> None:
    ids = [
        contacts.create_contact(db, allow_duplicate=True, name=f"Edited {i}", notes="0").id
        for i in range(4)
    ]
    counters: dict[int, int] = dict.fromkeys(ids, 0)  # acknowledged (or stored) so far
    calls: set[int] = set()
    seen = 0
    for _ in range(ROUNDS):
        child = _start("edits", db_path)
        _ready(child, "editing")
        # The kill comes at a random moment after the first acknowledged edit: a delay counted
        # from the start could end every child before its first edit on a busy machine.
        assert child.stdout is not None
        first = child.stdout.readline()
        lines = [first.rstrip("\n")] if first.endswith("\n") else []
        lines += _kill(child, rng.uniform(0.05, 0.4))
        seen += len(lines)
        for line in lines:
            kind, *values = line.split()
            if kind == "contact":
                counters[int(values[0])] = int(values[1])
            else:
                calls.add(int(values[0]))
        checked = _assert_sound(db_path)
        stored, stored_calls = _edited_state(checked, ids)
        checked.close()
        assert all(stored[i] >= counters[i] for i in ids), "an acknowledged edit is lost"
        assert calls <= stored_calls, "an acknowledged call is lost"
        # Only the change whose line the kill cut off may be in without being acknowledged.
        unacknowledged = sum(stored[i] - counters[i] for i in ids) + len(stored_calls - calls)
        assert unacknowledged <= 1
        counters, calls = stored, stored_calls
    assert seen > ROUNDS, "the children hardly edited anything before their kill"


def _edited_state(db: Database, ids: list[int]) -> tuple[dict[int, int], set[int]]:
    """Each contact's counter (checked against its version and audit trail) and the calls."""
    counters = {}
    with db.read() as tx:
        for contact_id in ids:
            row = tx.one("SELECT notes, version FROM contact WHERE id = :id", id=contact_id)
            audited = tx.scalar(
                "SELECT count(*) FROM audit_entry WHERE action = 'update' AND kind = 'contact' "
                "AND record_id = :id",
                id=contact_id,
            )
            counters[contact_id] = int(row["notes"])
            assert row["version"] == 1 + counters[contact_id] == 1 + audited, "a half edit"
        calls = {row[0] for row in tx.all("SELECT id FROM interaction")}
    return counters, calls


# --- a migration ---------------------------------------------------------------------------------


@pytest.fixture
def old_database(tmp_path: Path) -> Path:
    """A database at revision 0002 holding a few thousand contacts (made at the newest
    revision through an import, then downgraded)."""
    from alembic import command

    from smallcrm.store import migrate
    from smallcrm.store.io import import_file

    path = tmp_path / "old.db"
    source = tmp_path / "old.csv"
    _write_contacts_csv(source, 99)
    db = open_database(path)
    import_file(db, source)
    db.close()
    engine = migrate.make_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        command.downgrade(migrate.alembic_config(connection), "0002")
    engine.dispose()
    return path


def _revision(path: Path) -> str | None:
    raw = Database(f"sqlite:///{path}", migrate=False)
    try:
        return raw.schema_revision()
    finally:
        raw.close()


def test_a_killed_migration_leaves_the_old_or_the_new_schema(
    old_database: Path, tmp_path: Path, rng: random.Random
) -> None:
    from smallcrm.store.migrations import HEAD_REVISION

    assert _revision(old_database) == "0002"
    copies = []
    for round_number in range(ROUNDS):
        copies.append(tmp_path / f"migrating{round_number}.db")
        shutil.copy(old_database, copies[-1])

    # The first copy migrates to the end: the child works, and it times a migration.
    child = _start("migrate", copies[0])
    began = _ready(child, "migrating")
    assert _finish(child) == ["migrated"]
    duration = time.perf_counter() - began
    assert _revision(copies[0]) == HEAD_REVISION

    interrupted = 0
    for path in copies[1:]:
        child = _start("migrate", path)
        _ready(child, "migrating")
        acknowledged = "migrated" in _kill(child, rng.uniform(0.0, 1.0) * duration)
        interrupted += not acknowledged
        assert maintenance.integrity_problems(path) == []
        revision = _revision(path)
        assert revision == HEAD_REVISION if acknowledged else revision in ("0002", HEAD_REVISION)
        checked = _assert_sound(path)  # opening migrates what the kill left at 0002
        assert checked.schema_revision() == HEAD_REVISION
        assert contacts.list_contacts(checked).total == IMPORT_SIZE
        assert search.search(checked, "person42", kinds=("contact",)), "search works after"
        checked.close()
    assert interrupted, "no kill landed during a migration: the test proved nothing"


# --- a restore -----------------------------------------------------------------------------------


def _big_database(path: Path, marker: str) -> None:
    """A few MiB of contacts, so that a restore takes long enough to be killed mid-way."""
    db = open_database(path)
    with db.write() as tx:
        tx.executemany(
            "INSERT INTO contact (first_name, last_name, notes, tags, created_at, updated_at, "
            "created_by, updated_by) VALUES ('Restore', :last, :notes, '', :at, :at, 't', 't')",
            [
                {"last": f"{marker}{i}", "notes": "n" * 400, "at": "2026-11-25 10:30:00.000000"}
                for i in range(8000)
            ],
        )
    db.close()


def _restore(path: Path, backup: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "smallcrm.cli", "--db", str(path), "restore", str(backup), "-y"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _holds(path: Path) -> str:
    db = open_database(path)
    try:
        with db.read() as tx:
            return str(tx.scalar("SELECT last_name FROM contact ORDER BY id LIMIT 1"))
    finally:
        db.close()


def test_a_killed_restore_leaves_the_old_or_the_new_database_and_no_litter(
    tmp_path: Path, rng: random.Random
) -> None:
    path, backup, current = tmp_path / "crm.db", tmp_path / "backup.db", tmp_path / "current.db"
    _big_database(backup, "Backup")
    _big_database(current, "Current")
    shutil.copyfile(current, path)
    began = time.perf_counter()
    assert _finish(_restore(path, backup))[-1].startswith("The database it replaced is kept")
    duration = time.perf_counter() - began

    interrupted = 0
    for _ in range(ROUNDS):
        for kept in tmp_path.glob("crm.before-restore-*.db"):
            kept.unlink()
        shutil.copyfile(current, path)
        child = _restore(path, backup)
        said = _kill(child, rng.uniform(0.3, 1.0) * duration)
        interrupted += not any(line.startswith("Restored") for line in said)
        assert _holds(path) in ("Current0", "Backup0")  # opening it tidies up
        litter = [p.name for p in tmp_path.iterdir() if "restoring" in p.name]
        litter += [p.name for p in tmp_path.glob("*.db-journal")]
        assert litter == [], "an interrupted restore left files behind"
        for kept in tmp_path.glob("crm.before-restore-*.db"):
            assert maintenance.integrity_problems(kept) == [], "a kept copy is a whole one"
            assert _holds(kept) == "Current0"
        _assert_sound(path).close()
    assert interrupted, "no kill landed during a restore: the test proved nothing"
