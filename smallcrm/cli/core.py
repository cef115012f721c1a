"""What every shell command shares, without Typer: the database it opens, "now", name lookups,
and the messages for the store's typed errors.

Only the standard library is imported at module level (not even typer), so the quick commands
of ``smallcrm.cli.quick`` can use it without paying for Typer's argument machinery.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from smallcrm.store.db import Database
    from smallcrm.store.errors import AmbiguousError, StoreError
    from smallcrm.store.records import SearchHit

EXIT_ERROR = 1
EXIT_INTERRUPTED = 130
SHOWN_CANDIDATES = 8

# Store field names as the shell's options spell them, so errors name what the user typed.
FIELD_OPTIONS = {
    "emails": "--email",
    "email": "--email",
    "phones": "--phone",
    "phone": "--phone",
    "expected_close": "--close",
    "follow_up_on": "--follow-up",
    "happened_at": "--at",
    "duration_minutes": "--duration",
    "starts_at": "WHEN",
    "ends_at": "--duration",
    "location": "--where",
    "postal_code": "--postal-code",
    "next_step": "--next-step",
    "lost_reason": "--lost-reason",
    "reminder_minutes": "--reminder",
    "rrule": "--repeat",
    "first_name": "NAME",
    "last_name": "NAME",
    "name": "NAME",
    "title": "--title",
    "amount": "--amount",
    "currency": "--currency",
    "stage": "--stage",
    "probability": "--probability",
    "website": "--website",
    "industry": "--industry",
    "tags": "--tag",
    "owner": "--owner",
    "city": "--city",
    "country": "--country",
    "street": "--street",
    "birthday": "--birthday",
    "source": "--source",
    "notes": "--notes",
    "body": "--body",
    "direction": "--direction",
    "subject": "SUBJECT",
    "email_consent_source": "--consent-source",
    "sort": "--sort",
    "limit": "--limit",
    "since": "--since",
    "until": "--until",
    "destination": "DEST",
    "db": "--db",
    "duration": "--duration",
    "expires": "--expires",
    "days": "--days",
}


class CliError(Exception):
    """A problem to report to the user as is, with exit code 1."""


class State:
    """The root command's options, handed to every subcommand through ``ctx.obj``."""

    # A plain class: a dataclass costs a millisecond at import, on every quick-add.
    def __init__(self, target: str | None = None) -> None:
        self.target = target
        self._db: Database | None = None

    def db(self) -> Database:
        """The database, opened (and created or migrated if needed) on first use."""
        if self._db is None:
            from smallcrm.store.db import open_database, resolve_url
            from smallcrm.store.team import exposure_warning

            url = resolve_url(self.target)
            check_url(url)
            check_file(url)
            self._db = open_database(self.target)
            warning = exposure_warning(self._db.path)  # one stat call; None for PostgreSQL
            if warning:
                err(f"Warning: {warning}")
        return self._db

    def close(self) -> None:
        """Close the database if a command opened it."""
        if self._db is not None:
            self._db.close()
            self._db = None


def check_url(url: str) -> None:
    """Refuse database URLs the store cannot open (it would fall back to an in-memory one)."""
    if not url.startswith(("sqlite", "postgres")):
        scheme = url.split("://", 1)[0]
        raise CliError(
            f"--db: {scheme}:// databases are not supported; give a file path, a "
            "sqlite:///PATH URL or a postgresql://USER@HOST/NAME URL"
        )
    scheme, _, rest = url.partition("://")
    if scheme.split("+")[0] == "sqlite" and rest and not rest.startswith("/"):
        # sqlite://user:password@host/... : SQLite has no server, user or password (and the
        # URL is not echoed: it may hold a password).
        raise CliError(
            "--db: a SQLite URL names a file and nothing else: sqlite:///relative/path.db or "
            "sqlite:////absolute/path.db"
        )


def check_file(url: str) -> None:
    """Refuse a SQLite path that exists but is no file (``/dev/null``, a folder): SQLite would
    fail half way through creating its tables there."""
    from smallcrm.store.db import sqlite_path

    path = sqlite_path(url)
    if path is not None and path.exists() and not path.is_file():
        what = "a folder" if path.is_dir() else "not a regular file"
        raise CliError(f"--db: {str(path)!r} is {what}; give the path of a database file")


def now() -> datetime:
    """The current time in the business's zone, from the one clock (``SMALLCRM_NOW`` pins it)."""
    from smallcrm.store import clock

    try:
        return clock.now()
    except clock.ClockError as exc:
        raise CliError(str(exc)) from None


def err(message: str) -> None:
    """Write a message for the user on stderr (messages echo names and values from the data:
    their control characters are made visible)."""
    from smallcrm.store.formats import printable

    sys.stderr.write(printable(message.rstrip("\n"), keep_newlines=True) + "\n")


# --- errors --------------------------------------------------------------------------------------


