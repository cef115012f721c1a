"""``folding``'s table rendered for each database, for the migrations that install it.

SQLite has neither ``translate()`` nor regular expressions, and its parser refuses more than
about 30 nested function calls, so one ``replace()`` per letter is not an option. It gets the
table as data instead (``fold_char``, one row per letter) and folds a text letter by letter
against it (``sqlite_sort_key``: a join with ``fold_pos``, the numbers 1..MAX_LENGTH). That costs
about 35 microseconds for a short name holding a letter outside ASCII (pure ASCII takes the
``lower()`` shortcut), which is fine for names, titles, cities and subjects, written once and read
often. Long texts (notes, bodies) would cost a millisecond and more that way; for them
``sqlite_detail_views`` folds only what SQLite's FTS5 tokenizer does not (it drops accents and
case itself): the letters that become two, those it keeps (ß, ø, ł, ...), and accented e, which
must become e before ae/oe/ue collapse ("Noël"). Accented a, o, u right before an e or a ("Üe")
are left to the tokenizer there, after collapsing, so such a pair in a long text is found only
as spelt: a gap no name has.

PostgreSQL gets two IMMUTABLE SQL functions: ``smallcrm_sort_key`` (``replace()`` for the letters
that become two, then one ``translate()``) and ``smallcrm_fold`` (that, collapsed with a regular
expression), usable in indexes, generated columns and triggers.
"""

from __future__ import annotations

from smallcrm.store import folding

MAX_LENGTH = 300  # the longest text a sort key or folded title is made from (a subject)
_NON_ASCII = "'*[^ -~]*'"  # GLOB: holds a character outside printable ASCII
_GROUP = 12  # replace() calls nested in one step (SQLite's parser takes about 30)


def literal(text: str) -> str:
    """``text`` as an SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def sqlite_rows() -> list[tuple[str, str]]:
    """``fold_char``'s rows: each letter that folds and what it becomes."""
    return sorted(folding.table().items())


SQLITE_TABLES = (
    "CREATE TABLE fold_char (ch TEXT PRIMARY KEY, folded TEXT NOT NULL) WITHOUT ROWID",
    "CREATE TABLE fold_pos (n INTEGER PRIMARY KEY)",
)


def sqlite_fill() -> list[str]:
    """Statements that fill ``fold_char`` and ``fold_pos``."""
    rows = ", ".join(f"({literal(ch)}, {literal(to)})" for ch, to in sqlite_rows())
    return [
        f"INSERT INTO fold_char (ch, folded) VALUES {rows}",
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
        f"WHERE i < {MAX_LENGTH}) INSERT INTO fold_pos (n) SELECT i FROM n",
    ]


def sqlite_sort_key(expr: str) -> str:
    """SQL for ``folding.sort_key(expr)`` (``expr`` is evaluated several times: keep it a
    column)."""
    letters = (
        f"SELECT coalesce(f.folded, substr({expr}, p.n, 1)) AS c FROM fold_pos p "
        f"LEFT JOIN fold_char f ON f.ch = substr({expr}, p.n, 1) "
        f"WHERE p.n <= length({expr}) ORDER BY p.n"
    )
    return (
        f"(CASE WHEN {expr} GLOB {_NON_ASCII} THEN "
        f"coalesce((SELECT group_concat(c, '') FROM ({letters})), '') ELSE lower({expr}) END)"
    )


def sqlite_collapse(expr: str) -> str:
    """SQL for ``folding.collapse``: COLLAPSE_ROUNDS rounds of ``replace()``."""
    for _ in range(folding.COLLAPSE_ROUNDS):
        for pair, one in folding.COLLAPSE_PAIRS:
            expr = f"replace({expr}, '{pair}', '{one}')"
    return expr


def sqlite_fold(expr: str) -> str:
    """SQL for ``folding.fold(expr)`` (composed text)."""
    return sqlite_collapse(sqlite_sort_key(expr))


