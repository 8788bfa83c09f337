"""Serving devices on older schema versions, and migrating the server's rows.

A device on an older version the server still serves (``History.oldest`` and
later: only additive changes since) pushes its writes as they are: its
operations are valid under the current schema, an update carries the fields
it changed only, an insert of a new row gets the current defaults for the
fields it does not know (``Engine``), and an insert over an existing ``lww``
row writes only the fields it carries. So a write from an old app never
erases a field it does not know.

What goes *to* such a device is translated (:class:`Translation`): rows of
collections it does not know are left out, and so are fields it does not
know. Filtered rather than sent to be ignored, because devices already
installed check every row against their own declaration and would refuse the
whole page (an unknown field is invalid input there), and because a
field the old app cannot show is bytes for nothing. A field whose
``required`` was relaxed gets the old version's default in place of a null.
Live batches are translated once per (scope set, schema version) group and
encoded once per group and codec; a device on the current version costs
nothing more.

Breaking changes carry migrations (``shared.evolution``), applied to the
server's stored rows at start (:func:`migrate_store`), once, in one
transaction, and recorded with the version the store is at.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import msgspec

from shared.errors import SchemaError
from shared.evolution import History, Migration, migrate_fields, migrate_names
from shared.messages import Changes, MutationResult, RowChange
from shared.schema import Schema

from .store.base import Store, encode, pack_stamps, unpack_stamps

log = logging.getLogger("offsync.server")

_decode_fields = msgspec.msgpack.Decoder(dict[str, Any]).decode

#: per collection an older version knows: the fields it knows (None: all of
#: today's), and stored values to send in place of a null
_View = dict[str, tuple[frozenset[str] | None, dict[str, Any]]]


class Translation:
    """What devices on each served older schema version get to see."""

    def __init__(self, history: History) -> None:
        self.history = history
        self.current = history.current.version
        self._views: dict[int, _View] = {v: _view(history[v], history.current)
                                         for v in history.served() if v != self.current}

    def translates(self, version: int) -> bool:
        """Whether rows for a device on ``version`` are translated (an older served version)."""
        return version in self._views

    def rows(self, version: int, rows: list[RowChange]) -> list[RowChange]:
        """``rows`` as a device on ``version`` may see them (the same list if unchanged)."""
        view = self._views.get(version)
        if view is None:
            return rows
        out = []
        for row in rows:
            known = view.get(row.collection)
            if known is None:
                continue  # a collection the device does not know
            names, fill = known
            if row.deleted or (names is None and not fill):
                out.append(row)
                continue
            fields = {k: v for k, v in row.fields.items() if names is None or k in names}
            for name, default in fill.items():
                if name in fields and fields[name] is None:
                    fields[name] = default
            out.append(msgspec.structs.replace(row, fields=fields))
        return out

    def changes(self, version: int, changes: Changes) -> Changes:
        """A page of changes for a device on ``version``."""
        if version not in self._views:
            return changes
        return msgspec.structs.replace(changes, rows=self.rows(version, changes.rows))

    def results(self, version: int, results: list[MutationResult]) -> list[MutationResult]:
        """An Ack's results (with the rows they hand back) for a device on ``version``."""
        if version not in self._views or not any(r.rows for r in results):
            return results
        return [msgspec.structs.replace(r, rows=self.rows(version, r.rows)) if r.rows else r for r in results]


def _view(old: Schema, current: Schema) -> _View:
    view: _View = {}
    for coll in old:
        if coll.name not in current:
            continue  # dropped since: impossible in a served version (a breaking change)
        now = current[coll.name]
        names = frozenset(coll.fields)
        fill = {f.name: old_default for f in coll.fields.values()
                if f.required and f.name in now.fields and not now.fields[f.name].required
                and (old_default := coll.defaults().get(f.name)) is not None}
        view[coll.name] = (None if names >= frozenset(now.fields) else names, fill)
    return view


# -- migrating the server's rows ------------------------------------------------


def migrate_store(store: Store, history: History) -> int:
    """Bring the store's rows to the history's current version and record it.

    A store that never recorded a version is taken to hold the current one
    (it was made before versions were recorded, or is new). Returns how many
    rows were rewritten or removed.

    Raises:
        SchemaError: the store holds a newer version than this server declares,
            or one its history does not know.
    """
    adapter = _adapter(store)
    if adapter is None:
        return 0  # a store this module does not know (a test double): nothing recorded
    is_race = getattr(store, "is_race", None)
    tries = 0
    while True:
        try:
            return _migrate(store, history, adapter)
        except Exception as exc:
            # on PostgreSQL: a batch waiting on another's row, that one waiting to
            # number behind this migration, this waiting for the first: one of the
            # three is ended, and when it is this, it goes again
            tries += 1
            if tries == 3 or is_race is None or not is_race(exc):
                raise


