"""Alembic migrations shipped inside the package and applied when a database is opened.

``HEAD_REVISION`` lets ``Database.ensure_schema`` skip importing Alembic (about 400 ms) when the
database is already current; a test checks it against the scripts' real head.
"""

HEAD_REVISION = "0024"
