"""Why a database file cannot be used, in a user's terms: a full disk, a permission, a lock
another program holds, or real damage.

SQLite reports each of these in its own words ("disk I/O error" when the ``-shm`` file cannot
grow on a full disk, "attempt to write a readonly database" for another user's file), and a
failed check that only says "damaged, restore a backup" sends people to do the wrong thing.
So a failure is sorted by its SQLite error code first, and then the file system is asked what
is actually in the way: free space against what the database needs, the owner and mode of the
file or folder that refuses, the programs holding the file open.

Only the standard library is used, and only when something failed or ``doctor`` asks: nothing
here runs on an ordinary command's path.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import stat
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

SHM_BYTES = 32_768  # the -shm file's first (and usual only) block
WAL_PAGES = 1000  # SQLite's default wal_autocheckpoint: the -wal grows to this before folding
SIDE_FILES = ("-wal", "-shm")

# SQLite's primary result codes (the low byte of an extended code).
_BUSY, _LOCKED, _READONLY, _IOERR, _CORRUPT, _FULL = 5, 6, 8, 10, 11, 13
_CANTOPEN, _AUTH, _NOTADB, _PERM = 14, 23, 26, 3


@dataclass(frozen=True)
class Finding:
    """One result of ``doctor``: what was checked, whether it is fine, and how to repair it.

    ``checked`` is False when the check could not run at all; ``blocked_by`` names the finding
    that says why (``lock``, ``space``, ``access``). Such a finding is neither a pass nor a
    failure of its own.
    """

    check: str
    ok: bool
    detail: str
    repair: str | None = None
    checked: bool = True
    blocked_by: str | None = None


def trouble(exc: BaseException) -> str:
    """What kind of failure an exception is: ``damage``, ``busy``, ``full``, ``access``,
    ``io`` (the disk or the file system) or ``other``."""
    if isinstance(exc, OSError):
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return "full"
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            return "access"
        return "io"
    code = getattr(exc, "sqlite_errorcode", None)
    if code is None:
        return _trouble_from_text(str(exc))
    primary = code & 0xFF
    if primary in (_CORRUPT, _NOTADB):
        return "damage"
    if primary in (_BUSY, _LOCKED):
        return "busy"
    if primary == _FULL:
        return "full"
    if primary in (_READONLY, _CANTOPEN, _AUTH, _PERM):
        return "access"
    if primary == _IOERR:
        return "io"
    return "damage" if "no such table" in str(exc) else "other"


def _trouble_from_text(text: str) -> str:
    """The same sorting for an error that carries no SQLite code (raised by hand, or old)."""
    for words, kind in (
        (("malformed", "not a database"), "damage"),
        (("locked", "busy"), "busy"),
        (("disk is full", "no space"), "full"),
        (("readonly", "read-only", "unable to open", "permission"), "access"),
        (("disk i/o",), "io"),
    ):
        if any(word in text.lower() for word in words):
            return kind
    return "other"


# --- space --------------------------------------------------------------------------------------


def size_text(count: int) -> str:
    """``0 bytes``, ``244 KiB``, ``3.9 MiB``, ``12.5 GiB``."""
    if count < 1024:
        return f"{count} byte{'' if count == 1 else 's'}"
    value = float(count)
    for unit in ("KiB", "MiB", "GiB", "TiB"):
        value /= 1024
        if value < 1024 or unit == "TiB":
            return f"{value:.0f} {unit}" if unit == "KiB" else f"{value:.1f} {unit}"
    raise AssertionError("unreachable")


def free_space(folder: Path) -> int:
    """Bytes this user may still write on the file system holding ``folder``."""
    info = os.statvfs(existing_parent(folder))
    return info.f_bavail * info.f_frsize


def existing_parent(path: Path) -> Path:
    """``path`` or its nearest existing parent (a backup folder yet to be made)."""
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def page_size(path: Path) -> int:
    """The database's page size (4096 when it cannot be read).

    Asked of SQLite, never read from the file with ``open()``: closing any descriptor of a
    database file drops every POSIX lock this process holds on it, its SQLite connections'
    too. Another process closing its connection then takes itself for the last one and deletes
    the ``-wal`` and ``-shm`` files under this process's connections, which go on reading and
    writing files nobody else sees. SQLite's own opening shares the descriptor the process's
    other connections hold and keeps their locks.
    """
    try:
        conn = sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True)
    except sqlite3.Error:
        return 4096
    try:
        return int(conn.execute("PRAGMA page_size").fetchone()[0]) or 4096
    except sqlite3.Error:
        return 4096
    finally:
        conn.close()


def working_space(path: Path) -> int:
    """Bytes the database needs free beside it to be changed reliably: its ``-shm`` file and
    a ``-wal`` file of up to ``WAL_PAGES`` pages (SQLite folds it back into the file then)."""
    return SHM_BYTES + WAL_PAGES * page_size(path)


def opening_space(path: Path) -> int:
    """Bytes it needs free to be opened at all: the ``-shm`` file and a few pages of ``-wal``."""
    return SHM_BYTES + 4 * page_size(path)


def space_finding(path: Path) -> Finding:
    """Whether the disk holding the database has the working space it needs: a failure when
    the database cannot even be opened, a warning in the detail when its ``-wal`` may not
    find room to grow."""
    folder = path.parent
    free, needed = free_space(folder), working_space(path)
    if free >= needed:
        return Finding("space", True, f"{size_text(free)} free on the disk holding {folder}")
    if free >= opening_space(path):
        return Finding(
            "space",
            True,
            f"only {size_text(free)} free on the disk holding {folder}; changes may fail "
            f"soon: the database's {path.name}-wal file grows to about {size_text(needed)}. "
            "Free some space there",
        )
    return Finding(
        "space",
        False,
        f"the disk holding {folder} is full: {size_text(free)} free, and smallcrm needs about "
        f"{size_text(needed)} there to open and change the database (for its {path.name}-wal "
        f"and {path.name}-shm files)",
        f"free at least {size_text(needed - free)} on that disk (delete or move files there), "
        "then run the command again",
    )


def _short_of_space(path: Path, kind: str) -> bool:
    """Whether a failure of ``kind`` is the disk's doing: a full one always, an I/O error
    (how a ``-shm`` that cannot grow shows) when less than the working space is free."""
    return kind == "full" or (kind == "io" and free_space(path.parent) < working_space(path))


# --- access -------------------------------------------------------------------------------------


def access_finding(path: Path) -> Finding:
    """Whether this user may read and change the database and create its side files."""
    me = user_name(os.geteuid())
    problem = access_problem(path)
    if problem is None:
        return Finding(
            "access",
            True,
            f"you ({me}) may read and change {path.name} and create its -wal and -shm "
            "files beside it",
        )
    detail, repair = problem
    return Finding("access", False, detail, repair)


def access_problem(path: Path) -> tuple[str, str] | None:
    """(what is in the way, what to do) when this user cannot fully use the database."""
    folder = path.parent
    if _read_only_mount(folder):
        return (
            f"the file system holding {folder} is mounted read-only, so smallcrm cannot change "
            f"{path.name}",
            f"remount it read-write, or work on a copy: cp {path} ~/ and use smallcrm --db "
            f"~/{path.name}",
        )
    if not os.access(folder, os.X_OK):
        return _refused(path, folder, "enter", "x")
    if not os.access(path, os.R_OK):
        return _refused(path, path, "read", "r")
    if not os.access(path, os.W_OK):
        return _refused(path, path, "change", "w")
    missing = [name for name in SIDE_FILES if not Path(f"{path}{name}").exists()]
    if missing and not os.access(folder, os.W_OK):
        return _refused(path, folder, f"create {path.name}-wal and {path.name}-shm in", "w")
    for name in SIDE_FILES:
        side = Path(f"{path}{name}")
        if side.exists() and not os.access(side, os.R_OK | os.W_OK):
            return _refused(path, side, "change", "rw")
    return None


def _refused(database: Path, obstacle: Path, verb: str, bits: str) -> tuple[str, str]:
    """The sentence for a permission this user lacks on ``obstacle`` (the database, its folder
    or a side file), and the ways to get it."""
    info = obstacle.stat()
    owner = user_name(info.st_uid)
    detail = f"you ({user_name(os.geteuid())}) may not {verb} {obstacle}: {owned(obstacle)}"
    if info.st_uid == os.geteuid():
        return detail, f"give yourself that right: chmod u+{bits} {obstacle}"
    repair = (
        f"run smallcrm as {owner} (sudo -u {owner} smallcrm ...), or ask {owner} to share "
        f"the database with your team: smallcrm init-shared {database} --group GROUP --fix"
    )
    if verb != "read" and os.access(database, os.R_OK):
        repair += f"; to only read it, work on a copy: cp {database} ~/"
    return detail, repair


def owned(path: Path) -> str:
    """``it belongs to root:staff with mode -rw-r--r--``."""
    info = path.stat()
    return (
        f"it belongs to {user_name(info.st_uid)}:{group_name(info.st_gid)} with mode "
        f"{stat.filemode(info.st_mode)}"
    )


def _read_only_mount(folder: Path) -> bool:
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def user_name(uid: int) -> str:
    """The login name of a user id (the number itself when it has none)."""
    import pwd

    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def group_name(gid: int) -> str:
    """The name of a group id (the number itself when it has none)."""
    import grp

    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return str(gid)


# --- locks --------------------------------------------------------------------------------------


def holders(path: Path) -> list[str]:
    """``smallcrm (pid 1234)`` for each process that has the file open, as far as this user
    may see (Linux's /proc; empty elsewhere). Only called when the database is busy."""
    target = str(path.resolve())
    found = []
    proc = Path("/proc")
    if not proc.is_dir():
        return []
    for entry in proc.iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if any(os.readlink(fd) == target for fd in (entry / "fd").iterdir()):
                name = (entry / "comm").read_text(encoding="utf-8").strip()
                found.append(f"{name} (pid {entry.name})")
        except OSError:
            continue
    return found


def lock_finding(path: Path) -> Finding:
    """The database is locked by another program: which ones have it open, and what to do."""
    held = holders(path)
    where = f"; it is open in {', '.join(held)}" if held else ""
    return Finding(
        "lock",
        False,
        f"another program holds {path.name} locked, so it could not be checked{where}. A lock "
        "is not damage",
        "wait for it to finish (an import, a restore, a long edit) or close it, then run "
        "smallcrm doctor again",
    )


# --- any failure --------------------------------------------------------------------------------


def explain(check: str, path: Path, exc: BaseException) -> Finding:
    """The finding for a check that failed with ``exc``: not checked, because of the real
    obstacle (a lock, space, access; the ``blocked_by`` finding names it), or what SQLite
    said when there is none."""
    kind = trouble(exc)
    if kind == "busy":
        return _not_checked(check, "another program holds the database locked", "lock")
    if kind in ("full", "io", "access"):
        if _short_of_space(path, kind):
            return _not_checked(check, "the disk is full", "space")
        if access_problem(path) is not None:
            return _not_checked(check, "it needs to write to the database", "access")
    return Finding(check, False, f"cannot be checked: {exc}")


def _not_checked(check: str, why: str, cause: str) -> Finding:
    return Finding(
        check, True, f"not checked: {why} (see {cause})", checked=False, blocked_by=cause
    )


def blocked(path: Path, exc: BaseException) -> str | None:
    """One sentence saying what keeps the database from being used, when it is not damage:
    for errors outside ``doctor`` (a backup, a restore)."""
    kind = trouble(exc)
    if kind == "busy":
        return lock_finding(path).detail
    if kind in ("full", "io", "access"):
        if _short_of_space(path, kind):
            space = space_finding(path)
            return f"{space.detail}; {space.repair or 'free some space there'}"
        problem = access_problem(path)
        if problem is not None:
            return f"{problem[0]}; {problem[1]}"
    return None
