"""Shell commands that change an existing record report a conflict (somebody else saved it
first) in words and exit 1, without a traceback."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from smallcrm.cli import app
from smallcrm.store import contacts, interactions
from smallcrm.store.db import open_database
from smallcrm.store.errors import ConflictError


def test_done_reports_a_conflict_and_exits_1(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = open_database(db_path)
    try:
        jana = contacts.create_contact(db, allow_duplicate=True, name="Jana Novak")
        entry = interactions.log_interaction(
            db, kind="call", subject="Renewal", contact_id=jana.id, follow_up_on=date(2026, 11, 27)
        )
    finally:
        db.close()

    def changed_meanwhile(db: object, interaction_id: int, *args: object, **kw: object) -> None:
        # What update_record raises when the row changed between its read and its write.
        raise ConflictError("interaction", interaction_id, 1, 2)

    monkeypatch.setattr(interactions, "complete_follow_up", changed_meanwhile)
    result = CliRunner().invoke(app, ["--db", str(db_path), "done", str(entry.id)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.stderr == (
        f"Error: interaction {entry.id} was changed by someone else (you edited version 1; "
        "it is now at version 2). Reload it and apply your change again.\n"
    )
