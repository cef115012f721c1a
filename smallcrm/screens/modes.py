"""The screen of each top-level tab (``screens/tabs.py``), as the app's Textual *modes*: each
keeps its own stack of detail screens, which is its breadcrumb trail. Screens are imported when
first shown, so the first paint pays only for the first one.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.screen import Screen


def _contacts() -> Screen:
    from smallcrm.screens.contacts import ContactsScreen

    return ContactsScreen()


def _accounts() -> Screen:
    from smallcrm.screens.accounts import AccountsScreen

    return AccountsScreen()


def _interactions() -> Screen:
    from smallcrm.screens.interactions import InteractionsScreen

    return InteractionsScreen()


def _pipeline() -> Screen:
    from smallcrm.screens.pipeline import PipelineScreen

    return PipelineScreen()


def _calendar() -> Screen:
    from smallcrm.screens.calendar import CalendarScreen

    return CalendarScreen()


def _today() -> Screen:
    from smallcrm.screens.today import TodayScreen

    return TodayScreen()


def _campaigns() -> Screen:
    from smallcrm.screens.campaigns import CampaignsScreen

    return CampaignsScreen()


def _cases() -> Screen:
    from smallcrm.screens.cases import CasesScreen

    return CasesScreen()


def _dashboard() -> Screen:
    from smallcrm.screens.dashboard import DashboardScreen

    return DashboardScreen()


MODES: dict[str, Callable[[], Screen]] = {
    "contacts": _contacts,
    "accounts": _accounts,
    "interactions": _interactions,
    "pipeline": _pipeline,
    "calendar": _calendar,
    "today": _today,
    "cases": _cases,
    "dashboard": _dashboard,
    "campaigns": _campaigns,
}
