"""Which database a user means (``--db``, ``SMALLCRM_DB`` or the default), and keeping a
database URL's password out of every message, log line and traceback.

A PostgreSQL URL carries its password (``postgresql+psycopg://crm:PASSWORD@host/crm``). The
drivers quote the URL back when they cannot read it ("invalid percent-encoded token", an
unclosed ``[`` of an IPv6 host), and read a password holding an unescaped ``@`` or ``/`` as a
host name and print that. So:

- ``postgres_conninfo`` refuses such URLs before a driver sees them, saying which character to
  escape, so that no parser ever cuts a password into a host, a port or a database name;
- ``redact`` replaces every spelling of the password (as typed, percent-decoded, re-escaped)
  in any text, and ``redact_url`` shows a URL with ``***`` for it: every message that can hold
  a URL or a driver's words goes through one of them;
- passwords of the URLs this process opened are remembered, so that text from deeper down (a
  log record, a traceback, an error a caller words) is redacted too without knowing the URL.

Only the standard library is imported here: this runs on every shell command.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Any

from smallcrm.store.errors import StoreError, ValidationError

DEFAULT_FILENAME = "smallcrm.db"
MASK = "***"
_SECRETS: set[str] = set()  # passwords of the URLs this process was given
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
_QUERY_PASSWORD = re.compile(r"([?&]password=)([^&#]*)", re.IGNORECASE)


def default_database_path() -> Path:
    """The embedded database under the platform's user data directory."""
    from platformdirs import user_data_path

    return user_data_path("smallcrm", appauthor=False) / DEFAULT_FILENAME


def resolve_url(target: str | os.PathLike[str] | None = None) -> str:
    """Turn ``--db`` / ``SMALLCRM_DB`` (a path or a SQLAlchemy URL) into a database URL.

    ``None`` means "not given": ``SMALLCRM_DB``, else the default database. An empty value
    (``--db ""``, ``SMALLCRM_DB=``) is refused rather than read as "not given": it is what an
    unset shell variable in ``--db "$CRM"`` or a profile's ``export SMALLCRM_DB=$TEAM_DB``
    becomes, and opening the personal default database in its place would put records where
    nobody looks for them.
    """
    if target is not None:
        value = str(target)
        if not value.strip():
            raise ValidationError(
                "db",
                "is empty: give a database file or URL, or leave --db out to use "
                "$SMALLCRM_DB or the default database",
            )
    elif "SMALLCRM_DB" in os.environ:
        value = os.environ["SMALLCRM_DB"]
        if not value.strip():
            raise ValidationError(
                "SMALLCRM_DB",
                "is set but empty: give a database file or URL, or unset SMALLCRM_DB "
                "to use the default database",
            )
    else:
        value = str(default_database_path())
    if "://" in value:
        remember(value)
        return value
    return "sqlite:///" + str(Path(value).expanduser().resolve())


def dialect_of(url: str) -> str:
    """``sqlite`` or ``postgresql``; any other database is refused with a clear message."""
    scheme = url.split("://", 1)[0].split("+", 1)[0].lower()
    if scheme in ("postgres", "postgresql"):
        return "postgresql"
    if scheme == "sqlite":
        return "sqlite"
    raise ValidationError(
        "db",
        f"{scheme!r} databases are not supported; give a file path, a sqlite:/// URL or a "
        "postgresql+psycopg:// URL",
    )


def sqlite_path(url: str) -> Path | None:
    """The file behind a ``sqlite:///`` URL, or None for other databases."""
    if not url.startswith("sqlite"):
        return None
    path = url.split(":///", 1)[1] if ":///" in url else ""
    return Path(path) if path and path != ":memory:" else None


def ensure_folder(path: Path) -> None:
    """Create the default database's folder; any other folder must exist already.

    Creating folders for a path someone typed would turn a typo (``--db ~/wrok/crm.db``) into
    a new, empty database in a new folder that nobody looks at again.
    """
    folder = path.parent
    if folder.is_dir():
        return
    if path.resolve() == default_database_path().resolve():
        folder.mkdir(parents=True, exist_ok=True)
        return
    if folder.exists():
        raise StoreError(f"{folder} is not a folder, so it cannot hold the database {path.name}")
    raise StoreError(f"the folder {folder} does not exist; create it first")


# --- passwords ---------------------------------------------------------------------------------


