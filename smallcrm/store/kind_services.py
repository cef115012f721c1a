"""The services every kind's module offers (``SERVICES``), with their real signatures: the
registry (``kinds.py``) hands them out typed, so no caller sees ``Callable[..., Any]``."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

if TYPE_CHECKING:
    from smallcrm.store.db import Database
    from smallcrm.store.listing import ListQuery
    from smallcrm.store.records import Page

R = TypeVar("R")
R_co = TypeVar("R_co", covariant=True)
R_contra = TypeVar("R_contra", contravariant=True)


class Getter(Protocol[R_co]):
    """``get_<kind>(db, id)``: one live record (NotFoundError if missing or trashed)."""

    def __call__(self, db: Database, record_id: int, /) -> R_co: ...


class Updater(Protocol[R_co]):
    """``update_<kind>(db, id, expected_version, actor=None, **changes)``."""

    def __call__(
        self,
        db: Database,
        record_id: int,
        expected_version: int | None,
        /,
        actor: str | None = None,
        **changes: Any,
    ) -> R_co: ...


class Deleter(Protocol):
    """``delete_<kind>(db, id, expected_version=None, actor=None)``: to the trash."""

    def __call__(
        self,
        db: Database,
        record_id: int,
        expected_version: int | None = None,
        actor: str | None = None,
        /,
    ) -> None: ...


class Restorer(Protocol[R_co]):
    """``restore_<kind>(db, id, actor=None)``: back from the trash."""

    def __call__(self, db: Database, record_id: int, actor: str | None = None, /) -> R_co: ...


class Lister(Protocol[R]):
    """``list_<kind>s(db, query)``: one page of live records and the total."""

    def __call__(self, db: Database, query: ListQuery | None = None, /) -> Page[R]: ...


class Streamer(Protocol[R_co]):
    """``iter_<kind>s(db, query)``: every matching record, streamed (exports)."""

    def __call__(self, db: Database, query: ListQuery | None = None, /) -> Iterator[R_co]: ...


class Titler(Protocol[R_contra]):
    """The words that name one record in messages (``Jana Novak``, ``call: Renewal``)."""

    def __call__(self, record: R_contra, /) -> str: ...


@dataclass(frozen=True)
class Services(Generic[R]):
    """What every kind's service module offers, with the real signatures."""

    get: Getter[R]
    update: Updater[R]
    delete: Deleter
    restore: Restorer[R]
    list: Lister[R]
    iter: Streamer[R]
    title: Titler[R]
