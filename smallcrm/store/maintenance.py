"""Backups, restores and health checks of an SQLite database.

A backup is taken with SQLite's online backup API in one step (``pages=-1``): a step-wise copy
restarts on every write by someone else and may never finish, while one step under the read
lock took 55-83 ms for 23 MB here. The copy is then fsynced, checked with
``PRAGMA integrity_check`` and only then given its final name, so a backup that exists is a good
one. Restores check the file first and keep the database they replace.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

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


def _copy(source: Path, target: Path, *, checkpoint: bool = False) -> None:
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
    os.chmod(target, 0o600)
    _fsync(target)


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
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%S%fZ")
    folder = destination if destination is not None else source.parent / "backups"
    rotate = destination is None or destination.is_dir() or not destination.suffix
    target = folder / f"{source.stem}-{stamp}{BACKUP_SUFFIX}" if rotate else destination
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    partial = target.with_name(target.name + ".partial")
    fd = os.open(partial, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
    os.close(fd)
    try:
        _copy(source, partial)
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
    it (``*.before-restore-<time>.db``), whose path is returned. Nobody may have the database
    open: the replaced file must not keep writers.
    """
    if not source.is_file():
        raise ValidationError("source", f"{source} is not a file")
    problems = integrity_problems(source)
    if problems:
        raise ValidationError("source", f"{source} is not a sound backup: {'; '.join(problems)}")
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%S%fZ")
    kept = db_path.with_name(f"{db_path.stem}.before-restore-{stamp}.db")
    staged = db_path.with_name(db_path.name + ".restoring")
    _copy(source, staged)
    if db_path.exists():
        _copy(db_path, kept, checkpoint=True)
    for suffix in ("-wal", "-shm"):
        Path(str(db_path) + suffix).unlink(missing_ok=True)
    staged.replace(db_path)
    _fsync(db_path)
    return kept


def doctor(db: Database) -> list[Finding]:
    """Integrity, foreign keys and the search index, each with how to repair a problem."""
    from smallcrm.store.search import check_index

    path = _require_sqlite(db)
    findings = []
    problems = integrity_problems(path)
    findings.append(
        Finding(
            "integrity",
            not problems,
            "the database file is sound" if not problems else "; ".join(problems[:5]),
            None if not problems else "restore the newest good backup: smallcrm restore FILE",
        )
    )
    with db.read() as tx:
        orphans = tx.all("PRAGMA foreign_key_check")
    findings.append(
        Finding(
            "links",
            not orphans,
            "every link points at a record"
            if not orphans
            else f"{len(orphans)} links point at missing records",
            None if not orphans else "restore the newest good backup: smallcrm restore FILE",
        )
    )
    index_ok = check_index(db)
    findings.append(
        Finding(
            "search index",
            index_ok,
            "the search index matches the records"
            if index_ok
            else "the search index is out of step with the records",
            None if index_ok else "rebuild it: smallcrm doctor --repair",
        )
    )
    return findings
