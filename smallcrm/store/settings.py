"""The business's settings: phone region, currency, time zone, working hours, closed days,
language and how reminders are delivered.

One TOML file holds them: ``config.toml`` in the user's config directory (``platformdirs``;
``~/.config/smallcrm/config.toml`` on Linux), or the file ``SMALLCRM_CONFIG`` names. Values not
set there come from the site-wide file (``/etc/xdg/smallcrm/config.toml`` on Linux), so a team
sharing one machine can keep the business's hours and currency in one place; each value can be
overridden by an environment variable (``SMALLCRM_CURRENCY``, ...). ``smallcrm config`` shows
and changes them; the app asks for region and currency on its first run.

Every value is checked when it is read, whatever its source, so a mistyped file gives a message
naming the file, the key and what is accepted, never a wrong default used silently.

Only the standard library is imported until a value needs checking against a library (phone
regions, time zones), and the file is parsed once per change of its modification time: the
shell's quick commands read it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, time
from pathlib import Path
from typing import Any

from smallcrm.store.errors import ValidationError

CONFIG_VARIABLE = "SMALLCRM_CONFIG"
FILENAME = "config.toml"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class SettingsError(ValidationError):
    """A setting's value is not accepted (``field`` is the key)."""


# --- values ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkingHours:
    """Opening hours per weekday (0 = Monday): a tuple of (start, end) intervals, in order."""

    days: tuple[tuple[tuple[time, time], ...], ...]

    def on(self, day: date) -> tuple[tuple[time, time], ...]:
        """The intervals worked on ``day`` (none on a day off)."""
        return self.days[day.weekday()]

    def text(self) -> str:
        """The hours as they are written in the settings (``mon-fri 09:00-17:00``)."""
        groups: list[tuple[int, int, tuple[tuple[time, time], ...]]] = []
        for index, spans in enumerate(self.days):
            if groups and groups[-1][2] == spans and groups[-1][1] == index - 1:
                groups[-1] = (groups[-1][0], index, spans)
            else:
                groups.append((index, index, spans))
        parts = []
        for first, last, spans in groups:
            if not spans:
                continue
            days = WEEKDAYS[first] if first == last else f"{WEEKDAYS[first]}-{WEEKDAYS[last]}"
            hours = ",".join(f"{a:%H:%M}-{b:%H:%M}" for a, b in spans)
            parts.append(f"{days} {hours}")
        return "; ".join(parts) or "closed"


@dataclass(frozen=True)
class Settings:
    """Every setting's value, checked."""

    phone_region: str | None
    currency: str
    timezone: str | None
    working_hours: WorkingHours
    closed_days: tuple[str, ...]  # ISO dates, or MM-DD for every year
    language: str
    reminder_command: tuple[str, ...]
    sources: Mapping[str, str] = field(default_factory=dict)  # key -> where its value came from

    def is_closed(self, day: date) -> bool:
        """True on a closed day (a holiday): no working hours at all."""
        return day.isoformat() in self.closed_days or f"{day:%m-%d}" in self.closed_days


# --- checking each kind of value ----------------------------------------------------------------


def _region(text: str) -> str | None:
    import phonenumbers

    value = text.strip().upper()
    if not value:
        return None
    if value not in phonenumbers.SUPPORTED_REGIONS:
        close = _close(value, sorted(phonenumbers.SUPPORTED_REGIONS))
        raise ValueError(
            f"{text!r} is not a region; give a two-letter country code such as DE, AT, GB or US"
            + close
        )
    return value


# ISO 4217 codes in use (2026), for "is this a currency" without a library.
CURRENCIES = frozenset(
    """AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN
    BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP
    GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS
    KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR
    MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF
    SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD
    TZS UAH UGX USD UYU UZS VED VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG""".split()
)


def _currency(text: str) -> str:
    value = text.strip().upper()
    if value not in CURRENCIES:
        raise ValueError(
            f"{text!r} is not a currency code; give three letters such as EUR, USD, GBP or CHF"
            + _close(value, sorted(CURRENCIES))
        )
    return value


def _timezone(text: str) -> str | None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

    value = text.strip()
    if not value:
        return None
    try:
        if "/" in value or value == "UTC":
            ZoneInfo(value)
            return value
    except (ZoneInfoNotFoundError, ValueError):
        pass
    names = sorted(available_timezones())
    raise ValueError(
        f"{text!r} is not a time zone; give a name such as Europe/Berlin, America/New_York or "
        "UTC" + _close(value, names)
    )


_SPAN = re.compile(r"^(\d{1,2})(?::(\d{2}))?-(\d{1,2})(?::(\d{2}))?$")


