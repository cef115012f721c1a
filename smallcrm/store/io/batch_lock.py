"""Telling a running import from an abandoned one: a lock the importing process holds.

An import writes its records in many short transactions (``staging.py``), so its batch is
unfinished in the database for as long as it runs, and also after its process was killed. The
process holds a lock for as long as it runs; another process that can take the lock knows the
import is abandoned and finishes it (``recovery.py``). The operating system lets go of the lock
when the process ends, however it ends:

- SQLite: ``flock`` on a file beside the database (``DB.import-TOKEN.lock``);
- PostgreSQL: a session-level advisory lock, let go when the connection closes.

``TOKEN`` is a random number kept in the batch's details; the lock is taken before the batch
is written, so no batch is ever unfinished without its lock held by a live import.
"""

from __future__ import annotations

import os
import random
from pathlib import Path

from smallcrm.store.db import Database

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: imports are never taken for abandoned
    fcntl = None  # type: ignore[assignment]

# A forked child shares the descriptors, and with them the flock: an import's worker process
# (``prepare.py``) must not keep the lock of its importer, or of an importer killed before it.
_HELD: set[int] = set()


def _forget_in_child() -> None:
    for fd in _HELD:
        try:
            os.close(fd)
        except OSError:
            pass
    _HELD.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_in_child)


class RunningLock:
    """The lock of one import; ``take`` it, ``release`` it when the import is done."""

    def __init__(self, db: Database, token: int) -> None:
        self.db = db
        self.token = token
        self._fd: int | None = None
        self._path = Path(f"{db.path}.import-{token}.lock") if db.path is not None else None

    @classmethod
    def new(cls, db: Database) -> RunningLock:
        """A lock for a new import, taken."""
        lock = cls(db, random.randrange(1, 2**31))
        if not lock.take():  # a token drawn twice: draw again
            return cls.new(db)
        return lock

    def take(self) -> bool:
        """True if the lock is now ours; False if a running import holds it."""
        if self.db.dialect == "postgresql":
            return self.db.try_session_lock(self.token)
        if self._path is None:
            return True  # an in-memory database: nobody else can see it
        if fcntl is None:
            return False
        fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o660)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        self._fd = fd
        _HELD.add(fd)
        return True

    def release(self) -> None:
        """Let go of the lock (the import is done, or has been finished by another)."""
        if self.db.dialect == "postgresql":
            self.db.session_unlock(self.token)
            return
        if self._fd is not None:
            if self._path is not None:
                self._path.unlink(missing_ok=True)
            _HELD.discard(self._fd)
            os.close(self._fd)
            self._fd = None