def quiet_broken_pipe() -> None:
    """The reader went away (``| head``): send what is left to /dev/null, as other tools do."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def describe_error(exc: BaseException) -> str | None:
    """The message for an expected failure, or None for a bug (which keeps its traceback).

    Never with a database password in it, whatever layer worded the error.
    """
    from smallcrm.store.urls import redact

    message = _error_message(exc)
    return None if message is None else redact(message)


def _error_message(exc: BaseException) -> str | None:
    import sqlite3

    from smallcrm.store.errors import (
        AmbiguousError,
        NotFoundError,
        StoreError,
        ValidationError,
    )

    if isinstance(exc, ValidationError):
        return f"{FIELD_OPTIONS.get(exc.field, exc.field)}: {exc.message}"
    if isinstance(exc, AmbiguousError):
        return ambiguity_message(exc, "--id {ref}")
    if isinstance(exc, NotFoundError):
        return f"{exc}."
    if isinstance(exc, StoreError):
        return str(exc)
    if isinstance(exc, OSError):
        where = f" {exc.filename}" if exc.filename else ""
        return f"cannot open the database: {exc.strerror or exc}{where}"
    if isinstance(exc, sqlite3.DatabaseError):
        return f"cannot use the database: {exc}{_doctor_hint(exc)}"
    if type(exc).__module__.startswith("psycopg"):
        return f"cannot use the database: {exc}"
    original = getattr(exc, "orig", None)  # SQLAlchemy wraps the driver's error (migrations)
    if type(exc).__module__.startswith("sqlalchemy") and isinstance(original, Exception):
        return describe_error(original)
    return None


EXIT_BUG = 70  # sysexits' EX_SOFTWARE: not the user's doing


def describe_bug(exc: BaseException) -> str:
    """One line for an error nobody expected (a bug): what happened, and how to see more.
    ``SMALLCRM_DEBUG=1`` shows the traceback instead."""
    detail = " ".join(str(exc).split())[:200]
    return (
        f"unexpected {type(exc).__name__}{': ' + detail if detail else ''}. This is a bug in "
        "smallcrm; run the command again with SMALLCRM_DEBUG=1 to see where it happened."
    )


def debugging() -> bool:
    """Whether unexpected errors should show their traceback (``SMALLCRM_DEBUG``)."""
    return os.environ.get("SMALLCRM_DEBUG", "") not in ("", "0")


def _doctor_hint(exc: BaseException) -> str:
    """SQLite's words for a full disk or another user's file ("disk I/O error", "attempt to
    write a readonly database") do not say what to do; doctor does."""
    from smallcrm.store.health import trouble

    if trouble(exc) in ("full", "io", "access", "damage"):
        return " (smallcrm doctor says why and what to do)"
    return ""


# --- naming records ------------------------------------------------------------------------------


def lookup(
    db: Database,
    text: str,
    kinds: Sequence[str],
    *,
    option: str,
    how: str,
    pick: str | None = None,
    create: str | None = None,
) -> SearchHit:
    """The one record ``text`` names, or a CliError listing candidates / close names.

    ``how`` says how to pick one by id, with ``{ref}`` for the id: ``--account {ref}``;
    ``create`` is the command that would add a missing one, offered when nothing matches.
    """
    from smallcrm.store.errors import AmbiguousError, NotFoundError
    from smallcrm.store.resolve import resolve

    try:
        return resolve(db, text, kinds, field=option, pick=pick)
    except AmbiguousError as exc:
        raise CliError(ambiguity_message(exc, how)) from None
    except NotFoundError as exc:
        message = not_found_message(db, exc, text, kinds)
        if create and not _is_id(text):
            message += f"\nTo add it: {create} {_shell_quote(text)}"
        raise CliError(message) from None


def _is_id(text: str) -> bool:
    return text.strip().lstrip("#").isdigit() or ":" in text


def ambiguity_message(exc: AmbiguousError, how: str) -> str:
    """Several records match: list them with ids and say how to choose."""
    from smallcrm.cli.views import shell_kind

    hits = list(exc.candidates)
    mixed = len({h.kind for h in hits}) > 1
    shown = hits[:SHOWN_CANDIDATES]
    width = max(len(f"{shell_kind(h.kind)} {h.record_id}") for h in shown)
    lines = [f"{exc.ref!r} matches several {plural(exc.kind)}:"]
    for h in shown:
        label = f"{shell_kind(h.kind)} {h.record_id}"
        detail = f"  ({h.detail})" if h.detail else ""
        lines.append(f"  {label:<{width}}  {h.title}{detail}")
    if len(hits) > len(shown):
        lines.append("  ... and more")
    first = shown[0]
    ref = f"{shell_kind(first.kind)}:{first.record_id}" if mixed else str(first.record_id)
    lines.append(f"Pick one with {how.format(ref=ref)} (its id) or type a fuller name.")
    return "\n".join(lines)


def plural(kinds: str) -> str:
    """``contact or account`` -> ``contacts or accounts``."""
    return " or ".join(word + "s" for word in kinds.split(" or "))


def not_found_message(db: Database, exc: StoreError, text: str, kinds: Sequence[str]) -> str:
    """Nothing matches: say so, offer close names, and how to look."""
    from smallcrm.cli.views import shell_kind
    from smallcrm.store.lookalikes import suggest
    from smallcrm.store.resolve import describe_kinds

    if _is_id(text) or "with " in str(exc):
        from smallcrm.store.kinds import get

        listing = get(kinds[0]).plural
        return f"{exc}. See the ids with: smallcrm list {listing}"
    message = f"no {describe_kinds(kinds)} matches {text!r}."
    close = suggest(db, text, kinds)
    if close:
        names = ", ".join(f"{h.title} ({shell_kind(h.kind)} {h.record_id})" for h in close)
        message += f" Did you mean: {names}?"
    return message + f" Look with: smallcrm search {_shell_quote(text)}"


def _shell_quote(text: str) -> str:
    import shlex

    return shlex.quote(text)
