"""The settings there are and how each one's text is read and checked: a region for phone
numbers, a currency, a time zone, opening hours, closed days, a language, a command.

Each reader takes the text a user typed (in ``smallcrm config set``, the file or a variable) and
returns the value, or raises ValueError saying what is accepted and what was probably meant.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Any

from smallcrm.store import case_targets, slot_rules

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


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


# --- checking each kind of value ----------------------------------------------------------------


def _region(text: str) -> str | None:
    import phonenumbers

    value = text.strip().upper()
    if not value:
        return None
    if value not in phonenumbers.SUPPORTED_REGIONS:
        close = close_matches(value, sorted(phonenumbers.SUPPORTED_REGIONS))
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
            + close_matches(value, sorted(CURRENCIES))
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
    by_lower = {name.lower(): name for name in names}
    if value.lower() in by_lower:  # europe/berlin: the zone meant, as it is spelt
        return by_lower[value.lower()]
    raise ValueError(
        f"{text!r} is not a time zone; give a name such as Europe/Berlin, America/New_York or "
        "UTC" + close_matches(value, names)
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


DAY_GROUPS = {
    "weekdays": "mon-fri",
    "weekend": "sat-sun",
    "daily": "mon-sun",
    "everyday": "mon-sun",
}


def _weekdays(text: str) -> list[int]:
    text = DAY_GROUPS.get(text, text)
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
    if end <= start and end.hour < 12 and not match[4]:  # "9-5": five in the afternoon
        end = end.replace(hour=end.hour + 12)
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


def _time_of_day(text: str) -> time:
    """``09:00`` (also ``9``, ``9:30``, ``17.30``)."""
    match = re.fullmatch(r"(\d{1,2})(?:[:.](\d{2}))?", text.strip())
    if match and int(match[1]) < 24 and int(match[2] or 0) < 60:
        return time(int(match[1]), int(match[2] or 0))
    raise ValueError(f"{text!r} is not a time of day; give hours and minutes such as 09:00")


def close_matches(value: str, choices: list[str]) -> str:
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


def canonical_text(value: Any) -> str:
    """A checked value as the settings file keeps it (``de`` is kept as ``DE``)."""
    if isinstance(value, WorkingHours | case_targets.CaseTargets):
        return value.text()
    if isinstance(value, timedelta):
        return slot_rules.length_text(value)
    if isinstance(value, tuple) and value and isinstance(value[0], timedelta):
        return ",".join(slot_rules.length_text(v) for v in value)
    if isinstance(value, tuple):
        return ", ".join(str(v) for v in value)
    if isinstance(value, time):
        return f"{value:%H:%M}"
    return "" if value is None else str(value)


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
        Setting(
            "follow_up_time",
            "Time of day a follow-up given as a date reminds (again each day until done)",
            "08:30",
            _time_of_day,
            lambda: "09:00",
        ),
        Setting(
            "case_targets",
            "Per case priority, the first response and the resolution promised, in working "
            "time (h hours, m minutes, d working days of 8 hours)",
            case_targets.DEFAULT,
            case_targets.read,
            lambda: case_targets.DEFAULT,
        ),
        Setting(
            "slot_notice",
            "Free slots offered to customers start at least this long from now",
            "2h",
            slot_rules.read_notice,
            lambda: slot_rules.DEFAULT_NOTICE,
        ),
        Setting(
            "slot_buffer",
            "Time kept free before and after each appointment when offering slots "
            "(one length, or before,after)",
            "10m,30m",
            slot_rules.read_buffer,
            lambda: slot_rules.DEFAULT_BUFFER,
        ),
        Setting(
            "slot_interval",
            "Minutes between offered start times (60, 30, 20, 15, 10, 5; auto: the "
            "meeting's length, up to an hour)",
            "30",
            slot_rules.read_interval,
            lambda: slot_rules.DEFAULT_INTERVAL,
        ),
    )
}
