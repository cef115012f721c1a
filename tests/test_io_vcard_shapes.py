"""vCards as phones and other programs really write them: line ends, photos, missing names,
bad values, organisations, extensions, several addresses, properties without a field."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from smallcrm.store import accounts, contacts
from smallcrm.store.db import Database
from smallcrm.store.io import import_file
from smallcrm.store.io.people import name_from_email
from smallcrm.store.io.vcard import read_vcards

PHOTO = base64.b64encode(bytes(range(256)) * 12).decode()  # 4 KB: about 55 folded lines


def _card(*lines: str, version: str = "3.0") -> list[str]:
    return ["BEGIN:VCARD", f"VERSION:{version}", *lines, "END:VCARD"]


def _folded(head: str, value: str, width: int = 74) -> list[str]:
    first = head + value[: width - len(head)]
    rest = value[width - len(head) :]
    return [first] + [" " + rest[i : i + width - 1] for i in range(0, len(rest), width - 1)]


def _write(tmp_path: Path, lines: list[str], newline: str = "\r\n", name: str = "in.vcf") -> Path:
    path = tmp_path / name
    path.write_bytes((newline.join(lines) + newline).encode("utf-8"))
    return path


def _people(db: Database) -> dict[str, object]:
    return {c.name: c for c in contacts.iter_contacts(db)}


# --- item: iPhone line ends and photos -----------------------------------------------------------


@pytest.mark.parametrize("newline", ["\r\r\n", "\r\n", "\n", "\r"])
def test_iphone_cards_with_a_photo_folded_over_many_lines(
    db: Database, tmp_path: Path, newline: str
) -> None:
    lines = _card(
        "PRODID:-//Apple Inc.//iPhone OS 17.2//EN",
        "N:Novák;Jana;;;",
        "FN:Jana Novák",
        *_folded("PHOTO;ENCODING=b;TYPE=JPEG:", PHOTO),
        "TEL;type=CELL;type=VOICE;type=pref:+49 151 23456789",
    ) + _card("N:Dvořák;Tomáš;;;", "FN:Tomáš Dvořák", "EMAIL;type=INTERNET:tomas@acme.example")
    assert len(lines) > 60
    report = import_file(db, _write(tmp_path, lines, newline))
    assert (report.created, report.invalid) == (2, 0)
    assert [w.reason for w in report.warnings] == ["photo not imported"]
    assert report.warnings[0].where == "card 1 (line 1)"
    assert _people(db)["Jana Novák"].phones[0].value == "+4915123456789"


def test_vcard_2_1_base64_photo_unindented_and_ended_by_a_blank_line(
    db: Database, tmp_path: Path
) -> None:
    """Old phones write a 2.1 photo's base64 lines without indentation, then a blank line."""
    body = [PHOTO[i : i + 76] for i in range(0, 600, 76)]
    lines = _card(
        "N:Smith;Anna;;;",
        "PHOTO;ENCODING=BASE64;TYPE=JPEG:" + body[0],
        *body[1:],
        "",
        "TEL;CELL:+491701234567",
        version="2.1",
    )
    report = import_file(db, _write(tmp_path, lines))
    assert report.created == 1 and _people(db)["Anna Smith"].phones[0].value == "+491701234567"


def test_a_folded_line_continues_across_blank_lines() -> None:
    text = "BEGIN:VCARD\r\n\r\nFN:Jana\r\nNOTE:first\r\n\r\n  second\r\nEND:VCARD\r\n"
    record = read_vcards(text).records[0]
    assert [i.value for i in record.fields["notes"]] == ["first second"]


# --- item: cards without a name, bad emails, organisations ------------------------------------


@pytest.mark.parametrize(
    ("address", "first", "last"),
    [
        ("jana.novak@example.com", "Jana", "Novak"),
        ("jana_van-dijk@example.com", "Jana", "Van Dijk"),
        ("JANA.NOVAK+crm@example.com", "Jana", "Novak"),
        ("jnovak85@example.com", "Jnovak", ""),
        ("McDonald.ross@example.com", "McDonald", "Ross"),
        ("info@acme.example", "info@acme.example", ""),
        ("sales.team@acme.example", "sales.team@acme.example", ""),
        ("12345@example.com", "12345@example.com", ""),
    ],
)
def test_name_from_email(address: str, first: str, last: str) -> None:
    assert name_from_email(address) == (first, last)


