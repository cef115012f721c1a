"""``smallcrm report pipeline|forecast|winrate|activity|funnel|quality``: the dashboard's
figures in the shell, one subcommand per report of the store's tile list (``store/figures``),
as a table, JSON (``--json``), CSV (``--csv``) or a page to hand on (``--html FILE``)."""

from __future__ import annotations

import csv
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from smallcrm.cli.context import CliError, guarded, state
from smallcrm.store import figures
from smallcrm.store.figures import present
from smallcrm.store.figures.model import Figure, Filters

if TYPE_CHECKING:
    from smallcrm.store.db import Database

# What each report answers, for its --help; a report missing here is named by its tiles.
ABOUT = {
    "pipeline": "Open deals by stage, total and weighted, and at each of the last 6 month ends",
    "forecast": "Open deals by expected close month, weighted and total",
    "winrate": "Deals won and lost per month, the win rate and the median sales cycle",
    "funnel": "How many deals reached each stage (a lost one: the furthest open stage it was "
    "in), and the drop-off between stages",
    "activity": "Interactions logged per week and per person (weeks of UTC days, as on the "
    "dashboard)",
    "quality": "Contacts with no email or phone, shared email addresses, quiet contacts",
    "all": "Every figure of the dashboard (with --html: one page to hand on)",
}
SINCE_HELP = "Start of the period: 90d, 12w, 6m or a date (default: each figure's own)."


def filters_from(since: str | None, owner: str | None, stages: list[str] | None) -> Filters:
    """The shell's options as the figures' filters (``--since`` as ``report cases`` reads it)."""
    from smallcrm.cli.case_commands import report_when
    from smallcrm.store import clock

    day = clock.local(report_when(since)).date() if since else None
    return Filters(owner or None, day, tuple(s.strip().lower() for s in stages or () if s.strip()))


def write_text(found: list[Figure]) -> None:
    """Each figure as a heading, its headlines and a table."""
    from smallcrm.cli.output import Column, is_terminal, write_heading, write_line, write_table

    pretty = is_terminal(sys.stdout)
    for figure in found:
        period = f" ({figure.period[0]} to {figure.period[1]})" if figure.period else ""
        write_heading(figure.title + period, terminal=pretty)
        heads = present.headline_texts(figure)
        if heads or figure.note:
            parts = [f"{label}: {value}" for label, value in heads] + [figure.note] * bool(
                figure.note
            )
            write_line("  ".join(parts))
        columns = [Column("", 24)] + [
            Column(c.name.replace("_", " "), 18, "right") for c in figure.columns
        ]
        rows = [[line.label, *present.line_cells(figure, line)] for line in figure.lines]
        write_table(columns, rows, terminal=pretty)


def write_csv(found: list[Figure]) -> None:
    """Every value of the figures, one a row."""
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(present.CSV_HEADER)
    for figure in found:
        writer.writerows(present.csv_rows(figure))


def _command(name: str, tiles: tuple[figures.Tile, ...]) -> Callable[..., None]:
    titles = ", ".join(t.title.lower() for t in tiles)

    @guarded
    def command(
        ctx: typer.Context,
        since: Annotated[str | None, typer.Option(help=SINCE_HELP)] = None,
        owner: Annotated[str | None, typer.Option(help="Only this person's records.")] = None,
        stage: Annotated[
            list[str] | None, typer.Option(help="Only deals in this stage (repeat for more).")
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Write it as JSON.")] = False,
        as_csv: Annotated[bool, typer.Option("--csv", help="Write it as CSV.")] = False,
        html: Annotated[
            Path | None, typer.Option(help="Write a page with charts to this file.")
        ] = None,
    ) -> None:
        if as_json and as_csv:
            raise CliError("choose one of --json and --csv")
        db = state(ctx).db()
        chosen = filters_from(since, owner, stage)
        found = figures.compute(db, tuple(t.key for t in tiles), chosen)
        if html is not None:
            _write_html(html, found, chosen, db)
        if as_json:
            from smallcrm.cli.output import write_json

            write_json([present.as_data(figure) for figure in found])
        elif as_csv:
            write_csv(found)
        elif html is None:
            write_text(found)

    about = ABOUT.get(name) or f"The {titles}"
    command.__doc__ = f"{about}: smallcrm report {name} --since 6m --owner ana"
    return command


def _write_html(path: Path, found: list[Figure], chosen: Filters, db: Database) -> None:
    """The page, by the export's rule for files: never over the database, its companions or
    backups, and moved into place only when complete (``-`` writes it to standard output)."""
    from smallcrm.cli.streams import is_stdout, output_stream
    from smallcrm.store.figures.page import page

    with output_stream(path, "--html", db) as out:
        out.write(page(found, chosen))
    if not is_stdout(path):
        sys.stderr.write(f"Wrote {path}\n")


def register(app: Any) -> None:
    """Add one subcommand per report of the tile list to ``smallcrm report``."""
    for name, tiles in figures.reports().items():
        app.command(name)(_command(name, tiles))
    app.command("all")(_command("all", figures.TILES))
