"""One module formats money, dates, phone numbers and text from the data for every face."""

from __future__ import annotations

import json
import locale
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from smallcrm.cli.main import app
from smallcrm.store import accounts, formats, opportunities
from smallcrm.store.db import open_database

# --- money ---------------------------------------------------------------------------------------


def test_money_has_one_full_and_one_compact_style_with_the_code_after_the_amount() -> None:
    assert formats.money(Decimal("12000"), "EUR") == "12,000.00 EUR"
    assert formats.money(Decimal("-0.5"), "USD") == "-0.50 USD"
    assert formats.money(Decimal("1234567.891")) == "1,234,567.89"
    assert formats.money_compact(Decimal("12000.00"), "EUR") == "12,000 EUR"
    assert formats.money_compact(Decimal("12000.50"), "EUR") == "12,000.50 EUR"
    assert formats.money_abbreviated(Decimal("999950")) == "1M"
    assert formats.cents(1_600_000) == "16,000.00"
    # Exact: a float would print 0.30000000000000004-style amounts for large sums.
    assert formats.cents(123_456_789_012_345_678) == "1,234,567,890,123,456.78"


@pytest.fixture
def german_locale() -> Iterator[None]:
    saved = locale.setlocale(locale.LC_ALL)
    for name in ("de_DE.UTF-8", "de_DE.utf8", "C.UTF-8"):
        try:
            locale.setlocale(locale.LC_ALL, name)
            break
        except locale.Error:
            continue
    yield
    locale.setlocale(locale.LC_ALL, saved)


def test_money_and_dates_do_not_follow_the_machine_locale(german_locale: None) -> None:
    assert formats.money(Decimal("12000.5"), "EUR") == "12,000.50 EUR"
    assert formats.describe(date(2026, 11, 27)) == "Fri 2026-11-27"


def test_the_shell_the_app_and_the_history_read_an_amount_alike(db_path: Path) -> None:
    db = open_database(db_path)
    acme = accounts.create_account(db, name="Acme GmbH")
    deal = opportunities.create_opportunity(
        db, name="Renewal", account_id=acme.id, amount="12k", stage="proposal"
    )
    opportunities.update_opportunity(db, deal.id, deal.tracking.version, amount="13000")
    db.close()
    run = CliRunner().invoke
    shown = run(app, ["--db", str(db_path), "show", "deal", str(deal.id)]).stdout
    listed = run(app, ["--db", str(db_path), "list", "deals"]).stdout
    history = run(app, ["--db", str(db_path), "history", "deal", str(deal.id)]).stdout

    from smallcrm.screens.detail_base import opportunity_line

    db = open_database(db_path)
    in_app = str(opportunity_line(opportunities.get_opportunity(db, deal.id)))
    db.close()
    assert "13,000.00 EUR" in shown and "13,000.00 EUR" in listed and "13,000.00 EUR" in in_app
    assert "amount: 12,000.00 -> 13,000.00" in history


# --- dates ---------------------------------------------------------------------------------------


def test_dates_and_times_read_in_the_business_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMALLCRM_TIMEZONE", "Europe/Berlin")
    from smallcrm.store import settings as settings_module

    settings_module.reload()
    moment = datetime(2026, 11, 27, 23, 30, tzinfo=UTC)  # Saturday 00:30 in Berlin
    assert formats.when(moment) == "Sat 2026-11-28 00:30"
    assert formats.day(moment) == "Sat 2026-11-28"
    assert formats.short_when(moment) == "2026-11-28 00:30"
    assert formats.short_day(moment) == "2026-11-28"
    assert formats.when(date(2026, 11, 27)) == "Fri 2026-11-27"
    assert formats.when(None) == formats.day(None) == formats.short_when(None) == ""


def test_phone_and_tags() -> None:
    assert formats.phone("+49301234567") == "+49 30 1234567"
    assert formats.phone("+49301234567", pretty=False) == "+49301234567"
    assert formats.phone(None) == ""
    assert formats.tags(("vip", "berlin")) == "#vip #berlin"


# --- text from the data --------------------------------------------------------------------------

HOSTILE = ["\x1b[31m", "\x1b]0;X\x07", "\x1b]52;c;QUJD\x07", "\x9b31m", "\u202e", "\x7f", "\x00"]


@pytest.mark.parametrize("planted", HOSTILE)
def test_printable_makes_every_control_character_visible(planted: str) -> None:
    shown = formats.printable(f"Eve {planted}Red")
    assert formats.is_printable(shown), repr(shown)
    assert shown.startswith("Eve ") and shown.endswith("Red")


def test_printable_forms_are_readable() -> None:
    assert formats.printable("Eve \x1b[31mRed") == "Eve ␛[31mRed"
    assert formats.printable("a\x07\x00\x7f") == "a␇␀␡"
    assert formats.printable("\x9b31m \u202egnp.exe") == "<U+009B>31m <U+202E>gnp.exe"
    assert formats.printable("line\nnext\tcol") == "line␊next␉col"
    assert formats.printable("Ümlaut, 東京, emoji 🎉") == "Ümlaut, 東京, emoji 🎉"


def test_several_lines_keep_their_breaks_but_not_a_lone_carriage_return() -> None:
    text = "Paid\rUnpaid\r\nsecond\tline\n\x1b]0;X\x07"
    assert formats.printable(text, keep_newlines=True) == "Paid␍Unpaid\r\nsecond\tline\n␛]0;X␇"


@settings(max_examples=300, deadline=None)
@given(st.text(), st.booleans())
def test_printable_leaves_nothing_a_terminal_acts_on(text: str, keep: bool) -> None:
    shown = formats.printable(text, keep_newlines=keep)
    kept = shown.replace("\r\n", "").replace("\n", "").replace("\t", "") if keep else shown
    assert formats.is_printable(kept)
    if formats.is_printable(text):
        assert shown == text


@settings(max_examples=300, deadline=None)
@given(st.recursive(st.text(), lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner)))
def test_json_safe_keeps_the_data_and_drops_the_raw_controls(value: object) -> None:
    text = formats.json_safe(json.dumps(value, ensure_ascii=False))
    assert json.loads(text) == value
    assert formats.is_printable(text.replace("\n", ""))
