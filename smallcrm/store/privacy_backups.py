"""A person erased from the database is still in every backup made before the erasure: which
backups hold them, and scrubbing them from those backups or deleting those backups.

The backups searched are the ones smallcrm keeps itself: ``backups/`` beside the database
(``smallcrm backup``) and the copies a restore keeps beside it (``*.before-restore-*.db``).
Backups written elsewhere (``smallcrm backup DEST``) and PostgreSQL dumps are not searched;
``BackupsHolding.unsearched`` says so, for the user to be told.

Finding them is cheap: each backup is opened read-only and asked, through its indexes, for the
person's contact (same id and creation time), their emails and phone numbers, their name, and
their name or emails in its search index.

Scrubbing applies the same erasure to a copy of each backup (``privacy.erase_traces``; an
older backup is brought to the current schema first), with ``secure_delete`` on, then
``VACUUM`` rewrites the copy without any freed page and as a standalone file (no ``-wal``).
The copy must pass ``PRAGMA integrity_check`` and the search index check; only then does it
replace the backup, keeping its name, permissions and times. A backup that fails stays as it
was and the erasure of the database does not happen (``erase_everywhere`` deals with the
backups first), so running the erasure again finishes the job.
"""

from __future__ import annotations

import os
import re
import sqlite3
import stat
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from smallcrm.store import crud, leftovers, maintenance
from smallcrm.store.db import Database, to_datetime
from smallcrm.store.errors import StoreError
from smallcrm.store.privacy import ErasureReport, Traces, erase_person, erase_traces, traces

CHOICES = ("scrub", "delete", "keep")
SCRUBBING = ".scrubbing"


@dataclass(frozen=True)
class BackupsHolding:
    """The backups that still hold a person, found before they are erased."""

    traces: Traces
    paths: tuple[Path, ...]
    unreadable: tuple[Path, ...] = ()
    unsearched: str = ""


@dataclass
class BackupOutcome:
    """What was done with the backups holding a person."""

    choice: str
    scrubbed: list[Path] = field(default_factory=list)
    deleted: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)

    def lines(self) -> list[str]:
        """What was done, a heading per kind of action and the backups under it, for the
        shell and the app (empty when no backup held the person)."""
        lines: list[str] = []
        for paths, heading in (
            (self.scrubbed, "Scrubbed them from {n} (each checked):"),
            (self.deleted, "Deleted {n} that held them:"),
            (self.kept, "{n} still {hold} them, kept as asked:"),
        ):
            if paths:
                one = len(paths) == 1
                count = f"{len(paths)} backup{'' if one else 's'}"
                heading = heading.format(n=count, hold="holds" if one else "hold")
                lines.append(heading[0].upper() + heading[1:])
                lines += [f"  {path}" for path in paths]
        return lines


@dataclass(frozen=True)
class ErasedEverywhere:
    """An erasure of the database and of its backups."""

    report: ErasureReport
    backups: BackupOutcome


def backup_files(db: Database) -> list[Path]:
    """The backups smallcrm keeps of this database, oldest first: ``backups/`` beside it, then
    the copies restores kept beside it."""
    if db.path is None:
        return []
    folder = db.path.parent / "backups"
    rotated = maintenance.list_backups(folder, db.path.stem) if folder.is_dir() else []
    kept = sorted(db.path.parent.glob(f"{db.path.stem}.before-restore-*.db"))
    return rotated + kept


def backup_time(path: Path) -> datetime | None:
    """When a backup was made, from its name (``...-20261125T101500123456Z...``), in UTC."""
    match = re.search(r"(\d{8}T\d{6})\d*Z", path.name)
    if match is None:
        return None
    return datetime.strptime(match.group(1), "%Y%m%dT%H%M%S").replace(tzinfo=UTC)


def unsearched_note(db: Database) -> str:
    """What may hold the person that is not searched here, in a few words."""
    if db.path is None:
        return "dumps of this PostgreSQL database made with pg_dump are not searched"
    return "backups written elsewhere with smallcrm backup DEST are not searched"


def find_backups_holding(db: Database, contact_id: int) -> BackupsHolding:
    """The backups that hold the contact ``contact_id`` (and anyone merged into them)."""
    found = traces(db, contact_id)
    holding, unreadable = [], []
    for path in backup_files(db):
        _clear_abandoned_scrub(path)
        try:
            if _holds(path, found):
                holding.append(path)
        except sqlite3.Error:
            unreadable.append(path)
    return BackupsHolding(found, tuple(holding), tuple(unreadable), unsearched_note(db))


def _holds(path: Path, found: Traces) -> bool:
    """Whether a backup holds the person, asked through its indexes (read-only)."""
    conn = sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True)
    try:
        return any(
            conn.execute(sql, params).fetchone() is not None for sql, params in _questions(found)
        ) or any(
            to_datetime(row[1]) == found.created[row[0]]
            for row in conn.execute(
                f"SELECT id, created_at FROM contact WHERE id IN ({_marks(found.created)})",
                list(found.created),
            )
        )
    finally:
        conn.close()


