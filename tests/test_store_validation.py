"""Table tests of what users type: good values normalised, bad ones named and explained."""

from __future__ import annotations

import pytest

from smallcrm.store import validate as v
from smallcrm.store.errors import ValidationError


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("jana@example.com", "jana@example.com"),
        ("  Jana@Example.COM ", "jana@example.com"),
        ("anna.müller@beispiel.de", "anna.müller@beispiel.de"),
        ("x+tag@gmail.com", "x+tag@gmail.com"),
    ],
)
def test_email_good(raw: str, expected: str) -> None:
    assert v.email("email", raw) == expected


@pytest.mark.parametrize("raw", ["", "jana", "jana@", "@example.com", "a b@example.com", "a@b"])
def test_email_bad_names_field(raw: str) -> None:
    with pytest.raises(ValidationError) as err:
        v.email("email", raw)
    assert err.value.field == "email"


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("+49 30 1234567", "DE", "+49301234567"),
        ("030 1234567", "DE", "+49301234567"),
        ("(030) 123-4567", "DE", "+49301234567"),
        ("+1 415 555 0100", "DE", "+14155550100"),
        ("415-555-0100", "US", "+14155550100"),
        ("+43 1 5midnight", "AT", None),
    ],
)
def test_phone(raw: str, region: str, expected: str | None) -> None:
    if expected is None:
        with pytest.raises(ValidationError, match="country code"):
            v.phone("phone", raw, region)
    else:
        assert v.phone("phone", raw, region) == expected


@pytest.mark.parametrize("raw", ["", "abc", "12", "+999 1"])
def test_phone_bad(raw: str) -> None:
    with pytest.raises(ValidationError) as err:
        v.phone("phone", raw, "DE")
    assert err.value.field == "phone"


def test_phone_region_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SMALLCRM_PHONE_REGION")
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")
    assert v.phone_region() == "FR"
    monkeypatch.setenv("LANG", "C")  # no country in the locale: none is guessed (not US)
    assert v.phone_region() is None


@pytest.mark.parametrize(
    ("raw", "cents"),
    [
        ("12000", 1_200_000),
        ("12,000.50", 1_200_050),
        ("12k", 1_200_000),
        ("1.5m", 150_000_000),
        ("99,95", 9995),
        (250, 25_000),
        ("", 0),
        (None, 0),
    ],
)
def test_amount_good(raw: object, cents: int) -> None:
    assert v.amount_cents("amount", raw) == cents


@pytest.mark.parametrize("raw", ["-5", "abc", "12..0", "1e400", "NaN", "inf"])
def test_amount_bad(raw: str) -> None:
    with pytest.raises(ValidationError) as err:
        v.amount_cents("amount", raw)
    assert err.value.field == "amount"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("vip, Key Account", "vip key-account"),
        ("vip gold vip", "vip gold"),
        (["A", "b"], "a b"),
        (None, ""),
        ("  ", ""),
    ],
)
def test_tags(raw: object, expected: str) -> None:
    assert v.tags("tags", raw) == expected


@pytest.mark.parametrize(
    ("raw", "ok"),
    [
        ("acme.example", True),
        ("https://acme.example/x", True),
        ("not a site", False),
        ("http://", False),
    ],
)
def test_website(raw: str, ok: bool) -> None:
    if ok:
        assert v.website("website", raw) == raw
    else:
        with pytest.raises(ValidationError, match="web address"):
            v.website("website", raw)


def test_choice_accepts_unique_prefix_and_names_options() -> None:
    assert v.choice("kind", "mee", v.INTERACTION_KINDS) == "meeting"
    with pytest.raises(ValidationError, match="call, email, meeting, note, visit"):
        v.choice("kind", "fax", v.INTERACTION_KINDS)


def test_text_required_and_length() -> None:
    assert v.text("name", "  Acme   GmbH ") == "Acme GmbH"
    with pytest.raises(ValidationError, match="required"):
        v.text("name", " ", required=True)
    with pytest.raises(ValidationError, match="at most 5"):
        v.text("name", "abcdefg", max_length=5)


@pytest.mark.parametrize(
    ("raw", "ok"), [("EUR", True), ("usd", True), ("EURO", False), ("", False)]
)
def test_currency(raw: str, ok: bool) -> None:
    if ok:
        assert v.currency("currency", raw) == raw.upper()
    else:
        with pytest.raises(ValidationError):
            v.currency("currency", raw)
