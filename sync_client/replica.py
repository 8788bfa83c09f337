"""The device's local replica: an apsw SQLite database holding every declared
collection as a plain table, plus the engine's ``sync_queue``, ``sync_state``
and ``sync_conflicts``.

Local writes land at once. Triggers (``shared.tables``) put each change
into ``sync_queue`` in the same transaction, so a row and its queue entry
exist together or not at all. Changes that come from the server are applied
with capture switched off, on top of which the device's pending operations are
replayed (the rebase), so the visible row never flickers back.

Local writes (the API's inserts, bulk inserts, updates, increments and
deletes) live in ``sync_client.writing``; applying the server's answers (rows,
acks, rejections) and the rebase in ``sync_client.applying``.

One connection, guarded by a re-entrant lock: call the replica from any
thread, but make plain-SQL writes from other threads inside
``with replica.transaction():`` so they do not interleave with a sync.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, cast

import apsw
import msgspec

from shared import tables
from shared.errors import StateError, UsageError
from shared.evolution import History
from shared.hlc import HybridClock
from shared.messages import MAX_OPS_PER_MUTATION, Mutation
from shared.schema import INSERT_ORDER_COLUMN, SCOPE_COLUMN, VERSION_COLUMN, Collection, Schema
from sync_search.database import load_sqlite_vec as _load_sqlite_vec

from . import queue
from .applying import ApplyingServerChanges
from .evolution import open_schema
from .ids import new_id
from .queue import QueuedRows, QueueEntry, single_value
from .writing import BULK_ROWS, LocalWrites

__all__ = ["BULK_ROWS", "Conflict", "QueueEntry", "Replica", "on_open"]

_encode = msgspec.msgpack.Encoder().encode
_decode = msgspec.msgpack.decode

#: a ``sync_conflicts`` row as :meth:`Replica.conflicts` reads it (a STRICT table)
_ConflictRow = tuple[int, int, str, str | int, str, bytes | None, bytes | None, str, int]


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


class Replica(LocalWrites, ApplyingServerChanges):
    """A device's local SQLite replica with change capture.

    Args:
        path: the database file, or ``":memory:"``.
        schema: the app's :class:`~shared.schema.Schema`, or its
            :class:`~shared.evolution.History`: a replica made under an older
            version is migrated as it opens (``sync_client.evolution``).
        wall_clock: returns the wall time in microseconds (tests pass a fake).
        device_id: set the device id on first open (default: a new UUIDv7).

    Raises:
        UsageError: the file belongs to another device id than ``device_id``.
        SchemaMismatch: the file's tables differ from the declaration in a way
            no declared migration covers (the message names the field).
    """

    def __init__(
        self,
        path: str,
        schema: Schema | History,
        *,
        wall_clock: Callable[[], int] = _wall_clock_us,
        device_id: str | None = None,
    ) -> None:
        self.path = path
        self.history = History.of(schema)
        self.schema = schema = self.history.current
        self._wall_clock = wall_clock
        self.lock = threading.RLock()
        self._capture = True
        self._queued_in_bulk: str | None = None  # the collection insert_many is queuing itself
        self._queued_rows = QueuedRows()
        self._bulk_inserts: dict[str, dict[str, str]] = {}
        #: the queue was found empty, and no transaction has queued anything since
        #: (every entry is queued through ``_reserve_queue_ids``, so its commit says)
        self._queue_empty = False
        self._queue_fields = tables.queue_fields_sql(schema)  # an entry's fields, by value or by reference
        self._entry_columns = queue.entry_columns(self._queue_fields)
        self._mutation_reader = queue.MutationReader(schema)
        self._default_scope = ""
        self._txn_seq: int | None = None
        self._txn_ops = 0
        self._commit_listeners: list[Callable[[], None]] = []
        #: ``cursor`` and ``resyncing`` of sync_state as last written (None: read it
        #: again): a live batch read each two or three times, one statement each
        self._state_cache: dict[str, int] = {}
        self._listeners: list[Callable[[str, list[Any]], None]] = []
        self.connection = apsw.Connection(path)
        try:
            self.connection.set_busy_timeout(5000)
            self._configure()
            self._register_functions()
            with self.connection:
                self.connection.execute(tables.ENGINE_TABLES)
                self.connection.execute(queue.TOLD_TABLE)
                self._migrate_queue()
                state = self._read_state()
                open_schema(self.connection, path, self.history, state)
                self._create_collections()
                self.device_id = self._init_device_id(state, device_id)
                self._write_state(schema_version=schema.version, schema_fingerprint=schema.fingerprint)
        except BaseException:
            self.connection.close()
            raise
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
        _add_function(c, "offsync_capture", lambda: 1 if self._capture else 0, 0)
        _add_function(c, "offsync_capture_insert", self._captures_insert, 1)
        _add_function(c, "offsync_qid", lambda: self._reserve_queue_ids(1), 0)
        _add_function(c, "offsync_tick", lambda: self.clock.tick(self._wall_clock()), 0)
        _add_function(c, "offsync_pack", _pack, -1)
        _add_function(c, "offsync_diff", _diff, -1)
        _add_function(c, "offsync_delta", _delta, -1)
        _add_function(c, "offsync_default_scope", lambda: self._default_scope, 0)
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
        self._queue_empty = False
        for listener in self._commit_listeners:
            listener()
        return False

    def _on_rollback(self) -> None:
        self._state_cache.clear()  # it may hold what this rollback took back
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
            c.execute(f"DROP TRIGGER {tables.quote(cast(str, name))}")  # they name sync_queue; made again next
        c.execute(tables.QUEUE_TABLE.format(name="sync_queue_new", shift=queue.SEQ_SHIFT))
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
        if any(n not in have for n in coll.field_names):
            # entries holding their fields by reference hold what the rows had: copy that first
            kept = [n for n in coll.field_names if n in have and n != coll.primary_key]
            self.connection.execute(tables.freeze_all_sql(coll, kept))
        for f in coll.fields.values():
            if f.name not in have:
                sql = tables.column_sql(coll, f).replace("PRIMARY KEY NOT NULL", "")
                if f.required and coll.defaults().get(f.name) is None:
                    raise UsageError(f"{coll.name}.{f.name}: a required field added to an existing table needs a default")
                self.connection.execute(f"ALTER TABLE {tables.quote(coll.name)} ADD COLUMN {sql}")

    def _read_state(self) -> dict[str, Any]:
        found = self.connection.execute("SELECT key, value FROM sync_state").fetchall()
        return dict(cast("list[tuple[str, Any]]", found))

    def _write_state(self, **values: Any) -> None:
        cache = self._state_cache
        for key in ("cursor", "resyncing"):
            if key in values:
                cache[key] = int(values[key])
        if not values:
            return
        # one statement for all of them: an executemany of the two a page writes
        # (cursor, clock) cost 10 us of a one-row live batch's ~90, this 5
        self.connection.execute(_state_sql(len(values)), [item for pair in values.items() for item in pair])

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
        top = single_value(self.connection, "SELECT max(id) FROM sync_queue")
        return 0 if top is None else int(top) >> queue.SEQ_SHIFT

    def _max_queue_insert_order(self) -> int:
        return int(single_value(self.connection, "SELECT coalesce(max(insert_order), 0) FROM sync_queue"))

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
            except BaseException:
                self._state_cache.clear()  # what it wrote is rolled back
                raise
            finally:
                self._capture = True

    def _collection(self, name: str) -> Collection:
        return self.schema[name]

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
        :func:`sync_search.ranking.search`."""
        if _searcher is None:  # sync_client/__init__ imports the search module, which registers it
            raise StateError("sync_client.search is not loaded")
        return _searcher(self, collection, text, k=k, mode=mode, where=where, params=params)

    # -- the queue ------------------------------------------------------

    def pending(self, limit: int | None = None) -> list[QueueEntry]:
        """Queue entries in the order they were made."""
        sql = f"SELECT {self._entry_columns} FROM sync_queue ORDER BY id"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        with self.lock:
            self._check_open()
            return queue.entries(self.connection.execute(sql).fetchall())

    def pending_mutations(self, after_seq: int, max_mutations: int, max_ops: int | None = None) -> list[QueueEntry]:
        """Entries of the oldest mutations with client_seq > ``after_seq``: at most
        ``max_mutations`` of them and, if given, ``max_ops`` entries in all (but
        always the whole first mutation, however big)."""
        with self.lock:
            self._check_open()
            span = queue.next_mutations_span(self.connection, after_seq, max_mutations, max_ops)
            return [] if span is None else queue.entries(self.connection.execute(
                f"SELECT {self._entry_columns} FROM sync_queue WHERE id BETWEEN ? AND ? ORDER BY id", span).fetchall())

    def mutations_to_push(self, after_seq: int, max_mutations: int, max_ops: int) -> list[Mutation]:
        """The same mutations, made straight into the messages a Push carries."""
        with self.lock:
            self._check_open()
            span = queue.next_mutations_span(self.connection, after_seq, max_mutations, max_ops)
            return [] if span is None else self._mutation_reader.read(self.connection, span)

    def pending_count(self) -> int:
        """How many operations are queued (counts them: O(queue))."""
        with self.lock:
            return int(single_value(self.connection, "SELECT count(*) FROM sync_queue"))

    def has_pending(self) -> bool:
        """Whether anything is queued (one look: O(1); none while the queue is
        known to be empty, as it stays on a device that only receives: asked
        after every live batch, the look was 7 % of such a device's time)."""
        with self.lock:
            if self._queue_empty and self._txn_seq is None:
                return False
            found = bool(self.connection.execute("SELECT 1 FROM sync_queue LIMIT 1").fetchall())
            self._queue_empty = not found and self._txn_seq is None
            return found

    def answered_through(self) -> int:
        """The highest client_seq below every queued one: a server answered each
        mutation up to it (its entries leave the queue only with an answer)."""
        with self.lock:
            self._check_open()
            first = single_value(self.connection, "SELECT min(id) FROM sync_queue")
            return self._last_seq if first is None else (int(first) >> queue.SEQ_SHIFT) - 1

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
                    # with capture off, our own triggers would only evaluate their WHEN (a
                    # Python call a row: every row a device made offline before its first
                    # connection) and the freeze triggers do not watch the scope: where
                    # they are the table's only triggers, the rows move without them
                    with self._without_triggers(self._only_our_triggers(coll)):
                        self.connection.execute(
                            f"UPDATE {tables.quote(coll.name)} SET {tables.quote(SCOPE_COLUMN)} = ? "
                            f"WHERE {tables.quote(SCOPE_COLUMN)} = ''", (scope,))
            self._default_scope = scope

    @property
    def cursor(self) -> int:
        """The server sequence number this replica has applied up to."""
        with self.lock:
            return self._cached_state("cursor")

    def _cached_state(self, key: str) -> int:
        """An integer of sync_state that only this replica writes (see ``_state_cache``)."""
        found = self._state_cache.get(key)
        if found is None:
            rows = self.connection.execute("SELECT value FROM sync_state WHERE key = ?", (key,)).fetchall()
            found = self._state_cache[key] = int(rows[0][0] or 0) if rows else 0
        return found

    def conflicts(self) -> list[Conflict]:
        """Writes the server refused (``reject`` policy), oldest first."""
        with self.lock:
            rows = cast("list[_ConflictRow]", self.connection.execute(
                "SELECT id, client_seq, collection, row_id, kind, local, server, reason, created_at "
                "FROM sync_conflicts ORDER BY id").fetchall())
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


