"""How long something lasts, typed as a length (``1h30``) or as its end (``15:30``, ``fri 16:00``).

The field echoes what it understood in its bottom border (``→ 1h 30m, until 15:30``), like
DateField, and reads with the store's one grammar (``smallcrm.store.dates``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from textual.widgets import Input

from smallcrm.store.dates import DURATION_EXAMPLES, describe, parse_datetime, parse_duration
from smallcrm.store.errors import ValidationError


def length_text(length: timedelta) -> str:
    """``45m``, ``1h 30m``, ``2d``, ``1d 2h``."""
    minutes = int(length.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [f"{n}{unit}" for n, unit in ((days, "d"), (hours, "h"), (minutes, "m")) if n]
    return " ".join(parts) or "0m"


def read_end(text: str, start: datetime, field: str = "duration") -> datetime | None:
    """The end meant by ``text``: start plus a length, or an end time (on the start's day).

    Empty text means no end. Raises ValidationError naming ``field`` when neither reads.
    """
    if not text.strip():
        return None
    try:
        return start + parse_duration(text, field=field)
    except ValidationError:
        pass  # not a length: maybe an end time
    try:
        end = parse_datetime(text, start, field=field, default_time=start.timetz())
    except ValidationError:
        raise ValidationError(
            field,
            f"could not read {text.strip()!r} as a length ({DURATION_EXAMPLES.rstrip('.')}) "
            "or as an end time like 15:30",
        ) from None
    if end <= start:
        raise ValidationError(field, f"ends at {describe(end)}, which is not after the start")
    return end


class DurationField(Input):
    """A length or an end time; :meth:`echo` shows what it means for a given start."""

    DEFAULT_CSS = """
    DurationField {
        border-subtitle-align: left;
        border-subtitle-style: bold;
    }
    DurationField.-invalid {
        border-subtitle-color: $error;
    }
    """

    def echo(self, start: datetime | None) -> None:
        """Show ``→ 1h 30m, until 15:30`` (or why the text cannot be read)."""
        if not self.value.strip() or start is None:
            self.border_subtitle = ""
            self.set_class(False, "-invalid")
            return
        try:
            end = self.end_for(start)
        except ValidationError as exc:
            self.border_subtitle = "✗ " + exc.message
            self.set_class(True, "-invalid")
            return
        if end is not None:
            until = end.strftime("%H:%M") if end.date() == start.date() else describe(end)
            self.border_subtitle = f"→ {length_text(end - start)}, until {until}"
        self.set_class(False, "-invalid")

    def end_for(self, start: datetime) -> datetime | None:
        """The end for ``start`` (None when empty); ValidationError when unreadable."""
        return read_end(self.value, start, field=self.id or "duration")
