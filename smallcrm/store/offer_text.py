"""What an offer says to the customer: a short message (English or German, the contact's
language when their country tells it, else the business's) and an iCalendar file with the
choices as tentative events.

The .ics is written by hand (a few lines of RFC 5545) rather than with ``icalendar``, which
would add 62 ms to every ``smallcrm offer``; times are written in UTC, which every calendar
program shows in its own zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from smallcrm.store import clock
from smallcrm.store.db import Database
from smallcrm.store.offers import Offer

GERMAN_COUNTRIES = {
    "de", "at", "ch", "li", "germany", "deutschland", "austria", "österreich", "osterreich",
    "switzerland", "schweiz", "liechtenstein",
}  # fmt: skip
ENGLISH_COUNTRIES = {
    "gb", "uk", "us", "ie", "ca", "au", "nz", "united kingdom", "united states", "usa",
    "ireland", "canada", "australia", "new zealand",
}  # fmt: skip
_DAYS = {
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    "de": ("Mo.", "Di.", "Mi.", "Do.", "Fr.", "Sa.", "So."),
}
_MONTHS = {
    "en": "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(),
    "de": "Jan. Feb. März Apr. Mai Juni Juli Aug. Sep. Okt. Nov. Dez.".split(),
}
_WORDS = {
    "en": {
        "hello": "Hello {name},",
        "hello_anyone": "Hello,",
        "meeting": "our meeting",
        "intro": "I could offer you these times for {what}:",
        "zone": "Times are {zone} time.",
        "ask": "Please let me know which one suits you; I am keeping them free until {until}.",
        "bye": "Best regards",
    },
    "de": {
        "hello": "Guten Tag {name},",
        "hello_anyone": "Guten Tag,",
        "meeting": "unser Gespräch",
        "intro": "für {what} kann ich Ihnen diese Termine anbieten:",
        "zone": "Zeitangaben in der Zeitzone {zone}.",
        "ask": "Bitte sagen Sie mir, welcher Ihnen passt; ich halte sie bis {until} frei.",
        "bye": "Viele Grüße",
    },
}


def language_for(country: str | None, default: str) -> str:
    """``de`` or ``en`` when the contact's country says which, else ``default``."""
    key = (country or "").strip().lower()
    if key in GERMAN_COUNTRIES:
        return "de"
    if key in ENGLISH_COUNTRIES:
        return "en"
    return default


@dataclass(frozen=True)
class Addressee:
    """Who an offer is written to: the appointment's title, the text's language, and the
    first name the greeting uses (None: no contact, a greeting for anyone)."""

    title: str
    language: str
    first_name: str | None


def addressee(db: Database, contact_id: int | None) -> Addressee:
    """The title, language and greeting of an offer to ``contact_id`` (None: to nobody yet)."""
    from smallcrm.store import settings

    default = settings.language()
    if contact_id is None:
        return Addressee("Termin" if default == "de" else "Meeting", default, None)
    from smallcrm.store.contacts import get_contact

    contact = get_contact(db, contact_id)
    language = language_for(contact.address.country, default)
    word = "Termin mit" if default == "de" else "Meeting with"
    return Addressee(f"{word} {contact.name}", language, contact.first_name or contact.name)


def length_words(length: timedelta, language: str) -> str:
    """``1 hour``, ``90 minutes``, ``1 Stunde``."""
    minutes = int(length.total_seconds() // 60)
    if minutes % 60 == 0:
        hours = minutes // 60
        if language == "de":
            return f"{hours} Stunde" if hours == 1 else f"{hours} Stunden"
        return f"{hours} hour" if hours == 1 else f"{hours} hours"
    return f"{minutes} Minuten" if language == "de" else f"{minutes} minutes"


def moment_words(moment: datetime, language: str) -> str:
    """``Tue 1 Dec, 10:00`` or ``Di. 1. Dez., 10:00`` in the business's zone."""
    local = clock.local(moment)
    lang = language if language in _DAYS else "en"
    day = _DAYS[lang][local.weekday()]
    month = _MONTHS[lang][local.month - 1]
    dot = "." if lang == "de" else ""
    return f"{day} {local.day}{dot} {month}, {local:%H:%M}"


def message(offer: Offer, first_name: str | None = None) -> str:
    """The text to send the customer: the choices numbered as ``book`` takes them."""
    from smallcrm.store.formats import printable

    lang = offer.language if offer.language in _WORDS else "en"
    words = _WORDS[lang]
    what = words["meeting"] + f" ({length_words(offer.duration, lang)}"
    what += f", {printable(offer.location)})" if offer.location else ")"
    name = printable(first_name) if first_name else None  # pasted into emails: no controls
    lines = [words["hello"].format(name=name) if name else words["hello_anyone"]]
    lines += ["", words["intro"].format(what=what), ""]
    for hold in offer.holds:
        lines.append(
            f"  {hold.choice}) {moment_words(hold.starts_at, lang)}-"
            f"{clock.local(hold.ends_at):%H:%M}"
        )
    lines += ["", words["zone"].format(zone=clock.zone_name())]
    lines.append(words["ask"].format(until=moment_words(offer.expires_at, lang)))
    lines += ["", words["bye"]]
    return "\n".join(lines) + "\n"


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> list[str]:
    """RFC 5545 lines of at most 75 octets, continued with a space."""
    out: list[str] = []
    while len(line.encode()) > 75:
        cut = 74
        while len(line[:cut].encode()) > 74:
            cut -= 1
        out.append(line[:cut])
        line = " " + line[cut:]
    return [*out, line]


def ics(offer: Offer) -> str:
    """An iCalendar file with each choice as a tentative event."""

    def stamp(moment: datetime) -> str:
        return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")

    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//smallcrm//slot offer//EN"]
    lines.append("METHOD:PUBLISH")
    for hold in offer.holds:
        lines += [
            "BEGIN:VEVENT",
            f"UID:offer-{offer.id}-{hold.choice}@smallcrm",
            f"DTSTAMP:{stamp(clock.now_utc())}",
            f"DTSTART:{stamp(hold.starts_at)}",
            f"DTEND:{stamp(hold.ends_at)}",
            f"SUMMARY:{_escape(f'{offer.title} (choice {hold.choice})')}",
            "STATUS:TENTATIVE",
            "TRANSP:OPAQUE",
        ]
        if offer.location:
            lines.append(f"LOCATION:{_escape(offer.location)}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(part + "\r\n" for line in lines for part in _fold(line))
