"""Measure importing a large Google-Contacts-style CSV into a new smallcrm database.

    python benchmarks/import_bench.py [--rows 100000] [--keep DIR] [--reimport] [--undo]

Writes a CSV of ``--rows`` contacts (names with accents, one or two emails and phones each,
about 5,000 companies, addresses, birthdays, labels) in Google Contacts' export layout, imports
it with ``smallcrm.store.io.import_file`` (all or nothing, one batch), and prints the time and
the peak memory: the importing process's and its worker's (the process that reads and checks
the file, ``store/io/prepare.py``), each its largest resident set size, as
``getrusage`` reports it. ``--rows 820000`` is the size of the 50 MB file the issue measured.
``--reimport`` imports the same file again (every row matched, nothing changed) and ``--undo``
undoes the first import; both are timed too. The database and CSV go to a temporary folder
(removed afterwards) unless ``--keep`` names one.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import sys
import tempfile
import time
from pathlib import Path

HEADER = [
    "First Name", "Middle Name", "Last Name", "Nickname", "Organization Name",
    "Organization Title", "Birthday", "Notes", "Labels", "E-mail 1 - Label", "E-mail 1 - Value",
    "E-mail 2 - Label", "E-mail 2 - Value", "Phone 1 - Label", "Phone 1 - Value",
    "Phone 2 - Label", "Phone 2 - Value", "Address 1 - Label", "Address 1 - Street",
    "Address 1 - City", "Address 1 - Postal Code", "Address 1 - Country",
]  # fmt: skip
FIRST = "Anna Jana Jörg Lukas Sophie Tomáš Zoë Chloé Søren Björn Łukasz José Mehmet Olivia".split()
LAST = "Smith Müller Schmidt Novák Dvořák Nowak Dubois Jensen García Yılmaz O'Brien Taylor".split()
CITIES = [("Berlin", "10115"), ("Hamburg", "20095"), ("München", "80331"), ("Köln", "50667")]
LABELS = ["* myContacts", "* myContacts ::: Customers", "* myContacts ::: Suppliers ::: VIP"]


def write_csv(path: Path, rows: int, seed: int = 7) -> None:
    """A Google Contacts export with ``rows`` distinct contacts."""
    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for i in range(rows):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            city, postcode = rng.choice(CITIES)
            second = rng.random() < 0.5
            writer.writerow(
                [
                    first, "", last, "", f"Firma {i % 5000} GmbH", "Einkauf",
                    f"{1950 + i % 50}-{1 + i % 12:02d}-{1 + i % 28:02d}", "",
                    rng.choice(LABELS), "* Work", f"person{i}@example.com",
                    "Home" if second else "", f"p{i}@home.example" if second else "",
                    "Mobile", f"+49 151 {10000000 + i}", "Work" if second else "",
                    f"+49 30 {20000000 + i}" if second else "", "Work",
                    f"Hauptstraße {1 + i % 200}", city, postcode, "Germany",
                ]
            )  # fmt: skip


def peak_mib() -> tuple[float, float]:
    """The largest resident set size so far of this process and of its largest finished child
    (MiB; Linux reports KiB, macOS bytes)."""
    import resource

    scale = 2**20 if sys.platform == "darwin" else 2**10
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 2**20
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * scale / 2**20
    return own, child


def cpu_seconds() -> tuple[float, float]:
    """Processor time (user and system) so far of this process and of its finished children.

    On a machine busy with other work the elapsed time says little; the importer and its worker
    run side by side, so on an idle machine with two cores the import takes about the larger of
    the two (plus waiting for each other).
    """
    import resource

    own, child = (resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime, child.ru_utime + child.ru_stime


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, default=None)
    parser.add_argument("--reimport", action="store_true")
    parser.add_argument("--undo", action="store_true")
    args = parser.parse_args(argv)
    os.environ.setdefault("SMALLCRM_PHONE_REGION", "DE")
    os.environ.setdefault("SMALLCRM_USER", "bench")
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        return run(args, args.keep)
    with tempfile.TemporaryDirectory(prefix="smallcrm-import-bench-") as folder:
        return run(args, Path(folder))


def run(args: argparse.Namespace, folder: Path) -> int:
    """Write the CSV into ``folder``, import it into a new database there, and time it."""
    csv_path, db_path = folder / "contacts.csv", folder / "bench.db"
    for stale in folder.glob("bench.db*"):
        stale.unlink()
    write_csv(csv_path, args.rows)
    from smallcrm.store.db import open_database
    from smallcrm.store.io import import_file, undo_import
    from smallcrm.store.search import check_index, search

    db = open_database(db_path)
    before, cpu_before = peak_mib(), cpu_seconds()
    started = time.perf_counter()
    report = import_file(db, csv_path)
    seconds = time.perf_counter() - started
    cpu = [after - earlier for after, earlier in zip(cpu_seconds(), cpu_before, strict=True)]
    size = csv_path.stat().st_size / 2**20
    print(
        f"import of {args.rows:,} contacts ({size:,.0f} MB): {seconds:.1f} s "
        f"({args.rows / seconds:,.0f}/s)"
    )
    main, worker = peak_mib()
    print(
        f"  peak memory: importer {main:,.0f} MiB (before the import {before[0]:,.0f} MiB), "
        f"worker {worker:,.0f} MiB"
    )
    print(
        f"  processor time: importer {cpu[0]:.1f} s, worker {cpu[1]:.1f} s "
        f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)"
    )
    print(f"  {report.summary()}")
    hits = search(db, f"person{args.rows - 1}@example.com", kinds=("contact",))
    print(f"  search finds the last contact: {bool(hits)}; FTS index consistent: {check_index(db)}")
    if args.reimport:
        started = time.perf_counter()
        again = import_file(db, csv_path)
        print(
            f"re-import (all unchanged): {time.perf_counter() - started:.1f} s; {again.summary()}"
        )
    if args.undo:
        started = time.perf_counter()
        undone = undo_import(db, report.batch_id)
        print(f"undo: {time.perf_counter() - started:.1f} s; {undone.summary()}")
    db.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
