"""The business's settings: one TOML file (user's, over the site's), environment variables over
both, every value checked with a message naming the key, and ``smallcrm config`` to see and
change them."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner, Result

from smallcrm.cli import app
from smallcrm.store import settings, validate
from smallcrm.store.errors import ValidationError
from smallcrm.store.setting_values import SETTINGS, WorkingHours


@pytest.fixture
def config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A settings file of this test's own, and no setting in the environment."""
    path = tmp_path / "config.toml"
    monkeypatch.setenv("SMALLCRM_CONFIG", str(path))
    for setting in SETTINGS.values():
        monkeypatch.delenv(setting.variable, raising=False)
    settings.reload()
    return path


def config(*args: str) -> Result:
    result = CliRunner().invoke(app, ["config", *args])
    assert "Traceback" not in result.output
    return result


def test_defaults_without_a_file(config_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANG", "C.UTF-8")
    current = settings.current()
    assert current.currency == "EUR"
    assert current.phone_region is None, "no country guessed from a locale without one"
    assert current.working_hours.text() == "mon-fri 09:00-17:00"
    assert current.sources["currency"] == "default"
    monkeypatch.setenv("LANG", "de_AT.UTF-8")
    assert settings.phone_region() == "AT"


def test_set_checks_normalises_and_keeps_comments(config_file: Path) -> None:
    config_file.write_text('# our shop\ncurrency = "EUR"\n')
    settings.reload()
    out = config("set", "currency", "chf")
    assert out.exit_code == 0 and "currency = CHF" in out.stdout
    assert config("set", "phone-region", "de").exit_code == 0
    assert config("set", "timezone", "europe/berlin").exit_code == 0
    text = config_file.read_text()
    assert "# our shop" in text
    assert 'currency = "CHF"' in text and 'phone_region = "DE"' in text
    assert 'timezone = "Europe/Berlin"' in text
    assert (settings.currency(), settings.timezone_name()) == ("CHF", "Europe/Berlin")
    assert config("unset", "currency").exit_code == 0
    assert settings.currency() == "EUR" and "currency" not in config_file.read_text()


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("curency", "EUR", "KEY: 'curency' is not a setting. Did you mean currency?"),
        ("currency", "EURO", "currency: 'EURO' is not a currency code"),
        ("currency", "EURO", "Did you mean EUR?"),
        ("timezone", "Europe/Berln", "Did you mean Europe/Berlin"),
        ("phone_region", "Germany", "'Germany' is not a region; give a two-letter country code"),
        ("working_hours", "sometimes", "is not a day range with hours"),
        ("closed_days", "2026-02-30", "'2026-02-30' is not a day"),
        ("language", "klingon", "is not a language smallcrm writes"),
    ],
)
def test_bad_values_name_the_key_say_what_is_accepted_and_write_nothing(
    config_file: Path, key: str, value: str, message: str
) -> None:
    out = config("set", key, value)
    assert out.exit_code == 1
    assert message in out.stderr
    assert not config_file.exists(), "nothing written"


def test_environment_wins_over_the_file_and_show_says_where_each_comes_from(
    config_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config("set", "currency", "GBP")
    monkeypatch.setenv("SMALLCRM_CURRENCY", "USD")
    assert settings.currency() == "USD"
    shown = config("show").stdout
    assert "currency:" in shown and "USD   [SMALLCRM_CURRENCY]" in shown
    assert "set in your environment" in config("set", "currency", "JPY").stdout


def test_the_site_file_is_under_the_users(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SMALLCRM_CONFIG", raising=False)
    monkeypatch.delenv("SMALLCRM_CURRENCY", raising=False)
    site = tmp_path / "xdg-site" / "smallcrm" / "config.toml"
    site.parent.mkdir(parents=True)
    site.write_text('currency = "CHF"\nworking_hours = "mon-fri 08:00-16:00"\n')
    user = tmp_path / "xdg-config" / "smallcrm" / "config.toml"
    user.parent.mkdir(parents=True)
    user.write_text('currency = "EUR"\n')
    settings.reload()
    assert settings.currency() == "EUR"
    assert settings.working_hours().text() == "mon-fri 08:00-16:00"
    assert settings.current().sources["working_hours"] == str(site)


def test_a_broken_file_is_named(config_file: Path) -> None:
    config_file.write_text("currency = \n")
    settings.reload()
    with pytest.raises(ValidationError, match="is not valid TOML"):
        settings.currency()
    config_file.write_text('colour = "red"\n')
    settings.reload()
    out = CliRunner().invoke(app, ["config", "show"])
    assert out.exit_code == 1 and "unknown settings: colour" in out.stderr


def test_working_hours_read_as_people_write_them() -> None:
    read = SETTINGS["working_hours"].read
    hours = read("mon-thu 08:00-12:00,13:00-17:00; fri 8-14")
    assert hours.on(date(2026, 11, 26)) == ((time(8), time(12)), (time(13), time(17)))
    assert hours.on(date(2026, 11, 27)) == ((time(8), time(14)),)
    assert hours.on(date(2026, 11, 28)) == ()
    assert read("weekdays 9-5").text() == "mon-fri 09:00-17:00"
    assert read("daily 10:00-18:00").text() == "mon-sun 10:00-18:00"
    assert read("closed").text() == "closed"


@given(
    st.lists(
        st.tuples(st.integers(0, 22), st.integers(1, 23)).filter(lambda s: s[0] < s[1]),
        min_size=7,
        max_size=7,
    )
)
def test_working_hours_text_reads_back_the_same(spans: list[tuple[int, int]]) -> None:
    days = tuple(((time(a), time(b)),) for a, b in spans)
    hours = WorkingHours(days)
    assert SETTINGS["working_hours"].read(hours.text()) == hours


def test_closed_days_every_year_and_once() -> None:
    closed = SETTINGS["closed_days"].read("12-25, 2026-12-31, 12-24")
    assert closed == ("12-24", "12-25", "2026-12-31")


def test_an_unset_region_asks_for_the_country_code(
    config_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LANG", "C.UTF-8")
    with pytest.raises(ValidationError, match="no country code and no region is set"):
        validate.phone("phone", "030 5550104")
    assert validate.phone("phone", "+49 30 5550104") == "+49305550104"
    config("set", "phone_region", "DE")
    assert validate.phone("phone", "030 5550104") == "+49305550104"


def test_new_deals_take_the_currency_setting(
    config_file: Path, db: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    from smallcrm.store import opportunities

    monkeypatch.setenv("SMALLCRM_CURRENCY", "CHF")
    assert opportunities.create_opportunity(db, name="Swiss deal").currency == "CHF"  # type: ignore[arg-type]
