"""Who else on the machine can open the database file: a team's shared set-up, and a warning
when a database is readable by every user.

A team database is a file with mode 0660 in a directory of its own with mode 2770 (setgid), both
owned by the team's group. SQLite creates the ``-wal`` and ``-shm`` files with the database file's
own permission bits (it ``fchmod``s them, so the creator's umask does not matter), and the setgid
directory gives them the team's group rather than the creator's own (measured under umask 077: the
-wal and -shm files stayed group-writable). A single-owner database is created 0600 by ``db.py``,
and its ``-wal``/``-shm`` follow it the same way.

Only the standard library is imported at module level: the shell commands check the file on
every run (one ``stat`` call), and nothing here may import textual.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from smallcrm.store.errors import StoreError

DIRECTORY_MODE = 0o2770  # drwxrws---: the group reads and writes, new files get its group
FILE_MODE = 0o660  # -rw-rw----
DATABASE_SUFFIXES = (".db", ".sqlite", ".sqlite3")
DEFAULT_FILENAME = "smallcrm.db"
SIDE_FILES = ("-wal", "-shm", "-journal")
_OTHERS = stat.S_IRWXO


class SharedSetupError(StoreError):
    """A shared database cannot be set up as asked; the message says what to do instead."""


# --- the warning -----------------------------------------------------------------------------


def exposure_warning(path: Path | None) -> str | None:
    """One line for the user when every user of the machine can read (or write) the database
    file; None when only its owner or its group can, and for PostgreSQL or in-memory databases
    (``path`` None). Costs one ``stat`` call when the file is private.

    SQLite gives ``-wal`` and ``-shm`` the database file's permissions when it creates them,
    so the file itself is the one to check.
    """
    if path is None:
        return None
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None
    if not mode & (stat.S_IROTH | stat.S_IWOTH):
        return None
    return _describe_exposure(path, mode)


def _describe_exposure(path: Path, mode: int) -> str:
    import shlex

    shared = mode & 0o060 == 0o060  # a team database whose "others" bits are too wide
    fix = "660" if shared else "600"
    can = "read and change" if mode & stat.S_IWOTH else "read"
    # Only the file: SQLite makes -wal/-shm again with its mode once everyone has closed it.
    return (
        f"every user of this machine can {can} the database {path} ({stat.filemode(mode)}); "
        f"fix with: chmod {fix} {shlex.quote(str(path))}"
        + (" (a team database: see smallcrm init-shared --help)" if shared else "")
    )


# --- setting up a team database --------------------------------------------------------------


class SharedDatabase:
    """What ``init_shared`` made or found: the database, its directory and group, and notes."""

    def __init__(self, database: Path, group: str, gid: int) -> None:
        self.database = database
        self.directory = database.parent
        self.group = group
        self.gid = gid
        self.created: list[str] = []  # "directory", "database"
        self.fixed: list[Path] = []  # paths whose group or mode was corrected (--fix)
        self.warnings: list[str] = []
        self.members: list[str] = []


def database_path(path: Path) -> Path:
    """The database file ``path`` names: itself when it ends in .db/.sqlite/.sqlite3 or is an
    existing file, else ``smallcrm.db`` inside the directory ``path``."""
    path = Path(os.path.abspath(path.expanduser()))
    if path.is_file() or (path.suffix.lower() in DATABASE_SUFFIXES and not path.is_dir()):
        return path
    return path / DEFAULT_FILENAME


def init_shared(path: Path, group: str, *, fix: bool = False) -> SharedDatabase:
    """Create (or check, and with ``fix`` correct) a team database at ``path`` for ``group``.

    The directory gets mode 2770 and the group, the database file 0660 and the group, and the
    database is migrated to the newest schema. Raises ``SharedSetupError`` with what to do
    when the group is missing, the user may not give files to it, or what exists at ``path``
    has other permissions (unless ``fix``).
    """
    name, gid = _group(group)
    _check_may_use(name, gid)
    result = SharedDatabase(database_path(path), name, gid)
    try:
        _prepare_directory(result, fix)
        _prepare_file(result, fix)
        _migrate(result.database)
        _verify(result)
    except BaseException as exc:
        _undo(result)
        if not isinstance(exc, PermissionError):
            raise
        raise SharedSetupError(
            f"{exc.filename or result.directory}: {exc.strerror or 'permission denied'}. "
            "Choose a place you may write to, or have root create it: sudo install -d "
            f"-o $USER -g {name} -m 2770 {result.directory}"
        ) from None
    result.warnings += _unreachable(result.directory, gid)
    result.members = group_members(gid)
    return result


def _undo(result: SharedDatabase) -> None:
    """Remove what this run created, so a failed set-up leaves nothing half made."""
    if "database" in result.created:
        for suffix in ("", *SIDE_FILES):
            Path(f"{result.database}{suffix}").unlink(missing_ok=True)
    if "directory" in result.created:
        try:
            result.directory.rmdir()
        except OSError:
            pass  # not empty: someone put something there meanwhile; leave it


def _group(group: str) -> tuple[str, int]:
    """The group's name and id; a group may be given by name or number."""
    import grp

    text = group.strip()
    try:
        entry = grp.getgrgid(int(text)) if text.isdigit() else grp.getgrnam(text)
    except (KeyError, ValueError):
        import difflib

        names = [g.gr_name for g in grp.getgrall()]
        close = difflib.get_close_matches(text, names, n=3, cutoff=0.6)
        if close:
            hint = f"Did you mean: {', '.join(close)}?"
        else:
            hint = (
                f"Create it with: sudo groupadd {text or 'GROUP'}; then add each team member, "
                f"yourself included: sudo usermod -aG {text or 'GROUP'} NAME (they log in "
                "again to use it)"
            )
        raise SharedSetupError(f"there is no group {group!r} on this machine. {hint}") from None
    return entry.gr_name, entry.gr_gid