def _clock(hour: str, minute: str | None) -> time:
    h, m = int(hour), int(minute or 0)
    if h == 24 and m == 0:
        return time(23, 59, 59)
    return time(h, m)


def _working_hours(text: str) -> WorkingHours:
    """``mon-fri 09:00-17:00; sat 10:00-13:00`` (several spans: ``08:00-12:00,13:00-17:00``)."""
    days: list[tuple[tuple[time, time], ...]] = [() for _ in WEEKDAYS]
    value = text.strip().lower()
    if value in ("", "closed", "none"):
        return WorkingHours(tuple(days))
    for part in re.split(r"[;\n]+", value):
        part = part.strip()
        if not part:
            continue
        try:
            day_text, hours_text = part.split(None, 1)
            chosen = _weekdays(day_text)
            spans = tuple(_span(s) for s in hours_text.replace(" ", "").split(","))
        except ValueError:
            raise ValueError(
                f"{part!r} is not a day range with hours; write for example "
                "'mon-fri 09:00-17:00; sat 10:00-13:00' (several spans: 08:00-12:00,13:00-17:00)"
            ) from None
        for index in chosen:
            days[index] = tuple(sorted(spans))
    return WorkingHours(tuple(days))


def _weekdays(text: str) -> list[int]:
    chosen: list[int] = []
    for piece in text.split(","):
        first, _, last = piece.partition("-")
        a, b = WEEKDAYS.index(first[:3]), WEEKDAYS.index((last or first)[:3])
        chosen.extend(range(a, b + 1) if a <= b else [*range(a, 7), *range(0, b + 1)])
    return chosen


def _span(text: str) -> tuple[time, time]:
    match = _SPAN.match(text)
    if not match:
        raise ValueError(text)
    start, end = _clock(match[1], match[2]), _clock(match[3], match[4])
    if end <= start:
        raise ValueError(text)
    return start, end


def _closed_days(text: str) -> tuple[str, ...]:
    """``2026-12-24, 2026-12-31, 01-01`` (MM-DD: every year)."""
    days: list[str] = []
    for piece in re.split(r"[,\s]+", text.strip()):
        if not piece:
            continue
        try:
            if re.fullmatch(r"\d{2}-\d{2}", piece):
                date.fromisoformat(f"2024-{piece}")  # a leap year, so 02-29 is a day
            else:
                date.fromisoformat(piece)
        except ValueError:
            raise ValueError(
                f"{piece!r} is not a day; give dates such as 2026-12-24, or 12-25 for every year"
            ) from None
        days.append(piece)
    return tuple(sorted(set(days)))


LANGUAGES = {"en": "English", "de": "German"}


def _language(text: str) -> str:
    value = text.strip().lower()[:2]
    if value not in LANGUAGES:
        choices = ", ".join(f"{k} ({v})" for k, v in LANGUAGES.items())
        raise ValueError(f"{text!r} is not a language smallcrm writes; give {choices}")
    return value


def _command(text: str) -> tuple[str, ...]:
    import shlex

    try:
        return tuple(shlex.split(text))
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a command line: {exc}") from None


def _close(value: str, choices: list[str]) -> str:
    import difflib

    found = difflib.get_close_matches(value, choices, n=3, cutoff=0.6)
    if not found:
        lowered = {c.lower(): c for c in choices}
        found = [lowered[c] for c in difflib.get_close_matches(value.lower(), list(lowered), n=3)]
    return f". Did you mean {' or '.join(found)}?" if found else ""


# --- the settings there are ---------------------------------------------------------------------


def _region_from_locale() -> str | None:
    """The country of the user's locale (``de_DE.UTF-8`` -> DE); None for ``C``/``POSIX``."""
    for name in ("LC_ALL", "LC_TELEPHONE", "LANG"):
        match = re.match(r"^[a-z]{2,3}_([A-Z]{2})", os.environ.get(name, ""))
        if match:
            return match.group(1)
    return None


def _language_from_locale() -> str:
    lang = (os.environ.get("LC_ALL") or os.environ.get("LANG") or "")[:2].lower()
    return lang if lang in LANGUAGES else "en"


@dataclass(frozen=True)
class Setting:
    """One setting: its key, what it means, how its text is read and its default."""

    key: str
    help: str
    example: str
    read: Callable[[str], Any]
    default: Callable[[], str]  # the default, as text (read like any other value)

    @property
    def variable(self) -> str:
        """The environment variable that overrides it."""
        return "SMALLCRM_" + self.key.upper()


