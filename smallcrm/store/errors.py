"""Typed errors raised by the store. Each one says what went wrong in words a user can act on."""

from __future__ import annotations


class StoreError(Exception):
    """Base class for every error the store raises on purpose."""


class ValidationError(StoreError):
    """A value a user gave is not accepted.

    ``field`` names the input (``email``, ``expected_close``, ...); ``message`` says what was
    wrong and what is accepted.
    """

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class NotFoundError(StoreError):
    """No live record of that kind has that id (or matches that name)."""

    def __init__(self, kind: str, ref: object) -> None:
        super().__init__(f"no {kind} {ref!s}")
        self.kind = kind
        self.ref = ref


class AmbiguousError(StoreError):
    """A name matched several records; ``candidates`` lists them for the user to choose."""

    def __init__(self, kind: str, ref: str, candidates: list) -> None:
        super().__init__(f"{ref!r} matches {len(candidates)} {kind}s")
        self.kind = kind
        self.ref = ref
        self.candidates = candidates


class DuplicateError(StoreError):
    """A new contact or account looks like one that exists (same email or phone, or a very
    similar name); nothing was saved. ``candidates`` are ``resolve.Duplicate`` tuples (the
    existing record and why it matched); the caller may ask the user and save anyway."""

    def __init__(self, kind: str, candidates: list) -> None:
        first = candidates[0]
        super().__init__(
            f"this looks like {'a contact' if kind == 'contact' else 'an account'} you have: "
            f"{first.hit.title} ({kind} {first.hit.record_id}, {first.reason})"
        )
        self.kind = kind
        self.candidates = candidates


class ConflictError(StoreError):
    """Somebody else saved the record since it was read (optimistic locking)."""

    def __init__(self, kind: str, record_id: int, expected: int, actual: int | None) -> None:
        who = "it was deleted" if actual is None else f"it is now at version {actual}"
        super().__init__(
            f"{kind} {record_id} was changed by someone else (you edited version {expected}; "
            f"{who}). Reload it and apply your change again."
        )
        self.kind = kind
        self.record_id = record_id
        self.expected = expected
        self.actual = actual


class DatabaseBusyError(StoreError):
    """The database stayed locked by another user for longer than the busy timeout."""
