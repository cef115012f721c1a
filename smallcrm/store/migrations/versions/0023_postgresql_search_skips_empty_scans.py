"""PostgreSQL: a search skips testing older documents that cannot hold what it looks for
(SQLite: no change).

``smallcrm_search_hits`` (revision 0021) tests the next ``10 * win`` older documents of a kind
before asking the kind's index, for a tier with a prefix of one or two letters (``jan z``: the
``z``), because such a prefix alone makes the index read every document with a word starting
with that letter. It did so for every such tier of every kind, even when none of the kind's
newest ``win`` documents held the words anywhere: then the words are rarer than one document in
``win``, the older documents hardly ever hold enough, and the index is asked anyway. Measured
for ``jan z`` at 100,000 contacts and 1,000,000 interactions: twelve such scans of 3,000
documents, 0.6-0.9 ms each, nine of them finding nothing.

Now those documents are tested only when the window held a match of the widest tier (every
other tier's matches are among its matches); otherwise the tier asks the kind's index at once.
A word with matches in the window (``j``, ``ja``) still takes the old path. Which documents are
found does not change, only how: ``jan z`` 26 -> 20 ms, ``j`` 3.6 -> 2.5 ms, ``ja`` 3.2 ->
2.1 ms (medians, measured in turns on a busy machine); every other benchmark term the same.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-08
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels = None
depends_on = None

_OLD_TEST = "IF c_ids IS NULL AND (cardinality(ids) > 1 OR costly[t]) THEN"
_NEW_TEST = """IF c_ids IS NULL AND (cardinality(ids) > 1 OR (costly[t] AND EXISTS (
                            SELECT FROM unnest(w_masks) AS m WHERE m & words_bits <> 0)))
                    THEN"""


def _revision_0021() -> ModuleType:
    """Revision 0021, whose function this one rewrites (its file name is no module name)."""
    path = Path(__file__).with_name("0021_postgresql_search_one_call.py")
    spec = importlib.util.spec_from_file_location("smallcrm_migration_0021", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _function(test: str) -> str:
    """Revision 0021's function with ``test`` deciding when the older documents are tested."""
    text = _revision_0021()._FUNCTION
    assert text.count(_OLD_TEST) == 1, "revision 0021's function changed"
    return text.replace(_OLD_TEST, test).replace(
        "CREATE FUNCTION smallcrm_search_hits(", "CREATE OR REPLACE FUNCTION smallcrm_search_hits("
    )


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.get_bind().exec_driver_sql(_function(_NEW_TEST))


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.get_bind().exec_driver_sql(_function(_OLD_TEST))
