"""Whole-process timing of the shell commands at 100,000 contacts, against a do-nothing Typer
command measured in the same hyperfine run, and against ``khard list`` on 10,000 vCards.

    python benchmarks/cli_bench.py [--db PATH] [--contacts 100000] [--runs 20] [--no-khard]

The targets: a quick-add (``add contact``, ``log``) at most 1.5x the do-nothing Typer
command, ``search`` at most 2x, neither importing textual, and ``search`` at least 30x faster
than ``khard list`` on 10,000 vCards. The database is built once and kept in the work directory
(``$TMPDIR/smallcrm-bench`` unless ``--work`` says otherwise); ``benchmarks/generate.py`` is used
when it exists, else contacts are inserted here in one write transaction.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

TARGET_NAME = "Zelda Quackenbush"  # one unique contact the log benchmark names
FIRST = (
    "Jana Jan Janek Jannik Janina Anna Anne Peter Petra Paul Paula Maria Mario Lukas Lucie Tomas "
    "Tereza Martin Martina Eva Jakub Klara Ondrej Sofia Elias Emil Emma Noah Leon Mia Lena Felix "
    "Hannah Ben Jonas Lea Luisa Max Moritz Nina Oskar Greta Ida Karl Frieda Olga Ivan Dmitri "
    "Zoe Chloe Liam Olivia Ava Isabella Sophia Ethan Mason Logan Lucas Amelia Harper Evelyn "
    "Jiri Zdenek Milan Vaclav Radek Hana Lenka Vera Alena Marketa Jaroslav Lubos Renata"
).split()
LAST = (
    "Novak Novakova Nowak Svoboda Dvorak Cerny Prochazka Kucera Vesely Horak Nemec Marek "
    "Pospisil Hajek Jelinek Kral Ruzicka Benes Fiala Sedlacek Dolezal Zeman Kolar Navratil "
    "Cermak Urban Vanek Blazek Kriz Kovar Muller Schmidt Schneider Fischer Weber Meyer Wagner "
    "Becker Schulz Hoffmann Koch Richter Klein Wolf Schroeder Neumann Schwarz Zimmermann Braun "
    "Hartmann Lange Schmitt Werner Krause Meier Lehmann Schmid Schulze Maier Koehler Herrmann "
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez "
    "Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Lee Perez Thompson White Harris Clark "
    "Berg Bergmann Lindqvist Janssen Jansen Andersen Nielsen Hansen Larsen Olsen Berger Huber"
).split()
WORDS = (
    "Acme Globex Initech Umbrella Stark Wayne Hooli Vandelay Wonka Cyberdyne Tyrell Soylent "
    "Nakatomi Oscorp Gringotts Aperture Black Mesa Blue Sun Duff Gekko Massive Monarch Oceanic "
    "Pied Piper Prestige Sirius Virtucon Zorg Nordic Alpine Baltic Danube Rhine Elbe Vltava"
).split()
FORMS = ("GmbH", "AG", "s.r.o.", "Ltd", "Inc", "KG", "")


# --- the database --------------------------------------------------------------------------


def contact_count(path: Path) -> int:
    """How many contacts a database file holds, trashed ones too (0 if it is not one)."""
    import sqlite3

    try:
        with sqlite3.connect(path) as conn:
            return conn.execute("SELECT count(*) FROM contact").fetchone()[0]
    except sqlite3.Error:
        return 0


def build_database(path: Path, contacts: int, seed: int = 7) -> None:
    """Insert ``contacts`` contacts (with emails, phones and 2,000 accounts) in one transaction."""
    from smallcrm.store.db import open_database

    rng = random.Random(seed)
    now = datetime.now(UTC)
    db = open_database(path)
    started = time.perf_counter()
    with db.write() as tx:
        accounts = [
            {
                "name": f"{rng.choice(WORDS)} {rng.choice(WORDS)} {rng.choice(FORMS)}".strip(),
                "city": rng.choice(("Berlin", "Prague", "Vienna", "Hamburg", "Brno")),
            }
            for _ in range(2000)
        ]
        tx.executemany(
            "INSERT INTO account (name, city, tags, created_at, updated_at, created_by, "
            "updated_by, version) VALUES (:name, :city, '', :now, :now, 'bench', 'bench', 1)",
            [dict(a, now=now) for a in accounts],
        )
        people = []
        for i in range(contacts - 1):
            people.append(
                {
                    "first": rng.choice(FIRST),
                    "last": rng.choice(LAST),
                    "account": rng.randint(1, 2000) if rng.random() < 0.8 else None,
                    "title": rng.choice(("Buyer", "CEO", "CTO", "Engineer", "Sales", None)),
                    "tags": rng.choice(("", "vip", "lead", "partner", "vip lead")),
                    "i": i,
                }
            )
        people.append({"first": "Zelda", "last": "Quackenbush", "account": 1, "title": None,
                       "tags": "", "i": contacts})  # fmt: skip
        tx.executemany(
            "INSERT INTO contact (first_name, last_name, account_id, title, tags, created_at, "
            "updated_at, created_by, updated_by, version) VALUES (:first, :last, :account, "
            ":title, :tags, :now, :now, 'bench', 'bench', 1)",
            [dict(p, now=now) for p in people],
        )
        tx.executemany(
            "INSERT INTO contact_method (contact_id, kind, label, value, position) "
            "VALUES (:cid, :kind, 'work', :value, :pos)",
            [
                row
                for cid, p in enumerate(people, start=1)
                for row in (
                    {
                        "cid": cid,
                        "kind": "email",
                        "value": f"{p['first']}.{p['last']}{p['i']}@example.com".lower(),
                        "pos": 0,
                    },
                    {"cid": cid, "kind": "phone", "value": f"+4930{1000000 + p['i']}", "pos": 1},
                )
            ],
        )
    db.close()
    print(f"built {contacts:,} contacts in {time.perf_counter() - started:.1f} s: {path}")


def ensure_database(path: Path, contacts: int) -> None:
    """Use ``path`` if it holds enough contacts; else generate it."""
    if contact_count(path) >= contacts:
        return
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    generator = HERE / "generate.py"
    if generator.exists():
        result = subprocess.run([sys.executable, str(generator), str(path)], check=False)
        if result.returncode == 0 and contact_count(path) >= contacts:
            ensure_target(path)
            return
        print("benchmarks/generate.py did not give enough contacts; generating here instead")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    build_database(path, contacts)


def ensure_target(path: Path) -> None:
    """Make sure the one contact the log benchmark names exists exactly once."""
    from smallcrm.store.contacts import create_contact
    from smallcrm.store.db import open_database
    from smallcrm.store.resolve import exact_matches

    db = open_database(path)
    if not exact_matches(db, TARGET_NAME, ("contact",)):
        create_contact(db, actor="bench", allow_duplicate=True, name=TARGET_NAME)
    db.close()


# --- commands --------------------------------------------------------------------------------

BASELINE = """\
import typer

