"""``smallcrm sync``: the folder a phone server serves, written and read back through files
(the same files Radicale serves; tests/test_sync_radicale.py goes through Radicale itself)."""

from __future__ import annotations

import fcntl
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from smallcrm.store import appointments, contacts
from smallcrm.store.db import Database
from smallcrm.store.vdir import folder
from smallcrm.store.vdir.run import Report, SyncRefused, sync_folder

START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _people(db: Database, count: int = 2) -> list[int]:
    names = ["Jana Novak", "Petr Dvorak", "Eva Svobodova", "Karel Cerny", "Olga Mala"]
    return [
        contacts.create_contact(
            db, allow_duplicate=True, name=names[i], emails=[f"p{i}@example.com"], title="Buyer"
        ).id
        for i in range(count)
    ]


def _sync(db: Database, target: Path, **options: object) -> dict[str, Report]:
    return {r.collection: r for r in sync_folder(db, target, **options)}  # type: ignore[arg-type]


def _card(target: Path, contact_id: int) -> Path:
    return target / "contacts" / f"smallcrm-contact-{contact_id}.vcf"


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8", newline="")


def test_first_sync_writes_a_file_per_record_and_a_second_writes_none(
    db: Database, tmp_path: Path
) -> None:
    ids = _people(db)
    appointments.create_appointment(db, title="Site visit", starts_at=START)
    first = _sync(db, tmp_path)
    assert (first["contacts"].written, first["calendar"].written) == (2, 1)
    assert '"VADDRESSBOOK"' in (tmp_path / "contacts" / ".Radicale.props").read_text()
    assert '"VCALENDAR"' in (tmp_path / "calendar" / ".Radicale.props").read_text()
    assert "UID:contact-" in _card(tmp_path, ids[0]).read_text()
    event = next((tmp_path / "calendar").glob("*.ics")).read_text()
    assert "SUMMARY:Site visit" in event and "UID:appointment-" in event
    files = [p for p in tmp_path.rglob("*.*") if p.is_file() and p.name != folder.LOCK_NAME]
    times = {p: p.stat().st_mtime_ns for p in files}
    second = _sync(db, tmp_path)
    assert (second["contacts"].written, second["calendar"].written) == (0, 0)
    assert {p: p.stat().st_mtime_ns for p in times} == times


def test_a_crm_edit_rewrites_that_file_only(db: Database, tmp_path: Path) -> None:
    ids = _people(db)
    _sync(db, tmp_path)
    before = _card(tmp_path, ids[1]).read_bytes()
    contacts.update_contact(db, ids[0], 1, title="Head of purchasing")
    report = _sync(db, tmp_path, collections=("contacts",))["contacts"]
    assert report.written == 1
    assert "TITLE:Head of purchasing" in _card(tmp_path, ids[0]).read_text()
    assert _card(tmp_path, ids[1]).read_bytes() == before


def test_a_phone_edit_is_saved_with_the_version_it_was_based_on(
    db: Database, tmp_path: Path
) -> None:
    ids = _people(db)
    _sync(db, tmp_path)
    _edit(_card(tmp_path, ids[0]), "TITLE:Buyer", "TITLE:Chief buyer")
    report = _sync(db, tmp_path)["contacts"]
    assert (report.from_phone, report.conflicts) == (1, [])
    jana = contacts.get_contact(db, ids[0])
    assert (jana.title, jana.tracking.version) == ("Chief buyer", 2)
    assert [m.value for m in jana.emails] == ["p0@example.com"]
    assert _sync(db, tmp_path)["contacts"].written == 0


def test_an_edit_on_both_sides_keeps_the_crm_and_the_phone_values_in_the_notes(
    db: Database, tmp_path: Path
) -> None:
    ids = _people(db)
    _sync(db, tmp_path)
    contacts.update_contact(db, ids[0], 1, title="Director")
    _edit(_card(tmp_path, ids[0]), "TITLE:Buyer", "TITLE:Chief buyer")
    report = _sync(db, tmp_path)["contacts"]
    assert len(report.conflicts) == 1
    message = report.conflicts[0]
    assert f"contact {ids[0]} (Jana Novak)" in message
    assert "title: phone Chief buyer; CRM Director" in message
    jana = contacts.get_contact(db, ids[0])
    assert jana.title == "Director"
    assert jana.notes is not None and "title: Chief buyer" in jana.notes
    card = _card(tmp_path, ids[0]).read_text()
    assert "TITLE:Director" in card and "Chief buyer" in card  # the note went to the phone too


