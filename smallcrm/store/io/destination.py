"""Where a file a user names may be written, and writing it there without harm.

Every file smallcrm writes where a user points it (an export, the whole database as JSON, an
invitation, a person's data; from the shell's ``-o`` or the app's save dialog) goes through
``check_destination`` and ``open_destination``, so both faces follow one rule:

- never over the database, its ``-wal``/``-shm``/``-journal`` files or its backups (the
  ``backups`` folder beside it, files named ``*.smallcrm-backup.db``), nor over any SQLite
  database (its first bytes say so): one mistyped ``-o`` must not destroy the CRM;
- never over anything but a regular file: a device (``/dev/full`` would swallow the export
  and report success), a pipe, a socket, a folder, or anything under ``/dev``, ``/proc`` or
  ``/sys`` (``/dev/stdout`` leads to a terminal, a pipe or the file a shell redirected to, which
  a rename would replace); any other link is followed to its file;
- written to a temporary file in the target's folder, readable by its owner only (exports hold
  personal data), flushed to disk and renamed over the target only when complete: a full disk,
  an error or Ctrl+C leaves no partial file and the previous one as it was.

Refusals and failed writes are one ``ValidationError`` (field ``output``): "cannot write
'FILE': REASON".
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from smallcrm.store.errors import ValidationError

if TYPE_CHECKING:
    from smallcrm.store.db import Database

SQLITE_MAGIC = b"SQLite format 3\x00"
BACKUP_SUFFIX = ".smallcrm-backup.db"  # as maintenance.backup names them
COMPANIONS = ("-wal", "-shm", "-journal")
SYSTEM_FOLDERS = ("/dev/", "/proc/", "/sys/")


def _refuse(path: Path | str, reason: str) -> ValidationError:
    return ValidationError("output", f"cannot write {str(path)!r}: {reason}")


def check_destination(path: str | os.PathLike[str], db: Database | None = None) -> Path:
    """The file to write for ``path`` (links followed), or ValidationError saying why not.

    ``db`` is the database in use: its file, companions and backups folder are refused by
    name even where they do not exist yet.
    """
    given = Path(os.path.expanduser(os.fspath(path)))
    try:
        info = given.stat()
    except FileNotFoundError:
        if given.is_symlink():
            raise _refuse(given, "it is a link that points to nothing") from None
        info = None
    except OSError as exc:
        raise _refuse(given, _reason(exc)) from None
    target = Path(os.path.realpath(given))
    if any(str(p).startswith(SYSTEM_FOLDERS) for p in (Path(os.path.abspath(given)), target)):
        # /dev/stdout and /proc/self/fd/1 lead to whatever the output is (a file the shell
        # redirected to, say): replacing that is never what "write it there" meant.
        raise _refuse(given, "it is a device or a system file, not a regular file")
    if info is not None:
        if stat.S_ISDIR(info.st_mode):
            raise _refuse(given, "it is a folder; give a file name")
        if not stat.S_ISREG(info.st_mode):
            raise _refuse(given, f"it is {_kind(info.st_mode)}, not a regular file")
    elif not target.parent.is_dir():
        raise _refuse(given, f"the folder {target.parent} does not exist")
    _not_the_database(given, target, db)
    return target


def _not_the_database(given: Path, target: Path, db: Database | None) -> None:
    if db is not None and db.path is not None:
        database = Path(os.path.realpath(db.path))
        names = {database.name + suffix for suffix in ("", *COMPANIONS)}
        if target.parent == database.parent and target.name in names:
            raise _refuse(given, f"it is the database {database} or one of its files")
        if target.exists() and database.exists() and os.path.samefile(target, database):
            raise _refuse(given, f"it is the database {database}")
        if target.parent == database.parent / "backups":
            raise _refuse(given, "it is in the database's backups folder")
    if target.name.endswith(BACKUP_SUFFIX) or target.name.endswith(
        tuple(BACKUP_SUFFIX + suffix for suffix in COMPANIONS)
    ):
        raise _refuse(given, "it is a smallcrm backup")
    for candidate in (target, *_owners(target)):
        if _is_sqlite(candidate):
            raise _refuse(given, f"it is a database file ({candidate.name})")


def _owners(target: Path) -> list[Path]:
    """The database a ``-wal``/``-shm``/``-journal`` file name belongs to."""
    return [
        target.with_name(target.name[: -len(suffix)])
        for suffix in COMPANIONS
        if target.name.endswith(suffix)
    ]


def _is_sqlite(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC
    except OSError:
        return False


def _kind(mode: int) -> str:
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISFIFO(mode):
        return "a pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a file"


def _reason(exc: OSError) -> str:
    return (exc.strerror or str(exc)).lower()


@contextmanager
def open_destination(path: str | os.PathLike[str], db: Database | None = None) -> Iterator[TextIO]:
    """A UTF-8 text stream whose content replaces ``path`` when the block ends without error.

    Checked first (``check_destination``). Line endings are written as given (CSV, vCard and
    iCalendar want CRLF). An ``OSError`` while writing becomes the ValidationError; anything
    else the block raises passes through. Either way the temporary file is removed.
    """
    target = check_destination(path, db)
    shown = os.fspath(path)
    try:
        handle, temporary = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=".part", dir=target.parent
        )
    except OSError as exc:
        raise _refuse(shown, _reason(exc)) from None
    try:
        with open(handle, "w", encoding="utf-8", newline="") as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())  # on disk before it replaces the previous file
        os.replace(temporary, target)
    except OSError as exc:
        raise _refuse(shown, _reason(exc)) from None
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def write_file(path: str | os.PathLike[str], text: str, db: Database | None = None) -> Path:
    """Write ``text`` to ``path`` as ``open_destination`` does; returns the file written."""
    target = check_destination(path, db)
    with open_destination(target, db) as out:
        out.write(text)
    return target