app = typer.Typer()


@app.command()
def hello(name: str) -> None:
    print(f"Hello {name}")


if __name__ == "__main__":
    app()
"""


def smallcrm_command() -> list[str]:
    """The installed console script, else ``python -m smallcrm.cli``."""
    script = Path(sys.executable).parent / "smallcrm"
    if script.exists():
        return [str(script)]
    found = shutil.which("smallcrm")
    return [found] if found else [sys.executable, "-m", "smallcrm.cli"]


def quote(parts: list[str]) -> str:
    """A command line for hyperfine (which splits on whitespace and honours quotes)."""
    import shlex

    return " ".join(shlex.quote(p) for p in parts)


def benchmark_commands(db: Path, baseline: Path) -> dict[str, list[str]]:
    """Name -> argv of every command timed, the baseline first."""
    crm = [*smallcrm_command(), "--db", str(db)]
    return {
        "baseline: do-nothing Typer command": [sys.executable, str(baseline), "Jana"],
        "add contact (quick-add, --force)": [
            *crm,
            "add",
            "contact",
            "Bench Person",
            "--email",
            "bench.person@example.org",
            "--phone",
            "+49 30 7654321",
            "--tag",
            "vip",
            "--force",
        ],
        "log note (quick-add, name resolved)": [
            *crm,
            "log",
            "note",
            TARGET_NAME.split()[1].lower(),
            "benchmark note",
        ],
        "search jan": [*crm, "search", "jan"],
        "add contact (duplicate check, refused)": [
            *crm,
            "add",
            "contact",
            TARGET_NAME,
            "--email",
            "zelda@example.org",
        ],
        "list contacts --limit 50": [*crm, "list", "contacts", "--limit", "50"],
        "today": [*crm, "today"],
    }


LIMITS = {
    "add contact (quick-add, --force)": 1.5,
    "log note (quick-add, name resolved)": 1.5,
    "search jan": 2.0,
}


def user_environment() -> dict[str, str]:
    """The environment of the timed commands: as on a user's machine, Python keeps compiled
    bytecode (pip compiles on install), even where PYTHONDONTWRITEBYTECODE is set for work."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def run_hyperfine(commands: dict[str, list[str]], runs: int, export: Path) -> dict[str, dict]:
    """Time every command in one hyperfine run; return name -> hyperfine result."""
    argv = ["hyperfine", "-N", "--warmup", "3", "--runs", str(runs), "--export-json", str(export)]
    argv += ["-i"]  # the refused duplicate exits 1 on purpose
    for name, command in commands.items():
        argv += ["-n", name, quote(command)]
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, env=user_environment())
    results = json.loads(export.read_text())["results"]
    return {r["command"]: r for r in results}


