"""Moving a CRM to another database: ``smallcrm migrate-to URL`` and ``store.transfer``.

The source is always a SQLite file (what a business outgrows); the target is the test's own
database, which is a PostgreSQL database on the PostgreSQL run of the suite (the case the
README documents) and another SQLite file otherwise.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from smallcrm.cli import app
from smallcrm.store import audit, contacts, search, transfer
from smallcrm.store.db import Database, open_database
from smallcrm.store.demo import load_demo
from smallcrm.store.errors import ValidationError

TODAY = date(2026, 11, 25)


@pytest.fixture(scope="module")
def source_file(tmp_path_factory: pytest.TempPathFactory, sqlite_template: bytes) -> bytes:
    """A SQLite file holding the demo CRM, one edit and one trashed contact: its bytes, made
    once for the module (loading the demo is the slow part), checkpointed so that they are
    the whole database."""
    path = tmp_path_factory.mktemp("source") / "old.db"
    path.write_bytes(sqlite_template)
    database = open_database(path)
    load_demo(database, today=TODAY)
    first = contacts.get_contact(database, 1)
    contacts.update_contact(database, 1, first.tracking.version, title="Head of Buying")
    contacts.delete_contact(database, 2)
    database.close()
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path.read_bytes()


@pytest.fixture
def source(source_file: bytes, tmp_path: Path) -> Iterator[Database]:
    """This test's own copy of the source file, open."""
    path = tmp_path / "old.db"
    path.write_bytes(source_file)
    database = open_database(path)
    yield database
    database.close()


def _counts(db: Database) -> dict[str, int]:
    with db.read() as tx:
        return {t: int(tx.scalar(f"SELECT COUNT(*) FROM {t}")) for t in transfer.TABLES}


def test_copies_every_record_with_ids_history_and_search(source: Database, db: Database) -> None:
    result = transfer.copy_database(source, db)

    assert _counts(db) == _counts(source) == result.counts
    assert result.counts["contact"] == 200 and result.counts["interaction"] == 1017
    assert contacts.get_contact(db, 1) == contacts.get_contact(source, 1)
    assert contacts.get_contact(db, 1).title == "Head of Buying"
    assert contacts.get_contact(db, 2, trashed=True).tracking.deleted_at is not None
    assert audit.history(db, "contact", 1) == audit.history(source, "contact", 1)
    name = contacts.get_contact(source, 3).name
    hits = search.search(db, name, kinds=("contact",))
    assert (3, name) in {(hit.record_id, hit.title) for hit in hits}
    # The target's own counts and ids go on from the copied ones.
    assert contacts.list_contacts(db, contacts.ListQuery(limit=1)).total == 199
    assert contacts.create_contact(db, allow_duplicate=True, name="New Person").id == 201


def test_refuses_a_target_that_holds_records(source: Database, db: Database) -> None:
    contacts.create_contact(db, allow_duplicate=True, name="Already Here")
    before = _counts(db)

    with pytest.raises(ValidationError) as caught:
        transfer.copy_database(source, db)

    assert caught.value.field == "target" and "already holds records" in str(caught.value)
    assert _counts(db) == before


def test_refuses_copying_a_database_onto_itself(source: Database) -> None:
    with pytest.raises(ValidationError, match="the target is the database being copied"):
        transfer.copy_database(source, source)


def test_a_copy_failing_half_way_leaves_the_target_empty(
    source: Database, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _counts(db)

    def broken(writer: object, table: str) -> None:
        if table == "audit_entry":
            raise RuntimeError("connection lost")

    monkeypatch.setattr(transfer, "sync_id_sequence", broken)
    with pytest.raises(RuntimeError):
        transfer.copy_database(source, db)

    assert _counts(db) == before
    assert transfer.records_held(db) == {}


def test_describe_target_hides_the_password() -> None:
    assert (
        transfer.describe_target("postgresql+psycopg://crm:s3cret@db.example:5432/crm")
        == "postgresql+psycopg://crm:***@db.example:5432/crm"
    )
    assert transfer.describe_target("postgresql://db.example/crm") == "postgresql://db.example/crm"
    assert transfer.describe_target("/srv/crm.db") == "/srv/crm.db"


def test_every_table_is_copied_or_derived(source: Database) -> None:
    with source.read() as tx:
        tables = {
            row[0]
            for row in tx.all("SELECT name FROM sqlite_master WHERE type = 'table'")
            if not row[0].startswith(("sqlite_", "search_fts"))
        }
    assert tables == set(transfer.TABLES) | set(transfer.DERIVED)


def test_shell_command_copies_then_refuses_a_second_copy(
    source: Database, new_empty_database_url: Callable[[str], Path | str]
) -> None:
    runner = CliRunner()
    target = new_empty_database_url("new.db")  # made and migrated by the command itself
    args = ["--db", str(source.path), "migrate-to", str(target)]

    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "200 contacts, 50 accounts, 1,017 interactions" in first.stdout
    assert "export SMALLCRM_DB=URL" in first.stdout

    second = runner.invoke(app, args)
    assert second.exit_code == 1
    assert "already holds records" in second.stderr and "Traceback" not in second.output