def _migrate(store: Store, history: History, adapter: _StoreAdapter) -> int:
    current = history.current.version
    with store.write_transaction():
        adapter.hold_writers()
        adapter.c.execute(adapter.create)
        stored = adapter.version()
        if stored == current:
            return 0
        if stored is None:
            adapter.set_version(current)
            return 0
        if stored > current:
            raise SchemaError(f"the database holds schema version {stored}, newer than this server's {current}: "
                              "run the newer server")
        if stored not in history and not history.steps(stored):
            # a version from before the history was declared, with no migration
            # since: additive changes only, and the rows serve as they are
            log.warning("the database holds schema version %d, not declared in the history: "
                        "taken as is (no migration declared since)", stored)
            adapter.set_version(current)
            return 0
        if stored not in history:
            raise SchemaError(f"the database holds schema version {stored}, which this server's history does not "
                              f"declare (it starts at {history.versions[0].version})")
        steps = history.steps(stored)
        changed = 0
        for name in dict.fromkeys(m.collection for m in steps):
            changed += adapter.rewrite(name, [m for m in steps if m.collection == name])
        adapter.set_version(current)
    log.info("migrated the database from schema version %d to %d: %d rows", stored, current, changed)
    return changed


class _StoreAdapter:
    """The few statements a migration needs, per store."""

    def __init__(self, connection: Any, table: str, param: str, meta: str, create: str) -> None:
        self.c = connection
        self.table = table
        self.p = param
        self.meta = meta
        self.create = create  # the statement making the table that records the version

    def hold_writers(self) -> None:
        """Keep every other writer out until the migration commits (SQLite has
        one writer: the migration's transaction is it)."""

    def version(self) -> int | None:
        rows = list(self.c.execute(f"SELECT version FROM {self.meta} WHERE id = 1"))
        return int(rows[0][0]) if rows else None

    def set_version(self, version: int) -> None:
        self.c.execute(f"INSERT INTO {self.meta} (id, version) VALUES (1, {self.p}) "
                       "ON CONFLICT (id) DO UPDATE SET version = excluded.version", (version,))

    def rewrite(self, collection: str, steps: Sequence[Migration]) -> int:
        p, t = self.p, self.table
        found = list(self.c.execute(f"SELECT scope, row_id, fields, stamps FROM {t} WHERE collection = {p}",
                                    (collection,)))
        for scope, row_id, fields, stamps in found:
            migrated = migrate_fields(steps, collection, _decode_fields(bytes(fields)))
            if migrated is None:
                self.c.execute(f"DELETE FROM {t} WHERE scope = {p} AND collection = {p} AND row_id = {p}",
                               (scope, collection, self.wrap_id(row_id)))
                continue
            new_stamps = {}
            for name, stamp in unpack_stamps(bytes(stamps)).items():
                survives = migrate_names(steps, collection, [name])  # renamed, or [] if dropped
                if survives:
                    new_stamps[survives[0]] = stamp
            self.c.execute(f"UPDATE {t} SET fields = {p}, stamps = {p} WHERE scope = {p} AND collection = {p} "
                           f"AND row_id = {p}", (encode(migrated), pack_stamps(new_stamps), scope, collection,
                                                 self.wrap_id(row_id)))
        return len(found)

    def wrap_id(self, row_id: Any) -> Any:
        return row_id


class _PostgresAdapter(_StoreAdapter):
    def hold_writers(self) -> None:
        from .store.postgres import MIGRATION_LOCK

        # every batch of every node takes it shared as it numbers its rows, and
        # one node at a time migrates: held to the commit
        self.c.execute(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")

    def wrap_id(self, row_id: Any) -> Any:
        from psycopg.types.json import Jsonb

        return Jsonb(row_id)  # the column holds text and integer ids alike


def _adapter(store: Store) -> _StoreAdapter | None:
    from .store.sqlite import SQLiteStore

    if isinstance(store, SQLiteStore):
        c = store._writer  # noqa: SLF001 (a migration runs on the writer, like a batch)
        return _StoreAdapter(c, "rows", "?", "schema_version",
                             "CREATE TABLE IF NOT EXISTS schema_version (id INTEGER PRIMARY KEY CHECK (id = 1), "
                             "version INTEGER NOT NULL) STRICT")
    try:
        from .store.postgres import PostgresStore
    except ImportError:  # psycopg is optional
        return None
    if isinstance(store, PostgresStore):
        pg = store._writer  # noqa: SLF001
        return _PostgresAdapter(pg, "offsync_rows", "%s", "offsync_schema_version",
                                "CREATE TABLE IF NOT EXISTS offsync_schema_version (id INTEGER PRIMARY KEY "
                                "CHECK (id = 1), version BIGINT NOT NULL)")
    return None
