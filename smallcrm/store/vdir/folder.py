"""The folder: Radicale's layout and lock, files written atomically, and what is there now.

Radicale (3.9, ``multifilesystem`` storage) serves ``collection-root/USER/NAME/`` as a
collection: an address book or a calendar as the ``tag`` in its ``.Radicale.props`` says, one
item per file, with the sha256 of the item as it serves it as the ETag (the same file gives
the same ETag; a changed file a new one). It takes an exclusive
``fcntl.flock`` on ``.Radicale.lock`` in its storage folder (the parent of
``collection-root``) for every change and a shared one for reads, so a program that takes the
exclusive lock as well never writes while Radicale reads or writes. A folder outside a Radicale
storage gets a lock file of its own, which still keeps two syncs apart.

Every file is written to a temporary name in its own directory and renamed over the old one
(``os.replace`` is atomic on one file system), so a phone never sees half a card. Files are not
fsynced one by one: a crash may lose the newest writes, and the next run writes them again (the
state row is saved after the write, and a file that does not have the content recorded is
looked at again).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

from smallcrm.store.errors import StoreError

LOCK_NAME = ".Radicale.lock"
PROPS_NAME = ".Radicale.props"
COLLECTIONS = {
    # collection folder: (file suffix, Radicale's tag, display name)
    "contacts": (".vcf", "VADDRESSBOOK", "CRM contacts"),
    "calendar": (".ics", "VCALENDAR", "CRM appointments"),
}


class Seen(NamedTuple):
    """A file as found on disk: enough to tell whether it changed without reading it (a
    tuple: a sync looks at 100,000 of them)."""

    size: int
    mtime_ns: int


def digest(data: bytes) -> str:
    """The sha256 of a file's bytes (what tells a changed file from one as it was written)."""
    return hashlib.sha256(data).hexdigest()


def lock_path(folder: Path) -> Path:
    """Radicale's lock when ``folder`` lies inside its ``collection-root``, else our own."""
    for parent in folder.parents:
        if parent.name == "collection-root":
            return parent.parent / LOCK_NAME
    return folder / LOCK_NAME


@contextmanager
def locked(folder: Path) -> Iterator[None]:
    """Hold the storage's exclusive lock (waits while Radicale serves a request)."""
    path = lock_path(folder)
    try:
        handle = open(path, "w+")  # noqa: SIM115 - held open for the whole block
    except OSError as exc:
        raise StoreError(f"cannot open the lock file {path}: {exc.strerror}") from None
    with handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def prepare(folder: Path, collection: str) -> Path:
    """The collection's directory, made with its ``.Radicale.props`` when missing."""
    suffix, tag, name = COLLECTIONS[collection]
    path = folder / collection
    try:
        path.mkdir(parents=True, exist_ok=True)
        props = path / PROPS_NAME
        if not props.exists():
            write_atomic(props, json.dumps({"tag": tag, "D:displayname": name}).encode())
    except OSError as exc:
        raise StoreError(f"cannot write to {path}: {exc.strerror}") from None
    return path


def scan(path: Path, suffix: str) -> dict[str, Seen]:
    """The items in a collection directory by file name (hidden and temporary files left out)."""
    found = {}
    with os.scandir(path) as entries:
        for entry in entries:
            if entry.name.startswith(".") or not entry.name.endswith(suffix):
                continue
            if not entry.is_file(follow_symlinks=False):
                continue
            info = entry.stat(follow_symlinks=False)
            found[entry.name] = Seen(info.st_size, info.st_mtime_ns)
    return found


def write_atomic(path: Path | str, data: bytes) -> Seen:
    """Write ``data`` to ``path`` through a temporary file renamed over it; what is there now.

    Plain ``os`` calls and the written file's own ``fstat``: a first sync writes 100,000 files,
    and Python's buffered file objects and a second ``stat`` cost a third of that time."""
    head, _sep, name = str(path).rpartition(os.sep)
    temporary = f"{head}{os.sep}.{name}.smallcrm-tmp"
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(handle, view) :]
        info = os.fstat(handle)
    finally:
        os.close(handle)
    os.replace(temporary, path)  # a rename keeps the file's size and modification time
    return Seen(info.st_size, info.st_mtime_ns)


def read(path: Path | str) -> bytes | None:
    """A file's bytes, or None when it went away meanwhile."""
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        return None