def _add_function(c: apsw.Connection, name: str, fn: Callable[..., apsw.SQLiteValue], numargs: int) -> None:
    """Register a scalar SQL function. apsw types one as taking any number of
    values; SQLite calls it with exactly ``numargs`` of them (-1: any)."""
    c.create_scalar_function(name, fn, numargs)


#: functions called with each replica once its tables exist (search indexes register here)
_collection_hooks: list[Callable[[Replica], None]] = []


def on_open(hook: Callable[[Replica], None]) -> Callable[[Replica], None]:
    """Register ``hook(replica)`` to run when a replica has created its tables."""
    _collection_hooks.append(hook)
    return hook


#: :func:`sync_client.search.search`, registered by that module when it loads; the
#: replica calls it through here, so ``replica`` never imports ``search`` (which
#: imports ``replica``)
_searcher: Callable[..., Any] | None = None


def set_searcher(searcher: Callable[..., Any]) -> None:
    """Register the function behind :meth:`Replica.search` (the search module calls this)."""
    global _searcher
    _searcher = searcher


@functools.cache
def _state_sql(count: int) -> str:
    """Upsert ``count`` (key, value) pairs of ``sync_state`` in one statement."""
    values = ", ".join(["(?, ?)"] * count)
    return f"INSERT INTO sync_state (key, value) VALUES {values} ON CONFLICT (key) DO UPDATE SET value = excluded.value"
