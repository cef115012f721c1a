"""What an interrupted restore leaves beside the database, and tidying it up on the next start.

A restore (``maintenance.restore``) writes the backup to ``NAME.restoring`` and the copy of the
database it replaces to ``NAME.restoring-kept``, renames that copy to
``STEM.before-restore-TIME.db`` once it is complete, and finally renames ``NAME.restoring`` over
the database. Killed before that last step, it leaves files whose names all start with
``NAME.restoring`` (SQLite adds ``-journal``, ``-wal`` and ``-shm`` to them); the database
itself is the one from before the restore, untouched. Those files are a full copy each, of
personal data, and useless: they are removed when the database is next opened.

Opening the database costs one ``stat`` of ``NAME.restoring`` for this; the folder is listed
only when that file exists (or when ``doctor`` asks). A restore holds an exclusive ``flock``
on ``NAME.restoring`` from before it writes anything until it is done, so a restore that is
still running is never tidied away: whoever finds the lock taken leaves everything alone.

Versions before this one wrote the kept copy under its final name, so a kill left
``STEM.before-restore-TIME.db`` with a ``-journal``: an incomplete copy. SQLite's own
recovery rolls such a copy back to what it was before the copy began (nothing, as the file was
new); the empty file is then removed, and a copy that turns out complete is kept.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from smallcrm.store.errors import ValidationError

STAGED = ".restoring"
KEPT = ".restoring-kept"


def staged_path(db_path: Path) -> Path:
    """Where a restore writes the backup before it takes the database's place."""
    return db_path.with_name(db_path.name + STAGED)


def kept_path(db_path: Path) -> Path:
    """Where a restore writes the copy of the database it replaces until that is complete."""
    return db_path.with_name(db_path.name + KEPT)


@contextmanager
def restoring(db_path: Path) -> Iterator[Path]:
    """Hold the restore lock on ``NAME.restoring`` (made empty) while the body runs; leftovers
    of an earlier, interrupted restore are removed first, and whatever the body leaves under
    ``NAME.restoring*`` is removed at the end. Refuses while another restore runs."""
    staged = staged_path(db_path)
    busy = f"another restore of {db_path} is running; wait for it to finish. Nothing was changed."
    with claimed(staged, busy) as fd:
        names = _names(db_path.parent)
        _remove_restoring_files(db_path, names, keep=staged)
        _remove_cut_short_copies(db_path, names)
        os.ftruncate(fd, 0)
        yield staged


@contextmanager
def claimed(work: Path, busy: str) -> Iterator[int]:
    """Create ``work`` (if need be) and hold an exclusive ``flock`` on it while the body runs;
    at the end remove it and every file named ``WORK*`` (SQLite's journals of it). Raises
    ValidationError(``busy``) when another process holds it: its work is in progress."""
    while True:
        fd = os.open(work, os.O_CREAT | os.O_RDWR, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise ValidationError("database", busy) from None
        if _same_file(fd, work):
            break
        os.close(fd)  # tidied away by someone else between our open and our lock: again
    try:
        yield fd
    finally:
        _remove_prefixed(work.parent, work.name, _names(work.parent))
        os.close(fd)


def clear_abandoned(work: Path) -> list[Path]:
    """Remove ``work`` and its ``WORK*`` files if no process holds its lock (whoever made it
    was killed); returns what was removed."""
    try:
        fd = os.open(work, os.O_RDONLY)
    except OSError:
        return []
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return []  # still at work
    else:
        return _remove_prefixed(work.parent, work.name, _names(work.parent))
    finally:
        os.close(fd)


def _same_file(fd: int, path: Path) -> bool:
    try:
        return os.path.samestat(os.fstat(fd), os.stat(path))
    except FileNotFoundError:
        return False


def interrupted(db_path: Path) -> bool:
    """Whether a restore left its files beside the database (one ``stat``): the check run
    each time the database is opened."""
    return os.path.lexists(staged_path(db_path))


def restore_running(db_path: Path) -> bool:
    """Whether a restore of this database is running now (its lock is taken)."""
    try:
        fd = os.open(staged_path(db_path), os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)  # closing releases a lock we took
    return False


def clear_interrupted_restore(db_path: Path) -> list[Path]:
    """Remove what interrupted restores left beside ``db_path``; returns what was removed.

    Nothing is touched while a restore runs (its lock is taken). Never raises: a file that
    cannot be removed (another user's folder) stays, and ``doctor`` names it.
    """
    staged = staged_path(db_path)
    try:
        fd = os.open(staged, os.O_RDONLY)
    except OSError:
        fd = None  # no restore was interrupted since this version; older ones may have been
    try:
        if fd is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                return []  # a restore is running: everything there is its own
        names = _names(db_path.parent)
        return _remove_restoring_files(db_path, names) + _remove_cut_short_copies(db_path, names)
    finally:
        if fd is not None:
            os.close(fd)


def leftover_files(db_path: Path) -> list[Path]:
    """The files an interrupted restore left that are still there (for ``doctor``)."""
    names = _names(db_path.parent)
    staged = staged_path(db_path).name
    legacy = _legacy_journals(db_path, names)
    return [db_path.parent / n for n in names if n.startswith(staged)] + legacy


def _names(folder: Path) -> list[str]:
    try:
        return sorted(entry.name for entry in os.scandir(folder))
    except OSError:
        return []


def _remove_restoring_files(
    db_path: Path, names: list[str], keep: Path | None = None
) -> list[Path]:
    """Remove ``NAME.restoring*`` (all but ``keep``); the caller holds the restore lock."""
    return _remove_prefixed(db_path.parent, staged_path(db_path).name, names, keep)


def _remove_prefixed(
    folder: Path, prefix: str, names: list[str], keep: Path | None = None
) -> list[Path]:
    removed = []
    for name in names:
        path = folder / name
        if name.startswith(prefix) and path != keep and _unlink(path):
            removed.append(path)
    return removed


def _legacy_journals(db_path: Path, names: list[str]) -> list[Path]:
    prefix = f"{db_path.stem}.before-restore-"
    return [db_path.parent / n for n in names if n.startswith(prefix) and n.endswith(".db-journal")]


def _remove_cut_short_copies(db_path: Path, names: list[str]) -> list[Path]:
    """Roll back each kept copy an older version left with a ``-journal`` (SQLite recovers it
    on opening), and remove it if that leaves it empty. A copy some program has open (its
    lock is taken) is left alone."""
    removed = []
    for journal in _legacy_journals(db_path, names):
        copy = journal.with_name(journal.name.removesuffix("-journal"))
        try:
            conn = sqlite3.connect(str(copy), isolation_level=None, timeout=0)
            try:
                conn.execute("BEGIN EXCLUSIVE")  # rolls the hot journal back first
                conn.execute("ROLLBACK")
                empty = not conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            finally:
                conn.close()
        except sqlite3.Error:
            continue
        if empty and _unlink(copy):
            removed += [copy, journal]
    return removed


def _unlink(path: Path) -> bool:
    try:
        path.unlink()
    except OSError:  # gone already, or not ours to remove: doctor names what stays
        return False
    return True
