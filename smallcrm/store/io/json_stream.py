"""Reading a JSON file's records one at a time: never the whole file as one Python value.

smallcrm JSON is ``{"format": ..., "kind": ..., "records": [...]}`` or a plain list of
objects. ``Members`` walks the top level of such a file: each member of the outer object (or
the outer list itself) is read with the standard decoder, except the records' list, whose
elements are handed out one by one. The text comes in pieces and is kept only from the value
being read on, so a file of a million records takes the memory of one of them. Errors say where
they are, as ``json.loads`` does (``line 3 column 7``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, NoReturn

from smallcrm.store.errors import ValidationError

_DECODER = json.JSONDecoder()
_SPACE = " \t\n\r"
KEEP = 1 << 20  # characters of text already read kept before the buffer is trimmed
LONGEST = 1 << 26  # characters one value may take before an error in it is believed


class JsonText:
    """JSON text read from pieces, with the position of the next character."""

    def __init__(self, pieces: Iterator[str]) -> None:
        self.pieces = pieces
        self.text = ""
        self.pos = 0
        self.lines = 0  # line breaks in the text trimmed off so far
        self.column_base = 0  # characters since the last line break trimmed off
        self.ended = False

    def _more(self) -> bool:
        if self.ended:
            return False
        piece = next(self.pieces, None)
        if piece is None:
            self.ended = True
            return False
        if self.pos > KEEP:
            done = self.text[: self.pos]
            breaks = done.count("\n")
            self.lines += breaks
            self.column_base = (
                len(done) - done.rfind("\n") - 1 if breaks else self.column_base + len(done)
            )
            self.text, self.pos = self.text[self.pos :], 0
        self.text += piece
        return True

    def peek(self) -> str:
        """The next character that is not white space ("" at the end)."""
        while True:
            while self.pos < len(self.text) and self.text[self.pos] in _SPACE:
                self.pos += 1
            if self.pos < len(self.text):
                return self.text[self.pos]
            if not self._more():
                return ""

    def expect(self, chars: str, what: str) -> str:
        """The next character, which must be one of ``chars``."""
        char = self.peek()
        if char == "" or char not in chars:
            self.fail(f"Expecting {what}", self.pos)
        self.pos += 1
        return char

    def value(self) -> Any:
        """The next JSON value."""
        self.peek()
        while True:
            try:
                value, end = _DECODER.raw_decode(self.text, self.pos)
            except json.JSONDecodeError as exc:
                if len(self.text) - self.pos < LONGEST and self._more():
                    continue  # the value may go on in the next piece
                self.fail(exc.msg, exc.pos)
            except RecursionError:
                raise ValidationError("file", "is nested too deeply to be smallcrm JSON") from None
            if end == len(self.text) and isinstance(value, int | float) and self._more():
                continue  # a number may go on in the next piece
            self.pos = end
            return value

    def fail(self, message: str, pos: int) -> NoReturn:
        """Raise the error for ``message`` at position ``pos`` of the text."""
        before = self.text[:pos]
        breaks = before.count("\n")
        column = pos - before.rfind("\n") if breaks else self.column_base + pos + 1
        raise ValidationError(
            "file", f"line {self.lines + breaks + 1} column {column}: not valid JSON ({message})"
        )


def members(text: JsonText) -> Iterator[tuple[str | None, Any]]:
    """The top level of a JSON text: ``(name, value)`` for each member of an outer object,
    except that the value of ``records`` (when it is a list) is ``RECORDS`` and its elements
    follow as ``(None, element)``; for an outer list, ``(None, element)`` for each element."""
    first = text.peek()
    if first == "[":
        yield from _elements(text)
    elif first == "{":
        text.pos += 1
        if text.peek() == "}":
            text.pos += 1
        else:
            while True:
                if text.peek() != '"':
                    text.fail("Expecting property name enclosed in double quotes", text.pos)
                name = text.value()
                text.expect(":", "':' delimiter")
                if name == "records" and text.peek() == "[":
                    yield name, RECORDS
                    yield from _elements(text)
                else:
                    yield name, text.value()
                if text.expect(",}", "',' delimiter") == "}":
                    break
    else:
        yield None, text.value()
    if text.peek():
        text.fail("Extra data", text.pos)


def _elements(text: JsonText) -> Iterator[tuple[None, Any]]:
    text.expect("[", "'['")
    if text.peek() == "]":
        text.pos += 1
        return
    while True:
        yield None, text.value()
        if text.expect(",]", "',' delimiter") == "]":
            return


RECORDS = object()  # stands for the records' list in ``members``
