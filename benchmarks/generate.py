"""Create a large smallcrm database for benchmarks.

    python benchmarks/generate.py PATH [--scale 1.0] [--seed 7] [--replace]

At scale 1.0: 20,000 accounts, 100,000 contacts (with 2-3 emails and phones each), 50,000
opportunities, 1,000,000 interactions, 100,000 appointments and 10,000 cases
(``generate_cases.py``). The database is created by
``open_database`` (so the real migrations run) and filled with bulk ``INSERT``s in batched write
transactions: the search triggers fire for every row, so the FTS index is the one a real user's
database would have, not a shortcut. Values are deterministic for a given seed.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import unicodedata
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from smallcrm.store.db import Database, open_database

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate_cases import case_rows  # noqa: E402  (beside this script, run as a file)

FULL_COUNTS = {
    "account": 20_000,
    "contact": 100_000,
    "opportunity": 50_000,
    "interaction": 1_000_000,
    "appointment": 100_000,
    "service_case": 10_000,
}
BATCH = 20_000
ACTOR = "bench"
TS = "%Y-%m-%d %H:%M:%S.%f"  # what smallcrm.store.db stores for an aware UTC datetime
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
HISTORY_DAYS = 5 * 365
TRASHED_SHARE = 0.01  # about 1 % of records sit in the trash, as in real use

# (name, weight): the benchmark's search terms ("j", "ja", "jan", "jane", "smith",
# "zimmerman") must hit many, some and few records, like they would in a real address book.
FIRST_NAMES = [
    ("Jan", 30), ("Jana", 25), ("Jane", 20), ("Janine", 6), ("Jannik", 6), ("Jakob", 10),
    ("Julia", 15), ("Jonas", 12), ("Johanna", 8), ("Jörg", 5), ("Jürgen", 5), ("James", 8),
    ("Anna", 15), ("Lukas", 12), ("Sophie", 12), ("Felix", 10), ("Katharina", 8), ("Max", 10),
    ("Laura", 10), ("Paul", 10), ("Marie", 12), ("Leon", 8), ("Emma", 10), ("Tobias", 8),
    ("Sabine", 6), ("Thomas", 12), ("Stefan", 10), ("Andrea", 8), ("Michael", 12),
    ("Petra", 6), ("Tomáš", 6), ("Lucie", 5), ("Jiří", 4), ("Kateřina", 4), ("Zoë", 4),
    ("Chloé", 4), ("Étienne", 3), ("Hélène", 3), ("Søren", 3), ("Åsa", 3), ("Björn", 4),
    ("Małgorzata", 3), ("Łukasz", 3), ("José", 4), ("Lucía", 4), ("Giulia", 4),
    ("Matteo", 4), ("Ayşe", 3), ("Mehmet", 4), ("Daan", 3), ("Sanne", 3), ("Olivia", 8),
    ("David", 10), ("Sarah", 10), ("Daniel", 10), ("Nina", 6), ("Ole", 4), ("Ines", 4),
    ("Олена", 1), ("Γιώργος", 1),
]  # fmt: skip
LAST_NAMES = [
    ("Smith", 40), ("Müller", 30), ("Schmidt", 25), ("Schneider", 15), ("Fischer", 15),
    ("Weber", 12), ("Meyer", 12), ("Wagner", 10), ("Becker", 10), ("Schulz", 10),
    ("Hoffmann", 10), ("Koch", 8), ("Richter", 8), ("Klein", 8), ("Wolf", 8),
    ("Schröder", 8), ("Neumann", 8), ("Braun", 8), ("Krüger", 6), ("Hartmann", 6),
    ("Lange", 6), ("Werner", 6), ("Krause", 6), ("Lehmann", 6), ("Köhler", 5),
    ("Jansen", 6), ("Janssen", 5), ("Jankowski", 4), ("Novák", 8), ("Dvořák", 5),
    ("Svoboda", 5), ("Černá", 4), ("Nowak", 6), ("Kowalski", 5), ("Wiśniewska", 3),
    ("Dubois", 5), ("Lefèvre", 4), ("Jensen", 5), ("Nielsen", 5), ("Andersson", 5),
    ("de Vries", 4), ("van Dijk", 4), ("Rossi", 5), ("García", 5), ("Yılmaz", 4),
    ("Öztürk", 3), ("O'Brien", 3), ("Johnson", 8), ("Brown", 8), ("Taylor", 6),
    ("Zimmerman", 0.4), ("Коваленко", 0.5), ("Παπαδόπουλος", 0.5),
]  # fmt: skip
COMPANY_WORDS = [
    "Nord", "Süd", "Alpen", "Rhein", "Elbe", "Donau", "Berg", "Tal", "Stern", "Licht",
    "Werk", "Blau", "Grün", "Eichen", "Linden", "Falken", "Adler", "Hansa", "Vital", "Prisma",
    "Kontor", "Atlas", "Nova", "Delta", "Orbit", "Polar", "Quelle", "Brücke", "Anker", "Turm",
]  # fmt: skip
INDUSTRIES = [
    "Maschinenbau", "Logistik", "Software", "Elektrotechnik", "Lebensmittel", "Handel",
    "Bau", "Medizintechnik", "Beratung", "Energie", "Hotellerie", "Druck", "Automotive",
]  # fmt: skip
LEGAL_FORMS = ["GmbH", "AG", "KG", "GmbH & Co. KG", "s.r.o.", "B.V.", "Ltd", "SARL", "e.K."]
CITIES = [
    ("Berlin", "10115", "DE", "+4930"), ("Hamburg", "20095", "DE", "+4940"),
    ("München", "80331", "DE", "+4989"), ("Köln", "50667", "DE", "+49221"),
    ("Frankfurt am Main", "60311", "DE", "+4969"), ("Stuttgart", "70173", "DE", "+49711"),
    ("Leipzig", "04109", "DE", "+49341"), ("Düsseldorf", "40213", "DE", "+49211"),
    ("Wien", "1010", "AT", "+431"), ("Zürich", "8001", "CH", "+4144"),
    ("Praha", "110 00", "CZ", "+4202"), ("Brno", "602 00", "CZ", "+4205"),
    ("Warszawa", "00-001", "PL", "+4822"), ("Amsterdam", "1012", "NL", "+3120"),
    ("Lyon", "69001", "FR", "+334"), ("København", "1050", "DK", "+4533"),
]  # fmt: skip
STREETS = ["Hauptstraße", "Bahnhofstraße", "Industriestraße", "Gartenweg", "Am Markt",
           "Lindenallee", "Hafenstraße", "Schillerstraße", "Goethestraße", "Mühlenweg"]  # fmt: skip
TITLES = [None, "Geschäftsführerin", "Geschäftsführer", "Head of Procurement", "Einkäufer",
          "CTO", "IT-Leiterin", "Office Manager", "Projektleiter", "Buyer", "Plant Manager",
          "Vertriebsleiterin", "Facility Manager", "CFO",
          "Assistentin der Geschäftsführung"]  # fmt: skip
TAGS = ["", "", "", "vip", "newsletter", "partner", "key-account", "prospect", "customer",
        "messe", "reference", "tech finance", "customer vip"]  # fmt: skip
OWNERS = ["lena", "tomas", "mia", "jonas", None]
PRODUCTS = ["SensorKit Pro", "Wartungsplaner licence", "retrofit package", "service contract",
            "on-site training", "edge gateway", "dashboard upgrade",
            "spare parts bundle"]  # fmt: skip
SUBJECTS = {
    "call": ["Call about {p}", "Rückruf wegen {p}", "Quick check-in with {f}",
             "Pricing question on {p}", "Call: delivery date for {p}", "Voicemail for {f}"],
    "email": ["Quote for {p}", "Re: {p} quote", "Invoice question from {f}", "Documents for {p}",
              "Angebot {p}", "Meeting notes and next steps"],
    "meeting": ["Kick-off {p}", "Quarterly review with {n}", "Demo of {p}",
                "Workshop: {p} rollout", "Budget meeting"],
    "note": ["Internal note on {p}", "Competitor mentioned", "Budget approved for {p}",
             "Decision expected next month"],
    "visit": ["Site visit: {p} installation", "Visit at the plant", "Besuch vor Ort",
              "Trade fair booth visit"],
}  # fmt: skip
BODIES = [
    None, None, None,
    "Discussed the {p} and the timeline; they want a revised quote by end of month.",
    "Sent the datasheet and price list for the {p}. Waiting for feedback from purchasing.",
    "Technical questions about the {p} interface; forwarded to support.",
    "Customer happy with the last delivery. Possible follow-up order for the {p}.",
    "Angebot besprochen, Rabatt von 5 % angefragt. Rückmeldung bis Freitag.",
]  # fmt: skip
STAGES = [("lead", 10, 20), ("qualified", 25, 15), ("proposal", 50, 15),
          ("negotiation", 75, 10), ("won", 100, 25), ("lost", 0, 15)]  # fmt: skip
LOST_REASONS = ["Price too high", "Went with a competitor", "Budget frozen", "No decision",
                "Chose an in-house solution"]  # fmt: skip
APPOINTMENT_TITLES = ["Meeting with {n}", "Demo of {p}", "Call with {n}", "Site visit: {p}",
                      "Workshop {p}", "Lunch with {n}", "Review with {n}"]  # fmt: skip
RRULES = ["FREQ=WEEKLY", "FREQ=WEEKLY;INTERVAL=2", "FREQ=MONTHLY", "FREQ=DAILY;COUNT=5"]


def ascii_fold(text: str) -> str:
    """Letters for an email local part: German umlauts as ae/oe/ue, other accents dropped."""
    text = text.replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
    text = text.replace("ł", "l").replace("Ł", "L").replace("ø", "o").replace("å", "a")
    plain = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in plain if ch.isascii() and (ch.isalnum() or ch in ".-"))


class Picker:
    """Weighted random choice from a (value, weight) list, fast enough for a million draws."""

    def __init__(self, rng: random.Random, items: list[tuple[Any, float]]) -> None:
        self.rng = rng
        self.values = [value for value, _ in items]
        self.cum: list[float] = []
        total = 0.0
        for _, weight in items:
            total += weight
            self.cum.append(total)

    def __call__(self) -> Any:
        return self.rng.choices(self.values, cum_weights=self.cum)[0]


class Generator:
    """Builds the rows of each table, deterministically from one seed."""

    def __init__(self, counts: dict[str, int], seed: int) -> None:
        self.counts = counts
        self.rng = random.Random(seed)
        self.first = Picker(self.rng, FIRST_NAMES)
        self.last = Picker(self.rng, LAST_NAMES)
        self.contact_account: list[int | None] = [None]  # index = contact id
        self.contact_name: list[str] = [""]
        self.opportunity_link: list[tuple[int | None, int | None]] = [(None, None)]
        self.trashed: dict[str, set[int]] = {kind: set() for kind in counts}

    # helpers --------------------------------------------------------------------------------

    def when(self, index: int, total: int, spread_days: int = HISTORY_DAYS) -> datetime:
        """A time that grows with the row number (ids follow time in real use), with jitter."""
        age = spread_days * (1 - index / max(total, 1)) + self.rng.uniform(-3, 3)
        moment = NOW - timedelta(days=max(age, 0))
        return moment.replace(hour=self.rng.randint(7, 18), minute=self.rng.choice((0, 15, 30)))

    def tracking(self, kind: str, record_id: int, at: datetime) -> dict[str, Any]:
        stamp = at.strftime(TS)
        deleted = None
        if self.rng.random() < TRASHED_SHARE:
            deleted = stamp
            self.trashed[kind].add(record_id)
        return {
            "id": record_id,
            "created_at": stamp,
            "updated_at": stamp,
            "created_by": ACTOR,
            "updated_by": ACTOR,
            "version": 1,
            "deleted_at": deleted,
            "deleted_by": ACTOR if deleted else None,
        }

    def phone(self, prefix: str) -> str:
        """A number the store's validation accepts (so generated records stay editable)."""
        import phonenumbers

        while True:
            digits = self.rng.randint(6, 8)
            number = prefix + str(self.rng.randint(10 ** (digits - 1), 10**digits - 1))
            if phonenumbers.is_valid_number(phonenumbers.parse(number)):
                return number

    def live_id(self, kind: str, skew: float = 1.0) -> int:
        """A random id of a record not in the trash; skew > 1 favours low ids (busy records)."""
        total = self.counts[kind]
        while True:
            record_id = int(total * self.rng.random() ** skew) + 1
            if record_id not in self.trashed[kind]:
                return min(record_id, total)

    # rows -----------------------------------------------------------------------------------

    def accounts(self) -> Iterator[dict[str, Any]]:
        rng, total = self.rng, self.counts["account"]
        for i in range(1, total + 1):
            city, postal, country, prefix = rng.choice(CITIES)
            industry = rng.choice(INDUSTRIES)
            if rng.random() < 0.5:
                base = f"{self.last()} {industry}"
            else:
                base = f"{rng.choice(COMPANY_WORDS)}{rng.choice(COMPANY_WORDS).lower()} {industry}"
            name = f"{base} {rng.choice(LEGAL_FORMS)}"
            domain = ascii_fold(base.lower().replace(" ", "-")) + f"-{i}.example"
            yield {
                **self.tracking("account", i, self.when(i, total)),
                "name": name,
                "industry": industry,
                "website": f"www.{domain}",
                "phone": self.phone(prefix),
                "street": f"{rng.choice(STREETS)} {rng.randint(1, 120)}",
                "postal_code": postal,
                "city": city,
                "country": country,
                "owner": rng.choice(OWNERS),
                "tags": rng.choice(TAGS),
                "notes": None,
                "external_id": None,
            }

    def contacts(self) -> Iterator[dict[str, Any]]:
        rng, total = self.rng, self.counts["contact"]
        for i in range(1, total + 1):
            first, last = self.first(), self.last()
            account_id = None if rng.random() < 0.08 else self.live_id("account")
            city, postal, country, _ = rng.choice(CITIES)
            self.contact_account.append(account_id)
            self.contact_name.append(f"{first} {last}")
            opt_in = rng.choice((None, None, True, False))
            at = self.when(i, total)
            yield {
                **self.tracking("contact", i, at),
                "first_name": first,
                "last_name": last,
                "title": rng.choice(TITLES),
                "account_id": account_id,
                "birthday": None,
                "source": rng.choice((None, "website", "trade fair", "referral", "cold call")),
                "owner": rng.choice(OWNERS),
                "tags": rng.choice(TAGS),
                "notes": None,
                "external_id": None,
                "street": f"{rng.choice(STREETS)} {rng.randint(1, 120)}",
                "postal_code": postal,
                "city": city,
                "country": country,
                "email_opt_in": opt_in,
                "email_consent_at": at.strftime(TS) if opt_in is not None else None,
                "email_consent_source": "web form" if opt_in is not None else None,
                "phone_opt_in": None,
                "phone_consent_at": None,
                "phone_consent_source": None,
            }

    def methods(self) -> Iterator[dict[str, Any]]:
        rng = self.rng
        for contact_id in range(1, self.counts["contact"] + 1):
            first, _, last = self.contact_name[contact_id].partition(" ")
            local = ascii_fold(f"{first}.{last}".lower().replace(" ", "")) or f"c{contact_id}"
            domain = f"firma{(self.contact_account[contact_id] or contact_id) % 5000}.example"
            prefix = rng.choice(CITIES)[3]
            rows = [("email", "work", f"{local}.{contact_id}@{domain}")]
            if rng.random() < 0.3:
                rows.append(("email", "home", f"{local}{contact_id}@mail.example"))
            rows.append(("phone", "work", self.phone(prefix)))
            if rng.random() < 0.5:
                mobile = "+49151" + str(rng.randint(10_000_000, 99_999_999))
                rows.append(("phone", "mobile", mobile))
            for position, (kind, label, value) in enumerate(rows):
                yield {
                    "contact_id": contact_id,
                    "kind": kind,
                    "label": label,
                    "value": value,
                    "position": position,
                }

    def opportunities(self) -> Iterator[dict[str, Any]]:
        rng, total = self.rng, self.counts["opportunity"]
        stage = Picker(rng, [((name, prob), weight) for name, prob, weight in STAGES])
        for i in range(1, total + 1):
            contact_id = self.live_id("contact")
            account_id = self.contact_account[contact_id]
            self.opportunity_link.append((contact_id, account_id))
            name, probability = stage()
            at = self.when(i, total, 3 * 365)
            closed = name in ("won", "lost")
            yield {
                **self.tracking("opportunity", i, at),
                "name": f"{rng.choice(PRODUCTS)} for {self.contact_name[contact_id]}",
                "account_id": account_id,
                "contact_id": contact_id,
                "stage": name,
                "amount_cents": rng.randint(10, 2000) * 50_000,
                "currency": "EUR",
                "probability": probability,
                "expected_close": (at + timedelta(days=rng.randint(14, 120))).date().isoformat(),
                "next_step": None if closed else rng.choice(("Send quote", "Call back", None)),
                "lost_reason": rng.choice(LOST_REASONS) if name == "lost" else None,
                "closed_on": (at + timedelta(days=rng.randint(10, 90))).date().isoformat()
                if closed
                else None,
                "owner": rng.choice(OWNERS),
            }

    def interactions(self) -> Iterator[dict[str, Any]]:
        rng, total = self.rng, self.counts["interaction"]
        kinds = Picker(rng, [("call", 35), ("email", 35), ("meeting", 10), ("note", 12),
                             ("visit", 8)])  # fmt: skip
        for i in range(1, total + 1):
            kind = kinds()
            contact_id = self.live_id("contact", skew=2.0)
            account_id = self.contact_account[contact_id]
            opportunity_id = None
            if rng.random() < 0.15:
                opportunity_id = self.live_id("opportunity")
                contact_id, account_id = self.opportunity_link[opportunity_id]
            product = rng.choice(PRODUCTS)
            name = self.contact_name[contact_id] if contact_id else "the team"
            body = rng.choice(BODIES)
            at = self.when(i, total)
            follow_up = None
            if rng.random() < 0.1:
                follow_up = (at + timedelta(days=rng.randint(1, 21))).date()
            yield {
                **self.tracking("interaction", i, at),
                "kind": kind,
                "direction": rng.choice(("inbound", "outbound"))
                if kind in ("call", "email")
                else None,
                "subject": rng.choice(SUBJECTS[kind]).format(
                    p=product, n=name, f=name.partition(" ")[0]
                ),
                "body": body.format(p=product) if body else None,
                "happened_at": at.strftime(TS),
                "duration_minutes": rng.choice((5, 10, 15, 30, 45, 60)) if kind != "note" else None,
                "contact_id": contact_id,
                "account_id": account_id,
                "opportunity_id": opportunity_id,
                "follow_up_on": follow_up.isoformat() if follow_up else None,
                "follow_up_done": bool(follow_up and follow_up < NOW.date() - timedelta(days=14)),
            }

    def appointments(self) -> Iterator[dict[str, Any]]:
        rng, total = self.rng, self.counts["appointment"]
        for i in range(1, total + 1):
            contact_id = self.live_id("contact")
            # Appointments run from the past into the next year around NOW.
            start = self.when(i, total, 2 * 365) + timedelta(days=365)
            minutes = rng.choice((30, 45, 60, 90, 120))
            all_day = rng.random() < 0.05
            if all_day:
                start = start.replace(hour=0, minute=0)
            title = rng.choice(APPOINTMENT_TITLES).format(
                n=self.contact_name[contact_id], p=rng.choice(PRODUCTS)
            )
            yield {
                **self.tracking("appointment", i, start - timedelta(days=rng.randint(1, 30))),
                "title": title,
                "starts_at": start.strftime(TS),
                "ends_at": (
                    start + (timedelta(days=1) if all_day else timedelta(minutes=minutes))
                ).strftime(TS),
                "all_day": all_day,
                "location": rng.choice(CITIES)[0],
                "notes": None,
                "contact_id": contact_id,
                "account_id": self.contact_account[contact_id],
                "opportunity_id": None,
                "rrule": rng.choice(RRULES) if rng.random() < 0.03 else None,
                "exdates": "",
                "reminder_minutes": rng.choice((None, 10, 15, 30)),
                "owner": rng.choice(OWNERS),
                "uid": None,
            }


