"""Backups, restores and health checks of an SQLite database.

A backup is taken with SQLite's online backup API in one step (``pages=-1``): a step-wise copy
restarts on every write by someone else and may never finish, while one step under the read
lock took 55-83 ms for 23 MB here. The copy is then fsynced, checked with
``PRAGMA integrity_check`` and only then given its final name, so a backup that exists is a good
one. Restores check the file first, refuse while anyone has the database open, and keep the
database they replace.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from smallcrm.store import clock, kinds
from smallcrm.store.db import Database
from smallcrm.store.errors import ValidationError

BACKUP_SUFFIX = ".smallcrm-backup.db"
DEFAULT_KEEP = 10


@dataclass(frozen=True)
class Finding:
    """One result of ``doctor``: what was checked, whether it is fine, and how to repair it."""

    check: str
    ok: bool
    detail: str
    repair: str | None = None


def _require_sqlite(db: Database) -> Path:
    if db.path is None:
        raise ValidationError(
            "db", "backups and restores here are for SQLite files; use pg_dump for PostgreSQL"
        )
    return db.path


def integrity_problems(path: Path) -> list[str]:
    """``PRAGMA integrity_check`` of a database file: an empty list means it is sound."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        return [f"cannot open: {exc}"]
    try:
        rows = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
        conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as exc:
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
        target = destination
    mode, gid = _sharing_of(source)
    if not target.parent.exists():
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if mode & 0o060:  # beside a team database: a folder the team can use, as init-shared
            os.chmod(target.parent, 0o2770)
            _give_group(target.parent, gid)
    partial = target.with_name(target.name + ".partial")
    fd = os.open(partial, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
    os.close(fd)
    try:
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
    if rotate:
        prune_backups(target.parent, source.stem, keep)
    return target


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
    staged = db_path.with_name(db_path.name + ".restoring")
    db_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        _copy(source, staged)
        if db_path.exists():
            _keep_access(db_path, staged)
            _keep_aside(db_path, kept)
        for suffix in ("-wal", "-shm"):
            Path(str(db_path) + suffix).unlink(missing_ok=True)
        staged.replace(db_path)
    finally:
        staged.unlink(missing_ok=True)
    _fsync(db_path)
    return kept


def check_backup(source: Path) -> None:
    """Raise ValidationError unless ``source`` is a sound smallcrm database this version reads."""
    from smallcrm.store.migrations import HEAD_REVISION

    if not source.is_file():
        raise ValidationError("source", f"{source} is not a file")
    problems = integrity_problems(source)
    if problems:
        raise ValidationError("source", f"{source} is not a sound backup: {_plain(problems)}")
    revision = schema_revision(source)
    if revision is not None and revision > HEAD_REVISION:  # zero-padded numbers: "0004"
        raise ValidationError(
            "source",
            f"{source} was made by a newer smallcrm (schema {revision}; this one knows up to "
            f"{HEAD_REVISION}); upgrade smallcrm first",
        )


def _plain(problems: list[str]) -> str:
    """What ``integrity_problems`` found, in a user's words."""
    text = "; ".join(problems[:3])
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
    damaged for SQLite to copy, which is when a restore is most needed."""
    try:
        _copy(db_path, kept, checkpoint=True)
    except sqlite3.DatabaseError:
        kept.unlink(missing_ok=True)
        for suffix in ("", "-wal"):
            if Path(str(db_path) + suffix).exists():
                shutil.copyfile(str(db_path) + suffix, str(kept) + suffix)
                os.chmod(str(kept) + suffix, 0o600)
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


def doctor(db: Database) -> list[Finding]:
    """Integrity, foreign keys and the search index, each with how to repair a problem.

    On PostgreSQL the server looks after its own pages and links; the search index is checked.
    """
    if db.path is None and db.dialect == "postgresql":
        server = Finding(
            "integrity", True, "PostgreSQL checks its own pages and links (deeper: pg_amcheck)"
        )
        return [server, _search_finding(db)]
    path = _require_sqlite(db)
    findings = [integrity_finding(path)]
    try:
        with db.read() as tx:
            orphans = tx.all("PRAGMA foreign_key_check")
    except sqlite3.DatabaseError as exc:
        findings.append(Finding("links", False, f"cannot be checked: {exc}", restore_advice(path)))
    else:
        findings.append(
            Finding(
                "links",
                not orphans,
                "every link points at a record"
                if not orphans
                else f"{len(orphans)} links point at missing records",
                None if not orphans else restore_advice(path),
            )
        )
    findings.append(_search_finding(db))
    return findings


def integrity_finding(path: Path) -> Finding:
    """``PRAGMA integrity_check`` of the file as a doctor's finding (also for a file too
    damaged to open as a database)."""
    problems = integrity_problems(path)
    if not problems:
        return Finding("integrity", True, "the database file is sound")
    return Finding("integrity", False, _plain(problems), restore_advice(path))


def restore_advice(path: Path) -> str:
    """How to get a damaged database back: the newest backup by name, or a recovery."""
    folder = path.parent / "backups"
    backups = list_backups(folder, path.stem) if folder.is_dir() else []
    if backups:
        return (
            f"restore the newest good backup: smallcrm restore {backups[-1]} "
            "(the damaged file is kept aside)"
        )
    return (
        f"restore a backup: smallcrm restore FILE (none in {folder}); without one, copy out "
        f"what can be read: sqlite3 {path} .recover | sqlite3 recovered.db, then "
        "smallcrm restore recovered.db"
    )


def _search_finding(db: Database) -> Finding:
    from smallcrm.store.search import check_index

    try:
        index_ok = check_index(db)
    except sqlite3.DatabaseError as exc:
        return Finding(
            "search index",
            False,
            f"cannot be checked: {exc}",
            "first repair the file (see above), then: smallcrm doctor --repair",
        )
    return Finding(
        "search index",
        index_ok,
        "the search index matches the records"
        if index_ok
        else "the search index is out of step with the records",
        None if index_ok else "rebuild it: smallcrm doctor --repair",
    )
