"""What ``smallcrm remind --due`` and ``remind --next`` do, without Typer: the quick path
(``quick.py``) runs them straight from the command line, since they run every few minutes from
cron or a tmux status bar and Typer's parameter checks alone cost more than the work."""

from __future__ import annotations

import sys

from smallcrm.cli.core import State, err, now

COMMAND_TIMEOUT = 60  # seconds a delivery command may take before it counts as failed


def deliver(state: State) -> int:
    """Deliver every due reminder not yet delivered; the exit code (1 when one failed)."""
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

    outcome = deliver_due(state.db(), current_user(), COMMAND, send, moment)
    for reminder in outcome.dropped:
        err(f"Dropped (missed while remind --due did not run): {reminder.text(moment)}")
    for reminder, why in outcome.failed:
        err(f"Not delivered (tried again on the next run): {reminder.text(moment)}: {why}")
    return 1 if outcome.failed else 0


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


def show_next(state: State) -> int:
    """Print the next reminder on one line (for a tmux status bar); the exit code."""
    from smallcrm.store.crud import current_user
    from smallcrm.store.reminders import due, upcoming

    db, user, moment = state.db(), current_user(), now()
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
    return 0
