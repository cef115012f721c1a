"""PostgreSQL: a search is one call to the server, and an index per kind of record (SQLite: no
change).

Measured at 10,000 contacts and 100,000 interactions before this: every tier was a statement
of seven sub-selects (one per kind), and planning one took 1-2 ms, five or six per search. And a
word found in a kind's titles only further back than its newest documents was looked up in the
GIN index over every document of every kind: "call" in the contacts' names had to have each of
the 100,000 interactions holding "call" fetched and checked (14 ms; ten times that at the full
size), though none was a contact.

- ``smallcrm_search_hits(...)``: the tiers of ``search_tiers.tiers`` for every kind, best first,
  and the found documents' rows, in one call; its statements keep one plan per connection.
  Each kind's newest documents (``win`` of them) are read once, noting the tiers each matches.
  A tier with too few there tests the next ``10 * win`` older documents when the window held
  two or more of its matches or it has a prefix of one or two letters; then the widest tier's
  newest ``win`` matches in the whole kind answer it when they hold enough of its matches or
  are all there are (the tiers of words are nested: a whole word in the title is a prefix there,
  a prefix in the title is a prefix anywhere); only then does the tier ask the kind's index for
  its own newest matches.
- ``ix_search_doc_vector_1`` ... ``_7``: a GIN index of the tsvectors of each kind's
  documents (``id / SPAN = code``, which the function writes with the code, so the planner
  picks that index and never walks the b-tree of ids testing each document): "this word in this
  kind" reads neither the other kinds' documents nor their words (a prefix such as ``j:*`` in
  the index of every document took 50 ms when the 10,000 service cases held no such word). The
  expression is ``search_vector || ''``, which no other query writes, so the index of every
  kind (which name resolution reads) is never picked for one kind instead.
- ``ix_search_doc_parts_1`` and ``_2``: the trigram index of the folded parts, one for contacts
  and one for accounts, in place of one for both.

At 100,000 contacts and 1,000,000 interactions, on a machine busy with other work: the
benchmark's searches took 40-340 ms before (median), 2-18 ms after, 45 ms for ``jan z``.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-08
"""

from __future__ import annotations

from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels = None
depends_on = None

SPAN = 2**40
# search_doc.id // SPAN of each kind (contact, account, deal, interaction, appointment, service
# case, campaign): each gets its own GIN index (ix_search_doc_vector_CODE).
KIND_CODES = (1, 2, 3, 4, 5, 6, 7)
NAMED_CODES = (1, 2)  # contacts and accounts: the kinds with parts (ix_search_doc_parts_CODE)

# The statements that ask an index for one kind's matches, each written once per kind with the
# kind's code as a constant (``{code}``): a constant lets the plan, made once per connection,
# use that kind's own index. A kind added later reads its code from the variable instead.
_EXACT = """SELECT coalesce(array_agg(s.id ORDER BY s.id DESC), '{}') INTO ids FROM (
    SELECT d.id FROM search_doc d WHERE d.name_key = ANY(keys)
    AND d.id / {span} = {code} ORDER BY d.id + 0 DESC LIMIT wanted) s;"""
_WIDEST = """SELECT coalesce(array_agg(c.id ORDER BY c.id DESC), '{}'),
       coalesce(array_agg(c.mask ORDER BY c.id DESC), '{}') INTO c_ids, c_masks FROM (
    SELECT d.id, (SELECT sum(1 << (u.t - 1)::integer)::integer
        FROM unnest(queries) WITH ORDINALITY AS u(q, t) WHERE d.search_vector @@ u.q) AS mask
    FROM search_doc d WHERE (d.search_vector || ''::tsvector) @@ queries[widest]
    AND d.id / {span} = {code} ORDER BY d.id + 0 DESC LIMIT win) c;"""
_TIER = """SELECT coalesce(array_agg(s.id ORDER BY s.id DESC), '{}') INTO ids FROM (
    SELECT d.id FROM search_doc d WHERE (d.search_vector || ''::tsvector) @@ q
    AND d.id / {span} = {code} ORDER BY d.id + 0 DESC LIMIT wanted) s;"""
_PARTS = """SELECT coalesce(array_agg(s.id ORDER BY s.id DESC), '{}') INTO ids FROM (
    SELECT d.id FROM search_doc d WHERE d.parts IS NOT NULL
    AND d.parts_folded LIKE likes[1] AND d.parts_folded LIKE ALL(likes)
    AND d.id / {span} = {code} ORDER BY d.id + 0 DESC LIMIT wanted) s;"""


