"""PostgreSQL: a search is one call to the server, and an index per kind of record (SQLite: no
change).

Measured at 10,000 contacts and 100,000 interactions before this: every tier was a statement
of seven sub-selects (one per kind), and planning one took 1-2 ms, five or six per search. And a
word found in a kind's titles only further back than its newest documents was looked up in the
GIN index over every document of every kind: "call" in the contacts' names had to have each of
the 100,000 interactions holding "call" fetched and checked (14 ms; ten times that at the full
size), though none was a contact.

- ``smallcrm_search_hits(...)``: the tiers of ``search_tiers.tiers`` for every kind, best first,
  and the found documents' rows, in one call. Its statements are planned once per connection.
  Each kind's newest documents (``win`` of them) are read once and every tier is tested on
  them; only a tier that finds too few there asks an index. The tiers that match words are
  nested (a whole word in the title is also a prefix there, and a prefix in the title is a
  prefix anywhere): when the widest has fewer matches than wanted in the whole kind, the
  narrower ones are tested on just those.
- ``ix_search_doc_kind_vector``: the document's tsvector plus a lexeme naming its kind
  (``#`` and the kind's code: no folded word holds a ``#``), so that the index answers "this
  word, in this kind" without visiting the documents of the other kinds.

Revision ID: 0021
Revises: 0018
Create Date: 2026-12-08
"""

from __future__ import annotations

from alembic import op

revision: str = "0021"
down_revision: str | None = "0018"
branch_labels = None
depends_on = None

SPAN = 2**40
# The expression of ix_search_doc_kind_vector; smallcrm_search_hits repeats it to use the index.
KIND_VECTOR = f"(search_vector || array_to_tsvector(ARRAY['#' || (id / {SPAN})::text]))"

_FUNCTION = """
CREATE FUNCTION smallcrm_search_hits(
    lows bigint[], named boolean[], tier_types text[], tier_whole text[],
    tier_prefixed text[], tier_titles boolean[], keys text[], likes text[], wanted integer,
    win integer
) RETURNS TABLE (id bigint, kind text, record_id bigint, title text, detail text)
LANGUAGE plpgsql STABLE AS $fn$
DECLARE
    queries tsquery[] := '{}';
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
    c_ids bigint[];
    c_masks integer[];
    complete boolean;
    lo bigint;
    kind_q tsquery;
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
            words_bits := words_bits | (1 << (t - 1));
        ELSIF tier_types[t] = 'parts' THEN
            parts_bit := 1 << (t - 1);
        END IF;
        queries := queries || q;
    END LOOP;
    FOR k IN 1 .. cardinality(lows) LOOP
        lo := lows[k];
        kind_q := quote_literal('#' || (lo / {span})::text)::tsquery;
        mine := '{}';
        c_ids := NULL;
        complete := FALSE;
        -- The kind's newest documents, each with the tiers it matches as bits.
        SELECT count(*), coalesce(array_agg(m.id ORDER BY m.id DESC) FILTER (WHERE m.mask <> 0),
               '{}'), coalesce(array_agg(m.mask ORDER BY m.id DESC) FILTER (WHERE m.mask <> 0),
               '{}')
            INTO seen, w_ids, w_masks
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
                SELECT coalesce(array_agg(s.id ORDER BY s.id DESC), '{}') INTO ids FROM (
                    SELECT d.id FROM search_doc d WHERE d.name_key = ANY(keys)
                    AND d.id >= lo AND d.id < lo + {span} ORDER BY d.id + 0 DESC LIMIT wanted) s;
            ELSE
                ids := ARRAY(SELECT u.i FROM unnest(w_ids, w_masks) AS u(i, m)
                    WHERE u.m & bit <> 0 ORDER BY u.i DESC LIMIT wanted);
            END IF;
            IF tier_types[t] = 'words' AND cardinality(ids) < wanted AND seen >= win THEN
                IF c_ids IS NULL AND NOT EXISTS (SELECT FROM unnest(w_masks) AS m
                                                 WHERE m & words_bits <> 0) THEN
                    -- None in the window: the widest tier's matches in the whole kind are
                    -- likely few, and every other tier's are among them.
                    SELECT coalesce(array_agg(c.id ORDER BY c.id DESC), '{}'),
                           coalesce(array_agg(c.mask ORDER BY c.id DESC), '{}')
                        INTO c_ids, c_masks FROM (
                        SELECT d.id, (SELECT sum(1 << (u.t - 1)::integer)::integer
                            FROM unnest(queries) WITH ORDINALITY AS u(q, t)
                            WHERE d.search_vector @@ u.q) AS mask
                        FROM search_doc d WHERE {kind_vector} @@ (queries[widest] && kind_q)
                        ORDER BY d.id + 0 DESC LIMIT wanted) c;
                    complete := cardinality(c_ids) < wanted;
                END IF;
                IF complete OR (t = widest AND c_ids IS NOT NULL) THEN
                    ids := ARRAY(SELECT u.i FROM unnest(c_ids, c_masks) AS u(i, m)
                        WHERE u.m & bit <> 0 ORDER BY u.i DESC LIMIT wanted);
                ELSE
                    q := queries[t];
                    SELECT coalesce(array_agg(s.id ORDER BY s.id DESC), '{}') INTO ids
                        FROM (SELECT d.id FROM search_doc d WHERE {kind_vector} @@ (q && kind_q)
                        ORDER BY d.id + 0 DESC LIMIT wanted) s;
                END IF;
            ELSIF tier_types[t] = 'parts' AND cardinality(ids) < wanted AND seen >= win THEN
                SELECT coalesce(array_agg(s.id ORDER BY s.id DESC), '{}') INTO ids FROM (
                    SELECT d.id FROM search_doc d WHERE d.parts IS NOT NULL
                    AND d.parts_folded LIKE likes[1] AND d.parts_folded LIKE ALL(likes)
                    AND d.id >= lo AND d.id < lo + {span} ORDER BY d.id + 0 DESC LIMIT wanted) s;
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
""".replace("{span}", str(SPAN)).replace("{kind_vector}", KIND_VECTOR.replace("(id", "(d.id"))


def _run(statement: str) -> None:
    """Run DDL as written: no bind-parameter parsing of its colons."""
    op.get_bind().exec_driver_sql(statement)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    _run(f"CREATE INDEX ix_search_doc_kind_vector ON search_doc USING gin ({KIND_VECTOR})")
    _run(_FUNCTION)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    _run(
        "DROP FUNCTION IF EXISTS smallcrm_search_hits(bigint[], boolean[], text[], text[], "
        "text[], boolean[], text[], text[], integer, integer)"
    )
    _run("DROP INDEX IF EXISTS ix_search_doc_kind_vector")
