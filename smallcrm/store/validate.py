"""Validation and normalisation of what users type. Every failure names the field.

The heavy validators (phonenumbers, email-validator) are imported on first use, so a command that
never sees an email does not pay for them.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from smallcrm.store.errors import ValidationError
from smallcrm.store.records import ContactMethod

INTERACTION_KINDS = ("call", "email", "meeting", "note", "visit")
DIRECTIONS = ("inbound", "outbound")
METHOD_LABELS = ("work", "home", "mobile", "other")
_TAG = re.compile(r"[^\w\-/.&+]+", re.UNICODE)
_CURRENCY = re.compile(r"^[A-Z]{3}$")
# The dates a record may carry. A year like 0001 is a slip of the keyboard, not a meeting, and
# before 1900 SQLite's text timestamps and some time zones' offsets misbehave; the calendar ends
# with 9999-12-31, whose instants must still have a UTC form (the store keeps UTC).
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(9999, 12, 31)
DAY_RANGE = "dates go from 1900-01-01 to 9999-12-31"
# A list "until" this day or later has no end.
OPEN_END = date(9999, 12, 30)
# The largest id (and count) a database integer holds: SQLite's are signed 64-bit numbers.
MAX_ID = 2**63 - 1
_WEBSITE = re.compile(r"^(https?://)?([\w-]+\.)+[\w-]{2,}(/\S*)?$", re.IGNORECASE | re.UNICODE)


def text(field: str, value: Any, *, required: bool = False, max_length: int = 300) -> str | None:
    """A trimmed single-line text; empty becomes None unless required."""
    if value is None:
        cleaned = ""
    elif isinstance(value, str):
        cleaned = " ".join(value.replace("\x00", "").split())
    else:
        raise ValidationError(field, f"expected text, got {type(value).__name__}")
    if not cleaned:
        if required:
            raise ValidationError(field, "is required and cannot be empty")
        return None
    if len(cleaned) > max_length:
        raise ValidationError(field, f"is {len(cleaned)} characters long; at most {max_length}")
    return cleaned


def long_text(field: str, value: Any, *, max_length: int = 20_000) -> str | None:
    """Free text (notes, bodies) keeping its line breaks, each one ``\\n`` (Windows files and
    quoted-printable vCards bring CRLF, old Macs CR); empty becomes None."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValidationError(field, f"expected text, got {type(value).__name__}")
    cleaned = value.replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if len(cleaned) > max_length:
        raise ValidationError(field, f"is {len(cleaned)} characters long; at most {max_length}")
    return cleaned or None


def choice(
    field: str, value: Any, allowed: tuple[str, ...], *, required: bool = True
) -> str | None:
    """One of a fixed list of words (case-insensitive; a unique prefix is accepted)."""
    word = (value or "").strip().lower() if isinstance(value, str) else value
    if not word:
        if required:
            raise ValidationError(field, f"is required; one of {', '.join(allowed)}")
        return None
    if word in allowed:
        return word
    matches = [item for item in allowed if item.startswith(str(word))]
    if len(matches) == 1:
        return matches[0]
    raise ValidationError(field, f"{value!r} is not one of {', '.join(allowed)}")


# A plain ASCII address (dot-atom local part, letters-only top-level domain) that
# email-validator accepts unchanged; anything else goes through email-validator itself.
_PLAIN_EMAIL = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@((?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63})",
    re.ASCII,
)
# email-validator's special-use domains (RFC 6761), refused for real addresses.
_SPECIAL_USE_DOMAINS = ("arpa", "invalid", "local", "localhost", "onion", "test")


def plain_email(raw: str) -> str | None:
    """The normalised form of a plain ASCII address, or None when it needs email-validator.

    Importing email-validator costs about 20 ms (its Unicode patterns are compiled on import),
    a tenth of a shell quick-add; most addresses are plain and need none of it. A test checks
    this agrees with email-validator.
    """
    match = _PLAIN_EMAIL.fullmatch(raw)
    if match is None or len(raw) > 254 or "--" in match[1]:
        return None
    domain = match[1].lower()
    if any(domain == name or domain.endswith("." + name) for name in _SPECIAL_USE_DOMAINS):
        return None
    return raw.lower()