SETTINGS: dict[str, Setting] = {
    s.key: s
    for s in (
        Setting(
            "phone_region",
            "Country assumed for phone numbers written without +country code",
            "DE",
            _region,
            lambda: _region_from_locale() or "",
        ),
        Setting(
            "currency",
            "Currency of new deals and of totals",
            "EUR",
            _currency,
            lambda: "EUR",
        ),
        Setting(
            "timezone",
            "The business's time zone (times are shown and typed in it)",
            "Europe/Berlin",
            _timezone,
            lambda: "",
        ),
        Setting(
            "working_hours",
            "Opening hours per weekday",
            "mon-fri 09:00-17:00; sat 10:00-13:00",
            _working_hours,
            lambda: "mon-fri 09:00-17:00",
        ),
        Setting(
            "closed_days",
            "Days the business is closed (holidays): dates, or MM-DD for every year",
            "12-24, 12-25, 12-26, 01-01",
            _closed_days,
            lambda: "",
        ),
        Setting(
            "language",
            "Language of texts smallcrm writes for customers",
            "de",
            _language,
            _language_from_locale,
        ),
        Setting(
            "reminder_command",
            "Command that delivers a reminder (gets the text as arguments; empty: print it)",
            "notify-send smallcrm",
            _command,
            lambda: "",
        ),
    )
}


# --- where the files are ------------------------------------------------------------------------


def user_file() -> Path:
    """The user's settings file (``SMALLCRM_CONFIG`` names another)."""
    chosen = os.environ.get(CONFIG_VARIABLE, "").strip()
    if chosen:
        return Path(chosen).expanduser()
    from platformdirs import user_config_path

    return user_config_path("smallcrm", appauthor=False) / FILENAME


def site_file() -> Path | None:
    """The site-wide settings file, or None when ``SMALLCRM_CONFIG`` names the only one."""
    if os.environ.get(CONFIG_VARIABLE, "").strip():
        return None
    from platformdirs import site_config_path

    return site_config_path("smallcrm", appauthor=False) / FILENAME


def _stat_key(path: Path | None) -> tuple[str, int] | None:
    if path is None:
        return None
    try:
        return str(path), path.stat().st_mtime_ns
    except OSError:
        return None


def _read_file(path: Path) -> dict[str, Any]:
    import tomllib

    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(
            "config", f"{path} is not valid TOML ({exc}); fix or remove it"
        ) from None
    except OSError as exc:
        raise SettingsError("config", f"cannot read {path}: {exc.strerror or exc}") from None
    unknown = sorted(set(data) - set(SETTINGS))
    if unknown:
        names = ", ".join(unknown)
        raise SettingsError(
            "config",
            f"{path} has unknown settings: {names}{_close(unknown[0], list(SETTINGS))} "
            f"Known: {', '.join(SETTINGS)}",
        )
    return data


def _as_text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) if not value or isinstance(value[0], str) else ""
    return str(value)


# --- reading ------------------------------------------------------------------------------------

_STAMP_SECONDS = 1.0  # how long a look at the files' modification times is trusted
_files_seen: tuple[float, tuple[Any, ...]] | None = None
_layered_cache: dict[tuple[Any, ...], dict[str, tuple[Any, str]]] = {}
_values: dict[tuple[Any, ...], tuple[Any, str]] = {}


def _stamp() -> tuple[Any, ...]:
    """Which files there are and when they changed, looked at no more than once a second (the
    app reads settings while drawing; a second's delay after an edit does not matter)."""
    global _files_seen
    import time as monotonic_time

    moment = monotonic_time.monotonic()
    if _files_seen is None or moment - _files_seen[0] > _STAMP_SECONDS:
        _files_seen = (moment, (_stat_key(site_file()), _stat_key(user_file())))
    return _files_seen[1]


def _layered(stamp: tuple[Any, ...]) -> dict[str, tuple[Any, str]]:
    """The values the files give, the user's over the site's: key -> (value, file)."""
    found = _layered_cache.get(stamp)
    if found is None:
        found = {}
        for entry in stamp:
            if entry is not None:
                path = Path(entry[0])
                for key, value in _read_file(path).items():
                    found[key] = (value, str(path))
        _layered_cache.clear()
        _layered_cache[stamp] = found
    return found


def _text(key: str, stamp: tuple[Any, ...]) -> tuple[str, str]:
    """A setting's text and where it came from: its variable, a file, or the default."""
    setting = SETTINGS[key]
    env = os.environ.get(setting.variable)
    if env is not None:
        return env, setting.variable
    layered = _layered(stamp)
    if key in layered:
        value, where = layered[key]
        if isinstance(value, list) and key == "reminder_command":
            import shlex

            return shlex.join(str(v) for v in value), where
        return _as_text(value), where
    return setting.default(), "default"


