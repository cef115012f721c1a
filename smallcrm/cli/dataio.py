"""What the shell's data commands share: ``smallcrm import`` (``smallcrm.cli.imports``, with
``import list`` and ``import undo`` in ``smallcrm.cli.import_batches``), ``export``
(``smallcrm.cli.exports``) and ``invite`` (``smallcrm.cli.invite``).

``import FILE`` reads CSV, vCard, iCalendar or smallcrm JSON (the format from the content and
the name) as one batch: all or nothing unless ``--skip-invalid``, previewed with
``--dry-run``, undone with ``import undo BATCH`` (``import list`` shows the batches; see
``smallcrm.cli.routing`` for how those words share ``import``). ``export KIND`` writes records
as CSV, JSON, vCard or iCalendar, or the whole database as a JSON backup; ``invite`` writes one
appointment as an .ics invitation. Long runs draw a progress bar on stderr at a terminal.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from smallcrm.cli.context import CliError
from smallcrm.store import kinds as registry

KINDS = tuple(k.plural for k in registry.KINDS)
EXPORT_KINDS = (*KINDS, "all")
FORMATS = ("csv", "json", "vcard", "ics")
# The store's names for the inputs of an import or export, as the shell spells them.
OPTIONS = {
    "kind": "--kind",
    "format": "--format",
    "mapping": "--map",
    "encoding": "--encoding",
    "delimiter": "--delimiter",
    "file": "FILE",
    "batch": "BATCH",
    "organizer": "--from",
    "database": "--db",
}


def completer(words: tuple[str, ...]) -> Callable[[str], list[str]]:
    """Shell completion of an argument or option from ``words``."""

    def complete(incomplete: str) -> list[str]:
        return [word for word in words if word.startswith(incomplete)]

    return complete


OutputOption = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        metavar="FILE",
        allow_dash=True,
        help="Write to this file (default: standard output).",
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Write the outcome as one JSON object.")]


@contextmanager
def store_options() -> Iterator[None]:
    """Name the option the user typed when the store refuses one of its inputs."""
    from smallcrm.store.errors import ValidationError
    from smallcrm.store.io import ImportRejected

    try:
        yield
    except ImportRejected:
        raise
    except ValidationError as exc:
        if exc.field not in OPTIONS:
            raise
        raise CliError(f"{OPTIONS[exc.field]}: {exc.message}") from None
