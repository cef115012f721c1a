"""A date or date-and-time input that reads the store's grammar and echoes what it understood.

``tomorrow 3pm`` shows ``→ Thu 2026-11-26 15:00`` in the field's bottom border as you type, or
``✗`` and the reason when it cannot be read, so nobody saves a date they did not mean.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Literal

from textual.widgets import Input

from smallcrm.store import clock
from smallcrm.store.dates import (
    DATE_EXAMPLES,
    DATETIME_EXAMPLES,
    describe,
    parse_date,
    parse_datetime,
)
from smallcrm.store.errors import ValidationError

Mode = Literal["date", "datetime"]
PLACEHOLDERS: dict[str, str] = {
    # Short enough for a half-width field of a form at 80 columns.
    "date": "e.g. fri, in 3 days, 1.12.",
    "datetime": "e.g. fri 14:00, tomorrow 3pm, 15:00",
}


class DateField(Input):
    """An Input for a date (``mode="date"``) or a date and time (``mode="datetime"``)."""

    DEFAULT_CSS = """
    DateField {
        border-subtitle-align: left;
        border-subtitle-style: bold;
    }
    DateField.-invalid {
        border-subtitle-color: $error;
    }
    """

    def __init__(
        self,
        mode: Mode = "date",
        value: str = "",
        *,
        id: str | None = None,  # noqa: A002
        placeholder: str = "",
        field: str | None = None,
        required: bool = False,
        default_time: time = time(9, 0),
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        examples = DATE_EXAMPLES if mode == "date" else DATETIME_EXAMPLES
        super().__init__(
            value=value,
            placeholder=placeholder or PLACEHOLDERS[mode],
            id=id,
            classes=classes,
            disabled=disabled,
            tooltip=f"Type a {mode.replace('datetime', 'date and time')}: {examples}",
        )
        self.mode: Mode = mode
        self.field = field or id or mode
        self.required = required
        self.default_time = default_time

    def on_mount(self) -> None:
        """Echo the initial value."""
        self._echo()

    def watch_value(self, value: str) -> None:
        """Re-read and echo on every keystroke."""
        if self.is_mounted:
            self._echo()

    def _echo(self) -> None:
        if not self.value.strip():
            self.border_subtitle = "" if not self.required else "required"
            self.set_class(False, "-invalid")
            return
        try:
            parsed = self._parse()
        except ValidationError as exc:
            self.border_subtitle = "✗ " + exc.message
            self.set_class(True, "-invalid")
            return
        self.border_subtitle = "→ " + describe(parsed) if parsed is not None else ""
        self.set_class(False, "-invalid")

    def _parse(self) -> date | datetime | None:
        text = self.value.strip()
        if not text:
            if self.required:
                raise ValidationError(self.field, "is required")
            return None
        now = clock.now()
        if self.mode == "date":
            return parse_date(text, now, field=self.field)
        return parse_datetime(text, now, field=self.field, default_time=self.default_time)

    @property
    def value_date(self) -> date | None:
        """The date typed (None if empty and not required); ValidationError if unreadable."""
        parsed = self._parse()
        return parsed.date() if isinstance(parsed, datetime) else parsed

    @property
    def value_datetime(self) -> datetime | None:
        """The date and time typed, aware (a date alone gets ``default_time``)."""
        parsed = self._parse()
        if parsed is None or isinstance(parsed, datetime):
            return parsed
        now = clock.now()
        return datetime.combine(parsed, self.default_time, tzinfo=now.tzinfo)
