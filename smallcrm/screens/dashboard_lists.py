"""The list behind a dashboard figure: the kind's own list screen, opened with the figure's
filters (the deals of a stage, the contacts with no email, the breached cases)."""

from __future__ import annotations

from dataclasses import replace

from textual.screen import Screen

from smallcrm.store.figures.model import Drill


def list_screen(drill: Drill) -> Screen | None:
    """A new list screen showing ``drill``'s records, or None for a kind with no list."""
    query = drill.query
    if drill.kind == "contact":
        from smallcrm.screens.contacts import ContactsScreen

        contacts = ContactsScreen()
        contacts.query_state = replace(query, sort=contacts.query_state.sort)
        return contacts
    if drill.kind == "interaction":
        from smallcrm.screens.interactions import InteractionsScreen

        interactions = InteractionsScreen()
        base = interactions.query_state
        interactions.query_state = replace(query, sort=base.sort, descending=base.descending)
        return interactions
    if drill.kind == "service_case":
        from smallcrm.screens.cases import CasesScreen

        cases = CasesScreen()
        cases.query_state = replace(cases.query_state, owner=query.owner, extra=dict(query.extra))
        return cases
    if drill.kind == "opportunity":
        from smallcrm.screens.pipeline import PipelineScreen
        from smallcrm.screens.pipeline_filter import PipelineFilter

        deals = PipelineScreen()
        deals.filters = PipelineFilter(
            owner=query.owner,
            stage=query.stage,
            open_only=query.open_only,
            since=query.since,
            until=query.until,
        )
        return deals
    return None
