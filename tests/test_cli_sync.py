"""``smallcrm sync`` in the shell: what it prints, its warnings, and a conflict's exit status."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from smallcrm.cli import app
from smallcrm.store import contacts
from smallcrm.store.db import open_database


def _run(db_path: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["--db", str(db_path), "sync", *args])
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout, result.stderr


def _jana(db_path: Path) -> int:
    db = open_database(db_path)
    try:
        return contacts.create_contact(db, name="Jana Novak", title="Buyer").id
    finally:
        db.close()


def test_sync_prints_what_it_wrote_and_a_second_run_writes_nothing(
    db_path: Path, tmp_path: Path
) -> None:
    _jana(db_path)
    code, out, _err = _run(db_path, str(tmp_path / "dav"))
    assert code == 0
    assert out.splitlines() == [
        "contacts: 1 files; 1 written, 0 removed; from phones: 0 changed, 0 added",
        "calendar: 0 files; 0 written, 0 removed; from phones: 0 changed, 0 added",
    ]
    code, out, _err = _run(db_path, str(tmp_path / "dav"), "--contacts")
    assert code == 0
    assert out == "contacts: 1 files; 0 written, 0 removed; from phones: 0 changed, 0 added\n"


def test_a_conflict_is_reported_with_both_values_and_exits_1(db_path: Path, tmp_path: Path) -> None:
    jana = _jana(db_path)
    _run(db_path, str(tmp_path))
    db = open_database(db_path)
    try:
        contacts.update_contact(db, jana, 1, title="Director")
    finally:
        db.close()
    card = tmp_path / "contacts" / f"smallcrm-contact-{jana}.vcf"
    card.write_text(card.read_text().replace("TITLE:Buyer", "TITLE:Chief buyer"), newline="")
    code, _out, err = _run(db_path, str(tmp_path))
    assert code == 1
    assert f"Conflict: contact {jana} (Jana Novak) was changed in the CRM and on a phone" in err
    assert "  title: phone Chief buyer; CRM Director" in err
    assert err.endswith("Error: 1 conflict; see above.\n")
    assert _run(db_path, str(tmp_path))[0] == 0  # the phone's values are in the notes now


def test_many_files_gone_is_refused_without_yes(db_path: Path, tmp_path: Path) -> None:
    jana = _jana(db_path)
    _run(db_path, str(tmp_path))
    (tmp_path / "contacts" / f"smallcrm-contact-{jana}.vcf").unlink()
    code, _out, err = _run(db_path, str(tmp_path))
    assert code == 1
    assert err.startswith("Error: 1 of the 1 files sync wrote to ")
    assert f"smallcrm sync {tmp_path} --yes" in err
    code, _out, err = _run(db_path, str(tmp_path), "--yes")
    assert code == 0 and "Warning: smallcrm-contact-" in err and "deleted on a phone" in err


def test_the_sync_benchmark_runs_and_measures_what_it_says(db_path: Path) -> None:
    import subprocess
    import sys

    db = open_database(db_path)
    try:
        for number in range(12):
            contacts.create_contact(db, allow_duplicate=True, name=f"Person {number}")
    finally:
        db.close()
    repo = Path(__file__).resolve().parents[1]
    done = subprocess.run(
        [sys.executable, "benchmarks/sync_bench.py", str(db_path)],
        cwd=repo, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("first sync: ") and "12 files, 12 written" in lines[0]
    assert "12 files, 0 written" in lines[1]
    assert "12 files, 10 written, 5 from the phone, 0 conflicts" in lines[2]