def test_email_only_cards_are_named_after_their_address(db: Database, tmp_path: Path) -> None:
    lines = (
        _card("N:;;;;", "EMAIL;HOME:jana.novak@example.com", version="2.1")
        + _card("FN:petr.svoboda@example.com", "EMAIL:petr.svoboda@example.com")
        + _card("EMAIL;TYPE=work:info@acme.example", version="4.0")
        + _card("TEL;TYPE=cell:+49 151 23456789")
    )
    report = import_file(db, _write(tmp_path, lines))
    assert (report.created, report.invalid) == (4, 0)
    people = _people(db)
    assert set(people) == {"Jana Novak", "Petr Svoboda", "info@acme.example", "+49 151 23456789"}
    assert people["Jana Novak"].emails[0].value == "jana.novak@example.com"
    assert [w.reason for w in report.warnings][:2] == [
        "has no name; named 'Jana Novak' after its email address jana.novak@example.com",
        "has no name; named 'Petr Svoboda' after its email address petr.svoboda@example.com",
    ]
    assert "named '+49 151 23456789' after its phone number" in report.warnings[3].reason


def test_a_card_with_nothing_to_name_it_by_is_a_problem(db: Database, tmp_path: Path) -> None:
    report = import_file(db, _write(tmp_path, _card("NOTE:nobody")), dry_run=True)
    assert report.problems[0].field == "name" and report.problems[0].where == "card 1 (line 1)"


def test_one_bad_email_is_kept_in_the_notes_and_the_card_imported(
    db: Database, tmp_path: Path
) -> None:
    lines = _card(
        "FN:Anna Smith", "EMAIL:anna@@example", "EMAIL;TYPE=work:anna@example.com", "NOTE:VIP"
    )
    report = import_file(db, _write(tmp_path, lines))
    anna = _people(db)["Anna Smith"]
    assert [m.value for m in anna.emails] == ["anna@example.com"]
    assert anna.notes == "VIP\n\nEmail: anna@@example"
    assert [w.reason for w in report.warnings] == [
        "email 'anna@@example' is not a valid address; kept in the notes"
    ]
    again = import_file(db, _write(tmp_path, lines))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)


def test_a_card_whose_only_name_is_its_organisation_is_an_account(
    db: Database, tmp_path: Path
) -> None:
    lines = _card(
        "N:;;;;",
        "FN:Acme Widgets",
        "ORG:Acme Widgets;",
        "EMAIL;TYPE=work:info@acme.example",
        "TEL;TYPE=work:+49 30 1234567",
        "TEL;TYPE=cell:+49 151 23456789",
        "URL:https://acme.example",
    ) + _card("ORG:Nordwerk AG", "TEL:+49 40 3012345", version="2.1")
    report = import_file(db, _write(tmp_path, lines))
    assert (report.created, contacts.list_contacts(db).total) == (2, 0)
    acme, nordwerk = sorted(accounts.iter_accounts(db), key=lambda a: a.name)
    assert (acme.name, acme.phone, acme.website) == (
        "Acme Widgets",
        "+49301234567",
        "https://acme.example",
    )
    assert acme.notes == "Phone (mobile): +49 151 23456789\nEmail: info@acme.example"
    assert (nordwerk.name, nordwerk.phone) == ("Nordwerk AG", "+49403012345")
    again = import_file(db, _write(tmp_path, lines))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


# --- item: nothing lost without a word -----------------------------------------------------------


def test_what_has_no_field_is_kept_in_the_notes_or_named_in_a_warning(
    db: Database, tmp_path: Path
) -> None:
    lines = _card(
        "N:Novák;Jana;;Dr.;",
        "FN:Dr. Jana Novák",
        "NICKNAME:Janka",
        "ORG:Acme GmbH;Einkauf",
        "TITLE:Head of Purchasing",
        "ROLE:Team lead",
        "item1.ADR;type=WORK:;;Hauptstraße 5;Berlin;;10115;Germany",
        "item2.ADR;type=HOME;type=pref:12;;;Albany;NY;12207;USA",
        "ADR;type=OTHER:Postfach 7;Haus B;Ring 1;Potsdam;Brandenburg;14467;Germany",
        "IMPP;X-SERVICE-TYPE=Skype;type=HOME:skype:jana.novak",
        "X-SOCIALPROFILE;type=twitter:x-apple:jananovak",
        "item3.X-ABRELATEDNAMES:Petr",
        "item3.X-ABLabel:_$!<Spouse>!$_",
        "ANNIVERSARY:2010-06-01",
        "GEO:geo:52.5,13.4",
        "X-CUSTOM-THING:something",
        "PHOTO;VALUE=uri:https://example.com/jana.jpg",
        version="4.0",
    )
    report = import_file(db, _write(tmp_path, lines))
    jana = _people(db)["Jana Novák"]
    assert jana.title == "Head of Purchasing, Team lead"
    assert jana.address.one_line() == "PO Box 12, 12207 Albany, NY, USA"  # the preferred one
    assert jana.notes.splitlines() == [
        "Chat (home): skype:jana.novak",
        "Profile (twitter): x-apple:jananovak",
        "Related (spouse): Petr",
        "Anniversary: 2010-06-01",
        "Nickname: Janka",
        "Address (work): Hauptstraße 5, 10115 Berlin, Germany",
        "Address (other): Ring 1, Haus B, Postfach 7, 14467 Potsdam, Brandenburg, Germany",
    ]
    assert [(w.where, w.reason) for w in report.warnings] == [
        (
            "file",
            "not imported (no field for them): GEO in 1 card, N (honorific prefix or suffix) in "
            "1 card, ORG (department) in 1 card, X-CUSTOM-THING in 1 card",
        ),
        ("card 1 (line 1)", "photo not imported"),
    ]


