"""PostgreSQL-only behaviour: concurrent migrations, accent-insensitive search through
``unaccent``, serialised writers, clear errors, and the SQLite-file commands refusing.

Run with ``SMALLCRM_TEST_POSTGRES`` set (``.ci/run`` does); skipped otherwise.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from smallcrm.store import accounts, contacts, migrate, search
from smallcrm.store.db import BUSY_TIMEOUT_MS, Database, open_database
from smallcrm.store.errors import StoreError
from smallcrm.store.listing import live_count
from smallcrm.store.migrations import HEAD_REVISION

pytestmark = pytest.mark.postgres_only

SERVER = os.environ.get("SMALLCRM_TEST_POSTGRES", "")


def _admin(sql: str) -> None:
    import psycopg

    base = SERVER.rsplit("/", 1)[0].replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(sql)


@pytest.fixture
def empty_url() -> Iterator[str]:
    """A new, empty database (not copied from the migrated template)."""
    name = f"empty_{os.getpid()}_{id(object())}"
    _admin(f"CREATE DATABASE {name}")
    yield f"{SERVER.rsplit('/', 1)[0]}/{name}"
    _admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _open_and_count(url: str, start: object, out: object) -> None:
    start.wait(30)  # type: ignore[attr-defined]
    database = open_database(url)
    contacts.create_contact(database, allow_duplicate=True, name=f"Process {os.getpid()}")
    out.put(database.schema_revision())  # type: ignore[attr-defined]
    database.close()


def test_four_processes_migrate_one_new_database_at_once(empty_url: str) -> None:
    context = multiprocessing.get_context("spawn")
    start, out = context.Event(), context.Queue()
    workers = [
        context.Process(target=_open_and_count, args=(empty_url, start, out)) for _ in range(4)
    ]
    for worker in workers:
        worker.start()
    start.set()
    for worker in workers:
        worker.join(120)
    assert [w.exitcode for w in workers] == [0, 0, 0, 0]
    assert sorted(out.get(timeout=5) for _ in workers) == [HEAD_REVISION] * 4
    database = open_database(empty_url)
    with database.read() as tx:
        assert tx.all("SELECT version_num FROM alembic_version") == [(HEAD_REVISION,)]
        assert tx.scalar("SELECT count(*) FROM pg_trigger WHERE tgname = 'contact_search'") == 1
        assert live_count(tx, "contact") == 4
    assert contacts.list_contacts(database).total == 4
    assert len(search.search(database, "process", per_kind=10)) == 4
    database.close()


def test_failed_first_migration_leaves_the_database_empty(
    empty_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scripts = tmp_path / "migrations"
    shutil.copytree(migrate.MIGRATIONS_DIR, scripts)
    (scripts / "versions" / "9998_broken.py").write_text(
        f'"""Broken."""\nrevision = "9998"\ndown_revision = {HEAD_REVISION!r}\n'
        "branch_labels = None\ndepends_on = None\n\n"
        "def upgrade():\n    raise RuntimeError('migration failed half way')\n"
    )
    monkeypatch.setattr(migrate, "MIGRATIONS_DIR", scripts)
    monkeypatch.setattr("smallcrm.store.migrations.HEAD_REVISION", "9998")
    with pytest.raises(RuntimeError):
        open_database(empty_url)
    database = Database(empty_url, migrate=False)
    assert database.schema_revision() is None
    with database.read() as tx:
        assert tx.scalar("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == 0
        assert tx.scalar("SELECT count(*) FROM pg_proc WHERE proname LIKE 'smallcrm%'") == 0
    database.close()


def test_search_ignores_accents_both_ways_through_unaccent(db: Database) -> None:
    contacts.create_contact(
        db, allow_duplicate=True, name="Zoë Åström", emails=["zoe@firma.example"]
    )
    contacts.create_contact(db, allow_duplicate=True, name="Francois Lefevre")
    accounts.create_account(db, allow_duplicate=True, name="Ёлка ООО")
    assert [h.title for h in search.search(db, "zoe astr")] == ["Zoë Åström"]
    assert [h.title for h in search.search(db, "ÅSTRÖM")] == ["Zoë Åström"]
    assert [h.title for h in search.search(db, "françois lefèvre")] == ["Francois Lefevre"]
    assert [h.title for h in search.search(db, "елка")] == ["Ёлка ООО"]  # unaccent: Ё -> Е
    with db.read() as tx:
        assert tx.scalar("SELECT smallcrm_unaccent('Ångström café')") == "Angstrom cafe"
        volatility = tx.scalar(
            "SELECT provolatile FROM pg_proc WHERE proname = 'smallcrm_unaccent'"
        )
    assert volatility == "i"  # IMMUTABLE: usable by the generated tsvector and its index


def test_search_words_are_split_as_fts5_splits_them(db: Database) -> None:
    contacts.create_contact(
        db, allow_duplicate=True, name="Jean-Luc Picard", emails=["jl.picard@starfleet.example"]
    )
    assert [h.title for h in search.search(db, "luc")] == ["Jean-Luc Picard"]
    assert [h.title for h in search.search(db, "starfleet")] == ["Jean-Luc Picard"]
    assert search.search(db, "picard", names_only=True)
    assert not search.search(db, "starfleet", names_only=True)


@pytest.mark.parametrize("text", ["\x00", "a\x00b", "ŉ'", "':*A & !", "x | y", "\\", "ʼn:*"])
def test_hostile_query_text_is_plain_words(db: Database, text: str) -> None:
    contacts.create_contact(db, allow_duplicate=True, name="Ab Xy")
    assert isinstance(search.search(db, text), list)
    assert isinstance(search.search(db, text, names_only=True), list)


def test_triggers_keep_documents_and_counts_exact(db: Database) -> None:
    acme = accounts.create_account(db, allow_duplicate=True, name="Acme")
    jana = contacts.create_contact(
        db, allow_duplicate=True, name="Jana Novak", account_id=acme.id, emails=["j@a.example"]
    )
    contacts.create_contact(db, allow_duplicate=True, name="Tom Trash")
    accounts.update_account(db, acme.id, None, name="Acme Renamed")
    contacts.update_contact(db, jana.id, None, emails=["jana@b.example"], phones=["030 1234567"])
    gone = contacts.list_contacts(db).items[-1]
    contacts.delete_contact(db, gone.id)
    assert search.check_index(db)
    assert [h.detail for h in search.search(db, "jana")] == [
        "jana@b.example +49301234567 Acme Renamed"
    ]
    with db.read() as tx:
        assert live_count(tx, "contact") == 1
    contacts.restore_contact(db, gone.id)
    assert contacts.list_contacts(db).total == 2 and search.check_index(db)


def test_connections_wait_for_locks_as_long_as_sqlite(db: Database) -> None:
    with db.read() as tx:
        assert tx.scalar("SHOW lock_timeout") == f"{BUSY_TIMEOUT_MS // 1000}s"


def _increment(url: str, times: int) -> None:
    database = open_database(url)
    for _ in range(times):
        with database.write() as tx:
            value = int(tx.scalar("SELECT value FROM setting WHERE key = 'counter'"))
            tx.execute("UPDATE setting SET value = :v WHERE key = 'counter'", v=str(value + 1))
    database.close()


def test_writers_are_serialised_so_no_update_is_lost(db: Database) -> None:
    with db.write() as tx:
        tx.execute("INSERT INTO setting (key, value) VALUES ('counter', '0')")
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_increment, args=(db.url, 100)) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
    assert [w.exitcode for w in workers] == [0, 0, 0, 0]
    with db.read() as tx:
        assert tx.scalar("SELECT value FROM setting WHERE key = 'counter'") == "400"


def test_unreachable_server_is_a_clear_error() -> None:
    with pytest.raises(StoreError, match=r"nosuchdb on 127\.0\.0\.1:1\b") as err:
        open_database("postgresql+psycopg://smallcrm:secret@127.0.0.1:1/nosuchdb")
    assert "secret" not in str(err.value)


def test_ids_continue_after_records_written_with_their_own_ids(
    db: Database, tmp_path: Path
) -> None:
    from smallcrm.store.io import import_file

    people = tmp_path / "people.csv"
    people.write_text("First Name,Last Name\nAnna,Alpha\nBert,Beta\n", encoding="utf-8")
    assert import_file(db, people).created == 2  # ids chosen by the import, not the sequence
    made = contacts.create_contact(db, allow_duplicate=True, name="Carla Gamma")
    assert made.id == 3


def test_backup_points_at_pg_dump_and_doctor_checks_the_search_index(db: Database) -> None:
    from typer.testing import CliRunner

    from smallcrm.cli import app

    runner = CliRunner()
    result = runner.invoke(app, ["--db", db.url, "backup"])
    assert result.exit_code == 1 and "pg_dump" in result.output
    assert "Traceback" not in result.output
    contacts.create_contact(db, allow_duplicate=True, name="Jana Novak")
    assert runner.invoke(app, ["--db", db.url, "doctor"]).exit_code == 0
    with db.write() as tx:
        tx.execute("DELETE FROM search_doc")
    result = runner.invoke(app, ["--db", db.url, "doctor"])
    assert result.exit_code == 1 and "doctor --repair" in result.output
    assert runner.invoke(app, ["--db", db.url, "doctor", "--repair"]).exit_code == 0
    assert [h.title for h in search.search(db, "jana")] == ["Jana Novak"]


def test_suggestions_use_trigrams_when_first_letters_are_wrong(db: Database) -> None:
    from smallcrm.store import lookalikes

    contacts.create_contact(db, allow_duplicate=True, name="Jana Novák")
    contacts.create_contact(db, allow_duplicate=True, name="Otto Berg")
    assert [h.title for h in lookalikes.suggest(db, "hjana movak", ("contact",))] == ["Jana Novák"]