def _check_may_use(name: str, gid: int) -> None:
    """Only root and members of the group (in this login session) may give files to it."""
    if os.geteuid() == 0 or gid == os.getegid() or gid in os.getgroups():
        return
    import grp

    from smallcrm.store.crud import current_user

    login = _login()
    if login in grp.getgrgid(gid).gr_mem:
        raise SharedSetupError(
            f"you were added to group {name}, but this login session does not have it yet: "
            f"log out and back in (or run: newgrp {name}), then run this again"
        )
    raise SharedSetupError(
        f"you ({login or current_user()}) are not in group {name}, so you cannot give it "
        f"the database. Join it with: sudo usermod -aG {name} {login or 'NAME'}; then log "
        "out and back in (or run: newgrp " + name + ")"
    )


def _login() -> str:
    import pwd

    try:
        return pwd.getpwuid(os.geteuid()).pw_name
    except KeyError:
        return ""


def _permission_problems(path: Path, st: os.stat_result, gid: int, want: int) -> list[str]:
    """What differs from the team set-up: the group, the mode, the setgid bit."""
    import grp

    problems = []
    if st.st_gid != gid:
        try:
            have = grp.getgrgid(st.st_gid).gr_name
        except KeyError:
            have = str(st.st_gid)
        problems.append(f"its group is {have}")
    mode = stat.S_IMODE(st.st_mode)
    if mode & _OTHERS:
        problems.append("other users can " + ("enter it" if path.is_dir() else "read it"))
    if want & stat.S_ISGID and not mode & stat.S_ISGID:
        problems.append("it is not setgid, so new -wal/-shm files would get each user's group")
    if mode & want & stat.S_IRWXG != want & stat.S_IRWXG:
        problems.append("the group cannot read and write it")
    if mode & want & stat.S_IRWXU != want & stat.S_IRWXU:
        problems.append("its owner cannot read and write it")
    if not problems and mode != want:
        problems.append(f"its mode is {oct(mode)[2:]}")
    return problems


def _refuse_or_fix(
    result: SharedDatabase, path: Path, st: os.stat_result, want: int, fix: bool
) -> None:
    problems = _permission_problems(path, st, result.gid, want)
    if not problems:
        return
    wanted = stat.filemode(want | (stat.S_IFDIR if path.is_dir() else stat.S_IFREG))
    if not fix:
        raise SharedSetupError(
            f"{path} exists, but {'; '.join(problems)} ({stat.filemode(st.st_mode)}). "
            f"Run again with --fix to give it group {result.group} and mode {oct(want)[2:]} "
            f"({wanted}), or choose another place"
        )
    if st.st_uid != os.geteuid() and os.geteuid() != 0:
        raise SharedSetupError(
            f"{path} belongs to another user ({_owner(st.st_uid)}): only they or root can "
            f"change it; ask them to run: smallcrm init-shared {path} --group {result.group} "
            "--fix"
        )
    os.chown(path, -1, result.gid)
    os.chmod(path, want)
    result.fixed.append(path)


