"""smallcrm: a keyboard-driven CRM for the terminal (the app) and the shell (the commands).

Every database opened is first tidied of what a killed process left half done: an import killed
while it ran is taken back, or completed if it got far enough. The thin database layer cannot
import the importer (the importer is built on it), so the hook is registered here, where both are
known and before anything opens a database.
"""

from smallcrm.store import db as _db


def _finish_abandoned_imports(database: _db.Database) -> None:
    """Take back or complete the imports killed while they ran: one query when there is none."""
    with database.read() as tx:
        unfinished = tx.scalar("SELECT 1 FROM import_batch WHERE finished_at IS NULL LIMIT 1")
    if unfinished:
        from smallcrm.store.io.recovery import recover_imports

        recover_imports(database)


_db.AFTER_OPEN.append(_finish_abandoned_imports)
