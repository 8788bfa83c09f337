"""The device's local replica: an apsw SQLite database holding every declared
collection as a plain table, plus the engine's ``sync_queue``, ``sync_state``
and ``sync_conflicts``.

Local writes land at once. Triggers (``sync_client.tables``) put each change
into ``sync_queue`` in the same transaction, so a row and its queue entry
exist together or not at all. Changes that come from the server are applied
with capture switched off, on top of which the device's pending operations are
replayed (the rebase), so the visible row never flickers back.

Applying the server's answers (rows, acks, rejections) and the rebase live in
``sync_client.applying``.

One connection, guarded by a re-entrant lock: call the replica from any
thread, but make plain-SQL writes from other threads inside
``with replica.transaction():`` so they do not interleave with a sync.
"""

from __future__ import annotations

import itertools
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import apsw
import msgspec

from shared.errors import StateError, UsageError, ValidationError
from shared.hlc import HybridClock
from shared.messages import MAX_OPS_PER_MUTATION, Mutation
from shared.schema import INSERT_ORDER_COLUMN, SCOPE_COLUMN, VERSION_COLUMN, Collection, Schema

from . import queue, tables
from .applying import ApplyingServerChanges
from .ids import new_id, new_ids
from .queue import QueuedRows, QueueEntry

__all__ = ["Conflict", "QueueEntry", "Replica", "on_open"]

_encode = msgspec.msgpack.Encoder().encode
#: a trigger's SQL that fires on INSERT ("... [BEFORE|AFTER|INSTEAD OF] INSERT ON t ...")
_INSERT_TRIGGER = re.compile(r"\bINSERT\s+ON\b", re.IGNORECASE)
#: from this many rows on, ``insert_many`` writes and queues in bulk (below, the triggers queue each row)
BULK_ROWS = 16
_decode = msgspec.msgpack.decode


class Conflict(msgspec.Struct, frozen=True):
    """A local write the server refused, with the server's row beside it."""

    id: int
    client_seq: int
    collection: str
    row_id: str | int
    kind: str
    local: dict[str, Any]
    server: dict[str, Any] | None
    reason: str
    created_at: int


def _wall_clock_us() -> int:
    return time.time_ns() // 1000


def _pack(*args: Any) -> bytes:
    return _encode(dict(zip(args[::2], args[1::2])))


def _diff(*args: Any) -> bytes | None:
    changed = {args[i]: args[i + 2] for i in range(0, len(args), 3) if args[i + 1] != args[i + 2]
               or type(args[i + 1]) is not type(args[i + 2])}
    return _encode(changed) if changed else None


def _delta(*args: Any) -> bytes | None:
    deltas = {args[i]: (args[i + 2] or 0) - (args[i + 1] or 0) for i in range(0, len(args), 3)}
    deltas = {k: v for k, v in deltas.items() if v}
    return _encode(deltas) if deltas else None


