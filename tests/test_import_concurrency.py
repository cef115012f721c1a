"""Others keep writing while a file is imported: none of their saves is refused or lost (issue
11, item 14). ``benchmarks/import_concurrency_bench.py`` measures the same at 200,000 rows.

Three writer processes (tests/writer_child.py ``logs``) log calls in a loop, never retrying a
refusal, while this process imports a few thousand contacts; every call they acknowledged must
be stored, none may have been refused as busy, and some must have been made while the import
ran.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from smallcrm.store import contacts
from smallcrm.store.db import Database
from smallcrm.store.io import import_file

pytestmark = pytest.mark.slow

CHILD = Path(__file__).with_name("writer_child.py")
WRITERS = 3
ROWS = 4000


def _csv(path: Path) -> Path:
    with path.open("w", encoding="utf-8") as out:
        out.write("First Name,Last Name,E-mail 1 - Value,Phone 1 - Value,Organization Name\n")
        for i in range(ROWS):
            out.write(f"Person{i},Busy,p{i}@example.com,+49 151 {30000000 + i},Firma {i % 50}\n")
    return path


def test_writers_are_never_refused_while_a_file_is_imported(
    db: Database, db_path: Path, tmp_path: Path
) -> None:
    anna = contacts.create_contact(db, name="Anna Adler")
    writers = [
        subprocess.Popen(
            [sys.executable, str(CHILD), "logs", str(db_path), str(anna.id)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(WRITERS)
    ]
    for writer in writers:
        assert writer.stdout is not None and writer.stderr is not None
        assert writer.stdout.readline() == "logging\n", writer.stderr.read()
    began = time.time()
    report = import_file(db, _csv(tmp_path / "busy.csv"))
    took = time.time() - began
    time.sleep(0.3)
    lines: list[str] = []
    for writer in writers:
        writer.kill()
        assert writer.stdout is not None and writer.stderr is not None
        # Read through the stream: its buffer may hold lines read along with "logging".
        lines += writer.stdout.read().splitlines()
        writer.stderr.close()
        writer.wait(timeout=30)
    acknowledged = [int(line.split()[1]) for line in lines if line.startswith("interaction ")]
    refused = [line for line in lines if line.startswith("busy")]
    assert report.created == ROWS and refused == []
    with db.read() as tx:
        stored = {row["id"] for row in tx.all("SELECT id FROM interaction")}
        # Audit entries are numbered in the order their transactions committed.
        during = tx.scalar(
            "SELECT count(*) FROM audit_entry WHERE kind = 'interaction' "
            "AND id > (SELECT min(id) FROM audit_entry WHERE action = 'import') "
            "AND id < (SELECT max(id) FROM audit_entry WHERE action = 'import')"
        )
    # A writer killed between its commit and its line leaves one call it did not acknowledge.
    assert set(acknowledged) <= stored and len(stored) - len(acknowledged) <= WRITERS
    assert len(acknowledged) >= WRITERS * 5, f"{len(acknowledged)} calls in {took:.1f} s"
    assert during, "no call was logged while the file was imported: the test proved nothing"