def _user_infos(rest: str) -> list[str]:
    """The user-and-password part of a URL (after ``://``) as each reader may take it.

    A person who types a password holding ``@`` means the last ``@`` to end it; libpq ends it at
    the first ``@`` before any ``/``. Both readings are kept, so both get redacted.
    """
    if "@" not in rest:
        return []
    infos = [rest.rpartition("@")[0], rest.partition("@")[0]]
    authority = rest.split("/", 1)[0]
    if "@" in authority:
        infos.append(authority.rpartition("@")[0])
    return infos


def url_secrets(url: str) -> set[str]:
    """Every spelling of the password(s) in ``url``: as typed, decoded and re-escaped, and
    the pieces a parser could cut them into at ``@ / ? #``."""
    from urllib.parse import quote, unquote

    _scheme, sep, rest = url.partition("://")
    if not sep:
        return set()
    typed = {info.partition(":")[2] for info in _user_infos(rest) if ":" in info}
    typed |= {match[2] for match in _QUERY_PASSWORD.finditer(rest)}
    found: set[str] = set()
    for secret in filter(None, typed):
        plain = unquote(secret)
        found |= {secret, plain, quote(plain, safe=""), quote(plain)}
        found |= {p for p in re.split(r"[@/?#]", secret) if len(p) >= 4}
    return {s for s in found if s}


def redact_url(url: str) -> str:
    """``url`` as safe to print: the password (also a ``password=`` option) shown as ``***``."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    if "@" in rest:
        info, _, host = rest.rpartition("@")
        user, colon, _password = info.partition(":")
        rest = f"{user}{':' + MASK if colon else ''}@{host}"
    rest = _QUERY_PASSWORD.sub(lambda m: m[1] + MASK, rest)
    return f"{scheme}{sep}{rest}"


def redact(text: str, *urls: str) -> str:
    """``text`` with every spelling of the passwords of ``urls`` and of every URL this process
    opened replaced by ``***`` (longest first, so that no part of a longer one is left)."""
    secrets = set(_SECRETS)
    for url in urls:
        secrets |= url_secrets(url)
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text


def remember(url: str) -> None:
    """Keep the passwords of ``url`` out of whatever this process logs or prints later."""
    secrets = url_secrets(url)
    if secrets - _SECRETS:
        _SECRETS.update(secrets)
        _redact_logs_and_tracebacks()


def postgres_conninfo(url: str) -> str:
    """The libpq URL for a ``postgresql+psycopg://`` URL, refusing one libpq would misread.

    An unescaped ``@`` or ``/`` in the password makes libpq take part of it for the host; a
    ``%`` that starts no escape makes it quote the password back. Both are refused here with
    the URL shown redacted, saying how to write the character.
    """
    from urllib.parse import unquote_to_bytes

    remember(url)
    conninfo = re.sub(r"^postgres(ql)?(\+\w+)?://", "postgresql://", url)
    rest = conninfo.partition("://")[2]
    shown = redact_url(url)
    if rest.count("@") > 1:
        raise StoreError(
            f"the database URL {shown} holds more than one '@': write an '@' in the user name "
            "or password as %40"
        )
    info = rest.partition("@")[0] if "@" in rest else ""
    if "/" in info:
        raise StoreError(
            f"the database URL {shown} holds a '/' in its user name or password: write it as %2F"
        )
    if _BAD_ESCAPE.search(info):
        raise StoreError(
            f"the database URL {shown} holds a '%' in its user name or password that starts no "
            "escape: write a '%' as %25"
        )
    try:
        unquote_to_bytes(info).decode("utf-8")
    except UnicodeDecodeError:
        raise StoreError(
            f"the database URL {shown} holds an escape in its user name or password that is "
            "not UTF-8 text (such as %80)"
        ) from None
    return conninfo


_hooks_installed = False


def _redact_logs_and_tracebacks() -> None:
    """From now on, log records and uncaught tracebacks are redacted before they are written."""
    global _hooks_installed
    if _hooks_installed:
        return
    _hooks_installed = True
    import logging

    make_record = logging.getLogRecordFactory()

    def redacted_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        try:
            record.msg, record.args = redact(record.getMessage()), ()
        except Exception:  # noqa: BLE001 - a record that cannot be formatted is logged as it is
            pass
        return record

    logging.setLogRecordFactory(redacted_record)
    previous = sys.excepthook

    def redacted_traceback(kind: Any, value: Any, trace: Any) -> None:
        import traceback

        sys.stderr.write(redact("".join(traceback.format_exception(kind, value, trace))))

    if previous is sys.__excepthook__:
        sys.excepthook = redacted_traceback