def _per_kind(statement: str, indent: int) -> str:
    """``statement`` once per kind code, chosen by ``code``; other codes from the variable."""
    pad = " " * indent

    def body(code: str) -> str:
        text = statement.replace("{code}", code)
        return "\n".join(pad + "    " + line for line in text.split("\n"))

    whens = "\n".join(f"{pad}WHEN {c} THEN\n{body(str(c))}" for c in KIND_CODES)
    return f"CASE code\n{whens}\n{pad}ELSE\n{body('code')}\n{pad}END CASE;"


_FUNCTION = """
CREATE FUNCTION smallcrm_search_hits(
    lows bigint[], named boolean[], tier_types text[], tier_whole text[],
    tier_prefixed text[], tier_titles boolean[], keys text[], likes text[], wanted integer,
    win integer
) RETURNS TABLE (id bigint, kind text, record_id bigint, title text, detail text)
LANGUAGE plpgsql STABLE
-- One plan per statement for the connection: each statement names its kind's index by a
-- constant, and re-planning those reached only now and then cost more than running them.
SET plan_cache_mode = force_generic_plan
AS $fn$
DECLARE
    queries tsquery[] := '{}';
    costly boolean[] := '{}';  -- a tier with a prefix of one or two letters
    q tsquery;
    widest integer := 0;  -- the last tier of words: it holds the matches of every other
    parts_bit integer := 0;
    words_bits integer := 0;
    found bigint[] := '{}';
    mine bigint[];
    ids bigint[];
    seen integer;
    w_ids bigint[];
    w_masks integer[];
    w_oldest bigint;
    more bigint[];
    c_ids bigint[];
    c_masks integer[];
    complete boolean;
    lo bigint;
    code bigint;
    bit integer;
BEGIN
    FOR t IN 1 .. cardinality(tier_types) LOOP
        q := NULL;
        IF tier_types[t] = 'words' THEN
            IF tier_whole[t] <> '' THEN
                q := smallcrm_tsquery(tier_whole[t], FALSE, tier_titles[t], TRUE);
            END IF;
            IF tier_prefixed[t] <> '' THEN
                q := CASE WHEN q IS NULL
                    THEN smallcrm_tsquery(tier_prefixed[t], TRUE, tier_titles[t], TRUE)
                    ELSE q && smallcrm_tsquery(tier_prefixed[t], TRUE, tier_titles[t], TRUE) END;
            END IF;
            widest := t;
            costly[t] := EXISTS (SELECT FROM regexp_split_to_table(tier_prefixed[t], ' ') AS w
                                 WHERE length(w) BETWEEN 1 AND 2);
            words_bits := words_bits | (1 << (t - 1));
        ELSIF tier_types[t] = 'parts' THEN
            parts_bit := 1 << (t - 1);
        END IF;
        queries := queries || q;
    END LOOP;
    FOR k IN 1 .. cardinality(lows) LOOP
        lo := lows[k];
        code := lo / {span};
        mine := '{}';
        c_ids := NULL;
        complete := FALSE;
        -- The kind's newest documents, each with the tiers it matches as bits.
        SELECT count(*), min(m.id),
               coalesce(array_agg(m.id ORDER BY m.id DESC) FILTER (WHERE m.mask <> 0), '{}'),
               coalesce(array_agg(m.mask ORDER BY m.id DESC) FILTER (WHERE m.mask <> 0), '{}')
            INTO seen, w_oldest, w_ids, w_masks
            FROM (SELECT s.id, CASE WHEN s.search_vector @@ queries[widest] THEN (
                      SELECT sum(1 << (u.t - 1)::integer)::integer
                      FROM unnest(queries) WITH ORDINALITY AS u(q, t)
                      WHERE s.search_vector @@ u.q) ELSE 0 END
                  + CASE WHEN parts_bit <> 0 AND named[k] AND s.parts_folded LIKE ALL(likes)
                      THEN parts_bit ELSE 0 END AS mask
                  FROM search_doc s WHERE s.id >= lo AND s.id < lo + {span}
                  ORDER BY s.id DESC LIMIT win) m;
        FOR t IN 1 .. cardinality(tier_types) LOOP
            EXIT WHEN cardinality(mine) >= wanted;
            CONTINUE WHEN tier_types[t] <> 'words' AND NOT named[k];
            bit := 1 << (t - 1);
            IF tier_types[t] = 'exact' THEN
                {exact}
            ELSE
                ids := ARRAY(SELECT u.i FROM unnest(w_ids, w_masks) AS u(i, m)
                    WHERE u.m & bit <> 0 ORDER BY u.i DESC LIMIT wanted);
            END IF;
            IF tier_types[t] = 'words' AND cardinality(ids) < wanted AND seen >= win THEN
                IF c_ids IS NULL AND NOT costly[widest] AND NOT EXISTS (
                        SELECT FROM unnest(w_masks) AS m WHERE m & words_bits <> 0) THEN
                    -- None in the window: the widest tier's newest matches in the whole kind
                    -- (every other tier's matches are among its matches).
                    {widest}
                    complete := cardinality(c_ids) < win;
                END IF;
                IF c_ids IS NOT NULL THEN
                    -- A tier with enough among them has its newest there.
                    ids := ARRAY(SELECT u.i FROM unnest(c_ids, c_masks) AS u(i, m)
                        WHERE u.m & bit <> 0 ORDER BY u.i DESC LIMIT wanted);
                END IF;
                IF NOT complete AND cardinality(ids) < wanted THEN
                    q := queries[t];
                    more := '{}';
                    IF c_ids IS NULL AND (cardinality(ids) > 1 OR costly[t]) THEN
                        -- Two or more in the window (one may be a record just added), or a
                        -- prefix of one or two letters (which the index answers slowly): the
                        -- next older documents likely hold the rest, and testing a few thousand
                        -- costs less than fetching every match.
                        more := ARRAY(SELECT e.id FROM (SELECT s.id, s.search_vector
                            FROM search_doc s WHERE s.id >= lo AND s.id < w_oldest
                            ORDER BY s.id DESC LIMIT win * 10) e WHERE e.search_vector @@ q
                            ORDER BY e.id DESC LIMIT wanted - cardinality(ids));
                    END IF;
                    IF cardinality(ids) + cardinality(more) >= wanted THEN
                        ids := ids || more;
                    ELSE
                        IF c_ids IS NULL AND NOT costly[widest] THEN
                            -- the widest tier's newest matches may answer this tier and the
                            -- rest; a prefix of one or two letters would fetch too many
                            {widest2}
                            complete := cardinality(c_ids) < win;
                        END IF;
                        IF c_ids IS NOT NULL THEN
                            ids := ARRAY(SELECT u.i FROM unnest(c_ids, c_masks) AS u(i, m)
                                WHERE u.m & bit <> 0 ORDER BY u.i DESC LIMIT wanted);
                        END IF;
                        IF NOT complete AND cardinality(ids) < wanted THEN
                            {tier}
                        END IF;
                    END IF;
                END IF;
            ELSIF tier_types[t] = 'parts' AND cardinality(ids) < wanted AND seen >= win THEN
                {parts}
            END IF;
            mine := mine || ARRAY(SELECT i FROM unnest(ids) AS i WHERE i <> ALL(mine)
                LIMIT greatest(wanted - cardinality(mine), 0));
        END LOOP;
        found := found || mine;
    END LOOP;
    RETURN QUERY SELECT d.id, d.kind::text, d.record_id::bigint, d.title, d.detail
        FROM unnest(found) WITH ORDINALITY AS f(id, n) JOIN search_doc d ON d.id = f.id
        ORDER BY f.n;
END
$fn$
""".replace("{exact}", _per_kind(_EXACT, 16)).replace("{widest}", _per_kind(_WIDEST, 20))
_FUNCTION = (
    _FUNCTION.replace("{tier}", _per_kind(_TIER, 28))
    .replace("{widest2}", _per_kind(_WIDEST, 28))
    .replace("{parts}", _per_kind(_PARTS, 16))
    .replace("{span}", str(SPAN))
)