def imported_modules(argv: list[str]) -> set[str]:
    """Top-level packages a command imports (``python -X importtime``)."""
    if Path(argv[0]).name == "smallcrm":
        command = [sys.executable, "-X", "importtime", "-m", "smallcrm.cli", *argv[1:]]
    else:
        command = [argv[0], "-X", "importtime", *argv[1:]]
    result = subprocess.run(
        command, capture_output=True, text=True, check=False, env=user_environment()
    )
    found = set()
    for line in result.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            found.add(line.rsplit("|", 1)[1].strip().split(".")[0])
    return found


# --- khard ------------------------------------------------------------------------------------


def khard_executable(work: Path) -> Path | None:
    """khard from PATH, else from a private venv in ``work`` (installed with pip once)."""
    found = shutil.which("khard")
    if found:
        return Path(found)
    venv = work / "khard-venv"
    exe = venv / "bin" / "khard"
    if exe.exists():
        return exe
    try:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [str(venv / "bin" / "pip"), "install", "-q", "khard"],
            check=True,
            timeout=600,
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
        print(f"khard could not be installed with pip ({exc}); no comparison with khard")
        return None
    return exe if exe.exists() else None


def write_vcards(folder: Path, count: int, seed: int = 11) -> None:
    """``count`` vCard 3.0 files, names drawn from the same pools as the contacts."""
    folder.mkdir(parents=True, exist_ok=True)
    if len(list(folder.glob("*.vcf"))) >= count:
        return
    rng = random.Random(seed)
    for i in range(count):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        uid = f"bench-{i:05d}"
        email = f"{first}.{last}{i}@example.com".lower()
        lines = [
            "BEGIN:VCARD",
            "VERSION:3.0",
            f"UID:{uid}",
            f"FN:{first} {last}",
            f"N:{last};{first};;;",
            f"EMAIL;TYPE=WORK:{email}",
            f"TEL;TYPE=CELL:+4930{2000000 + i}",
            "END:VCARD",
        ]
        (folder / f"{uid}.vcf").write_text(
            "\r\n".join(lines) + "\r\n",
            encoding="utf-8",
        )


def khard_config(work: Path, vcards: Path) -> Path:
    """A minimal khard configuration with one address book."""
    config = work / "khard.conf"
    config.write_text(
        f"[addressbooks]\n[[bench]]\npath = {vcards}\n\n"
        "[general]\ndefault_action = list\neditor = true\nmerge_editor = true\n",
        encoding="utf-8",
    )
    return config


