"""smallcrm JSON per kind, and the portable backup of the whole database."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from smallcrm.store import accounts, appointments, contacts, interactions, opportunities
from smallcrm.store.db import Database, open_database
from smallcrm.store.errors import ValidationError
from smallcrm.store.io import (
    ImportRejected,
    export_database,
    export_records,
    import_file,
    restore_database,
    undo_import,
)
from smallcrm.store.io.backup import _primary_key
from smallcrm.store.io.tables import tables

FIXTURES = Path(__file__).resolve().parents[1] / "data" / "fixtures"


def _crm(db: Database) -> None:
    """A small CRM with one of everything, a change, a trashed record and an import."""
    acme = accounts.create_account(
        db, allow_duplicate=True, name="Acme GmbH", website="acme.example", tags="key"
    )
    jana = contacts.create_contact(
        db,
        allow_duplicate=True,
        name="Jana Novák",
        account_id=acme.id,
        emails=["jana@acme.example"],
        phones=["+49 151 23456789"],
        birthday="1985-07-02",
        email_opt_in=True,
        email_consent_source="web form",
    )
    contacts.update_contact(db, jana.id, None, title="Head of Purchasing")
    deal = opportunities.create_opportunity(
        db, name="Acme expansion", account_id=acme.id, contact_id=jana.id, amount="12k",
        expected_close=date(2026, 12, 15), stage="proposal",
    )  # fmt: skip
    interactions.log_interaction(
        db, kind="call", subject="Intro", contact_id=jana.id, opportunity_id=deal.id,
        happened_at=datetime(2026, 11, 2, 9, tzinfo=UTC), follow_up_on=date(2026, 11, 9),
    )  # fmt: skip
    appointments.create_appointment(
        db, title="Demo", starts_at=datetime(2026, 12, 1, 14, tzinfo=UTC),
        duration=timedelta(hours=1), contact_id=jana.id, rrule="FREQ=WEEKLY;COUNT=3",
    )  # fmt: skip
    gone = contacts.create_contact(db, allow_duplicate=True, name="Old Contact")
    contacts.delete_contact(db, gone.id)
    import_file(db, FIXTURES / "google_contacts.csv")


def _dump(db: Database) -> dict[str, list[dict[str, object]]]:
    with db.read() as tx:
        return {
            name: [
                dict(r) for r in tx.all(f"SELECT * FROM {name} ORDER BY {_primary_key(tx, name)}")
            ]
            for name in tables(tx)
        }


def test_per_kind_json_round_trip(db: Database, tmp_path: Path) -> None:
    _crm(db)
    for kind in ("contacts", "accounts", "opportunities", "interactions", "appointments"):
        out = io.StringIO()
        written = export_records(db, kind, "json", out)
        data = json.loads(out.getvalue())
        assert data["format"] == "smallcrm" and data["version"] == 1
        assert len(data["records"]) == written
        path = tmp_path / f"{kind}.json"
        path.write_text(out.getvalue(), encoding="utf-8")
        report = import_file(db, path)  # the kind comes from the file
        assert report.unchanged == written, (
            kind,
            [r for r in report.rows if r.action != "unchanged"],
        )


def test_json_contact_fields(db: Database) -> None:
    _crm(db)
    out = io.StringIO()
    export_records(db, "contacts", "json", out)
    jana = next(r for r in json.loads(out.getvalue())["records"] if r["first_name"] == "Jana")
    assert jana["emails"][0] == {"label": "work", "value": "jana@acme.example"}
    assert jana["birthday"] == "1985-07-02" and jana["account"] == "Acme GmbH"
    assert jana["email_opt_in"] is True and jana["email_consent_source"] == "web form"
    assert datetime.fromisoformat(jana["created_at"]).tzinfo is not None
    assert list(jana) == sorted(jana)  # stable keys


def test_json_into_another_database(
    db: Database, tmp_path: Path, new_sqlite_database: Callable[[str], Path]
) -> None:
    _crm(db)
    out = io.StringIO()
    export_records(db, "contacts", "json", out)
    path = tmp_path / "contacts.json"
    path.write_text(out.getvalue(), encoding="utf-8")
    other = open_database(new_sqlite_database("other.db"))
    assert import_file(other, path).created == 5
    copy = {c.name: c for c in contacts.iter_contacts(other)}["Jana Novák"]
    assert copy.account_name == "Acme GmbH" and copy.birthday == date(1985, 7, 2)
    assert copy.phones[0].value == "+4915123456789"
    other.close()


@pytest.mark.parametrize(
    ("text", "kind", "message"),
    [
        ("{", None, "line 1 column 2: not valid JSON"),
        ('{"records": 3}', None, "is not smallcrm JSON"),
        ('[{"name": "A"}]', None, "does not say what it holds"),
        ('{"kind": "widgets", "records": []}', None, "not a kind of record"),
        ('{"kind": "contact", "records": []}', "deals", "holds contacts, not deals"),
        ("[" * 5000 + "]" * 5000, "contacts", "nested too deeply"),
    ],
)
def test_bad_json_is_refused(
    db: Database, tmp_path: Path, text: str, kind: str | None, message: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises(ValidationError, match=message):
        import_file(db, path, kind)


def test_json_list_with_foreign_keys_and_a_bad_record(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "list.json"
    path.write_text(
        json.dumps([{"First Name": "Anna", "Last Name": "Smith", "E-mail": "a@example.com"}, 7])
    )
    with pytest.raises(ImportRejected) as caught:
        import_file(db, path, "contacts")
    assert str(caught.value.report.problems[0]) == "record 2: is int, not an object"
    assert import_file(db, path, "contacts", skip_invalid=True).created == 1


# --- the whole database ------------------------------------------------------------------------


def test_backup_and_restore_give_back_every_table(
    db: Database, tmp_path: Path, new_sqlite_database: Callable[[str], Path]
) -> None:
    _crm(db)
    out = io.StringIO()
    counts = export_database(db, out)
    data = json.loads(out.getvalue())
    assert data["format"] == "smallcrm-backup" and data["schema"]
    assert set(data["tables"]) == set(counts) and "search_doc" not in counts
    assert counts["contact"] == 6 and counts["audit_entry"] > 10 and counts["stage"] == 6
    path = tmp_path / "backup.json"
    path.write_text(out.getvalue(), encoding="utf-8")
    copy = open_database(new_sqlite_database("restored.db"))
    seen: list[tuple[int, int | None]] = []
    report = restore_database(copy, path, progress=lambda d, t: seen.append((d, t)))
    assert report.committed and report.created == sum(counts.values())
    assert seen[-1][0] == seen[-1][1] == sum(counts.values())
    original, restored = _dump(db), _dump(copy)
    for table in original:
        rows = restored[table]
        if table == "import_batch":
            rows = [r for r in rows if r["id"] != report.batch_id]
        if table == "audit_entry":
            rows = rows[: len(original[table])]
        assert sorted(rows, key=repr) == sorted(original[table], key=repr), table
    from smallcrm.store.search import check_index, search

    assert check_index(copy)
    assert [h.title for h in search(copy, "novak", kinds=("contact",))] == ["Jana Novák"]
    assert search(copy, "Old Contact") == []  # still in the trash
    copy.close()


def test_backup_is_imported_by_import_file_and_undone(
    db: Database, tmp_path: Path, new_sqlite_database: Callable[[str], Path]
) -> None:
    _crm(db)
    out = io.StringIO()
    export_database(db, out)
    path = tmp_path / "backup.json"
    path.write_text(out.getvalue(), encoding="utf-8")
    copy = open_database(new_sqlite_database("restored.db"))
    preview = import_file(copy, path, dry_run=True)
    assert preview.dry_run and preview.created > 0
    assert contacts.list_contacts(copy).total == 0
    report = import_file(copy, path)
    assert report.file_format == "backup" and contacts.list_contacts(copy).total == 5
    with pytest.raises(ValidationError, match="already holds records"):
        import_file(copy, path)
    undone = undo_import(copy, report.batch_id)
    assert undone.deleted > 0
    assert contacts.list_contacts(copy).total == 0
    assert [s.name for s in opportunities.stages(copy)][0] == "lead"
    copy.close()


def test_a_restore_is_not_undone_after_further_work(
    db: Database, tmp_path: Path, new_sqlite_database: Callable[[str], Path]
) -> None:
    _crm(db)
    out = io.StringIO()
    export_database(db, out)
    path = tmp_path / "backup.json"
    path.write_text(out.getvalue(), encoding="utf-8")
    copy = open_database(new_sqlite_database("restored.db"))
    report = restore_database(copy, path)
    contacts.create_contact(copy, allow_duplicate=True, name="New After Restore")
    with pytest.raises(ValidationError, match="changed after restore"):
        undo_import(copy, report.batch_id)
    copy.close()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["tables"].update(widgets=[]), "tables this database does not have"),
        (lambda d: d["tables"]["contact"][0].update(shoe_size=44), "unknown columns shoe_size"),
        (lambda d: d["tables"]["contact"].append(7), "is not an object"),
        (lambda d: d.update(version=99), "version 99"),
        (lambda d: d["tables"]["contact_method"][0].update(contact_id=999), "do not fit"),
    ],
)
def test_broken_backups_are_refused_and_change_nothing(
    db: Database,
    tmp_path: Path,
    new_sqlite_database: Callable[[str], Path],
    change: object,
    message: str,
) -> None:
    _crm(db)
    out = io.StringIO()
    export_database(db, out)
    data = json.loads(out.getvalue())
    change(data)  # type: ignore[operator]
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(data))
    copy = open_database(new_sqlite_database("restored.db"))
    with pytest.raises(ValidationError, match=message):
        restore_database(copy, path)
    assert contacts.list_contacts(copy).total == 0
    copy.close()
