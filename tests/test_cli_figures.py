"""The dashboard's reports from the shell: the same figures as the store computes, as a table,
JSON, CSV and a self-contained HTML page; doctor's check and repair of the roll-ups."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from smallcrm.cli import app
from smallcrm.store import figures
from smallcrm.store.db import open_database
from smallcrm.store.figures import present
from smallcrm.store.figures.model import Filters

Run = Callable[..., Result]
REPORTS = ("pipeline", "forecast", "winrate", "funnel", "activity", "quality")
SVG = "{http://www.w3.org/2000/svg}svg"


@pytest.fixture
def run(db_path: Path) -> Run:
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(app, ["--db", str(db_path), *args])

    for line in (
        ("add", "contact", "Jana Novak", "--email", "jana@example.com", "--owner", "ana"),
        ("add", "contact", "Ola Berg", "--owner", "ben"),
        ("add", "deal", "Big one", "--stage", "proposal", "--amount", "5000", "--owner", "ana"),
        ("add", "deal", "Small", "--amount", "300", "--owner", "ben", "--close", "2026-12-10"),
        ("log", "call", "Jana Novak", "Hello"),
    ):
        result = invoke(*line)
        assert result.exit_code == 0, result.output
    return invoke


def ok(result: Result) -> str:
    assert result.exit_code == 0, result.output
    return result.stdout


def test_every_report_is_a_subcommand_of_the_tile_list() -> None:
    assert set(figures.reports()) == set(REPORTS)


def test_json_is_the_store_figures(run: Run, db_path: Path) -> None:
    for name in REPORTS:
        printed = json.loads(ok(run("report", name, "--json")))
        db = open_database(db_path)
        keys = tuple(t.key for t in figures.reports()[name])
        expected = [present.as_data(f) for f in figures.compute(db, keys, Filters())]
        db.close()
        assert printed == expected, name


def test_owner_and_stage_filters(run: Run) -> None:
    data = json.loads(ok(run("report", "pipeline", "--json", "--owner", "ana")))
    lines = {line["label"]: line for line in data[0]["lines"]}
    assert lines["proposal"]["deals"] == 1 and lines["lead"]["deals"] == 0
    data = json.loads(ok(run("report", "pipeline", "--json", "--stage", "lead")))
    assert [line["label"] for line in data[0]["lines"]] == ["lead"]
    assert data[0]["lines"][0]["total"] == 300.0


def test_since_sets_the_period(run: Run) -> None:
    data = json.loads(ok(run("report", "winrate", "--json", "--since", "2026-09-01")))
    assert data[0]["period"] == ["2026-09-01", "2026-11-25"]
    assert [line["label"] for line in data[0]["lines"]] == ["2026-09", "2026-10", "2026-11"]


def test_table_and_csv(run: Run) -> None:
    text = ok(run("report", "quality"))
    assert "Data quality" in text and "no email" in text
    rows = list(csv.reader(io.StringIO(ok(run("report", "activity", "--csv")))))
    assert tuple(rows[0]) == present.CSV_HEADER
    assert ["people", "tester", "", "call", "1"] in rows


def test_bad_options_give_one_line(run: Run) -> None:
    result = run("report", "pipeline", "--since", "someday")
    assert result.exit_code == 1 and "Traceback" not in result.output
    result = run("report", "pipeline", "--stage", "leed")
    assert result.exit_code == 1 and "no stage named 'leed'" in result.output
    result = run("report", "pipeline", "--json", "--csv")
    assert result.exit_code == 1 and "one of --json and --csv" in result.output


def test_html_page_is_well_formed_with_every_figure(run: Run, tmp_path: Path) -> None:
    for name in REPORTS:
        target = tmp_path / f"{name}.html"
        ok(run("report", name, "--html", str(target)))
        text = target.read_text(encoding="utf-8")
        assert "<script" not in text and "http://" not in text.replace(
            "http://www.w3.org/2000/svg", ""
        )
        root = ET.fromstring(text)  # well-formed XML, the SVG included
        sections = root.findall(".//{*}section") or root.findall(".//section")
        for tile in figures.reports()[name]:
            section = next(s for s in sections if s.get("id") == f"figure-{tile.key}")
            assert section.find(f".//{SVG}") is not None or "Nothing to show" in ET.tostring(
                section, encoding="unicode"
            )


def test_all_is_every_tile_on_one_page(run: Run, tmp_path: Path) -> None:
    data = json.loads(ok(run("report", "all", "--json")))
    assert [f["figure"] for f in data] == [t.key for t in figures.TILES]
    target = tmp_path / "all.html"
    ok(run("report", "all", "--html", str(target)))
    root = ET.fromstring(target.read_text(encoding="utf-8"))
    ids = {s.get("id") for s in root.iter() if s.tag.endswith("section")}
    assert ids == {f"figure-{t.key}" for t in figures.TILES}


def test_doctor_finds_and_repairs_the_roll_ups(run: Run, db_path: Path) -> None:
    assert "ok   roll-ups" in ok(run("doctor"))
    db = open_database(db_path)
    with db.write() as tx:
        tx.execute("UPDATE activity_day SET n = n + 5")
        tx.execute("DELETE FROM contact_touch")
    db.close()
    result = run("doctor")
    assert result.exit_code == 1 and "FAIL roll-ups" in result.stdout
    assert "Rebuilt the dashboard's roll-ups." in ok(run("doctor", "--repair"))
    assert "ok   roll-ups" in ok(run("doctor"))