def _detail_groups() -> list[list[tuple[str, str]]]:
    """The letters a long text must lose before FTS5's tokenizer sees it, in groups small
    enough for SQLite's parser."""
    table = folding.table()
    german = [(ch, table[ch]) for ch in "äöüßÄÖÜẞ"]
    accented_e = sorted(
        (ch, to) for ch, to in table.items() if to == "e" and ch.lower() != "e" and ord(ch) > 127
    )
    others = sorted(
        (ch, to)
        for ch, to in table.items()
        if ord(ch) > 127
        and ch not in "äöüßÄÖÜẞ"
        and to != "e"
        and (len(to) > 1 or (to.isascii() and _kept_by_tokenizer(ch)))
    )
    return [german] + [
        group[start : start + _GROUP]
        for group in (accented_e, others)
        for start in range(0, 60, _GROUP)
    ]


def _kept_by_tokenizer(ch: str) -> bool:
    """Letters FTS5's ``remove_diacritics`` leaves alone: those without a canonical
    decomposition into a letter and accents (ø, ł, ŀ)."""
    import unicodedata

    return not unicodedata.decomposition(ch)[:1].isalnum()


def sqlite_detail_views(source: str, final: str) -> list[str]:
    """CREATE VIEW statements: ``final`` is ``source`` (id, title, detail, parts) with the
    title and parts folded as ``folding.fold`` does and the detail made ready for FTS5's
    tokenizer (see the module docstring); ``{final}_1``, ... are its steps.

    Each step names the previous step's detail exactly once. SQLite flattens the views into
    every statement that reads them (the search triggers, and so every write of a record), so a
    step that named it twice, as ``CASE WHEN <has these letters> THEN replace(detail, ...) ELSE
    detail END`` does, doubled the statement at each step: 2^11 copies, 80,000 instructions and
    a quarter of a second to prepare each statement that writes a record, in every new process.
    A ``replace()`` of a letter a text does not hold leaves it as it is, so the guard only ever
    saved time, and at run time the smaller statement is twice as fast as the guarded one.
    """
    groups = [g for g in _detail_groups() if g]
    steps = [f"CREATE VIEW {final}_0 AS SELECT id, title, lower(detail) AS detail, parts "
             f"FROM {source}"]  # fmt: skip
    for number, group in enumerate(groups, 1):
        chain = "detail"
        for ch, to in group:
            chain = f"replace({chain}, {literal(ch)}, {literal(to)})"
        steps.append(
            f"CREATE VIEW {final}_{number} AS SELECT id, title, {chain} AS detail, parts "
            f"FROM {final}_{number - 1}"
        )
    steps.append(
        f"CREATE VIEW {final} AS SELECT id, {sqlite_fold('title')} AS title, "
        f"{sqlite_collapse('detail')} AS detail, {sqlite_fold('parts')} AS parts "
        f"FROM {final}_{len(groups)}"
    )
    return steps


def sqlite_view_names(final: str) -> list[str]:
    """The views ``sqlite_detail_views`` creates, last first (the order to drop them in)."""
    count = len([g for g in _detail_groups() if g])
    return [final] + [f"{final}_{n}" for n in range(count, -1, -1)]


def postgresql_functions(schema: str) -> list[str]:
    """CREATE FUNCTION statements for ``smallcrm_sort_key`` and ``smallcrm_fold``."""
    table = folding.table()
    multi = sorted((ch, to) for ch, to in table.items() if len(to) > 1)
    single = sorted((ch, to) for ch, to in table.items() if len(to) == 1)
    dropped = sorted(ch for ch, to in table.items() if not to)
    body = "$1"
    for ch, to in multi:
        body = f"pg_catalog.replace({body}, {literal(ch)}, {literal(to)})"
    source = "".join(ch for ch, _ in single) + "".join(dropped)
    target = "".join(to for _, to in single)
    key = f"{schema}.smallcrm_sort_key"
    return [
        f"CREATE FUNCTION {key}(text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE "
        f"STRICT AS $$ SELECT pg_catalog.translate({body}, {literal(source)}, "
        f"{literal(target)}) $$",
        f"CREATE FUNCTION {schema}.smallcrm_fold(text) RETURNS text LANGUAGE sql IMMUTABLE "
        "PARALLEL SAFE STRICT AS $$ SELECT pg_catalog.regexp_replace("
        f"{key}(pg_catalog.normalize($1, 'NFC')), '(a)[ae]+|(o)e+|(u)e+', '\\1\\2\\3', 'g') $$",
    ]