def _value(key: str) -> tuple[Any, str]:
    """One setting's checked value and its source, read again only when its source changed."""
    stamp = _stamp()
    text, source = _text(key, stamp)
    cache_key = (key, text, source, stamp)
    found = _values.get(cache_key)
    if found is None:
        try:
            found = (SETTINGS[key].read(text), source)
        except ValueError as exc:
            raise SettingsError(key, f"{exc} (from {source})") from None
        if len(_values) > 256:
            _values.clear()
        _values[cache_key] = found
    return found


def reload() -> None:
    """Forget what was read (after the files were changed by this process)."""
    global _files_seen
    _files_seen = None
    _layered_cache.clear()
    _values.clear()


def phone_region() -> str | None:
    """The country for numbers written without +country code (None: not known)."""
    return _value("phone_region")[0]  # type: ignore[no-any-return]


def currency() -> str:
    """The currency of new deals."""
    return _value("currency")[0]  # type: ignore[no-any-return]


def timezone_name() -> str | None:
    """The configured time zone's name, or None for the machine's."""
    return _value("timezone")[0]  # type: ignore[no-any-return]


def working_hours() -> WorkingHours:
    """The business's opening hours."""
    return _value("working_hours")[0]  # type: ignore[no-any-return]


def language() -> str:
    """The language of texts written for customers (``en``, ``de``)."""
    return _value("language")[0]  # type: ignore[no-any-return]


def reminder_command() -> tuple[str, ...]:
    """The command that delivers reminders (empty: print them)."""
    return _value("reminder_command")[0]  # type: ignore[no-any-return]


def current() -> Settings:
    """Every setting in force now, checked."""
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for key in SETTINGS:
        values[key], sources[key] = _value(key)
    return Settings(**values, sources=sources)


def is_configured() -> bool:
    """True once the user saved settings (or set the region in the environment): the app's
    first-run question is not asked again."""
    return user_file().is_file() or SETTINGS["phone_region"].variable in os.environ


# --- changing -----------------------------------------------------------------------------------


def check(key: str, text: str) -> Any:
    """The value ``text`` gives setting ``key``; SettingsError naming it if not accepted."""
    setting = lookup(key)
    try:
        return setting.read(text)
    except ValueError as exc:
        raise SettingsError(setting.key, str(exc)) from None


def lookup(key: str) -> Setting:
    """The setting called ``key`` (``phone-region`` works too); "did you mean" if none."""
    name = key.strip().lower().replace("-", "_")
    if name in SETTINGS:
        return SETTINGS[name]
    raise SettingsError(
        "KEY",
        f"{key!r} is not a setting{_close(name, list(SETTINGS))} Settings: {', '.join(SETTINGS)}",
    )


def save(changes: Mapping[str, str | None], path: Path | None = None) -> Path:
    """Write ``changes`` (key -> text, None to remove a key) into a settings file, checking
    each first; comments and other keys in the file are kept. Returns the file written.

    The file is replaced whole (written beside it, then renamed), so a crash leaves the old
    or the new file, never half of one.
    """
    import tomlkit

    target = path or user_file()
    checked = {lookup(k).key: (None if t is None else (t, check(k, t))) for k, t in changes.items()}
    document = tomlkit.parse(target.read_text(encoding="utf-8")) if target.is_file() else None
    if document is None:
        document = tomlkit.document()
        document.add(tomlkit.comment("smallcrm settings; `smallcrm config show` explains each"))
    for key, entry in checked.items():
        if entry is None:
            document.pop(key, None)
        elif key == "reminder_command":
            document[key] = list(entry[1])
        else:
            document[key] = entry[0].strip()
    target.parent.mkdir(parents=True, exist_ok=True)
    staged = target.with_name(target.name + ".saving")
    staged.write_text(tomlkit.dumps(document), encoding="utf-8")
    staged.replace(target)
    reload()
    return target


def describe(settings: Settings | None = None) -> list[tuple[Setting, str, str]]:
    """Each setting with its value as text and where it came from, for ``config show``."""
    settings = settings or current()
    rows = []
    for key, setting in SETTINGS.items():
        value = getattr(settings, key)
        if isinstance(value, WorkingHours):
            text = value.text()
        elif key == "reminder_command":
            import shlex

            text = shlex.join(value) if value else "(print to standard output)"
        elif key == "closed_days":
            text = ", ".join(value) if value else "(none)"
        elif key == "timezone":
            from smallcrm.store import clock

            text = value or f"(this machine's: {clock.zone_name()})"
        elif key == "phone_region":
            text = value or "(not set: numbers need +country code)"
        else:
            text = str(value)
        rows.append((setting, text, settings.sources.get(key, "default")))
    return rows
