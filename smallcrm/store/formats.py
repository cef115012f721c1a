"""How values read for people: money, dates and times, phone numbers, tags, and text from the
data made safe to show on a terminal. The shell, the app and the history reader all format
through here, so a deal's amount or a date reads the same on every face.

Nothing depends on the machine's locale: Python's ``,`` format groups thousands with commas
and writes a decimal point whatever ``LC_NUMERIC`` says, and day names are English, so what
is printed reads back with the date grammar (``smallcrm.store.dates``) and a test that pins
an output pins it on every machine.

Money carries its currency code after the amount, in every style (``12,000.00 EUR``,
``12,000 EUR``): right-aligned columns then line up on the digits, and a code in one place is
what people scan for. Amounts are Decimals, formatted exactly.

Text that came from data (imports, notes, names typed anywhere) can hold control characters.
Written raw, ``ESC [31m`` recolours the terminal, ``ESC ] 0;...BEL`` retitles its window and
``ESC ] 52;c;...`` replaces the clipboard. :func:`printable` makes every such character
visible instead; the stored value is never changed.

Only the standard library and the store's clock are imported: the quick-add path uses this.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from smallcrm.store import clock

# --- text from the data on a terminal ------------------------------------------------------------

# C0 controls (U+0000-U+001F) and DEL read as Unicode's "control pictures" (ESC as ␛, BEL as ␇,
# NUL as ␀, DEL as ␡): one cell wide each, so table columns keep their widths. C1 controls
# (U+0080-U+009F: U+009B alone starts a CSI sequence on many terminals) and the bidirectional
# overrides and isolates (U+202A-U+202E, U+2066-U+2069, which reorder the text around them) have
# no pictures: they read as ``<U+009B>``.
_C0_PICTURES = {code: chr(0x2400 + code) for code in range(0x20)}
_C0_PICTURES[0x7F] = "\u2421"
_NAMED = {
    code: f"<U+{code:04X}>"
    for code in (*range(0x80, 0xA0), *range(0x202A, 0x202F), *range(0x2066, 0x206A))
}
_ONE_LINE = str.maketrans({**_C0_PICTURES, **_NAMED})
# Several lines: line feeds and tabs stay (they only move the cursor on), and so does the
# carriage return of a CRLF pair; a lone carriage return would let later text overwrite
# earlier text on the same line ("Paid\rUnpaid" shows as "Unpaid"), so it stays visible.
_MULTI_LINE = str.maketrans(
    {code: value for code, value in {**_C0_PICTURES, **_NAMED}.items() if code not in (9, 10, 13)}
)
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_LONE_CR = re.compile("\r(?!\n)")
# What JSON text may still hold raw: json.dumps escapes C0 but not DEL, C1 or the bidi controls.
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` with every control character made visible (see the module doc): ``Eve ␛[31mRed``.

    With ``keep_newlines`` (several lines of output: notes, messages) line feeds, tabs and the
    CR of CRLF stay as they are; otherwise they become visible too (``␊``, ``␉``, ``␍``).
    Text without such characters comes back unchanged (and at once).
    """
    if not _UNSAFE.search(text):
        return text
    if not keep_newlines:
        return text.translate(_ONE_LINE)
    return _LONE_CR.sub("\u240d", text.translate(_MULTI_LINE))


def is_printable(text: str) -> bool:
    """Whether ``text`` holds no control character at all (newlines and tabs included)."""
    return _UNSAFE.search(text) is None


def json_safe(json_text: str) -> str:
    """JSON text with DEL, C1 and bidi controls written as ``\\u`` escapes: the same data for
    a program that parses it, and nothing a terminal acts on for a person who reads it."""
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", json_text)


# --- money ---------------------------------------------------------------------------------------


def money(amount: Decimal, currency: str | None = None) -> str:
    """A full amount: ``12,000.00 EUR`` (``12,000.00`` without a currency)."""
    return _with_currency(f"{amount:,.2f}", currency)


def money_compact(amount: Decimal, currency: str | None = None) -> str:
    """An amount for narrow places (cards, the pipeline): ``12,000 EUR``, cents only when there
    are any (``12,000.50 EUR``)."""
    whole = amount == amount.to_integral_value()
    return _with_currency(f"{amount:,.0f}" if whole else f"{amount:,.2f}", currency)


def money_abbreviated(amount: Decimal) -> str:
    """``950``, ``12.5k``, ``3.2M``: totals that fit a column header."""
    steps = ((Decimal(10) ** 9, "G"), (Decimal(10) ** 6, "M"), (Decimal(1000), "k"))
    for factor, suffix in steps:
        # 999,950 rounds to 1000.0k: count it as the next unit up (1M) instead.
        if abs(amount) >= factor * Decimal("0.99995"):
            scaled = f"{amount / factor:.1f}".rstrip("0").rstrip(".")
            return scaled + suffix
    return f"{amount:,.0f}"


def cents(value: int) -> str:
    """An amount kept in cents as money: ``1600000`` -> ``16,000.00``."""
    return money(Decimal(value) / 100)


def _with_currency(text: str, currency: str | None) -> str:
    return f"{text} {currency}" if currency else text


# --- dates and times -----------------------------------------------------------------------------

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def describe(value: date | datetime) -> str:
    """A date, or a date and time as given: ``Fri 2026-11-27`` or ``Fri 2026-11-27 14:00``.

    Names are always English (independent of the locale) and the result reads back with the
    date grammar's ``parse_date`` / ``parse_datetime`` in the same zone.
    """
    day_ = value.date() if isinstance(value, datetime) else value
    text = f"{_DAYS[day_.weekday()]} {day_.isoformat()}"
    if isinstance(value, datetime):
        text += f" {value.hour:02d}:{value.minute:02d}"
    return text


def when(value: date | datetime | None) -> str:
    """A stored time in the local zone (``Fri 2026-11-27 14:00``) or a date
    (``Fri 2026-11-27``); empty for None."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return describe(clock.local(value))
    return describe(value)


def day(value: date | datetime | None) -> str:
    """The (local) day alone: ``Fri 2026-11-27``; empty for None."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return describe(clock.local(value).date())
    return describe(value)


def short_day(value: date | datetime | None) -> str:
    """``2026-11-27`` (the local day of a stored time), for narrow columns; empty for None."""
    if value is None:
        return ""
    return (clock.local(value).date() if isinstance(value, datetime) else value).isoformat()


def short_when(value: datetime | None) -> str:
    """``2026-11-27 14:00`` in the local zone, for narrow columns; empty for None."""
    return clock.local(value).strftime("%Y-%m-%d %H:%M") if value else ""


# --- phone numbers and tags ----------------------------------------------------------------------


def phone(value: str | None, pretty: bool = True) -> str:
    """A stored E.164 number formatted for reading (``+49 30 1234567``), or as stored when not
    ``pretty`` (formatting costs the phonenumbers metadata, 25 ms on first use)."""
    if not value:
        return ""
    if not pretty:
        return value
    from smallcrm.store.validate import format_phone

    return format_phone(value)


def tags(values: Iterable[str]) -> str:
    """``#vip #berlin``."""
    return " ".join(f"#{t}" for t in values)


def unnamed(title: str, who: str | None) -> str:
    """``who``, or nothing when the title names them already ("Call with Jana Novak")."""
    if not who or who.casefold() in title.casefold():
        return ""
    return who


def with_whom(title: str, who: str | None) -> str:
    """``with Jana Novak``, or nothing when there is no one or the title names them already
    ("Call with Jana Novak" must not read "Call with Jana Novak with Jana Novak")."""
    who = unnamed(title, who)
    return f"with {who}" if who else ""
