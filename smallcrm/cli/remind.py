"""``smallcrm remind --due`` (from cron or a systemd timer) and ``smallcrm remind --next`` (one
line for a tmux status bar).

``--due`` hands each due reminder to the ``reminder_command`` setting, the text as its last
argument and never through a shell (a name with ``;`` or ``$(...)`` in it stays text), or prints
it when no command is set. It runs every few minutes, so it imports neither Textual nor the
ORM: only the store's reminder modules and the thin database layer.
"""

from __future__ import annotations

from typing import Annotated

import typer

from smallcrm.cli.context import CliError, guarded, state


@guarded
def remind(
    ctx: typer.Context,
    due: Annotated[
        bool, typer.Option("--due", help="Deliver every due reminder not yet delivered.")
    ] = False,
    upcoming: Annotated[
        bool, typer.Option("--next", help="Print the next reminder on one line (tmux).")
    ] = False,
) -> None:
    """Deliver due reminders (smallcrm remind --due, from cron) or show the next one."""
    if due == upcoming:
        raise CliError("give --due (deliver what is due) or --next (show the next one)")
    from smallcrm.cli.remind_run import deliver, show_next

    code = deliver(state(ctx)) if due else show_next(state(ctx))
    if code:
        raise typer.Exit(code)
