"""What search uses of the database it indexes.

Two kinds of database hold collection tables and get searched: a device's
:class:`sync_client.replica.Replica`, and the server's read model
(:class:`sync_search.read_model.ReadModel`). Search needs neither as such,
only what :class:`Indexed` lists, so this package imports neither side and
both sides import it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any, Protocol

import apsw

from shared.schema import Schema


class Indexed(Protocol):
    """A database of collection tables (``shared.tables.create_table_sql``)
    whose searchable collections carry the indexes of
    :mod:`sync_search.indexes`.

    Attributes:
        path: its file, or ``":memory:"`` (a search opens a second, read-only
            connection to a file).
        schema: the collections it holds.
        connection: one connection, shared by threads: used under ``lock`` only.
        lock: held by every user of ``connection`` (re-entrant).
        vec_loaded: whether sqlite-vec is loaded on ``connection`` (no vector
            index without it).
    """

    path: str
    schema: Schema
    connection: apsw.Connection
    lock: threading.RLock
    vec_loaded: bool

    def _check_open(self) -> None:
        """Raise ``StateError`` once the database is closed."""

    def transaction(self) -> AbstractContextManager[Any]:
        """A write transaction (a savepoint inside one)."""

    def add_bulk_insert(self, collection: str, trigger: str, sql: str) -> None:
        """Declare that insert trigger ``trigger`` on ``collection`` does, for
        every row of rowid > ?1, what ``sql`` does once for all of them (a
        database that inserts rows in bulk may run that instead of the trigger)."""


class Watched(Indexed, Protocol):
    """An :class:`Indexed` database that says when rows were written, so an
    :class:`~sync_search.indexer.Indexer` can keep its indexes current."""

    def on_commit(self, listener: Callable[[], None]) -> None:
        """Call ``listener()`` after each commit of local writes."""

    def add_listener(self, listener: Callable[[str, list[Any]], None]) -> None:
        """Call ``listener(event, rows)`` after rows from elsewhere are applied."""


def load_sqlite_vec(connection: apsw.Connection) -> bool:
    """Load sqlite-vec on ``connection``; False if the package is not installed."""
    try:
        import sqlite_vec
    except ImportError:
        return False
    connection.enable_load_extension(True)
    try:
        connection.load_extension(sqlite_vec.loadable_path())
    finally:
        connection.enable_load_extension(False)
    return True


def single_value(connection: apsw.Connection, sql: str, bindings: apsw.Bindings | None = None) -> Any:
    """The value a query returns in its first row and column."""
    return connection.execute(sql, bindings).fetchall()[0][0]
