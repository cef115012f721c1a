"""smallcrm's store: schema, migrations, validation and every business rule and query.

The TUI (``smallcrm.app``) and the shell commands (``smallcrm.cli``) are two faces of these
services. Nothing here imports textual, and the runtime services avoid the ORM so that a shell
quick-add starts fast (see ``db.py``).
"""