class Replica(ApplyingServerChanges):
    """A device's local SQLite replica with change capture.

    Args:
        path: the database file, or ``":memory:"``.
        schema: the app's :class:`~shared.schema.Schema`.
        wall_clock: returns the wall time in microseconds (tests pass a fake).
        device_id: set the device id on first open (default: a new UUIDv7).

    Raises:
        UsageError: the file belongs to another device id than ``device_id``.
    """

    def __init__(
        self,
        path: str,
        schema: Schema,
        *,
        wall_clock: Callable[[], int] = _wall_clock_us,
        device_id: str | None = None,
    ) -> None:
        self.path = path
        self.schema = schema
        self._wall_clock = wall_clock
        self.lock = threading.RLock()
        self._capture = True
        self._queued_in_bulk: str | None = None  # the collection insert_many is queuing itself
        self._queued_rows = QueuedRows()
        self._bulk_inserts: dict[str, dict[str, str]] = {}
        self._default_scope = ""
        self._txn_seq: int | None = None
        self._txn_ops = 0
        self._commit_listeners: list[Callable[[], None]] = []
        self._listeners: list[Callable[[str, list[Any]], None]] = []
        self.connection = apsw.Connection(path)
        self.connection.set_busy_timeout(5000)
        self._configure()
        self._register_functions()
        with self.connection:
            self.connection.execute(tables.ENGINE_TABLES)
            self._migrate_queue()
            self._create_collections()
            state = self._read_state()
            self.device_id = self._init_device_id(state, device_id)
        self._default_scope = str(state.get("default_scope", ""))
        self._last_seq = max(int(state.get("last_client_seq", 0)), self._max_queue_seq())
        self._settled = int(state.get("server_applied", 0))  # see _drop_applied
        self.clock = HybridClock(max(int(state.get("clock", 0)), self._max_queue_insert_order()))
        self._closed = False

    # -- setup ----------------------------------------------------------

    def _configure(self) -> None:
        c = self.connection
        # each PRAGMA that returns a row pauses a multi-statement execute: run one at a time
        # recursive_triggers: an INSERT OR REPLACE over a row deletes it first, and
        # only with this on do the delete triggers see that (capture, search indexes)
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON", "temp_store=MEMORY",
                       "cache_size=-32000", "recursive_triggers=ON"):
            c.execute(f"PRAGMA {pragma}").fetchall()
        self.vec_loaded = _load_sqlite_vec(c)

    def _register_functions(self) -> None:
        c = self.connection
        c.create_scalar_function("offsync_capture", lambda: 1 if self._capture else 0, 0)
        c.create_scalar_function("offsync_capture_insert", self._captures_insert, 1)
        c.create_scalar_function("offsync_qid", lambda: self._reserve_queue_ids(1), 0)
        c.create_scalar_function("offsync_tick", lambda: self.clock.tick(self._wall_clock()), 0)
        c.create_scalar_function("offsync_pack", _pack, -1)
        c.create_scalar_function("offsync_diff", _diff, -1)
        c.create_scalar_function("offsync_delta", _delta, -1)
        c.create_scalar_function("offsync_id", new_id, 0)
        c.create_scalar_function("offsync_default_scope", lambda: self._default_scope, 0)
        c.set_commit_hook(self._on_commit)
        c.set_rollback_hook(self._on_rollback)

    def _captures_insert(self, collection: str) -> int:
        return 1 if self._capture and collection != self._queued_in_bulk else 0

    def _reserve_queue_ids(self, n: int) -> int:
        """The first of ``n`` new queue ids of this transaction (see ``sync_client.queue``)."""
        # one client_seq per transaction: allocated by the first captured write,
        # made permanent by the commit hook, given back by the rollback hook
        if self._txn_seq is None:
            self._txn_seq = self._last_seq + 1
        first = queue.first_id(self._txn_seq) + self._txn_ops + 1
        self._txn_ops += n
        return first

    def _on_commit(self) -> bool:
        if self._txn_seq is None:
            return False  # False lets the commit proceed
        if self._txn_ops > MAX_OPS_PER_MUTATION:
            # one mutation must fit in one push: refuse the commit now rather
            # than queue something that can never be sent (apsw rolls back)
            self._txn_seq = None
            self._txn_ops = 0
            return True
        self._last_seq = self._txn_seq
        self._txn_seq = None
        self._txn_ops = 0
        for listener in self._commit_listeners:
            listener()
        return False

    def _on_rollback(self) -> None:
        self._txn_seq = None
        self._txn_ops = 0
        self._queued_rows.forget()  # it may have read entries this rollback took back

    def on_commit(self, listener: Callable[[], None]) -> None:
        """Call ``listener()`` (on the committing thread) after each commit that queued writes."""
        self._commit_listeners.append(listener)

    def _migrate_queue(self) -> None:
        """Rewrite a queue made before its ids carried the client_seq (it had a
        stored ``client_seq`` column and two indexes); entries keep their order."""
        columns = {row[1]: row[6] for row in self.connection.execute("PRAGMA table_xinfo(sync_queue)")}
        if columns.get("client_seq") != 0:  # 0: a stored column; 2: the virtual one of today
            return
        c = self.connection
        for (name,) in c.execute("SELECT name FROM sqlite_schema WHERE type = 'trigger' AND name LIKE '\\_offsync\\_%' "
                                 "ESCAPE '\\'").fetchall():
            c.execute(f"DROP TRIGGER {tables.quote(name)}")  # they name sync_queue; made again next
        c.execute(tables.QUEUE_TABLE.format(name="sync_queue_new"))
        c.execute(f"INSERT INTO sync_queue_new ({tables.QUEUE_COLUMNS}) "
                  f"SELECT (client_seq << {queue.SEQ_SHIFT}) "
                  "+ row_number() OVER (PARTITION BY client_seq ORDER BY id), "
                  "kind, collection, row_id, fields, base_version, insert_order, scope FROM sync_queue")
        c.execute("DROP TABLE sync_queue")
        c.execute("ALTER TABLE sync_queue_new RENAME TO sync_queue")

    def _create_collections(self) -> None:
        c = self.connection
        for coll in self.schema:
            c.execute(tables.create_table_sql(coll))
            self._add_missing_columns(coll)
            for sql in tables.index_sql(coll):
                c.execute(sql)
            for sql in tables.drop_triggers_sql(coll):
                c.execute(sql)
            for sql in tables.triggers_sql(coll):
                c.execute(sql)
        for hook in _collection_hooks:
            hook(self)

    def _add_missing_columns(self, coll: Collection) -> None:
        """Migrate in place: add declared fields the existing table lacks."""
        have = {row[1] for row in self.connection.execute(f"PRAGMA table_info({tables.quote(coll.name)})")}
        for f in coll.fields.values():
            if f.name not in have:
                sql = tables.column_sql(coll, f).replace("PRIMARY KEY NOT NULL", "")
                if f.required and coll.defaults().get(f.name) is None:
                    raise UsageError(f"{coll.name}.{f.name}: a required field added to an existing table needs a default")
                self.connection.execute(f"ALTER TABLE {tables.quote(coll.name)} ADD COLUMN {sql}")

    def _read_state(self) -> dict[str, Any]:
        return dict(self.connection.execute("SELECT key, value FROM sync_state").fetchall())

    def _write_state(self, **values: Any) -> None:
        self.connection.executemany(
            "INSERT INTO sync_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            list(values.items()),
        )

    def _init_device_id(self, state: dict[str, Any], wanted: str | None) -> str:
        existing = state.get("device_id")
        if existing is not None:
            if wanted is not None and wanted != existing:
                raise UsageError(f"{self.path} belongs to device {existing!r}, not {wanted!r}")
            return str(existing)
        device_id = wanted or new_id()
        self._write_state(device_id=device_id, cursor=0, last_client_seq=0, clock=0,
                          schema_version=self.schema.version)
        return device_id

    def _max_queue_seq(self) -> int:
        top = self.connection.execute("SELECT max(id) FROM sync_queue").fetchall()[0][0]
        return 0 if top is None else int(top) >> queue.SEQ_SHIFT

    def _max_queue_insert_order(self) -> int:
        row = self.connection.execute("SELECT coalesce(max(insert_order), 0) FROM sync_queue").fetchall()
        return int(row[0][0])

    # -- lifecycle ------------------------------------------------------

    def close(self) -> None:
        """Persist the clock and close the database. Idempotent."""
        with self.lock:
            if self._closed:
                return
            with self.connection:
                self._write_state(clock=self.clock.last)
            self.connection.close()
            self._closed = True

    def __enter__(self) -> Replica:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _check_open(self) -> None:
        if self._closed:
            raise StateError(f"replica {self.path} is closed")

    @contextmanager
    def transaction(self) -> Iterator[Replica]:
        """Group writes into one transaction and so one mutation (one client_seq).

        Nested use joins the outer transaction (a savepoint). An exception
        rolls back the rows and their queue entries together.
        """
        self._check_open()
        with self.lock, self.connection:
            yield self

    @contextmanager
    def _applying(self) -> Iterator[None]:
        """A transaction whose writes are not captured (server changes)."""
        self._check_open()
        with self.lock:
            self._capture = False
            try:
                with self.connection:
                    yield
            finally:
                self._capture = True

    # -- local writes ---------------------------------------------------

    def _collection(self, name: str) -> Collection:
        return self.schema[name]

    def insert(self, collection: str, row: Mapping[str, Any], *, scope: str | None = None) -> Any:
        """Insert one row and queue it; returns its id (made here if absent).

        Raises:
            ValidationError: an unknown field, a value of the wrong type, or a
                missing required field. Nothing is written.
        """
        return self.insert_many(collection, [row], scope=scope)[0]

    def insert_many(self, collection: str, rows: Iterable[Mapping[str, Any]], *, scope: str | None = None) -> list[Any]:
        """Insert several rows in one transaction (one mutation); returns their ids.

        The rows are validated together first (one error names the row and the
        field, and nothing is written). They are then written with one
        ``executemany`` and queued with one ``INSERT ... SELECT`` (the insert
        trigger stands aside for them), in the same transaction.
        """
        coll = self._collection(collection)
        rows = list(rows)
        values = coll.insert_values(rows)
        if coll.scope_field and scope:
            self._check_scope_field(coll, values, scope)
        if not values:
            return []
        fresh = iter(new_ids(sum(1 for v in values if v[0] is None)))
        ids = [next(fresh) if v[0] is None else v[0] for v in values]
        sql = tables.insert_sql(coll)
        with self.transaction():
            row_scope = scope or self._default_scope
            first = self.clock.tick_many(self._wall_clock(), len(values))
            params = [(row_id, *v[1:], io, row_scope) for row_id, v, io in zip(ids, values, itertools.count(first))]
            if len(params) >= BULK_ROWS and self._capture and coll.fields[coll.primary_key].type == "text":
                self._insert_in_bulk(coll, sql, params)
            else:
                self.connection.executemany(sql, params)  # the triggers queue each row
        return ids

    def add_bulk_insert(self, collection: str, trigger: str, sql: str) -> None:
        """Declare what the insert trigger ``trigger`` of ``collection`` does, as
        one statement over all the rows of a batch (those with ``rowid > ?1``).

        A batch of API inserts then runs with the connection's triggers off and
        each declared statement once after it, instead of a trigger program per
        row (measured: 1.5 µs of each row's 3.1 µs insert). A collection with an
        insert trigger nobody declared (an app's own) keeps its triggers on.
        """
        self._bulk_inserts.setdefault(collection, {})[trigger] = sql

    def _insert_in_bulk(self, coll: Collection, sql: str, params: list[tuple[Any, ...]]) -> None:
        """Write and queue a batch. Rowids follow the insert order under a text
        key, so the batch is the rows above the highest rowid before it."""
        c = self.connection
        before = int(c.execute(f"SELECT coalesce(max(rowid), 0) FROM {tables.quote(coll.name)}").fetchall()[0][0])
        declared = self._bulk_inserts.get(coll.name, {})
        on_insert = {name for name, text in self._table_triggers(coll).items() if _INSERT_TRIGGER.search(text)}
        triggers_off = on_insert <= {tables.trigger_names(coll)[0], *declared}
        self._queued_in_bulk = coll.name  # its capture trigger stands aside if triggers stay on
        try:
            with self._without_triggers(triggers_off):
                c.executemany(sql, params)
        finally:
            self._queued_in_bulk = None
        if not triggers_off:  # an app's trigger may have added rows here too: they are queued with the batch
            c.execute(tables.stamp_new_rows_sql(coll), (before,))
        after = int(c.execute(f"SELECT max(rowid) FROM {tables.quote(coll.name)}").fetchall()[0][0])
        c.execute(tables.queue_copy_sql(coll), (self._reserve_queue_ids(after - before), before))
        if triggers_off:
            for statement in declared.values():
                c.execute(statement, (before,))
        if coll.retention is not None:  # trimmed once per scope, as the trigger trims after each row
            for (scope,) in c.execute(f"SELECT DISTINCT {tables.scope_expr(coll, '')} FROM {tables.quote(coll.name)} "
                                      "WHERE rowid > ?", (before,)).fetchall():
                c.execute(tables.retention_sql(coll, "?"), (scope,))

    def _table_triggers(self, coll: Collection) -> dict[str, str]:
        """The triggers on a collection's table, name -> SQL (ours, the search
        indexes', and any an app made). TEMP triggers are not listed: turning
        triggers off leaves them on (SQLite >= 3.35)."""
        return dict(self.connection.execute("SELECT name, sql FROM sqlite_schema WHERE type = 'trigger' "
                                            "AND tbl_name = ?", (coll.name,)).fetchall())

    @contextmanager
    def _without_triggers(self, off: bool) -> Iterator[None]:
        """Run the block with the connection's triggers off (if ``off``): for
        writes whose triggers' effects are made some other way, or are none."""
        if not off:
            yield
            return
        self.connection.config(apsw.SQLITE_DBCONFIG_ENABLE_TRIGGER, 0)
        try:
            yield
        finally:
            self.connection.config(apsw.SQLITE_DBCONFIG_ENABLE_TRIGGER, 1)

    @staticmethod
    def _check_scope_field(coll: Collection, values: list[tuple[Any, ...]], scope: str) -> None:
        at = coll.field_names.index(coll.scope_field)  # type: ignore[arg-type]
        for i, v in enumerate(values):
            if v[at] not in (None, scope):
                raise ValidationError(f"{coll.name}: scope {scope!r} disagrees with {coll.scope_field}",
                                      path=f"$[{i}].{coll.scope_field}")

    def update(self, collection: str, row_id: Any, changes: Mapping[str, Any]) -> None:
        """Change some fields of a row; only the changed fields are queued.

        Raises:
            ValidationError: bad fields, a counter (use :meth:`increment`), or no such row.
        """
        coll = self._collection(collection)
        stored = coll.to_stored(changes)
        if coll.primary_key in stored:
            raise ValidationError(f"{coll.name}.{coll.primary_key} cannot change", path=f"$.{coll.primary_key}")
        for name in stored:
            if name in coll.counters:
                raise ValidationError(f"{coll.name}.{name} is a counter: use increment", path=f"$.{name}")
        for f in coll.fields.values():
            if f.required and f.name in stored and stored[f.name] is None:
                raise ValidationError(f"{coll.name}.{f.name} is required", path=f"$.{f.name}")
        if not stored:
            return
        sets = ", ".join(f"{tables.quote(n)} = ?" for n in stored)
        self._write_existing(coll, row_id, f"UPDATE {tables.quote(coll.name)} SET {sets}", list(stored.values()))

    def increment(self, collection: str, row_id: Any, deltas: Mapping[str, int | float]) -> None:
        """Add to counter fields; concurrent increments from several devices add up.

        Raises:
            ValidationError: a field that is not a counter, a non-number, or no such row.
        """
        coll = self._collection(collection)
        if not deltas:
            return
        for name, delta in deltas.items():
            f = coll.fields.get(name)
            if f is None or not f.counter:
                raise ValidationError(f"{coll.name}.{name} is not a counter field", path=f"$.{name}")
            if isinstance(delta, bool) or not isinstance(delta, (int, float)):
                raise ValidationError(f"{coll.name}.{name}: a delta must be a number", path=f"$.{name}")
        sets = ", ".join(f"{tables.quote(n)} = coalesce({tables.quote(n)}, 0) + ?" for n in deltas)
        self._write_existing(coll, row_id, f"UPDATE {tables.quote(coll.name)} SET {sets}", list(deltas.values()))

    def delete(self, collection: str, row_id: Any) -> None:
        """Delete a row locally and queue the delete (the server keeps a tombstone)."""
        coll = self._collection(collection)
        self._write_existing(coll, row_id, f"DELETE FROM {tables.quote(coll.name)}", [])

    def _write_existing(self, coll: Collection, row_id: Any, sql: str, params: list[Any]) -> None:
        with self.transaction():
            self.connection.execute(f"{sql} WHERE {tables.quote(coll.primary_key)} = ?", (*params, row_id))
            if self.connection.changes() == 0:
                raise ValidationError(f"{coll.name} has no row {row_id!r}", path=f"$.{coll.primary_key}",
                                      code="not_found")

    def execute(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> list[tuple[Any, ...]]:
        """Run plain SQL on the replica (writes are captured like API writes)."""
        with self.transaction():
            return self.connection.execute(sql, params).fetchall()

    # -- reads ----------------------------------------------------------

    def get(self, collection: str, row_id: Any) -> dict[str, Any] | None:
        """One row as app values, or None."""
        coll = self._collection(collection)
        rows = self.query(collection, f"{tables.quote(coll.primary_key)} = ?", (row_id,))
        return rows[0] if rows else None

    def query(self, collection: str, where: str = "", params: Sequence[Any] = (), *, order_by: str = "",
              limit: int | None = None) -> list[dict[str, Any]]:
        """Rows of a collection as app values (with ``insertOrder``, ``_version``, ``_scope``)."""
        coll = self._collection(collection)
        columns = (*coll.field_names, INSERT_ORDER_COLUMN, VERSION_COLUMN, SCOPE_COLUMN)
        sql = f"SELECT {', '.join(map(tables.quote, columns))} FROM {tables.quote(coll.name)}"
        if where:
            sql += f" WHERE {where}"
        if order_by:
            sql += f" ORDER BY {order_by}"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        with self.lock:
            self._check_open()
            rows = self.connection.execute(sql, params).fetchall()
        return [coll.from_stored(dict(zip(columns, r))) for r in rows]

    def rows(self, collection: str) -> dict[Any, dict[str, Any]]:
        """Every row of a collection in stored form, by id (for comparisons)."""
        coll = self._collection(collection)
        columns = coll.field_names
        with self.lock:
            found = self.connection.execute(
                f"SELECT {', '.join(map(tables.quote, columns))} FROM {tables.quote(coll.name)}").fetchall()
        return {r[0]: dict(zip(columns, r)) for r in found}

    def search(self, collection: str, text: str, *, k: int = 10, mode: str = "hybrid", where: str = "",
               params: Sequence[Any] = ()) -> Any:
        """Rank a collection's rows by words (FTS5) and meaning (vectors); see
        :func:`sync_client.search.search`."""
        from .search import search

        return search(self, collection, text, k=k, mode=mode, where=where, params=params)

    # -- the queue ------------------------------------------------------

    def pending(self, limit: int | None = None) -> list[QueueEntry]:
        """Queue entries in the order they were made."""
        sql = f"SELECT {queue.ENTRY_COLUMNS} FROM sync_queue ORDER BY id"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return self._queue_entries(sql, ())

    def pending_mutations(self, after_seq: int, max_mutations: int, max_ops: int | None = None) -> list[QueueEntry]:
        """Entries of the oldest mutations with client_seq > ``after_seq``: at most
        ``max_mutations`` of them and, if given, ``max_ops`` entries in all (but
        always the whole first mutation, however big)."""
        return queue.entries(self._next_mutations(after_seq, max_mutations, max_ops))

    def mutations_to_push(self, after_seq: int, max_mutations: int, max_ops: int) -> list[Mutation]:
        """The same mutations, made straight into the messages a Push carries."""
        return queue.mutations(self._next_mutations(after_seq, max_mutations, max_ops))

    def _next_mutations(self, after_seq: int, max_mutations: int, max_ops: int | None) -> list[tuple[Any, ...]]:
        with self.lock:
            self._check_open()
            span = queue.next_mutations_span(self.connection, after_seq, max_mutations, max_ops)
            if span is None:
                return []
            return self.connection.execute(
                f"SELECT {queue.ENTRY_COLUMNS} FROM sync_queue WHERE id BETWEEN ? AND ? ORDER BY id", span).fetchall()

    def _queue_entries(self, sql: str, params: tuple[Any, ...]) -> list[QueueEntry]:
        with self.lock:
            self._check_open()
            return queue.entries(self.connection.execute(sql, params).fetchall())

    def pending_count(self) -> int:
        """How many operations are queued (counts them: O(queue))."""
        with self.lock:
            return int(self.connection.execute("SELECT count(*) FROM sync_queue").fetchall()[0][0])

    def has_pending(self) -> bool:
        """Whether anything is queued (one look: O(1))."""
        with self.lock:
            return bool(self.connection.execute("SELECT 1 FROM sync_queue LIMIT 1").fetchall())

    @property
    def last_client_seq(self) -> int:
        """The highest client_seq this device has committed."""
        return self._last_seq

    @property
    def default_scope(self) -> str:
        """Where rows go that name no scope: the server says at Hello ('' before that)."""
        return self._default_scope

    def set_default_scope(self, scope: str) -> None:
        """Record the server's default scope for this device, and move the rows made
        before it was known ('' scope) into it, so retention and searches by scope
        see one partition. Not captured: the server resolves '' the same way."""
        if not scope or scope == self._default_scope:
            return
        with self._applying():
            self._write_state(default_scope=scope)
            for coll in self.schema:
                if coll.scope_field is None:
                    self.connection.execute(
                        f"UPDATE {tables.quote(coll.name)} SET {tables.quote(SCOPE_COLUMN)} = ? "
                        f"WHERE {tables.quote(SCOPE_COLUMN)} = ''", (scope,))
            self._default_scope = scope

    @property
    def cursor(self) -> int:
        """The server sequence number this replica has applied up to."""
        with self.lock:
            return int(self.connection.execute("SELECT value FROM sync_state WHERE key='cursor'").fetchall()[0][0])

    def conflicts(self) -> list[Conflict]:
        """Writes the server refused (``reject`` policy), oldest first."""
        with self.lock:
            rows = self.connection.execute(
                "SELECT id, client_seq, collection, row_id, kind, local, server, reason, created_at "
                "FROM sync_conflicts ORDER BY id").fetchall()
        return [Conflict(r[0], r[1], r[2], r[3], r[4], _decode(r[5]) if r[5] else {},
                         _decode(r[6]) if r[6] else None, r[7], r[8]) for r in rows]

    def dismiss_conflict(self, conflict_id: int) -> None:
        """Forget a conflict once the person has chosen."""
        with self.transaction():
            self.connection.execute("DELETE FROM sync_conflicts WHERE id = ?", (conflict_id,))

    # -- listeners (search indexes, apps) --------------------------------

    def add_listener(self, listener: Callable[[str, list[Any]], None]) -> None:
        """Call ``listener(event, rows)`` after server rows are applied."""
        self._listeners.append(listener)

    def _notify(self, event: str, rows: list[Any]) -> None:
        for listener in self._listeners:
            listener(event, rows)


def _load_sqlite_vec(connection: apsw.Connection) -> bool:
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


#: functions called with each replica once its tables exist (search indexes register here)
_collection_hooks: list[Callable[[Replica], None]] = []


def on_open(hook: Callable[[Replica], None]) -> Callable[[Replica], None]:
    """Register ``hook(replica)`` to run when a replica has created its tables."""
    _collection_hooks.append(hook)
    return hook
