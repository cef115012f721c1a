"""Sixteen ``smallcrm remind --due`` at one moment deliver each due reminder exactly once (on
SQLite and on PostgreSQL): the claims are made under the write lock."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from smallcrm.store import appointments, contacts, interactions
from smallcrm.store.db import open_database

pytestmark = pytest.mark.slow

PROCESSES = 16
NOW = datetime(2026, 11, 25, 10, 30, tzinfo=UTC)


def test_sixteen_processes_deliver_each_reminder_once(db_path: Path, tmp_path: Path) -> None:
    db = open_database(db_path)
    jana = contacts.create_contact(db, first_name="Jana", last_name="Novak")
    for n in range(5):
        appointments.create_appointment(
            db, title=f"Meeting {n}", starts_at=NOW + timedelta(minutes=10 + n), reminder_minutes=30
        )
    interactions.log_interaction(
        db, kind="call", subject="Call back", happened_at=NOW, follow_up_on=NOW.date(),
        contact_id=jana.id,
    )  # fmt: skip
    db.close()
    env = {**os.environ, "SMALLCRM_DB": str(db_path), "SMALLCRM_NOW": NOW.isoformat()}
    children = [
        subprocess.Popen(
            [sys.executable, "-m", "smallcrm.cli", "remind", "--due"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for _ in range(PROCESSES)
    ]
    lines: list[str] = []
    for child in children:
        out, errors = child.communicate(timeout=120)
        assert child.returncode == 0, errors
        assert errors == ""
        lines += out.splitlines()
    assert len(lines) == 6, lines
    assert sorted(line.split(" [")[1] for line in lines) == sorted(
        [f"appointment {n}]" for n in range(1, 6)] + ["interaction 1]"]
    )
    db = open_database(db_path)
    with db.read() as tx:
        assert tx.scalar("SELECT count(*) FROM reminder_delivery WHERE status = 'delivered'") == 6
    db.close()