def test_different_fields_changed_on_both_sides_are_merged_without_a_conflict(
    db: Database, tmp_path: Path
) -> None:
    ids = _people(db)
    _sync(db, tmp_path)
    contacts.update_contact(db, ids[0], 1, emails=["jana@new.example"])
    _edit(_card(tmp_path, ids[0]), "TITLE:Buyer", "TITLE:Chief buyer")
    report = _sync(db, tmp_path)["contacts"]
    assert (report.from_phone, report.conflicts) == (1, [])
    jana = contacts.get_contact(db, ids[0])
    assert (jana.title, [m.value for m in jana.emails]) == ("Chief buyer", ["jana@new.example"])
    assert not jana.notes
    card = _card(tmp_path, ids[0]).read_text()
    assert "TITLE:Chief buyer" in card and "jana@new.example" in card


def test_a_card_added_on_a_phone_becomes_a_contact(db: Database, tmp_path: Path) -> None:
    _sync(db, tmp_path)
    card = tmp_path / "contacts" / "0A1B-phone.vcf"
    card.write_text(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:0A1B-phone\r\nFN:Marta Kralova\r\n"
        "N:Kralova;Marta;;;\r\nORG:Acme s.r.o.\r\nTEL;TYPE=CELL:+420 777 123 456\r\n"
        "END:VCARD\r\n",
        newline="",
    )
    report = _sync(db, tmp_path)["contacts"]
    assert report.created == 1
    found = list(contacts.iter_contacts(db))
    assert [(c.name, c.external_id, c.account_name) for c in found] == [
        ("Marta Kralova", "0A1B-phone", "Acme s.r.o.")
    ]
    assert "UID:0A1B-phone" in card.read_text()  # the phone's name and UID stay
    assert not list((tmp_path / "contacts").glob("smallcrm-*"))
    assert _sync(db, tmp_path)["contacts"].written == 0


def test_cards_a_phone_uploads_again_under_new_names_make_no_second_contact(
    db: Database, tmp_path: Path
) -> None:
    ids = _people(db, 3)
    _sync(db, tmp_path)
    for number, contact_id in enumerate(ids):  # the server lost them; the phone sends its own
        card = _card(tmp_path, contact_id)
        text = card.read_text(encoding="utf-8")
        if number == 0:
            text = text.replace("TITLE:Buyer", "TITLE:Chief buyer")
        (tmp_path / "contacts" / f"phone-{number}.vcf").write_text(text, newline="")
        card.unlink()
    report = _sync(db, tmp_path, yes=True)["contacts"]
    assert (report.created, report.from_phone, report.conflicts) == (0, 3, [])
    assert len(list(contacts.iter_contacts(db))) == 3
    assert contacts.get_contact(db, ids[0]).title == "Chief buyer"
    names = sorted(p.name for p in (tmp_path / "contacts").glob("*.vcf"))
    assert names == ["phone-0.vcf", "phone-1.vcf", "phone-2.vcf"]  # the phone's names now
    assert sum("the file of contact" in w for w in report.warnings) == 3
    again = _sync(db, tmp_path)["contacts"]
    assert (again.written, again.created, again.from_phone, again.warnings) == (0, 0, 0, [])


def test_a_phone_s_card_of_an_imported_contact_is_that_contact(
    db: Database, tmp_path: Path
) -> None:
    jana = contacts.create_contact(db, name="Jana Novak", external_id="ABCD-1234")
    (tmp_path / "contacts").mkdir()
    (tmp_path / "contacts" / "ABCD-1234.vcf").write_text(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:ABCD-1234\r\nFN:Jana Novak\r\n"
        "N:Novak;Jana;;;\r\nTITLE:Buyer\r\nEND:VCARD\r\n",
        newline="",
    )
    report = _sync(db, tmp_path)["contacts"]
    assert (report.created, report.from_phone) == (0, 1)
    assert [c.id for c in contacts.iter_contacts(db)] == [jana.id]
    assert contacts.get_contact(db, jana.id).title == "Buyer"
    assert [p.name for p in (tmp_path / "contacts").glob("*.vcf")] == ["ABCD-1234.vcf"]
    assert _sync(db, tmp_path)["contacts"].written == 0


