"""Writing many contacts fast: the search index is refreshed once per contact, per chunk.

The search triggers refresh a contact's search document on every insert into ``contact`` and
again for every email and phone inserted into ``contact_method``: three refreshes for a contact
with two methods, which made a 100,000-contact import take over a minute. While a large import
runs, those triggers are dropped inside its write transaction and put back (from their own SQL
in ``sqlite_master``) at the end of each chunk, after which a no-op UPDATE of the chunk's
contacts fires the restored trigger once per contact. Everything happens in the one write
transaction: other connections never see the triggers missing, and a rollback or a crash
restores them with everything else.

PostgreSQL's trigger functions (migration 0005) skip their work while the transaction-local
setting ``smallcrm.defer_search`` is on: dropping a trigger there would lock the table against
every reader until the import commits.
"""

from __future__ import annotations

from smallcrm.store.db import Tx

_TABLES = ("contact", "contact_method")
_IN_CHUNK = 500


class SearchDeferral:
    """Pause the contact search triggers; ``flush()`` refreshes the contacts touched since."""

    def __init__(self, tx: Tx, enabled: bool = True) -> None:
        self.tx = tx
        self.pending: set[int] = set()
        self.triggers: list[tuple[str, str]] = []
        self.paused = False
        self.setting = enabled and tx.dialect == "postgresql"
        if enabled and tx.dialect == "sqlite":
            self.triggers = [
                (row["name"], row["sql"])
                for row in tx.all(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                    "AND tbl_name IN ('contact', 'contact_method') AND sql LIKE '%search_doc%'"
                )
            ]

    def pause(self) -> None:
        """Drop the triggers (no-op when there are none to drop or they are down already)."""
        if self.paused or not (self.triggers or self.setting):
            return
        if self.setting:
            self.tx.execute("SELECT set_config('smallcrm.defer_search', 'on', true)")
        for name, _sql in self.triggers:
            self.tx.execute(f'DROP TRIGGER "{name}"')
        self.paused = True

    def touch(self, contact_id: int) -> None:
        """Remember that a contact's search document needs refreshing."""
        if self.paused:
            self.pending.add(contact_id)

    def flush(self) -> None:
        """Put the triggers back and refresh the contacts touched while they were down."""
        if not self.paused:
            return
        if self.setting:
            self.tx.execute("SELECT set_config('smallcrm.defer_search', 'off', true)")
        for _name, sql in self.triggers:
            self.tx.execute(sql)
        self.paused = False
        ids = sorted(self.pending)
        self.pending.clear()
        for start in range(0, len(ids), _IN_CHUNK):
            chunk = ids[start : start + _IN_CHUNK]
            marks = ", ".join(f":i{n}" for n in range(len(chunk)))
            self.tx.execute(
                f"UPDATE contact SET version = version WHERE id IN ({marks})",
                **{f"i{n}": cid for n, cid in enumerate(chunk)},
            )