def _owner(uid: int) -> str:
    import pwd

    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def _prepare_directory(result: SharedDatabase, fix: bool) -> None:
    directory = result.directory
    if directory.exists():
        if not directory.is_dir():
            raise SharedSetupError(f"{directory} is a file, not a directory")
        st = directory.stat()
        if fix and _permission_problems(directory, st, result.gid, DIRECTORY_MODE):
            _only_database_files(result)
        _refuse_or_fix(result, directory, st, DIRECTORY_MODE, fix)
        return
    if not directory.parent.is_dir():
        raise SharedSetupError(
            f"{directory.parent} does not exist; create it first (for example: "
            f"sudo mkdir -p {directory.parent}) or choose another place"
        )
    # Private while it is being set up; the group and the setgid bit are given before anyone
    # can use it (chmod after chown: the kernel clears setgid on a chown).
    directory.mkdir(mode=0o700)
    result.created.append("directory")
    os.chown(directory, -1, result.gid)
    os.chmod(directory, DIRECTORY_MODE)


def _only_database_files(result: SharedDatabase) -> None:
    """``--fix`` opens up a directory to the group: refuse when it holds anything else."""
    allowed = {result.database.name} | {result.database.name + s for s in SIDE_FILES}
    others = sorted(p.name for p in result.directory.iterdir() if p.name not in allowed)
    if others:
        shown = ", ".join(others[:5]) + (", ..." if len(others) > 5 else "")
        raise SharedSetupError(
            f"{result.directory} holds other files too ({shown}): giving the group access "
            "would open them as well. Use a directory of its own, for example "
            f"{result.directory / 'smallcrm'}"
        )


def _prepare_file(result: SharedDatabase, fix: bool) -> None:
    database = result.database
    if database.exists() or database.is_symlink():
        if database.is_symlink() or not database.is_file():
            raise SharedSetupError(f"{database} is not a plain file")
        for candidate in [database] + [Path(str(database) + s) for s in SIDE_FILES]:
            if candidate.exists():
                _refuse_or_fix(result, candidate, candidate.stat(), FILE_MODE, fix)
        return
    flags = os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(database, flags, FILE_MODE)
    result.created.append("database")
    try:
        os.fchown(fd, -1, result.gid)
        os.fchmod(fd, FILE_MODE)  # the umask may have taken the group's bits away
    finally:
        os.close(fd)


def _migrate(database: Path) -> None:
    """Create the schema (or bring an existing database up to date)."""
    from smallcrm.store.db import open_database

    open_database(database).close()


def _verify(result: SharedDatabase) -> None:
    """Check the outcome on disk; a kernel or file system may have ignored a bit."""
    st = result.directory.stat()
    if _permission_problems(result.directory, st, result.gid, DIRECTORY_MODE):
        raise SharedSetupError(
            f"{result.directory} did not take group {result.group} and mode 2770 "
            f"({stat.filemode(st.st_mode)}); does the file system support Unix permissions?"
        )
    for candidate in [result.database] + [Path(str(result.database) + s) for s in SIDE_FILES]:
        if candidate.exists():
            st = candidate.stat()
            if _permission_problems(candidate, st, result.gid, FILE_MODE):
                raise SharedSetupError(
                    f"{candidate} did not take group {result.group} and mode 660 "
                    f"({stat.filemode(st.st_mode)})"
                )


def _unreachable(directory: Path, gid: int) -> list[str]:
    """Warnings for parent directories the group's members cannot pass through."""
    warnings = []
    for parent in directory.parents:
        try:
            st = parent.stat()
        except OSError:
            continue
        passable = st.st_mode & stat.S_IXOTH or (st.st_gid == gid and st.st_mode & stat.S_IXGRP)
        if not passable:
            warnings.append(
                f"other group members cannot reach {directory}: {parent} is "
                f"{stat.filemode(st.st_mode)} (give them passage with: chmod o+x {parent}, or "
                "put the team directory somewhere like /srv/smallcrm)"
            )
    return warnings


def group_members(gid: int) -> list[str]:
    """Users in the group: listed in it, or having it as their primary group."""
    import grp
    import pwd

    members = set(grp.getgrgid(gid).gr_mem)
    members |= {p.pw_name for p in pwd.getpwall() if p.pw_gid == gid}
    return sorted(members)