def insert_sql(table: str, row: dict[str, Any]) -> str:
    """An INSERT with named parameters for every key of ``row``."""
    columns = ", ".join(row)
    return f"INSERT INTO {table} ({columns}) VALUES ({', '.join(':' + c for c in row)})"


def load(
    db: Database,
    table: str,
    rows: Iterator[dict[str, Any]],
    expected: int,
    report: Callable[[str], None],
) -> int:
    """Insert rows in batches, one write transaction each, printing progress."""
    started = time.perf_counter()
    done, sql, batch = 0, "", []

    def flush() -> None:
        nonlocal done, batch
        with db.write() as tx:
            tx.executemany(sql, batch)
        done += len(batch)
        batch = []
        rate = done / max(time.perf_counter() - started, 1e-9)
        report(f"\r  {table:<15} {done:>10,} / ~{expected:,}  ({rate:,.0f} rows/s)")

    for row in rows:
        sql = sql or insert_sql(table, row)
        batch.append(row)
        if len(batch) >= BATCH:
            flush()
    if batch:
        flush()
    report(f"  {time.perf_counter() - started:.1f} s\n")
    return done


def counts_for(scale: float) -> dict[str, int]:
    """Row counts per table at a scale of the full benchmark size (at least one of each)."""
    return {kind: max(1, round(count * scale)) for kind, count in FULL_COUNTS.items()}


