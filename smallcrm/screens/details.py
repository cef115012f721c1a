"""The screen that shows one record, for each kind of the registry (``store/kinds.py``).

Screens are imported when first opened, so the app's first paint does not pay for them.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.screen import Screen


def _contact(record_id: int) -> Screen:
    from smallcrm.screens.contact_detail import ContactDetailScreen

    return ContactDetailScreen(record_id)


def _account(record_id: int) -> Screen:
    from smallcrm.screens.account_detail import AccountDetailScreen

    return AccountDetailScreen(record_id)


def _opportunity(record_id: int) -> Screen:
    from smallcrm.screens.opportunity_detail import OpportunityDetailScreen

    return OpportunityDetailScreen(record_id)


def _interaction(record_id: int) -> Screen:
    from smallcrm.screens.interaction_detail import InteractionDetailScreen

    return InteractionDetailScreen(record_id)


def _appointment(record_id: int) -> Screen:
    from smallcrm.screens.appointment_form import AppointmentForm

    return AppointmentForm(appointment_id=record_id)


def _case(record_id: int) -> Screen:
    from smallcrm.screens.case_detail import CaseDetailScreen

    return CaseDetailScreen(record_id)


def _campaign(record_id: int) -> Screen:
    from smallcrm.screens.campaign_detail import CampaignDetailScreen

    return CampaignDetailScreen(record_id)


# Kind (its name in the registry) -> the screen that shows one such record.
DETAIL_SCREENS: dict[str, Callable[[int], Screen]] = {
    "contact": _contact,
    "account": _account,
    "opportunity": _opportunity,
    "interaction": _interaction,
    "appointment": _appointment,
    "service_case": _case,
    "campaign": _campaign,
}


def detail_screen(kind: str, record_id: int) -> Screen:
    """The screen that shows one record of a kind."""
    try:
        make = DETAIL_SCREENS[kind]
    except KeyError:
        raise ValueError(f"no screen for {kind!r}") from None
    return make(record_id)
