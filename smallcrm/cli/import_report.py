"""How ``smallcrm import`` shows its outcome: the summary, the problems and warnings, the
``--dry-run`` preview (how the columns are read, what each record would do) and ``--json``."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from smallcrm.cli.context import err

if TYPE_CHECKING:
    from smallcrm.store.io import ImportReport, Problem

SHOWN_WARNINGS = 50  # more would bury the summary; --json has them all
ACTIONS = {"created": "create", "updated": "update", "unchanged": "skip", "invalid": "invalid"}


def _records(count: int) -> str:
    return f"{count} record" + ("" if count == 1 else "s")


def invalid(count: int) -> str:
    """``1 record is invalid``, ``2 records are invalid``."""
    return f"{_records(count)} {'is' if count == 1 else 'are'} invalid"


def _problem_lines(problems: tuple[Problem, ...] | list[Problem]) -> list[str]:
    return [f"  {problem}" for problem in problems]


def rejection(report: ImportReport) -> str:
    """Why an import was refused as a whole: the problems, then how to go on."""
    good = report.total - report.invalid
    lines = [f"{report.invalid} of {invalid(report.total)}, so nothing was imported:"]
    lines += _problem_lines(report.problems)
    if good:
        lines.append(f"Fix them, or import the {good} good ones with --skip-invalid.")
    else:
        lines.append("Fix them and import the file again.")
    return "\n".join(lines)


def write_report(report: ImportReport) -> None:
    """An import's outcome for people: the preview of a dry run, problems, the summary."""
    if report.dry_run:
        _write_preview(report)
    if report.problems and not report.dry_run:
        err(f"Skipped {_records(report.invalid)} (invalid):")
        for line in _problem_lines(report.problems):
            err(line)
    elif report.problems and report.total > len(report.rows):
        # The preview table shows the first rows only: list every problem.
        err(f"Invalid ({_records(report.invalid)}):")
        for line in _problem_lines(report.problems):
            err(line)
    _write_warnings(report.warnings)
    print(report.summary())
    if report.duplicates:
        kinds = {d.kind for d in report.duplicates}
        commands = [
            command
            for kind, command in (
                ("contact", "smallcrm duplicates"),
                ("account", "smallcrm duplicates --accounts"),
            )
            if kind in kinds
        ]
        print(f"Review the possible duplicates with: {' and '.join(commands)}")
    if report.committed and report.batch_id:
        print(f"Undo it with: smallcrm import undo {report.batch_id}")


def _write_warnings(warnings: tuple[Problem, ...]) -> None:
    if not warnings:
        return
    err("Warnings:")
    for line in _problem_lines(warnings[:SHOWN_WARNINGS]):
        err(line)
    if len(warnings) > SHOWN_WARNINGS:
        err(f"  ... and {len(warnings) - SHOWN_WARNINGS} more (--json lists them all)")


def _write_preview(report: ImportReport) -> None:
    """A dry run: how the columns are read, then what each record would do."""
    from smallcrm.cli import views
    from smallcrm.cli.output import Column, is_terminal, write_table

    columns = [c for c in report.details.get("columns") or () if not c.endswith("(ignored)")]
    if columns:
        print("Columns (header -> field):")
        for text in columns:
            print(f"  {text}")
        ignored = report.details.get("unmapped") or []
        if ignored:
            print(f"Ignored columns: {', '.join(ignored)}")
        print('Change how a column is read with --map "HEADER=field".\n')
    table = (
        Column("Where", 18),
        Column("Action", 8),
        Column("Kind", 11),
        Column("Record", 36),
        Column("Details", 60),
    )
    rows = [
        [
            row.where,
            ACTIONS.get(row.action, row.action),
            views.shell_kind(row.kind),
            row.label,
            _row_details(row),
        ]
        for row in report.rows
    ]
    write_table(table, rows, terminal=is_terminal(sys.stdout))
    if report.total > len(report.rows):
        print(f"... and {report.total - len(report.rows)} more records not shown")


def _row_details(row: Any) -> str:
    from smallcrm.cli import views

    record = f"{views.shell_kind(row.kind)} {row.record_id}" if row.record_id else ""
    how = f" ({row.reason})" if row.reason else ""  # how it was found: "same email x"
    if row.action == "updated":
        return f"{record}{how}: {', '.join(row.changed)}" if row.changed else record + how
    if row.action == "unchanged":
        return f"unchanged ({record})" if record else "unchanged"
    if row.action == "invalid":
        return (row.reason or "").removeprefix(f"{row.where}: ")
    return row.reason or ""  # created: what it may duplicate


def report_json(report: ImportReport) -> dict[str, Any]:
    """An import's outcome for scripts."""
    from smallcrm.cli import views

    def problem(p: Problem) -> dict[str, Any]:
        return {"where": p.where, "line": p.line, "field": p.field, "reason": p.reason}

    return {
        "source": report.source,
        "format": report.file_format,
        "kind": views.shell_kind(report.kind),
        "dry_run": report.dry_run,
        "committed": report.committed,
        "batch": report.batch_id,
        "total": report.total,
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "invalid": report.invalid,
        "linked_created": {views.shell_kind(k): n for k, n in report.linked_created.items()},
        "possible_duplicates": [
            {
                "where": d.where,
                "kind": views.shell_kind(d.kind),
                "id": d.record_id,
                "label": d.label,
                "other_id": d.other_id,
                "reason": d.reason,
            }
            for d in report.duplicates
        ],
        "problems": [problem(p) for p in report.problems],
        "warnings": [problem(p) for p in report.warnings],
        "rows": [
            {
                "where": row.where,
                "action": row.action,
                "kind": views.shell_kind(row.kind),
                "label": row.label,
                "id": row.record_id,
                "changed": list(row.changed),
                "reason": row.reason,
            }
            for row in report.rows
        ],
        "columns": report.details.get("mapping"),
        "seconds": report.seconds,
    }


def write_report_json(report: ImportReport) -> None:
    """An import's outcome as one JSON object on standard output."""
    from smallcrm.cli.output import write_json

    write_json(report_json(report))