def _run(statement: str) -> None:
    """Run DDL as written: no bind-parameter parsing of its colons."""
    op.get_bind().exec_driver_sql(statement)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for code in KIND_CODES:
        _run(
            f"CREATE INDEX ix_search_doc_vector_{code} ON search_doc "
            f"USING gin ((search_vector || ''::tsvector)) WHERE id / {SPAN} = {code}"
        )
    for code in NAMED_CODES:
        _run(
            f"CREATE INDEX ix_search_doc_parts_{code} ON search_doc "
            f"USING gin (parts_folded gin_trgm_ops) WHERE parts IS NOT NULL AND id / {SPAN} = {code}"
        )
    _run("DROP INDEX ix_search_doc_parts_folded_trgm")
    _run(_FUNCTION)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    _run(
        "DROP FUNCTION IF EXISTS smallcrm_search_hits(bigint[], boolean[], text[], text[], "
        "text[], boolean[], text[], text[], integer, integer)"
    )
    _run(
        "CREATE INDEX ix_search_doc_parts_folded_trgm ON search_doc "
        "USING gin (parts_folded gin_trgm_ops) WHERE parts IS NOT NULL"
    )
    for code in NAMED_CODES:
        _run(f"DROP INDEX IF EXISTS ix_search_doc_parts_{code}")
    for code in KIND_CODES:
        _run(f"DROP INDEX IF EXISTS ix_search_doc_vector_{code}")