def test_a_file_deleted_on_a_phone_is_written_again_with_a_warning(
    db: Database, tmp_path: Path
) -> None:
    ids = _people(db, 5)
    _sync(db, tmp_path)
    _card(tmp_path, ids[2]).unlink()
    report = _sync(db, tmp_path)["contacts"]
    assert _card(tmp_path, ids[2]).exists()
    assert report.written == 1
    assert any("deleted on a phone" in w for w in report.warnings)
    assert contacts.get_contact(db, ids[2]).name == "Eva Svobodova"


def test_more_than_a_fifth_gone_changes_nothing_without_yes(db: Database, tmp_path: Path) -> None:
    ids = _people(db, 5)
    _sync(db, tmp_path)
    for contact_id in ids[:2]:
        _card(tmp_path, contact_id).unlink()
    contacts.update_contact(db, ids[3], 1, title="Changed meanwhile")
    with pytest.raises(SyncRefused, match="2 of the 5 files"):
        _sync(db, tmp_path)
    assert not _card(tmp_path, ids[0]).exists()
    assert "Changed meanwhile" not in _card(tmp_path, ids[3]).read_text()
    report = _sync(db, tmp_path, yes=True)["contacts"]
    assert report.written == 3
    assert all(_card(tmp_path, i).exists() for i in ids)


def test_unknown_properties_from_a_phone_are_kept(db: Database, tmp_path: Path) -> None:
    ids = _people(db)
    _sync(db, tmp_path)
    extra = (
        "NICKNAME:Janka\r\nX-PHONE-RINGTONE:bells\r\nitem1.URL:https://jana.example\r\n"
        "item1.X-ABLabel:blog\r\nPHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQSkZJRgABAQ\r\n"
    )
    _edit(_card(tmp_path, ids[0]), "END:VCARD", extra + "END:VCARD")
    _sync(db, tmp_path)
    contacts.update_contact(db, ids[0], 1, title="Director")
    _sync(db, tmp_path)
    card = _card(tmp_path, ids[0]).read_text()
    assert "TITLE:Director" in card
    for line in ("NICKNAME:Janka", "X-PHONE-RINGTONE:bells", "item1.URL:https://jana.example"):
        assert line in card
    assert "PHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQSkZJRgABAQ" in card
    assert not contacts.get_contact(db, ids[0]).notes  # kept in the card, not in the notes


def test_a_trashed_record_leaves_the_folder(db: Database, tmp_path: Path) -> None:
    ids = _people(db)
    _sync(db, tmp_path)
    contacts.delete_contact(db, ids[1])
    report = _sync(db, tmp_path)["contacts"]
    assert report.removed == 1 and not _card(tmp_path, ids[1]).exists()
    assert contacts.get_contact(db, ids[0]).name == "Jana Novak"


def test_mine_syncs_the_owner_s_records_and_gives_phones_new_ones_to_them(
    db: Database, tmp_path: Path
) -> None:
    mine = contacts.create_contact(db, name="Jana Novak", owner="jana").id
    contacts.create_contact(db, name="Petr Dvorak", owner="petr")
    report = _sync(db, tmp_path, mine=True, actor="jana")["contacts"]
    assert report.files == 1 and _card(tmp_path, mine).exists()
    (tmp_path / "contacts" / "new.vcf").write_text(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:new-1\r\nFN:Ola Nova\r\nN:Nova;Ola;;;\r\nEND:VCARD\r\n"
    )
    _sync(db, tmp_path, mine=True, actor="jana")
    ola = next(c for c in contacts.iter_contacts(db) if c.name == "Ola Nova")
    assert ola.owner == "jana"
    assert _sync(db, tmp_path, mine=True, actor="jana")["contacts"].removed == 0


