"""Moving a deal between stages, shared by the pipeline board and the deal's own view.

Won and lost ask why first (StageReasonScreen). A stale deal (someone else saved it since it
was read) is not moved: the screen reloads and says so.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from smallcrm.screens.stage_reason import StageReasonScreen
from smallcrm.store import opportunities
from smallcrm.store.errors import ConflictError, StoreError
from smallcrm.store.records import Opportunity, Stage

if TYPE_CHECKING:
    from smallcrm.screens.base import CrmScreen
    from smallcrm.store.db import Database


def target_stage(stages: list[Stage], deal: Opportunity, step: int) -> Stage | None:
    """The stage ``step`` places along from the deal's (None past either end)."""
    names = [s.name for s in stages]
    if deal.stage not in names:
        return None
    index = names.index(deal.stage) + step
    return stages[index] if 0 <= index < len(stages) else None


def close_deal(db: Database, deal: Opportunity, stage: str, reason: str) -> Opportunity:
    """Mark a deal won or lost with why (the store keeps the reason, in one transaction)."""
    changes: dict[str, str] = {"stage": stage}
    if reason:
        changes["reason"] = reason
    return opportunities.update_opportunity(db, deal.id, deal.tracking.version, **changes)


def move_deal(
    screen: CrmScreen,
    stages: list[Stage],
    deal: Opportunity,
    step: int,
    done: Callable[[Opportunity | None], None],
) -> None:
    """Move a deal one stage on (``step`` +1) or back (-1); closed stages ask why first.

    ``done`` gets the moved deal, or None when nothing moved (after a conflict the screen
    should reload).
    """
    target = target_stage(stages, deal, step)
    if target is None:
        where = "last" if step > 0 else "first"
        screen.notify(f"{deal.stage.capitalize()} is the {where} stage.", title="Not moved")
        return
    if target.is_closed:
        close_with_reason(screen, deal, target.name, done)
        return
    run_change(
        screen,
        deal,
        lambda: opportunities.move_stage(
            screen.db, deal.id, step, expected_version=deal.tracking.version
        ),
        done,
    )


def close_with_reason(
    screen: CrmScreen, deal: Opportunity, stage: str, done: Callable[[Opportunity | None], None]
) -> None:
    """Ask why the deal is won or lost, then close it (Esc leaves it where it was)."""

    def answered(reason: str | None) -> None:
        if reason is not None:
            run_change(screen, deal, lambda: close_deal(screen.db, deal, stage, reason), done)

    dialog = StageReasonScreen(deal.name, stage, required=stage == "lost")
    screen.app.push_screen(dialog, answered)


def run_change(
    screen: CrmScreen,
    deal: Opportunity,
    change: Callable[[], Opportunity],
    done: Callable[[Opportunity | None], None],
) -> None:
    """Run a store change; say clearly when someone else changed the deal first."""
    try:
        moved = change()
    except ConflictError:
        screen.notify(
            f"{deal.name!r} was changed by someone else meanwhile, so it was not moved. "
            "The view is reloaded: check the deal and try again.",
            title="Changed elsewhere",
            severity="warning",
            timeout=8,
        )
        done(None)
        return
    except StoreError as exc:
        screen.notify_error(exc)
        return
    screen.notify(f"{moved.name} → {moved.stage}", title="Moved", timeout=2)
    done(moved)
