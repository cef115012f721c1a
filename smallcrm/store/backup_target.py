"""Where a backup may be written: never over the database it copies (or the files SQLite keeps
beside it), and only into a folder or a regular file.

A mistyped ``smallcrm backup crm.db`` would replace the database with a copy of itself while it
is open (and a copy over its ``-wal`` file throws away what the log holds); a device such as
``/dev/full`` or ``/dev/null`` swallows the copy or fails half way, which would read like a
problem with the database.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from smallcrm.store.errors import ValidationError

COMPANIONS = ("", "-wal", "-shm", "-journal")


def check_backup_destination(source: Path, destination: Path) -> None:
    """ValidationError (field ``destination``) when ``destination`` is the database ``source``,
    one of its companion files, or something that is neither a folder nor a regular file."""
    given = Path(os.path.expanduser(destination))
    database = Path(os.path.realpath(source))
    target = Path(os.path.realpath(given))
    for suffix in COMPANIONS:
        companion = Path(f"{database}{suffix}")
        if target == companion or _same_file(target, companion):
            what = f"the database's {suffix} file" if suffix else "the database itself"
            raise ValidationError(
                "destination",
                f"{str(destination)!r} is {what}; back up to a folder (by default backups/ "
                "beside the database) or to a new file name. Nothing was written.",
            )
    try:
        info = given.stat()
    except FileNotFoundError:
        return  # a new file or folder
    except OSError as exc:
        raise _unwritable(destination, exc.strerror or str(exc)) from None
    if not (stat.S_ISDIR(info.st_mode) or stat.S_ISREG(info.st_mode)):
        kind = "a device" if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode) else None
        raise _unwritable(
            destination, f"it is {kind or 'not a regular file'}, not a folder or a file"
        )


def _same_file(a: Path, b: Path) -> bool:
    """Whether two existing paths are one file (a hard link to the database, say)."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _unwritable(destination: Path, reason: str) -> ValidationError:
    return ValidationError(
        "destination",
        f"cannot write a backup to {str(destination)!r}: {reason}. Nothing was written, and the "
        "database was not changed.",
    )