def generate(
    path: Path,
    scale: float = 1.0,
    seed: int = 7,
    report: Callable[[str], None] | None = None,
    cases: int | None = None,
) -> dict[str, int]:
    """Create and fill the benchmark database at ``path``; returns rows inserted per table."""
    out = report or (lambda text: None)
    db = open_database(path)
    try:
        with db.read() as tx:
            if tx.scalar("SELECT count(*) FROM contact") or tx.scalar(
                "SELECT count(*) FROM account"
            ):
                raise SystemExit(f"{path} already holds data; use --replace to start afresh")
        # Cache room for the FTS index and B-tree inserts; this connection only.
        with db.read() as tx:
            tx.execute("PRAGMA cache_size = -262144")
        counts = counts_for(scale)
        if cases is not None:
            counts["service_case"] = cases
        gen = Generator(counts, seed)
        inserted = {}
        steps: list[tuple[str, Callable[[], Iterator[dict[str, Any]]], int]] = [
            ("account", gen.accounts, gen.counts["account"]),
            ("contact", gen.contacts, gen.counts["contact"]),
            ("contact_method", gen.methods, round(gen.counts["contact"] * 2.8)),
            ("opportunity", gen.opportunities, gen.counts["opportunity"]),
            ("interaction", gen.interactions, gen.counts["interaction"]),
            ("appointment", gen.appointments, gen.counts["appointment"]),
            ("service_case", lambda: case_rows(gen, NOW, TS), gen.counts["service_case"]),
        ]
        for table, rows, expected in steps:
            inserted[table] = load(db, table, rows(), expected, out)
        return inserted
    finally:
        db.close()


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", type=Path, help="database file to create")
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the full size")
    parser.add_argument("--seed", type=int, default=7, help="random seed (same seed, same data)")
    parser.add_argument("--replace", action="store_true", help="delete PATH first if it exists")
    parser.add_argument("--cases", type=int, help="this many cases whatever the scale")
    args = parser.parse_args(argv)
    if args.scale <= 0:
        parser.error("--scale must be above 0")
    if args.replace:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{args.path}{suffix}").unlink(missing_ok=True)
    started = time.perf_counter()
    print(f"Generating {args.path} at scale {args.scale:g} (seed {args.seed})")
    inserted = generate(
        args.path,
        args.scale,
        args.seed,
        lambda text: print(text, end="", flush=True),
        cases=args.cases,
    )
    elapsed = time.perf_counter() - started
    size = args.path.stat().st_size / 2**20
    print(
        f"Done in {elapsed:.1f} s ({elapsed / 60:.1f} min); {size:,.0f} MiB; rows: "
        + ", ".join(f"{table} {count:,}" for table, count in inserted.items())
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
