"""smallcrm's JSON: records of one kind, written as a stream and read back.

A file is ``{"format": "smallcrm", "version": 1, "kind": "contact", "exported_at": ...,
"records": [...]}`` with one object per record, keys sorted, dates in ISO 8601. Reading also
takes a bare list of objects, and objects whose keys are another program's column names (they
are mapped like CSV headers).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any, TextIO

from smallcrm.store.errors import ValidationError
from smallcrm.store.formats import json_safe

from .columns import to_json
from .common import KINDS, Problem, importable_kind, plural
from .convert import Fields, Item
from .json_stream import RECORDS, JsonText, members
from .mapping import map_columns
from .parsed import ParsedFile, SourceRecord
from .values import method_label

FORMAT = "smallcrm"
VERSION = 1


def write_json(
    out: TextIO, kind: str, records: Iterable[Mapping[str, Any]], exported_at: datetime
) -> int:
    """Stream records of one kind as smallcrm JSON; returns how many were written."""
    head = {"exported_at": exported_at.isoformat(), "format": FORMAT, "kind": kind}
    out.write(json.dumps(head, ensure_ascii=False)[:-1])
    out.write(f', "version": {VERSION}, "records": [')
    count = 0
    for record in records:
        out.write(",\n" if count else "\n")
        out.write(dumps(record))
        count += 1
    out.write("\n]}\n")
    return count


def dumps(value: Any) -> str:
    """One JSON value with sorted keys and ISO dates; control characters as ``\\u`` escapes
    (json leaves DEL, C1 and bidi controls raw), so the file is safe to look at in a terminal."""
    return json_safe(json.dumps(value, ensure_ascii=False, sort_keys=True, default=to_json))


def loads(text: str) -> Any:
    """Parse JSON, or raise ValidationError saying where it is broken."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationError(
            "file", f"line {exc.lineno} column {exc.colno}: not valid JSON ({exc.msg})"
        ) from None
    except RecursionError:
        raise ValidationError("file", "is nested too deeply to be smallcrm JSON") from None


def read_json(text: str, kind: str | None = None) -> ParsedFile:
    """The records of a smallcrm JSON file (or a list of objects) as import records, as a list
    (``stream_json`` reads a file without holding its records)."""
    parsed = stream_json(lambda: iter([text]), kind)
    parsed.records = list(parsed.records)
    return parsed


def stream_json(pieces: Callable[[], Iterator[str]], kind: str | None = None) -> ParsedFile:
    """The records of a JSON file read one by one from ``pieces()`` (its text from the start,
    in pieces, each time it is called): once for the fields the records use, which decide how
    each is read, then for the records themselves."""
    text = JsonText(pieces())
    outer = text.peek()
    top: dict[str, Any] = {}
    keys: dict[str, None] = {}  # the records' fields in the order first seen
    scalar: Any = None
    for name, value in members(text):
        if name is not None:
            top[name] = [] if value is RECORDS else value
        elif outer not in "[{":
            scalar = value
        elif isinstance(value, dict):
            keys.update((str(k), None) for k in value)
    shape = [] if outer == "[" else top if outer == "{" else scalar
    kind = _records_and_kind(shape, kind)[1]
    columns = {c.header: c for c in map_columns(list(keys), kind)}
    details = {"columns": [c.describe() for c in columns.values() if c.field]}
    return ParsedFile("json", kind, _records_of(pieces, columns, kind), details)


def _records_of(
    pieces: Callable[[], Iterator[str]], columns: Mapping[str, Any], kind: str
) -> Iterator[SourceRecord]:
    number = 0
    for name, record in members(JsonText(pieces())):
        if name is not None:
            continue
        number += 1
        where = f"record {number}"
        if not isinstance(record, dict):
            problem = Problem(where, f"is {type(record).__name__}, not an object")
            yield SourceRecord(number, where, None, kind, None, problem)
            continue
        yield SourceRecord(number, where, None, kind, _fields(record, columns), None)


def _records_and_kind(data: Any, kind: str | None) -> tuple[list[Any], str]:
    if isinstance(data, list):
        if kind is None:
            raise ValidationError(
                "kind", "a JSON list does not say what it holds; give the kind (contacts, ...)"
            )
        return data, kind
    if not isinstance(data, dict) or not isinstance(data.get("records"), list):
        raise ValidationError(
            "file", 'is not smallcrm JSON: expected {"format": "smallcrm", "records": [...]}'
        )
    stated = data.get("kind")
    found = importable_kind(str(stated), field_name="kind") if stated else None
    if found and kind and found != kind:
        raise ValidationError("kind", f"the file holds {plural(found)}, not {plural(kind)}")
    chosen = kind or found
    if chosen not in KINDS:
        raise ValidationError("kind", "the file does not say what it holds; give the kind")
    return data["records"], chosen


def _fields(record: Mapping[str, Any], columns: Mapping[str, Any]) -> Fields:
    fields: Fields = {}
    for key, value in record.items():
        column = columns.get(str(key))
        if column is None or column.field is None or value is None:
            continue
        for item in _items(column.field, value, column.label):
            fields.setdefault(column.field, []).append(item)
    return fields


def _items(field: str, value: Any, label: str | None) -> list[Item]:
    if isinstance(value, dict):
        if "value" in value:
            return [Item(str(value["value"]), method_label(str(value.get("label") or "")) or label)]
        return []
    if isinstance(value, list):
        if field in ("tags", "exdates", "rdates"):
            return [Item([str(v) for v in value if v is not None])]
        return [item for v in value if v is not None for item in _items(field, v, label)]
    if isinstance(value, bool | int | float):
        return [Item(value, label)]
    text = str(value)
    return [Item(text, label)] if text.strip() else []
