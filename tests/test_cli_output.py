"""Rendering (smallcrm.cli.output, smallcrm.cli.views) and the plain-email fast path the shell's
quick-add relies on."""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from email_validator import EmailNotValidError, validate_email
from hypothesis import given, settings
from hypothesis import strategies as st

from smallcrm.cli import views
from smallcrm.cli.output import (
    Column,
    fit_widths,
    write_fields,
    write_heading,
    write_json_array,
    write_table,
)
from smallcrm.store import clock
from smallcrm.store import records as r
from smallcrm.store.validate import plain_email

COLUMNS = (Column("ID", 6, "right"), Column("Name", 30), Column("Notes", 40))


class Terminal(io.StringIO):
    """A StringIO that says it is a terminal."""

    def isatty(self) -> bool:
        return True


# --- tables ------------------------------------------------------------------------------------


def test_plain_table_is_tab_separated_and_keeps_everything() -> None:
    out = io.StringIO()
    count = write_table(COLUMNS, [[1, "Jana\tNovak", "two\nlines"], [2, None, "x" * 90]], out)
    assert count == 2
    assert out.getvalue().splitlines() == [
        "ID\tName\tNotes",
        "1\tJana Novak\ttwo lines",
        "2\t\t" + "x" * 90,
    ]


def test_terminal_table_is_aligned_and_cut_to_the_width(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    out = Terminal()
    write_table(COLUMNS, [[1, "Jana Novak", "n" * 200], [22, "Jan", "short"]], out)
    lines = re.sub(r"\x1b\[[0-9;]*m", "", out.getvalue()).splitlines()
    assert "ID" in lines[0] and "Name" in lines[0]
    assert all(len(line) <= 80 for line in lines)
    assert "…" in lines[1]
    assert lines[1].index("Jana") == lines[2].index("Jan")


def test_terminal_table_streams_batches_with_the_same_columns() -> None:
    out = Terminal()
    rows = ([n, f"Person {n}", ""] for n in range(1, 1201))
    assert write_table(COLUMNS, rows, out) == 1200
    lines = out.getvalue().splitlines()
    assert len(lines) == 1201  # one header, not one per batch
    assert lines[1].index("Person") == lines[-1].index("Person")


def test_terminal_table_does_not_read_markup_in_user_data() -> None:
    out = Terminal()
    write_table(COLUMNS, [[1, "[bold]Evil[/bold] [/]", ""]], out)
    assert "[bold]Evil[/bold] [/]" in out.getvalue()


def test_fit_widths_shrinks_the_widest_columns_first() -> None:
    widths = fit_widths(COLUMNS, [[1, "a" * 30, "b" * 40]], 50)
    assert sum(widths) + len(widths) <= 50
    assert widths[0] == 2


def test_json_array_streams_valid_json() -> None:
    out = io.StringIO()
    assert write_json_array(iter([]), out) == 0
    assert json.loads(out.getvalue()) == []
    out = io.StringIO()
    write_json_array(({"id": n, "name": "Jürgen"} for n in range(3)), out)
    assert json.loads(out.getvalue()) == [{"id": n, "name": "Jürgen"} for n in range(3)]
    assert "Jürgen" in out.getvalue()


def test_fields_and_headings_plain_and_terminal() -> None:
    out = io.StringIO()
    write_fields("Contact 1: Jana", [("Email", ["a@b.example", "c@d.example"]), ("Tags", "")], out)
    write_heading("Timeline", out)
    assert out.getvalue() == "Contact 1: Jana\n  Email: a@b.example, c@d.example\n\nTimeline\n"
    term = Terminal()
    write_fields("Contact 1: [red]Jana", [("Notes", "[b]x")], term)
    assert "[red]Jana" in term.getvalue() and "[b]x" in term.getvalue()


# --- views ---------------------------------------------------------------------------------------

TRACKING = r.Tracking(
    created_at=datetime(2026, 11, 25, 9, 0, tzinfo=UTC),
    updated_at=datetime(2026, 11, 25, 9, 0, tzinfo=UTC),
    created_by="tester",
    updated_by="tester",
    version=1,
)


def _deal(**changes: object) -> r.Opportunity:
    values: dict[str, object] = {
        "id": 4,
        "name": "Acme renewal",
        "account_id": 1,
        "account_name": "Acme GmbH",
        "contact_id": None,
        "contact_name": None,
        "stage": "proposal",
        "amount": Decimal("12000"),
        "currency": "EUR",
        "probability": 50,
        "expected_close": date(2026, 12, 31),
        "next_step": None,
        "lost_reason": None,
        "closed_on": None,
        "owner": None,
        "tracking": TRACKING,
    }
    values.update(changes)
    return r.Opportunity(**values)  # type: ignore[arg-type]


def test_deal_line_row_and_json() -> None:
    deal = _deal()
    assert views.opportunity_line(deal) == (
        "deal 4: Acme renewal; Acme GmbH; proposal (50%); 12,000.00 EUR; closes Thu 2026-12-31"
    )
    assert views.opportunity_row(deal, False)[4:7] == ["12,000.00 EUR", "50%", "Thu 2026-12-31"]
    data = views.opportunity_json(deal)
    assert (data["amount"], data["weighted_amount"]) == ("12000.00", "6000.00")
    assert data["expected_close"] == "2026-12-31"
    assert data["created_at"] == clock.local(TRACKING.created_at).isoformat(timespec="seconds")


def test_span_and_who() -> None:
    start = clock.local(datetime(2026, 11, 27, 14, 0))
    assert views.span(start, start.replace(hour=15)) == "Fri 2026-11-27 14:00-15:00"
    assert (
        views.span(start, start.replace(day=28)) == "Fri 2026-11-27 14:00 to Sat 2026-11-28 14:00"
    )
    assert views.span(start, None, all_day=True) == "Fri 2026-11-27 (all day)"
    assert views.who("Jana", "Acme") == "Jana (Acme)"
    assert views.who(None, "Acme") == "Acme"


# --- the plain-email fast path -------------------------------------------------------------------

ATEXT = "abcXYZ019!#$%&'*+/=?^_`{|}~-"
_label = st.text("abz09-", min_size=1, max_size=12)
_local = st.lists(st.text(ATEXT, min_size=1, max_size=8), min_size=1, max_size=3).map(".".join)
_tld = st.sampled_from(["com", "de", "example", "test", "local", "c0m", "x", "ONION", "Com"])
_address = st.builds(
    lambda local, labels, tld: f"{local}@{'.'.join([*labels, tld])}",
    _local,
    st.lists(_label, max_size=3),
    _tld,
)


def _reference(raw: str) -> str | None:
    try:
        return validate_email(raw, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        return None


@settings(max_examples=400, deadline=None)
@given(st.one_of(_address, st.text(ATEXT + "@. ", max_size=30)))
def test_plain_email_agrees_with_email_validator(raw: str) -> None:
    fast = plain_email(raw)
    if fast is not None:
        assert fast == _reference(raw)


def test_plain_email_takes_the_common_cases_and_leaves_the_rest() -> None:
    assert plain_email("Jana.Novak+crm@Example.COM") == "jana.novak+crm@example.com"
    for raw in ("jana@localhost", "jana@x.test", "jürgen@example.com", "a@xn--bcher-kva.example",
                "a..b@example.com", "a@example", "\"a b\"@example.com"):  # fmt: skip
        assert plain_email(raw) is None