def _questions(found: Traces) -> list[tuple[str, list[str]]]:
    questions: list[tuple[str, list[str]]] = []
    if found.methods:
        questions.append(
            (
                "SELECT 1 FROM contact_method WHERE kind IN ('email', 'phone') "
                f"AND value IN ({_marks(found.methods)}) LIMIT 1",
                list(found.methods),
            )
        )
    for first, last in found.names:
        questions.append(
            ("SELECT 1 FROM contact WHERE first_name = ? AND last_name = ? LIMIT 1", [first, last])
        )
        if first and last:
            questions.append(_mention(f"{first} {last}"))
    questions += [_mention(value) for value in found.methods if "@" in value]
    return questions


def _mention(text: str) -> tuple[str, list[str]]:
    """A phrase query of the search index (interaction notes, appointments, deals): as written
    and folded as the index holds it since migration 0007 (a backup may be older)."""
    from smallcrm.store.folding import words

    phrase = '"' + text.replace('"', '""') + '"'
    folded = words(text)
    if folded:
        phrase += ' OR "' + " ".join(folded) + '"'
    return "SELECT 1 FROM search_fts WHERE search_fts MATCH ? LIMIT 1", [phrase]


def _marks(values: object) -> str:
    return ", ".join("?" for _ in values)  # type: ignore[attr-defined]


# --- dealing with them -------------------------------------------------------------------------


def erase_everywhere(
    db: Database, contact_id: int, *, backups: str, actor: str | None = None
) -> ErasedEverywhere:
    """Erase a person from the database and deal with the backups that hold them: ``scrub``
    (the same erasure in each), ``delete`` (those backups) or ``keep`` (as they are; the
    outcome lists them). The backups come first: if one cannot be scrubbed, the database is
    left as it is and StoreError says which, so that running it again finishes the job."""
    if backups not in CHOICES:
        raise StoreError(f"backups: choose one of {', '.join(CHOICES)}")
    actor = actor or crud.current_user()
    holding = find_backups_holding(db, contact_id)
    outcome = settle(holding, backups, actor=actor)
    return ErasedEverywhere(erase_person(db, contact_id, actor=actor), outcome)


def settle(holding: BackupsHolding, choice: str, *, actor: str) -> BackupOutcome:
    """Scrub, delete or keep the backups holding the person."""
    outcome = BackupOutcome(choice)
    for path in holding.paths:
        if choice == "keep":
            outcome.kept.append(path)
        elif choice == "delete":
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            outcome.deleted.append(path)
        else:
            try:
                scrub(path, holding.traces, actor=actor)
            except (sqlite3.Error, OSError, StoreError) as exc:
                done = f" ({len(outcome.scrubbed)} scrubbed before it)" if outcome.scrubbed else ""
                raise StoreError(
                    f"could not scrub the backup {path}: {_reason(exc)}. It is unchanged{done}, "
                    "and nothing was erased from the database yet; fix that and erase again"
                ) from None
            outcome.scrubbed.append(path)
    return outcome


def _reason(exc: BaseException) -> str:
    from smallcrm.store import health

    if health.trouble(exc) == "full":
        return "its disk is full"
    return str(exc)


def scrub(path: Path, found: Traces, *, actor: str) -> None:
    """Apply the erasure to one backup: on a copy, checked, then put in its place."""
    maintenance.check_backup(path)  # sound, and a schema this version can bring up to date
    work = path.with_name(path.name + SCRUBBING)
    info = path.stat()
    with leftovers.claimed(work, f"another erasure is scrubbing {path}; try again"):
        _copy(path, work)
        copy = Database(f"sqlite:///{work}")  # an older backup is migrated first
        try:
            from smallcrm.store.privacy import secure_delete
            from smallcrm.store.search import check_index

            with copy.write() as tx, secure_delete(tx):
                erase_traces(tx, found, actor)
            index_ok = check_index(copy)
        finally:
            copy.close()
        _compact(work)
        problems = maintenance.integrity_problems(work)
        if problems or not index_ok:
            raise StoreError("the scrubbed copy failed its check: " + "; ".join(problems))
        _take_place(work, path, info)


def _copy(source: Path, target: Path) -> None:
    """A consistent copy of a backup (the backup API also reads a kept copy's -wal)."""
    src = sqlite3.connect(f"file:{quote(str(source))}?mode=ro", uri=True)
    dst = sqlite3.connect(str(target))
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def _compact(path: Path) -> None:
    """Rewrite the file without free pages, as a standalone file (no -wal)."""
    conn = sqlite3.connect(str(path), isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = DELETE")
        conn.execute("VACUUM")
    finally:
        conn.close()


def _take_place(work: Path, path: Path, info: os.stat_result) -> None:
    """Give the checked copy the backup's permissions, group and times, then its name."""
    os.chmod(work, stat.S_IMODE(info.st_mode))
    try:
        os.chown(work, -1, info.st_gid)
    except PermissionError:
        pass  # not in that group: the copy keeps ours, with the backup's mode
    os.utime(work, ns=(info.st_atime_ns, info.st_mtime_ns))
    fd = os.open(work, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    work.replace(path)
    fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _clear_abandoned_scrub(path: Path) -> None:
    """A scrub killed half-way leaves its copy (personal data) beside the backup: remove it."""
    work = path.with_name(path.name + SCRUBBING)
    if work.exists():
        leftovers.clear_abandoned(work)
