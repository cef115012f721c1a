"""``smallcrm report cases --since 90d``: how well the promised response times were kept."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from smallcrm.cli.campaign_commands import report_campaigns
from smallcrm.cli.context import guarded, state

app = typer.Typer(help="Reports: how the business is doing.", no_args_is_help=True)
app.command("campaigns")(report_campaigns)


def _hours(minutes: float | None) -> str:
    if minutes is None:
        return "-"
    whole = int(minutes)
    return f"{whole // 60}h{whole % 60:02d}"


def _share(value: float | None) -> str:
    return "-" if value is None else f"{round(value * 100)}%"


def _figures_json(figures: Any) -> dict[str, Any]:
    return {
        "cases": figures.count,
        "median_minutes": figures.median,
        "p90_minutes": figures.p90,
        "share_met": figures.met,
    }


@app.command("cases")
@guarded
def report_cases(
    ctx: typer.Context,
    since: Annotated[
        str, typer.Option(help="Cases opened since: 90d, 12w, 6m or a date (default 90d).")
    ] = "90d",
    as_json: Annotated[bool, typer.Option("--json", help="Write it as JSON.")] = False,
) -> None:
    """First response and resolution per priority: smallcrm report cases --since 90d"""
    from smallcrm.cli.case_commands import report_when
    from smallcrm.cli.view_basics import iso
    from smallcrm.store import clock
    from smallcrm.store.case_report import case_report

    db = state(ctx).db()
    report = case_report(db, report_when(since), clock.now_utc())
    if as_json:
        from smallcrm.cli.output import write_json

        write_json(
            {
                "since": iso(report.since),
                "priorities": [
                    {
                        "priority": line.priority,
                        "cases": line.cases,
                        "first_response": _figures_json(line.response),
                        "resolution": _figures_json(line.resolution),
                    }
                    for line in report.lines
                ],
                "open_by_age": dict(report.backlog),
            }
        )
        return
    _write(report)


def _write(report: Any) -> None:
    from smallcrm.cli.output import Column, is_terminal, write_heading, write_table
    from smallcrm.store.formats import when

    pretty = is_terminal(sys.stdout)
    write_heading(f"Cases opened since {when(report.since)}, in working time", terminal=pretty)
    columns = (
        Column("Priority", 8),
        Column("Cases", 5, "right"),
        Column("Response median", 9, "right"),
        Column("p90", 7, "right"),
        Column("met", 4, "right"),
        Column("Resolution median", 10, "right"),
        Column("p90", 7, "right"),
        Column("met", 4, "right"),
    )
    rows = [
        [
            line.priority,
            line.cases,
            _hours(line.response.median),
            _hours(line.response.p90),
            _share(line.response.met),
            _hours(line.resolution.median),
            _hours(line.resolution.p90),
            _share(line.resolution.met),
        ]
        for line in report.lines
    ]
    write_table(columns, rows, terminal=pretty)
    write_heading("Open cases by age", terminal=pretty)
    write_table((Column("Age", 12), Column("Open", 5, "right")), report.backlog, terminal=pretty)


# The dashboard's reports (pipeline, forecast, ...) beside cases, one per report of the tiles.
from smallcrm.cli import figure_reports  # noqa: E402

figure_reports.register(app)
