"""Backups, restores and health checks of an SQLite database.

A backup is taken with SQLite's online backup API in one step (``pages=-1``): a step-wise copy
restarts on every write by someone else and may never finish, while one step under the read
lock took 55-83 ms for 23 MB here. The copy is then fsynced, checked with
``PRAGMA integrity_check`` and only then given its final name, so a backup that exists is a good
one. Restores check the file first, refuse while anyone has the database open, and keep the
database they replace.

Both check the free space they need first and, when a disk fills or a permission is missing
anyway, say which disk or file it is (``health``): a backup to a full disk names the
destination, not the database, and leaves no partial file behind.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

from smallcrm.store import clock, health, kinds, leftovers
from smallcrm.store.db import Database
from smallcrm.store.errors import StoreError, ValidationError

BACKUP_SUFFIX = ".smallcrm-backup.db"
DEFAULT_KEEP = 10
_BACKUP_ADVICE = (
    "Free some space there, or back up elsewhere: smallcrm backup DEST. Nothing was written "
    "there, and the database was not changed."
)
_RESTORE_ADVICE = (
    "It needs room for the backup and for a copy of the database it replaces. Free some space "
    "there, then restore again. Nothing was changed."
)


def _require_sqlite(db: Database) -> Path:
    if db.path is None:
        raise ValidationError(
            "db", "backups and restores here are for SQLite files; use pg_dump for PostgreSQL"
        )
    return db.path


def integrity_problems(path: Path) -> list[str]:
    """``PRAGMA integrity_check`` of a database file: an empty list means it is sound."""
    try:
        return read_integrity(path)
    except sqlite3.Error as exc:
        return [f"cannot open: {exc}"]


def read_integrity(path: Path, *, as_on_disk: bool = False) -> list[str]:
    """The problems ``PRAGMA integrity_check`` finds (none: sound); raises ``sqlite3.Error``
    when the file cannot be read for another reason than damage (a lock, a permission, a
    full disk), so that the caller can say which.

    ``as_on_disk`` reads the file without locks and without its ``-wal`` and ``-shm`` files
    (SQLite's ``immutable``): exact only while nobody writes and the ``-wal`` is empty, and
    the one way to read a database whose ``-shm`` cannot be made (a full disk, a folder this
    user may not write).
    """
    uri = f"file:{quote(str(path))}?{'immutable=1' if as_on_disk else 'mode=ro'}"
    conn = sqlite3.connect(uri, uri=True)
    try:
        rows = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
        conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as exc:
        if health.trouble(exc) != "damage":
            raise
        return [f"not a smallcrm database: {exc}"]
    finally:
        conn.close()
    return [] if rows == ["ok"] else rows


def _copy(source: Path, target: Path, *, checkpoint: bool = False, mode: int = 0o600) -> None:
    """Copy a database file with the online backup API in one step, then fsync the copy."""
    src = sqlite3.connect(str(source), timeout=5)
    dst = sqlite3.connect(str(target))
    try:
        if checkpoint:
            src.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        src.backup(dst, pages=-1)
        # A standalone file: in WAL mode every reader of the copy would leave -wal/-shm files
        # beside it (under the copy's temporary name, too).
        dst.execute("PRAGMA journal_mode = DELETE")
    finally:
        dst.close()
        src.close()
    os.chmod(target, mode)
    _fsync(target)


def _sharing_of(source: Path) -> tuple[int, int]:
    """The mode and group a backup of ``source`` gets: the database's own, never more than
    read and write for its owner and group (a team database's backups are the team's)."""
    info = source.stat()
    return (stat.S_IMODE(info.st_mode) & 0o660) or 0o600, info.st_gid


def _give_group(path: Path, gid: int) -> None:
    """Hand ``path`` to the database's group; if we may not, it stays ours alone."""
    try:
        os.chown(path, -1, gid)
    except PermissionError:
        os.chmod(path, stat.S_IMODE(path.stat().st_mode) & ~0o077)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def backup(
    db: Database,
    destination: Path | None = None,
    *,
    keep: int = DEFAULT_KEEP,
    now: datetime | None = None,
) -> Path:
    """Copy the database consistently while others keep writing; returns the backup's path.

    ``destination`` is a directory (default: ``backups/`` beside the database) where the file
    gets a timestamped name and only the newest ``keep`` backups are kept, or a file name.
    """
    source = _require_sqlite(db)
    folder = destination if destination is not None else source.parent / "backups"
    rotate = destination is None or destination.is_dir() or not destination.suffix
    if rotate:
        target = _free_name(folder, f"{source.stem}-", BACKUP_SUFFIX, now)
    else:
        assert destination is not None  # a named file: only a folder rotates
        target = destination
    mode, gid = _sharing_of(source)
    needed = copy_size(source)
    try:
        _need_room(target.parent, needed, "the backup", _BACKUP_ADVICE)
        _make_folder(target.parent, mode, gid)
        _write_checked_copy(source, target, mode, gid)
    except (sqlite3.Error, OSError) as exc:
        raise _backup_failure(source, target.parent, needed, exc) from None
    if rotate:
        prune_backups(target.parent, source.stem, keep)
    return target


def _make_folder(folder: Path, mode: int, gid: int) -> None:
    if not folder.exists():
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        if mode & 0o060:  # beside a team database: a folder the team can use, as init-shared
            os.chmod(folder, 0o2770)
            _give_group(folder, gid)


def _write_checked_copy(source: Path, target: Path, mode: int, gid: int) -> None:
    """Copy to ``TARGET.partial``, check it, then give it its name; no partial file stays,
    whatever fails."""
    partial = target.with_name(target.name + ".partial")
    try:
        fd = os.open(partial, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
        os.close(fd)
        _copy(source, partial, mode=mode)
        if mode & 0o060:
            _give_group(partial, gid)
        problems = integrity_problems(partial)
        if problems:
            raise ValidationError("backup", "the copy failed its check: " + "; ".join(problems))
        partial.replace(target)
        _fsync(target)
    finally:
        for leftover in ("", "-wal", "-shm", "-journal"):
            Path(str(partial) + leftover).unlink(missing_ok=True)


def copy_size(path: Path) -> int:
    """Bytes a copy of the database needs while it is made: the file and what its ``-wal``
    adds, the copy's own ``-shm`` (it starts as a WAL database, as the original is) and a
    few pages of journal."""
    data = sum(
        Path(f"{path}{suffix}").stat().st_size
        for suffix in ("", "-wal")
        if Path(f"{path}{suffix}").exists()
    )
    return data + health.SHM_BYTES + 16 * health.page_size(path)


def _need_room(folder: Path, needed: int, what: str, advice: str) -> None:
    """Refuse before writing anything when ``folder``'s disk has less free than ``needed``."""
    free = health.free_space(folder)
    if free < needed:
        raise StoreError(f"{_no_room(folder, needed, free, what)}. {advice}")


def _no_room(folder: Path, needed: int, free: int, what: str) -> str:
    if free >= needed:  # filled by someone else meanwhile, or a quota the free space hides
        return (
            f"the disk holding {folder} ran full while writing {what} (it needs about "
            f"{health.size_text(needed)}; {health.size_text(free)} free now)"
        )
    return (
        f"not enough space on the disk holding {folder}: {what} needs about "
        f"{health.size_text(needed)} there, and {health.size_text(free)} "
        f"{'is' if free == 1 else 'are'} free"
    )


def _backup_failure(source: Path, folder: Path, needed: int, exc: BaseException) -> StoreError:
    """What stopped a backup, naming the side it happened on: the destination (full, or not
    writable) or the database (locked, its disk full, not readable)."""
    kind = health.trouble(exc)
    after = "Nothing was written there, and the database was not changed."
    if kind == "full" or (kind == "io" and health.free_space(folder) < needed):
        free = health.free_space(folder)
        return StoreError(f"{_no_room(folder, needed, free, 'the backup')}. {_BACKUP_ADVICE}")
    place = health.existing_parent(folder)
    if kind == "access" and not os.access(place, os.W_OK | os.X_OK):
        return StoreError(
            f"you ({health.user_name(os.geteuid())}) may not write to {place}: "
            f"{health.owned(place)}. Back up elsewhere: smallcrm backup DEST. {after}"
        )
    blocked = health.blocked(source, exc)
    if blocked is not None:
        return StoreError(f"cannot read the database {source} to back it up: {blocked}")
    return StoreError(f"the backup to {folder} failed: {exc}. {after}")


def _free_name(folder: Path, prefix: str, suffix: str, now: datetime | None) -> Path:
    """``folder/prefix<UTC time>suffix`` that does not exist yet. Names sort by time; a name
    taken already (two backups in one microsecond, or a clock pinned for a test or a demo)
    moves on by a microsecond, so nothing is overwritten and the order stays right."""
    moment = (now or clock.now_utc()).astimezone(UTC)
    while True:
        path = folder / f"{prefix}{moment:%Y%m%dT%H%M%S%fZ}{suffix}"
        if not path.exists():
            return path
        moment += timedelta(microseconds=1)


def list_backups(folder: Path, stem: str) -> list[Path]:
    """The backups of one database in a folder, oldest first."""
    return sorted(folder.glob(f"{stem}-*{BACKUP_SUFFIX}"))


def prune_backups(folder: Path, stem: str, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` backups; returns what was deleted."""
    if keep < 1:
        raise ValidationError("keep", "must be at least 1")
    old = list_backups(folder, stem)[:-keep]
    for path in old:
        path.unlink()
    return old


def restore(db_path: Path, source: Path, *, now: datetime | None = None) -> Path:
    """Replace the database at ``db_path`` with the backup ``source``.

    The backup is checked before anything is touched; the database it replaces is kept beside
    it (``*.before-restore-<time>.db``), whose path is returned (it exists only if there was a
    database). Nobody may have the database open: a program holding the replaced file would
    go on writing to it, and its changes would be lost, so that is refused. The restored file
    keeps the permissions and group of the one it replaces (a team's shared database stays
    shared).
    """
    check_backup(source)
    if db_path.exists() and open_elsewhere(db_path):
        raise ValidationError(
            "database",
            f"{db_path} is open in another program (the app, or a command still running); "
            "close it everywhere, then restore again. Nothing was changed.",
        )
    kept = _free_name(db_path.parent, f"{db_path.stem}.before-restore-", ".db", now)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    needed = copy_size(source) + (copy_size(db_path) if db_path.exists() else 0)
    try:
        _need_room(db_path.parent, needed, "the restore", _RESTORE_ADVICE)
        # The lock on NAME.restoring tells a start-up tidying up after a killed restore that
        # this one is still running (see leftovers).
        with leftovers.restoring(db_path) as staged:
            _copy(source, staged)
            if db_path.exists():
                _keep_access(db_path, staged)
                _keep_aside(db_path, kept)
            for suffix in ("-wal", "-shm"):
                Path(str(db_path) + suffix).unlink(missing_ok=True)
            staged.replace(db_path)
    except (sqlite3.Error, OSError) as exc:
        raise _restore_failure(db_path, needed, exc) from None
    _fsync(db_path)
    return kept


def _restore_failure(db_path: Path, needed: int, exc: BaseException) -> StoreError:
    """What stopped a restore: the disk beside the database, a permission, or SQLite's word."""
    free = health.free_space(db_path.parent)
    if health.trouble(exc) == "full" or free < needed:
        return StoreError(
            f"{_no_room(db_path.parent, needed, free, 'the restore')}. {_RESTORE_ADVICE}"
        )
    blocked = health.blocked(db_path, exc)
    return StoreError(f"cannot restore {db_path}: {blocked or exc}. Nothing was changed.")


def check_backup(source: Path) -> None:
    """Raise ValidationError unless ``source`` is a sound smallcrm database this version reads."""
    from smallcrm.store.migrations import HEAD_REVISION

    if not source.is_file():
        raise ValidationError("source", f"{source} is not a file")
    problems = integrity_problems(source)
    if problems:
        raise ValidationError("source", f"{source} is not a sound backup: {in_words(problems)}")
    revision = schema_revision(source)
    if revision is not None and revision > HEAD_REVISION:  # zero-padded numbers: "0004"
        raise ValidationError(
            "source",
            f"{source} was made by a newer smallcrm (schema {revision}; this one knows up to "
            f"{HEAD_REVISION}); upgrade smallcrm first",
        )


def in_words(problems: list[str]) -> str:
    """What ``integrity_problems`` found, in a user's words."""
    text = "; ".join(problems[:3])
    if text.startswith("cannot open: "):
        return f"it cannot be read ({text.removeprefix('cannot open: ')})"
    if "file is not a database" in text:
        return "it is not a database file (or its first page is damaged)"
    if "no such table" in text:
        return "it is a database, but not a smallcrm one"
    if "malformed" in text:
        return "the file is damaged (cut short or overwritten)"
    return f"the file is damaged ({text})"


def schema_revision(path: Path) -> str | None:
    """The schema revision recorded in a database file (None if it has none)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError:
        return None
    finally:
        conn.close()
    return None if row is None else str(row[0])


def open_elsewhere(path: Path) -> bool:
    """Whether another connection has the database open, even one doing nothing.

    Every connection to a WAL database holds a shared lock on its ``-shm`` file; a connection
    in exclusive locking mode can begin a transaction only when there is no other. The check
    writes nothing.
    """
    conn = sqlite3.connect(str(path), isolation_level=None, timeout=0.2)
    try:
        conn.execute("PRAGMA locking_mode = EXCLUSIVE")
        conn.execute("BEGIN EXCLUSIVE")
        conn.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError as exc:
        return "locked" in str(exc) or "busy" in str(exc)
    except sqlite3.DatabaseError:
        return False  # a damaged file: nobody can be using it to any effect
    finally:
        conn.close()


def _keep_aside(db_path: Path, kept: Path) -> None:
    """Copy the database about to be replaced; byte for byte (with its WAL) if it is too
    damaged for SQLite to copy, which is when a restore is most needed. The copy is written
    under ``NAME.restoring-kept`` and named ``kept`` only when complete, so a restore killed
    meanwhile leaves no half copy that looks like a whole one."""
    temp = leftovers.kept_path(db_path)
    try:
        _copy(db_path, temp, checkpoint=True)
    except sqlite3.DatabaseError as exc:
        if health.trouble(exc) in ("full", "busy"):
            raise
        temp.unlink(missing_ok=True)
        for suffix in ("", "-wal"):
            if Path(str(db_path) + suffix).exists():
                shutil.copyfile(str(db_path) + suffix, str(temp) + suffix)
                os.chmod(str(temp) + suffix, 0o600)
        if Path(f"{temp}-wal").exists():
            _fsync(Path(f"{temp}-wal"))
            Path(f"{temp}-wal").replace(f"{kept}-wal")
    temp.replace(kept)
    _fsync(kept)


def _keep_access(current: Path, replacement: Path) -> None:
    """Give ``replacement`` the permission bits and group of ``current``."""
    info = current.stat()
    os.chmod(replacement, stat.S_IMODE(info.st_mode))
    if replacement.stat().st_gid != info.st_gid:
        try:
            os.chown(replacement, -1, info.st_gid)
        except PermissionError:
            pass  # not a member of that group: the owner's permissions still apply


def describe(path: Path) -> str:
    """What a database file holds, in a few words: ``120 contacts, 14 accounts, 9 deals;
    last change 2026-11-25 10:30 UTC``."""
    # Read-write, though it only reads: the last connection to close tidies up the -wal and
    # -shm files, which a read-only one would leave behind.
    conn = sqlite3.connect(str(path))
    try:
        counts = [
            f"{count} {kind.word if count == 1 else kind.plural}"
            for kind in (kinds.CONTACT, kinds.ACCOUNT, kinds.OPPORTUNITY)
            for count in (_live(conn, kind.table),)
        ]
        last = conn.execute("SELECT max(at) FROM audit_entry").fetchone()[0]
    except sqlite3.DatabaseError:
        return "not readable as a smallcrm database"
    finally:
        conn.close()
    when = f"last change {str(last)[:16]} UTC" if last else "no changes yet"
    return f"{', '.join(counts)}; {when}"


def _live(conn: sqlite3.Connection, table: str) -> int:
    return int(conn.execute(f"SELECT count(*) FROM {table} WHERE deleted_at IS NULL").fetchone()[0])
