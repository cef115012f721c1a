"""The import screen's column mapping: each CSV column with a Select of the field it fills."""

from __future__ import annotations

from dataclasses import dataclass

from textual.containers import Horizontal
from textual.widgets import Label, Select, Static

from smallcrm.store.errors import StoreError
from smallcrm.store.io import FIELDS, ParsedFile

IGNORE = "-"  # The mapping's word for "this column fills no field".
NO_COLUMNS = "Read a CSV file to see its columns here."


@dataclass(frozen=True)
class MappedColumn:
    """One CSV column in the mapping form: its header and the field it fills (None: ignored)."""

    index: int
    header: str
    field: str | None


def parsed_columns(parsed: ParsedFile) -> list[MappedColumn]:
    """The columns of a file read, with the fields the automatic mapping chose."""
    mapping = parsed.details.get("mapping") or []
    return [MappedColumn(i, m["header"], m["field"]) for i, m in enumerate(mapping)]


def all_columns(
    path: str, kind: str | None, mapping: dict[str, str]
) -> tuple[str, list[MappedColumn]] | None:
    """Every column of a CSV file and the kind chosen, even when none maps to a field the kind
    needs (so the user can still choose); None when the header cannot be read."""
    from smallcrm.store.io.importing import csv_header
    from smallcrm.store.io.mapping import guess_kind, map_columns

    try:
        headers = csv_header(path)
        chosen = kind or guess_kind(headers)
        columns = map_columns(headers, chosen, mapping)
    except StoreError:
        return None
    mapped = [MappedColumn(c.index, c.header, c.field) for c in columns if c.role == "value"]
    return chosen, mapped


def note(text: str) -> Static:
    """A quiet line in the columns box in place of columns."""
    return Static(text, classes="import-note")


def column_rows(kind: str, columns: list[MappedColumn]) -> list[Horizontal]:
    """One row per column: its header, an arrow and a Select of the kind's fields."""
    options = [("(ignore)", IGNORE), *((f.replace("_", " "), f) for f in FIELDS[kind])]
    return [column_row(column, options) for column in columns]


def column_row(column: MappedColumn, options: list[tuple[str, str]]) -> Horizontal:
    """``Email 1 → email``: the header (cut short with a tooltip) and its field's Select."""
    select = Select(
        options,
        value=column.field or IGNORE,
        allow_blank=False,
        compact=True,
        id=f"map-{column.index}",
        classes="import-field",
    )
    label = Label(column.header, classes="import-header")
    label.tooltip = column.header
    return Horizontal(label, Static("→", classes="import-arrow"), select, classes="import-row")


def chosen_field(value: object) -> str | None:
    """The field a column's Select names (None: the column is ignored)."""
    return None if value in (IGNORE, Select.NULL) else str(value)
