"""``doctor``: the database's health, each problem with what actually causes it and its repair.

Before the file's own checks (integrity, links, search index) come the things around it that
stop a sound database from working: whether this user may read and change it and create its
``-wal`` and ``-shm`` files, and whether its disk has room for them. A check that cannot run
because of one of those says so ("not checked: see access") instead of failing, so that a full
disk or another user's file is never reported as damage to restore from a backup. What an
interrupted restore left beside the database is tidied up here too, and named if it stays.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from smallcrm.store import health, leftovers, rollups, search_upkeep
from smallcrm.store.db import Database
from smallcrm.store.health import Finding
from smallcrm.store.maintenance import in_words, list_backups, read_integrity

__all__ = ["Finding", "doctor", "doctor_unopened", "integrity_finding", "restore_advice"]


def doctor(db: Database) -> list[Finding]:
    """Access, space, integrity, foreign keys, the search index and the dashboard's roll-ups,
    each with its repair.

    On PostgreSQL the server looks after its own pages, links and files; the search index is
    checked, and the roll-ups.
    """
    if db.path is None:
        server = Finding(
            "integrity", True, "PostgreSQL checks its own pages and links (deeper: pg_amcheck)"
        )
        return [server, _search_finding(db, None), rollups.finding(db)]
    path = db.path
    findings = _surroundings(path)
    findings.append(integrity_finding(path))
    findings.append(_links_finding(db, path))
    findings.append(_search_finding(db, path))
    if findings[-1].ok:  # a damaged file is repaired first; its roll-ups cannot be read
        findings.append(rollups.finding(db))
    return _with_lock(findings, path)


def doctor_unopened(path: Path, exc: BaseException) -> list[Finding]:
    """The findings for a database file that could not even be opened (``exc`` says why)."""
    findings = _surroundings(path)
    if health.trouble(exc) == "busy":
        findings.append(health.explain("integrity", path, exc))
    else:
        findings.append(integrity_finding(path))
    return _with_lock(findings, path)


def _with_lock(findings: list[Finding], path: Path) -> list[Finding]:
    """Name the lock that kept a check from running, once, before the checks."""
    if any(finding.blocked_by == "lock" for finding in findings):
        at = next(i for i, f in enumerate(findings) if f.blocked_by == "lock")
        findings.insert(at, health.lock_finding(path))
    return findings


def _surroundings(path: Path) -> list[Finding]:
    """Access and space, and what interrupted restores left (removed here when possible)."""
    findings = [health.access_finding(path), health.space_finding(path)]
    if leftovers.restore_running(path):
        findings.append(
            Finding("restore", True, "a restore of this database is running; run doctor again "
                    "when it is done")
        )  # fmt: skip
        return findings
    removed = leftovers.clear_interrupted_restore(path)
    if removed:
        names = ", ".join(p.name for p in removed)
        findings.append(
            Finding("leftovers", True, f"removed what an interrupted restore left: {names}")
        )
    stay = leftovers.leftover_files(path)
    if stay:
        findings.append(
            Finding(
                "leftovers",
                False,
                "an interrupted restore left files that could not be removed: "
                + ", ".join(str(p) for p in stay),
                "remove them (nothing uses them): rm " + " ".join(str(p) for p in stay),
            )
        )
    return findings


def integrity_finding(path: Path) -> Finding:
    """``PRAGMA integrity_check`` of the file as a doctor's finding (also for a file too
    damaged to open as a database, or one this user cannot open as usual)."""
    try:
        problems = read_integrity(path)
    except sqlite3.Error as exc:
        if health.trouble(exc) == "busy":
            return health.explain("integrity", path, exc)
        return _integrity_as_on_disk(path, exc)
    if not problems:
        return Finding("integrity", True, "the database file is sound")
    return Finding("integrity", False, in_words(problems), restore_advice(path))


def _integrity_as_on_disk(path: Path, exc: BaseException) -> Finding:
    """The check of a file that cannot be opened as usual (its ``-shm`` cannot be made: a full
    disk, a folder this user may not write): read as it is on disk, which is exact only when
    its ``-wal`` holds nothing."""
    wal = Path(f"{path}-wal")
    if wal.exists() and wal.stat().st_size > 0:
        return health.explain("integrity", path, exc)
    try:
        problems = read_integrity(path, as_on_disk=True)
    except sqlite3.Error:
        return health.explain("integrity", path, exc)
    if problems:
        return Finding("integrity", False, in_words(problems), restore_advice(path))
    return Finding(
        "integrity", True, "the database file is sound (read as it is on disk, without locks)"
    )


def _links_finding(db: Database, path: Path) -> Finding:
    try:
        with db.read() as tx:
            orphans = tx.all("PRAGMA foreign_key_check")
    except sqlite3.DatabaseError as exc:
        if health.trouble(exc) == "damage":
            return Finding("links", False, f"cannot be checked: {exc}", restore_advice(path))
        return health.explain("links", path, exc)
    if not orphans:
        return Finding("links", True, "every link points at a record")
    return Finding(
        "links", False, f"{len(orphans)} links point at missing records", restore_advice(path)
    )


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


def _search_finding(db: Database, path: Path | None) -> Finding:
    from smallcrm.store.search import check_index

    try:
        index_ok = check_index(db)
    except sqlite3.DatabaseError as exc:
        if path is not None and health.trouble(exc) != "damage":
            return health.explain("search index", path, exc)
        return Finding(
            "search index",
            False,
            f"cannot be checked: {exc}",
            "first repair the file (see above), then: smallcrm doctor --repair",
        )
    detail = (
        "the search index matches the records"
        if index_ok
        else "the search index is out of step with the records"
    )
    pieces = search_upkeep.segments(db) if index_ok else None
    if pieces is not None and pieces > search_upkeep.MANY_SEGMENTS:
        # not a fault: searching reads every piece, so it slows; --repair merges them
        detail += f"; it is in {pieces} pieces (smallcrm doctor --repair merges them)"
    return Finding(
        "search index",
        index_ok,
        detail,
        None if index_ok else "rebuild it: smallcrm doctor --repair",
    )