def email(field: str, value: str) -> str:
    """An email address in normalised form (domain lower-cased); deliverability is not checked."""
    raw = (value or "").strip()
    if not raw:
        raise ValidationError(field, "is empty; expected an address like jana@example.com")
    plain = plain_email(raw)
    if plain is not None:
        return plain
    from email_validator import EmailNotValidError, validate_email

    try:
        result = validate_email(raw, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValidationError(field, f"{raw!r} is not a valid email address: {exc}") from None
    return result.normalized.lower()


def phone_region() -> str | None:
    """The region assumed for phone numbers typed without +country code (None: unknown)."""
    from smallcrm.store import settings

    return settings.phone_region()


# An extension after the number: ";ext=12" (RFC 3966), "x12", "ext. 12", "extension 12",
# "Durchwahl 12", "#12" or Apple's ",12" (a pause, then the extension).
_EXTENSION = re.compile(
    r"\s*(?:;\s*ext\s*=|,+|#|"
    r"(?<![^\W\d_])(?:x|ext|extn|extension|durchwahl|dw|poste)(?![^\W\d_])\.?:?)"
    r"\s*(\d{1,10})\s*$",
    re.IGNORECASE,
)


def phone(field: str, value: str, region: str | None = None) -> str:
    """A phone number in E.164 form (``+493012345678``), with its extension if it has one
    (``+12125550100;ext=12``, as RFC 3966 writes it)."""
    import phonenumbers

    raw = (value or "").strip()
    if not raw:
        raise ValidationError(field, "is empty; expected a number like +49 30 1234567")
    main, extension = raw, ""
    if found := _EXTENSION.search(raw):
        main, extension = raw[: found.start()].strip(), found[1]
    region = region or phone_region()
    try:
        # Letters are a typo here, not a vanity number (phonenumbers would map them to digits).
        number = None if re.search(r"[^\W\d_]", main) else phonenumbers.parse(main, region)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        if region is None and not raw.startswith(("+", "00")):
            raise ValidationError(
                field,
                f"{raw!r} has no country code and no region is set; write it as +49 30 1234567, "
                "or set your region once: smallcrm config set phone_region DE",
            )
        raise ValidationError(
            field,
            f"{raw!r} is not a phone number; write it with its country code (+49 30 1234567) "
            f"or as a number of region {region}",
        )
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return f"{e164};ext={extension}" if extension else e164


def format_phone(e164: str) -> str:
    """A stored E.164 number formatted for reading (+49 30 1234567, +1 212-555-0100 ext. 12)."""
    import phonenumbers

    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def website(field: str, value: Any) -> str | None:
    """A web address; ``acme.example`` is accepted as is."""
    cleaned = text(field, value, max_length=300)
    if cleaned is None:
        return None
    if not _WEBSITE.match(cleaned):
        raise ValidationError(field, f"{cleaned!r} is not a web address like acme.example")
    return cleaned


def tags(field: str, value: Any) -> str:
    """Tags as one normalised, space-separated, lower-case string without repeats."""
    if value is None:
        return ""
    if isinstance(value, list | tuple | set):
        items = list(value)
    else:
        raw = str(value)
        items = re.split(r"[,;]" if re.search(r"[,;]", raw) else r"\s+", raw)
    seen: list[str] = []
    for item in items:
        tag = _TAG.sub("-", str(item).strip().lower()).strip("-")
        if tag and tag not in seen:
            seen.append(tag)
    joined = " ".join(seen)
    if len(joined) > 1000:
        raise ValidationError(field, "are too long together; at most 1000 characters")
    return joined


def amount_cents(field: str, value: Any) -> int:
    """A money amount (``12000``, ``12,000.50``, ``12k``) as whole cents; not negative."""
    if value is None or value == "":
        return 0
    if isinstance(value, int):
        number = Decimal(value)
    else:
        raw = str(value).strip().replace("_", "").replace(" ", "")
        factor = Decimal(1)
        if raw[-1:].lower() in ("k", "m"):
            factor = Decimal(1000) if raw[-1].lower() == "k" else Decimal(1_000_000)
            raw = raw[:-1]
        if re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?", raw):
            raw = raw.replace(",", "")
        elif re.fullmatch(r"\d+,\d{1,2}", raw):
            raw = raw.replace(",", ".")
        try:
            number = Decimal(raw) * factor
        except InvalidOperation:
            raise ValidationError(
                field, f"{value!r} is not an amount; write it like 12000, 12,000.50 or 12k"
            ) from None
    if not number.is_finite() or number < 0:
        raise ValidationError(field, f"{value!r} must be zero or more")
    if number >= Decimal(10) ** 13:
        raise ValidationError(field, f"{value!r} is too large")
    return int((number * 100).quantize(Decimal(1)))


def currency(field: str, value: Any) -> str:
    """An ISO 4217 currency code such as EUR or USD."""
    code = (str(value or "")).strip().upper()
    if not _CURRENCY.match(code):
        raise ValidationError(field, f"{value!r} is not a currency code like EUR or USD")
    return code


def whole_number(
    field: str, value: Any, *, low: int, high: int, required: bool = False
) -> int | None:
    """A whole number within bounds, from an int or its text."""
    if value is None or value == "":
        if required:
            raise ValidationError(field, f"is required; a whole number from {low} to {high}")
        return None
    try:
        number = int(str(value).strip().rstrip("%"))
    except ValueError:
        raise ValidationError(field, f"{value!r} is not a whole number") from None
    if not low <= number <= high:
        raise ValidationError(field, f"{number} is out of range; from {low} to {high}")
    return number


def day(field: str, value: Any) -> date | None:
    """A date within ``FIRST_DAY`` and ``LAST_DAY`` (None stays None)."""
    if value is None:
        return None
    if not isinstance(value, date):
        raise ValidationError(field, "must be a date")
    _within_range(field, value.date() if isinstance(value, datetime) else value)
    return value


def moment(field: str, value: Any) -> datetime | None:
    """A time zone aware date and time within ``FIRST_DAY`` and ``LAST_DAY`` (None stays None)."""
    if value is None:
        return None
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise ValidationError(field, "must be a date and time with a time zone")
    _within_range(field, value.date())
    try:
        value.astimezone(UTC)
    except OverflowError:
        raise ValidationError(
            field, f"{value.isoformat()} is out of range: {DAY_RANGE} (in UTC)"
        ) from None
    return value


def _within_range(field: str, value: date) -> None:
    if not FIRST_DAY <= value <= LAST_DAY:
        raise ValidationError(field, f"{value.isoformat()} is out of range: {DAY_RANGE}")


def record_id(field: str, value: Any) -> int:
    """A record's id: a whole number from 1 to ``MAX_ID``."""
    text = str(value).strip().lstrip("#")
    number = int(text) if text.isascii() and text.isdigit() and len(text) < 20 else 0
    if not 0 < number <= MAX_ID:
        raise ValidationError(
            field, f"{str(value)[:40]!r} is not an id; ids are whole numbers from 1 to {MAX_ID}"
        )
    return number


def contact_methods(field: str, values: Any, kind: str) -> list[ContactMethod]:
    """Emails or phones given as "x", "label:x", (label, x) or ContactMethod, normalised."""
    if values is None:
        return []
    if isinstance(values, str | ContactMethod | tuple):
        values = [values]
    result: list[ContactMethod] = []
    for position, item in enumerate(values, start=1):
        label, value = "work" if kind == "email" else "mobile", item
        if isinstance(item, ContactMethod):
            label, value = item.label, item.value
        elif isinstance(item, tuple):
            label, value = item
        elif isinstance(item, str) and re.match(r"^\s*(\w+)\s*:\s*(?!//)", item):
            maybe_label, _, rest = item.partition(":")
            if maybe_label.strip().lower() in METHOD_LABELS:
                label, value = maybe_label, rest
        name = f"{field}[{position}]" if len(values) > 1 else field
        label = choice(f"{name}.label", label, METHOD_LABELS) or "work"
        clean = email(name, value) if kind == "email" else phone(name, value)
        if all(m.value != clean for m in result):
            result.append(ContactMethod(kind, clean, label))
    return result
