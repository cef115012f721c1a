"""The import screen's words: what a file is, and what a dry run or an import found."""

from __future__ import annotations

from textual.content import Content

from smallcrm.store.io import ImportReport, ParsedFile
from smallcrm.store.io.common import plural
from smallcrm.widgets.text import assemble

FORMAT_NAMES = {"csv": "CSV", "vcard": "vCard", "ics": "iCalendar", "json": "smallcrm JSON"}
DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
PREVIEW_LINES = 200  # Problems and updates listed; the counts cover every row.
STOPPED = {
    "preview": "Stopped checking the file. Press Enter in File to check it again.",
    "import": "Stopped: nothing of the file was imported.",
    "undo": "Stopped: the import is not undone.",
}


def kind_word(kind: str, count: int = 2) -> str:
    """``contacts``, ``deal``: the CRM's word for a kind of record."""
    return plural(kind, count)


def describe_file(parsed: ParsedFile) -> str:
    """``CSV · utf-8 · comma · 5 contacts · 10 of 31 columns ignored``."""
    details = parsed.details
    parts = [FORMAT_NAMES.get(parsed.file_format, parsed.file_format)]
    if details.get("encoding"):
        parts.append(str(details["encoding"]))
    delimiter = details.get("delimiter")
    if delimiter:
        parts.append(f"delimiter {DELIMITERS.get(delimiter, repr(delimiter))}")
    if isinstance(parsed.records, list):  # a preview reads them all; an import streams them
        count = len(parsed.records)
        parts.append(f"{count:,} {kind_word(parsed.kind, count)}")
    mapping = details.get("mapping")
    if mapping:
        ignored = sum(1 for column in mapping if not column["field"])
        parts.append(f"{ignored} of {len(mapping)} columns ignored")
    return " · ".join(parts)


def preview_lines(report: ImportReport, *, skip_invalid: bool) -> list[Content]:
    """What the dry run found: counts, then each bad row, note and update with its line."""
    verb, update = ("Would create", "update") if report.dry_run else ("Created", "updated")
    noun = kind_word(report.kind, report.created)
    lines = [
        assemble(
            (
                f"{verb} {report.created:,} {noun}, {update} {report.updated:,}, "
                f"{report.unchanged:,} unchanged",
                "bold",
            ),
            (f" · {report.invalid:,} bad" if report.invalid else "", "bold $error"),
        )
    ]
    for kind, count in report.linked_created.items():
        lines.append(Content(f"{count:,} {kind_word(kind, count)} created on the way"))
    if report.problems:
        advice = (
            "skipped (Skip bad rows is ticked)"
            if skip_invalid
            else "nothing is imported while there are any: fix the file, or tick Skip bad rows"
        )
        lines.append(assemble(("Bad rows: ", "bold $error"), advice))
        lines += [_problem_line(p.where, p.field, p.reason) for p in report.problems]
    if report.warnings:
        lines.append(Content.styled("Notes (imported, but look at these):", "bold"))
        lines += [_problem_line(p.where, p.field, p.reason) for p in report.warnings]
    updates = [row for row in report.rows if row.action in ("update", "updated")]
    if updates:
        lines.append(Content.styled("Updates (matched by email, phone or external id):", "bold"))
        lines += [
            assemble((f"{row.where:<9}", "dim"), f"{row.label}: {', '.join(row.changed)}")
            for row in updates
        ]
    if len(lines) > PREVIEW_LINES:
        more = len(lines) - PREVIEW_LINES
        lines = [*lines[:PREVIEW_LINES], Content.styled(f"… and {more:,} more lines", "italic")]
    return lines


def imported_lines(report: ImportReport) -> list[Content]:
    """After an import: what was done and how to take it back, then what it found."""
    lines = preview_lines(report, skip_invalid=True)
    lines[:0] = [
        assemble(
            ("✓ ", "bold $success"),
            (f"Imported {report.source} as import {report.batch_id}", "bold"),
            f" in {duration(report.seconds)}.",
        ),
        Content("u undoes it now; Ctrl+O lists past imports to undo it later."),
    ]
    return lines


def duration(seconds: float) -> str:
    """``850 ms``, ``12.4 s``."""
    return f"{seconds * 1000:,.0f} ms" if seconds < 1 else f"{seconds:,.1f} s"


def _problem_line(where: str, field_name: str | None, reason: str) -> Content:
    what = f"{field_name}: {reason}" if field_name else reason
    return assemble((f"{where:<9}", "dim"), " ", what)
