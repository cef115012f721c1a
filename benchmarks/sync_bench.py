"""Measure ``smallcrm sync`` on a generated database (``generate.py``): the first sync of every
contact to an empty folder, a sync with nothing changed, and one with 10 changes (5 edited in
the CRM, 5 edited in their files as a phone's server leaves them).

    python benchmarks/sync_bench.py PATH_OR_URL [--folder DIR] [--check]

Targets at 100,000 contacts: the first sync <= 60 s, a sync with 10 changes <= 2 s. The
database is changed (5 contacts edited, the sync table filled): run it on a copy. The folder is
a new temporary one unless given. With ``--check`` the exit status is 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import secrets
import shutil
import sys
import tempfile
import time
from pathlib import Path

from smallcrm.store import contacts
from smallcrm.store.db import Database, open_database
from smallcrm.store.vdir.run import Report, sync_folder

FIRST_TARGET, CHANGED_TARGET = 60.0, 2.0


def _timed(db: Database, folder: Path) -> tuple[float, Report, float]:
    """Wall time, what the sync did, and the processor time it used (the machine's other
    load shows in the first, not in the last)."""
    started, used = time.perf_counter(), time.process_time()
    (report,) = sync_folder(db, folder, ("contacts",), actor="bench")
    return time.perf_counter() - started, report, time.process_time() - used


def _said(report: Report, cpu: float) -> str:
    return (
        f"{report.files} files, {report.written} written, {report.from_phone} from the phone, "
        f"{len(report.conflicts)} conflicts; processor {cpu:.2f} s"
    )


def _ten_changes(db: Database, folder: Path) -> None:
    """Five contacts edited in the CRM, five others' cards edited as a phone would."""
    with db.read() as tx:
        ids = [
            int(r[0]) for r in tx.all("SELECT id FROM contact WHERE deleted_at IS NULL LIMIT 10")
        ]
    stamp = secrets.token_hex(3)  # a new value on every run: each edit is a change
    for contact_id in ids[:5]:
        version = contacts.get_contact(db, contact_id).tracking.version
        contacts.update_contact(db, contact_id, version, actor="bench", title=f"Bench {stamp}")
    for contact_id in ids[5:]:
        card = folder / "contacts" / f"smallcrm-contact-{contact_id}.vcf"
        text = card.read_text(encoding="utf-8")
        edited = text.replace("END:VCARD", f"NOTE:from the phone at {stamp}\r\nEND:VCARD")
        card.write_text(edited, newline="")


def main() -> int:
    """Run the measurements and print them (exit 1 with --check when a target is missed)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", help="a database file or URL")
    parser.add_argument("--folder", type=Path)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    folder = args.folder or Path(tempfile.mkdtemp(prefix="sync-bench-"))
    db = open_database(args.path)
    try:
        first, report, cpu = _timed(db, folder)
        print(f"first sync: {first:.2f} s (target {FIRST_TARGET:.0f} s): {_said(report, cpu)}")
        quiet, report, cpu = _timed(db, folder)
        print(f"sync, nothing changed: {quiet:.2f} s: {_said(report, cpu)}")
        _ten_changes(db, folder)
        changed, report, cpu = _timed(db, folder)
        target = f"(target {CHANGED_TARGET:.0f} s)"
        print(f"sync, 10 changes: {changed:.2f} s {target}: {_said(report, cpu)}")
    finally:
        db.close()
        if args.folder is None:
            shutil.rmtree(folder, ignore_errors=True)
    missed = first > FIRST_TARGET or changed > CHANGED_TARGET
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
