"""``smallcrm remind --due`` (from cron or a systemd timer) and ``smallcrm remind --next`` (one
line for a tmux status bar).

``--due`` hands each due reminder to the ``reminder_command`` setting, the text as its last
argument and never through a shell (a name with ``;`` or ``$(...)`` in it stays text), or prints
it when no command is set. It runs every few minutes, so it imports neither Textual nor the
ORM: only the store's reminder modules and the thin database layer.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from smallcrm.cli.context import CliError, err, guarded, now, state

COMMAND_TIMEOUT = 60  # seconds a delivery command may take before it counts as failed


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
    if due:
        _deliver(ctx)
    else:
        _next(ctx)


def _deliver(ctx: typer.Context) -> None:
    from smallcrm.store import settings
    from smallcrm.store.crud import current_user
    from smallcrm.store.reminder_delivery import COMMAND, deliver_due

    command = settings.reminder_command()
    moment = now()

    def send(reminder: object) -> None:
        text = reminder.text(moment)  # type: ignore[attr-defined]
        if command:
            run_command(command, text)
        else:
            sys.stdout.write(text + "\n")
            sys.stdout.flush()

    outcome = deliver_due(state(ctx).db(), current_user(), COMMAND, send, moment)
    for reminder in outcome.dropped:
        err(f"Dropped (missed while remind --due did not run): {reminder.text(moment)}")
    for reminder, why in outcome.failed:
        err(f"Not delivered (tried again on the next run): {reminder.text(moment)}: {why}")
    if outcome.failed:
        raise typer.Exit(1)


def run_command(command: tuple[str, ...], text: str) -> None:
    """Run the delivery command with ``text`` as its last argument, without a shell; a
    ``DeliveryError`` says why it failed."""
    import subprocess

    from smallcrm.store.reminder_delivery import DeliveryError

    try:
        done = subprocess.run(
            [*command, text],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=COMMAND_TIMEOUT,
            check=False,
        )
    except FileNotFoundError:
        raise DeliveryError(f"{command[0]}: no such command") from None
    except PermissionError:
        raise DeliveryError(f"{command[0]}: not allowed to run it") from None
    except OSError as exc:
        raise DeliveryError(f"{command[0]}: {exc.strerror or exc}") from None
    except subprocess.TimeoutExpired:
        raise DeliveryError(f"{command[0]} took longer than {COMMAND_TIMEOUT} s") from None
    if done.returncode != 0:
        said = done.stderr.decode(errors="replace").strip().splitlines()
        detail = f": {said[-1][:200]}" if said else ""
        raise DeliveryError(f"{command[0]} exited with {done.returncode}{detail}")


def _next(ctx: typer.Context) -> None:
    from smallcrm.store.crud import current_user
    from smallcrm.store.reminders import due, upcoming

    db, user, moment = state(ctx).db(), current_user(), now()
    found = due(db, user, moment)
    follow_ups = sum(1 for r in found if r.kind == "follow_up" and r.due_at <= moment)
    meetings = [r for r in found if r.kind == "appointment"]
    meetings += [r for r in upcoming(db, user, moment) if r.kind == "appointment"]
    parts = []
    if meetings:
        parts.append(meetings[0].text(moment).rsplit(" [", 1)[0])
    if follow_ups:
        parts.append(f"{follow_ups} follow-up{'s' if follow_ups > 1 else ''} due")
    if parts:
        sys.stdout.write(" | ".join(parts) + "\n")
