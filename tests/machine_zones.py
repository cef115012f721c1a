"""The machine zones the calendar tests run under, and a way to switch the machine's zone."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager

MACHINE_ZONES = ("UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata")


@contextmanager
def machine_zone(name: str) -> Iterator[None]:
    """The machine's zone (TZ) is ``name`` inside the block."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = name
    time.tzset()
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = old
        time.tzset()
