"""What the cases list and a case's page both do to a case: assign it, log a reply, set it
waiting, resolve, close (asking why) and reopen. The rules are the store's (``store/cases.py``);
these only ask what they need and report what the store says."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from smallcrm.store import cases
from smallcrm.store.errors import StoreError
from smallcrm.store.records import Case

Done = Callable[[Case | None], None]


def _apply(screen: Any, change: Callable[[], Case], done: Done, said: str) -> None:
    try:
        changed = change()
    except StoreError as exc:
        screen.notify_error(exc)
        return
    screen.notify(f"Case {changed.id} {said}: {changed.sla.text}")
    done(changed)


def move(screen: Any, case: Case, action: str, done: Done) -> None:
    """Waiting, open, resolve or reopen, as the store allows (it says why not)."""
    said = {"waiting": "waits on the customer", "open": "is open", "resolve": "is resolved",
            "reopen": "is open again"}[action]  # fmt: skip
    _apply(
        screen,
        lambda: cases.change_status(
            screen.db, case.id, action, expected_version=case.tracking.version
        ),
        done,
        said,
    )


def close(screen: Any, case: Case, done: Done) -> None:
    """Ask why, then close."""
    from smallcrm.screens.case_prompts import CloseReasonScreen

    def chosen(reason: str | None) -> None:
        if reason is None:
            return
        _apply(
            screen,
            lambda: cases.change_status(
                screen.db, case.id, "close", reason=reason, expected_version=case.tracking.version
            ),
            done,
            f"is closed ({reason})",
        )

    screen.app.push_screen(CloseReasonScreen(f"Close case {case.id}: {case.subject}"), chosen)


def assign(screen: Any, case: Case, done: Done) -> None:
    """Ask who takes it over (yourself first)."""
    from smallcrm.screens.case_prompts import AssignScreen
    from smallcrm.store.crud import current_user

    def chosen(owner: str | None) -> None:
        if owner is None:
            return
        _apply(
            screen,
            lambda: cases.update_case(
                screen.db, case.id, case.tracking.version, owner=owner or None
            ),
            done,
            f"is {owner}'s" if owner else "has no owner",
        )

    title = f"Assign case {case.id}: {case.subject}"
    screen.app.push_screen(AssignScreen(title, case.owner or current_user()), chosen)


def log_reply(screen: Any, case: Case, done: Done, *, from_customer: bool = False) -> None:
    """Log an email (ours, or the customer's) on the case."""
    from smallcrm.screens.interaction_form import InteractionForm

    form = InteractionForm(
        kind="email",
        contact_id=case.contact_id,
        account_id=case.account_id,
        case_id=case.id,
        direction="inbound" if from_customer else "outbound",
    )
    screen.app.push_screen(form, lambda saved: done(None) if saved else None)