def run_khard(work: Path, runs: int) -> dict | None:
    """hyperfine of ``khard list jan`` over 10,000 vCards, or None without khard."""
    exe = khard_executable(work)
    if exe is None:
        return None
    vcards = work / "vcards"
    write_vcards(vcards, 10_000)
    config = khard_config(work, vcards)
    argv = [str(exe), "-c", str(config), "list", "jan"]
    check = subprocess.run(argv, capture_output=True, text=True, check=False)
    if check.returncode != 0:
        print(f"khard failed, no comparison: {check.stderr.strip()[:500]}")
        return None
    export = work / "khard.json"
    subprocess.run(
        ["hyperfine", "-N", "--warmup", "1", "--runs", str(max(3, runs // 4)), "--export-json",
         str(export), "-n", "khard list jan (10,000 vCards)", quote(argv)],
        check=True,
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    return json.loads(export.read_text())["results"][0]


# --- report ------------------------------------------------------------------------------------


def report(results: dict[str, dict], khard: dict | None, imports: dict[str, set[str]]) -> bool:
    """Print medians, ratios and verdicts; True when every target is met."""
    names = list(results)
    base = results[names[0]]["median"]
    ok = True
    base_cpu = results[names[0]]["user"] + results[names[0]]["system"]
    print(f"\n{'command':42} {'median':>9} {'mean ± sd':>17} {'x base':>7} {'cpu x':>6}  target")
    for name in names:
        r = results[name]
        ratio = r["median"] / base
        cpu = (r["user"] + r["system"]) / base_cpu
        limit = LIMITS.get(name)
        verdict = ""
        if limit is not None:
            met = ratio <= limit
            ok &= met
            verdict = f"<= {limit}x {'met' if met else 'MISSED'}"
        print(
            f"{name:42} {r['median'] * 1000:7.1f}ms {r['mean'] * 1000:8.1f} ± "
            f"{r['stddev'] * 1000:5.1f}ms {ratio:6.2f}x {cpu:5.2f}x  {verdict}"
        )
    print("(x base: median wall time over the baseline's, the target; cpu x: user+system time)")
    for name, mods in imports.items():
        heavy = sorted(mods & {"textual", "sqlalchemy", "sqlmodel", "alembic", "rich"})
        clean = "textual" not in mods
        ok &= clean
        verdict = "no" if clean else "YES"
        print(f"imports of {name}: heavy modules {heavy or 'none'}; textual: {verdict}")
    search = results["search jan"]["median"]
    if khard is None:
        print("khard: not available, no comparison")
    else:
        factor = khard["median"] / search
        met = factor >= 30
        ok &= met
        print(
            f"khard list jan on 10,000 vCards: median {khard['median'] * 1000:.0f} ms; "
            f"smallcrm search is {factor:.1f}x faster (target >= 30x: {'met' if met else 'MISSED'})"
        )
    return ok


def main() -> int:
    """Build or reuse the database, run hyperfine, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="an existing database with enough contacts")
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "smallcrm-bench")
    parser.add_argument("--no-khard", action="store_true", help="skip the khard comparison")
    args = parser.parse_args()
    if not shutil.which("hyperfine"):
        print("hyperfine is not installed (apt-get install hyperfine)")
        return 2
    args.work.mkdir(parents=True, exist_ok=True)
    if args.db is not None:
        db = args.db  # never replaced: it may be somebody's real data
        if contact_count(db) < args.contacts:
            print(f"{db} has fewer than {args.contacts:,} contacts; leave out --db to build one")
            return 2
    else:
        db = args.work / f"bench-{args.contacts}.db"
        ensure_database(db, args.contacts)
    ensure_target(db)
    # A freshly built database is still being written back to disk; every fsync of a write
    # command would wait for that and be measured. Flush it first.
    os.sync()
    with tempfile.TemporaryDirectory() as tmp:
        baseline = Path(tmp) / "do_nothing.py"
        baseline.write_text(BASELINE, encoding="utf-8")
        commands = benchmark_commands(db, baseline)
        env_note = os.environ.get("SMALLCRM_USER", "")
        print(f"database: {db} ({contact_count(db):,} contacts); user {env_note or 'OS login'}")
        results = run_hyperfine(commands, args.runs, args.work / "cli_bench.json")
        imports = {
            name: imported_modules(commands[name])
            for name in ("add contact (quick-add, --force)", "log note (quick-add, name resolved)",
                         "search jan")
        }  # fmt: skip
    khard = None if args.no_khard else run_khard(args.work, args.runs)
    return 0 if report(results, khard, imports) else 1


if __name__ == "__main__":
    raise SystemExit(main())
