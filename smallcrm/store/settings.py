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
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from pathlib import Path
from typing import Any

from smallcrm.store.case_targets import CaseTargets
from smallcrm.store.errors import ValidationError
from smallcrm.store.setting_values import (
    SETTINGS,
    Setting,
    WorkingHours,
    canonical_text,
    close_matches,
)

CONFIG_VARIABLE = "SMALLCRM_CONFIG"
FILENAME = "config.toml"


class SettingsError(ValidationError):
    """A setting's value is not accepted (``field`` is the key)."""


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
    follow_up_time: time
    case_targets: CaseTargets
    slot_notice: timedelta
    slot_buffer: tuple[timedelta, timedelta]
    slot_interval: int | None
    sources: Mapping[str, str] = field(default_factory=dict)  # key -> where its value came from

    def is_closed(self, day: date) -> bool:
        """True on a closed day (a holiday): no working hours at all."""
        return day.isoformat() in self.closed_days or f"{day:%m-%d}" in self.closed_days


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
            f"{path} has unknown settings: {names}{close_matches(unknown[0], list(SETTINGS))} "
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
    return _value("phone_region")[0]


def currency() -> str:
    """The currency of new deals."""
    return _value("currency")[0]


def timezone_name() -> str | None:
    """The configured time zone's name, or None for the machine's."""
    return _value("timezone")[0]


def closed_days() -> tuple[str, ...]:
    """The days the business is closed (``2026-12-24``, or ``12-25`` every year)."""
    return _value("closed_days")[0]


def working_hours() -> WorkingHours:
    """The business's opening hours."""
    return _value("working_hours")[0]


def language() -> str:
    """The language of texts written for customers (``en``, ``de``)."""
    return _value("language")[0]


def reminder_command() -> tuple[str, ...]:
    """The command that delivers reminders (empty: print them)."""
    return _value("reminder_command")[0]


def follow_up_time() -> time:
    """The time of day a follow-up given as a date reminds."""
    return _value("follow_up_time")[0]


def case_targets() -> CaseTargets:
    """The first response and resolution promised per case priority."""
    return _value("case_targets")[0]


def slot_notice() -> timedelta:
    """How soon from now the first free slot offered may start."""
    return _value("slot_notice")[0]


def slot_buffer() -> tuple[timedelta, timedelta]:
    """Time kept free before and after each appointment when offering slots."""
    return _value("slot_buffer")[0]


def slot_interval() -> int | None:
    """Minutes between offered starts (None: the meeting's length, up to an hour)."""
    return _value("slot_interval")[0]


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
    hint = close_matches(name, list(SETTINGS)) or "."
    raise SettingsError("KEY", f"{key!r} is not a setting{hint} Settings: {', '.join(SETTINGS)}")


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
            document[key] = canonical_text(entry[1])
    target.parent.mkdir(parents=True, exist_ok=True)
    staged = target.with_name(target.name + ".saving")
    staged.write_text(tomlkit.dumps(document), encoding="utf-8")
    staged.replace(target)
    reload()
    return target


def describe(settings: Settings | None = None) -> list[tuple[Setting, Any, str]]:
    """Each setting with its value and where it came from (a variable, a file, the default)."""
    settings = settings or current()
    return [
        (setting, getattr(settings, key), settings.sources.get(key, "default"))
        for key, setting in SETTINGS.items()
    ]