def test_an_event_edited_and_one_added_on_a_phone(db: Database, tmp_path: Path) -> None:
    visit = appointments.create_appointment(db, title="Site visit", starts_at=START)
    _sync(db, tmp_path)
    path = tmp_path / "calendar" / f"smallcrm-appointment-{visit.id}.ics"
    _edit(path, "SUMMARY:Site visit", "SUMMARY:Site visit (gate 3)")
    (tmp_path / "calendar" / "phone-1.ics").write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Phone//EN\r\nBEGIN:VEVENT\r\n"
        "UID:phone-1\r\nDTSTAMP:20261125T100000Z\r\nDTSTART:20261202T130000Z\r\n"
        "DTEND:20261202T140000Z\r\nSUMMARY:Call Jana\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    report = _sync(db, tmp_path)["calendar"]
    assert (report.from_phone, report.created) == (1, 1)
    assert appointments.get_appointment(db, visit.id).title == "Site visit (gate 3)"
    added = [a for a in appointments.iter_appointments(db) if a.uid == "phone-1"]
    assert [(a.title, a.starts_at) for a in added] == [
        ("Call Jana", datetime(2026, 12, 2, 13, 0, tzinfo=UTC))
    ]
    assert _sync(db, tmp_path)["calendar"].written == 0


def test_sync_waits_for_the_server_s_lock(db: Database, tmp_path: Path) -> None:
    _people(db, 1)
    target = tmp_path / "collection-root" / "jana"
    target.mkdir(parents=True)
    lock = tmp_path / ".Radicale.lock"  # Radicale's, beside collection-root
    assert folder.lock_path(target) == lock
    with open(lock, "w+") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)
        worker = threading.Thread(target=sync_folder, args=(db, target))
        worker.start()
        time.sleep(0.5)
        assert worker.is_alive() and not (target / "contacts").exists()
        fcntl.flock(held.fileno(), fcntl.LOCK_UN)
    worker.join(10)
    assert len(list((target / "contacts").glob("*.vcf"))) == 1


def test_erasing_a_person_forgets_what_their_synced_card_said(db: Database, tmp_path: Path) -> None:
    from smallcrm.store import privacy

    ids = _people(db)
    _sync(db, tmp_path)
    _edit(_card(tmp_path, ids[0]), "END:VCARD", "NICKNAME:Janka\r\nEND:VCARD")
    _sync(db, tmp_path)
    privacy.erase_person(db, ids[0])
    with db.read() as tx:
        texts = [r[0] for r in tx.all("SELECT content FROM sync_text")]
        extras = [r[0] for r in tx.all("SELECT extra FROM sync_file WHERE extra IS NOT NULL")]
    assert len(texts) == 1 and "Petr" in texts[0] and extras == []
    assert _sync(db, tmp_path)["contacts"].removed == 1
    assert not _card(tmp_path, ids[0]).exists()


INTEROP = Path(__file__).resolve().parents[2] / "shared" / "interop" / "vcard"


@pytest.mark.skipif(not INTEROP.is_dir(), reason="the shared interop samples are not here")
def test_real_phones_cards_added_to_the_folder(db: Database, tmp_path: Path) -> None:
    _sync(db, tmp_path)
    samples = sorted(INTEROP.glob("vcards__*.vcf"))  # the others are links to these
    for sample in samples:
        (tmp_path / "contacts" / sample.name).write_bytes(sample.read_bytes())
    report = _sync(db, tmp_path)["contacts"]
    refused = sorted(w.partition(":")[0] for w in report.warnings if "not added" in w)
    assert refused == ["vcards__org.vcf", "vcards__unparsable.vcf"]  # an organisation, a cut card
    assert report.created == len(samples) - 2
    photo = (tmp_path / "contacts" / "vcards__photov3.vcf").read_text(encoding="utf-8")
    assert "PHOTO" in photo and "UID:" in photo  # the phone's photo stays in its card
    again = _sync(db, tmp_path)["contacts"]
    assert (again.written, again.created, again.from_phone) == (0, 0, 0)


@pytest.mark.skipif(not INTEROP.is_dir(), reason="the shared interop samples are not here")
def test_real_calendar_files_added_to_the_folder(db: Database, tmp_path: Path) -> None:
    _sync(db, tmp_path)
    samples = sorted((INTEROP.parent / "ics").glob("*.ics"))
    for sample in samples:
        (tmp_path / "calendar" / sample.name).write_bytes(sample.read_bytes())
    report = _sync(db, tmp_path)["calendar"]
    refused = [w for w in report.warnings if "not added" in w]
    assert report.created + len(refused) == len(samples)
    assert report.created >= 30  # the rest are broken, hold no event or several, or repeat
    assert any("holds 2 events, not one" in w for w in refused)  # a UID of another file:
    assert any("not added, UID: it is " in w and "'s too" in w for w in refused)
    again = _sync(db, tmp_path)["calendar"]
    assert (again.written, again.created, again.from_phone) == (0, 0, 0)
