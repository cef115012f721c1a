"""Writing hidden records fast: the search triggers are out of the way while an import writes.

The search triggers refresh a record's search document on every insert and update (a contact's
again for every email and phone). The records an import writes are hidden until the whole file
is in (``staging.py``), and a hidden record has no search document, so each refresh would only
find that out: they made writing a large file take twice as long. While an import writes a
chunk, its transaction drops the triggers and creates them again (from their own SQL in
``sqlite_master``) before it commits: other connections never see them missing, and a rollback
or a crash puts them back with everything else. The documents are made when the records are
shown, by the triggers (``publish.py``).

PostgreSQL's trigger functions (migration 0005) skip their work while the transaction-local
setting ``smallcrm.defer_search`` is on: dropping a trigger there would lock the table against
every reader until the transaction ends.
"""

from __future__ import annotations

from smallcrm.store.db import Tx


class QuietSearch:
    """Take the search triggers out of a transaction (``pause``) and put them back: those on
    ``tables``, or on every record table."""

    def __init__(self, tables: tuple[str, ...] = ()) -> None:
        self.tables = tables
        self.triggers: list[tuple[str, str]] | None = None

    def pause(self, tx: Tx) -> None:
        """Drop the triggers (PostgreSQL: tell them to do nothing) until ``resume``."""
        if tx.dialect == "postgresql":
            tx.execute("SELECT set_config('smallcrm.defer_search', 'on', true)")
            return
        if self.triggers is None:
            self.triggers = [
                (row["name"], row["sql"])
                for row in tx.all(
                    "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger' "
                    "AND tbl_name != 'search_doc' AND sql LIKE '%search_doc%' ORDER BY name"
                )
                if not self.tables or row["tbl_name"] in self.tables
            ]
        for name, _sql in self.triggers:
            tx.execute(f'DROP TRIGGER "{name}"')

    def resume(self, tx: Tx) -> None:
        """Put the triggers back, in the same transaction."""
        if tx.dialect == "postgresql":
            tx.execute("SELECT set_config('smallcrm.defer_search', 'off', true)")
            return
        for _name, sql in self.triggers or ():
            tx.execute(sql)
