"""A read model for search: rows copied from elsewhere, in the tables and with
the indexes a device's replica has, so that they rank exactly as they would
there.

The server's ``GET /api/search`` keeps one (``sync_server.search_api``), fed
per scope with the pages of rows its engine answers a pull with. It is not a
device: no queue, no capture, no rebase, no clock. Rows are written whole as
the source has them, or deleted, and each scope remembers the cursor it was
fed up to, in the same transaction as its rows.

It holds the searchable collections only (those declaring ``fts`` or a
``vector``), and it is disposable: a file written for another declaration
(another schema fingerprint, or another :data:`LAYOUT`: e.g. a file from
when the server's index was a device replica) is emptied as it opens, every
cursor back at 0, and refilled from the source by the next searches.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, cast

import apsw

from shared import tables
from shared.errors import StateError
from shared.messages import RowChange
from shared.schema import SCOPE_COLUMN, Collection, Schema

from .database import load_sqlite_vec
from .indexes import open_indexes
from .ranking import SearchResults, search

#: the layout of the read model's own tables; part of what a file was built for
LAYOUT = "read-model-1"
_STATE = "CREATE TABLE IF NOT EXISTS _read_model (key TEXT PRIMARY KEY, value ANY) STRICT"
_SCOPES = "CREATE TABLE IF NOT EXISTS _read_model_scopes (scope TEXT PRIMARY KEY, cursor INTEGER NOT NULL) STRICT"


class ReadModel:
    """The searchable collections' rows of every scope fed so far, indexed.

    Args:
        path: its SQLite file, or ``":memory:"``.
        schema: the collections of the rows it is fed.

    Use it from one thread at a time or under :attr:`lock` (as the search
    functions do); :attr:`connection` is shared.
    """

    def __init__(self, path: str, schema: Schema) -> None:
        self.path = path
        self.schema = schema
        self.lock = threading.RLock()
        self.searchable: dict[str, Collection] = {c.name: c for c in schema if c.fts or c.vector is not None}
        self._closed = False
        self.connection = apsw.Connection(path)
        try:
            self.connection.set_busy_timeout(5000)
            # recursive_triggers: an upsert over a row is an update, but a REPLACE
            # would be a delete first, which only with this on reaches the indexes
            for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "temp_store=MEMORY", "recursive_triggers=ON"):
                self.connection.execute(f"PRAGMA {pragma}").fetchall()
            self.vec_loaded = load_sqlite_vec(self.connection)
            self._open()
        except BaseException:
            self.connection.close()
            raise

    def _open(self) -> None:
        c = self.connection
        built_for = f"{LAYOUT} {self.schema.fingerprint}"
        with c:
            c.execute(_STATE)
            found = c.execute("SELECT value FROM _read_model WHERE key = 'built_for'").fetchall()
        if not found or found[0][0] != built_for:
            _empty(c)
        with c:
            c.execute(_STATE)
            c.execute(_SCOPES)
            for coll in self.searchable.values():
                c.execute(tables.create_table_sql(coll))
            open_indexes(self)
            c.execute("INSERT INTO _read_model (key, value) VALUES ('built_for', ?) "
                      "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (built_for,))

    # -- what search uses (sync_search.database.Indexed) ------------------------

    def _check_open(self) -> None:
        if self._closed:
            raise StateError(f"read model {self.path} is closed")

    @contextmanager
    def transaction(self) -> Iterator[ReadModel]:
        """One write transaction (a savepoint inside one)."""
        self._check_open()
        with self.lock, self.connection:
            yield self

    def add_bulk_insert(self, collection: str, trigger: str, sql: str) -> None:
        """Nothing to do: rows are written through the indexes' triggers, one statement a page."""

    # -- feeding -------------------------------------------------------------------

    def cursor(self, scope: str) -> int:
        """How far ``scope`` has been fed (0: never)."""
        with self.lock:
            self._check_open()
            found = cast("list[tuple[int]]", self.connection.execute(
                "SELECT cursor FROM _read_model_scopes WHERE scope = ?", (scope,)).fetchall())
        return found[0][0] if found else 0

    def cursors(self) -> dict[str, int]:
        """Every scope fed so far, with its cursor."""
        with self.lock:
            self._check_open()
            found = cast("list[tuple[str, int]]",
                         self.connection.execute("SELECT scope, cursor FROM _read_model_scopes").fetchall())
        return dict(found)

    def apply(self, scope: str, rows: Sequence[RowChange], cursor: int, *, start_over: bool = False) -> int:
        """Write a page of ``scope``'s rows as the source has them, and its cursor,
        in one transaction; returns how many rows of searchable collections it wrote.

        Args:
            start_over: forget the scope's rows first (a full re-sync: tombstones
                past its cursor were compacted at the source, so deletes may
                have been missed).
        """
        written = 0
        with self.transaction():
            c = self.connection
            if start_over:
                for coll in self.searchable.values():
                    c.execute(f"DELETE FROM {tables.quote(coll.name)} WHERE {tables.quote(SCOPE_COLUMN)} = ?",
                              (scope,))
            for name, latest in _by_collection(self.searchable, rows).items():
                written += len(latest)
                _write(c, self.searchable[name], latest.values())
            c.execute("INSERT INTO _read_model_scopes (scope, cursor) VALUES (?, ?) "
                      "ON CONFLICT (scope) DO UPDATE SET cursor = excluded.cursor", (scope, cursor))
        return written

    # -- reading ---------------------------------------------------------------------

    def search(self, collection: str, text: str, *, k: int = 10, mode: str = "hybrid", where: str = "",
               params: Sequence[Any] | Mapping[str, Any] = ()) -> SearchResults:
        """:func:`sync_search.ranking.search` over these rows."""
        return search(self, collection, text, k=k, mode=mode, where=where, params=params)

    def close(self) -> None:
        """Close the database. Idempotent."""
        with self.lock:
            if not self._closed:
                self.connection.close()
                self._closed = True


def _by_collection(searchable: Mapping[str, Collection],
                   rows: Sequence[RowChange]) -> dict[str, dict[Any, RowChange]]:
    """The rows of searchable collections by collection, the last of each (by row id) kept."""
    found: dict[str, dict[Any, RowChange]] = {}
    for row in rows:
        if row.collection in searchable:
            found.setdefault(row.collection, {})[row.row_id] = row
    return found


def _write(c: apsw.Connection, coll: Collection, rows: Iterable[RowChange]) -> None:
    # a field missing from a row was declared after the row was written: its default
    names, defaults = coll.field_names[1:], coll.defaults()
    live, gone = [], []
    for r in rows:
        if r.deleted:
            gone.append((r.row_id,))
        else:
            live.append((r.row_id, *(r.fields.get(n, defaults.get(n)) for n in names),
                         r.insert_order, r.version, r.scope))
    if gone:
        c.executemany(f"DELETE FROM {tables.quote(coll.name)} WHERE {tables.quote(coll.primary_key)} = ?", gone)
    if live:
        c.executemany(tables.upsert_sql(coll), live)


def _empty(c: apsw.Connection) -> None:
    """Drop everything in the database (its virtual tables too, whether or not
    their module is loaded): SQLite's documented reset."""
    c.config(apsw.SQLITE_DBCONFIG_RESET_DATABASE, 1)
    try:
        c.execute("VACUUM")
    finally:
        c.config(apsw.SQLITE_DBCONFIG_RESET_DATABASE, 0)