def test_a_role_too_long_for_the_title_goes_to_the_notes(db: Database, tmp_path: Path) -> None:
    role = "r" * 196
    import_file(db, _write(tmp_path, _card("FN:Anna Smith", "TITLE:Buyer", f"ROLE:{role}")))
    anna = _people(db)["Anna Smith"]
    assert anna.title == "Buyer" and anna.notes == f"Role: {role}"


def test_contact_groups_are_left_out_with_a_warning(db: Database, tmp_path: Path) -> None:
    lines = (
        _card("FN:Anna Smith", "UID:anna")
        + _card("X-ADDRESSBOOKSERVER-KIND:group", "FN:Friends", "X-ADDRESSBOOKSERVER-MEMBER:anna")
        + _card("KIND:group", "FN:Team", "MEMBER:urn:uuid:anna", version="4.0")
    )
    report = import_file(db, _write(tmp_path, lines))
    assert (report.total, report.created, set(_people(db))) == (1, 1, {"Anna Smith"})
    assert [w.where for w in report.warnings] == ["card 2 (line 6)", "card 3 (line 12)"]
    assert "a group of contacts" in report.warnings[0].reason


def test_an_outlook_2_1_card(db: Database, tmp_path: Path) -> None:
    """Outlook's vCard 2.1: quoted-printable labels, its own picture and design properties."""
    lines = _card(
        "N;LANGUAGE=de;CHARSET=Windows-1252;ENCODING=QUOTED-PRINTABLE:M=FCller;J=FCrgen",
        "FN;CHARSET=Windows-1252;ENCODING=QUOTED-PRINTABLE:J=FCrgen M=FCller",
        "ORG;CHARSET=Windows-1252;ENCODING=QUOTED-PRINTABLE:M=FCller & S=F6hne KG",
        "TEL;WORK;VOICE:+49 711 1234567",
        "ADR;WORK;PREF;CHARSET=Windows-1252;ENCODING=QUOTED-PRINTABLE:;;K=F6nigstra=DFe 12;"
        "Stuttgart;BW;70173;Deutschland",
        "LABEL;WORK;PREF;ENCODING=QUOTED-PRINTABLE:K=F6nigstra=DFe 12=0D=0A=",
        "Stuttgart, BW 70173",
        "X-MS-OL-DEFAULT-POSTAL-ADDRESS:2",
        "EMAIL;PREF;INTERNET:juergen@example.de",
        "X-MS-IMADDRESS:juergen@im.example",
        "X-MS-CARDPICTURE;TYPE=JPEG;ENCODING=BASE64:",
        " " + PHOTO[:70],
        " " + PHOTO[70:140],
        "",
        'X-MS-OL-DESIGN;CHARSET=utf-8:<card xmlns="http://schemas.microsoft.com/office/outlook/12/'
        'electronicbusinesscards" ver="1.0"></card>',
        "REV:20261125T103000Z",
        version="2.1",
    )
    report = import_file(db, _write(tmp_path, lines))
    assert report.created == 1 and [w.reason for w in report.warnings] == ["photo not imported"]
    juergen = _people(db)["Jürgen Müller"]
    assert juergen.account_name == "Müller & Söhne KG"
    assert juergen.address.one_line() == "Königstraße 12, 70173 Stuttgart, BW, Deutschland"
    assert juergen.notes == "Chat: juergen@im.example"
